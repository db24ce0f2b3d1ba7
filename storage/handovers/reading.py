"""Reading handovers in a write's transaction: `storage/queries/handovers.py`'s
reads, after a Session's pending changes are flushed so that they see them
(a tick just made, a handover just planned); a Core Connection has none."""

from __future__ import annotations

from datetime import date

from storage.queries import handovers as queries
from storage.queries.handover_views import HandoverView
from storage.repo.transactions import flush


def open_handovers(db, *, team_id: str | None = None, practitioner_id: str | None = None,
                   as_of: date | None = None) -> list[HandoverView]:
    flush(db)
    return queries.open_handovers(db, team_id=team_id, practitioner_id=practitioner_id, as_of=as_of)


def completed_with_follow_ups(db, *, team_id: str | None = None,
                              as_of: date | None = None) -> list[HandoverView]:
    flush(db)
    return queries.completed_with_follow_ups(db, team_id=team_id, as_of=as_of)


def handover_detail(db, case_ref: str, *, as_of: date | None = None,
                    handover_id: int | None = None) -> HandoverView:
    flush(db)
    return queries.handover_detail(db, case_ref, as_of=as_of, handover_id=handover_id)
