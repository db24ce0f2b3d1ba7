"""Agreed actions: adding one, ticking it off (or reopening it); reading
them is storage/queries/supervision.py's."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from planner import validate
from planner.errors import CaseloadError
from storage import audit
from storage.repo.lookups import as_date, case_row, fresh_row, practitioner_row
from storage.repo.transactions import check_version, connection_of, insert, update_versioned
from storage.supervision.rows import open_session_row, practitioner_code
from storage.tables import t


def add_action(
    db,
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
    from storage.supervision.views import MAX_ACTION_TEXT

    text = (text or "").strip()
    if not text:
        raise CaseloadError("an action needs some text: what is to be done?")
    if len(text) > MAX_ACTION_TEXT:
        raise CaseloadError(f"an action's text is {len(text)} characters; {MAX_ACTION_TEXT} at most")
    validate.text_field("text", text)
    from storage.access import check_action_add

    owner = practitioner_row(db, owner_id)
    due = as_date(due, "due")
    subject = None
    if session_id is not None:
        subject = practitioner_code(db, open_session_row(db, session_id, "agree actions").practitioner_pk)
    check_action_add(db, actor, owner_id, case_ref, subject)
    case_pk = case_row(db, case_ref).id if case_ref else None
    action_id = insert(db, t.action, session_id=session_id, case_id=case_pk, owner_pk=owner.id, text=text, due=due)
    audit.record(db, actor, "add", "action", action_id, case_ref=case_ref,
                 session_id=session_id, owner_id=owner_id, due=due)
    return action_id


def tick_action(
    db,
    *,
    action_id: int,
    done: bool = True,
    on: date,
    expected_version: int | None = None,
    actor: str,
) -> int:
    """Tick an action off (done on `on`), or reopen it; returns its version."""
    row = fresh_row(db, t.action, action_id, "action")
    from storage.access import check_action_tick

    check_action_tick(db, actor, practitioner_code(db, row.owner_pk), action_id)
    what = f"action {action_id}"
    check_version(db, row, expected_version, what)
    on = as_date(on, "done on")
    if bool(row.done) == done:
        return row.version
    done_on = on if done else None
    version = update_versioned(db, t.action, row, what, done=done, done_on=done_on)
    case_ref = None
    if row.case_id is not None:
        c = t.case.c
        case_ref = connection_of(db).execute(select(c.case_ref).where(c.id == row.case_id)).scalar_one()
    audit.record(db, actor, "done" if done else "reopen", "action", action_id,
                 case_ref=case_ref, done_on=done_on)
    return version
