"""A team's rebalance problem (docs/rebalancing.md, "The problem" and
"Exclusions"): the cases that may move, to whom, at what cost, and each
practitioner's target points."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from planner.errors import CaseloadError
from planner.exclusions import Exclusions, pair_exclusion
from planner.exclusions import case_exclusion as _case_exclusion
from planner.exclusions import receiver_exclusion as _receiver_exclusion
from planner.model import Case, Practitioner, World
from planner.policy import DEFAULT_POLICY, Policy
from planner.rebalance.costs import CaseFacts, case_facts, disruption_cost, from_facts
from planner.rebalance.explain import move_reason
from planner.workload import available_points, case_points

@dataclass(frozen=True, slots=True)
class RebalanceInput:
    """Everything the rebalance looks at: the team's open cases (with their
    allocations, contacts and handovers) and the world (practitioners,
    absences). storage.team.rebalance_input builds it from the database."""

    team_id: str
    as_of: date
    cases: tuple[Case, ...]
    world: World
    policy: Policy = DEFAULT_POLICY

    @property
    def members(self) -> list[Practitioner]:
        return sorted(
            (p for p in self.world.practitioners.values() if p.team_id == self.team_id),
            key=lambda p: p.practitioner_id,
        )




def case_exclusion(case: Case, keep_cases: Iterable[str] = (), as_of: date | None = None,
                   policy: Policy = DEFAULT_POLICY) -> str | None:
    """Why a case must stay where it is, or None if it may move
    (`planner.exclusions.case_exclusion`, and the lead's "leave it alone")."""
    if case.practitioner_id is None:
        return "no current practitioner"
    why = _case_exclusion(case, as_of or date.min, policy)
    if why is not None:
        return why
    if case.case_ref in set(keep_cases):
        return "left alone at the lead's request"
    return None


def receiver_exclusion(
    practitioner: Practitioner, world: World, as_of: date, policy: Policy = DEFAULT_POLICY
) -> str | None:
    """Why a practitioner may not receive cases, or None (`planner.exclusions`)."""
    return _receiver_exclusion(practitioner, world, as_of, policy)




@dataclass(frozen=True, slots=True)
class ProblemCase:
    case_ref: str
    holder: str
    points: float
    costs: dict[str, float]  # allowed receiver -> cost (empty: the case stays)
    fixed_reason: str | None  # why the case cannot move at all (None if it may)
    planned_to: str | None  # receiver of an open handover, if any
    facts: CaseFacts | None = None  # behind the costs (None for a case that stays)

    def reason(self, receiver_id: str) -> str:
        """Why moving the case to this receiver costs what it does, in words."""
        f = self.facts
        if f is None:
            return ""
        # (the reason's words do not depend on m2)
        return move_reason(from_facts(f, receiver_id, cost=self.costs.get(receiver_id, 0.0), m2=1.0))

    def terms(self) -> dict[str, Any] | None:
        """The numbers behind `costs` (docs/rebalancing.md, "The cost of a
        move"): w, e, m1, k, and the receivers
        for whom m2 is 0.5 (they held the case or saw the person)."""
        f = self.facts
        if f is None:
            return None
        return {"w": f.w, "e": f.e, "m1": f.m1, "k": f.k,
                "known": sorted(q for q in self.costs if q in f.held_until or q in f.last_seen)}


@dataclass(frozen=True, slots=True)
class RebalanceProblem:
    team_id: str
    as_of: date
    target_pct: float
    practitioners: tuple[str, ...]
    available: dict[str, float]
    limits: dict[str, float]  # target points = target % x available
    cases: tuple[ProblemCase, ...]
    receiver_exclusions: dict[str, str]  # practitioner -> why they receive nothing
    left_alone: frozenset[str]
    pair_exclusions: dict[tuple[str, str], str] = field(default_factory=dict)  # (case, receiver) -> why not

    @property
    def exclusions(self) -> Exclusions:
        """Every excluded case, receiver and pair, with its reason (for the JSON)."""
        return Exclusions(
            {pc.case_ref: pc.fixed_reason for pc in self.cases if pc.fixed_reason},
            dict(self.receiver_exclusions),
            dict(self.pair_exclusions),
        )

    def load(self, assignment: Mapping[str, str]) -> dict[str, float]:
        points = {q: 0.0 for q in self.practitioners}
        for pc in self.cases:
            q = assignment.get(pc.case_ref, pc.holder)
            points[q] = points.get(q, 0.0) + pc.points
        return points

    def overload(self, assignment: Mapping[str, str]) -> float:
        points = self.load(assignment)
        return sum(max(0.0, points[q] - self.limits.get(q, 0.0)) for q in points)

    def cost(self, assignment: Mapping[str, str]) -> float:
        total = 0.0
        for pc in self.cases:
            q = assignment.get(pc.case_ref, pc.holder)
            if q != pc.holder:
                total += pc.costs[q]
        return total


def build_problem(
    inp: RebalanceInput,
    *,
    target_pct: float | None = None,
    keep_cases: Iterable[str] = (),
    keep_practitioners: Iterable[str] = (),
) -> RebalanceProblem:
    """The cases, allowed pairs and costs of a team's rebalance."""
    policy, as_of, world = inp.policy, inp.as_of, inp.world
    target = policy.workload.target_pct if target_pct is None else float(target_pct)
    if not target > 0:
        raise CaseloadError(f"target must be a positive percentage, got {target_pct}")
    members = inp.members
    if not members:
        raise CaseloadError(f"team {inp.team_id} has no practitioners")
    ids = tuple(p.practitioner_id for p in members)
    keep_cases = frozenset(keep_cases)
    left_alone = frozenset(keep_practitioners)
    unknown = sorted(left_alone - set(ids))
    if unknown:
        raise CaseloadError(f"not in team {inp.team_id}: {', '.join(unknown)}")
    available = {p.practitioner_id: available_points(p, policy) for p in members}
    receiver_exclusions = _receiver_exclusions(members, world, as_of, policy, left_alone)
    receivers = [p for p in members if p.practitioner_id not in receiver_exclusions]
    cases: list[ProblemCase] = []
    pair_exclusions: dict[tuple[str, str], str] = {}
    for case in sorted(inp.cases, key=lambda c: c.case_ref):
        if case.practitioner_id not in available or case.status == "closed":
            continue  # not held in this team (or left the caseload)
        fixed = case_exclusion(case, keep_cases, as_of, policy)
        if fixed is None and case.practitioner_id in left_alone:
            fixed = f"{case.practitioner_id} left alone at the lead's request"
        cases.append(_problem_case(case, fixed, receivers, available, as_of, policy, pair_exclusions))
    return RebalanceProblem(
        team_id=inp.team_id,
        as_of=as_of,
        target_pct=target,
        practitioners=ids,
        available=available,
        limits={q: available[q] * target / 100.0 for q in ids},
        cases=tuple(cases),
        receiver_exclusions=receiver_exclusions,
        left_alone=left_alone,
        pair_exclusions=pair_exclusions,
    )


def _receiver_exclusions(
    members: list[Practitioner], world: World, as_of: date, policy: Policy, left_alone: frozenset[str]
) -> dict[str, str]:
    """Practitioner -> why they may receive no case (docs/rebalancing.md, "Exclusions")."""
    out: dict[str, str] = {}
    for p in members:
        why = receiver_exclusion(p, world, as_of, policy)
        if why is None and p.practitioner_id in left_alone:
            why = "left alone at the lead's request"
        if why is not None:
            out[p.practitioner_id] = why
    return out


def _problem_case(
    case: Case,
    fixed: str | None,
    receivers: list[Practitioner],
    available: Mapping[str, float],
    as_of: date,
    policy: Policy,
    pair_exclusions: dict[tuple[str, str], str],
) -> ProblemCase:
    """One case of the problem: its allowed receivers and their costs (the
    barred pairs go into `pair_exclusions`), or why it stays."""
    holder = case.practitioner_id
    handover = case.open_handover
    planned_to = handover.to_practitioner_id if handover is not None else None
    costs: dict[str, float] = {}
    facts = None
    if fixed is None:
        facts = case_facts(case, as_of, policy)
        for p in receivers:
            q = p.practitioner_id
            if q == holder:
                continue
            bar = pair_exclusion(case, p)
            if bar is None and planned_to is not None and q != planned_to:
                bar = f"a handover to {planned_to} is already planned"
            if bar is not None:
                pair_exclusions[(case.case_ref, q)] = bar
                continue
            costs[q] = disruption_cost(case, q, as_of, policy, facts).cost
        if planned_to is not None and not costs and planned_to not in available:
            fixed = f"handover to {planned_to} (another team) already planned"
        elif planned_to is not None and not costs:
            fixed = f"handover to {planned_to} already planned"
    return ProblemCase(
        case_ref=case.case_ref,
        holder=holder,
        points=case_points(case, policy),
        costs=costs,
        fixed_reason=fixed,
        planned_to=planned_to,
        facts=facts if costs else None,
    )
