"""An exhaustive search in pure Python for a team that can all come under
its target (docs/rebalancing.md, "The exhaustive search").

When every practitioner can end at or under the target, the rebalance is
a least-cost choice of moves with a hard limit on every load. For a team's
few hundred cases that is small enough to search: a depth-first branch and
bound that tries every plan a lower bound does not rule out, and so proves
the plan it returns optimal without HiGHS (and without loading HiGHS and
NumPy, most of the time of `caseload rebalance` on a team).

The search. At each step it takes the practitioner furthest over target
and, of their cases not yet decided, the one cheapest to move per point;
it tries that case with each allowed receiver (cheapest first, then the
least loaded by % of target), then where it is. A step where nobody is over
target is a plan: every case not decided stays (moves cost 0 or more, so
moving more cannot be cheaper). Every least-cost plan is reached this way
(`tests/planner/test_rebalance_exhaustive.py` checks it against every plan
of small teams).

The bound. A practitioner over target by e must give away at least e
points of their undecided cases, each at no less than its cheapest move;
so a step costs at least its moves so far plus, for each practitioner over
target, the cheapest fractional cover of their excess by those cases (the
cases of different practitioners are different cases). A step whose bound
is above the best plan found less the grid step of the costs is left.

Iterative deepening. Without a good plan to compare with, the search would
wander among dear plans; so it runs with a ceiling instead, rising from the
bound at the start to the greedy baseline's cost (or further, if the greedy
plan leaves someone over): a run under a ceiling tries every plan at least
one grid step under it, so the first run that finds a plan finds the
optimum, and one that finds none proves there is none that cheap.

It gives up (None: HiGHS solves the team as before) when the points are
not whole, the moves are capped, a cost is negative, the overload floor
(`bounds.overload_floor`) says no plan under the target exists, or the
node budget runs out (a plan under the target that the bound finds hard to
prove, or none at all). `SEARCH = False`,
or the environment variable CASELOAD_REBALANCE_SEARCH=0, turns it off.
"""

from __future__ import annotations

import math
import os
import sys
from collections.abc import Mapping

from planner.rebalance.bounds import overload_floor
from planner.rebalance.problem import RebalanceProblem

SEARCH = os.environ.get("CASELOAD_REBALANCE_SEARCH", "1").strip() not in {"0", "off", "false", "no"}
NAME = "exhaustive"  # the solver's name in the plan's report
NODE_BUDGET = 20_000  # steps over all runs (about 0.1 s) before giving up for HiGHS
RISE = 0.08  # of the bound at the start: how much the ceiling rises from one run to the next
MAX_RUNS = 40  # runs under a rising ceiling before the last one, under the known plan's cost


class _OutOfSteps(Exception):
    pass


def exhaustive_plan(
    problem: RebalanceProblem, *, max_moves: int | None, step: float, known: Mapping[str, str] | None = None
) -> dict[str, str] | None:
    """The least-cost plan (case ref -> receiver) that brings everyone to at
    most their target, proven by exhaustive search, or None when the search
    does not apply or gives up. `step` is the grid of the costs
    (`solver._cost_step`; 0 for none); `known`, a plan already made (the
    greedy one, say): if it brings everyone under target, the search looks
    only for cheaper plans, and returns it when there is none."""
    if not SEARCH or max_moves is not None:
        return None
    if not all(float(pc.points).is_integer() for pc in problem.cases):
        return None
    if any(c < 0 for pc in problem.cases for c in pc.costs.values()):
        return None
    if overload_floor(problem) > 1e-9:
        return None  # more points than the targets take (`bounds.overload_floor`): no plan under target
    search = _Search(problem, step)
    if len(search.order) > sys.getrecursionlimit() - 200:
        return None  # deeper than Python's stack allows
    low = search.bound(0.0)
    if not math.isfinite(low):
        return None  # someone cannot shed their excess: no plan under target
    ceiling = math.inf
    if known is not None and _within_target(problem, known):
        ceiling = problem.cost(known)
    else:
        known = None
    rise = RISE * low if low > 0 else max(step, 1.0)
    limits = [low + rise * k for k in range(1, MAX_RUNS) if low + rise * k < ceiling] + [ceiling]
    try:
        for limit in limits:
            found = search.run(limit)
            if found is not None:
                return found
    except _OutOfSteps:
        return None
    return dict(known) if known is not None else None  # nothing cheaper than the known plan


class _Search:
    def __init__(self, problem: RebalanceProblem, step: float) -> None:
        self.problem = problem
        self.cases = problem.cases
        self.step = step
        self.tol = 1e-6
        self.ids = problem.practitioners
        self.cap = {q: math.floor(problem.limits[q] + 1e-7) for q in self.ids}
        self.load = {q: 0 for q in self.ids}
        for pc in self.cases:
            self.load[pc.holder] += int(pc.points)
        # each practitioner's movable cases, cheapest to move per point first (the bigger
        # among equals): (cost per point, minus the points, cheapest cost, case index)
        self.held: dict[str, list[tuple[float, int, float, int]]] = {q: [] for q in self.ids}
        for i, pc in enumerate(self.cases):
            if pc.costs and pc.points > 0:  # (a case of no points never helps anyone under target)
                cheapest = min(pc.costs.values())
                p = int(pc.points)
                self.held[pc.holder].append((cheapest / p, -p, cheapest, i))
        for items in self.held.values():
            items.sort()
        self.order = [i for items in self.held.values() for *_rest, i in items]
        self.decided: set[int] = set()
        self.assignment: dict[str, str] = {}
        self.nodes = 0

    def cover(self, q: str, need: int) -> float:
        """The cheapest fractional cover of `need` points by q's undecided cases."""
        total = 0.0
        for ratio, neg_p, cost, i in self.held[q]:
            if i in self.decided:
                continue
            if -neg_p >= need:
                return total + ratio * need
            total += cost
            need += neg_p
        return math.inf

    def bound(self, cost: float) -> float:
        for q in self.ids:
            excess = self.load[q] - self.cap[q]
            if excess > 0:
                cost += self.cover(q, excess)
        return cost

    def run(self, limit: float) -> dict[str, str] | None:
        """The least-cost plan at least a grid step under `limit`, or one
        cheaper than `limit`, or None if there is none that cheap."""
        self.best = limit
        self.found: dict[str, str] | None = None
        self._step(0.0)
        return self.found

    def _step(self, cost: float) -> None:
        self.nodes += 1
        if self.nodes > NODE_BUDGET:
            raise _OutOfSteps
        load, cap = self.load, self.cap
        over = [q for q in self.ids if load[q] > cap[q]]
        if not over:
            if cost < self.best - self.tol:
                self.best, self.found = cost, dict(self.assignment)
            return
        if self.bound(cost) > self.best - max(self.step, self.tol) + self.tol:
            return
        giver = max(over, key=lambda q: (load[q] - cap[q], q))
        i = next((i for *_rest, i in self.held[giver] if i not in self.decided), None)
        if i is None:
            return
        pc = self.cases[i]
        p = int(pc.points)
        limits = self.problem.limits
        # cheapest first; among equals the least loaded by % of target, as the greedy baseline chooses
        receivers = sorted(pc.costs, key=lambda q: (pc.costs[q], load[q] / limits[q] if limits[q] > 0
                                                      else math.inf, q))
        self.decided.add(i)
        for q in receivers:
            load[giver] -= p
            load[q] += p
            self.assignment[pc.case_ref] = q
            self._step(cost + pc.costs[q])
            del self.assignment[pc.case_ref]
            load[q] -= p
            load[giver] += p
        self._step(cost)  # the case stays
        self.decided.discard(i)


def _within_target(problem: RebalanceProblem, assignment: Mapping[str, str]) -> bool:
    """Everyone at or under their target (whole points) in `assignment`."""
    load = problem.load(assignment)
    return all(load[q] <= math.floor(problem.limits[q] + 1e-7) for q in problem.practitioners)
