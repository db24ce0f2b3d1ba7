"""Appointments: booking one (or a series), moving it, cancelling it, and
recording what happened at it (docs/ARCHITECTURE.md, "Appointments").

A series' occurrence is moved or cancelled on its own as RFC 5545 has it
(planner.model.Appointment): a cancelled occurrence is an EXDATE of the
series (`exdates`), a moved one a row of its own that names the series and
the occurrence it replaces (`series_id`, `recurrence_date`). A cancellation
that says who cancelled (`person` or `practitioner`) is recorded as a
cancelled contact on its day too, which `practitioner_cancelled` counts
(docs/rules.md). Booking or moving onto a bank holiday or a day the
practitioner is away is refused with the reason, unless a team lead of the
case gives an override reason (audited).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any

from sqlalchemy import or_, select

from planner.appointments import appointment_dates, booking_dates, format_exdates, parse_exdates, refused_days
from planner.calendar import working_days
from planner.errors import CaseloadError
from planner.model import CANCELLED_BY, CONTACT_KINDS, OUTCOMES
from planner.model import Absence
from planner.model import Appointment as PlanAppointment
from storage import audit
from storage.access import actor_for, case_team_id, guard_case, require_lead
from storage.repo.lookups import (
    appointment_row,
    as_date,
    as_time,
    case_with_practitioner,
    check_rrule,
    one_of,
    practitioner_by_pk,
    practitioner_row,
)
from storage.repo.transactions import (
    check_version,
    connection_of,
    delete_versioned,
    insert,
    update_versioned,
)
from storage.tables import t

A = t.appointment

_KEEP = object()  # move_appointment: keep the time as it is


def _rows(session, statement) -> list:
    """The Core rows of a statement, in the write's transaction."""
    return connection_of(session).execute(statement).all()


def _appointment_clash(session, case_id: int, day: date, practitioner_pk: int, not_id: int | None = None):
    """The case's appointment that day with that practitioner (its row), if any."""
    stmt = select(A).where(A.c.case_id == case_id, A.c.appointment_date == day, A.c.practitioner_pk == practitioner_pk)
    if not_id is not None:
        stmt = stmt.where(A.c.id != not_id)
    found = _rows(session, stmt.limit(1))
    return found[0] if found else None


def _nation(session, practitioner) -> str:
    nation = connection_of(session).execute(select(t.team.c.nation).where(t.team.c.id == practitioner.team_pk)).scalar()
    return nation or practitioner.nation or "england-and-wales"


class _Days:
    """Which days are no days for an appointment with a practitioner: their
    team's nation's bank holidays and their absences, read once per
    practitioner for the bookings of one transaction (one booking, or the
    several of `book_appointments`)."""

    def __init__(self, session) -> None:
        self.session = session
        self._known: dict[int, tuple] = {}  # practitioner pk -> (calendar, absences by start)

    def refusals(self, practitioner, days: tuple[date, ...], first_only: bool = False) -> list[tuple[date, str]]:
        """Each of `days` (in order) that is no day for an appointment with
        the practitioner, with why (planner.appointments.refused_days, as the
        booking form warns)."""
        known = self._known.get(practitioner.id)
        if known is None:
            B = t.absence
            absences = [Absence(practitioner.practitioner_id, start, end, kind) for start, end, kind in _rows(
                self.session, select(B.c.start_date, B.c.end_date, B.c.kind)
                .where(B.c.practitioner_pk == practitioner.id).order_by(B.c.start_date))]
            known = self._known[practitioner.id] = (working_days(_nation(self.session, practitioner)), absences)
        calendar, absences = known
        found = [(r.day, r.reason) for r in refused_days(days, absences, calendar.holiday_name)]
        return found[:1] if first_only else found


def day_refusal(session, practitioner, day: date, days: _Days | None = None) -> str | None:
    """Why `day` is no day for an appointment with the practitioner (a bank
    holiday of their team's nation, or an absence of theirs), or None."""
    refused = (days or _Days(session)).refusals(practitioner, (day,), first_only=True)
    return refused[0][1] if refused else None


def _check_day(session, practitioner, day: date, case_ref: str, actor: str,
               override_reason: str | None, days: _Days | None = None) -> str | None:
    """Refuse a bank holiday or an absence day unless a lead of the case
    overrides; returns the reason overridden (for the audit), or None."""
    refusal = day_refusal(session, practitioner, day, days)
    if refusal is None:
        return None
    reason = (override_reason or "").strip()
    if not reason:
        raise CaseloadError(f"{refusal}: choose another day (a team lead may book it with an override reason)")
    require_lead(actor_for(session, actor), case_team_id(session, case_ref), f"book on such a day ({refusal})")
    return refusal


def series_skips(session, practitioner, day: date, rrule: str, days: _Days | None = None) -> list[tuple[date, str]]:
    """The later dates of a series starting on `day` (its first
    planner.appointments.SERIES_DATES_CHECKED, `booking_dates`) that fall on a bank holiday or an absence of the
    practitioner's, with why: booking leaves them out as exceptions
    (EXDATE), as the practitioner would cancel them one by one."""
    later = tuple(booking_dates(day, rrule)[1:])
    return (days or _Days(session)).refusals(practitioner, later) if later else []


def _planner_appointment(row, moved: tuple[date, ...] = ()) -> PlanAppointment:
    return PlanAppointment(row.appointment_date, "", row.time, row.kind, row.rrule, row.id,
                           parse_exdates(row.exdates), row.series_id, row.recurrence_date,
                           row.cancelled_by, moved)


def _moved_dates(session, series_id: int) -> tuple[date, ...]:
    days = _rows(session, select(A.c.recurrence_date).where(A.c.series_id == series_id))
    return tuple(sorted(day for (day,) in days))


def same_time(session, practitioner_id: str, day: date, time: dt.time | str | None,
              not_id: int | None = None) -> list[str]:
    """The case refs of the practitioner's other appointments at `time` on
    `day` (series expanded, exceptions applied): a clash to warn of."""
    time = as_time(time)
    if time is None:
        return []
    practitioner = practitioner_row(session, practitioner_id)
    rows = _rows(session, select(A, t.case.c.case_ref).join(t.case, t.case.c.id == A.c.case_id).where(
        A.c.practitioner_pk == practitioner.id, A.c.time == time, A.c.cancelled_by.is_(None),
        or_(A.c.appointment_date == day, A.c.rrule.is_not(None) & (A.c.appointment_date <= day))))
    found = []
    for row in rows:
        case_ref = row.case_ref
        if row.id == not_id or row.series_id == not_id and not_id is not None:
            continue
        planned = _planner_appointment(row, _moved_dates(session, row.id) if row.rrule else ())
        if appointment_dates(planned, day, day):
            found.append(case_ref)
    return sorted(set(found))


def book_appointment(
    session,
    *,
    case_ref: str,
    appointment_date: date,
    practitioner_id: str,
    time: dt.time | str | None = None,
    kind: str = "office",
    rrule: str | None = None,
    actor: str,
    override_reason: str | None = None,
) -> int:
    """Book an appointment (a series when `rrule` is given); returns its id.
    A bank holiday or an absence day is refused unless a team lead of the
    case gives `override_reason`. A series' later dates on such days (among
    its first planner.appointments.SERIES_DATES_CHECKED) are left out as exceptions (EXDATE,
    named in the audit event) unless a team lead gives `override_reason`,
    which books them too."""
    return _book(session, _Days(session), case_ref=case_ref, appointment_date=appointment_date,
                 practitioner_id=practitioner_id, time=time, kind=kind, rrule=rrule, actor=actor,
                 override_reason=override_reason)


def book_appointments(session, bookings: Iterable[Mapping[str, Any]], *, actor: str) -> list[int]:
    """Book several appointments in the caller's one transaction (`caseload
    week --suggest --apply`); their ids, in order. Each booking holds the
    keyword arguments of `book_appointment` but `actor`, and is checked,
    written and audited as `book_appointment` does it; only a
    practitioner's bank holidays and absences are read once for all. Any
    refusal raises: the caller rolls back and nothing is booked."""
    days = _Days(session)
    return [_book(session, days, actor=actor, **booking) for booking in bookings]


def _book(session, days: _Days, *, case_ref: str, appointment_date: date, practitioner_id: str,
          time: dt.time | str | None = None, kind: str = "office", rrule: str | None = None, actor: str,
          override_reason: str | None = None) -> int:
    """`book_appointment`, with the practitioners' days off read through `days`."""
    case, practitioner = case_with_practitioner(session, actor, case_ref, practitioner_id, "book an appointment")
    one_of(kind, CONTACT_KINDS, "appointment kind")
    appointment_date = as_date(appointment_date, "appointment_date")
    time = as_time(time)
    rrule = check_rrule(rrule, appointment_date, time)
    overridden = _check_day(session, practitioner, appointment_date, case_ref, actor, override_reason, days)
    skips, overridden = _series_days(session, practitioner, appointment_date, rrule, case_ref, actor,
                                     override_reason, overridden, days)
    values = {"time": time, "kind": kind, "rrule": rrule, "exdates": format_exdates(day for day, _why in skips)}
    old = _appointment_clash(session, case.id, appointment_date, practitioner.id)
    if old is not None and old.cancelled_by is None:
        raise CaseloadError(
            f"case {case_ref} already has an appointment on {appointment_date} with {practitioner_id}"
        )
    if old is not None:  # a cancelled one that day: booked again (the same calendar event)
        appointment_id = old.id
        update_versioned(session, A, old, f"appointment {old.id} of case {case_ref}", **values, cancelled_by=None)
    else:
        appointment_id = insert(session, A, case_id=case.id, appointment_date=appointment_date,
                                practitioner_pk=practitioner.id, **values)
    audit.record(
        session, actor, "book", "appointment", appointment_id,
        case_ref=case_ref, appointment_date=appointment_date, practitioner_id=practitioner_id, kind=kind,
        series=rrule is not None,
        **({"skipped": [f"{why}: left out of the series" for _day, why in skips]} if skips else {}),
        **({"override_reason": override_reason.strip(), "overridden": overridden} if overridden else {}),
    )
    return appointment_id


def _series_days(session, practitioner, day: date, rrule: str | None, case_ref: str, actor: str,
                 override_reason: str | None, overridden: str | None,
                 days: _Days) -> tuple[list[tuple[date, str]], str | None]:
    """(the series' later dates left out, with why; what the booking
    overrides): with `override_reason` a team lead books the series whole."""
    skips = series_skips(session, practitioner, day, rrule, days) if rrule else []
    if skips and (override_reason or "").strip():
        require_lead(actor_for(session, actor), case_team_id(session, case_ref),
                     f"book a series over such days ({skips[0][1]})")
        return [], "; ".join(filter(None, (overridden, *(why for _day, why in skips))))
    return skips, overridden


def _appointment_what(session, row) -> tuple[str, str]:
    """(case ref, what a change edits) of an appointment."""
    case_ref = connection_of(session).execute(select(t.case.c.case_ref).where(t.case.c.id == row.case_id)).scalar_one()
    return case_ref, f"appointment {row.id} of case {case_ref}"


def _occurrence(session, row, occurrence: date | None) -> date:
    """The occurrence of the series `row` on `occurrence`: one of its dates
    (not cancelled nor moved); CaseloadError otherwise."""
    if occurrence is None:
        raise CaseloadError(f"appointment {row.id} is a series: give the occurrence's date (or the whole series)")
    occurrence = as_date(occurrence, "occurrence")
    planned = _planner_appointment(row, _moved_dates(session, row.id))
    if occurrence in planned.moved:
        raise CaseloadError(f"the occurrence of {occurrence} of appointment {row.id} was moved: "
                            "change the moved appointment instead")
    if not appointment_dates(planned, occurrence, occurrence):
        raise CaseloadError(f"appointment {row.id} has no occurrence on {occurrence}")
    return occurrence


def _guarded(session, appointment_id: int, actor: str, expected_version: int | None = None):
    """(the appointment's row, its case ref, what a change edits), once `actor`
    may change its case and (given `expected_version`) nobody else has."""
    row = appointment_row(session, appointment_id)
    case_ref, what = _appointment_what(session, row)
    guard_case(session, actor, case_ref)
    check_version(session, row, expected_version, what)
    return row, case_ref, what


def move_appointment(
    session,
    *,
    appointment_id: int,
    new_date: date,
    expected_version: int | None,
    actor: str,
    new_time: dt.time | str | None | object = _KEEP,
    occurrence: date | None = None,
    series: bool = False,
    override_reason: str | None = None,
) -> tuple[int, int]:
    """Move an appointment to another date (and time, `new_time`; None: no
    time); returns (id, new version) of the row moved. For a series, either
    one `occurrence` (a row of its own replaces it; its id is returned) or,
    with `series`, the whole series (every date moves by as many days as
    `occurrence`, or the first date, moves). ConflictError if the row
    changed since `expected_version` was read."""
    row, case_ref, what = _guarded(session, appointment_id, actor, expected_version)
    new_date = as_date(new_date, "new_date")
    time = row.time if new_time is _KEEP else as_time(new_time)
    if row.cancelled_by is not None:
        raise CaseloadError(f"appointment {row.id} of case {case_ref} is cancelled; book a new one")
    practitioner = practitioner_by_pk(session, row.practitioner_pk)
    old_date = row.appointment_date
    if row.rrule and not series:
        return _move_occurrence(session, row, case_ref, practitioner, _occurrence(session, row, occurrence),
                                new_date, time, actor, override_reason)
    if row.rrule:
        base = as_date(occurrence, "occurrence") if occurrence is not None else old_date
        shift = new_date - base
        target = old_date + shift
    else:
        shift, target = new_date - old_date, new_date
    if target == old_date and time == row.time:
        return row.id, row.version
    overridden = None
    if target != old_date or not row.rrule:
        overridden = _check_day(session, practitioner, new_date, case_ref, actor, override_reason)
    if target != old_date and _appointment_clash(session, row.case_id, target, row.practitioner_pk, not_id=row.id):
        raise CaseloadError(f"case {case_ref} already has an appointment on {target} with that practitioner")
    values = {"appointment_date": target, "time": time}
    if row.rrule and target != old_date:  # the series moves with its first date; check it still parses
        if "BYDAY" in row.rrule.upper() and target.weekday() != old_date.weekday():
            raise CaseloadError(f"the series names its weekdays ({row.rrule}): move it by whole weeks, "
                                "or cancel it and book a new one")
        check_rrule(row.rrule, target, time)
        values["exdates"] = format_exdates(day + shift for day in parse_exdates(row.exdates))
    version = update_versioned(session, A, row, what, **values)
    audit.record(
        session, actor, "move", "appointment", row.id,
        case_ref=case_ref, from_date=old_date, to_date=target, version=version,
        **({"series": True} if row.rrule else {}),
        **({"time": time.strftime("%H:%M") if time else None} if new_time is not _KEEP else {}),
        **({"override_reason": override_reason.strip(), "overridden": overridden} if overridden else {}),
    )
    return row.id, version


def _move_occurrence(session, row, case_ref: str, practitioner, occurrence: date, new_date: date,
                     time: dt.time | None, actor: str, override_reason: str | None) -> tuple[int, int]:
    """One occurrence of a series moved: a row of its own replaces it."""
    overridden = _check_day(session, practitioner, new_date, case_ref, actor, override_reason)
    if _appointment_clash(session, row.case_id, new_date, row.practitioner_pk, not_id=row.id):
        raise CaseloadError(f"case {case_ref} already has an appointment on {new_date} with that practitioner")
    if new_date == row.appointment_date:
        raise CaseloadError(f"{new_date} is the series' first date: move the series, or choose another day")
    moved_id = insert(session, A, case_id=row.case_id, appointment_date=new_date, practitioner_pk=row.practitioner_pk,
                      time=time, kind=row.kind, series_id=row.id, recurrence_date=occurrence)
    audit.record(
        session, actor, "move", "appointment", row.id,
        case_ref=case_ref, occurrence=occurrence, to_date=new_date, override_id=moved_id,
        **({"override_reason": override_reason.strip(), "overridden": overridden} if overridden else {}),
    )
    return moved_id, 1


def cancel_appointment(
    session,
    *,
    appointment_id: int,
    expected_version: int | None = None,
    actor: str,
    cancelled_by: str | None = None,
    occurrence: date | None = None,
    series: bool = False,
    as_of: date | None = None,
) -> int:
    """Cancel an appointment; returns its id.

    Without `cancelled_by` it is taken off the books (deleted: booked by
    mistake; the audit event keeps its date, practitioner and kind). With
    it (`person` or `practitioner`) it is cancelled: a one-off (or a moved
    occurrence) is marked so, a series' `occurrence` becomes an EXDATE of
    the series, and with `series` the whole series (and its moved
    occurrences) is cancelled; a cancelled contact is recorded on the day
    (the occurrence's, or the series' next from today), which
    `practitioner_cancelled` counts. With `expected_version`, a changed
    appointment is refused with ConflictError."""
    row, case_ref, what = _guarded(session, appointment_id, actor, expected_version)
    practitioner = practitioner_by_pk(session, row.practitioner_pk)
    detail = {"appointment_date": row.appointment_date, "practitioner_id": practitioner.practitioner_id,
              "kind": row.kind, "series": row.rrule is not None}
    if cancelled_by is None:
        if occurrence is not None or series:
            raise CaseloadError("say who cancelled it (person or practitioner) to cancel an occurrence or a series")
        for override in _rows(session, select(A).where(A.c.series_id == row.id)):
            delete_versioned(session, A, override, what)
        delete_versioned(session, A, row, what)
    else:
        one_of(cancelled_by, CANCELLED_BY, "cancelled_by")
        if row.cancelled_by is not None:
            raise CaseloadError(f"appointment {row.id} of case {case_ref} is already cancelled")
        day = _mark_cancelled(session, row, what, cancelled_by, occurrence, series, as_of, detail)
        _record_cancelled(session, row, practitioner, day, cancelled_by)
        detail = {"cancelled_by": cancelled_by, **detail}
    audit.record(session, actor, "cancel", "appointment", row.id, case_ref=case_ref, **detail)
    return row.id


def _mark_cancelled(session, row, what: str, cancelled_by: str, occurrence: date | None, series: bool,
                    as_of: date | None, detail: dict) -> date:
    """Cancel a series' occurrence (an EXDATE), a whole series (from
    `occurrence`, or today, with its moved occurrences from then) or a
    one-off; the day of the cancelled contact. `detail` (the audit event's)
    says which."""
    if row.rrule and not series:
        day = _occurrence(session, row, occurrence)
        update_versioned(session, A, row, what, exdates=format_exdates((*parse_exdates(row.exdates), day)))
        detail["occurrence"] = day
        return day
    if not row.rrule:
        update_versioned(session, A, row, what, cancelled_by=cancelled_by)
        return row.appointment_date
    planned = _planner_appointment(row, _moved_dates(session, row.id))
    from_day = as_date(occurrence, "occurrence") if occurrence is not None else (as_of or dt.date.today())
    upcoming = appointment_dates(planned, from_day, from_day + dt.timedelta(days=400))
    update_versioned(session, A, row, what, cancelled_by=cancelled_by)
    for override in _rows(session, select(A).where(A.c.series_id == row.id, A.c.cancelled_by.is_(None),
                                                   A.c.appointment_date >= from_day)):
        update_versioned(session, A, override, what, cancelled_by=cancelled_by)
    detail["whole_series"] = True
    return upcoming[0] if upcoming else row.appointment_date


def _record_cancelled(session, row, practitioner, day: date, cancelled_by: str) -> None:
    """The cancelled contact of the day (none when one is already recorded)."""
    C = t.contact
    known = _rows(session, select(C.c.id).where(C.c.case_id == row.case_id, C.c.contact_date == day,
                                                C.c.practitioner_pk == practitioner.id).limit(1))
    if known:
        return
    insert(session, C, case_id=row.case_id, contact_date=day, practitioner_pk=practitioner.id, kind=row.kind,
           outcome="cancelled", cancelled_by=cancelled_by)


def record_outcome(
    session,
    *,
    appointment_id: int,
    outcome: str,
    actor: str,
    occurrence: date | None = None,
    kind: str | None = None,
    notes: str | None = None,
    cancelled_by: str | None = None,
    as_of: date | None = None,
) -> int:
    """What happened at an appointment (a series: at its `occurrence`):
    records the contact of its day with its practitioner in one step;
    returns the contact's id. `outcome` attended / missed / cancelled (then
    `cancelled_by`); `kind` the appointment's unless given."""
    from storage.repo.contacts import record_contact

    row, case_ref, _what = _guarded(session, appointment_id, actor)
    one_of(outcome, OUTCOMES, "outcome")
    if outcome == "cancelled" and cancelled_by is None:
        raise CaseloadError("a cancelled appointment says who cancelled it: person or practitioner")
    if row.cancelled_by is not None:
        raise CaseloadError(f"appointment {row.id} of case {case_ref} was cancelled")
    day = _occurrence(session, row, occurrence) if row.rrule else row.appointment_date
    if day > (as_of or dt.date.today()):
        raise CaseloadError(f"the appointment of {day} has not happened yet; cancel or move it instead")
    practitioner = practitioner_by_pk(session, row.practitioner_pk)
    return record_contact(session, case_ref=case_ref, contact_date=day, practitioner_id=practitioner.practitioner_id,
                          kind=kind or row.kind, outcome=outcome, notes=notes, cancelled_by=cancelled_by,
                          actor=actor)


__all__ = ["book_appointment", "book_appointments", "cancel_appointment", "day_refusal", "move_appointment", "record_outcome",
           "same_time"]
