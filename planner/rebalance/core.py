"""Knapsack fixing for the rebalance's cost phase: a lower bound, for every
move column, on the cost of any plan that uses it (docs/rebalancing.md,
"Helping the solver": reducing the problem to its core).

Reduced-cost fixing keeps every column a better plan could use by the LP's
reckoning; these bounds look at the whole points instead. They rest on
three facts, each true of every feasible plan or of a least-cost one:

- incoming: a practitioner r with headroom must take in at least need_in(r)
  whole points (the receiver cuts of `_cost_cuts`); the moves into different
  practitioners are different moves, so a plan costs at least the least
  cover of each one's need, summed;
- outgoing: a practitioner g over target must shed at least need_out(g)
  whole points (the giver cuts); likewise summed over the givers;
- a practitioner q who receives a case c must shed, on top of need_out(q),
  the points of c (q may end at most `bound` over target); and in a plan of
  least cost, a move of positive cost into q is never one that q could give
  back and stay at or over target (undoing it would keep the overload and
  lower the cost), so q, if at or over target today, sheds more than its
  whole excess.

A column whose bound exceeds the incumbent's cost, less the grid step of
the costs, is in no plan better than the incumbent (in no least-cost one,
and a better plan that is not least-cost becomes one by undoing moves, each
step keeping it feasible and no dearer), so the cost phase fixes it at 0
with the columns that reduced-cost fixing drops. Nothing else changes: the
plan found on what is left, and the bound, hold for the whole phase.

`CORE_FIXING = False` turns it off (every bound 0: the plain path); the
tests check that both paths give the same optimum on small teams.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import numpy as np

    from planner.rebalance.highs import _Model
    from planner.rebalance.problem import RebalanceProblem

CORE_FIXING = True


def cover_table(items: list[tuple[int, float]], demand: int) -> np.ndarray:
    """t[d] = least cost of items (whole points, cost) adding up to at least
    d points, for d = 0..demand (infinity where all of them are not enough)."""
    import numpy as np  # here: a plan the exhaustive search proves needs no NumPy (exhaustive.py)

    demand = max(0, demand)
    f = np.full(demand + 1, np.inf)
    f[0] = 0.0
    for points, cost in items:
        g = np.empty(demand + 1)
        head = min(points, demand)
        g[: head + 1] = cost
        if points < demand:
            g[points + 1 :] = f[1 : demand - points + 1] + cost
        np.minimum(f, g, out=f)
    return f


def _look(table: np.ndarray | None, demand: float) -> float:
    """table[demand], 0 for no demand, infinity past the table's end."""
    if demand <= 0:
        return 0.0
    if table is None or demand >= len(table):
        return math.inf
    return float(table[int(demand)])


def column_bounds(
    problem: RebalanceProblem, model: _Model, bound: float, slack: float, cols: Iterable[int] | None = None
) -> list[float]:
    """A lower bound, per x column, on the cost of a least-cost plan (overload
    at most `bound`, unused headroom at most `slack`) that uses it; 0 for the
    stay columns, the columns of cost 0, the columns not in `cols` (default:
    all), and every column when the points are not whole or `CORE_FIXING`
    is off."""
    bounds = [0.0] * model.n_x
    if not CORE_FIXING or not all(float(pc.points).is_integer() for pc in problem.cases):
        return bounds
    load = problem.load({})
    ids = problem.practitioners
    into: dict[str, list[int]] = {q: [] for q in ids}
    cheapest: dict[int, float] = {}
    for col in range(model.n_x):
        i = model.col_case[col]
        if model.col_to[col] != problem.cases[i].holder:
            into[model.col_to[col]].append(col)
            cheapest[i] = min(cheapest.get(i, math.inf), model.cost[col])
    out_items: dict[str, list[tuple[int, float]]] = {q: [] for q in ids}
    for i, c in cheapest.items():
        pc = problem.cases[i]
        out_items[pc.holder].append((int(pc.points), c))
    biggest = max((int(pc.points) for pc in problem.cases), default=0)
    excess = {q: load[q] - problem.limits[q] for q in ids}
    # those who can receive nothing are left out: their headroom is in the floor (`_floor_identity`)
    need_in = {q: math.ceil(-excess[q] - slack - 1e-6) if into[q] else 0 for q in ids}
    need_out = {q: math.ceil(excess[q] - bound - 1e-6) for q in ids}
    shed = {q: max(need_out[q] + biggest, math.floor(excess[q] + 1e-9) + 1 if excess[q] >= -1e-9 else 0) for q in ids}
    in_table = {
        q: cover_table([(int(problem.cases[model.col_case[c]].points), model.cost[c]) for c in into[q]], need_in[q])
        for q in ids if need_in[q] > 0
    }
    out_table = {q: cover_table(out_items[q], shed[q]) for q in ids if shed[q] > 0}
    lb_in = {q: _look(in_table.get(q), need_in[q]) for q in ids}
    lb_out = {q: _look(out_table.get(q), need_out[q]) for q in ids}
    sum_in = sum(lb_in.values())
    sum_out = sum(lb_out.values())
    if not (math.isfinite(sum_in) and math.isfinite(sum_out)):
        return bounds  # (never expected: the overload bound comes from a plan)
    for col in range(model.n_x) if cols is None else cols:
        kappa = model.cost[col]
        q = model.col_to[col]
        pc = problem.cases[model.col_case[col]]
        if q == pc.holder or kappa <= 0:
            continue
        a, p = pc.holder, int(pc.points)
        b_in = kappa + _look(in_table.get(q), need_in[q] - p) + sum_in - lb_in[q]
        b_out = kappa + _look(out_table.get(a), need_out[a] - p) + sum_out - lb_out[a]
        must_shed = max(need_out[q] + p, math.floor(excess[q] + 1e-9) + 1 if excess[q] >= -1e-9 else 0)
        b_shed = kappa + _look(out_table.get(q), must_shed) + sum_out - lb_out[q] - lb_out[a]
        bounds[col] = max(b_in, b_out, b_shed)
    return bounds


def load_rows(
    problem: RebalanceProblem, model: _Model, bound: float, slack: float
) -> list[tuple[float, list[int], list[float]]]:
    """Each practitioner's least load, as a row of whole points (lower bound,
    x columns, points): the overload is C + the headroom left unused
    (`overload_floor`), so no one leaves more than `slack` of it unused: q
    ends at or above T(q) - slack (its load today, less slack, for one under
    target who can receive nothing), and with whole points at or above the
    next whole number. The model says the same with the overload columns;
    said per practitioner in whole points it is a knapsack row that HiGHS
    strengthens with its cover cuts. Empty when the points are not whole,
    when no one can be held that way, or when `CORE_FIXING` is off."""
    if not CORE_FIXING or not all(float(pc.points).is_integer() for pc in problem.cases):
        return []
    load = problem.load({})
    cols: dict[str, list[int]] = {q: [] for q in problem.practitioners}
    fixed = dict(load)
    for col in range(model.n_x):
        cols[model.col_to[col]].append(col)
    for i in model.movable:
        pc = problem.cases[i]
        fixed[pc.holder] -= pc.points
    least = least_loads(problem, slack)
    rows = []
    for q in problem.practitioners:
        need = least[q] - fixed[q]
        if need > 0 and cols[q]:
            rows.append((float(need), cols[q], [problem.cases[model.col_case[c]].points for c in cols[q]]))
    return rows


def least_loads(problem: RebalanceProblem, slack: float) -> dict[str, int]:
    """Each practitioner's least load in whole points, in a plan whose unused
    headroom is at most `slack` (`bounds.overload_floor`'s identity): the
    target less slack for anyone who can receive or is at or over target,
    today's load less slack for one under target who can receive nothing."""
    load = problem.load({})
    can_receive = {q for pc in problem.cases for q in pc.costs}
    least: dict[str, int] = {}
    for q in problem.practitioners:
        floor = problem.limits[q] if q in can_receive or load[q] >= problem.limits[q] else load[q]
        least[q] = math.ceil(floor - slack - 1e-9)
    return least
