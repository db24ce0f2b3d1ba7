"""The app's small reads: what its screens need beside the big loaders of
storage/queries/, so that no SQL is written in `tui` (tui/data/gateway.py,
tui/handover_data.py and tui/supervision_data.py call these). The change
poll's, which must not import SQLAlchemy, are in storage/changes.py.

Each takes the caller's session (SQLAlchemy) or `storage.reader.Reader`
and checks no access itself: the caller has already resolved the actor
(storage/access/) and passes what that actor may see.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from datetime import date, timedelta

from sqlalchemy import func, or_, select

from planner.handover import FOLLOW_UP_DAYS
from planner.model import COMPLETED_HANDOVER_STATUSES, OPEN_HANDOVER_STATUSES
from storage import models as m


def appointment_versions(session, ids: Iterable[int]) -> dict[int, int]:
    """{appointment id: version} of the given appointments (for moving them
    with optimistic locking)."""
    ids = list(ids)
    if not ids:
        return {}
    return dict(session.execute(select(m.Appointment.id, m.Appointment.version)
                                .where(m.Appointment.id.in_(ids))).all())


def search_rows(session, team_id: str | None, case_refs: Collection[str] | None):
    """The command palette's index: ([(case_ref, display_name, status)] of
    the open cases among `case_refs` (None: all), [(practitioner_id, name,
    role)] of `team_id`'s practitioners (None: every team's)). Light
    queries (no children)."""
    case_q = (select(m.Case.case_ref, m.Case.display_name, m.Case.status)
              .where(m.Case.status != "closed").order_by(m.Case.case_ref))
    people_q = (select(m.Practitioner.practitioner_id, m.Practitioner.name, m.Practitioner.role)
                .order_by(m.Practitioner.practitioner_id))
    if team_id is not None:
        people_q = people_q.join(m.Team, m.Team.id == m.Practitioner.team_pk).where(m.Team.team_id == team_id)
    cases = [tuple(row) for row in session.execute(case_q).all() if case_refs is None or row[0] in case_refs]
    return cases, [tuple(row) for row in session.execute(people_q).all()]


def team_handover_refs(session, practitioner_id: str, as_of: date) -> list[str] | None:
    """The case refs of the handovers from or to anyone of the practitioner's
    team: open ones, and those completed within the follow-up window
    (planner.handover.FOLLOW_UP_DAYS) before `as_of`. None for an unknown
    practitioner."""
    team_pk = session.execute(select(m.Practitioner.team_pk)
                              .where(m.Practitioner.practitioner_id == practitioner_id)).scalar_one_or_none()
    if team_pk is None:
        return None
    H = m.Handover
    in_team = select(m.Practitioner.id).where(m.Practitioner.team_pk == team_pk)
    return sorted(set(session.execute(
        select(m.Case.case_ref).join(H, H.case_id == m.Case.id)
        .where(or_(H.from_practitioner_pk.in_(in_team), H.to_practitioner_pk.in_(in_team)))
        .where(or_(H.status.in_(OPEN_HANDOVER_STATUSES),
                   H.status.in_(COMPLETED_HANDOVER_STATUSES)
                   & (H.completed_on >= as_of - timedelta(days=FOLLOW_UP_DAYS))))
    ).scalars()))


def open_case_counts(session) -> dict[str, int]:
    """{practitioner_id: open cases held now} (practitioners holding none left out)."""
    A, C, P = m.Allocation, m.Case, m.Practitioner
    return dict(session.execute(
        select(P.practitioner_id, func.count(C.id))
        .join(A, A.practitioner_pk == P.id)
        .join(C, C.id == A.case_id)
        .where(A.end_date.is_(None), C.status != "closed")
        .group_by(P.practitioner_id)
    ).all())


def in_supervision(session) -> frozenset[str]:
    """The practitioner ids with a supervision session not yet ended."""
    P, S = m.Practitioner, m.SupervisionSession
    return frozenset(session.execute(
        select(P.practitioner_id).join(S, S.practitioner_pk == P.id).where(S.ended_at.is_(None))
    ).scalars().all())
