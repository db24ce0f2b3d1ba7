"""Reading handovers: the open ones, the completed ones with follow-ups still
open, one case's; each a `HandoverView` with its items, in two statements
whatever the number."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import or_, select
from sqlalchemy.orm import aliased
from sqlmodel import Session

from planner.errors import CaseloadError
from planner.handover import FOLLOW_UP_DAYS
from planner.model import COMPLETED_HANDOVER_STATUSES, OPEN_HANDOVER_STATUSES
from storage import models as m
from storage.handovers.views import HandoverView, ItemView, item_state
from storage.repo.lookups import case_row, practitioner_row

#: More handover ids than this are matched by a subquery, not an IN list.
_IN_LIST_LIMIT = 500


def _handover_rows(session: Session, clauses: list):
    """One labelled row per handover matching `clauses`, with its case and the
    two practitioners; and the statement selecting their ids."""
    H, C = m.Handover, m.Case
    PF, PT = aliased(m.Practitioner), aliased(m.Practitioner)

    def joined(stmt):
        return (stmt.join(C, C.id == H.case_id)
                .join(PF, PF.id == H.from_practitioner_pk)
                .join(PT, PT.id == H.to_practitioner_pk)
                .where(*clauses))

    rows = session.execute(
        joined(select(
            H.id, H.version, C.case_ref, C.display_name,
            PF.practitioner_id.label("from_id"), PF.name.label("from_name"),
            PT.practitioner_id.label("to_id"), PT.name.label("to_name"),
            H.planned_on, H.status, H.reason, H.summary, H.completed_on, H.override_reason,
            H.reviewed, H.reviewed_by, H.reviewed_on, H.review_note, H.plan_override_reason,
        ))
        .order_by(H.planned_on, C.case_ref, H.id)
        .execution_options(populate_existing=True)
    ).all()
    return rows, joined(select(H.id))


def _item_views(session: Session, rows, ids_stmt, as_of: date) -> dict[int, list[ItemView]]:
    """The items of the handovers in `rows`, by handover id, in due order."""
    HI = m.HandoverItem
    ids = [row.id for row in rows]
    item_filter = HI.handover_id.in_(ids if len(ids) <= _IN_LIST_LIMIT else ids_stmt)
    items: dict[int, list[ItemView]] = {hid: [] for hid in ids}
    still_open = {row.id for row in rows if row.status in OPEN_HANDOVER_STATUSES}
    completed_on = {row.id: row.completed_on for row in rows
                    if row.status in COMPLETED_HANDOVER_STATUSES and row.completed_on is not None}
    for item in session.execute(
        select(HI.id, HI.handover_id, HI.item_id, HI.title, HI.required, HI.due, HI.owner,
               HI.done, HI.done_on, HI.done_by, HI.auto, HI.note, HI.version, HI.view, HI.view_words)
        .where(item_filter)
        .order_by(HI.handover_id, HI.due, HI.id)
    ).all():
        hid = item.handover_id
        overdue, follow_up = item_state(hid in still_open, completed_on.get(hid), item.item_id, item.due,
                                        bool(item.done), as_of)
        items[hid].append(ItemView(
            id=item.id, item_id=item.item_id, title=item.title, required=bool(item.required), due=item.due,
            owner=item.owner, done=bool(item.done), done_on=item.done_on, done_by=item.done_by,
            auto=bool(item.auto), note=item.note, version=item.version, overdue=overdue,
            follow_up=follow_up, view=item.view, view_words=item.view_words,
        ))
    return items


def load_views(session: Session, clauses: list, as_of: date) -> list[HandoverView]:
    """Handovers matching `clauses` (on Handover/Case/the two practitioners)
    with their items: two statements whatever the number."""
    session.flush()
    rows, ids_stmt = _handover_rows(session, clauses)
    if not rows:
        return []
    items = _item_views(session, rows, ids_stmt, as_of)
    return [
        HandoverView(
            id=row.id, version=row.version, case_ref=row.case_ref, display_name=row.display_name,
            from_id=row.from_id, from_name=row.from_name, to_id=row.to_id, to_name=row.to_name,
            planned_on=row.planned_on, status=row.status, reason=row.reason, summary=row.summary,
            completed_on=row.completed_on, override_reason=row.override_reason,
            reviewed=bool(row.reviewed), items=tuple(items[row.id]), as_of=as_of,
            reviewed_by=row.reviewed_by, reviewed_on=row.reviewed_on, review_note=row.review_note,
            plan_override_reason=row.plan_override_reason,
        )
        for row in rows
    ]


def _team_clause(session: Session, team_id: str):
    """The outgoing or the incoming practitioner is in team `team_id`."""
    H = m.Handover
    team_pk = session.execute(select(m.Team.id).where(m.Team.team_id == team_id)).scalar_one_or_none()
    if team_pk is None:
        raise CaseloadError(f"unknown team {team_id}")
    in_team = select(m.Practitioner.id).where(m.Practitioner.team_pk == team_pk)
    return or_(H.from_practitioner_pk.in_(in_team), H.to_practitioner_pk.in_(in_team))


def open_handovers(
    session: Session,
    *,
    team_id: str | None = None,
    practitioner_id: str | None = None,
    as_of: date | None = None,
) -> list[HandoverView]:
    """Open handovers (planned, in progress) by date then case ref, each with
    its items and progress. `team_id`: the outgoing or incoming practitioner
    is in that team; `practitioner_id`: they are the outgoing or incoming one.
    Unknown ids raise CaseloadError."""
    as_of = as_of or date.today()
    H = m.Handover
    clauses: list = [H.status.in_(OPEN_HANDOVER_STATUSES)]
    if practitioner_id is not None:
        pk = practitioner_row(session, practitioner_id).id
        clauses.append(or_(H.from_practitioner_pk == pk, H.to_practitioner_pk == pk))
    if team_id is not None:
        clauses.append(_team_clause(session, team_id))
    return load_views(session, clauses, as_of)


def completed_with_follow_ups(session: Session, *, team_id: str | None = None,
                              as_of: date | None = None) -> list[HandoverView]:
    """Handovers completed in the last FOLLOW_UP_DAYS whose follow-up items
    (due after completion: first contact, review...) are not all done, by
    completion date; `team_id` as in `open_handovers`."""
    as_of = as_of or date.today()
    H = m.Handover
    clauses: list = [H.status.in_(COMPLETED_HANDOVER_STATUSES),
                     H.completed_on >= as_of - timedelta(days=FOLLOW_UP_DAYS)]
    if team_id is not None:
        clauses.append(_team_clause(session, team_id))
    views = [v for v in load_views(session, clauses, as_of) if v.follow_ups_open]
    return sorted(views, key=lambda v: (v.completed_on, v.case_ref))


def handover_detail(session: Session, case_ref: str, *, as_of: date | None = None,
                    handover_id: int | None = None) -> HandoverView:
    """The case's open handover, else its latest (or the one `handover_id`
    names), with items. CaseloadError for an unknown case or none at all."""
    as_of = as_of or date.today()
    case = case_row(session, case_ref)
    clauses: list = [m.Handover.case_id == case.id]
    if handover_id is not None:
        clauses.append(m.Handover.id == handover_id)
    views = load_views(session, clauses, as_of)
    if not views:
        if handover_id is not None:
            raise CaseloadError(f"case {case_ref} has no handover {handover_id}")
        raise CaseloadError(f"case {case_ref} has no handover; plan one with `caseload handover plan`")
    open_views = [v for v in views if v.is_open]
    return (open_views or views)[-1]
