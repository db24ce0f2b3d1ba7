"""The person's `not_with` list (docs/voice.md, SPEC §10) in planning one
handover, in a departure's suggestions and in rebalancing: never a pair the
list names, explained in one line. The rebalancer is checked by brute force:
many random teams, every plan searched for an excluded pair."""

from __future__ import annotations

import random
from dataclasses import replace
from datetime import date, timedelta

import pytest

from planner.departures import departure_plan
from planner.handover import planning_refusals, refusal_line
from planner.model import Allocation, Case, NotWith, Practitioner, Team, World
from planner.policy import DEFAULT_POLICY
from planner.rebalance import RebalanceInput, plan_rebalance, plan_to_dict

AS_OF = date(2026, 11, 27)
POLICY_100 = replace(DEFAULT_POLICY, workload=replace(DEFAULT_POLICY.workload, target_pct=100.0))


def person(pid: str, **kw) -> Practitioner:
    return Practitioner(pid, f"Made-up {pid}", "T1", **kw)


def world(*people: Practitioner) -> World:
    return World(practitioners={p.practitioner_id: p for p in people}, teams={"T1": Team("T1", "North")})


def case(ref: str, holder: str, tier: str = "A3", not_with: tuple[tuple[str, str], ...] = ()) -> Case:
    return Case(ref, "Made-up Person", team_id="T1", tier=tier, contact_level="standard",
                allocations=(Allocation(holder, AS_OF - timedelta(days=300)),),
                not_with=tuple(NotWith(pid, why) for pid, why in not_with))


def test_planning_a_handover_to_someone_on_the_list_is_refused_in_one_line_a_lead_may_override():
    c = case("C1", "P1", not_with=(("P2", "complaint"),))
    refusals = planning_refusals(c, person("P2"), world(person("P1"), person("P2")), AS_OF, AS_OF + timedelta(days=14))
    assert [r.reason for r in refusals] == ["the person's not_with list names P2 (complaint)"]
    assert refusal_line(refusals, can_override=False) == (
        "cannot plan the handover: the person's not_with list names P2 (complaint); "
        "a team lead may plan it anyway with an override reason")
    assert planning_refusals(c, person("P3"), world(person("P1"), person("P3")), AS_OF,
                             AS_OF + timedelta(days=14)) == []


def test_a_departure_never_suggests_nor_offers_someone_on_the_list():
    leaver = person("X", leaving_on=AS_OF + timedelta(days=21))
    team = world(leaver, person("A"), person("B"), person("C"))
    cases = [case(f"C{i}", "X", tier="C2", not_with=(("A", "person_request"), ("B", "boundary")))
             for i in range(4)]
    items = departure_plan("X", cases, team, AS_OF, DEFAULT_POLICY)
    assert len(items) == 4
    for item in items:
        assert item.to_practitioner_id == "C"
        assert {c.practitioner_id for c in item.candidates} == {"C"}


def test_a_departure_with_everyone_on_the_list_suggests_nobody():
    leaver = person("X", leaving_on=AS_OF + timedelta(days=21))
    team = world(leaver, person("A"))
    (item,) = departure_plan("X", [case("C1", "X", tier="C2", not_with=(("A", "risk_to_staff"),))], team, AS_OF)
    assert item.to_practitioner_id is None and item.candidates == ()


def test_the_rebalancer_skips_the_pair_and_says_why():
    cases = [case(f"F{i}", "P1") for i in range(10)]
    cases.append(case("NW", "P1", not_with=(("P2", "complaint"),)))
    plan = plan_rebalance(RebalanceInput("T1", AS_OF, tuple(cases), world(person("P1"), person("P2"), person("P3")),
                                         POLICY_100))
    assert plan.moves and all(not (m.case_ref == "NW" and m.to_id == "P2") for m in plan.moves)
    doc = plan_to_dict(plan)
    assert {"case_ref": "NW", "practitioner_id": "P2",
            "reason": "the person's not_with list names P2 (complaint)"} in doc["exclusions"]["pairs"]


@pytest.mark.parametrize("seed", range(12))
def test_no_rebalance_plan_ever_uses_an_excluded_pair(seed):
    """Random teams (3 to 5 people), every case with a
    random not_with list (P1 far over the target, the others with room): no move of any plan goes to a practitioner its
    case's list names, and the plans do move cases (the check is not empty)."""
    rng = random.Random(seed)
    ids = [f"P{i}" for i in range(1, rng.randint(3, 5) + 1)]
    cases: list[Case] = []
    for holder in ids:
        for n in range(rng.choice((0, 2, 4)) if holder != "P1" else 24):
            others = [p for p in ids if p != holder]
            barred = rng.sample(others, rng.randint(0, len(others) - 1))
            cases.append(case(f"{holder}-{n}", holder, tier=rng.choice(("A3", "B2", "C1")),
                              not_with=tuple((p, rng.choice(("complaint", "boundary"))) for p in barred)))
    plan = plan_rebalance(RebalanceInput("T1", AS_OF, tuple(cases), world(*(person(p) for p in ids)), POLICY_100))
    barred = {(c.case_ref, n.practitioner_id) for c in cases for n in c.not_with}
    used = {(m.case_ref, m.to_id) for m in plan.moves}
    assert not used & barred
    doc = plan_to_dict(plan)
    for row in doc["cases"]:
        assert not {(row["case_ref"], pid) for pid in row["move_costs"]} & barred
    assert plan.moves  # P1 holds 24 cases, about 3000 points: something always moves
