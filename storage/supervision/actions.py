"""Agreed actions: adding one, ticking it off (or reopening it); reading
them is storage/queries/supervision.py's."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlmodel import Session

from planner import validate
from planner.errors import CaseloadError
from storage import audit
from storage import models as m
from storage.repo.lookups import as_date, case_row, fresh_row, practitioner_row
from storage.repo.transactions import check_version, flush
from storage.supervision.rows import open_session_row, practitioner_code
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
