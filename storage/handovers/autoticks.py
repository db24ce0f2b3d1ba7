"""Auto-ticks (docs/handovers.md): handover items that tick themselves from
the records (a `three_way` contact, an appointment booked with the incoming
practitioner, a first contact held), written with `auto=True` and audited as
`auto_tick`; idempotent."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from contextlib import AbstractContextManager
from datetime import date
from typing import TYPE_CHECKING

from sqlalchemy import select

from planner.model import OPEN_HANDOVER_STATUSES
from storage import audit
from storage.handovers.risk_item import add_risk_items
from storage.handovers.rows import H, HI, edit_subject, handover_row, update_handover, update_item
from storage.queries import handovers as queries
from storage.repo.transactions import connection_of, editing, flush

if TYPE_CHECKING:
    from planner.policy import Policy

#: The `done_by` of items ticked from data.
AUTO_ACTOR = "auto"


def syncable_case_refs(db, as_of: date) -> list[str]:
    """The cases whose handover items `sync_auto_ticks` would look at as of
    `as_of` (to limit a sync to the cases someone can see)."""
    return queries.syncable_case_refs(db, as_of)


def sync_auto_ticks(
    db,
    *,
    as_of: date,
    case_refs: Iterable[str] | None = None,
    actor: str,
    policy: Policy | None = None,
) -> int:
    """Tick (and mark `auto`) the open handover items that the records already
    satisfy as of `as_of` (`planner.checklist.auto_ticks`): a three-way contact,
    an appointment booked with the incoming practitioner, a first contact.
    Every open handover, or only those of `case_refs`, and the follow-up items
    of handovers completed in the last FOLLOW_UP_DAYS (their status stays).
    A planned handover moves to in_progress. First, the `risk_plan_shared` item an open
    handover lacks when its case became high risk after planning is added
    (storage.handovers.risk_item). Returns how many items it ticked or added (0 when up
    to date: running it again writes nothing). One `auto_tick` audit event per item.
    `db` a Core Connection, or a Session (storage/repo/transactions.py)."""
    flush(db)
    refs = queries.syncable_case_refs(db, as_of, case_refs)
    added = add_risk_items(db, refs, actor, policy)  # the case became high risk after planning (§11)
    todo = queries.due_ticks(db, refs, as_of, policy)
    return added + (_write_ticks(db, todo, actor) if todo else 0)


def _write_ticks(db, todo: dict, actor: str) -> int:
    """Tick the items `todo` names that are not done yet, each audited; a
    planned handover moves to in_progress. Returns how many it ticked."""
    conn = connection_of(db)
    handovers = {row.id: row for row in conn.execute(select(H).where(H.c.id.in_(list(todo))))}
    items = list(conn.execute(
        select(HI).where(HI.c.handover_id.in_(list(todo)), HI.c.done.is_(False))
        .order_by(HI.c.handover_id, HI.c.due, HI.c.id)
    ))
    count = 0
    for item in items:
        case_ref, ticks = todo[item.handover_id]
        if item.item_id not in ticks:
            continue
        done_on = ticks[item.item_id]
        editing(db, edit_subject(case_ref, item.item_id))
        update_item(db, item, case_ref, done=True, done_on=done_on, done_by=AUTO_ACTOR, auto=True)
        row = handovers[item.handover_id]
        if row.status in OPEN_HANDOVER_STATUSES and row.status != "in_progress":
            update_handover(db, row, case_ref, status="in_progress")
            handovers[item.handover_id] = handover_row(db, row.id)
        audit.record(db, actor, "auto_tick", "handover_item", f"{item.handover_id}:{item.item_id}",
                     case_ref=case_ref, handover_id=item.handover_id, item_id=item.item_id,
                     done_on=done_on)
        count += 1
    return count


def sync_auto_ticks_now(
    engine,
    *,
    as_of: date,
    actor: str,
    case_refs: Iterable[str] | None = None,
    policy: Policy | None = None,
    opener: Callable[[], AbstractContextManager] | None = None,
) -> int:
    """`sync_auto_ticks` in a transaction of its own, committed: for the app
    when it loads. When someone else ticked the same items at the same
    moment (a ConflictError) nothing is lost: their ticks stand, and 0 is
    returned. `opener` gives the session (the app's own, so that it knows
    the audit events as its own writes); by default a Core connection on `engine`."""
    from planner.errors import ConflictError

    from storage.repo.transactions import commit_or_conflict, transaction

    with (opener() if opener is not None else transaction(engine)) as s:
        try:
            count = sync_auto_ticks(s, as_of=as_of, case_refs=case_refs, actor=actor, policy=policy)
            commit_or_conflict(s)
        except ConflictError:
            return 0
    return count

