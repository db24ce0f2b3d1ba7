"""A series' exceptions (RFC 5545) in the planner: cancelled occurrences
(EXDATE) and moved ones (an override with the RECURRENCE-ID it replaces),
checked against python-dateutil's `rruleset`, in the rules' "booked", in the
week plan and in the .ics export (read back through `icalendar`)."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from datetime import date, datetime, timedelta

import pytest
from dateutil.rrule import rruleset, rrulestr
from icalendar import Calendar

from planner.appointments import appointment_dates, format_exdates, next_booked, parse_exdates
from planner.ics import week_to_ics
from planner.model import Allocation, Appointment, Case, Contact, Practitioner, Team, World
from planner.risk import evaluate_case
from planner.week import week_plan

START = date(2026, 11, 3)  # a Tuesday
RULES = ("FREQ=WEEKLY;COUNT=10", "FREQ=WEEKLY;INTERVAL=2;BYDAY=TU,TH", "FREQ=MONTHLY;BYDAY=1TU;COUNT=6",
         "FREQ=DAILY;INTERVAL=3;UNTIL=20270301", "FREQ=MONTHLY;BYMONTHDAY=3")
SERIES = Appointment(START, "P1", dt.time(10), rrule="FREQ=WEEKLY;COUNT=10", id=1)
WORLD = World(practitioners={"P1": Practitioner("P1", "Robin Planner", "T1")}, teams={"T1": Team("T1", "North")})


def with_dateutil(rule: str, start: date, exdates, moved, first: date, last: date) -> list[date]:
    """dateutil's expansion: the rule less its EXDATEs (a moved occurrence
    is an EXDATE of the series in dateutil's terms)."""
    found = rruleset()
    found.rrule(rrulestr(rule, dtstart=datetime.combine(start, dt.time())))
    for day in (*exdates, *moved):
        found.exdate(datetime.combine(day, dt.time()))
    return [d.date() for d in found.between(datetime.combine(first, dt.time()), datetime.combine(last, dt.time()),
                                            inc=True)]


@pytest.mark.parametrize("rule", RULES)
def test_exceptions_match_dateutils_rruleset(rule):
    plain = appointment_dates(Appointment(START, "P1", rrule=rule), START, START + timedelta(days=200))
    exdates, moved = tuple(plain[1::3]), tuple(plain[2::4])
    appt = Appointment(START, "P1", rrule=rule, exdates=exdates, moved=moved)
    for first, last in ((START, START + timedelta(days=200)), (date(2026, 12, 1), date(2026, 12, 31))):
        assert appointment_dates(appt, first, last) == with_dateutil(rule, START, exdates, moved, first, last)
    assert parse_exdates(format_exdates(exdates)) == exdates


def test_a_cancelled_appointment_has_no_dates_and_next_skips_exceptions():
    assert appointment_dates(replace(SERIES, cancelled_by="person"), START, START + timedelta(days=90)) == []
    series = replace(SERIES, exdates=(date(2026, 12, 1),), moved=(date(2026, 12, 8),))
    assert next_booked((series,), date(2026, 11, 25)) == date(2026, 12, 15)
    moved = Appointment(date(2026, 12, 10), "P1", series_id=1, recurrence_date=date(2026, 12, 8), id=2)
    assert next_booked((series, moved), date(2026, 11, 25)) == date(2026, 12, 10)


def case(*appointments, contacts=()):
    return Case("C1", "Person C1", team_id="T1", tier="C1", allocations=(Allocation("P1", date(2025, 1, 6)),),
                contacts=contacts or (Contact(date(2026, 11, 10), "P1"),), appointments=appointments)


def test_a_cancelled_occurrence_is_not_booked_for_the_rules():
    """Due 8 Dec (last 10 Nov + 28): the occurrence of 8 Dec counts as booked,
    until it is cancelled."""
    as_of = date(2026, 12, 4)
    booked = {w.rule for w in evaluate_case(case(SERIES), WORLD, as_of)}
    cancelled = {w.rule for w in evaluate_case(case(replace(SERIES, exdates=(date(2026, 12, 8),))), WORLD, as_of)}
    assert "contact_due" not in booked and "contact_due" in cancelled


def days_of(plan, appointment_id=None):
    return [(e.day, e.time, e.appointment_id) for e in plan.entries()
            if e.kind == "appointment" and appointment_id in (None, e.appointment_id)]


AS_OF = date(2026, 11, 30)


def test_the_week_shows_cancel_one_move_one_and_move_the_series():
    cancel_one = replace(SERIES, exdates=(date(2026, 12, 1),))
    assert days_of(week_plan("P1", AS_OF, [case(SERIES)], WORLD, (), AS_OF)) == [(date(2026, 12, 1), dt.time(10), 1)]
    assert days_of(week_plan("P1", AS_OF, [case(cancel_one)], WORLD, (), AS_OF)) == []
    moved = Appointment(date(2026, 12, 3), "P1", dt.time(15), series_id=1, recurrence_date=date(2026, 12, 1), id=2)
    plan = week_plan("P1", AS_OF, [case(replace(SERIES, moved=(date(2026, 12, 1),)), moved)], WORLD, (), AS_OF)
    assert days_of(plan) == [(date(2026, 12, 3), dt.time(15), 2)]
    (entry,) = [e for e in plan.entries() if e.kind == "appointment"]
    assert (entry.series_id, entry.occurrence) == (1, date(2026, 12, 1)) and "moved from Tue 01 Dec" in entry.detail
    shifted = replace(SERIES, appointment_date=START + timedelta(days=1), time=dt.time(9))
    assert days_of(week_plan("P1", AS_OF, [case(shifted)], WORLD, (), AS_OF)) == [(date(2026, 12, 2), dt.time(9), 1)]


# ---------------------------------------------------------------------------- .ics


def ics(*appointments, as_of=AS_OF):
    plan = week_plan("P1", as_of, [case(*appointments)], WORLD, (), as_of)
    return plan, Calendar.from_ical(week_to_ics(plan, "Robin Planner"))


def events(cal):
    return list(cal.walk("VEVENT"))


def expand(cal, first: date, last: date) -> list[tuple[date, dt.time | None]]:
    """The calendar's occurrences as a calendar program reads them: each
    series by dateutil (RRULE less EXDATE and the RECURRENCE-IDs of its
    overrides), the overrides and one-offs on their own DTSTART; cancelled
    ones left out."""
    found = []
    overrides = {}
    for event in events(cal):
        if "RECURRENCE-ID" in event:
            overrides.setdefault(str(event["UID"]), []).append(event)
    for event in events(cal):
        if str(event["STATUS"]) == "CANCELLED" and "RECURRENCE-ID" not in event:
            continue
        start = event["DTSTART"].dt
        if "RRULE" in event:
            series = rruleset()
            naive = start.replace(tzinfo=None)
            series.rrule(rrulestr(event["RRULE"].to_ical().decode(), dtstart=naive))
            exdates = event.get("EXDATE")
            for group in (exdates if isinstance(exdates, list) else [exdates] if exdates else []):
                for d in group.dts:
                    series.exdate(d.dt.replace(tzinfo=None))
            for override in overrides.get(str(event["UID"]), []):
                series.exdate(override["RECURRENCE-ID"].dt.replace(tzinfo=None))
            for d in series.between(datetime.combine(first, dt.time()), datetime.combine(last, dt.time.max),
                                    inc=True):
                found.append((d.date(), d.time()))
        elif str(event.get("STATUS")) != "CANCELLED":
            day = start.date() if isinstance(start, datetime) else start
            if first <= day <= last:
                found.append((day, start.time() if isinstance(start, datetime) else None))
    return sorted(found)


def test_ics_series_with_a_cancelled_and_a_moved_occurrence_round_trips():
    series = replace(SERIES, exdates=(date(2026, 12, 8),), moved=(date(2026, 12, 1),), version=3)
    moved = Appointment(date(2026, 12, 3), "P1", dt.time(15), series_id=1, recurrence_date=date(2026, 12, 1), id=2)
    plan, cal = ics(series, moved)
    found = {("RECURRENCE-ID" in e): e for e in events(cal)}
    assert len(events(cal)) == 2 and str(found[False]["UID"]) == str(found[True]["UID"]) == "appointment-1@caseload.invalid"
    assert [d.dt.date() for d in found[False]["EXDATE"].dts] == [date(2026, 12, 8)]
    assert found[False]["SEQUENCE"] == 2
    assert found[True]["RECURRENCE-ID"].dt.replace(tzinfo=None) == datetime(2026, 12, 1, 10)
    # what a calendar program shows is what the plan has, week after week
    for monday in (date(2026, 11, 30), date(2026, 12, 7), date(2026, 12, 14)):
        shown = expand(cal, monday, monday + timedelta(days=6))
        planned = sorted((e.day, e.time) for e in week_plan("P1", monday, [case(series, moved)], WORLD, (),
                                                              AS_OF).entries() if e.kind == "appointment")
        assert shown == planned, monday


def test_ics_uid_stays_when_an_appointment_moves_and_a_cancelled_one_says_so():
    one_off = Appointment(date(2026, 12, 2), "P1", dt.time(11), id=5)
    _plan, before = ics(one_off)
    _plan, after = ics(replace(one_off, appointment_date=date(2026, 12, 4), version=2))
    assert [str(e["UID"]) for e in events(before)] == [str(e["UID"]) for e in events(after)] == [
        "appointment-5@caseload.invalid"]
    assert events(after)[0]["SEQUENCE"] == 1
    _plan, cancelled = ics(replace(one_off, cancelled_by="practitioner", version=2))
    (event,) = events(cancelled)
    assert str(event["STATUS"]) == "CANCELLED" and "cancelled by the practitioner" in str(event["DESCRIPTION"])
    _plan, series = ics(replace(SERIES, cancelled_by="person"))
    assert [str(e["STATUS"]) for e in events(series)] == ["CANCELLED"]


def test_ics_moving_the_series_keeps_its_uid_and_moves_its_exceptions():
    series = replace(SERIES, exdates=(date(2026, 12, 8),))
    _plan, before = ics(series)
    shifted = replace(series, appointment_date=START + timedelta(days=1), exdates=(date(2026, 12, 9),), version=2)
    _plan, after = ics(shifted)
    (old,), (new,) = events(before), events(after)
    assert str(old["UID"]) == str(new["UID"]) == "appointment-1@caseload.invalid"
    assert new["DTSTART"].dt.date() == date(2026, 11, 4) and new["SEQUENCE"] == 1
    assert [d.dt.date() for d in new["EXDATE"].dts] == [date(2026, 12, 9)]
    assert expand(after, date(2026, 12, 7), date(2026, 12, 13)) == []
    assert expand(after, date(2026, 12, 14), date(2026, 12, 20)) == [(date(2026, 12, 16), dt.time(10))]
