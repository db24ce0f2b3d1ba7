"""Agreed actions: adding one, ticking it off (or reopening it), and reading
them (a session's, and the earlier sessions' still open)."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import and_, or_, select
from sqlmodel import Session

from planner import validate
from planner.errors import CaseloadError
from planner.supervision import ActionRecord, PersonRef
from storage import audit
from storage import models as m
from storage.repo.lookups import as_date, case_row, fresh_row, practitioner_row
from storage.repo.transactions import check_version, flush
from storage.supervision.rows import open_session_row, practitioner_code, session_row
from storage.supervision.views import MAX_ACTION_TEXT


def add_action(
    session: Session,
    *,
    session_id: int | None = None,
    case_ref: str | None = None,
    owner_id: str,
    text: str,
    due: date,
    actor: str,
) -> int:
    """Agree an action (in a session, about a case, or neither); returns its id.
    It shows in the owner's week plan on its due date until ticked off."""
    text = (text or "").strip()
    if not text:
        raise CaseloadError("an action needs some text: what is to be done?")
    if len(text) > MAX_ACTION_TEXT:
        raise CaseloadError(f"an action's text is {len(text)} characters; {MAX_ACTION_TEXT} at most")
    validate.text_field("text", text)
    from storage.access import check_action_add

    owner = practitioner_row(session, owner_id)
    due = as_date(due, "due")
    subject = None
    if session_id is not None:
        subject = practitioner_code(session, open_session_row(session, session_id, "agree actions").practitioner_pk)
    check_action_add(session, actor, owner_id, case_ref, subject)
    case_pk = case_row(session, case_ref).id if case_ref else None
    row = m.Action(session_id=session_id, case_id=case_pk, owner_pk=owner.id, text=text, due=due)
    session.add(row)
    flush(session)
    audit.record(session, actor, "add", "action", row.id, case_ref=case_ref,
                 session_id=session_id, owner_id=owner_id, due=due)
    return row.id


def tick_action(
    session: Session,
    *,
    action_id: int,
    done: bool = True,
    on: date,
    expected_version: int | None = None,
    actor: str,
) -> int:
    """Tick an action off (done on `on`), or reopen it; returns its version."""
    row = fresh_row(session, m.Action, action_id, "action")
    from storage.access import check_action_tick

    check_action_tick(session, actor, practitioner_code(session, row.owner_pk), action_id)
    check_version(session, row, expected_version, f"action {action_id}")
    on = as_date(on, "done on")
    if bool(row.done) == done:
        return row.version
    row.done = done
    row.done_on = on if done else None
    flush(session)
    case_ref = None
    if row.case_id is not None:
        case_ref = session.execute(select(m.Case.case_ref).where(m.Case.id == row.case_id)).scalar_one()
    audit.record(session, actor, "done" if done else "reopen", "action", action_id,
                 case_ref=case_ref, done_on=row.done_on)
    return row.version


def action_records(session: Session, where: Any) -> list[ActionRecord]:
    """The actions matching `where`, by due date, each with its owner, case and session."""
    A, P, C, S = m.Action, m.Practitioner, m.Case, m.SupervisionSession
    rows = session.execute(
        select(A.id, A.text, P.practitioner_id, P.name, A.due, A.done, A.done_on, C.case_ref,
               A.session_id, S.session_date)
        .join(P, P.id == A.owner_pk)
        .outerjoin(C, C.id == A.case_id)
        .outerjoin(S, S.id == A.session_id)
        .where(where)
        .order_by(A.due, A.id)
    ).all()
    return [
        ActionRecord(id=row.id, text=row.text, owner=PersonRef(id=row.practitioner_id, name=row.name),
                     due=row.due, done=bool(row.done), done_on=row.done_on, case_ref=row.case_ref,
                     session_id=row.session_id, session_date=row.session_date)
        for row in rows
    ]


def session_actions(session: Session, session_id: int) -> list[ActionRecord]:
    """The actions agreed in session `session_id`, by due date."""
    return action_records(session, m.Action.session_id == session_id)


def previous_open_actions(
    session: Session, practitioner_id: str, before_session_id: int | None = None
) -> list[ActionRecord]:
    """Actions agreed in the practitioner's earlier sessions that were still
    open when session `before_session_id` began (not done, or done on or after
    its date), by due date; each says where it stands now. With no session,
    every earlier session's action that is open now."""
    practitioner = practitioner_row(session, practitioner_id)
    S, A = m.SupervisionSession, m.Action
    clauses = [S.practitioner_pk == practitioner.id]
    if before_session_id is not None:
        this = session_row(session, before_session_id)
        if this.practitioner_pk != practitioner.id:
            raise CaseloadError(f"supervision session {before_session_id} is not {practitioner_id}'s")
        clauses.append(or_(S.session_date < this.session_date,
                           and_(S.session_date == this.session_date, S.id < this.id)))
        still_open = or_(A.done.is_(False), A.done_on.is_(None), A.done_on >= this.session_date)
    else:
        still_open = A.done.is_(False)
    earlier = select(S.id).where(*clauses)
    return action_records(session, and_(A.session_id.in_(earlier), still_open))
