"""The rows a handover change works on: the case's open (or changeable)
handover read afresh, its items, and the planner's frozen `Handover` of them."""

from __future__ import annotations

from sqlalchemy import select
from sqlmodel import Session

from planner.errors import CaseloadError
from planner.model import COMPLETED_HANDOVER_STATUSES, OPEN_HANDOVER_STATUSES, ChecklistItem, Handover
from storage import models as m
from storage.repo.lookups import case_row


def latest_handover(session: Session, case_id: int, statuses, newest_first) -> m.Handover | None:
    """The case's newest handover in one of `statuses`, read afresh."""
    return session.execute(
        select(m.Handover)
        .where(m.Handover.case_id == case_id, m.Handover.status.in_(statuses))
        .order_by(newest_first, m.Handover.id.desc())
        .execution_options(populate_existing=True)
    ).scalars().first()


def open_row(session: Session, case_ref: str, doing: str) -> tuple[m.Case, m.Handover]:
    case = case_row(session, case_ref)
    row = latest_handover(session, case.id, OPEN_HANDOVER_STATUSES, m.Handover.planned_on.desc())
    if row is None:
        raise CaseloadError(f"case {case_ref} has no open handover to {doing}")
    return case, row


def changeable_row(session: Session, case_ref: str, doing: str) -> tuple[m.Case, m.Handover]:
    """The case's open handover; else its latest completed one (whose follow-up
    items can still change: the planner checks which)."""
    case = case_row(session, case_ref)
    row = latest_handover(session, case.id, OPEN_HANDOVER_STATUSES, m.Handover.planned_on.desc())
    if row is None:
        row = latest_handover(session, case.id, COMPLETED_HANDOVER_STATUSES, m.Handover.completed_on.desc())
    if row is None:
        raise CaseloadError(f"case {case_ref} has no open handover to {doing}")
    return case, row


def refuse_settled(session: Session, row: m.Handover, items: list[m.HandoverItem], item_id: str,
                   verb: str) -> None:
    """On a completed handover only follow-up items may change."""
    from planner.handover import check_follow_up

    if row.status in COMPLETED_HANDOVER_STATUSES:
        check_follow_up(planner_handover(session, row, items), item_id, verb)


def item_rows(session: Session, handover_id: int) -> list[m.HandoverItem]:
    return list(session.execute(
        select(m.HandoverItem)
        .where(m.HandoverItem.handover_id == handover_id)
        .order_by(m.HandoverItem.due, m.HandoverItem.id)
        .execution_options(populate_existing=True)
    ).scalars())


def item_row(rows: list[m.HandoverItem], item_id: str) -> m.HandoverItem:
    for row in rows:
        if row.item_id == item_id:
            return row
    raise CaseloadError(
        f"unknown checklist item {item_id!r}; valid items: {', '.join(r.item_id for r in rows) or '(none)'}"
    )


def practitioner_code(session: Session, pk: int) -> str:
    """The `practitioner_id` of the practitioner row `pk`."""
    return session.execute(
        select(m.Practitioner.practitioner_id).where(m.Practitioner.id == pk)
    ).scalar_one()


def planner_handover(session: Session, row: m.Handover, items: list[m.HandoverItem]) -> Handover:
    return Handover(
        from_practitioner_id=practitioner_code(session, row.from_practitioner_pk),
        to_practitioner_id=practitioner_code(session, row.to_practitioner_pk),
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


def set_status(row: m.Handover, status: str) -> str | None:
    """Set a new status; returns the old one when it changed."""
    if row.status == status:
        return None
    old, row.status = row.status, status
    return old
