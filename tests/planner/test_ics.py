"""The week plan as iCalendar: events for appointments, to-dos for what falls
due, stable UIDs and stamps, case refs rather than names by default."""

from __future__ import annotations

import datetime as dt
from datetime import date, timedelta
from zoneinfo import ZoneInfo

import pytest
from icalendar import Calendar

from planner.ics import PRODID, week_to_ics
from planner.model import (
    Absence,
    Action,
    Allocation,
    Appointment,
    Case,
    Contact,
    Practitioner,
    Team,
    World,
)
from planner.week import week_plan

AS_OF = date(2026, 11, 30)  # Monday
TUE, WED, THU = (AS_OF + timedelta(days=n) for n in (1, 2, 3))
LONDON = ZoneInfo("Europe/London")

WORLD = World(
    practitioners={
        "P1": Practitioner("P1", "Robin Planner", "T1"),
        "P2": Practitioner("P2", "Kit Away", "T1"),
    },
    teams={"T1": Team("T1", "North")},
    absences={"P2": (Absence("P2", TUE, TUE, "training", "P1"),)},
)


def case(ref: str, holder: str, last_seen: date, *appointments: Appointment) -> Case:
    return Case(ref, f"Person {ref}", team_id="T1",
                allocations=(Allocation(holder, date(2025, 1, 6)),),
                contacts=(Contact(last_seen, holder),), appointments=appointments)


CASES = (
    case("A1", "P1", date(2026, 11, 24),
         Appointment(date(2026, 11, 3), "P1", dt.time(10, 0), rrule="FREQ=WEEKLY;BYDAY=TU", id=1),
         Appointment(THU, "P1", id=2)),
    case("A2", "P1", date(2026, 11, 5)),  # contact due Thu 3 Dec
    case("A3", "P1", date(2026, 10, 1)),  # overdue: catch-up
    case("A4", "P2", date(2026, 11, 20), Appointment(TUE, "P2", dt.time(14, 0), id=4)),  # cover
)
ACTIONS = (Action("Ask about the college course", "P1", WED, case_ref="A2", id=7),)


def plan_on(as_of: date, week_of: date):
    return week_plan("P1", week_of, CASES, WORLD, ACTIONS, as_of)


@pytest.fixture(scope="module")
def calendar() -> Calendar:
    return Calendar.from_ical(week_to_ics(plan_on(AS_OF, AS_OF), "Robin Planner"))


def components(cal: Calendar, name: str):
    return [c for c in cal.walk(name)]


def by_summary(cal: Calendar, name: str) -> dict[str, object]:
    return {str(c["SUMMARY"]): c for c in components(cal, name)}


def test_header(calendar):
    assert str(calendar["PRODID"]) == PRODID
    assert str(calendar["VERSION"]) == "2.0"


def test_appointments_are_events_timed_or_all_day(calendar):
    events = {e["DTSTART"].dt: e for e in components(calendar, "VEVENT")}
    tuesday_10 = dt.datetime(2026, 11, 3, 10, 0, tzinfo=LONDON)  # the series, from its first date
    tuesday_14 = dt.datetime(2026, 12, 1, 14, 0, tzinfo=LONDON)
    assert len(components(calendar, "VEVENT")) == 3
    assert events.keys() == {tuesday_10, tuesday_14, THU}
    assert str(events[tuesday_10]["SUMMARY"]) == "A1: Appointment (office)"  # the series
    assert events[tuesday_10]["RRULE"].to_ical() == b"FREQ=WEEKLY;BYDAY=TU"
    assert events[tuesday_10]["DURATION"].dt == timedelta(hours=1)
    assert str(events[THU]["SUMMARY"]) == "A1: Appointment (office)"
    assert events[THU]["DTEND"].dt == THU + timedelta(days=1)  # all day
    cover = events[tuesday_14]
    assert str(cover["SUMMARY"]) == "A4: Appointment (office)"
    assert "cover for P2" in str(cover["DESCRIPTION"])
    assert components(calendar, "VTIMEZONE")  # the Europe/London definition travels along


def test_due_items_and_catch_up_are_todos_with_due_dates(calendar):
    todos = by_summary(calendar, "VTODO")
    assert {summary: todo["DUE"].dt for summary, todo in todos.items()} == {
        "A1: Record what happened": date(2026, 11, 17),  # the last of 3 (by summary)
        "A2: Contact due": THU,
        "A2: Ask about the college course": WED,
        "A3: Contact overdue": date(2026, 10, 29),
    }
    assert str(todos["A3: Contact overdue"]["DESCRIPTION"]).startswith("Overdue.")
    assert all(str(t["STATUS"]) == "NEEDS-ACTION" for t in todos.values())


def test_dtstamp_comes_from_as_of_and_uids_are_unique(calendar):
    found = components(calendar, "VEVENT") + components(calendar, "VTODO")
    assert {c["DTSTAMP"].dt for c in found} == {dt.datetime(2026, 11, 30, tzinfo=dt.timezone.utc)}
    uids = [str(c["UID"]) for c in found]
    assert len(set(uids)) == len(uids) == 9  # 3 events, 3 to-dos, 3 outcomes asked for (A1: 3, 10, 17 Nov)


def test_exporting_again_is_byte_for_byte_the_same():
    assert week_to_ics(plan_on(AS_OF, AS_OF), "Robin Planner") == week_to_ics(
        plan_on(AS_OF, AS_OF), "Robin Planner"
    )


def test_a_due_contact_keeps_its_uid_when_it_turns_overdue():
    def uid_of(ics: bytes, summary: str) -> str:
        return str(by_summary(Calendar.from_ical(ics), "VTODO")[summary]["UID"])

    this_week = week_to_ics(plan_on(AS_OF, AS_OF), "Robin Planner")
    next_week = week_to_ics(plan_on(date(2026, 12, 7), date(2026, 12, 7)), "Robin Planner")
    assert uid_of(this_week, "A2: Contact due") == uid_of(next_week, "A2: Contact overdue")


def test_names_only_without_privacy():
    private = week_to_ics(plan_on(AS_OF, AS_OF), "Robin Planner")
    assert b"Person A" not in private
    named = Calendar.from_ical(week_to_ics(plan_on(AS_OF, AS_OF), "Robin Planner", privacy=False))
    assert "Person A2 (A2): Contact due" in by_summary(named, "VTODO")
