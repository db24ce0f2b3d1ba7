"""Planning handovers: re-planning an open one (a new date or receiver),
planning a departure's whole list in one transaction, and what the lead may
want to know about a receiver. One case's plan is `storage.repo.plan_handover`."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import TYPE_CHECKING, Any, NamedTuple

from planner import validate
from planner.errors import CaseloadError
from storage import audit
from storage.access import guard_case
from storage.handovers.autoticks import sync_auto_ticks
from storage.handovers.reading import handover_detail
from storage.handovers.rows import edit_subject, item_rows, open_row, practitioner_code, update_handover, update_item
from storage.queries.handover_views import HandoverView
from storage.repo.lookups import as_date, case_row, practitioner_by_pk, practitioner_row
from storage.repo.transactions import check_version, editing, flush

if TYPE_CHECKING:
    from planner.departures import DepartureItem
    from planner.policy import Policy


def replan_handover(
    db,
    *,
    case_ref: str,
    to_practitioner_id: str | None = None,
    planned_on: date | None = None,
    actor: str,
    as_of: date | None = None,
    override_reason: str | None = None,
    expected_version: int | None = None,
    policy: Policy | None = None,
) -> HandoverView:
    """Re-plan the case's open handover: a new date, a new receiver, or both
    (docs/handovers.md), without cancelling it. The planning guards apply as when it
    was planned (`storage.repo.check_plan`; a lead's override reason is kept
    and audited). The checklist keeps what is done by hand; the items not
    yet done take the due dates of the new date; items ticked from the
    records are ticked again from the records against the new date and
    receiver (`sync_auto_ticks`), so a first appointment booked with the
    old receiver no longer counts. `as_of` defaults to today."""
    from planner.calendar import working_days
    from planner.handover import redated

    from storage.queries import load_case, load_world
    from storage.repo import check_plan
    from storage.repo.handover_plans import nation_for

    as_of = as_date(as_of or date.today(), "as_of")
    if to_practitioner_id is None and planned_on is None:
        raise CaseloadError("give a new receiver (--to), a new date (--on), or both")
    case_record, row = open_row(db, case_ref, "re-plan")
    guard_case(db, actor, case_ref)
    validate.text_field("override_reason", override_reason)
    check_version(db, row, expected_version, edit_subject(case_ref))
    old_to, old_on = practitioner_code(db, row.to_practitioner_pk), row.planned_on
    new_to = to_practitioner_id or old_to
    new_on = as_date(planned_on, "planned_on") if planned_on is not None else old_on
    if new_to == old_to and new_on == old_on:
        raise CaseloadError(f"the handover of case {case_ref} is already to {old_to} on {old_on.isoformat()}")
    case = load_case(db, case_ref)
    if case.practitioner_id == new_to:
        raise CaseloadError(f"case {case_ref} is already with {new_to}")
    override = check_plan(db, case, new_to, new_on, as_of=as_of, actor=actor,
                          override_reason=override_reason, world=load_world(db))
    receiver = practitioner_row(db, new_to)
    giver = practitioner_by_pk(db, row.from_practitioner_pk)
    dues = redated(case, new_on, working_days(nation_for(db, case_record, giver)), policy)
    editing(db, edit_subject(case_ref))
    update_handover(db, row, case_ref, to_practitioner_pk=receiver.id, planned_on=new_on,
                    **({"plan_override_reason": override} if override is not None else {}))
    redone = _redate_items(db, row, case_ref, dues)
    audit.record(db, actor, "replan", "handover", row.id, case_ref=case_ref, handover_id=row.id,
                 old_to_practitioner_id=old_to, to_practitioner_id=new_to,
                 old_planned_on=old_on, planned_on=new_on, auto_ticks_rechecked=redone,
                 **({"override": True} if override else {}))
    sync_auto_ticks(db, as_of=as_of, case_refs=[case_ref], actor=actor, policy=policy)
    return handover_detail(db, case_ref, as_of=as_of, handover_id=row.id)


def _redate_items(db, row: Any, case_ref: str, dues: dict[str, date]) -> list[str]:
    """Untick the items ticked from the records (to be ticked again against the
    new plan) and give the items not done their new due dates; returns the
    unticked items' ids."""
    redone: list[str] = []
    for item in item_rows(db, row.id):
        values: dict[str, Any] = {}
        if item.done and item.auto:
            values.update(done=False, done_on=None, done_by=None, auto=False)
            redone.append(item.item_id)
        if (values or not item.done) and item.item_id in dues and dues[item.item_id] != item.due:
            values["due"] = dues[item.item_id]
        if values:
            update_item(db, item, case_ref, **values)
    return redone


# ---------------------------------------------------------------- planning


PlanRow = tuple  # (case_ref, to_practitioner_id, planned_on, reason)


class _Plan(NamedTuple):
    """One handover to plan, by name."""

    case_ref: str
    to_practitioner_id: str
    planned_on: date
    reason: str | None


def _plan_of(plan: PlanRow | DepartureItem) -> _Plan:
    """A `PlanRow` tuple (its reason optional) or a `DepartureItem`, by name;
    a departure item without a receiver is refused."""
    if hasattr(plan, "to_practitioner_id"):
        if plan.to_practitioner_id is None:
            raise CaseloadError(f"case {plan.case_ref} has no receiver; choose one first")
        return _Plan(plan.case_ref, plan.to_practitioner_id, plan.planned_on, plan.handover_reason)
    case_ref, to_id, planned_on, *rest = plan
    return _Plan(case_ref, to_id, planned_on, rest[0] if rest else None)


def plan_many(
    db,
    plans: Iterable[PlanRow | DepartureItem],
    *,
    actor: str,
    policy: Policy | None = None,
    as_of: date | None = None,
) -> list[int]:
    """Plan several handovers in the caller's one transaction, each with its
    checklist (`storage.repo.plan_handover`); returns their ids in order.

    `plans` holds (case_ref, to_practitioner_id, planned_on, reason) tuples or
    `planner.departures.DepartureItem`s (items without a receiver are refused:
    filter them first). Any refusal raises and, as the caller rolls back,
    nothing is planned. `as_of` (default today) is the date the planning
    guards count from; auto-ticks are synced for these cases when it is given."""
    from storage.queries import load_world
    from storage.repo import plan_handover

    rows = [_plan_of(plan) for plan in plans]
    seen: set[str] = set()
    for row in rows:
        if row.case_ref in seen:
            raise CaseloadError(f"case {row.case_ref} is in the plan twice")
        seen.add(row.case_ref)
    world = load_world(db) if rows else None  # who is who and away: planning handovers changes none of it
    ids = [
        plan_handover(db, case_ref=row.case_ref, to_practitioner_id=row.to_practitioner_id,
                      planned_on=row.planned_on, reason=row.reason, actor=actor, policy=policy, as_of=as_of,
                      world=world)
        for row in rows
    ]
    if as_of is not None and rows:
        sync_auto_ticks(db, as_of=as_of, case_refs=[row.case_ref for row in rows], actor=actor,
                        policy=policy)
    return ids


def receiver_concerns(
    db,
    *,
    case_ref: str,
    to_practitioner_id: str,
    planned_on: date,
    as_of: date,
    policy: Policy | None = None,
) -> list[str]:
    """What the lead may want to know about a receiver that planning does not
    refuse (`storage.repo.check_plan` refuses the rest): a team lead as
    receiver, someone leaving soon after or away for long in the next weeks
    (`planner.exclusions.receiver_exclusion`), another team. Empty when none."""
    from planner.exclusions import receiver_exclusion
    from planner.policy import DEFAULT_POLICY

    flush(db)
    from storage.queries import load_world

    world = load_world(db)
    receiver = world.practitioners.get(to_practitioner_id)
    if receiver is None:
        raise CaseloadError(f"unknown practitioner {to_practitioner_id}")
    case = case_row(db, case_ref)
    from storage.access import case_team_id

    out = []
    reason = receiver_exclusion(receiver, world, as_of, policy or DEFAULT_POLICY)
    if reason:
        out.append(reason)
    team = case_team_id(db, case.case_ref)
    if team is not None and team != receiver.team_id:
        out.append(f"{to_practitioner_id} is in team {receiver.team_id}, the case is with {team}")
    return out
