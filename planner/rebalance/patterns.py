"""The pattern bound for the rebalance's cost phase: a lower bound on the
cost of every plan on a set of move columns, from each receiver's whole
incoming set at once (docs/rebalancing.md, "Helping the solver": the
pattern bound).

A practitioner q whose least load (`core.least_loads`: the target less the
slack the overload bound leaves, in whole points) is above today's load
must take in at least need(q) = least - load whole points. The LP of the
model may take in fractions of cases and fill need(q) exactly; a plan
takes in whole cases, which overshoot it. So each such receiver is given a
column per **pattern**: a set of cases, each allowed to move to q, whose
points add up to at least need(q) (every plan's incoming set to q is one).
The master LP chooses one pattern per receiver (convexity rows), each case
at most once (case rows), and every practitioner's load at or above its
least (load rows; moves into anyone else are plain columns); and a case
with more points than its holder may shed moves only if the holder takes
some case in (link rows: one move in at least, for each such case out).
It is the LP
of the Dantzig-Wolfe reformulation: its bound is at least the plain LP's,
and much closer to the optimum when several receivers compete for the same
cheap cases (the benchmark's seed 5 at 50: 287 against 307).

Patterns are priced by column generation: with the master's row duals, the
best new pattern of q is a least-cost knapsack cover of need(q) with each
case priced at its reduced cost (`_Search.price`). Whatever the duals, the
master's value plus every receiver's least reduced cost is a lower bound
(Lagrangian), so the loop can stop at any time with a valid bound.

When the bound does not prove the incumbent (of cost U: no plan costs
between the bound and U less the grid step), it still prices every move
column: a plan whose receiver q takes in pattern P costs at least the
bound plus P's reduced cost less q's least (Lagrangian fixing); a move
column every pattern of which puts the plan above U less the step (and a
plain column whose reduced cost does) is in no better plan, and the cost
phase leaves it out of HiGHS's run with the columns reduced-cost and
knapsack fixing leave out (on the benchmark's seed 5 at 50: 1,446 move
columns down to 252, half the CPU of the proof).

It changes no plan: it is a bound and a fixing only. `PATTERN_BOUND =
False`, or the environment variable CASELOAD_REBALANCE_PATTERNS=0, turns
it off (the cost phase then goes to HiGHS as before); the tests check the
bound and the fixing against every plan of small teams, and that both
paths reach the same optimum.
"""

from __future__ import annotations

import math
import os
import time
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from planner.rebalance.bounds import cover_pick
from planner.rebalance.core import cover_table, least_loads

if TYPE_CHECKING:
    from planner.rebalance.highs import _Model
    from planner.rebalance.problem import RebalanceProblem

PATTERN_BOUND = os.environ.get("CASELOAD_REBALANCE_PATTERNS", "1").strip() not in {"0", "off", "false", "no"}
MAX_ROUNDS = 200  # of column generation (each adds at most one pattern per receiver)


def pattern_bound(
    problem: RebalanceProblem,
    model: _Model,
    cols: Iterable[int],
    slack: float,
    *,
    start: Mapping[str, str],
    target: float,
    until: float,
) -> tuple[float, set[int]]:
    """(bound, fixed): a lower bound on the cost of every plan that uses only
    the x columns `cols` (with unused headroom at most `slack`), and the move
    columns that no such plan of cost at most `target` uses. (-inf, empty)
    when it has nothing to say (off, points not whole, or nobody must take
    anything in)."""
    if not PATTERN_BOUND or not all(float(pc.points).is_integer() for pc in problem.cases):
        return -math.inf, set()
    search = _Search(problem, model, cols, slack, target, until)
    if not search.receivers:
        return -math.inf, set()
    for q in search.receivers:  # the start's incoming sets: a feasible master
        search.add_pattern(
            q, frozenset(c for c in search.into[q] if start.get(problem.cases[model.col_case[c]].case_ref) == q)
        )
    return search.run(), search.fixed


class _Search:
    """The master LP (rows: a case row per case that may move, a load row
    per practitioner, a convexity row per pattern receiver, a link row per
    case bigger than its holder may shed) and its columns: patterns, plain
    moves, and for each receiver a prohibitive "nothing" column."""

    def __init__(
        self, problem: RebalanceProblem, model: _Model, cols: Iterable[int], slack: float, target: float,
        until: float,
    ) -> None:
        self.problem, self.model, self.target, self.until = problem, model, target, until
        load = problem.load({})
        least = least_loads(problem, slack)
        self.moves = [c for c in sorted(set(cols)) if model.col_to[c] != problem.cases[model.col_case[c]].holder]
        self.into: dict[str, list[int]] = {}
        for c in self.moves:
            self.into.setdefault(model.col_to[c], []).append(c)
        self.need = {q: int(least[q] - load[q]) for q in problem.practitioners}
        self.receivers = [q for q in problem.practitioners if self.need[q] > 0 and q in self.into]
        self.fixed: set[int] = set()  # move columns no plan above the target can use (`fix`)
        if self.receivers:
            self._build(load, least)

    def _build(self, load: Mapping[str, float], least: Mapping[str, int]) -> None:
        import highspy
        import numpy as np

        from planner.rebalance.highs import prepare_solver

        problem, model, target = self.problem, self.model, self.target
        prepare_solver()
        h = self.h = highspy.Highs()
        h.setOptionValue("output_flag", False)
        h.setOptionValue("threads", 1)
        h.setOptionValue("presolve", "off")
        inf = highspy.kHighsInf
        cases = sorted({model.col_case[c] for c in self.moves})
        self.case_row = {i: r for r, i in enumerate(cases)}
        self.load_row = {q: len(cases) + j for j, q in enumerate(problem.practitioners)}
        self.conv_row = {q: len(cases) + len(self.load_row) + j for j, q in enumerate(self.receivers)}
        # a case bigger than all its holder may shed moves only if the holder takes a case in:
        # sum of the moves into the holder - the case's moves >= 0
        first = len(cases) + len(self.load_row) + len(self.receivers)
        big_cases = [
            i for i in cases
            if problem.cases[i].holder not in self.conv_row
            and problem.cases[i].points > load[problem.cases[i].holder] - least[problem.cases[i].holder]
        ]
        self.link_row = {i: first + k for k, i in enumerate(big_cases)}
        self.links_of: dict[str, list[int]] = {}
        for i in big_cases:
            self.links_of.setdefault(problem.cases[i].holder, []).append(self.link_row[i])
        n_conv, n_link = len(self.receivers), len(big_cases)
        gain = [least[q] - load[q] for q in problem.practitioners]
        lower = [-inf] * len(cases) + gain + [1.0] * n_conv + [0.0] * n_link
        upper = [1.0] * len(cases) + [inf] * len(self.load_row) + [1.0] * n_conv + [inf] * n_link
        h.addRows(len(lower), np.array(lower), np.array(upper), 0, np.array([], dtype=np.int32),
                  np.array([], dtype=np.int32), np.array([]))
        # what each master column is: ("plain", move column), ("pattern", q, cases) or ("none", q)
        self.kinds: list[tuple[Any, ...]] = []
        self.patterns: dict[str, set[frozenset[int]]] = {q: set() for q in self.receivers}
        big = sum(pc.points for pc in problem.cases) + 1.0
        for q in self.receivers:
            # "q takes in nothing real" at a prohibitive cost: keeps the master feasible whatever its
            # patterns (a relaxation of the phase still, so the bound stays valid)
            self._add_column(1e4 * max(1.0, target), [self.load_row[q], self.conv_row[q]], [big, 1.0], ("none", q))
        for c in self.moves:  # moves into anyone who is not a pattern receiver: plain columns
            if model.col_to[c] not in self.conv_row:
                idx, val = self._entries([c])
                self._add_column(model.cost[c], idx, val, ("plain", c), upper=1.0)

    def _add_column(
        self, cost: float, idx: list[int], val: list[float], kind: tuple[Any, ...], upper: float = math.inf
    ) -> None:
        import numpy as np

        order = sorted(range(len(idx)), key=idx.__getitem__)
        self.h.addCol(cost, 0.0, upper, len(idx), np.array([idx[k] for k in order], dtype=np.int32),
                      np.array([val[k] for k in order]))
        self.kinds.append(kind)

    def _entries(self, items: Iterable[int]) -> tuple[list[int], list[float]]:
        """Rows and coefficients of a column made of the move columns `items`."""
        coef: dict[int, float] = {}
        for c in items:
            i, to = self.model.col_case[c], self.model.col_to[c]
            pc = self.problem.cases[i]
            coef[self.case_row[i]] = 1.0
            if i in self.link_row:  # the case leaves its holder
                coef[self.link_row[i]] = coef.get(self.link_row[i], 0.0) - 1.0
            for row in self.links_of.get(to, ()):  # a case comes in to the holder of big cases
                coef[row] = coef.get(row, 0.0) + 1.0
            for row, sign in ((self.load_row[to], 1.0), (self.load_row[pc.holder], -1.0)):
                coef[row] = coef.get(row, 0.0) + sign * pc.points
        rows = sorted(r for r, v in coef.items() if v != 0.0)
        return rows, [coef[r] for r in rows]

    def add_pattern(self, q: str, items: frozenset[int]) -> None:
        idx, val = self._entries(items)
        self._add_column(sum(self.model.cost[c] for c in items), idx + [self.conv_row[q]], val + [1.0],
                         ("pattern", q, frozenset(self.model.col_case[c] for c in items)))
        self.patterns[q].add(items)

    def run(self) -> float:
        """Column generation; then, unless the bound proves the incumbent,
        Lagrangian fixing from the last duals. The bound."""
        bound, last = self.generate()
        if bound <= self.target and last is not None:
            self.fix(last)
        return bound

    def fix(self, lagrangian: float) -> None:
        """Lagrangian fixing at the root, from its last duals: a plan whose
        receiver q takes in a pattern P costs at least the bound plus P's
        reduced cost less q's least (and a plan using a plain column, plus
        that column's); every move column that puts each plan using it above
        the target goes into `fixed`."""
        solution = self.h.getSolution()
        duals, col_duals = list(solution.row_dual), list(solution.col_dual)
        room = self.target - lagrangian
        for k, kind in enumerate(self.kinds):
            if kind[0] == "plain" and col_duals[k] > room:
                self.fixed.add(kind[1])
        for q in self.receivers:
            least_rc, _items = self.price(q, duals)
            reduced = self.reduced(q, duals)
            neg_cost = sum(r for _c, _p, r in reduced if r < 0)
            left = self.need[q] - sum(p for _c, p, r in reduced if r < 0)
            by_size: dict[int, list[float]] = {}
            for _c, p, r in reduced:
                if r >= 0:
                    by_size.setdefault(p, []).append(r)
            items = [(p, r) for p, rs in by_size.items() for r in sorted(rs)[: max(1, math.ceil(left / p))]]
            table = cover_table(items, max(0, left))
            for c, p, r in reduced:
                if r < 0:
                    continue
                rest = left - p
                with_c = r + neg_cost + (0.0 if rest <= 0 else float(table[rest]))
                if with_c - duals[self.conv_row[q]] - min(0.0, least_rc) > room + 1e-6:
                    self.fixed.add(c)

    def reduced(self, q: str, duals: list[float]) -> list[tuple[int, int, float]]:
        """(move column, points, reduced cost) of every move into q."""
        out = []
        for c in self.into[q]:
            i = self.model.col_case[c]
            pc = self.problem.cases[i]
            dual = duals[self.case_row[i]] + pc.points * (duals[self.load_row[q]] - duals[self.load_row[pc.holder]])
            if i in self.link_row:
                dual -= duals[self.link_row[i]]
            out.append((c, int(pc.points), self.model.cost[c] - dual))
        return out

    def generate(self) -> tuple[float, float | None]:
        """Column generation: (the best Lagrangian bound, the bound from the
        master's last duals, which `fix` reads; None if it was not solved)."""
        import highspy

        best = -math.inf
        for _round in range(MAX_ROUNDS):
            self.h.run()
            if self.h.getModelStatus() != highspy.HighsModelStatus.kOptimal:
                return best, None
            value = self.h.getInfo().objective_function_value
            duals = list(self.h.getSolution().row_dual)
            priced = {q: self.price(q, duals) for q in self.receivers}
            last = value + sum(min(0.0, rc) for rc, _items in priced.values())
            best = max(best, last)
            if best > self.target or time.perf_counter() > self.until:
                return best, last
            new = [
                (q, items) for q, (rc, items) in priced.items()
                if rc < -1e-7 and items is not None and items not in self.patterns[q]
            ]
            if not new or _round == MAX_ROUNDS - 1:
                return best, last  # (the master's solution is still the one these duals are of)
            for q, items in new:
                self.add_pattern(q, items)
        return best, None

    def price(self, q: str, duals: list[float]) -> tuple[float, frozenset[int] | None]:
        """q's least reduced cost over patterns, and the pattern: a least-cost
        cover of need(q) points, each move column priced at its reduced cost
        (those below 0 always taken)."""
        taken: list[int] = []
        total, left = 0.0, self.need[q]
        rest: dict[int, list[tuple[float, int]]] = {}  # points -> (reduced cost, column)
        for c, p, r in self.reduced(q, duals):
            if r < 0:
                taken.append(c)
                total += r
                left -= p
            else:
                rest.setdefault(p, []).append((r, c))
        if left > 0:
            # a least-cost cover uses at most ceil(left / p) cases of p points: the cheapest of each size
            items: list[tuple[int, float]] = []
            which: list[int] = []
            for p, rows in rest.items():
                for r, c in sorted(rows)[: math.ceil(left / p)]:
                    items.append((p, r))
                    which.append(c)
            chosen = cover_pick(items, left)
            if chosen is None:
                return math.inf, None
            taken += [which[k] for k in chosen]
            total += sum(items[k][1] for k in chosen)
        return total - duals[self.conv_row[q]], frozenset(taken)
