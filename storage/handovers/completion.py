"""Completing a handover (see `planner.handover` for the rule): the case moves
to the receiver on the date; required items due later stay open as follow-ups."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from typing import TYPE_CHECKING, Any

from planner import validate
from planner.errors import CaseloadError
from planner.model import Handover
from storage import audit
from storage.access import actor_for, check_override, guard_case
from storage.handovers.autoticks import sync_auto_ticks
from storage.handovers.reading import handover_detail
from storage.handovers.rows import (
    edit_subject,
    handover_row,
    item_rows,
    open_row,
    planner_handover,
    practitioner_code,
    update_handover,
)
from storage.queries.handover_views import HandoverView, item_state
from storage.repo.lookups import as_date
from storage.repo.transactions import check_version, editing

if TYPE_CHECKING:
    from planner.policy import Policy


def complete_handover(
    db,
    *,
    case_ref: str,
    on: date,
    override_reason: str | None = None,
    actor: str,
    expected_version: int | None = None,
    policy: Policy | None = None,
    as_of: date | None = None,
) -> HandoverView:
    """Complete the case's open handover on `on`: the old allocation ends and
    the receiver's begins on `on` (`storage.repo.allocate`). `on` may not be
    after `as_of` (default: today).

    Auto-ticks are synced first (as of `on`). `told`, `summary`, `read` and
    `three_way`, and the other required items due on or before `on`, must be
    done (`planner.handover.due_by`); with any of them open a team lead's
    `override_reason` is needed (else CaseloadError naming the items); it is
    recorded, the handover is `completed_cold`, and the `complete` audit
    event says `override: true` with the open items. Items due after `on`
    stay open as follow-ups (listed in the audit event as `follow_up`)."""
    from planner.handover import can_complete, complete, follow_up_ids

    from storage.repo import allocate

    on = as_date(on, "on")
    as_of = as_date(as_of or date.today(), "as_of")
    validate.text_field("override_reason", override_reason)
    case, row = open_row(db, case_ref, "complete")
    guard_case(db, actor, case_ref)
    check_version(db, row, expected_version, edit_subject(case_ref))
    if on > as_of:
        complete(planner_handover(db, row, item_rows(db, row.id)), on, None, as_of)  # refuses
    sync_auto_ticks(db, as_of=on, case_refs=[case_ref], actor=actor, policy=policy)
    row = handover_row(db, row.id)  # as the sync left it
    before = planner_handover(db, row, item_rows(db, row.id))
    _, open_ids = can_complete(before, on)
    if open_ids and override_reason and override_reason.strip():  # items open: the team lead's call
        check_override(db, actor_for(db, actor), case_ref)
    done = complete(before, on, override_reason, as_of)  # refuses without an override
    _check_holder(db, case, row, before)
    allocation_id = allocate(
        db, case_ref=case_ref, practitioner_id=before.to_practitioner_id, start_date=on,
        reason=f"handover: {row.reason}"[:400] if row.reason else "planned handover", actor=actor,
    )
    # Read while the handover is open: one into another team hides the case
    # from the outgoing team once it completes (storage.access, schema 0004).
    view = handover_detail(db, case_ref, as_of=on, handover_id=row.id)
    editing(db, edit_subject(case_ref))
    version = update_handover(db, row, case_ref, status=done.status, completed_on=on,
                              override_reason=done.override_reason)
    audit.record(db, actor, "complete", "handover", row.id, case_ref=case_ref, handover_id=row.id,
                 status=done.status, completed_on=on, override=done.override_reason is not None,
                 open_items=list(open_ids), follow_up=list(follow_up_ids(done, open_only=True)),
                 allocation_id=allocation_id,
                 from_practitioner_id=before.from_practitioner_id,
                 to_practitioner_id=before.to_practitioner_id)
    return _completed_view(view, version, done, on)


def _check_holder(db, case: Any, row: Any, before: Handover) -> None:
    """Refuse when the case is no longer with the practitioner handing it over."""
    from storage.repo.allocation import open_allocation

    current = open_allocation(db, case.id)
    if current is None or current.practitioner_pk != row.from_practitioner_pk:
        holder = practitioner_code(db, current.practitioner_pk) if current else "no one"
        raise CaseloadError(
            f"case {case.case_ref} is now with {holder}, not {before.from_practitioner_id} who was to hand "
            "it over; cancel this handover and plan a new one"
        )


def _completed_view(view: HandoverView, version: int, done: Handover, on: date) -> HandoverView:
    """`view` (read while open) as it stands once completed on `on`."""
    items = tuple(
        replace(item, **dict(zip(("overdue", "follow_up"),
                                 item_state(False, on, item.item_id, item.due, item.done, on))))
        for item in view.items
    )
    return replace(view, version=version, status=done.status, completed_on=on,
                   override_reason=done.override_reason, items=items)
