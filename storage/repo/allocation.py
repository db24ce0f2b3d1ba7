"""Allocating a case to a practitioner: the open allocation ends, the new one
begins, and the case's team follows the practitioner's."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select

from planner import validate
from planner.errors import CaseloadError
from storage import audit
from storage.access import check_allocate, guard_case
from storage.repo.lookups import as_date, open_case_row, practitioner_by_pk, practitioner_row
from storage.repo.transactions import connection_of, editing, insert, update_versioned
from storage.tables import t


def open_allocation(session, case_id: int):
    """The case's allocation with no end date (the latest if several), a Core row."""
    A = t.allocation
    return connection_of(session).execute(
        select(A).where(A.c.case_id == case_id, A.c.end_date.is_(None))
        .order_by(A.c.start_date.desc(), A.c.id.desc())
    ).first()


def allocate(
    session,
    *,
    case_ref: str,
    practitioner_id: str,
    start_date: date,
    reason: str | None = None,
    actor: str,
) -> int:
    """Allocate a case to a practitioner from `start_date`; returns the new
    allocation's id. The open allocation ends the day before (or on the start
    date itself when it began that day). The case's team follows the
    practitioner's team."""
    case = open_case_row(session, case_ref, "allocate it", lock=True)
    guard_case(session, actor, case_ref)
    practitioner = practitioner_row(session, practitioner_id)
    check_allocate(session, actor, case_ref, practitioner_id)
    start_date = as_date(start_date, "start_date")
    validate.text_field("reason", reason)
    from_id = _end_current(session, case, practitioner, start_date)
    A = t.allocation
    if connection_of(session).execute(select(A.c.id).where(
            A.c.case_id == case.id, A.c.practitioner_pk == practitioner.id, A.c.start_date == start_date)).first():
        raise CaseloadError(f"case {case_ref} already has an allocation to {practitioner_id} from {start_date}")
    if case.team_pk != practitioner.team_pk:
        # The case moves first: PostgreSQL checks a new allocation against the
        # case's team (schema 0004).
        editing(session, f"case {case_ref}")
        update_versioned(session, t.case, case, f"case {case_ref}", team_pk=practitioner.team_pk)
    new_id = insert(session, A, case_id=case.id, practitioner_pk=practitioner.id, start_date=start_date,
                    reason=reason or None)
    audit.record(session, actor, "allocate", "allocation", new_id, case_ref=case_ref,
                 from_practitioner_id=from_id, to_practitioner_id=practitioner_id, start_date=start_date)
    return new_id


def _end_current(session, case, practitioner, start_date: date) -> str | None:
    """End the case's open allocation the day before `start_date` (or on it,
    when it began that day); returns its practitioner's id (None: none open)."""
    case_ref = case.case_ref
    current = open_allocation(session, case.id)
    if current is None:
        return None
    if current.practitioner_pk == practitioner.id:
        raise CaseloadError(f"case {case_ref} is already allocated to {practitioner.practitioner_id}")
    if start_date < current.start_date:
        raise CaseloadError(
            f"case {case_ref}: the current allocation began on {current.start_date}, "
            f"after {start_date}"
        )
    editing(session, f"case {case_ref}")
    update_versioned(session, t.allocation, current, f"case {case_ref}",
                     end_date=max(current.start_date, start_date - timedelta(days=1)))
    return practitioner_by_pk(session, current.practitioner_pk).practitioner_id
