"""The handover life cycle (SPEC §4) as pure functions on `Handover`.

    planned --tick--> in_progress --complete--> completed_warm | completed_cold
    planned | in_progress --cancel--> cancelled

Completion around the handover date D (the rule the app and the commands follow):

- Completing on a date C needs only the required items **due on or before C**,
  plus `told` and `three_way` whatever their due date (`due_by(handover, C)`).
  Completing on D therefore needs `told`, `summary`, `read`, the group items,
  `three_way` and `booked`, but not `first_contact` (due D + 5 working days),
  which cannot happen before the new practitioner holds the case.
- An override reason is needed only when items that completing on C needs are
  open; it is recorded, and the handover is `completed_cold`. (`told` and
  `three_way` are always needed so that completing early, before D, cannot
  make a cold handover without a reason.)
- Cold is unchanged (SPEC §3 `cold_handover`): completed with an override, or
  with `told` or `three_way` not done.
- Items due after C (`first_contact`, `reachable`, `review`, and `booked` when
  completed before D) are *follow-up* items: they stay open after completion
  and can still be ticked, unticked, noted, and ticked from the records on
  the completed handover. `told` and `three_way` are never follow-ups: whether
  a handover was warm is settled when it is completed. Follow-ups do not
  change the status.

Every function returns a new `Handover`; storage writes it and audits the change.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import replace
from datetime import date, timedelta
from typing import TYPE_CHECKING

from planner.errors import CaseloadError
from planner.model import Case, ChecklistItem, Handover, World

if TYPE_CHECKING:
    from planner.policy import Policy

#: How long after completion follow-up items still tick themselves from the records.
FOLLOW_UP_DAYS = 84

EVENTS = ("tick", "complete", "cancel")
#: Items without which a completed handover counts as cold.
WARM_ITEMS = ("told", "three_way")


def open_required_ids(handover: Handover, on: date | None = None) -> tuple[str, ...]:
    """Required items not done (only those due on or before `on`, when given)."""
    return tuple(
        item.item_id for item in handover.items
        if item.required and not item.done and (on is None or item.due <= on)
    )


def due_by(handover: Handover, on: date) -> tuple[str, ...]:
    """The required items still open that completing on `on` needs: those due
    on or before `on`, and `told` and `three_way` whenever they are due."""
    return tuple(
        item.item_id for item in handover.items
        if item.required and not item.done and (item.due <= on or item.item_id in WARM_ITEMS)
    )


def can_complete(handover: Handover, on: date | None = None) -> tuple[bool, tuple[str, ...]]:
    """(True, ()) when every item that completing on `on` needs is done
    (`due_by`; every required item when `on` is None); else (False, the open ids)."""
    open_ids = open_required_ids(handover) if on is None else due_by(handover, on)
    return (not open_ids, open_ids)


def is_follow_up(handover: Handover, item: ChecklistItem) -> bool:
    """An item of a completed handover that can still be ticked: due after the
    completion date, and not `told` or `three_way` (warmth is settled)."""
    return (
        handover.is_completed
        and handover.completed_on is not None
        and item.due > handover.completed_on
        and item.item_id not in WARM_ITEMS
    )


def follow_up_ids(handover: Handover, *, open_only: bool = False) -> tuple[str, ...]:
    """Ids of the completed handover's follow-up items (only those not done, with `open_only`)."""
    return tuple(
        item.item_id for item in handover.items
        if is_follow_up(handover, item) and not (open_only and item.done)
    )


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


def next_status(handover: Handover, event: str, *, override_reason: str | None = None,
                on: date | None = None) -> str:
    """The status `handover` moves to on `event` ("tick", "complete", "cancel").
    For "complete", `on` is the completion date (None: every required item counts).

    Raises CaseloadError for a transition the life cycle refuses."""
    if event == "tick":
        _refuse_closed(handover, "tick an item of")
        return "in_progress"
    if event == "cancel":
        _refuse_closed(handover, "cancel")
        return "cancelled"
    if event == "complete":
        _refuse_closed(handover, "complete")
        ok, open_ids = can_complete(handover, on)
        if not ok and not (override_reason and override_reason.strip()):
            raise CaseloadError(
                "cannot complete the handover: required items still open"
                f"{f' (due by {on:%d %b %Y})' if on else ''}: "
                f"{', '.join(open_ids)}; tick them or give an override reason"
            )
        return "completed_cold" if not ok or _warm_items_missing(handover) else "completed_warm"
    raise CaseloadError(f"unknown handover event {event!r}; expected one of {', '.join(EVENTS)}")


def tick(handover: Handover, item_id: str, on: date, note: str | None = None) -> Handover:
    """Mark `item_id` done on `on`. Ticking a done item keeps its first date
    (and adds the note if given). The first tick moves planned to in_progress.
    On a completed handover only its follow-up items can be ticked (the status
    stays as it is)."""
    ids = [item.item_id for item in handover.items]
    if handover.is_completed:
        status = handover.status
        check_follow_up(handover, item_id, "tick")
    else:
        status = next_status(handover, "tick")
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
    marked done. On a completed handover only follow-up items are ticked (the
    status stays); cancelled handovers and unknown ids are left as they are."""
    if handover.is_completed:
        follow = set(follow_up_ids(handover, open_only=True)) & ticks.keys()
        if not follow:
            return handover
        return replace(handover, items=tuple(
            _ticked(item, ticks[item.item_id], None) if item.item_id in follow else item
            for item in handover.items
        ))
    if not handover.is_open or not {i.item_id for i in handover.items} & ticks.keys():
        return handover
    items = tuple(
        _ticked(item, ticks[item.item_id], None) if item.item_id in ticks else item
        for item in handover.items
    )
    return replace(handover, items=items, status="in_progress")


def complete(handover: Handover, on: date, override_reason: str | None = None) -> Handover:
    """The handover completed on `on`. Only required items due by `on` must be
    done; an override reason is kept only when some of them were open (it is
    then an override, and the handover is cold). Items due later stay open as
    follow-ups (see the module docstring)."""
    status = next_status(handover, "complete", override_reason=override_reason, on=on)
    ok, _ = can_complete(handover, on)
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


def check_follow_up(handover: Handover, item_id: str, verb: str) -> None:
    item = next((i for i in handover.items if i.item_id == item_id), None)
    if item is None or is_follow_up(handover, item):
        return  # unknown ids are refused by the caller, naming the valid ones
    follow = follow_up_ids(handover)
    raise CaseloadError(
        f"cannot {verb} {item_id} of a completed handover (completed {handover.completed_on or 'earlier'}); "
        + (f"only the items due after completion can still change: {', '.join(follow)}" if follow
           else "no items are left to follow up")
    )


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


# ---------------------------------------------------------------- ticks from the records


def ticks_for(cases: Iterable[Case], world: World, as_of: date,
              policy: Policy | None) -> dict[int, tuple[str, dict[str, date]]]:
    """handover id -> (case ref, {item id: date}) for the items that the
    records satisfy and that are not yet done: of the open handover, and the
    follow-up items of handovers completed in the last FOLLOW_UP_DAYS."""
    from planner.calendar import working_days
    from planner.checklist import auto_ticks

    out: dict[int, tuple[str, dict[str, date]]] = {}
    since = as_of - timedelta(days=FOLLOW_UP_DAYS)
    for case in cases:
        for handover in case.handovers:
            if handover.is_open:
                open_ids = {i.item_id for i in handover.items if not i.done}
            elif handover.is_completed and handover.completed_on and handover.completed_on >= since:
                open_ids = set(follow_up_ids(handover, open_only=True))
            else:
                continue
            if not open_ids or handover.id is None:
                continue
            calendar = working_days(world.nation_of(handover.from_practitioner_id))
            ticks = auto_ticks(case, handover, as_of, calendar, policy)
            new = {k: v for k, v in ticks.items() if k in open_ids}
            if new:
                out[handover.id] = (case.case_ref, new)
    return out


def with_auto_ticks(cases: Sequence[Case], world: World, as_of: date,
                    policy: Policy | None = None) -> list[Case]:
    """The cases with the ticks that data gives applied in memory (nothing is
    written): for read-only paths that evaluate warnings without
    `storage.handovers.sync_auto_ticks`."""
    todo = ticks_for(cases, world, as_of, policy)
    out = []
    for case in cases:
        if not any(h.id in todo for h in case.handovers):
            out.append(case)
            continue
        out.append(replace(case, handovers=tuple(
            apply_auto_ticks(h, todo[h.id][1]) if h.id in todo else h for h in case.handovers)))
    return out
