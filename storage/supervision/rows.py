"""The rows a supervision change works on: the session (open, for a change),
a case's note in it (created empty on first write), a practitioner's id.
SQLAlchemy Core rows (storage/tables.py), read afresh in the caller's
transaction (`db`: a Core Connection, or a Session: storage/repo/transactions.py)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from planner.errors import CaseloadError
from storage.repo.lookups import case_row, fresh_row
from storage.repo.transactions import check_version, conflict, connection_of, insert
from storage.tables import t


def session_row(db, session_id: int) -> Any:
    """The supervision session `session_id`, read afresh."""
    return fresh_row(db, t.supervision_session, session_id, "supervision session")


def open_session_row(db, session_id: int, doing: str) -> Any:
    """The session `session_id`, refused when it has ended (for `doing`)."""
    row = session_row(db, session_id)
    if row.ended_at is not None:
        raise CaseloadError(
            f"supervision session {session_id} has ended; start a new session to {doing}"
        )
    return row


def practitioner_code(db, pk: int | None) -> str | None:
    """The `practitioner_id` of the practitioner row `pk` (None for None)."""
    if pk is None:
        return None
    p = t.practitioner
    return connection_of(db).execute(select(p.c.practitioner_id).where(p.c.id == pk)).scalar_one()


def note_subject(case_ref: str) -> str:
    """What a note's change edits, for the conflict message."""
    return f"the supervision note on case {case_ref}"


def note_row(db, session_id: int, case_id: int) -> Any:
    """The session's note on the case, read afresh (None: none yet)."""
    n = t.supervision_note
    return connection_of(db).execute(
        select(n).where(n.c.session_id == session_id, n.c.case_id == case_id)
    ).first()


def edit_note(
    db,
    session_id: int,
    case_ref: str,
    expected_version: int | None,
    doing: str,
    actor: str,
) -> tuple[Any, Any]:
    """The note row of (session, case), created empty when there is none yet.
    ConflictError when `expected_version` is stale (0 means "no note yet").
    Only the lead of the session's practitioner's team writes, and only on
    that team's cases (storage.access)."""
    from storage.access import check_supervision_case, check_supervision_lead

    sess = open_session_row(db, session_id, doing)
    case = case_row(db, case_ref)
    practitioner_id = practitioner_code(db, sess.practitioner_pk)
    check_supervision_lead(db, actor, practitioner_id, doing)
    check_supervision_case(db, actor, practitioner_id, case_ref)
    what = note_subject(case_ref)
    row = note_row(db, session_id, case.id)
    if row is None:
        if expected_version not in (None, 0):
            raise conflict(db, what)  # it was there when read, and is gone
        insert(db, t.supervision_note, session_id=session_id, case_id=case.id, note=None)
        row = note_row(db, session_id, case.id)  # a concurrent first note on the same case conflicts above
    else:
        check_version(db, row, expected_version, what)
    return row, case
