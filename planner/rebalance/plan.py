"""A rebalance plan: who ends with what, the moves and why, the solver's
report, and its JSON (docs/rebalancing.md, "The plan")."""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import date
from typing import Any

from planner.exclusions import Exclusions
from planner.rebalance.problem import RebalanceProblem

@dataclass(frozen=True, slots=True)
class PlanPractitioner:
    practitioner_id: str
    available_points: float
    target_points: float
    points_before: float
    points_after: float
    receiver_exclusion: str | None = None

    @property
    def pct_before(self) -> float:
        return _pct(self.points_before, self.available_points)

    @property
    def pct_after(self) -> float:
        return _pct(self.points_after, self.available_points)


def _pct(points: float, available: float) -> float:
    if available <= 0:
        return 0.0 if points <= 0 else math.inf
    return points / available * 100.0


@dataclass(frozen=True, slots=True)
class PlanCase:
    case_ref: str
    practitioner_id: str
    points: float
    move_costs: dict[str, float]
    fixed_reason: str | None = None
    terms: dict[str, Any] | None = None  # w, e, m1, k, known receivers (ProblemCase.terms)


@dataclass(frozen=True, slots=True)
class Move:
    case_ref: str
    from_id: str
    to_id: str
    cost: float
    reason: str
    points: float
    already_planned: bool = False  # an open handover already goes to to_id


@dataclass(frozen=True, slots=True)
class SolverReport:
    name: str  # "highs" (or "greedy" for the baseline)
    status: str  # optimal | time_limit | ... | heuristic
    gap: float | None  # relative MIP gap (0.0 = proven optimal); None if unknown
    seconds: float
    overload_status: str = "optimal"  # status of the overload phase
    phases: int = 0  # solver runs made (0: nothing to decide)
    overload_gap: float | None = 0.0  # gap of the overload phase alone
    cost_gap: float | None = 0.0  # gap of the cost phase alone (given the overload found)


@dataclass(frozen=True, slots=True)
class RebalancePlan:
    team_id: str
    as_of: date
    target_pct: float
    practitioners: tuple[PlanPractitioner, ...]
    cases: tuple[PlanCase, ...]
    moves: tuple[Move, ...]
    total_cost: float
    overload_points: float
    solver: SolverReport
    edited: bool = False  # moves were dropped by hand after solving
    exclusions: Exclusions | None = None  # excluded cases, receivers and pairs, with reasons

    def practitioner(self, practitioner_id: str) -> PlanPractitioner:
        for p in self.practitioners:
            if p.practitioner_id == practitioner_id:
                return p
        raise KeyError(practitioner_id)

    @property
    def over_target(self) -> list[str]:
        """Practitioners still above the target after the plan."""
        return [p.practitioner_id for p in self.practitioners if p.points_after > p.target_points + 1e-6]


def _round(x: float, nd: int = 6) -> float:
    r = round(x, nd)
    return 0.0 if r == 0 else r


def _make_plan(
    problem: RebalanceProblem, assignment: Mapping[str, str], solver: SolverReport
) -> RebalancePlan:
    before = problem.load({})
    after = problem.load(assignment)
    practitioners = tuple(
        PlanPractitioner(
            practitioner_id=q,
            available_points=problem.available[q],
            target_points=problem.limits[q],
            points_before=before[q],
            points_after=after[q],
            receiver_exclusion=problem.receiver_exclusions.get(q),
        )
        for q in problem.practitioners
    )
    cases = tuple(
        PlanCase(pc.case_ref, pc.holder, pc.points, dict(pc.costs), pc.fixed_reason, pc.terms())
        for pc in problem.cases
    )
    moves = []
    for pc in problem.cases:
        q = assignment.get(pc.case_ref, pc.holder)
        if q == pc.holder:
            continue
        moves.append(
            Move(
                case_ref=pc.case_ref,
                from_id=pc.holder,
                to_id=q,
                cost=pc.costs[q],
                reason=pc.reason(q),
                points=pc.points,
                already_planned=pc.planned_to == q,
            )
        )
    moves.sort(key=lambda m: (m.from_id, m.case_ref))
    return RebalancePlan(
        team_id=problem.team_id,
        as_of=problem.as_of,
        target_pct=problem.target_pct,
        practitioners=practitioners,
        cases=cases,
        moves=tuple(moves),
        total_cost=_round(sum(m.cost for m in moves)),
        overload_points=_round(problem.overload(assignment)),
        solver=solver,
        exclusions=problem.exclusions,
    )


def with_moves(plan: RebalancePlan, case_refs: Iterable[str]) -> RebalancePlan:
    """The plan keeping only the moves of these cases (the lead accepts or drops
    moves one by one); capacity after, cost and overload recomputed."""
    keep = set(case_refs)
    moves = tuple(m for m in plan.moves if m.case_ref in keep)
    after = {p.practitioner_id: p.points_before for p in plan.practitioners}
    for m in moves:
        after[m.from_id] -= m.points
        after[m.to_id] += m.points
    practitioners = tuple(replace(p, points_after=after[p.practitioner_id]) for p in plan.practitioners)
    overload = sum(max(0.0, p.points_after - p.target_points) for p in practitioners)
    return replace(
        plan,
        practitioners=practitioners,
        moves=moves,
        total_cost=_round(sum(m.cost for m in moves)),
        overload_points=_round(overload),
        edited=len(moves) != len(plan.moves),
    )




def _num(x: float, nd: int = 2) -> float | None:
    if not math.isfinite(x):
        return None
    return _round(x, nd)


def plan_to_dict(plan: RebalancePlan) -> dict[str, Any]:
    """The JSON object of `caseload rebalance --format json` (README.md):
    enough to check the plan independently. Beyond the plan's own keys, each movable case carries `cost_terms` (w, e, m1, k and the
    receivers for whom m2 = 0.5) and `exclusions` lists every excluded case,
    receiver and pair with its reason (`planner.exclusions`)."""
    target = plan.target_pct
    return {
        "team": plan.team_id,
        "as_of": plan.as_of.isoformat(),
        "target_pct": int(target) if float(target).is_integer() else target,
        "practitioners": [
            {
                "practitioner_id": p.practitioner_id,
                "available_points": _num(p.available_points),
                "points_before": _num(p.points_before),
                "points_after": _num(p.points_after),
            }
            for p in plan.practitioners
        ],
        "cases": [
            {
                "case_ref": c.case_ref,
                "practitioner_id": c.practitioner_id,
                "points": _num(c.points),
                "move_costs": {q: _num(v, 6) for q, v in c.move_costs.items()},
                **({"cost_terms": c.terms} if c.terms is not None else {}),
            }
            for c in plan.cases
        ],
        "moves": [
            {"case_ref": m.case_ref, "from": m.from_id, "to": m.to_id, "cost": _num(m.cost, 6), "reason": m.reason}
            for m in plan.moves
        ],
        "total_cost": _num(plan.total_cost, 6),
        "overload_points": _num(plan.overload_points, 6),
        "exclusions": (plan.exclusions or Exclusions({}, {}, {})).to_dict(),
        "solver": {
            "name": plan.solver.name,
            "status": plan.solver.status,
            "gap": None if plan.solver.gap is None else _round(plan.solver.gap, 6),
            "seconds": round(plan.solver.seconds, 3),
        },
    }
