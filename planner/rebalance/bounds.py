"""Lower bounds that help HiGHS prove a plan optimal without changing the
optimum (docs/rebalancing.md, "Helping the solver"): least-cost covers by
dynamic programming, the overload floor, and the cost phase's cuts."""

from __future__ import annotations

import math

from planner.rebalance.core import cover_table
from planner.rebalance.highs import _Model
from planner.rebalance.problem import RebalanceProblem

def min_cover_cost(items: list[tuple[int, float]], demand: int) -> float:
    """Least total cost of items (whole points, cost) whose points add up to at
    least `demand` (a min-cost knapsack cover, by dynamic programming over
    points); infinity if all of them are not enough."""
    if demand <= 0:
        return 0.0
    return float(cover_table(items, demand)[demand])


def overload_floor(problem: RebalanceProblem) -> float:
    """A lower bound on the overload (points above target) of every plan.

    For any plan with loads L (moves keep the team's total points),

        overload = sum_q max(0, L_q - T_q)
                 = sum_q (L_q - T_q)  +  sum_q max(0, T_q - L_q)
                 = C                  +  headroom left unused,

    where C = total points - total target points does not depend on the plan.
    A practitioner who may receive no case at all (an excluded receiver, or
    one eligible for none of the movable cases) can only lose points, so
    their unused headroom is at least what it is today; anyone else's is at
    least 0. Hence overload >= max(0, C + sum over such practitioners of
    max(0, T_q - L0_q)). When a start reaches this bound the overload phase is
    proven optimal without a search (typical when the target is out of reach:
    every practitioner with headroom can be filled up to or just past the
    target with cases of practitioners who stay over it)."""
    return max(0.0, _floor_identity(problem))


def _floor_identity(problem: RebalanceProblem) -> float:
    """C + the unused headroom of those who can receive nothing (may be < 0)."""
    load = problem.load({})
    can_receive = {q for pc in problem.cases for q in pc.costs}
    total = sum(load[q] - problem.limits[q] for q in problem.practitioners)
    stuck = sum(
        max(0.0, problem.limits[q] - load[q]) for q in problem.practitioners if q not in can_receive
    )
    return total + stuck


def cover_pick(items: list[tuple[int, float]], demand: int) -> list[int] | None:
    """Indices of a least-cost set of items (whole points, cost) whose points
    add up to at least `demand` (the set behind `min_cover_cost`); None if all
    of them are not enough."""
    import numpy as np

    if demand <= 0:
        return []
    f = np.full(demand + 1, np.inf)
    f[0] = 0.0
    took = np.zeros((len(items), demand + 1), dtype=bool)
    for i, (points, cost) in enumerate(items):
        g = np.empty(demand + 1)
        head = min(points, demand)
        g[: head + 1] = cost  # f[0] = 0: the item alone covers d <= points
        if points < demand:
            g[points + 1 :] = f[1 : demand - points + 1] + cost
        better = g < f
        took[i] = better
        np.minimum(f, g, out=f)
    if not math.isfinite(f[demand]):
        return None
    chosen: list[int] = []
    d = demand
    for i in range(len(items) - 1, -1, -1):
        if d > 0 and took[i, d]:
            chosen.append(i)
            d = max(0, d - items[i][0])
    return chosen


def _whole_points(problem: RebalanceProblem) -> bool:
    return all(float(pc.points).is_integer() for pc in problem.cases)


def _cost_cuts(
    problem: RebalanceProblem, model: _Model, bound: float
) -> list[tuple[float, list[int], list[float]]]:
    """Valid inequalities for the cost phase, given that the plan's overload is
    at most `bound` (rows: lower bound, x columns, coefficients = move costs).

    Giver cuts: a practitioner g over target by e_g ends over it by at most
    `bound` (every other overload is >= 0), so g sheds at least
    ceil(e_g - bound) whole points whatever g also receives; each shed case
    costs at least its cheapest move, so g's moves cost at least the least
    cost of covering that many points (`min_cover_cost`).

    Receiver cuts: by `overload_floor`'s identity the headroom left unused,
    summed over the practitioners who can receive, is at most
    s = bound - overload_floor; so a receiver q with headroom h_q ends at
    least at T_q - s and takes in at least ceil(h_q - s) whole points
    (more if q also gives some away): the moves into q cost at least the
    least cost of covering that many points with the cases q may receive.

    Both need whole points (the default point tables); with any other points
    there are no cuts. They change no optimum: every plan that satisfies the
    phase's constraints satisfies them."""
    if not _whole_points(problem):
        return []
    load = problem.load({})
    slack = bound - _floor_identity(problem)
    by_giver: dict[str, list[int]] = {}
    by_receiver: dict[str, list[int]] = {}
    for col in range(model.n_x):
        pc = problem.cases[model.col_case[col]]
        q = model.col_to[col]
        if q == pc.holder:
            continue
        by_giver.setdefault(pc.holder, []).append(col)
        by_receiver.setdefault(q, []).append(col)
    cuts: list[tuple[float, list[int], list[float]]] = []
    for g, cols in sorted(by_giver.items()):
        need = math.ceil(load[g] - problem.limits[g] - bound - 1e-6)
        if need <= 0:
            continue
        cheapest: dict[int, float] = {}
        for col in cols:
            i = model.col_case[col]
            cheapest[i] = min(cheapest.get(i, math.inf), model.cost[col])
        items = [(int(problem.cases[i].points), c) for i, c in cheapest.items()]
        least = min_cover_cost(items, need)
        if math.isfinite(least) and least > 1e-9:
            cuts.append((least - 1e-6, cols, [model.cost[c] for c in cols]))
    for q, cols in sorted(by_receiver.items()):
        need = math.ceil(problem.limits[q] - load[q] - slack - 1e-6)
        if need <= 0:
            continue
        items = [(int(problem.cases[model.col_case[c]].points), model.cost[c]) for c in cols]
        least = min_cover_cost(items, need)
        if math.isfinite(least) and least > 1e-9:
            cuts.append((least - 1e-6, cols, [model.cost[c] for c in cols]))
    return cuts
