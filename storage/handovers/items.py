"""Checklist items of a handover: tick, untick, write a note (on the open
handover, or a follow-up item of the latest completed one)."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from planner import validate
from planner.errors import CaseloadError
from storage import audit
from storage.access import guard_case
from storage.handovers.autoticks import sync_auto_ticks
from storage.handovers.reading import handover_detail
from storage.handovers.rows import (
    changeable_row,
    edit_subject,
    handover_row,
    item_row,
    item_rows,
    planner_handover,
    refuse_settled,
    update_handover,
    update_item,
)
from storage.queries.handover_views import HandoverView
from storage.repo.lookups import as_date
from storage.repo.transactions import check_version, editing

if TYPE_CHECKING:
    from planner.policy import Policy



def _changeable_item(db, case_ref: str, item_id: str, actor: str,
                     expected_version: int | None, doing: str):
    """(handover row, its item rows, the item `item_id`) of the case's
    changeable handover, for `actor` to `doing` the item: refused when the
    case is out of reach, the item settled, or `expected_version` stale."""
    _, row = changeable_row(db, case_ref, doing)
    guard_case(db, actor, case_ref)
    items = item_rows(db, row.id)
    item = item_row(items, item_id)
    refuse_settled(db, row, items, item_id, doing)
    check_version(db, item, expected_version, edit_subject(case_ref, item_id))
    return row, items, item


def tick_item(
    db,
    *,
    case_ref: str,
    item_id: str,
    note: str | None = None,
    on: date,
    actor: str,
    expected_version: int | None = None,
    policy: Policy | None = None,
    view: str | None = None,
    words: str | None = None,
) -> HandoverView:
    """Tick an item of the case's open handover as done on `on` (by `actor`),
    with an optional note. Ticking a done item keeps its first date (a note is
    still saved). The first tick moves the handover to in_progress. With no
    open handover, a follow-up item of the latest completed one. Runs
    `sync_auto_ticks` for the case first. `expected_version` is the item's.

    `told` and `review` need the person's `view` (`planner.checklist.VIEWS`)
    and their `words`; `summary` needs the handover's summary text written
    (`planner.checklist.check_tick`). The audit event records the view's
    code, never the words."""
    from planner.handover import tick

    on = as_date(on, "on")
    row, items, item = _changeable_item(db, case_ref, item_id, actor, expected_version, "tick")
    sync_auto_ticks(db, as_of=on, case_refs=[case_ref], actor=actor, policy=policy)
    row, items = handover_row(db, row.id), item_rows(db, row.id)  # as the sync left them
    item = item_row(items, item_id)
    was_done, old_note, old_view = item.done, item.note, (item.view, item.view_words)
    words = words.strip() if words and words.strip() else words
    validate.text_field("words", words)
    new = tick(planner_handover(db, row, items), item_id, on, note, view=view, words=words,
               summary=row.summary)
    ticked = next(i for i in new.items if i.item_id == item_id)
    new_view = (view, words) if view is not None else old_view
    if was_done and ticked.note == old_note and new_view == old_view:
        return handover_detail(db, case_ref, as_of=on, handover_id=row.id)
    editing(db, edit_subject(case_ref, item_id))
    done = {} if was_done else {"done": True, "done_on": ticked.done_on, "done_by": actor[:64], "auto": False}
    update_item(db, item, case_ref, **done, note=ticked.note, view=new_view[0], view_words=new_view[1])
    changed_status = row.status != new.status
    if changed_status:
        update_handover(db, row, case_ref, status=new.status)
    audit.record(db, actor, "tick", "handover_item", f"{row.id}:{item_id}", case_ref=case_ref,
                 handover_id=row.id, item_id=item_id, done_on=item.done_on if was_done else ticked.done_on,
                 already_done=was_done, has_note=bool(ticked.note),
                 **({"view": new_view[0]} if new_view[0] else {}),
                 **({"status": new.status} if changed_status else {}))
    return handover_detail(db, case_ref, as_of=on, handover_id=row.id)


def untick_item(
    db,
    *,
    case_ref: str,
    item_id: str,
    actor: str,
    expected_version: int | None = None,
    on: date | None = None,
) -> HandoverView:
    """Mark an item of the open handover not done again (a tick made by
    mistake; on a completed handover, a follow-up item). Items ticked from the records are refused: correct the record
    (the contact or appointment) instead, or the next sync ticks them again."""
    row, _, item = _changeable_item(db, case_ref, item_id, actor, expected_version, "untick")
    if not item.done:
        raise CaseloadError(f"item {item_id} of case {case_ref} is not ticked")
    if item.auto:
        raise CaseloadError(
            f"item {item_id} of case {case_ref} was ticked from the records; "
            "correct the contact or appointment instead"
        )
    update_item(db, item, case_ref, done=False, done_on=None, done_by=None, view=None, view_words=None)
    audit.record(db, actor, "untick", "handover_item", f"{row.id}:{item_id}", case_ref=case_ref,
                 handover_id=row.id, item_id=item_id, was_done_on=item.done_on)
    return handover_detail(db, case_ref, as_of=on, handover_id=row.id)


def set_item_note(
    db,
    *,
    case_ref: str,
    item_id: str,
    note: str | None,
    actor: str,
    expected_version: int | None = None,
    on: date | None = None,
) -> HandoverView:
    """Set (or, with None or blank, clear) an item's note on the open handover
    (or a follow-up item of the latest completed one).
    The audit event records that the note changed, never its text."""
    row, _, item = _changeable_item(db, case_ref, item_id, actor, expected_version, "write a note on")
    note = note if note and note.strip() else None
    validate.text_field("note", note)
    if note != item.note:
        update_item(db, item, case_ref, note=note)
        audit.record(db, actor, "note", "handover_item", f"{row.id}:{item_id}", case_ref=case_ref,
                     handover_id=row.id, item_id=item_id, has_note=note is not None)
    return handover_detail(db, case_ref, as_of=on, handover_id=row.id)
