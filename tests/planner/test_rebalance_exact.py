"""What keeps the rebalance exact while it is made faster: reduced-cost
fixing, the cost grid, the search run and the stopwatch on HiGHS's long
root step. The first are checked against every plan of small teams,
enumerated."""

from __future__ import annotations

import itertools
import random

import pytest
from test_rebalance import assert_brute_force_optimum, brute_force, case, inp, person, random_team, team

import planner.rebalance.highs as highs
import planner.rebalance.solver as solver
from planner.rebalance import build_problem, plan_rebalance
from planner.rebalance.bounds import _cost_cuts
from planner.rebalance.highs import _build_model, _Stopwatch, _x_of
from planner.rebalance import exhaustive
from planner.rebalance.solver import _cost_step, _lp_relaxation


@pytest.fixture(autouse=True)
def _highs_path(monkeypatch):
    """These tests are of the HiGHS path: the exhaustive search that proves
    small teams first (planner/rebalance/exhaustive.py) is off."""
    monkeypatch.setattr(exhaustive, "SEARCH", False)


def all_plans(problem):
    options = [[pc.holder, *pc.costs] for pc in problem.cases]
    for choice in itertools.product(*options):
        yield {pc.case_ref: q for pc, q in zip(problem.cases, choice) if q != pc.holder}


def like_cases_team(seed: int):
    """A small team whose practitioners hold several cases of a few tiers
    (the same points), with costs that differ by weeks held, contact,
    earlier holders and flags: many plans of equal or near cost."""
    rng = random.Random(seed)
    people = [person("P1"), person("P2", grade=rng.choice(("PO", "PSO"))), person("P3", contracted_hours=22.5)]
    cases = []
    for n in range(rng.randint(6, 8)):
        holder = rng.choice(["P1", "P1", "P1", "P2", "P3"])
        others = [p for p in ("P1", "P2", "P3") if p != holder]
        earlier = [(rng.choice(others), rng.randint(400, 900), rng.randint(100, 399))] if rng.random() < 0.3 else []
        cases.append(
            case(
                f"C{n + 1}", holder,
                tier=rng.choice(("B2", "C1", "C1", "D0")),
                start_ago=rng.choice((20, 70, 200, 600)), seen_by_holder=rng.random() < 0.8,
                earlier=earlier,
                flags=frozenset(rng.sample(["safeguarding", "do_not_move"], rng.randint(0, 1))),
                handover_to=rng.choice(others) if rng.random() < 0.1 else None,
            )
        )
    return inp(cases, team(*people)), rng.choice((5, 10, 15, 20, 30))


# --------------------------------------------------------------------------- reduced-cost fixing


@pytest.mark.parametrize("seed", range(30))
def test_reduced_cost_fixing_never_excludes_a_plan_it_should_keep(seed):
    """Every plan within the phase's overload bound costs at least z + r for
    each column it uses (r >= 0): so fixing the columns with r > U - z at 0
    keeps every plan of cost <= U, the brute-force optimum among them."""
    data, target = (like_cases_team if seed % 2 else random_team)(700 + seed)
    problem = build_problem(data, target_pct=target)
    if not any(pc.costs for pc in problem.cases):
        return
    model = _build_model(problem, None)
    least = brute_force(problem)[0]
    bound = 0.0 if least <= 1e-7 else least + 1e-6 * max(1.0, least)
    cuts = _cost_cuts(problem, model, bound)
    lp = _lp_relaxation(model, len(problem.practitioners), overload_bound=bound, cuts=cuts, time_limit=10)
    assert lp is not None
    z, reduced = lp
    for plan in all_plans(problem):
        if problem.overload(plan) > bound + 1e-9:
            continue
        cost = problem.cost(plan)
        assert cost >= z - 1e-6
        x = _x_of(model, problem, plan)
        for col in range(model.n_x):
            if x[col] > 0.5 and reduced[col] > 0:
                assert cost >= z + reduced[col] - 1e-6


def test_cost_step_is_the_grid_of_the_costs():
    assert _cost_step([10.0, 31.0, 62.0]) == 1.0
    assert _cost_step([0.0, 15.5, 62.0]) == 0.5
    assert _cost_step([0.3, 1.2]) == 0.1
    assert _cost_step([1 / 3]) == 0.0
    assert _cost_step([]) == 1.0


@pytest.mark.parametrize("seed", range(20))
def test_plans_with_like_cases_match_brute_force(seed):
    assert_brute_force_optimum(*like_cases_team(800 + seed))


@pytest.mark.parametrize("seed", range(10))
def test_search_and_exact_runs_match_brute_force_with_max_moves(seed, monkeypatch):
    # the search is on for every size here
    monkeypatch.setattr(solver, "SEARCH_MIN_COLUMNS", 0)
    monkeypatch.setattr(solver, "SEARCH_COLUMNS_PER_CASE", 1)
    data, target = like_cases_team(900 + seed)
    problem = build_problem(data, target_pct=target)
    plan = plan_rebalance(data, target_pct=target, max_moves=1 + seed % 2)
    assert plan.solver.status == "optimal"
    overload, cost = brute_force(problem, 1 + seed % 2)
    assert plan.overload_points == pytest.approx(overload, abs=1e-5)
    assert plan.total_cost == pytest.approx(cost, abs=1e-5)


# --------------------------------------------------------------------------- the stopwatch


class FakeEvent:
    def __init__(self, bound):
        self.data_out = type("Out", (), {"mip_dual_bound": bound})()
        self.interrupted = False

    def interrupt(self):
        self.interrupted = True


def test_stopwatch_stops_only_just_before_the_long_step_and_only_if_short_of_time(monkeypatch):
    clock = [100.0]
    monkeypatch.setattr(highs.time, "perf_counter", lambda: clock[0])
    watch = _Stopwatch(deadline=105.0, guard=3.0)
    events = []
    # before the root LP (no bound yet) and the root LP plus four rounds: never
    for t, bound in [(100.1, float("-inf")), (100.5, 10.0), (102.3, 11.0), (102.4, 12.0), (102.5, 13.0), (102.6, 14.0)]:
        clock[0] = t
        events.append(FakeEvent(bound))
        watch(events[-1])
    assert not any(e.interrupted for e in events)
    # the sixth call with a bound: 2.3 s left < 3 s guard, so stop before the step
    clock[0] = 102.7
    last = FakeEvent(15.0)
    watch(last)
    assert last.interrupted and watch.stopped


def test_stopwatch_lets_the_step_run_with_time_enough_and_never_stops_after_it(monkeypatch):
    clock = [0.0]
    monkeypatch.setattr(highs.time, "perf_counter", lambda: clock[0])
    watch = _Stopwatch(deadline=10.0, guard=3.0)
    for t in (1.0, 1.2, 1.4, 1.6, 1.8, 2.0, 5.0, 9.5):  # the sixth at 8 s left: go on
        clock[0] = t
        event = FakeEvent(5.0)
        watch(event)
        assert not event.interrupted  # after the step HiGHS's own time limit governs
    assert not watch.stopped


def test_solving_works_after_another_highs_user_chose_another_thread_count():
    import highspy
    import numpy as np

    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    h.setOptionValue("threads", 2)
    lp = highspy.HighsLp()
    lp.num_col_, lp.num_row_ = 1, 0
    lp.col_cost_, lp.col_lower_, lp.col_upper_ = np.array([1.0]), np.array([0.0]), np.array([1.0])
    lp.integrality_ = [highspy.HighsVarType.kInteger]
    h.passModel(lp)
    h.run()
    data, target = like_cases_team(3)
    problem = build_problem(data, target_pct=target)
    plan = plan_rebalance(data, target_pct=target)
    assert plan.solver.status == "optimal"
    assert (round(plan.overload_points, 6), plan.total_cost) == pytest.approx(brute_force(problem), abs=1e-5)


# --------------------------------------------------------------------------- knapsack fixing (planner/rebalance/core.py)


def _minimal(problem, assignment, bound):
    """No move of positive cost can be undone without the overload going over `bound`."""
    for ref, q in assignment.items():
        pc = next(c for c in problem.cases if c.case_ref == ref)
        if pc.costs[q] <= 0:
            continue
        trial = {r: t for r, t in assignment.items() if r != ref}
        if problem.overload(trial) <= bound + 1e-9:
            return False
    return True


def _fixing_case(seed):
    """A small team, its problem, model, brute-force optimum, the cost phase's
    overload bound and the knapsack bounds of its columns."""
    from planner.rebalance.bounds import _floor_identity
    from planner.rebalance.core import column_bounds

    data, target = like_cases_team(1000 + seed) if seed % 2 else random_team(1000 + seed)
    problem = build_problem(data, target_pct=target)
    model = _build_model(problem, None)
    least, cost = brute_force(problem)
    bound = 0.0 if least <= 1e-7 else least + 1e-6 * max(1.0, least)
    core = column_bounds(problem, model, bound, bound - _floor_identity(problem))
    return problem, model, cost, bound, core


@pytest.mark.parametrize("seed", range(24))
def test_knapsack_fixing_keeps_every_column_of_every_least_cost_plan(seed):
    """The theorem planner/rebalance/core.py rests on: a plan none of whose
    moves can be undone (every least-cost plan is one) costs at least the
    bound of each column it uses. Checked against every plan of small teams."""
    problem, model, _cost, bound, core = _fixing_case(seed)
    col_of = {(problem.cases[model.col_case[c]].case_ref, model.col_to[c]): c for c in range(model.n_x)}
    for plan in all_plans(problem):
        if problem.overload(plan) > bound + 1e-9 or not _minimal(problem, plan, bound):
            continue
        cost = problem.cost(plan)
        for ref, q in plan.items():
            assert core[col_of[(ref, q)]] <= cost + 1e-9, (ref, q, plan)


def test_knapsack_fixing_fixes_columns_on_small_teams_too():
    """Not a bound that is never used: on some of the small teams above it
    rules out columns that a least-cost plan's cost cannot pay for."""
    fixed = 0
    for seed in range(24):
        _problem, _model, cost, _bound, core = _fixing_case(seed)
        fixed += sum(1 for b in core if b > cost + 1e-9)
    assert fixed > 0


@pytest.mark.parametrize("core", [True, False])
@pytest.mark.parametrize("seed", range(12))
def test_plain_and_fixed_paths_give_the_same_optimum(seed, core, monkeypatch):
    """CORE_FIXING (planner/rebalance/core.py) on and off: the same optimum,
    the brute-force one."""
    import planner.rebalance.core as rebalance_core

    monkeypatch.setattr(rebalance_core, "CORE_FIXING", core)
    data, target = like_cases_team(1100 + seed) if seed % 2 else random_team(1100 + seed)
    assert_brute_force_optimum(data, target)
