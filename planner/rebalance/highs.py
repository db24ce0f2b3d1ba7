"""The MILP as HiGHS sees it (docs/rebalancing.md, "The model"): column-wise
arrays, one HiGHS instance per run, the run itself with a start, and the
stopwatch that keeps a run within its time limit."""

from __future__ import annotations

import math
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from planner.rebalance.problem import RebalanceProblem

_SOLVER_READY = False


def prepare_solver() -> None:
    """Load HiGHS once, quietly. HiGHS prints a banner on the C-level standard
    output the first time a solver is made in a process, which would corrupt
    `--format json` output (and a Textual screen): the first construction
    happens with file descriptor 1 pointed at /dev/null. Idempotent; the app
    may call it before it starts drawing."""
    global _SOLVER_READY
    if _SOLVER_READY:
        return
    import os
    import sys

    import highspy

    try:
        sys.stdout.flush()
    except (AttributeError, ValueError, OSError):
        pass
    saved = None
    try:
        saved = os.dup(1)
        devnull = os.open(os.devnull, os.O_WRONLY)
        try:
            os.dup2(devnull, 1)
        finally:
            os.close(devnull)
    except OSError:  # no file descriptor 1 (rare): let the banner through
        saved = None
    try:
        highspy.Highs()
    finally:
        if saved is not None:
            os.dup2(saved, 1)
            os.close(saved)
    _SOLVER_READY = True


def _status_word(h: Any, status: Any) -> str:
    import highspy

    known = {
        highspy.HighsModelStatus.kOptimal: "optimal",
        highspy.HighsModelStatus.kTimeLimit: "time_limit",
        highspy.HighsModelStatus.kInfeasible: "infeasible",
        highspy.HighsModelStatus.kInterrupt: "interrupted",
        highspy.HighsModelStatus.kSolutionLimit: "solution_limit",
        highspy.HighsModelStatus.kIterationLimit: "iteration_limit",
    }
    if status in known:
        return known[status]
    return h.modelStatusToString(status).strip().lower().replace(" ", "_")


@dataclass
class _Model:
    """Column-wise arrays of the MILP; x columns first, then o columns."""

    n_x: int
    n_rows: int
    cost: list[float]  # x columns
    start: list[int]
    index: list[int]
    value: list[float]
    row_lower: list[float]
    row_upper: list[float]
    col_case: list[int]  # x column -> case index
    col_to: list[str]  # x column -> practitioner
    moves_row: int | None
    overload_row: int
    stay_cols: list[int]
    movable: list[int]


def _build_model(problem: RebalanceProblem, max_moves: int | None) -> _Model:
    """The MILP of docs/rebalancing.md, "The model": an assignment row per
    movable case, a capacity row per practitioner, the optional moves row,
    the overload row, and the rounding rows (`_mir_rows`)."""
    inf = math.inf
    movable = [i for i, pc in enumerate(problem.cases) if pc.costs]
    ids = problem.practitioners
    cap_row = {q: len(movable) + j for j, q in enumerate(ids)}
    n_rows = len(movable) + len(ids)
    moves_row = None
    if max_moves is not None:
        moves_row = n_rows
        n_rows += 1
    overload_row = n_rows
    n_rows += 1
    fixed = {q: 0.0 for q in ids}
    for pc in problem.cases:
        if not pc.costs:
            fixed[pc.holder] += pc.points
    mir = _mir_rows(problem, n_rows)
    n_rows += len(mir)
    row_lower = [1.0] * len(movable) + [-inf] * len(ids)
    row_upper = [1.0] * len(movable) + [problem.limits[q] - fixed[q] for q in ids]
    if moves_row is not None:
        row_lower.append(-inf)
        row_upper.append(float(max_moves))
    row_lower.append(-inf)
    row_upper.append(inf)
    for q, (_row, weight, floor_t) in mir.items():
        row_lower.append(-inf)
        row_upper.append(weight * (floor_t - fixed[q]))
    cols = _columns(problem, movable, cap_row, moves_row, mir)
    return _Model(
        len(cols.cost), n_rows, cols.cost, cols.start, cols.index, cols.value, row_lower, row_upper,
        cols.col_case, cols.col_to, moves_row, overload_row, cols.stay_cols, movable,
    )


def _mir_rows(problem: RebalanceProblem, first_row: int) -> dict[str, tuple[int, float, float]]:
    """q -> (row, 1 - f, F) for each practitioner whose target T has a
    fraction f (floor F), numbered from `first_row`. With whole points every
    load is a whole number, so one over T is over by at least 1 - f:
        o[q] >= (1 - f) (load[q] - F)
    is valid, and cuts off the LP's "fill exactly to T" points that keep the
    overload phase from proving optimality (a mixed-integer rounding cut)."""
    mir: dict[str, tuple[int, float, float]] = {}
    if not all(float(pc.points).is_integer() for pc in problem.cases):
        return mir
    for q in problem.practitioners:
        floor_t = math.floor(problem.limits[q] + 1e-9)
        frac = problem.limits[q] - floor_t
        if frac > 1e-9:
            mir[q] = (first_row + len(mir), 1.0 - frac, float(floor_t))
    return mir


@dataclass
class _Columns:
    cost: list[float] = field(default_factory=list)
    start: list[int] = field(default_factory=lambda: [0])
    index: list[int] = field(default_factory=list)
    value: list[float] = field(default_factory=list)
    col_case: list[int] = field(default_factory=list)
    col_to: list[str] = field(default_factory=list)
    stay_cols: list[int] = field(default_factory=list)


def _columns(
    problem: RebalanceProblem,
    movable: list[int],
    cap_row: Mapping[str, int],
    moves_row: int | None,
    mir: Mapping[str, tuple[int, float, float]],
) -> _Columns:
    """The x columns (a case to its holder or to an allowed receiver), then
    the o columns, column-wise."""
    c = _Columns()
    for r, i in enumerate(movable):
        pc = problem.cases[i]
        for q in (pc.holder, *pc.costs):
            stay = q == pc.holder
            if stay:
                c.stay_cols.append(len(c.cost))
            c.cost.append(0.0 if stay else pc.costs[q])
            c.index.extend((r, cap_row[q]))
            c.value.extend((1.0, pc.points))
            if moves_row is not None and not stay:
                c.index.append(moves_row)
                c.value.append(1.0)
            if q in mir:
                c.index.append(mir[q][0])
                c.value.append(mir[q][1] * pc.points)
            c.start.append(len(c.index))
            c.col_case.append(i)
            c.col_to.append(q)
    overload_row = len(movable) + len(problem.practitioners) + (moves_row is not None)
    for q in problem.practitioners:
        c.index.extend((cap_row[q], overload_row))
        c.value.extend((-1.0, 1.0))
        if q in mir:
            c.index.append(mir[q][0])
            c.value.append(-1.0)
        c.start.append(len(c.index))
    return c


def _highs_for(
    model: _Model,
    n_o: int,
    *,
    phase: int,
    overload_bound: float | None,
    time_limit: float,
    mip_gap: float,
    cuts: list[tuple[float, list[int], list[float]]] = (),
    relax: bool = False,
    keep_cols: set[int] | None = None,
    options: Mapping[str, Any] | None = None,
) -> Any:
    """A HiGHS instance holding one phase's model (or its LP relaxation)."""
    import highspy
    import numpy as np

    lp = _lp_for(model, n_o, phase=phase, overload_bound=overload_bound, relax=relax, keep_cols=keep_cols)
    prepare_solver()
    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    h.setOptionValue("random_seed", 0)
    # One thread: HiGHS's MIP gains little from a second one here, and with
    # one its runs are reproducible (with two, when a parallel task finishes
    # changes the search), which a benchmark and a team lead both want.
    h.setOptionValue("threads", HIGHS_THREADS)
    h.setOptionValue("time_limit", max(0.01, float(time_limit)))
    h.setOptionValue("mip_rel_gap", float(mip_gap))
    h.setOptionValue("mip_abs_gap", 1e-9)
    if relax:
        h.setOptionValue("presolve", "off")  # about twice as fast on these LPs
    for name, value in {**(options or {}), **HIGHS_OPTIONS}.items():
        h.setOptionValue(name, value)
    h.passModel(lp)
    for lower, cols, coefs in cuts:
        h.addRow(lower, highspy.kHighsInf, len(cols), np.array(cols, dtype=np.int32), np.array(coefs))
    return h


def _lp_for(
    model: _Model, n_o: int, *, phase: int, overload_bound: float | None, relax: bool, keep_cols: set[int] | None
) -> Any:
    """The HighsLp of one phase: phase 1 minimises the overload columns,
    phase 2 the move costs with the overload within `overload_bound`."""
    import highspy
    import numpy as np

    inf = highspy.kHighsInf
    n_col = model.n_x + n_o
    lp = highspy.HighsLp()
    lp.num_col_ = n_col
    lp.num_row_ = model.n_rows
    if phase == 1:
        lp.col_cost_ = np.array([0.0] * model.n_x + [1.0] * n_o)
    else:
        lp.col_cost_ = np.array(model.cost + [0.0] * n_o)
    lp.col_lower_ = np.zeros(n_col)
    o_upper = 0.0 if (overload_bound is not None and overload_bound <= 0) else inf
    x_upper = [1.0] * model.n_x
    if keep_cols is not None:  # a restricted model: every other x column at 0
        x_upper = [1.0 if col in keep_cols else 0.0 for col in range(model.n_x)]
    lp.col_upper_ = np.array(x_upper + [o_upper] * n_o)
    row_upper = list(model.row_upper)
    if overload_bound is not None and overload_bound > 0:
        row_upper[model.overload_row] = overload_bound
    lp.row_lower_ = np.array([-inf if math.isinf(v) else v for v in model.row_lower])
    lp.row_upper_ = np.array([inf if math.isinf(v) else v for v in row_upper])
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.a_matrix_.start_ = np.array(model.start, dtype=np.int32)
    lp.a_matrix_.index_ = np.array(model.index, dtype=np.int32)
    lp.a_matrix_.value_ = np.array(model.value)
    if not relax:
        lp.integrality_ = [highspy.HighsVarType.kInteger] * model.n_x + [highspy.HighsVarType.kContinuous] * n_o
    return lp


HIGHS_THREADS = 1


def _highs_run(h: Any) -> None:
    """h.run(), once more after resetting HiGHS's thread pool if another
    HiGHS user in this process started it with another number of threads
    (HiGHS then refuses to run)."""
    import highspy

    if h.run() == highspy.HighsStatus.kError and h.getModelStatus() == highspy.HighsModelStatus.kNotset:
        highspy.Highs.resetGlobalScheduler(True)
        h.run()


class _Stopwatch:
    """A HiGHS interrupt callback that keeps one long step of HiGHS's root
    node from overrunning the time limit.

    HiGHS checks its time limit between steps. After the root LP and five
    rounds of cuts it runs, once, a rounding heuristic from the analytic
    centre of the LP, which propagates every bound change through all its
    cuts and conflicts: seconds on a big model, and it cannot be cut short,
    so started just before the limit it overruns it by that much. HiGHS
    calls this callback where it checks its limits, with a dual bound once
    the root LP is solved and then after each round; at the sixth such call
    (just before that step) the run is stopped if less than `guard` seconds
    are left, and otherwise left alone. (If HiGHS ends its cut rounds sooner
    the step comes sooner, unguarded.) Stopping a run only ever stops it
    sooner: no bound or plan HiGHS reports is changed by it."""

    CALLS_BEFORE_LONG_STEP = 6

    def __init__(self, deadline: float, guard: float) -> None:
        self.deadline = deadline
        self.guard = guard
        self.calls = 0
        self.stopped = False

    def __call__(self, event: Any) -> None:
        if not math.isfinite(event.data_out.mip_dual_bound):
            return
        self.calls += 1
        if self.calls == self.CALLS_BEFORE_LONG_STEP and time.perf_counter() > self.deadline - self.guard:
            self.stopped = True
            event.interrupt()


def _run(
    model: _Model,
    n_o: int,
    *,
    start_x: list[float],
    deadline: float | None = None,
    guard: float = 0.0,
    **setup: Any,
) -> tuple[str, float | None, float, list[float]]:
    """One HiGHS run on `_highs_for(model, n_o, **setup)`; returns (status,
    gap, objective, column values). With a `deadline` (a time.perf_counter()
    value) HiGHS's time limit is what is left of it once the model is built
    and passed, not `setup["time_limit"]`."""
    import highspy

    n_col = model.n_x + n_o
    relax = setup.get("relax", False)
    h = _highs_for(model, n_o, **setup)
    # A feasible start: the given x, with o at the overload it implies.
    sol = highspy.HighsSolution()
    sol.col_value = list(start_x) + _overload_values(model, start_x, n_o)
    sol.value_valid = True
    if not relax:
        h.setSolution(sol)
    stopwatch = None
    if deadline is not None:
        h.setOptionValue("time_limit", max(0.01, deadline - time.perf_counter()))
        if guard > 0 and not relax:
            stopwatch = _Stopwatch(deadline, guard)
            h.cbMipInterrupt.subscribe(stopwatch)
    _highs_run(h)
    status = h.getModelStatus()
    info = h.getInfo()
    word = _status_word(h, status)
    if stopwatch is not None and stopwatch.stopped and status == highspy.HighsModelStatus.kInterrupt:
        word = "time_limit"  # stopped for time, by the stopwatch rather than HiGHS's own clock
    values = list(h.getSolution().col_value)
    has_solution = info.primal_solution_status == 2 and len(values) == n_col  # kSolutionStatusFeasible
    if not has_solution:
        values = list(start_x) + _overload_values(model, start_x, n_o)
        objective = math.nan
    else:
        objective = info.objective_function_value
    gap = info.mip_gap
    if status == highspy.HighsModelStatus.kOptimal:
        gap = max(0.0, gap) if math.isfinite(gap) else 0.0
    gap_out = float(gap) if math.isfinite(gap) else None
    return word, gap_out, objective, values


def _overload_values(model: _Model, x: list[float], n_o: int) -> list[float]:
    # capacity rows come right after the assignment rows, in practitioner order
    first_cap = len(model.movable)
    load = [0.0] * n_o
    for col in range(model.n_x):
        if x[col] > 0.5:
            for k in range(model.start[col], model.start[col + 1]):
                r = model.index[k]
                if first_cap <= r < first_cap + n_o:
                    load[r - first_cap] += model.value[k]
    return [max(0.0, load[j] - model.row_upper[first_cap + j]) for j in range(n_o)]


HIGHS_OPTIONS: dict[str, Any] = {}  # extra HiGHS options for every run

def _x_of(model: _Model, problem: RebalanceProblem, assignment: Mapping[str, str]) -> list[float]:
    x = [0.0] * model.n_x
    for col in range(model.n_x):
        pc = problem.cases[model.col_case[col]]
        if assignment.get(pc.case_ref, pc.holder) == model.col_to[col]:
            x[col] = 1.0
    return x


def _assignment_of(model: _Model, problem: RebalanceProblem, values: list[float]) -> dict[str, str]:
    assignment: dict[str, str] = {}
    for col in range(model.n_x):
        if values[col] > 0.5:
            pc = problem.cases[model.col_case[col]]
            if model.col_to[col] != pc.holder:
                assignment[pc.case_ref] = model.col_to[col]
    return assignment
