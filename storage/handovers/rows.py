"""The rows a handover change works on: the case's open (or changeable)
handover read afresh, its items, and the planner's frozen `Handover` of them.
SQLAlchemy Core rows (storage/tables.py) in the caller's transaction (`db`:
a Core Connection, or a Session: storage/repo/transactions.py)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from planner.errors import CaseloadError
from planner.model import COMPLETED_HANDOVER_STATUSES, OPEN_HANDOVER_STATUSES, ChecklistItem, Handover
from storage.repo.lookups import case_row
from storage.repo.transactions import connection_of, update_versioned
from storage.tables import t

H, HI = t.handover, t.handover_item


def latest_handover(db, case_id: int, statuses, newest_first) -> Any:
    """The case's newest handover in one of `statuses`, read afresh."""
    return connection_of(db).execute(
        select(H).where(H.c.case_id == case_id, H.c.status.in_(statuses)).order_by(newest_first, H.c.id.desc())
    ).first()


def open_row(db, case_ref: str, doing: str) -> tuple[Any, Any]:
    case = case_row(db, case_ref)
    row = latest_handover(db, case.id, OPEN_HANDOVER_STATUSES, H.c.planned_on.desc())
    if row is None:
        raise CaseloadError(f"case {case_ref} has no open handover to {doing}")
    return case, row


def changeable_row(db, case_ref: str, doing: str) -> tuple[Any, Any]:
    """The case's open handover; else its latest completed one (whose follow-up
    items can still change: the planner checks which)."""
    case = case_row(db, case_ref)
    row = latest_handover(db, case.id, OPEN_HANDOVER_STATUSES, H.c.planned_on.desc())
    if row is None:
        row = latest_handover(db, case.id, COMPLETED_HANDOVER_STATUSES, H.c.completed_on.desc())
    if row is None:
        raise CaseloadError(f"case {case_ref} has no open handover to {doing}")
    return case, row


def handover_row(db, handover_id: int) -> Any:
    """The handover `handover_id`, read afresh."""
    return connection_of(db).execute(select(H).where(H.c.id == handover_id)).first()


def refuse_settled(db, row, items: list, item_id: str, verb: str) -> None:
    """On a completed handover only follow-up items may change."""
    from planner.handover import check_follow_up

    if row.status in COMPLETED_HANDOVER_STATUSES:
        check_follow_up(planner_handover(db, row, items), item_id, verb)


def item_rows(db, handover_id: int) -> list:
    return list(connection_of(db).execute(
        select(HI).where(HI.c.handover_id == handover_id).order_by(HI.c.due, HI.c.id)
    ))


def item_row(rows: list, item_id: str) -> Any:
    for row in rows:
        if row.item_id == item_id:
            return row
    raise CaseloadError(
        f"unknown checklist item {item_id!r}; valid items: {', '.join(r.item_id for r in rows) or '(none)'}"
    )


def practitioner_code(db, pk: int) -> str:
    """The `practitioner_id` of the practitioner row `pk`."""
    p = t.practitioner
    return connection_of(db).execute(select(p.c.practitioner_id).where(p.c.id == pk)).scalar_one()


def planner_handover(db, row, items: list) -> Handover:
    return Handover(
        from_practitioner_id=practitioner_code(db, row.from_practitioner_pk),
        to_practitioner_id=practitioner_code(db, row.to_practitioner_pk),
        planned_on=row.planned_on,
        status=row.status,
        items=tuple(
            ChecklistItem(item_id=i.item_id, title=i.title, required=bool(i.required), due=i.due,
                          done=bool(i.done), done_on=i.done_on, note=i.note, owner=i.owner)
            for i in items
        ),
        completed_on=row.completed_on,
        override_reason=row.override_reason,
        reason=row.reason,
        reviewed=bool(row.reviewed),
        id=row.id,
    )


def edit_subject(case_ref: str, item_id: str | None = None) -> str:
    """What a change edits, for the conflict message (`storage.repo.conflict_message`)."""
    return f"handover item {item_id} of case {case_ref}" if item_id else f"the handover of case {case_ref}"


def update_handover(db, row, case_ref: str, **values: Any) -> int:
    """Change the handover `row` (read in this transaction) unless someone
    else has since (storage/repo/transactions.py `update_versioned`); its new version."""
    return update_versioned(db, H, row, edit_subject(case_ref), **values)


def update_item(db, item, case_ref: str, **values: Any) -> int:
    """Change the checklist item `item` as `update_handover` does; its new version."""
    return update_versioned(db, HI, item, edit_subject(case_ref, item.item_id), **values)
