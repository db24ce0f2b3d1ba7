"""A team's rebalance: load its input, apply a plan as planned handovers.

Applying never reallocates a case silently: every move becomes a planned
warm handover with its docs/handovers.md checklist (storage.repo.plan_handover), the
allocation changing only when the handover is completed. A move to the
receiver of a handover that is already planned creates nothing new. The
whole plan is one transaction (the caller commits with
storage.repo.commit_or_conflict), with one audit event per handover plus one
for the rebalance decision (counts and total cost, never names).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import TYPE_CHECKING

from planner.errors import CaseloadError, ConflictError
from planner.policy import DEFAULT_POLICY, Policy
from planner.rebalance import RebalanceInput, RebalancePlan
from storage.queries import list_practitioners, load_cases, load_world

if TYPE_CHECKING:
    from sqlmodel import Session

# A preview (`rebalance_input`, `plan_dates`) reads through a session or a
# storage.reader Reader alike; only `apply_plan` writes, and imports the ORM.


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
    planned_on: date  # the first handover date
    handover_ids: tuple[int, ...]  # new handovers, in the order of plan.moves
    already_planned: tuple[str, ...]  # case refs whose handover to the receiver existed
    dates: dict[str, date] = field(default_factory=dict)  # case ref -> handover date

    @property
    def last_on(self) -> date:
        return max(self.dates.values(), default=self.planned_on)


def plan_dates(session: Session, plan: RebalancePlan, *, first: date | None = None,
               policy: Policy = DEFAULT_POLICY, read: RebalanceInput | None = None) -> dict[str, date]:
    """The staggered handover dates for the plan's moves
    (`planner.rebalance.handover_dates`, from as-of + 28 days by default):
    what the lead sees, may change, and confirms. `read`: the team's input
    the plan was made from, read through the same session (its cases and
    world are then not read again)."""
    from planner.rebalance import handover_dates

    refs = [m.case_ref for m in plan.moves]
    if not refs:
        return {}
    givers = {m.from_id for m in plan.moves}
    team_cases = read.cases if read is not None else load_cases(session, team_id=plan.team_id)
    cases = [c for c in team_cases if c.case_ref in refs
             or (c.open_handover is not None and c.open_handover.from_practitioner_id in givers)]
    world = read.world if read is not None else load_world(session)
    return handover_dates(plan, cases, world, policy, first=first).dates


def apply_plan(
    session: Session,
    plan: RebalancePlan,
    *,
    handover_on: date | None = None,
    dates: dict[str, date] | None = None,
    actor: str,
    policy: Policy = DEFAULT_POLICY,
) -> AppliedPlan:
    """Plan a handover for every move of the plan, on the dates the lead
    confirmed: `dates` (case ref -> date) where given, else staggered from
    `handover_on` (default as-of + 28 days; `plan_dates`).

    Refused (CaseloadError, nothing written) when the actor is a practitioner
    but not the team's lead, when a date is before the plan's as-of date or
    the planning guards refuse a handover (`storage.repo.check_plan`), or
    when a case has changed hands or gained another handover since the plan
    was made (ConflictError: run the rebalance again). Does not commit."""
    from storage.repo import plan_handover

    check_may_apply(session, actor, plan.team_id)
    dated = dict(dates or {})
    if any(m.case_ref not in dated for m in plan.moves if not m.already_planned):  # those not given, staggered
        dated = {**plan_dates(session, plan, first=handover_on, policy=policy), **dated}
    for ref, day in dated.items():
        if day < plan.as_of:
            raise CaseloadError(
                f"{ref}: handover date {day.isoformat()} is before the plan's date {plan.as_of.isoformat()}"
            )
    known = {p.practitioner_id for p in list_practitioners(session, plan.team_id)}
    refs = [move.case_ref for move in plan.moves]
    current = {c.case_ref: c for c in load_cases(session, case_refs=refs)} if refs else {}
    new_ids: list[int] = []
    already: list[str] = []
    world = load_world(session) if plan.moves else None  # planning handovers changes no one's team or days away
    for move in plan.moves:
        if _already_planned(move, current.get(move.case_ref), known, plan.team_id):
            already.append(move.case_ref)
            continue
        new_ids.append(
            plan_handover(
                session,
                case_ref=move.case_ref,
                to_practitioner_id=move.to_id,
                planned_on=dated.get(move.case_ref)
                or handover_on or plan.as_of + timedelta(days=policy.handover.rebalance_days_ahead),
                reason="rebalancing",
                actor=actor,
                policy=policy,
                as_of=plan.as_of,
                world=world,
            )
        )
    used = {m.case_ref: dated[m.case_ref] for m in plan.moves if m.case_ref not in already and m.case_ref in dated}
    _record_rebalance(session, actor, plan, used, handovers_planned=len(new_ids), already_planned=len(already))
    return AppliedPlan(plan.team_id, min(used.values(), default=plan.as_of), tuple(new_ids), tuple(already),
                       used)


def _already_planned(move, case, known: set[str], team_id: str) -> bool:
    """Whether the move's handover is already planned; ConflictError if the
    case or the team changed since the plan was made."""
    if case is None:
        raise ConflictError(f"case {move.case_ref} is no longer open; run the rebalance again")
    if move.to_id not in known:
        raise ConflictError(f"{move.to_id} is no longer in team {team_id}; run the rebalance again")
    if case.practitioner_id != move.from_id:
        raise ConflictError(
            f"case {move.case_ref} is now with {case.practitioner_id}, not {move.from_id}; "
            "run the rebalance again"
        )
    handover = case.open_handover
    if handover is None:
        return False
    if handover.to_practitioner_id == move.to_id:
        return True
    raise ConflictError(
        f"case {move.case_ref} now has a handover to {handover.to_practitioner_id} planned; "
        "run the rebalance again"
    )


def _record_rebalance(session, actor: str, plan: RebalancePlan, used: dict[str, date], *,
                      handovers_planned: int, already_planned: int) -> None:
    """The rebalance decision's audit event: counts, dates and cost, never names."""
    from storage import audit

    audit.record(
        session,
        actor,
        "rebalance",
        "team",
        plan.team_id,
        as_of=plan.as_of,
        planned_from=min(used.values(), default=None),
        planned_to=max(used.values(), default=None),
        target_pct=plan.target_pct,
        moves=len(plan.moves),
        handovers_planned=handovers_planned,
        already_planned=already_planned,
        total_cost=plan.total_cost,
        overload_points=plan.overload_points,
        solver=plan.solver.name,
        solver_status=plan.solver.status,
        edited=plan.edited,
    )


__all__ = ["AppliedPlan", "apply_plan", "check_may_apply", "plan_dates", "rebalance_input"]
