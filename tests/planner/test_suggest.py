"""Plan my week (planner/suggest.py): a slot for every case falling due with
nothing booked, in working hours, clear of appointments, absences, bank
holidays and each other, riskiest first, before the due date, the same
every time."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from datetime import date, timedelta

from planner.model import Absence, Allocation, Appointment, Case, Contact, Practitioner, Team, World
from planner.policy import DEFAULT_POLICY
from planner.suggest import proposals_to_dict, suggest

AS_OF = date(2026, 12, 18)  # a Friday; the week of 21 Dec holds Christmas and Boxing Day (observed 28th)
WORLD = World(practitioners={"P1": Practitioner("P1", "Robin Planner", "T1")}, teams={"T1": Team("T1", "North")})


def case(ref: str, last_seen: date, *appointments, **kw) -> Case:
    return Case(ref, f"Person {ref}", team_id="T1", tier="C1", allocations=(Allocation("P1", date(2025, 1, 6)),),
                contacts=(Contact(last_seen, "P1"),), appointments=appointments, **kw)


def test_each_due_case_gets_the_earliest_free_slot_before_its_due_date():
    cases = [case("C1", date(2026, 11, 26)),  # due Thu 24 Dec
             case("C2", date(2026, 11, 30)),  # due Tue 29 Dec (28 Dec is a bank holiday)
             case("C3", date(2026, 12, 10)),  # due Thu 7 Jan: outside the two weeks
             case("C4", date(2026, 11, 26), Appointment(date(2026, 12, 22), "P1", dt.time(9), id=1))]  # booked
    got = suggest("P1", date(2026, 12, 21), cases, WORLD, AS_OF)
    assert [(p.case_ref, p.day, p.time, p.due) for p in got] == [
        ("C1", date(2026, 12, 21), dt.time(9), date(2026, 12, 24)),
        ("C2", date(2026, 12, 21), dt.time(10), date(2026, 12, 29)),
    ]
    assert all(p.in_time and "before it" in p.reason for p in got)


def test_it_avoids_appointments_absences_bank_holidays_and_weekends():
    world = replace(WORLD, absences={"P1": (Absence("P1", date(2026, 12, 21), date(2026, 12, 23), "leave"),)})
    busy = case("B1", date(2026, 12, 17), Appointment(date(2026, 12, 24), "P1", dt.time(9), id=1),
                 Appointment(date(2026, 12, 24), "P1", dt.time(10, 30), rrule="FREQ=WEEKLY;COUNT=2", id=2))
    got = suggest("P1", date(2026, 12, 21), [busy, case("C1", date(2026, 11, 20))], world, AS_OF)
    # 21-23 away, 24th: 9:00 and 10:30-11:30 taken, so 11:30 is not a slot either; next 12:00
    assert [(p.case_ref, p.day, p.time) for p in got] == [("C1", date(2026, 12, 24), dt.time(12))]


def test_riskiest_first_and_late_only_when_no_slot_is_free():
    policy = replace(DEFAULT_POLICY, planning=replace(DEFAULT_POLICY.planning, day_starts="09:00",
                                                      day_ends="10:00", per_day=1))
    world = replace(WORLD, absences={"P1": (Absence("P1", date(2026, 12, 22), date(2026, 12, 24), "leave"),)})
    high = case("H1", date(2026, 10, 1))  # long overdue: high
    low = case("L1", date(2026, 11, 23))  # due Mon 21 Dec
    got = suggest("P1", date(2026, 12, 21), [low, high], world, AS_OF, policy)
    assert [(p.case_ref, p.day) for p in got] == [("H1", date(2026, 12, 21)), ("L1", date(2026, 12, 29))]
    assert got[0].risk_score > got[1].risk_score
    assert "overdue since" in got[0].reason and "no free slot by then" in got[1].reason


def test_the_day_cap_gives_way_before_a_case_is_late():
    policy = replace(DEFAULT_POLICY, planning=replace(DEFAULT_POLICY.planning, per_day=1))
    cases = [case(f"C{n}", date(2026, 11, 23)) for n in range(3)]  # all due Mon 21 Dec
    got = suggest("P1", date(2026, 12, 21), cases, WORLD, AS_OF, policy)
    assert [(p.day, p.time) for p in got] == [(date(2026, 12, 21), dt.time(h)) for h in (9, 10, 11)]


def test_paused_and_closed_cases_and_other_practitioners_are_left_out_and_it_is_deterministic():
    cases = [case("C1", date(2026, 11, 26)), case("C2", date(2026, 11, 1), status="closed"),
             case("C3", date(2026, 11, 1), status="paused", paused_until=date(2027, 2, 1)),
             replace(case("C4", date(2026, 11, 1)), allocations=(Allocation("P2", date(2025, 1, 6)),))]
    first = suggest("P1", date(2026, 12, 21), cases, WORLD, AS_OF)
    assert [p.case_ref for p in first] == ["C1"]
    assert first == suggest("P1", date(2026, 12, 21), list(reversed(cases)), WORLD, AS_OF)
    data = proposals_to_dict("P1", date(2026, 12, 21), first, privacy=True)
    assert data["proposals"][0] == {"case_ref": "C1", "date": "2026-12-21", "time": "09:00", "due": "2026-12-24",
                                    "reason": first[0].reason, "kind": "office", "risk_score": first[0].risk_score}
