"""Plans made without the solver (docs/rebalancing.md, "Helping the solver"
and "The greedy baseline"): the starts handed to HiGHS, and the greedy baseline the
benchmark compares with."""

from __future__ import annotations

import math
import time
from collections.abc import Iterable, Mapping

from planner.rebalance.bounds import _whole_points, cover_pick
from planner.rebalance.plan import RebalancePlan, SolverReport, _make_plan
from planner.rebalance.problem import ProblemCase, RebalanceInput, RebalanceProblem, build_problem

def cover_assignment(
    problem: RebalanceProblem, *, max_moves: int | None = None, order: Iterable[str] | None = None
) -> dict[str, str]:
    """A start for a team that cannot all reach the target: take every
    practitioner with headroom up to (or just past) their target at least
    cost, each with a least-cost cover (`cover_pick`) of their headroom by
    cases of practitioners who stay at or over target after giving them.
    When it succeeds its overload is `overload_floor`, the least possible.
    Empty when points are not whole numbers or moves are capped."""
    if max_moves is not None or not _whole_points(problem):
        return {}
    load = problem.load({})
    limits = problem.limits
    if not any(load[q] > limits[q] + 1e-9 for q in problem.practitioners):
        return {}
    eligible: dict[str, list[ProblemCase]] = {}
    for pc in problem.cases:
        for q in pc.costs:
            eligible.setdefault(q, []).append(pc)
    receivers = _cover_receivers(problem) if order is None else list(order)
    assignment: dict[str, str] = {}
    for q in receivers:
        for _round in range(3):
            need = math.ceil(limits[q] - load[q] - 1e-9)
            if need <= 0:
                break
            items = [
                pc for pc in eligible[q]
                if pc.case_ref not in assignment and load[pc.holder] - pc.points >= limits[pc.holder] - 1e-9
            ]
            chosen = cover_pick([(int(pc.points), pc.costs[q]) for pc in items], need)
            if chosen is None:  # not enough: take what there is (fills toward the target)
                chosen = list(range(len(items)))
            took = False
            for i in sorted(chosen, key=lambda i: -items[i].points):
                pc = items[i]
                if load[pc.holder] - pc.points < limits[pc.holder] - 1e-9:
                    continue  # would take its giver under target
                assignment[pc.case_ref] = q
                load[pc.holder] -= pc.points
                load[q] += pc.points
                took = True
            if not took:
                break
    return assignment


def _cover_receivers(problem: RebalanceProblem) -> list[str]:
    """Practitioners under target who may receive some case, in
    `cover_assignment`'s default order (fewest eligible cases, then most
    headroom, first)."""
    load = problem.load({})
    eligible: dict[str, int] = {}
    for pc in problem.cases:
        for q in pc.costs:
            eligible[q] = eligible.get(q, 0) + 1
    return sorted(
        (q for q in eligible if load[q] < problem.limits[q] - 1e-9),
        key=lambda q: (eligible[q], -(problem.limits[q] - load[q]), q),
    )


def _best_receiver(
    pc: ProblemCase, load: Mapping[str, float], limits: Mapping[str, float], over: set[str]
) -> str | None:
    """The cheapest receiver of pc, not over target, that still has room for
    it (the one with most room among equals); None if there is none."""
    fits = [q for q in pc.costs if q not in over and load[q] + pc.points <= limits[q] + 1e-9]
    if not fits:
        return None
    return min(fits, key=lambda q: (pc.costs[q], -(limits[q] - load[q]), q))


def shed_assignment(problem: RebalanceProblem, *, max_moves: int | None = None) -> dict[str, str]:
    """A start for a team that can reach the target: each practitioner over
    target sheds a least-cost cover (`cover_pick`) of their excess, each case
    costed at its cheapest receiver that still has room for it, and each
    chosen case goes to that receiver (biggest cases first). When every case
    finds its cheapest receiver the cost equals the giver cuts' bound (see
    `_cost_cuts`), which proves it optimal. Empty when points are not whole
    numbers or moves are capped."""
    if max_moves is not None or not _whole_points(problem):
        return {}
    load = problem.load({})
    limits = problem.limits
    givers = sorted(
        (q for q in problem.practitioners if load[q] > limits[q] + 1e-9),
        key=lambda q: (-(load[q] - limits[q]), q),
    )
    if not givers:
        return {}
    held: dict[str, list[ProblemCase]] = {}
    for pc in problem.cases:
        if pc.costs:
            held.setdefault(pc.holder, []).append(pc)
    over = set(givers)

    def best_receiver(pc: ProblemCase) -> str | None:
        return _best_receiver(pc, load, limits, over)

    assignment: dict[str, str] = {}
    for g in givers:
        for _round in range(3):
            need = math.ceil(load[g] - limits[g] - 1e-9)
            if need <= 0:
                break
            items: list[tuple[ProblemCase, str]] = []
            for pc in held.get(g, []):
                if pc.case_ref in assignment:
                    continue
                to = best_receiver(pc)
                if to is not None:
                    items.append((pc, to))
            chosen = cover_pick([(int(pc.points), pc.costs[to]) for pc, to in items], need)
            if chosen is None:
                chosen = list(range(len(items)))
            took = False
            for i in sorted(chosen, key=lambda i: -items[i][0].points):
                pc = items[i][0]
                to = best_receiver(pc)
                if to is None:
                    continue
                assignment[pc.case_ref] = to
                load[g] -= pc.points
                load[to] += pc.points
                took = True
            if not took:
                break
    return assignment



def _key(problem: RebalanceProblem, assignment: Mapping[str, str]) -> tuple[float, float]:
    return (round(problem.overload(assignment), 6), round(problem.cost(assignment), 6))


def fill_assignment(problem: RebalanceProblem, *, max_moves: int | None = None) -> dict[str, str]:
    """A start for a team that cannot all reach the target: fill each
    practitioner under target as exactly as whole cases allow, at least cost,
    with cases of practitioners who stay over target (a subset-sum dynamic
    programme per receiver over whole points). HiGHS's own heuristics rarely
    find such exact fills, and without them the overload phase cannot close
    its gap. Empty when points are not whole numbers or moves are capped."""
    import numpy as np

    if max_moves is not None or not all(float(pc.points).is_integer() for pc in problem.cases):
        return {}
    load = problem.load({})
    limits = problem.limits
    excess = {q: load[q] - limits[q] for q in problem.practitioners}
    if not any(e > 1e-9 for e in excess.values()):
        return {}
    receivers = sorted(
        (q for q in problem.practitioners if excess[q] < 0 and q not in problem.receiver_exclusions),
        key=lambda q: (excess[q], q),
    )
    assignment: dict[str, str] = {}
    for q in receivers:
        cap = math.floor(limits[q] - load[q] + 1e-9)
        if cap <= 0:
            continue
        items = [
            pc for pc in problem.cases
            if q in pc.costs and pc.case_ref not in assignment
            and excess[pc.holder] > 1e-9 and pc.points <= min(cap, excess[pc.holder] + 1e-9)
        ]
        if not items:
            continue
        f = np.full(cap + 1, np.inf)
        f[0] = 0.0
        took = np.zeros((len(items), cap + 1), dtype=bool)
        for i, pc in enumerate(items):
            p = int(pc.points)
            trial = f[: cap + 1 - p] + pc.costs[q]
            better = trial < f[p:]
            if better.any():
                took[i, p:][better] = True
                f[p:] = np.where(better, trial, f[p:])
        reachable = np.nonzero(np.isfinite(f))[0]
        s = int(reachable.max())
        chosen = []
        for i in range(len(items) - 1, -1, -1):
            if s > 0 and took[i, s]:
                chosen.append(items[i])
                s -= int(items[i].points)
        for pc in chosen:
            if excess[pc.holder] - pc.points < -1e-9:
                continue  # would take its giver under target: leave it
            assignment[pc.case_ref] = q
            excess[pc.holder] -= pc.points
            load[pc.holder] -= pc.points
            load[q] += pc.points
    return assignment


def _drop_idle_moves(problem: RebalanceProblem, assignment: dict[str, str]) -> dict[str, str]:
    """Undo, dearest first, every move whose undoing does not add overload (a
    move between two practitioners who both stay over target, say): a better
    start for the cost phase when the overload phase was cut short."""
    result = dict(assignment)
    base = problem.overload(result)
    costs = {pc.case_ref: pc.costs for pc in problem.cases}
    for ref in sorted(result, key=lambda r: -costs[r][result[r]]):
        trial = dict(result)
        del trial[ref]
        overload = problem.overload(trial)
        if overload <= base + 1e-9:
            result, base = trial, overload
    return result




def greedy_assignment(problem: RebalanceProblem, *, max_moves: int | None = None) -> dict[str, str]:
    """Repeatedly move the cheapest case off the most loaded practitioner (by %
    of target) to the least loaded eligible receiver that stays within target.
    A practitioner with no such move is passed over; each case moves at most once."""
    load = problem.load({})
    limits = problem.limits

    def ratio(q: str) -> float:
        return load[q] / limits[q] if limits[q] > 0 else (math.inf if load[q] > 0 else 0.0)

    held: dict[str, list[ProblemCase]] = {q: [] for q in problem.practitioners}
    for pc in problem.cases:
        if pc.costs:
            held[pc.holder].append(pc)
    assignment: dict[str, str] = {}
    stuck: set[str] = set()
    while max_moves is None or len(assignment) < max_moves:
        over = [q for q in problem.practitioners if load[q] > limits[q] + 1e-9 and q not in stuck]
        if not over:
            break
        giver = max(over, key=lambda q: (ratio(q), q))
        best: tuple[float, str, str, ProblemCase] | None = None
        for pc in held[giver]:
            if pc.case_ref in assignment:
                continue
            fits = [q for q in pc.costs if load[q] + pc.points <= limits[q] + 1e-9]
            if not fits:
                continue
            to = min(fits, key=lambda q: (ratio(q), q))
            key = (pc.costs[to], pc.case_ref, to, pc)
            if best is None or key[:2] < best[:2]:
                best = key
        if best is None:
            stuck.add(giver)
            continue
        _, _, to, pc = best
        assignment[pc.case_ref] = to
        load[giver] -= pc.points
        load[to] += pc.points
    return assignment


def greedy_plan(
    inp: RebalanceInput | RebalanceProblem,
    *,
    target_pct: float | None = None,
    max_moves: int | None = None,
    keep_cases: Iterable[str] = (),
    keep_practitioners: Iterable[str] = (),
) -> RebalancePlan:
    """The greedy baseline's plan (solver name "greedy", status "heuristic")."""
    began = time.perf_counter()
    problem = (
        inp
        if isinstance(inp, RebalanceProblem)
        else build_problem(inp, target_pct=target_pct, keep_cases=keep_cases, keep_practitioners=keep_practitioners)
    )
    assignment = greedy_assignment(problem, max_moves=max_moves)
    report = SolverReport("greedy", "heuristic", None, time.perf_counter() - began, "heuristic", 0, None, None)
    return _make_plan(problem, assignment, report)
