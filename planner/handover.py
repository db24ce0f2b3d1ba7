"""The handover life cycle (SPEC §4) as pure functions on `Handover`.

    planned --tick--> in_progress --complete--> completed_warm | completed_cold
    planned | in_progress --cancel--> cancelled

Completing with required items open needs an override reason; such a handover
is cold, as is one completed without `told` or `three_way` done. Every
function returns a new `Handover`; storage writes it and audits the change.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from planner.errors import CaseloadError
from planner.model import ChecklistItem, Handover

EVENTS = ("tick", "complete", "cancel")
#: Items without which a completed handover counts as cold.
WARM_ITEMS = ("told", "three_way")


def open_required_ids(handover: Handover) -> tuple[str, ...]:
    return tuple(item.item_id for item in handover.items if item.required and not item.done)


def can_complete(handover: Handover) -> tuple[bool, tuple[str, ...]]:
    """(True, ()) when every required item is done; else (False, the open required ids)."""
    open_ids = open_required_ids(handover)
    return (not open_ids, open_ids)


def is_cold(handover: Handover) -> bool:
    """Cold: completed as `completed_cold`, or completed (or, for an open
    handover, about to be) with an override or with `told` or `three_way` not done."""
    return (
        handover.status == "completed_cold"
        or bool(handover.override_reason)
        or _warm_items_missing(handover)
    )


def progress(handover: Handover) -> tuple[int, int, ChecklistItem | None]:
    """(items done, items in all, the open item due first or None)."""
    done = sum(1 for item in handover.items if item.done)
    open_items = [item for item in handover.items if not item.done]
    next_due = min(open_items, key=lambda item: item.due, default=None)
    return done, len(handover.items), next_due


def next_status(handover: Handover, event: str, *, override_reason: str | None = None) -> str:
    """The status `handover` moves to on `event` ("tick", "complete", "cancel").

    Raises CaseloadError for a transition the life cycle refuses."""
    if event == "tick":
        _refuse_closed(handover, "tick an item of")
        return "in_progress"
    if event == "cancel":
        _refuse_closed(handover, "cancel")
        return "cancelled"
    if event == "complete":
        _refuse_closed(handover, "complete")
        ok, open_ids = can_complete(handover)
        if not ok and not (override_reason and override_reason.strip()):
            raise CaseloadError(
                "cannot complete the handover: required items still open: "
                f"{', '.join(open_ids)}; tick them or give an override reason"
            )
        return "completed_cold" if not ok or _warm_items_missing(handover) else "completed_warm"
    raise CaseloadError(f"unknown handover event {event!r}; expected one of {', '.join(EVENTS)}")


def tick(handover: Handover, item_id: str, on: date, note: str | None = None) -> Handover:
    """Mark `item_id` done on `on`. Ticking a done item keeps its first date
    (and adds the note if given). The first tick moves planned to in_progress."""
    status = next_status(handover, "tick")
    ids = [item.item_id for item in handover.items]
    if item_id not in ids:
        raise CaseloadError(
            f"unknown checklist item {item_id!r}; valid items: {', '.join(ids) or '(none)'}"
        )
    items = tuple(
        _ticked(item, on, note) if item.item_id == item_id else item for item in handover.items
    )
    return replace(handover, items=items, status=status)


def apply_auto_ticks(handover: Handover, ticks: dict[str, date]) -> Handover:
    """`handover` with the items its records satisfy (from `checklist.auto_ticks`)
    marked done. Closed handovers and unknown ids are left as they are."""
    if not handover.is_open or not {i.item_id for i in handover.items} & ticks.keys():
        return handover
    items = tuple(
        _ticked(item, ticks[item.item_id], None) if item.item_id in ticks else item
        for item in handover.items
    )
    return replace(handover, items=items, status="in_progress")


def complete(handover: Handover, on: date, override_reason: str | None = None) -> Handover:
    """The completed handover. An override reason is kept only when required
    items were open (it is then an override, and the handover is cold)."""
    status = next_status(handover, "complete", override_reason=override_reason)
    ok, _ = can_complete(handover)
    return replace(
        handover,
        status=status,
        completed_on=on,
        override_reason=None if ok else override_reason.strip(),
    )


def cancel(handover: Handover) -> Handover:
    return replace(handover, status=next_status(handover, "cancel"))


def _warm_items_missing(handover: Handover) -> bool:
    done = {item.item_id for item in handover.items if item.done}
    return any(item_id not in done for item_id in WARM_ITEMS)


def _refuse_closed(handover: Handover, verb: str) -> None:
    if handover.status == "cancelled":
        raise CaseloadError(f"cannot {verb} a cancelled handover")
    if handover.is_completed:
        raise CaseloadError(
            f"cannot {verb} a completed handover (completed {handover.completed_on or 'earlier'})"
        )
    if handover.status not in ("planned", "in_progress"):
        raise CaseloadError(f"cannot {verb} a handover in status {handover.status!r}")


def _ticked(item: ChecklistItem, on: date, note: str | None) -> ChecklistItem:
    if item.done:
        return replace(item, note=note) if note else item
    return replace(item, done=True, done_on=on, note=note or item.note)
