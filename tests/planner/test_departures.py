"""planner.departures: who takes a leaver's cases, and when (docs/handovers.md; docs/rebalancing.md).

Each test builds a small team in memory (make-believe people) and checks one
promise of the planning list: the cheapest receiver by the §5 cost, only
with room under the target, the exclusions, no piling onto one person, the
staggered dates (at most 2 a working day, riskiest first, from 14 days
ahead), the lead's changes, and cover for short absences."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

import pytest

from planner.departures import (
    busiest_day,
    cover_suggestions,
    departure_events,
    departure_plan,
    knows_person,
    planned_per_day,
    with_choice,
)
from planner.exclusions import receiver_exclusion
from planner.model import (
    Absence,
    Allocation,
    Case,
    ChecklistItem,
    Contact,
    Handover,
    Practitioner,
    Team,
    World,
)
from planner.policy import DEFAULT_POLICY

AS_OF = date(2026, 11, 27)  # a Friday
LEAVES = date(2026, 12, 18)  # three weeks on


def ago(n: int) -> date:
    return AS_OF - timedelta(days=n)


def ahead(n: int) -> date:
    return AS_OF + timedelta(days=n)


def people(**changes: dict) -> dict[str, Practitioner]:
    base = {
        "L": Practitioner("L", "Lee Lead", "T1", role="team_lead", grade="SPO"),
        "X": Practitioner("X", "Xan Leaver", "T1", leaving_on=LEAVES),
        "A": Practitioner("A", "Ash Able", "T1"),
        "B": Practitioner("B", "Bo Busy", "T1"),
        "S": Practitioner("S", "Sol Support", "T1", grade="PSO"),
        "O": Practitioner("O", "Oz Other", "T2"),
    }
    for pid, fields in changes.items():
        base[pid] = replace(base[pid], **fields)
    return base


def world(practitioners=None, absences=None) -> World:
    return World(
        practitioners=practitioners or people(),
        teams={"T1": Team("T1", "North"), "T2": Team("T2", "South")},
        absences=absences or {},
    )


def case(ref: str, holder: str = "X", *, tier: str | None = "C2", before: list[Allocation] = (),
         contacts: list[Contact] = (), handovers=(), flags=frozenset()) -> Case:
    allocations = tuple(before) + (Allocation(holder, ago(100)),)
    return Case(ref, "Made-up Person", team_id="T1", tier=tier, contact_level="standard",
                allocations=allocations, contacts=tuple(contacts), handovers=tuple(handovers),
                flags=frozenset(flags))


def load(pid: str, n: int, tier: str = "C3") -> list[Case]:
    """`n` filler cases held by `pid` (C3 = 79 points each)."""
    return [case(f"F-{pid}-{i}", pid, tier=tier) for i in range(n)]


def plan(cases, w=None, **kw):
    return {item.case_ref: item for item in departure_plan("X", cases, w or world(), AS_OF, DEFAULT_POLICY, **kw)}


# --- continuity --------------------------------------------------------------


def test_someone_who_held_the_case_before_is_preferred_over_a_lighter_load():
    c = case("C1", before=[Allocation("B", ago(700), ago(101))])
    item = plan([c] + load("B", 10))["C1"]  # B at ~36 %, A at 0 %
    assert item.to_practitioner_id == "B"
    assert item.knows
    assert item.reason.startswith(f"B held the case until {ago(101):%b %Y}")


def test_someone_who_saw_the_person_in_the_last_730_days_is_preferred():
    c = case("C1", contacts=[Contact(ago(300), "B", kind="office")])
    item = plan([c] + load("B", 5))["C1"]
    assert item.to_practitioner_id == "B"
    d = ago(300)
    assert f"B saw the person on {d.day} {d:%b %Y}" in item.reason


def test_an_old_or_missed_contact_does_not_count_as_knowing_the_person():
    old = case("C1", tier="B2", contacts=[Contact(ago(800), "B")])
    missed = case("C2", tier="B2", contacts=[Contact(ago(30), "B", outcome="missed")])
    assert knows_person(old, "B", AS_OF) is None
    assert knows_person(missed, "B", AS_OF) is None
    items = plan([old, missed] + load("B", 5))
    assert {i.to_practitioner_id for i in items.values()} == {"A"}


def test_without_anyone_who_knows_the_person_the_costs_tie_and_the_lower_load_wins():
    item = plan([case("C1", tier="B2")] + load("A", 6) + load("B", 3))["C1"]
    assert item.to_practitioner_id == "B"
    assert item.reason.startswith("B has not met the person; ")
    assert item.cost == item.candidates[1].cost  # the same §5 cost to A and B
    assert not item.knows


def test_the_suggestion_is_the_cheapest_by_the_disruption_cost():
    # A saw the person (m2 = 0.5): half the cost of B, although B is lighter.
    c = case("C1", contacts=[Contact(ago(50), "A")])
    item = plan([c] + load("A", 12) + load("B", 2))["C1"]
    assert item.to_practitioner_id == "A"
    assert item.cost == item.candidates[0].cost < item.candidates[1].cost
    assert [x.cost for x in item.candidates] == sorted(x.cost for x in item.candidates)


# --- capacity ------------------------------------------------------------------


def test_a_known_receiver_over_target_gives_way_to_someone_within_target():
    c = case("C1", before=[Allocation("B", ago(700), ago(101))])
    item = plan([c] + load("B", 30))["C1"]  # B: 30 x 79 = 2370, 112 % with the case: over 110 %
    assert item.to_practitioner_id == "A"
    assert item.candidates[0].practitioner_id == "A"
    assert not item.over_target


def test_capacity_counts_the_cases_already_suggested_in_the_same_plan():
    # A and B start level at 1580 points; the 110 % target is 2393.6: each can
    # take three A3 cases (206 points each), so eight are shared three and
    # three, and two wait for the lead.
    leaver_cases = [case(f"C{i}", tier="A3") for i in range(8)]
    items = plan(leaver_cases + load("A", 20) + load("B", 20))
    receivers = [i.to_practitioner_id for i in items.values()]
    assert receivers.count("A") == 3 and receivers.count("B") == 3 and receivers.count(None) == 2


def test_when_no_one_has_room_nobody_is_suggested():
    # A at 109 % (30 x 79 = 2370 of 2176) and B at 105 %: taking the case puts both over 110 %.
    items = plan([case("C1", tier="B3")] + load("A", 30) + load("B", 29) + load("S", 40))
    item = items["C1"]
    assert item.to_practitioner_id is None and item.candidates == ()
    assert "room under the 110% target" in item.reason and "choose a receiver by hand" in item.reason


def test_nobody_over_the_target_is_ever_suggested_or_offered():
    # 116-125 % people were suggested as "has room" before: never now.
    items = plan([case(f"C{i}", tier="C2") for i in range(6)] + load("A", 32) + load("B", 33) + load("S", 34))
    assert all(i.to_practitioner_id is None for i in items.values())
    light = plan([case(f"C{i}", tier="C2") for i in range(6)] + load("A", 25) + load("B", 33))
    for item in light.values():
        assert all(c.capacity_pct_after <= 110 for c in item.candidates)
        assert item.to_practitioner_id in (None, "A", "S")


def test_part_time_and_reduced_hours_lower_the_available_points():
    w = world(people(A={"contracted_hours": 18.5}))
    item = plan([case("C1", tier="B2")] + load("A", 10) + load("B", 15), w)["C1"]
    # A: 790 / 1088 = 73 %; B: 1185 / 2176 = 54 %
    assert item.to_practitioner_id == "B"


# --- exclusions (docs/rebalancing.md) -----------------------------------------------------


def test_team_leads_other_teams_and_the_leaver_never_receive():
    item = plan([case("C1")] + load("A", 27) + load("B", 27) + load("S", 27))["C1"]
    assert item.to_practitioner_id not in {"L", "O", "X"}
    assert {c.practitioner_id for c in item.candidates} <= {"A", "B", "S"}


def test_a_pso_never_receives_a_tier_a_or_b_case():
    w = world()
    for tier in ("A1", "B2"):
        item = plan([case("C1", tier=tier)] + load("A", 20) + load("B", 20), w)["C1"]
        assert item.to_practitioner_id in {"A", "B"}
        assert "S" not in {c.practitioner_id for c in item.candidates}
    assert plan([case("C1", tier="D1")] + load("A", 20) + load("B", 20), w)["C1"].to_practitioner_id == "S"


def test_receivers_who_are_leaving_or_long_away_are_excluded():
    p = people(A={"leaving_on": ahead(40)})
    away = {"B": (Absence("B", ahead(3), ahead(20)),)}
    w = world(p, away)
    assert receiver_exclusion(p["A"], w, AS_OF) == f"A leaves on {ahead(40).day} {ahead(40):%b %Y}"
    assert "working days" in receiver_exclusion(p["B"], w, AS_OF)
    item = plan([case("C1", tier="D1")], w)["C1"]
    assert item.to_practitioner_id == "S"


def test_a_receiver_whose_long_absence_starts_within_eight_weeks_is_excluded():
    """Twelve weeks' leave from 24 days ahead is only 4 working days of the
    next 28, but like leaving it would send the case on again at once."""
    p = people()
    away = {
        "A": (Absence("A", ahead(24), ahead(107)),),  # 12 weeks from Mon 21 Dec
        "B": (Absence("B", ahead(24), ahead(37)),),  # two weeks: cover, not a handover
        "S": (Absence("S", ahead(40), None, kind="sickness"),),  # no end date, within 56 days
    }
    w = world(p, away)
    assert receiver_exclusion(p["A"], w, AS_OF) == "A is away from 21 Dec 2026 to 14 Mar 2027, a long absence"
    assert receiver_exclusion(p["B"], w, AS_OF) is None
    assert receiver_exclusion(p["S"], w, AS_OF) == "S is away from 6 Jan 2027 with no end date, a long absence"
    later = world(p, {"A": (Absence("A", ahead(60), ahead(150)),)})
    assert receiver_exclusion(p["A"], later, AS_OF) is None  # beyond the 56 days
    item = plan([case("C1", tier="D1")] + load("B", 5), w)["C1"]
    assert item.to_practitioner_id == "B" and {c.practitioner_id for c in item.candidates} == {"B"}


def test_a_receiver_away_on_the_handover_date_is_excluded():
    day = plan([case("C1", tier="B2")])["C1"].planned_on
    w = world(absences={"A": (Absence("A", day, day),)})
    assert plan([case("C1", tier="B2")] + load("B", 5), w)["C1"].to_practitioner_id == "B"


def test_with_no_eligible_receiver_the_case_is_listed_without_one():
    w = world(people(A={"grade": "PSO"}, B={"role": "team_lead"}))
    item = plan([case("C1", tier="A2")], w)["C1"]
    assert item.to_practitioner_id is None
    assert "choose a receiver by hand" in item.reason


# --- which cases, which date --------------------------------------------------


def test_cases_with_an_open_handover_or_of_other_practitioners_are_left_out():
    open_handover = Handover("X", "A", ahead(5), items=(ChecklistItem("told", "Told", True, ago(9)),))
    cases = [case("C1"), case("C2", handovers=[open_handover]), case("C3", "A")]
    assert set(plan(cases)) == {"C1"}


def test_do_not_move_cases_are_still_listed_with_a_note():
    item = plan([case("C1", flags={"do_not_move"})])["C1"]
    assert item.to_practitioner_id is not None
    assert any(n.startswith("do_not_move") for n in item.notes)


def test_one_case_is_handed_over_14_days_ahead():
    item = plan([case("C1")])["C1"]  # leaving in 21 days
    assert item.planned_on == ahead(14) and item.notice_days == 14
    assert not item.short_notice and not item.late


def test_nothing_to_plan_when_no_departure_is_within_the_horizon():
    w = world(people(X={"leaving_on": ahead(90)}))
    assert plan([case("C1")], w) == {}


def test_a_long_absence_needs_handovers_and_a_short_one_needs_cover():
    no_leave = people(X={"leaving_on": None})
    long_away = world(no_leave, {"X": (Absence("X", ahead(10), ahead(60)),)})
    items = plan([case("C1")], long_away)
    assert items["C1"].event.kind == "absence"
    # 14 days ahead is past the absence's start: the earliest start is as-of + 7,
    # Friday 4 Dec, the working day before the absence starts on Monday 7 Dec
    assert items["C1"].planned_on == ahead(7)
    assert items["C1"].short_notice and "only 7 days' notice" in " ".join(items["C1"].notes)
    assert items["C1"].handover_reason == "practitioner on long absence"

    short_away = world(no_leave, {"X": (Absence("X", ahead(10), ahead(20)),)})
    assert plan([case("C1")], short_away) == {}
    covers = cover_suggestions("X", [case("C1")], short_away, AS_OF)
    assert [c.case_ref for c in covers] == ["C1"] and covers[0].cover_id in {"A", "B", "S"}


def test_cover_prefers_someone_the_person_knows_and_skips_those_away_too():
    no_leave = people(X={"leaving_on": None})
    absences = {"X": (Absence("X", ahead(3), ahead(12)),), "A": (Absence("A", ahead(5), ahead(6)),)}
    w = world(no_leave, absences)
    knows_b = case("C1", contacts=[Contact(ago(200), "B")])
    knows_a = case("C2", contacts=[Contact(ago(200), "A")])
    covers = {c.case_ref: c for c in cover_suggestions("X", [knows_b, knows_a] + load("B", 20), w, AS_OF)}
    assert covers["C1"].cover_id == "B" and covers["C1"].knows
    assert covers["C2"].cover_id != "A"  # A is away during the absence


@pytest.mark.parametrize("kind", ["leaving", "absence"])
def test_departure_events_name_the_departure(kind):
    p = people() if kind == "leaving" else people(X={"leaving_on": None})
    absences = {} if kind == "leaving" else {"X": (Absence("X", ahead(5), ahead(40)),)}
    events = departure_events("X", world(p, absences), AS_OF)
    assert events[0].kind == kind and events[0].needs_handover


def test_an_absence_with_no_end_date_is_a_departure_said_as_such():
    p = people(X={"leaving_on": None})
    for start in (ago(12), ahead(5)):  # under way, or to come
        [event] = departure_events("X", world(p, {"X": (Absence("X", start, None, kind="sickness"),)}), AS_OF)
        assert event.kind == "absence" and event.needs_handover and event.ends_on is None
        assert event.describe() == f"X is away from {start.day} {start:%b %Y} with no end date"
    [event] = departure_events("X", world(p, {"X": (Absence("X", ahead(5), ahead(40)),)}), AS_OF)
    assert event.describe() == "X is away 2 Dec 2026 to 6 Jan 2027 (36 days)"


# --- staggered dates (docs/handovers.md) -----------------------------------------------


def risky(ref: str, *, last_seen: int) -> Case:
    """A case whose risk grows with the days since the last contact."""
    return case(ref, contacts=[Contact(ago(last_seen), "X")])


def test_a_leaver_with_21_cases_gets_at_most_2_a_day_and_nobody_over_the_target():
    far = world(people(X={"leaving_on": ahead(40)}))
    cases = [case(f"C{i:02d}", tier="C2") for i in range(21)] + load("A", 10) + load("B", 12) + load("S", 8)
    items = departure_plan("X", cases, far, AS_OF, DEFAULT_POLICY)
    assert len(items) == 21
    per_day: dict[date, int] = {}
    for item in items:
        per_day[item.planned_on] = per_day.get(item.planned_on, 0) + 1
        assert item.planned_on.weekday() < 5  # working days only
        assert ahead(14) <= item.planned_on < ahead(40)
        assert not item.short_notice
    assert max(per_day.values()) <= 2 and len(per_day) >= 11
    # nobody over the target once every suggestion is counted
    points = {"A": 10 * 79.0, "B": 12 * 79.0, "S": 8 * 79.0}
    for item in items:
        assert item.to_practitioner_id is not None
        points[item.to_practitioner_id] += item.points
        assert item.capacity_pct_after <= 110
    assert all(p / 2176 * 100 <= 110 for p in points.values())


def test_the_riskiest_cases_come_first():
    far = world(people(X={"leaving_on": ahead(40)}))
    calm = [risky(f"C{i}", last_seen=3) for i in range(4)]
    overdue = [risky("R1", last_seen=35), risky("R2", last_seen=60)]  # contact overdue: medium / high
    items = departure_plan("X", calm + overdue, far, AS_OF, DEFAULT_POLICY)
    assert [i.case_ref for i in items[:2]] == ["R2", "R1"]
    assert items[0].score > items[1].score > items[2].score
    assert items[0].planned_on == ahead(14) and items[2].planned_on > ahead(14)


def test_handovers_already_planned_that_day_count_towards_the_two():
    far = world(people(X={"leaving_on": ahead(40)}))
    planned = [case(f"P{i}", handovers=[Handover("X", "A", ahead(14))]) for i in range(2)]
    items = plan([case("C1")] + planned, far)
    assert items["C1"].planned_on == ahead(17)  # Fri 11 Dec is full: Monday 14 Dec


def test_the_busiest_day_of_the_leads_dates_counts_the_handovers_already_planned():
    far = world(people(X={"leaving_on": ahead(40)}))
    planned = [case(f"P{i}", handovers=[Handover("X", "A", ahead(14))]) for i in range(2)]
    cases = [case("C1"), case("C2")] + planned
    items = departure_plan("X", cases, far, AS_OF, DEFAULT_POLICY)
    already = planned_per_day("X", cases)
    assert already == {ahead(14): 2}
    assert busiest_day(items, already) == (ahead(17), 2)  # Mon 14 Dec: the two new ones
    crowded = [with_choice(items[0], as_of=AS_OF, planned_on=ahead(14)), *items[1:]]  # the lead's date
    assert busiest_day(crowded, already) == (ahead(14), 3)
    assert busiest_day([replace(i, to_practitioner_id=None) for i in crowded], already) == (None, 0)


def test_when_the_days_run_out_just_enough_start_from_as_of_plus_7_and_are_named():
    # Leaving Fri 18 Dec: Fri 11 to Thu 17 Dec is 5 working days, 10 handovers.
    cases = [case(f"C{i:02d}", tier="D1") for i in range(12)]
    items = departure_plan("X", cases + load("A", 5) + load("B", 5), world(), AS_OF, DEFAULT_POLICY)
    short = [i for i in items if i.short_notice]
    assert len(short) == 2
    assert {i.planned_on for i in short} == {date(2026, 12, 10)}  # the latest day before as-of + 14
    assert all(i.notice_days == 13 and any("only 13 days' notice" in n for n in i.notes) for i in short)
    assert all(date(2026, 12, 11) <= i.planned_on <= date(2026, 12, 17) for i in items if not i.short_notice)


def test_when_even_those_days_run_out_the_rest_are_named_late():
    cases = [case(f"C{i:02d}", tier="D1") for i in range(21)]
    items = departure_plan("X", cases + load("A", 2) + load("B", 2) + load("S", 2), world(), AS_OF,
                           DEFAULT_POLICY)
    per_day: dict[date, int] = {}
    for item in items:
        per_day[item.planned_on] = per_day.get(item.planned_on, 0) + 1
    assert max(per_day.values()) <= 2
    assert sum(i.short_notice for i in items) == 10  # Fri 4 to Thu 10 Dec
    late = [i for i in items if i.late]
    assert len(late) == 1 and late[0].planned_on == LEAVES
    assert any("no working day left before X goes" in n for n in late[0].notes)
    assert late[0].score == min(i.score for i in items)  # the least risky is the one left over


def test_the_lead_changes_a_receiver_or_a_date_and_the_item_says_so():
    c = case("C1", contacts=[Contact(ago(50), "A")])
    item = plan([c] + load("A", 5) + load("B", 5))["C1"]
    other = with_choice(item, as_of=AS_OF, to_id="B")
    assert other.to_practitioner_id == "B" and other.reason.startswith("chosen by the lead; B has not met")
    moved = with_choice(item, as_of=AS_OF, planned_on=ahead(10))
    assert moved.planned_on == ahead(10) and moved.short_notice and moved.notice_days == 10
    back = with_choice(moved, as_of=AS_OF, planned_on=ahead(20))
    assert not back.short_notice and not any(n.startswith("only ") for n in back.notes)
    assert with_choice(item, as_of=AS_OF) is item
