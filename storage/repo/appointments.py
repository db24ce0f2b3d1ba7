"""Appointments: booking one (or a series), moving it, cancelling it."""

from __future__ import annotations

import datetime as dt
from datetime import date

from sqlalchemy import select
from sqlmodel import Session

from planner.errors import CaseloadError
from planner.model import CONTACT_KINDS
from storage import audit
from storage import models as m
from storage.access import guard_case
from storage.repo.lookups import (
    appointment_row,
    as_date,
    as_time,
    case_with_practitioner,
    check_rrule,
    one_of,
)
from storage.repo.transactions import check_version, flush


def _appointment_clash(session: Session, case_id: int, day: date, practitioner_pk: int,
                       not_id: int | None = None) -> bool:
    """The case already has an appointment that day with that practitioner."""
    stmt = select(m.Appointment.id).where(
        m.Appointment.case_id == case_id,
        m.Appointment.appointment_date == day,
        m.Appointment.practitioner_pk == practitioner_pk,
    )
    if not_id is not None:
        stmt = stmt.where(m.Appointment.id != not_id)
    return session.execute(stmt).first() is not None


def book_appointment(
    session: Session,
    *,
    case_ref: str,
    appointment_date: date,
    practitioner_id: str,
    time: dt.time | str | None = None,
    kind: str = "office",
    rrule: str | None = None,
    actor: str,
) -> int:
    """Book an appointment (a series when `rrule` is given); returns its id."""
    case, practitioner = case_with_practitioner(session, actor, case_ref, practitioner_id, "book an appointment")
    one_of(kind, CONTACT_KINDS, "appointment kind")
    appointment_date = as_date(appointment_date, "appointment_date")
    time = as_time(time)
    rrule = check_rrule(rrule, appointment_date, time)
    if _appointment_clash(session, case.id, appointment_date, practitioner.id):
        raise CaseloadError(
            f"case {case_ref} already has an appointment on {appointment_date} with {practitioner_id}"
        )
    row = m.Appointment(
        case_id=case.id,
        appointment_date=appointment_date,
        practitioner_pk=practitioner.id,
        time=time,
        kind=kind,
        rrule=rrule,
    )
    session.add(row)
    flush(session)
    audit.record(
        session,
        actor,
        "book",
        "appointment",
        row.id,
        case_ref=case_ref,
        appointment_date=appointment_date,
        practitioner_id=practitioner_id,
        kind=kind,
        series=rrule is not None,
    )
    return row.id


def _appointment_what(session: Session, row: m.Appointment) -> tuple[str, str]:
    """(case ref, what a change edits) of an appointment."""
    case_ref = session.execute(select(m.Case.case_ref).where(m.Case.id == row.case_id)).scalar_one()
    return case_ref, f"appointment {row.id} of case {case_ref}"


def move_appointment(
    session: Session,
    *,
    appointment_id: int,
    new_date: date,
    expected_version: int,
    actor: str,
) -> tuple[int, int]:
    """Move an appointment to another date; returns (id, new version).
    ConflictError if it changed since `expected_version` was read."""
    row = appointment_row(session, appointment_id)
    case_ref, what = _appointment_what(session, row)
    guard_case(session, actor, case_ref)
    check_version(session, row, expected_version, what)
    new_date = as_date(new_date, "new_date")
    old_date = row.appointment_date
    if new_date == old_date:
        return row.id, row.version
    if _appointment_clash(session, row.case_id, new_date, row.practitioner_pk, not_id=row.id):
        raise CaseloadError(f"case {case_ref} already has an appointment on {new_date} with that practitioner")
    if row.rrule:  # the series moves with its first date; check it still parses
        check_rrule(row.rrule, new_date, row.time)
    row.appointment_date = new_date
    flush(session)
    audit.record(
        session,
        actor,
        "move",
        "appointment",
        row.id,
        case_ref=case_ref,
        from_date=old_date,
        to_date=new_date,
        version=row.version,
    )
    return row.id, row.version


def cancel_appointment(
    session: Session,
    *,
    appointment_id: int,
    expected_version: int | None = None,
    actor: str,
) -> int:
    """Cancel (delete) a booked appointment or series; returns its id.
    The audit event keeps its date, practitioner and kind. With
    `expected_version`, a changed appointment is refused with ConflictError."""
    row = appointment_row(session, appointment_id)
    case_ref, what = _appointment_what(session, row)
    guard_case(session, actor, case_ref)
    check_version(session, row, expected_version, what)
    practitioner_id = session.execute(
        select(m.Practitioner.practitioner_id).where(m.Practitioner.id == row.practitioner_pk)
    ).scalar_one()
    detail = {
        "appointment_date": row.appointment_date,
        "practitioner_id": practitioner_id,
        "kind": row.kind,
        "series": row.rrule is not None,
    }
    appointment_id = row.id
    session.delete(row)
    flush(session)
    audit.record(session, actor, "cancel", "appointment", appointment_id, case_ref=case_ref, **detail)
    return appointment_id
