"""Supervision sessions themselves: starting and ending one, finding a
practitioner's open or latest one, and listing them with their counts."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import aliased
from sqlmodel import Session

from planner.errors import CaseloadError
from storage import audit
from storage import models as m
from storage.models import utcnow
from storage.repo.lookups import as_date, practitioner_row
from storage.repo.transactions import check_version, flush
from storage.supervision.rows import open_session_row, practitioner_code
from storage.supervision.views import SessionSummary


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


def open_session_id(session: Session, practitioner_id: str) -> int | None:
    """The practitioner's session that has not ended, if any (to resume it)."""
    practitioner = practitioner_row(session, practitioner_id)
    return session.execute(
        select(m.SupervisionSession.id)
        .where(m.SupervisionSession.practitioner_pk == practitioner.id,
               m.SupervisionSession.ended_at.is_(None))
        .order_by(m.SupervisionSession.session_date.desc(), m.SupervisionSession.id.desc())
    ).scalars().first()


def latest_session_id(session: Session, practitioner_id: str) -> int:
    """The practitioner's most recent session; CaseloadError when there is none."""
    practitioner = practitioner_row(session, practitioner_id)
    sid = session.execute(
        select(m.SupervisionSession.id)
        .where(m.SupervisionSession.practitioner_pk == practitioner.id)
        .order_by(m.SupervisionSession.session_date.desc(), m.SupervisionSession.id.desc())
    ).scalars().first()
    if sid is None:
        raise CaseloadError(f"{practitioner_id} has no supervision sessions yet")
    return sid


def _summaries(session: Session, where: Any) -> list[SessionSummary]:
    """The sessions matching `where`, newest first, with their counts."""
    S, P = m.SupervisionSession, m.Practitioner
    Lead = aliased(m.Practitioner)
    rows = session.execute(
        select(S.id, S.session_date, P.practitioner_id, Lead.practitioner_id.label("lead_id"),
               Lead.name.label("lead_name"), S.started_at, S.ended_at, S.version)
        .join(P, P.id == S.practitioner_pk)
        .outerjoin(Lead, Lead.id == S.lead_pk)
        .where(where)
        .order_by(S.session_date.desc(), S.id.desc())
    ).all()
    if not rows:
        return []
    counts = _counts(session, [row.id for row in rows])
    return [
        SessionSummary(
            id=row.id, session_date=row.session_date, practitioner_id=row.practitioner_id,
            lead_id=row.lead_id, lead_name=row.lead_name, started_at=row.started_at,
            ended_at=row.ended_at, cases_discussed=len(counts[row.id].cases),
            reviewed=counts[row.id].reviewed, flagged=counts[row.id].flagged,
            actions=counts[row.id].actions, open_actions=counts[row.id].open_actions, version=row.version,
        )
        for row in rows
    ]


@dataclass
class _Counts:
    """One session's counts: notes reviewed and flagged, actions, cases touched."""

    reviewed: int = 0
    flagged: int = 0
    actions: int = 0
    open_actions: int = 0
    cases: set[int] = field(default_factory=set)


def _counts(session: Session, ids: list[int]) -> dict[int, _Counts]:
    """The counts of the sessions `ids` (two statements)."""
    N, A = m.SupervisionNote, m.Action
    counts: dict[int, _Counts] = defaultdict(_Counts)
    for note in session.execute(
        select(N.session_id, N.case_id, N.reviewed, N.flagged).where(N.session_id.in_(ids))
    ):
        of = counts[note.session_id]
        of.reviewed += bool(note.reviewed)
        of.flagged += bool(note.flagged)
        of.cases.add(note.case_id)
    for action in session.execute(
        select(A.session_id, A.case_id, A.done).where(A.session_id.in_(ids))
    ):
        of = counts[action.session_id]
        of.actions += 1
        of.open_actions += not action.done
        if action.case_id is not None:
            of.cases.add(action.case_id)
    return counts


def list_sessions(session: Session, practitioner_id: str) -> list[SessionSummary]:
    """The practitioner's sessions, newest first, with counts."""
    practitioner = practitioner_row(session, practitioner_id)
    return _summaries(session, m.SupervisionSession.practitioner_pk == practitioner.id)


def get_session(session: Session, session_id: int) -> SessionSummary:
    """One session with its counts."""
    found = _summaries(session, m.SupervisionSession.id == session_id)
    if not found:
        raise CaseloadError(f"unknown supervision session {session_id}")
    return found[0]
