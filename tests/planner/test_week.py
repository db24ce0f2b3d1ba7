"""The week plan: what a practitioner has booked, what falls due, who they
cover, and what is already overdue, in risk order."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import replace
from datetime import date, timedelta

import pytest

from planner.calendar import working_days
from planner.checklist import build_checklist
from planner.model import (
    Absence,
    Action,
    Allocation,
    Appointment,
    Case,
    Contact,
    Handover,
    Practitioner,
    Team,
    World,
)
from planner.week import week_plan, week_start_of, week_to_dict

AS_OF = date(2026, 11, 30)  # a Monday
MON, TUE, WED, THU, FRI, SAT, SUN = (AS_OF + timedelta(days=i) for i in range(7))
OLD = date(2025, 1, 6)  # allocations long past the early window
WD = working_days("england-and-wales")
HANDOVER_DAY = date(2026, 12, 10)


def case(ref: str, holder: str = "P1", last_seen: date | None = None, **kw) -> Case:
    contacts = (Contact(last_seen, holder, "office"),) if last_seen else ()
    base = dict(case_ref=ref, display_name=f"Person {ref}", team_id="T1",
                allocations=(Allocation(holder, OLD),), contacts=contacts)
    base.update(kw)
    return Case(**base)


def handover_case() -> Case:
    c = case("C5", last_seen=date(2026, 11, 26), youth=True)
    items = build_checklist(c, HANDOVER_DAY, WD)
    return replace(c, handovers=(Handover("P1", "P3", HANDOVER_DAY, items=items, id=50),))


WORLD = World(
    practitioners={
        "P1": Practitioner("P1", "Robin Planner", "T1"),
        "P2": Practitioner("P2", "Kit Away", "T1"),
        "P3": Practitioner("P3", "Jo Incoming", "T1"),
        "P4": Practitioner("P4", "Sam Cover", "T1"),
        "L1": Practitioner("L1", "Lee Lead", "T1", role="team_lead", grade="SPO"),
    },
    teams={"T1": Team("T1", "North")},
    absences={
        "P1": (Absence("P1", FRI, date(2026, 12, 7), "leave", "P4", id=1),),
        "P2": (Absence("P2", TUE, WED, "training", "P1", id=2),),
    },
)

CASES = (
    # A weekly series on Mondays since 2 Nov, ten times: one occurrence this week.
    case("C1", last_seen=date(2026, 11, 23), appointments=(
        Appointment(date(2026, 11, 2), "P1", dt.time(10, 0), rrule="FREQ=WEEKLY;BYDAY=MO;COUNT=10",
                    id=11),
    )),
    case("C2", last_seen=date(2026, 11, 5)),  # due Thu 3 Dec, nothing booked
    case("C3", last_seen=date(2026, 10, 1)),  # overdue since 29 Oct: high
    case("C4", last_seen=date(2026, 10, 28)),  # overdue since 25 Nov: medium
    handover_case(),
    case("C6", "P2", date(2026, 11, 20),
         appointments=(Appointment(TUE, "P2", dt.time(14, 0), id=61),)),
    case("C7", "P2", date(2026, 11, 4)),  # due Wed 2 Dec while P2 is away
    case("C8", "P2", date(2026, 11, 20),
         appointments=(Appointment(THU, "P2", id=81),)),  # P2 back by Thursday
    case("C9", last_seen=date(2026, 11, 6),  # due Fri 4 Dec, but booked Thu
         appointments=(Appointment(THU, "P1", dt.time(9, 30), id=91),)),
    case("C10", last_seen=date(2026, 9, 1), status="paused", paused_until=date(2027, 1, 4)),
    case("C11", last_seen=date(2026, 9, 1), status="closed",
         appointments=(Appointment(TUE, "P1", id=111),)),
)

ACTIONS = (
    Action("Ask about the college course", "P1", WED, case_ref="C2", id=1),
    Action("Refer to housing", "P1", date(2026, 10, 1), id=2),  # overdue, no case
    Action("Done already", "P1", WED, case_ref="C2", done=True, id=3),
    Action("Someone else's", "P2", WED, case_ref="C7", id=4),
)


@pytest.fixture(scope="module")
def plan():
    return week_plan("P1", THU, CASES, WORLD, ACTIONS, AS_OF)


def on(plan, day):
    return next(d for d in plan.days if d.day == day).entries


def refs(entries, kind=None):
    return [(e.case_ref, e.kind, e.item_id) for e in entries if kind is None or e.kind == kind]


def test_the_week_runs_monday_to_sunday_around_week_of(plan):
    assert week_start_of(SUN) == MON and week_start_of(MON) == MON
    assert plan.week_start == MON and plan.week_end == SUN
    assert [d.day for d in plan.days] == [MON, TUE, WED, THU, FRI, SAT, SUN]


def test_a_weekly_series_shows_its_occurrence_in_the_week_and_none_outside(plan):
    series = [e for e in plan.entries() if e.case_ref == "C1"]
    assert [(e.kind, e.day, e.time, e.appointment_id) for e in series] == [
        ("appointment", MON, dt.time(10, 0), 11)
    ]
    later = week_plan("P1", date(2027, 1, 4), CASES, WORLD, ACTIONS, AS_OF)
    assert [e.day for e in later.entries() if e.case_ref == "C1"] == [date(2027, 1, 4)]
    # The tenth and last occurrence is 4 Jan 2027; the week after has none.
    after = week_plan("P1", date(2027, 1, 11), CASES, WORLD, ACTIONS, AS_OF)
    assert not [e for e in after.entries() if e.case_ref == "C1"]


def test_contact_falls_due_on_last_contact_plus_threshold(plan):
    due = [e for e in plan.entries() if e.kind == "contact_due"]
    assert [(e.case_ref, e.day) for e in due] == [("C2", THU)]
    assert "28 days" in due[0].detail


def test_no_contact_due_entry_when_an_appointment_is_booked_before_it(plan):
    c9 = [(e.kind, e.day) for e in plan.entries() if e.case_ref == "C9"]
    assert c9 == [("appointment", THU)]


def test_paused_and_closed_cases_stay_out(plan):
    everything = list(plan.entries()) + list(plan.catch_up)
    assert not [e for e in everything if e.case_ref in ("C10", "C11")]


def test_handover_items_due_this_week_for_the_outgoing_practitioner(plan):
    thursday = [(e.case_ref, e.item_id) for e in on(plan, THU) if e.kind == "handover_item"]
    assert thursday == [("C5", "summary"), ("C5", "carers_told")]
    entry = next(e for e in on(plan, THU) if e.item_id == "summary")
    assert entry.handover_id == 50


def test_handover_items_are_owner_aware_for_the_incoming_practitioner_and_the_lead():
    incoming = week_plan("P3", date(2026, 12, 7), CASES, WORLD, ACTIONS, AS_OF)
    assert refs(incoming.entries(), "handover_item") == [
        ("C5", "handover_item", "read"), ("C5", "handover_item", "booked"),
    ]
    lead = week_plan("L1", date(2027, 1, 7), CASES, WORLD, ACTIONS, AS_OF)
    assert refs(lead.entries(), "handover_item") == [("C5", "handover_item", "review")]


def test_items_the_records_tick_drop_out():
    booked = replace(CASES[4], appointments=(Appointment(date(2026, 12, 14), "P3"),))
    incoming = week_plan("P3", date(2026, 12, 7), [booked], WORLD, (), AS_OF)
    assert refs(incoming.entries(), "handover_item") == [("C5", "handover_item", "read")]


def test_actions_due_this_week(plan):
    assert [(e.case_ref, e.title, e.action_id) for e in on(plan, WED) if e.kind == "action"] == [
        ("C2", "Ask about the college course", 1)
    ]


def test_own_absence_with_cover_named(plan):
    assert [(a.start_date, a.end_date, a.cover_practitioner_id, a.cover_name)
            for a in plan.absences] == [(FRI, date(2026, 12, 7), "P4", "Sam Cover")]
    assert [d.absent for d in plan.days] == [False, False, False, False, True, True, True]


def test_cover_given_for_an_absent_colleague(plan):
    [cover] = plan.cover_given
    assert (cover.absence.practitioner_id, cover.practitioner_name) == ("P2", "Kit Away")
    # By risk, then date: C7 is due with nothing booked, C6 is fine.
    assert [(e.case_ref, e.cover_kind, e.day) for e in cover.entries] == [
        ("C7", "contact_due", WED), ("C6", "appointment", TUE),
    ]
    assert all(e.kind == "cover" and e.cover_for == "P2" for e in cover.entries)
    assert [e.case_ref for e in on(plan, TUE) if e.kind == "cover"] == ["C6"]
    assert [e.case_ref for e in on(plan, WED) if e.kind == "cover"] == ["C7"]
    assert "C8" not in {e.case_ref for e in plan.entries()}  # P2 is back by then


def test_catch_up_lists_what_is_overdue_by_risk_then_date(plan):
    assert [(e.case_ref, e.kind, e.item_id or e.action_id) for e in plan.catch_up if e.kind != "outcome"] == [
        ("C3", "contact_due", None),  # overdue, gap over 1.5 x T: high + low
        ("C4", "contact_due", None),  # overdue: medium + low
        ("C5", "handover_item", "told"),  # handover in 10 days, items open: medium
        (None, "action", 2),  # no case, no risk, though the oldest
    ]
    scores = [e.risk_score for e in plan.catch_up]
    assert scores == sorted(scores, reverse=True)
    assert plan.catch_up[0].title == "Contact overdue"


def test_catch_up_asks_for_the_outcome_of_past_appointments_with_no_contact(plan):
    """C1's Monday series: 2, 9 and 16 Nov have no contact recorded (23 Nov
    has one); the 28 days looked back reach 2 Nov."""
    asked = [(e.case_ref, e.day, e.appointment_id, e.occurrence) for e in plan.catch_up if e.kind == "outcome"]
    assert asked == [("C1", date(2026, 11, d), 11, date(2026, 11, d)) for d in (2, 9, 16)]
    assert all(e.title == "Record what happened" for e in plan.catch_up if e.kind == "outcome")


def test_each_day_is_in_time_order_untimed_after_then_by_risk(plan):
    for day in plan.days:
        keys = [(e.time is None, e.time or dt.time.max, -e.risk_score) for e in day.entries]
        assert keys == sorted(keys)
    assert [(e.case_ref, e.time) for e in on(plan, THU)] == [
        ("C9", dt.time(9, 30)), ("C5", None), ("C5", None), ("C2", None)]


def test_bank_holidays_are_named_on_their_day():
    christmas = week_plan("P1", date(2026, 12, 24), CASES, WORLD, ACTIONS, AS_OF)
    assert [(d.day.day, d.holiday) for d in christmas.days if d.holiday] == [
        (25, "Christmas Day"), (26, "Boxing Day")]
    assert week_to_dict(christmas)["days"][4]["holiday"] == "Christmas Day"


def test_week_to_dict_is_json_and_privacy_drops_names(plan):
    data = json.loads(json.dumps(week_to_dict(plan)))
    assert data["week_start"] == "2026-11-30" and data["as_of"] == "2026-11-30"
    assert len(data["days"]) == 7
    monday = data["days"][0]["entries"][0]
    assert monday["case_ref"] == "C1" and monday["time"] == "10:00"
    assert monday["display_name"] == "Person C1"
    assert data["cover_given"][0]["cover_practitioner_id"] == "P1"
    assert [e["case_ref"] for e in data["catch_up"] if e["kind"] != "outcome"] == ["C3", "C4", "C5", None]
    private = json.dumps(week_to_dict(plan, privacy=True))
    assert "Person C" not in private


def test_an_open_ended_absence_runs_on_and_its_cover_is_asked_for_all_week():
    """An absence with no end date (docs/words.md) covers every day from its start."""
    world = replace(WORLD, absences={
        "P1": (Absence("P1", WED, None, "sickness", None, id=5),),
        "P2": (Absence("P2", date(2026, 11, 2), None, "sickness", "P1", id=6),),
    })
    plan = week_plan("P1", THU, CASES, world, ACTIONS, AS_OF)
    assert [(a.start_date, a.end_date, a.kind) for a in plan.absences] == [(WED, None, "sickness")]
    assert [d.absent for d in plan.days] == [False, False, True, True, True, True, True]
    [cover] = plan.cover_given  # P1 covers P2, off since 2 Nov with no end date
    assert {e.case_ref for e in cover.entries} >= {"C6", "C8"}
    absences = week_to_dict(plan)["absences"]
    assert absences[0]["end_date"] is None and json.dumps(absences)
