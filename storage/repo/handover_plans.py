"""Planning one handover (with its checklist) and the planning guards every
plan and re-plan passes (`check_plan`); a departure's whole list is
`storage.handovers.plan_many`."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import TYPE_CHECKING

from sqlalchemy import select

from planner import validate
from planner.errors import CaseloadError
from planner.model import OPEN_HANDOVER_STATUSES, Case, ChecklistItem
from storage import audit
from storage.access import actor_for, guard_case, require_lead
from storage.repo.lookups import as_date, open_case_row, practitioner_row
from storage.repo.transactions import connection_of, execute, insert
from storage.tables import t

if TYPE_CHECKING:  # planner.policy is another part; imported lazily below
    from planner.policy import Policy


def nation_for(session, case, from_practitioner) -> str:
    """The nation whose working days a handover of the case counts (its team's):
    `case` and `from_practitioner` rows (Core or ORM)."""
    team_pk = case.team_pk or from_practitioner.team_pk
    nation = connection_of(session).execute(select(t.team.c.nation).where(t.team.c.id == team_pk)).scalar()
    return nation or from_practitioner.nation or "england-and-wales"


def plan_handover(
    session,
    *,
    case_ref: str,
    to_practitioner_id: str,
    planned_on: date,
    reason: str | None = None,
    actor: str,
    policy: Policy | None = None,
    as_of: date | None = None,
    override_reason: str | None = None,
    world=None,
) -> int:
    """Plan a warm handover of the case from its current practitioner to
    `to_practitioner_id` on `planned_on`, with its docs/handovers.md checklist; returns
    the handover's id. `as_of` defaults to today; `policy` None means the
    default policy (planner/default_policy.toml); `world` the
    `storage.queries.load_world` of this transaction, if the caller (one
    planning several handovers) has it already.

    Refused (CaseloadError, one line, nothing written): a case with an open
    handover, and what `planner.handover.planning_refusals` refuses (a date
    before `as_of`, a receiver who has left by then or is away that day,
    and, unless a team lead gives `override_reason`, a receiver the
    person's `not_with` list names or whose grade may not hold the case).
    An override is kept on the handover and audited (that there was one,
    never its text); an override reason given when nothing needs it is
    ignored."""
    from planner.calendar import working_days
    from planner.checklist import build_checklist

    from storage.queries import load_case, load_world

    as_of = as_date(as_of or date.today(), "as_of")
    row = open_case_row(session, case_ref, "plan a handover", lock=True)
    guard_case(session, actor, case_ref)
    receiver = practitioner_row(session, to_practitioner_id)
    planned_on = as_date(planned_on, "planned_on")
    validate.text_field("reason", reason)
    validate.text_field("override_reason", override_reason)
    case = load_case(session, case_ref)
    _refuse_plan(case, to_practitioner_id)
    override = check_plan(session, case, to_practitioner_id, planned_on, as_of=as_of, actor=actor,
                          override_reason=override_reason, world=world or load_world(session))
    giver = practitioner_row(session, case.practitioner_id)
    items = build_checklist(case, planned_on, working_days(nation_for(session, row, giver)), policy)
    handover_id = _add_handover(session, row, giver, receiver, planned_on, reason, override, items)
    audit.record(session, actor, "plan", "handover", handover_id, case_ref=case_ref,
                 from_practitioner_id=giver.practitioner_id, to_practitioner_id=to_practitioner_id,
                 planned_on=planned_on, items=[item.item_id for item in items],
                 **({"override": True} if override else {}))
    return handover_id


def _refuse_plan(case: Case, to_practitioner_id: str) -> None:
    """A case with no practitioner, already with the receiver, or with an open handover."""
    if case.practitioner_id is None:
        raise CaseloadError(f"case {case.case_ref} has no current practitioner to hand over from")
    if case.practitioner_id == to_practitioner_id:
        raise CaseloadError(f"case {case.case_ref} is already with {to_practitioner_id}")
    open_handover = case.open_handover
    if open_handover is not None:
        raise CaseloadError(
            f"case {case.case_ref} already has an open handover to {open_handover.to_practitioner_id} "
            f"on {open_handover.planned_on}; re-plan it with `caseload handover replan`"
        )


def _add_handover(session, row, giver, receiver, planned_on: date, reason: str | None, override: str | None,
                  items: Iterable[ChecklistItem]) -> int:
    """Write the planned handover and its checklist; the handover's id."""
    handover_id = insert(session, t.handover, case_id=row.id, from_practitioner_pk=giver.id,
                         to_practitioner_pk=receiver.id, planned_on=planned_on, status=OPEN_HANDOVER_STATUSES[0],
                         reason=reason or None, plan_override_reason=override)
    rows = [{"handover_id": handover_id, "item_id": item.item_id, "title": item.title, "required": item.required,
             "due": item.due, "owner": item.owner, "done": item.done, "done_on": item.done_on, "note": item.note}
            for item in items]
    if rows:
        execute(session, t.handover_item.insert(), rows)
    return handover_id


def check_plan(
    session,
    case,
    to_practitioner_id: str,
    planned_on: date,
    *,
    as_of: date,
    actor: str,
    override_reason: str | None,
    world=None,
) -> str | None:
    """Refuse (CaseloadError, one line) a handover of `case` (a planner
    `Case`) to `to_practitioner_id` on `planned_on` that docs/handovers.md's planning
    guards refuse; returns the override reason to keep (None when nothing
    needed one). Only a team lead of the case's team overrides, and only
    what may be overridden."""
    from planner.handover import planning_refusals, refusal_line

    from storage.access import case_team_id, check_receiver
    from storage.queries import load_world

    check_receiver(session, actor, case.case_ref, to_practitioner_id)
    world = world or load_world(session)
    receiver = world.practitioners.get(to_practitioner_id)
    if receiver is None:
        raise CaseloadError(f"unknown practitioner {to_practitioner_id}")
    refusals = planning_refusals(case, receiver, world, as_of, planned_on)
    if not refusals:
        return None
    override = override_reason.strip() if override_reason and override_reason.strip() else None
    if override is None or not all(r.overridable for r in refusals):
        who = actor_for(session, actor)
        raise CaseloadError(refusal_line(refusals, can_override=who.is_admin or who.is_lead))
    require_lead(actor_for(session, actor), case_team_id(session, case.case_ref),
                 f"plan the handover of case {case.case_ref} with an override")
    return override[:1000]
