"""Workload points, available points, capacity % and bands (docs/rebalancing.md)."""

from __future__ import annotations

import math
from datetime import date

import pytest

from planner.model import Allocation, Case, Practitioner, Team, World
from planner.policy import DEFAULT_POLICY, policy_from_dict
from planner.workload import (
    BAND_WORDS,
    available_points,
    band,
    capacity_pct,
    case_points,
    format_pct,
    practitioner_load,
    team_workload,
)

AS_OF = date(2026, 11, 27)


def _case(ref: str, pid: str, tier: str | None = None, level: str = "standard", status: str = "active") -> Case:
    return Case(
        ref, "Made-up Person", tier=tier, contact_level=level, status=status,
        allocations=(Allocation(pid, date(2026, 1, 5)),),
    )


@pytest.mark.parametrize(
    ("tier", "level", "points"),
    [
        ("A3", "intensive", 206), ("A0", "intensive", 110), ("B2", "enhanced", 115),
        ("C1", "standard", 50), ("D0", "low", 29), ("d3", "low", 51),
        (None, "intensive", 150), (None, "enhanced", 100), (None, "standard", 60), (None, "low", 30),
    ],
)
def test_points_by_tier_else_by_contact_level(tier, level, points):
    assert case_points(_case("C1", "P1", tier, level)) == points


def test_closed_cases_count_nothing():
    assert case_points(_case("C1", "P1", "A3", status="closed")) == 0


@pytest.mark.parametrize(
    ("hours", "reduction", "available"),
    [(37, 0, 2176.0), (18.5, 0, 1088.0), (37, 20, 1740.8), (22.5, 0, 2176 * 22.5 / 37), (37, 100, 0.0)],
)
def test_available_points(hours, reduction, available):
    p = Practitioner("P1", "Alex Kent", "T1", contracted_hours=hours, reduction_pct=reduction)
    assert available_points(p) == pytest.approx(available)


@pytest.mark.parametrize(
    ("pct", "expected"),
    [(0, "green"), (89.99, "green"), (90, "amber"), (100, "amber"), (110, "amber"), (110.01, "red"), (math.inf, "red")],
)
def test_bands_green_below_90_amber_to_110_red_above(pct, expected):
    assert band(pct) == expected
    assert BAND_WORDS[expected]  # never colour alone


def test_capacity_pct_and_no_capacity():
    assert capacity_pct(1088, 2176) == 50
    assert capacity_pct(0, 0) == 0
    assert math.isinf(capacity_pct(10, 0))
    assert format_pct(math.inf) == "no capacity"
    assert format_pct(104.4) == "104%"


def test_policy_file_changes_points_and_bands():
    policy = policy_from_dict({"workload": {"tier_points": {"C1": 55}, "amber_from_pct": 80, "full_time_points": 2000}})
    assert case_points(_case("C1", "P1", "C1"), policy) == 55
    assert band(85, policy) == "amber"
    assert available_points(Practitioner("P1", "A", "T1"), policy) == 2000


def test_team_workload_lists_every_member_with_load():
    world = World(
        practitioners={
            "P1": Practitioner("P1", "Alex Kent", "T1"),
            "P2": Practitioner("P2", "Sam Reed", "T1", contracted_hours=18.5),
            "P3": Practitioner("P3", "Jo Marsh", "T1"),
            "Q1": Practitioner("Q1", "Elsewhere", "T2"),
        },
        teams={"T1": Team("T1", "North"), "T2": Team("T2", "South")},
    )
    cases = [
        _case("C1", "P1", "A3"), _case("C2", "P1", "C1"), _case("C3", "P2", None, "intensive"),
        _case("C4", "P2", "B1", status="closed"), _case("C5", "Q1", "A3"),
    ]
    loads = team_workload(cases, world, "T1", AS_OF, DEFAULT_POLICY)
    assert [l.practitioner_id for l in loads] == ["P1", "P2", "P3"]
    p1, p2, p3 = loads
    assert (p1.case_count, p1.points) == (2, 256)
    assert (p2.case_count, p2.points, p2.available_points) == (1, 150, 1088)
    assert (p3.case_count, p3.points, p3.band) == (0, 0, "green")
    assert p1.capacity_pct == pytest.approx(256 / 2176 * 100)
    single = practitioner_load("P2", cases, world, AS_OF)
    assert single == p2
    assert single.band_words == "under capacity"
