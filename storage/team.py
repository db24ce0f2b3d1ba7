"""A team's rebalance: load its input, apply a plan as planned handovers.

Applying never reallocates a case silently: every move becomes a planned
warm handover with its SPEC §4 checklist (storage.repo.plan_handover), the
allocation changing only when the handover is completed. A move to the
receiver of a handover that is already planned creates nothing new. The
whole plan is one transaction (the caller commits with
storage.repo.commit_or_conflict), with one audit event per handover plus one
for the rebalance decision (counts and total cost, never names).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import select
from sqlmodel import Session

from planner.errors import CaseloadError, ConflictError
from planner.policy import DEFAULT_POLICY, Policy
from planner.rebalance import RebalanceInput, RebalancePlan
from storage import audit
from storage import models as m
from storage.queries import list_practitioners, load_cases, load_world
from storage.repo import plan_handover


def rebalance_input(
    session: Session, team_id: str, as_of: date, policy: Policy = DEFAULT_POLICY
) -> RebalanceInput:
    """The team's open cases (held by its practitioners) and the world.
    CaseloadError for an unknown team."""
    cases = load_cases(session, team_id=team_id)  # raises for an unknown team
    world = load_world(session)
    return RebalanceInput(team_id=team_id, as_of=as_of, cases=tuple(cases), world=world, policy=policy)


def check_may_apply(session: Session, actor: str | None, team_id: str) -> None:
    """Refuse unless the actor leads the team (`storage.access.require_lead`).
    An actor that is no practitioner id (the OS user, when no `--as` is given)
    is the administrator, except on a practitioner's own PostgreSQL login."""
    from storage.access import actor_for, require_lead

    require_lead(actor_for(session, actor), team_id, "apply a rebalance")


@dataclass(frozen=True, slots=True)
class AppliedPlan:
    team_id: str
    planned_on: date
    handover_ids: tuple[int, ...]  # new handovers, in the order of plan.moves
    already_planned: tuple[str, ...]  # case refs whose handover to the receiver existed


def apply_plan(
    session: Session,
    plan: RebalancePlan,
    *,
    handover_on: date | None = None,
    actor: str,
    policy: Policy = DEFAULT_POLICY,
) -> AppliedPlan:
    """Plan a handover for every move of the plan (default date: as-of + 14 days).

    Refused (CaseloadError, nothing written) when the actor is a practitioner
    but not the team's lead, when the date is before the plan's as-of date,
    or when a case has changed hands or gained another handover since the
    plan was made (ConflictError: run the rebalance again). Does not commit."""
    check_may_apply(session, actor, plan.team_id)
    planned_on = handover_on or plan.as_of + timedelta(days=policy.handover.default_days_ahead)
    if planned_on < plan.as_of:
        raise CaseloadError(
            f"handover date {planned_on.isoformat()} is before the plan's date {plan.as_of.isoformat()}"
        )
    known = {p.practitioner_id for p in list_practitioners(session, plan.team_id)}
    refs = [move.case_ref for move in plan.moves]
    current = {c.case_ref: c for c in load_cases(session, case_refs=refs)} if refs else {}
    new_ids: list[int] = []
    already: list[str] = []
    for move in plan.moves:
        case = current.get(move.case_ref)
        if case is None:
            raise ConflictError(f"case {move.case_ref} is no longer open; run the rebalance again")
        if move.to_id not in known:
            raise ConflictError(f"{move.to_id} is no longer in team {plan.team_id}; run the rebalance again")
        if case.practitioner_id != move.from_id:
            raise ConflictError(
                f"case {move.case_ref} is now with {case.practitioner_id}, not {move.from_id}; "
                "run the rebalance again"
            )
        handover = case.open_handover
        if handover is not None:
            if handover.to_practitioner_id == move.to_id:
                already.append(move.case_ref)
                continue
            raise ConflictError(
                f"case {move.case_ref} now has a handover to {handover.to_practitioner_id} planned; "
                "run the rebalance again"
            )
        new_ids.append(
            plan_handover(
                session,
                case_ref=move.case_ref,
                to_practitioner_id=move.to_id,
                planned_on=planned_on,
                reason="rebalancing",
                actor=actor,
                policy=policy,
            )
        )
    audit.record(
        session,
        actor,
        "rebalance",
        "team",
        plan.team_id,
        as_of=plan.as_of,
        planned_on=planned_on,
        target_pct=plan.target_pct,
        moves=len(plan.moves),
        handovers_planned=len(new_ids),
        already_planned=len(already),
        total_cost=plan.total_cost,
        overload_points=plan.overload_points,
        solver=plan.solver.name,
        solver_status=plan.solver.status,
        edited=plan.edited,
    )
    return AppliedPlan(plan.team_id, planned_on, tuple(new_ids), tuple(already))


__all__ = ["AppliedPlan", "apply_plan", "check_may_apply", "rebalance_input"]
