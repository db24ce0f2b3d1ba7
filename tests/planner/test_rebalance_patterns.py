"""The pattern bound and its Lagrangian fixing (planner/rebalance/patterns.py)
change no answer: checked against every plan of small overloaded teams
whose receivers compete for the same cases, and the solver with the
pattern bound on and off gives the brute-force optimum."""

from __future__ import annotations

import math
import random
import time

import pytest
from test_rebalance import brute_force, case, inp, person, team
from test_rebalance_exact import all_plans

import planner.rebalance.patterns as patterns
import planner.rebalance.solver as solver
from planner.rebalance import build_problem, plan_rebalance
from planner.rebalance.bounds import _cost_cuts, _floor_identity
from planner.rebalance import exhaustive
from planner.rebalance.highs import _build_model, _x_of


@pytest.fixture(autouse=True)
def _highs_path(monkeypatch):
    """These tests are of the HiGHS path: the exhaustive search that proves
    small teams first (planner/rebalance/exhaustive.py) is off."""
    monkeypatch.setattr(exhaustive, "SEARCH", False)
from planner.rebalance.solver import _lp_relaxation


def competing_team(seed: int):
    """Four practitioners: two over target holding most of the cases (one of
    them only just, so it can shed little), two under it who must take cases
    in and may take the same ones; a target the team cannot reach, so the
    least overload leaves no headroom unused (the case the pattern bound is
    for). Tiers of several sizes, costs that differ by weeks held, flags,
    earlier holders and a planned handover now and then."""
    rng = random.Random(seed)
    people = [
        person("P1"), person("P2", grade=rng.choice(("PO", "PSO"))), person("P3"), person("P4", contracted_hours=22.5)
    ]
    cases = []
    n_cases = rng.randint(6, 7)
    for n in range(n_cases):
        holder = rng.choice(["P1", "P1", "P1", "P2", "P2", "P3" if n == 0 else "P1"])
        others = [p for p in ("P1", "P2", "P3", "P4") if p != holder]
        earlier = [(rng.choice(others), rng.randint(400, 900), rng.randint(100, 399))] if rng.random() < 0.3 else []
        cases.append(
            case(
                f"C{n + 1}", holder,
                tier=rng.choice(("A1", "B2", "C1", "C1", "D0")),
                start_ago=rng.choice((20, 70, 200, 600)), seen_by_holder=rng.random() < 0.8,
                earlier=earlier, youth=rng.random() < 0.15,
                handover_to=rng.choice(["P3", "P4"]) if rng.random() < 0.1 else None,
            )
        )
    data = inp(cases, team(*people))
    # a target between what the receivers hold and what the team holds on average
    loads = build_problem(data, target_pct=100).load({})
    available = build_problem(data, target_pct=100).limits
    share = sum(loads.values()) / sum(available.values()) * 100
    return data, rng.uniform(0.55, 0.9) * share


def _pattern_case(seed: int):
    data, target = competing_team(1300 + seed)
    problem = build_problem(data, target_pct=target)
    model = _build_model(problem, None)
    least, cost = brute_force(problem)
    bound = 0.0 if least <= 1e-7 else least + 1e-6 * max(1.0, least)
    best = next(
        plan for plan in all_plans(problem)
        if problem.overload(plan) <= bound + 1e-9 and abs(problem.cost(plan) - cost) < 1e-9
    )
    return problem, model, cost, bound, best


def _bound(problem, model, bound, start, target):
    return patterns.pattern_bound(
        problem, model, range(model.n_x), bound - _floor_identity(problem),
        start=start, target=target, until=time.perf_counter() + 60,
    )


@pytest.mark.parametrize("seed", range(16))
def test_the_pattern_bound_is_below_every_plan(seed):
    """Every plan within the cost phase's overload bound costs at least the
    pattern bound (started from the optimum, as the solver starts it from
    its incumbent, and from nothing)."""
    problem, model, cost, bound, best = _pattern_case(seed)
    for start in (best, {}):
        lower, _fixed = _bound(problem, model, bound, start, math.inf)
        assert lower <= cost + 1e-6
        for plan in all_plans(problem):
            if problem.overload(plan) <= bound + 1e-9:
                assert problem.cost(plan) >= lower - 1e-6, plan


@pytest.mark.parametrize("seed", range(16))
def test_lagrangian_fixing_keeps_every_column_of_every_plan_up_to_the_target(seed):
    """No plan within the overload bound and at most the target's cost uses
    a column the fixing leaves out; with the target at the optimum (what the
    solver asks when its incumbent is one step above it) and above."""
    problem, model, cost, bound, best = _pattern_case(seed)
    for target in (cost, cost + 5.0):
        _lower, fixed = _bound(problem, model, bound, best, target)
        for plan in all_plans(problem):
            if problem.overload(plan) <= bound + 1e-9 and problem.cost(plan) <= target + 1e-9:
                x = _x_of(model, problem, plan)
                assert not {col for col in fixed if x[col] > 0.5}, plan


def test_the_pattern_bound_is_tighter_than_the_lp_and_fixes_columns():
    """Not a bound that is never used: on some of these teams it is above
    the LP relaxation's value (with the cost cuts), and it fixes columns."""
    tighter = fixes = 0
    for seed in range(16):
        problem, model, cost, bound, best = _pattern_case(seed)
        lp = _lp_relaxation(
            model, len(problem.practitioners), overload_bound=bound, cuts=_cost_cuts(problem, model, bound),
            time_limit=10,
        )
        lower, fixed = _bound(problem, model, bound, best, cost)
        tighter += lp is not None and lower > lp[0] + 1e-6
        fixes += len(fixed) > 0
    assert tighter > 0 and fixes > 0


def test_the_switch_turns_it_off(monkeypatch):
    problem, model, cost, bound, best = _pattern_case(0)
    monkeypatch.setattr(patterns, "PATTERN_BOUND", False)
    assert _bound(problem, model, bound, best, cost) == (-math.inf, set())


@pytest.mark.parametrize("on", [True, False])
@pytest.mark.parametrize("seed", range(12))
def test_with_and_without_the_pattern_bound_the_same_optimum(seed, on, monkeypatch):
    """PATTERN_BOUND on and off: the brute-force optimum, proven. The cost
    phase goes to the pattern bound whatever the LP proves first here, so
    that the small teams exercise it."""
    monkeypatch.setattr(patterns, "PATTERN_BOUND", on)
    calls = []
    real = solver.pattern_bound

    def counted(*args, **kwargs):
        calls.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(solver, "pattern_bound", counted)
    monkeypatch.setattr(solver._CostPhase, "proven", lambda self: False)
    data, target = competing_team(1400 + seed)
    problem = build_problem(data, target_pct=target)
    plan = plan_rebalance(data, target_pct=target)
    overload, cost = brute_force(problem)
    assert plan.overload_points == pytest.approx(overload, abs=1e-5)
    assert plan.total_cost == pytest.approx(cost, abs=1e-5)
    assert plan.solver.status == "optimal"
    assert calls
