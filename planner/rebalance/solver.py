"""Solving a rebalance exactly with HiGHS, in two phases: least overload,
then least cost (docs/rebalancing.md, "The solver" and "Its limits")."""

from __future__ import annotations

import math
import time
from collections.abc import Iterable, Mapping
from typing import Any

from planner.errors import CaseloadError
from planner.rebalance.bounds import _cost_cuts, _floor_identity, overload_floor
from planner.rebalance.core import column_bounds, load_rows
from planner.rebalance.exhaustive import NAME as EXHAUSTIVE
from planner.rebalance.exhaustive import exhaustive_plan
from planner.rebalance.heuristics import (
    _drop_idle_moves,
    _key,
    cover_assignment,
    fill_assignment,
    greedy_assignment,
    shed_assignment,
)
from planner.rebalance.highs import _assignment_of, _build_model, _highs_for, _highs_run, _Model, _run, _x_of
from planner.rebalance.patterns import pattern_bound
from planner.rebalance.plan import RebalancePlan, SolverReport, _make_plan
from planner.rebalance.problem import RebalanceInput, RebalanceProblem, build_problem

DEFAULT_TIME_LIMIT = 10.0
DEFAULT_MIP_GAP = 1e-6
PHASE1_SHARE = 0.6  # of the time limit, at most, for the overload phase
# HiGHS options for the exact run with overload left (a target out of reach):
# HiGHS's defaults but for restarts. Its starts (`cover_assignment`) are the
# best plan on most of the bench's teams, so what is left is the proof; more
# heuristic effort (0.6, which once found the plan sooner) proves the hardest
# team of 50 later (12.6 s of CPU against 10.3 s, bench/README.md); presolve
# and the default cut pool serve it better than EXACT_OPTIONS; and once the
# pattern bound's fixing has left HiGHS a few hundred move columns, its
# restart after the root (presolving again what it has learnt) costs that
# team a quarter of its CPU (3.3 s against 4.4) and gains the others nothing
COVER_OPTIONS: dict[str, Any] = {"mip_allow_restart": False}
SEARCH_MIN_COLUMNS = 1500  # smaller cost phases go straight to the exact run
SEARCH_COLUMNS_PER_CASE = 3  # size of the search neighbourhood, in x columns per movable case
SEARCH_SHARE = 0.4  # of the time left, at most, for the search run
SEARCH_AGAIN_SECONDS = 1.0  # time left after a stopped exact run for a wider search
LP_SHARE = 0.25  # of the time left, at most, for the LP relaxation
PATTERN_SHARE = 0.1  # of the time left, at most, for the pattern bound (planner/rebalance/patterns.py)
SEARCH_OPTIONS: dict[str, Any] = {"mip_pool_soft_limit": 300}  # HiGHS options for the search run
# HiGHS options for the exact run: presolve off (it removes little here, and
# its restarts cost more than they give), and a smaller cut pool (every cut
# in the pool is propagated through each bound change of HiGHS's rounding
# heuristics, which is what makes its one long root step long)
EXACT_OPTIONS: dict[str, Any] = {"presolve": "off", "mip_pool_soft_limit": 300}
LONG_STEP_SECONDS_PER_COLUMN = 1e-4  # a generous estimate of HiGHS's long root step (`_Stopwatch`)

Cuts = list[tuple[float, list[int], list[float]]]  # rows: lower bound, x columns, coefficients


def solve_problem(
    problem: RebalanceProblem,
    *,
    max_moves: int | None = None,
    time_limit: float = DEFAULT_TIME_LIMIT,
    mip_gap: float = DEFAULT_MIP_GAP,
) -> RebalancePlan:
    """The least-disruption plan (lexicographic: overload, then cost), by HiGHS."""
    if max_moves is not None and max_moves < 0:
        raise CaseloadError(f"max moves must be 0 or more, got {max_moves}")
    if time_limit is None or not time_limit > 0:
        raise CaseloadError(f"time limit must be a positive number of seconds, got {time_limit}")
    began = time.perf_counter()
    if problem.overload({}) <= 1e-9 or not any(pc.costs for pc in problem.cases) or max_moves == 0:
        # Nothing to decide: everyone at or under target, or nothing may move.
        report = SolverReport("highs", "optimal", 0.0, time.perf_counter() - began, "optimal", 0)
        return _make_plan(problem, {}, report)
    # a team that can all come under target, small enough to search: proven without HiGHS
    step = _cost_step(c for pc in problem.cases for c in pc.costs.values())
    found = exhaustive_plan(problem, max_moves=max_moves, step=step, known=greedy_assignment(problem))
    if found is not None:
        report = SolverReport(EXHAUSTIVE, "optimal", 0.0, time.perf_counter() - began, "optimal", 0)
        return _make_plan(problem, _drop_idle_moves(problem, found), report)
    model = _build_model(problem, max_moves)
    # keep the whole call within the limit: HiGHS stops a little after its own
    # limit, and the plan is still to be read back
    margin = min(1.0, 0.1 * time_limit)
    until = began + max((time_limit - margin) * PHASE1_SHARE, time.perf_counter() - began + 0.05 * time_limit)
    status1, gap1, found, phases = _overload_phase(problem, model, _best_start(problem, max_moves), until, mip_gap)
    found = _drop_idle_moves(problem, found)
    best_overload = problem.overload(found)
    bound = 0.0 if best_overload <= 1e-7 else best_overload + 1e-6 * max(1.0, best_overload)
    cuts = _cost_cuts(problem, model, bound) + load_rows(problem, model, bound, bound - _floor_identity(problem))
    deadline = began + max(time_limit - margin, time.perf_counter() - began + 0.05 * time_limit)
    assignment, status2, gap2 = _CostPhase(problem, model, found, bound, cuts, deadline, mip_gap).solve()
    # among plans of the same cost, the one without moves that change nothing: a handover already
    # planned (cost 0) between two who need no move stays out of the plan
    assignment = _drop_idle_moves(problem, assignment)
    # The plan is proven optimal only when both phases are; its gap is the
    # larger of the two (a reader should not take an unproven cost phase for
    # a proven plan because the overload phase closed its gap).
    status = status1 if status1 != "optimal" else status2
    gap = None if gap1 is None or gap2 is None else max(gap1, gap2)
    report = SolverReport("highs", status, gap, time.perf_counter() - began, status1, phases, gap1, gap2)
    return _make_plan(problem, assignment, report)


def _best_start(problem: RebalanceProblem, max_moves: int | None) -> dict[str, str]:
    """The best of "everyone keeps their cases", the greedy baseline and the
    constructive starts, so the solver never returns worse than greedy."""
    start: dict[str, str] = {}
    for make in (greedy_assignment, fill_assignment, cover_assignment, shed_assignment):
        candidate = make(problem, max_moves=max_moves)
        if _key(problem, candidate) < _key(problem, start):
            start = candidate
    return start


def _overload_phase(
    problem: RebalanceProblem, model: _Model, start: dict[str, str], until: float, mip_gap: float
) -> tuple[str, float | None, dict[str, str], int]:
    """Phase 1, least overload, until `until`: (status, gap, plan, phases run).
    A start at the overload floor (0 when it brings everyone under target)
    is proven optimal without a search."""
    floor = overload_floor(problem)

    def at_floor(assignment: Mapping[str, str]) -> bool:
        return problem.overload(assignment) <= floor + 1e-7 * max(1.0, abs(floor)) + 1e-9

    if at_floor(start):
        return "optimal", 0.0, start, 1
    status, gap, _overload, values = _run(
        model, len(problem.practitioners), phase=1, overload_bound=None, start_x=_x_of(model, problem, start),
        time_limit=until - time.perf_counter(), mip_gap=mip_gap,
        deadline=until, guard=LONG_STEP_SECONDS_PER_COLUMN * model.n_x,
    )
    found = _assignment_of(model, problem, values)
    if problem.overload(start) < problem.overload(found) - 1e-9:
        found = start  # (never expected: HiGHS keeps the better incumbent)
    if at_floor(found):
        status, gap = "optimal", 0.0  # at the floor: proven whatever HiGHS's own bound
    return status, gap, found, 2


def _cost_step(costs: Iterable[float]) -> float:
    """The grid every move cost lies on (0.5 with the default policy: the
    known-receiver multiplier halves whole costs), or 0 if there is none: a
    plan better than one of cost U then costs at most U - step."""
    values = [c for c in costs if c]
    for step in (1.0, 0.5, 0.25, 0.1, 0.05, 0.01):
        if all(abs(c / step - round(c / step)) <= 1e-9 * max(1.0, abs(c / step)) for c in values):
            return step
    return 0.0


def _lp_relaxation(
    model: _Model,
    n_o: int,
    *,
    overload_bound: float,
    cuts: list[tuple[float, list[int], list[float]]],
    time_limit: float,
) -> tuple[float, list[float]] | None:
    """The cost phase's LP relaxation: its optimal value and the x columns'
    reduced costs, or None if HiGHS did not solve it to optimality."""
    import highspy

    h = _highs_for(
        model, n_o, phase=2, overload_bound=overload_bound, time_limit=time_limit, mip_gap=1.0,
        cuts=cuts, relax=True,
    )
    _highs_run(h)
    if h.getModelStatus() != highspy.HighsModelStatus.kOptimal:
        return None
    info = h.getInfo()
    if info.primal_solution_status != 2 or info.dual_solution_status != 2:  # kSolutionStatusFeasible
        return None
    sol = h.getSolution()
    return float(info.objective_function_value), list(sol.col_dual[: model.n_x])


class _CostPhase:
    """Phase 2: the least-cost plan whose overload is within `bound`, from the
    start `found`; `solve()` returns (plan, status, relative gap).

    Exact, with the help of the LP relaxation (value z, reduced costs r):
    every plan costs at least z + r_j for each x column j it uses (LP
    duality; r >= 0 for the columns the LP leaves at 0), so a plan better
    than the incumbent (cost U, and costs lie on a grid of step s,
    `_cost_step`) uses no column with r > U - s - z. Those columns are fixed
    at 0 before HiGHS starts (reduced-cost fixing, as HiGHS does at its root,
    here without first spending a root on the full model), and so are the
    columns whose knapsack bound (`core.column_bounds`) is above U - s. The
    plan HiGHS returns on what is left is optimal for the whole phase, and
    its bound is a bound for the whole phase.

    When everyone must come under the target and the model is not small,
    a search run comes first: HiGHS on the columns of least reduced cost
    (`SEARCH_COLUMNS_PER_CASE` per case) for a share of the time. Its plan
    is only a start for the exact run (what HiGHS's own heuristics find
    slowly on the full model, if at all), unless that neighbourhood holds
    every column with r <= U - s - z and the search solved it to optimality:
    then its plan is proven optimal as it stands. If the exact run is
    stopped before its long root step (`_Stopwatch`, on the biggest models),
    a wider search uses the time left.

    The reported gap is (U - the best bound) / U, the bound being HiGHS's or
    z, whichever is higher (docs/rebalancing.md, "The solver")."""

    def __init__(
        self, problem: RebalanceProblem, model: _Model, found: dict[str, str], bound: float, cuts: Cuts,
        deadline: float, mip_gap: float,
    ) -> None:
        self.problem, self.model, self.found, self.bound = problem, model, found, bound
        self.cuts, self.deadline, self.mip_gap = cuts, deadline, mip_gap
        self.n_o = len(problem.practitioners)
        self.ub = problem.cost(found)
        self.step = _cost_step(model.cost)
        self.tol = 1e-6 * max(1.0, abs(self.ub))
        self.z = 0.0
        self.lower = 0.0  # the best bound on the phase's cost so far
        self.reduced: list[float] = []
        self.core: list[float] = []
        self.dropped: set[int] = set()  # fixed by the pattern bound's Lagrangian fixing

    def left(self) -> float:
        return self.deadline - time.perf_counter()

    def within(self, assignment: Mapping[str, str]) -> bool:
        return self.problem.overload(assignment) <= self.bound + 1e-6

    def proven(self) -> bool:
        """No plan on the cost grid lies between the bound and the incumbent."""
        return self.lower > self.ub - max(self.step, self.tol) + self.tol

    def columns(self, limit: float) -> set[int]:
        """The x columns of reduced cost at most `limit` that the knapsack
        bounds and the pattern bound's fixing leave to a better plan, and the
        incumbent's."""
        x = _x_of(self.model, self.problem, self.found)
        worth = self.ub - self.step + self.tol  # a better plan costs at most ub - step
        return {
            col for col in range(self.model.n_x)
            if (self.reduced[col] <= limit + self.tol and self.core[col] <= worth and col not in self.dropped)
            or x[col] > 0.5
        }

    def take(self, values: list[float]) -> None:
        better = _assignment_of(self.model, self.problem, values)
        if self.within(better) and self.problem.cost(better) < self.ub - 1e-9:
            self.found, self.ub = better, self.problem.cost(better)

    def run(self, until: float, **setup: Any) -> tuple[str, float | None, float]:
        """One HiGHS run of the phase from the incumbent; takes a better plan."""
        status, gap, obj, values = _run(
            self.model, self.n_o, phase=2, overload_bound=self.bound,
            start_x=_x_of(self.model, self.problem, self.found),
            time_limit=max(0.05, until - time.perf_counter()), mip_gap=self.mip_gap, cuts=self.cuts,
            deadline=until, **setup,
        )
        self.take(values)
        return status, gap, obj

    def exact(self, until: float) -> str:
        """HiGHS on every column a better plan could use, until `until`."""
        keep = self.columns(self.ub - self.step - self.z)
        options = COVER_OPTIONS if self.bound > 0 else EXACT_OPTIONS
        status, gap, obj = self.run(
            until, keep_cols=keep, options=options, guard=LONG_STEP_SECONDS_PER_COLUMN * len(keep)
        )
        if gap is not None and math.isfinite(obj):
            self.lower = max(self.lower, obj - gap * abs(obj))  # HiGHS's bound, for the whole phase
        return status

    def patterns(self) -> bool:
        """The pattern bound (`patterns.pattern_bound`) on the columns a
        better plan could use: True if it proves the incumbent."""
        target = self.ub - max(self.step, self.tol) + self.tol
        lower, self.dropped = pattern_bound(
            self.problem, self.model, self.columns(self.ub - self.step - self.z),
            self.bound - _floor_identity(self.problem), start=self.found, target=target,
            until=time.perf_counter() + max(0.05, self.left() * PATTERN_SHARE),
        )
        self.lower = max(self.lower, min(lower, target))
        return lower > target or self.proven()

    def search(self, until: float, widen: float = 1.0) -> bool:
        """HiGHS on the columns of least reduced cost (`widen` x
        SEARCH_COLUMNS_PER_CASE per case); True if that proves the plan."""
        ranked = sorted(self.reduced)
        size = int(widen * SEARCH_COLUMNS_PER_CASE * len(self.model.movable))
        if size >= len(ranked):
            return False
        limit = ranked[size]
        status, _gap, obj = self.run(until, keep_cols=self.columns(limit), options=SEARCH_OPTIONS)
        # solved to optimality (at the plan taken) on a neighbourhood that
        # holds every column of a better plan
        return status == "optimal" and obj >= self.ub - self.tol and limit >= self.ub - self.step - self.z

    def solve(self) -> tuple[dict[str, str], str, float | None]:
        lp = _lp_relaxation(
            self.model, self.n_o, overload_bound=self.bound, cuts=self.cuts,
            time_limit=max(0.05, self.left() * LP_SHARE),
        )
        if lp is None:  # (never expected) no reduced costs: the whole model, as it is
            status, gap, _obj = self.run(self.deadline)
            return self.found, status, gap
        self.z, self.reduced = lp
        self.lower = self.z
        if self.proven():
            return self.found, "optimal", 0.0
        # only the columns reduced-cost fixing keeps need a knapsack bound (ub only falls)
        widest = self.ub - self.step - self.z + self.tol
        self.core = column_bounds(
            self.problem, self.model, self.bound, self.bound - _floor_identity(self.problem),
            [col for col in range(self.model.n_x) if self.reduced[col] <= widest],
        )
        if self.patterns():
            return self.found, "optimal", 0.0
        # the search pays off when everyone must come under the target; with
        # overload left (covers of the headroom there is) the exact run finds
        # and proves the plan sooner by itself
        n_keep = len(self.columns(self.ub - self.step - self.z)) if self.bound <= 0 else 0
        if n_keep > SEARCH_MIN_COLUMNS:
            if self.search(time.perf_counter() + max(0.05, self.left() * SEARCH_SHARE)) or self.proven():
                return self.found, "optimal", 0.0
        status = self.exact(self.deadline)
        if status == "optimal" or self.proven():
            return self.found, "optimal", 0.0
        if self.left() > SEARCH_AGAIN_SECONDS and n_keep > SEARCH_MIN_COLUMNS:
            # the exact run stopped before its long root step: a wider search for the rest
            if self.search(self.deadline, 2.0) or self.proven():
                return self.found, "optimal", 0.0
        ub = self.ub
        return self.found, status, max(0.0, ub - self.lower) / ub if ub > 1e-9 else 0.0


def plan_rebalance(
    inp: RebalanceInput,
    *,
    target_pct: float | None = None,
    max_moves: int | None = None,
    keep_cases: Iterable[str] = (),
    keep_practitioners: Iterable[str] = (),
    time_limit: float = DEFAULT_TIME_LIMIT,
    mip_gap: float = DEFAULT_MIP_GAP,
) -> RebalancePlan:
    """Build the team's problem and solve it exactly (docs/rebalancing.md)."""
    problem = build_problem(
        inp, target_pct=target_pct, keep_cases=keep_cases, keep_practitioners=keep_practitioners
    )
    return solve_problem(problem, max_moves=max_moves, time_limit=time_limit, mip_gap=mip_gap)
