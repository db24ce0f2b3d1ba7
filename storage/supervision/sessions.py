"""Supervision sessions themselves: starting and ending one (finding and
listing them: storage/queries/supervision.py)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import func, select
from sqlmodel import Session

from planner.errors import CaseloadError
from storage import audit
from storage import models as m
from storage.models import utcnow
from storage.repo.lookups import as_date, practitioner_row
from storage.repo.transactions import check_version, flush
from storage.supervision.rows import open_session_row, practitioner_code


def start_session(
    session: Session,
    *,
    practitioner_id: str,
    lead_id: str,
    on: date,
    actor: str,
) -> int:
    """Start a supervision session of `practitioner_id` led by `lead_id` (a
    team lead) on date `on`; returns its id. Refused when the lead is not a
    team lead, is the practitioner, or the practitioner has an open session."""
    practitioner = practitioner_row(session, practitioner_id)
    lead = practitioner_row(session, lead_id)
    if lead.role != "team_lead":
        raise CaseloadError(
            f"{lead_id} is not a team lead (role {lead.role}); a supervision session is led by a "
            "team lead: give --as with a team lead's id"
        )
    from storage.access import actor_for, check_supervision_lead, practitioner_team_id, require_lead

    require_lead(actor_for(session, lead_id), practitioner_team_id(session, practitioner_id),
                 f"supervise {practitioner_id}")
    if lead.id == practitioner.id:
        raise CaseloadError(f"{lead_id} cannot lead their own supervision; ask another team lead")
    check_supervision_lead(session, actor, practitioner_id, f"supervise {practitioner_id}")
    on = as_date(on, "session date")
    still_open = session.execute(
        select(m.SupervisionSession.id)
        .where(m.SupervisionSession.practitioner_pk == practitioner.id,
               m.SupervisionSession.ended_at.is_(None))
        .order_by(m.SupervisionSession.id)
    ).scalars().first()
    if still_open is not None:
        raise CaseloadError(
            f"supervision session {still_open} for {practitioner_id} is still open; "
            f"carry on with it or end it first (caseload supervision end {still_open})"
        )
    row = m.SupervisionSession(practitioner_pk=practitioner.id, lead_pk=lead.id, session_date=on)
    session.add(row)
    flush(session)
    audit.record(session, actor, "start", "supervision_session", row.id,
                 practitioner_id=practitioner_id, lead_id=lead_id, session_date=on)
    return row.id


def end_session(
    session: Session, *, session_id: int, expected_version: int | None = None, actor: str
) -> datetime:
    """End an open session (its notes and marks are then fixed); returns when."""
    from storage.access import check_supervision_lead

    row = open_session_row(session, session_id, "change it")
    check_supervision_lead(session, actor, practitioner_code(session, row.practitioner_pk), "end a session")
    check_version(session, row, expected_version, f"supervision session {session_id}")
    row.ended_at = utcnow()
    flush(session)
    notes = session.execute(
        select(func.count()).where(m.SupervisionNote.session_id == session_id)
    ).scalar_one()
    audit.record(session, actor, "end", "supervision_session", session_id, notes=notes)
    return row.ended_at
