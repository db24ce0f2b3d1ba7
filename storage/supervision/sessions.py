"""Supervision sessions themselves: starting and ending one (finding and
listing them: storage/queries/supervision.py). SQLAlchemy Core on the
caller's transaction (storage/repo/transactions.py)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import func, select

from planner.errors import CaseloadError
from storage import audit
from storage.repo.lookups import as_date, practitioner_row
from storage.repo.transactions import check_version, connection_of, insert, update_versioned
from storage.supervision.rows import open_session_row, practitioner_code
from storage.tables import t, utcnow


def start_session(
    db,
    *,
    practitioner_id: str,
    lead_id: str,
    on: date,
    actor: str,
) -> int:
    """Start a supervision session of `practitioner_id` led by `lead_id` (a
    team lead) on date `on`; returns its id. Refused when the lead is not a
    team lead, is the practitioner, or the practitioner has an open session."""
    practitioner = practitioner_row(db, practitioner_id)
    lead = practitioner_row(db, lead_id)
    if lead.role != "team_lead":
        raise CaseloadError(
            f"{lead_id} is not a team lead (role {lead.role}); a supervision session is led by a "
            "team lead: give --as with a team lead's id"
        )
    from storage.access import actor_for, check_supervision_lead, practitioner_team_id, require_lead

    require_lead(actor_for(db, lead_id), practitioner_team_id(db, practitioner_id),
                 f"supervise {practitioner_id}")
    if lead.id == practitioner.id:
        raise CaseloadError(f"{lead_id} cannot lead their own supervision; ask another team lead")
    check_supervision_lead(db, actor, practitioner_id, f"supervise {practitioner_id}")
    on = as_date(on, "session date")
    s = t.supervision_session.c
    still_open = connection_of(db).execute(
        select(s.id).where(s.practitioner_pk == practitioner.id, s.ended_at.is_(None)).order_by(s.id)
    ).scalars().first()
    if still_open is not None:
        raise CaseloadError(
            f"supervision session {still_open} for {practitioner_id} is still open; "
            f"carry on with it or end it first (caseload supervision end {still_open})"
        )
    session_id = insert(db, t.supervision_session, practitioner_pk=practitioner.id, lead_pk=lead.id,
                        session_date=on)
    audit.record(db, actor, "start", "supervision_session", session_id,
                 practitioner_id=practitioner_id, lead_id=lead_id, session_date=on)
    return session_id


def end_session(
    db, *, session_id: int, expected_version: int | None = None, actor: str
) -> datetime:
    """End an open session (its notes and marks are then fixed); returns when."""
    from storage.access import check_supervision_lead

    row = open_session_row(db, session_id, "change it")
    check_supervision_lead(db, actor, practitioner_code(db, row.practitioner_pk), "end a session")
    what = f"supervision session {session_id}"
    check_version(db, row, expected_version, what)
    ended_at = utcnow()
    update_versioned(db, t.supervision_session, row, what, ended_at=ended_at)
    n = t.supervision_note.c
    notes = connection_of(db).execute(select(func.count()).where(n.session_id == session_id)).scalar_one()
    audit.record(db, actor, "end", "supervision_session", session_id, notes=notes)
    return ended_at
