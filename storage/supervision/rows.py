"""The rows a supervision change works on: the session (open, for a change),
a case's note in it (created empty on first write), a practitioner's id."""

from __future__ import annotations

from sqlalchemy import select
from sqlmodel import Session

from planner.errors import CaseloadError
from storage import models as m
from storage.repo.lookups import case_row, fresh_row
from storage.repo.transactions import check_version, conflict, flush


def session_row(session: Session, session_id: int) -> m.SupervisionSession:
    """The supervision session `session_id`, read afresh."""
    return fresh_row(session, m.SupervisionSession, session_id, "supervision session")


def open_session_row(session: Session, session_id: int, doing: str) -> m.SupervisionSession:
    """The session `session_id`, refused when it has ended (for `doing`)."""
    row = session_row(session, session_id)
    if row.ended_at is not None:
        raise CaseloadError(
            f"supervision session {session_id} has ended; start a new session to {doing}"
        )
    return row


def practitioner_code(session: Session, pk: int | None) -> str | None:
    """The `practitioner_id` of the practitioner row `pk` (None for None)."""
    if pk is None:
        return None
    return session.execute(
        select(m.Practitioner.practitioner_id).where(m.Practitioner.id == pk)
    ).scalar_one()


def note_row(session: Session, session_id: int, case_id: int) -> m.SupervisionNote | None:
    """The session's note on the case, read afresh (None: none yet)."""
    return session.execute(
        select(m.SupervisionNote)
        .where(m.SupervisionNote.session_id == session_id, m.SupervisionNote.case_id == case_id)
        .execution_options(populate_existing=True)
    ).scalar_one_or_none()


def edit_note(
    session: Session,
    session_id: int,
    case_ref: str,
    expected_version: int | None,
    doing: str,
    actor: str,
) -> tuple[m.SupervisionNote, m.Case]:
    """The note row of (session, case), created empty when there is none yet.
    ConflictError when `expected_version` is stale (0 means "no note yet").
    Only the lead of the session's practitioner's team writes, and only on
    that team's cases (storage.access)."""
    from storage.access import check_supervision_case, check_supervision_lead

    sess = open_session_row(session, session_id, doing)
    case = case_row(session, case_ref)
    practitioner_id = practitioner_code(session, sess.practitioner_pk)
    check_supervision_lead(session, actor, practitioner_id, doing)
    check_supervision_case(session, actor, practitioner_id, case_ref)
    what = f"the supervision note on case {case_ref}"
    row = note_row(session, session_id, case.id)
    if row is None:
        if expected_version not in (None, 0):
            raise conflict(session, what)  # it was there when read, and is gone
        row = m.SupervisionNote(session_id=session_id, case_id=case.id, note=None)
        session.add(row)
        flush(session)  # a concurrent first note on the same case conflicts here
    else:
        check_version(session, row, expected_version, what)
    return row, case
