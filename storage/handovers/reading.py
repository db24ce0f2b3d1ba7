"""Reading handovers in a write's session: `storage/queries/handovers.py`'s
reads, after the session's pending changes are flushed so that they see
them (a tick just made, a handover just planned)."""

from __future__ import annotations

from datetime import date

from sqlmodel import Session

from storage.queries import handovers as queries
from storage.queries.handover_views import HandoverView


def open_handovers(session: Session, *, team_id: str | None = None, practitioner_id: str | None = None,
                   as_of: date | None = None) -> list[HandoverView]:
    session.flush()
    return queries.open_handovers(session, team_id=team_id, practitioner_id=practitioner_id, as_of=as_of)


def completed_with_follow_ups(session: Session, *, team_id: str | None = None,
                              as_of: date | None = None) -> list[HandoverView]:
    session.flush()
    return queries.completed_with_follow_ups(session, team_id=team_id, as_of=as_of)


def handover_detail(session: Session, case_ref: str, *, as_of: date | None = None,
                    handover_id: int | None = None) -> HandoverView:
    session.flush()
    return queries.handover_detail(session, case_ref, as_of=as_of, handover_id=handover_id)
