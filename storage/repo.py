"""Write side: every change a person makes, each audited in the same transaction.

Rules every function here keeps:

- keyword arguments only, `actor` (who is doing it) always;
- an unknown case, practitioner or appointment, or a value outside the
  SPEC's vocabulary, raises `CaseloadError` with a one-line reason;
- a stale `expected_version`, or SQLAlchemy's `StaleDataError` when the row
  moved under us, raises `ConflictError` and rolls the session back, so
  nothing of the transaction is saved and nothing is overwritten;
- one `storage.audit.record` per change, with ids, dates, kinds and field
  names only (never names, note text or other personal data);
- they flush (to learn ids and new versions) but never commit: the caller
  commits once with `commit_or_conflict`, so one command is one transaction.
- access (`storage.access`, the one place that decides): when `actor` is a
  known practitioner id, a case they do not see is refused with
  CaseloadError (`guard_case`), and so are the role rules there (moving a
  case to another team needs a team lead, notes are written in one's own
  name...); any other actor (the OS user without `--as`) is the
  administrator of the file and is let through, except on a practitioner's
  own PostgreSQL login, which is always that practitioner.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import select
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.orm.exc import StaleDataError
from sqlmodel import Session

from planner import validate
from planner.errors import CaseloadError, ConflictError
from planner.model import (
    CANCELLED_BY,
    CONTACT_KINDS,
    CONTACT_LEVELS,
    FLAGS,
    OPEN_HANDOVER_STATUSES,
    OUTCOMES,
    STATUSES,
    TIERS,
)
from storage import audit
from storage import models as m
from storage.access import (
    actor_for,
    check_allocate,
    check_case_practitioner,
    guard_case,
    note_author,
    require_lead,
)

if TYPE_CHECKING:  # planner.policy is another part; imported lazily below
    from planner.policy import Policy

# Case fields a person may edit with update_case (team_id is the team's
# natural key, stored as team_pk).
EDITABLE_CASE_FIELDS = (
    "display_name",
    "tier",
    "contact_level",
    "youth",
    "date_of_birth",
    "flags",
    "status",
    "paused_until",
    "team_id",
)

_EDITING = "caseload.editing"  # session.info key: what this transaction edits
_SQLITE_BUSY_SNAPSHOT = 517  # a WAL read snapshot went stale before our write
_PG_CONCURRENCY = {"40001", "40P01"}  # serialization failure, deadlock
_PG_UNIQUE = "23505"


def conflict_message(what: str) -> str:
    return (
        f"{what} was changed by someone else since you opened it; "
        "reload to see their change — nothing was saved"
    )


# ---------------------------------------------------------------- transactions


def _is_concurrency_error(exc: BaseException) -> bool:
    """Errors that mean "someone else wrote first", on SQLite or PostgreSQL."""
    if isinstance(exc, StaleDataError):
        return True
    if isinstance(exc, DBAPIError):
        orig = exc.orig
        if getattr(orig, "sqlite_errorcode", None) == _SQLITE_BUSY_SNAPSHOT:
            return True
        sqlstate = getattr(orig, "sqlstate", None)
        if sqlstate in _PG_CONCURRENCY:
            return True
        if isinstance(exc, IntegrityError):
            # a unique key taken by a concurrent insert after our own check
            return sqlstate == _PG_UNIQUE or "UNIQUE constraint failed" in str(orig)
    return False


def _edits(session: Session) -> list[str]:
    """What the session's current transaction edits ("case C1", ...), for the
    conflict message; a new transaction starts a new list."""
    transaction = session.get_transaction()
    stored = session.info.get(_EDITING)
    if stored is None or stored[0] is not transaction:
        stored = session.info[_EDITING] = (transaction, [])
    return stored[1]


def _editing(session: Session, what: str) -> None:
    edits = _edits(session)
    if what not in edits:
        edits.append(what)


def _conflict(session: Session, what: str | None = None) -> ConflictError:
    """Roll the whole transaction back and say what was refused."""
    what = what or " or ".join(_edits(session)) or "this record"
    session.rollback()
    session.info.pop(_EDITING, None)
    return ConflictError(conflict_message(what))


def _flush(session: Session) -> None:
    """Flush; a concurrent change becomes ConflictError (session rolled back)."""
    try:
        session.flush()
    except Exception as exc:
        if _is_concurrency_error(exc):
            raise _conflict(session) from None
        raise


def commit_or_conflict(session: Session) -> None:
    """Commit the transaction. A stale version or concurrent write found at
    commit becomes ConflictError (rolled back, nothing saved)."""
    what = " or ".join(_edits(session)) or None  # the transaction ends with commit
    try:
        session.commit()
    except Exception as exc:
        if _is_concurrency_error(exc):
            raise _conflict(session, what) from None
        raise
    finally:
        session.info.pop(_EDITING, None)


def _check_version(session: Session, row: Any, expected_version: int | None, what: str) -> None:
    _editing(session, what)
    if expected_version is not None and row.version != expected_version:
        raise _conflict(session, what)


# ---------------------------------------------------------------- lookups


def _case(session: Session, case_ref: str, *, fresh: bool = False, lock: bool = False) -> m.Case:
    stmt = select(m.Case).where(m.Case.case_ref == case_ref)
    if fresh:  # re-read the row even if this session holds an older copy
        stmt = stmt.execution_options(populate_existing=True)
    if lock:  # PostgreSQL: serialise writers of this case (SQLite writes are serial anyway)
        stmt = stmt.with_for_update()
    row = session.execute(stmt).scalar_one_or_none()
    if row is None:
        raise CaseloadError(f"unknown case {case_ref}")
    return row


def _open_case(session: Session, case_ref: str, doing: str, *, lock: bool = False) -> m.Case:
    row = _case(session, case_ref, lock=lock)
    if row.status == "closed":
        raise CaseloadError(f"case {case_ref} is closed; reopen it before you {doing}")
    return row


def _practitioner(session: Session, practitioner_id: str) -> m.Practitioner:
    row = session.execute(
        select(m.Practitioner).where(m.Practitioner.practitioner_id == practitioner_id)
    ).scalar_one_or_none()
    if row is None:
        raise CaseloadError(f"unknown practitioner {practitioner_id}")
    return row


def _team(session: Session, team_id: str) -> m.Team:
    row = session.execute(select(m.Team).where(m.Team.team_id == team_id)).scalar_one_or_none()
    if row is None:
        raise CaseloadError(f"unknown team {team_id}")
    return row


def _appointment(session: Session, appointment_id: int) -> m.Appointment:
    row = session.execute(
        select(m.Appointment)
        .where(m.Appointment.id == appointment_id)
        .execution_options(populate_existing=True)
    ).scalar_one_or_none()
    if row is None:
        raise CaseloadError(f"unknown appointment {appointment_id}")
    return row


def _one_of(value: str, allowed: Iterable[str], what: str) -> str:
    allowed = tuple(allowed)
    if value not in allowed:
        raise CaseloadError(f"unknown {what} {value!r}; use one of: {', '.join(allowed)}")
    return value


def _as_date(value: Any, what: str) -> date:
    """A date within planner.validate's range (EARLIEST..LATEST)."""
    if isinstance(value, datetime):
        day = value.date()
    elif isinstance(value, date):
        day = value
    else:
        try:
            day = date.fromisoformat(str(value))
        except ValueError:
            raise CaseloadError(f"{what}: {value!r} is not a date (YYYY-MM-DD)") from None
    validate.refuse(what, validate.in_range(day))
    return day


def _as_bool(value: Any, what: str) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in ("true", "yes", "1"):
        return True
    if text in ("false", "no", "0", ""):
        return False
    raise CaseloadError(f"{what}: {value!r} is not true/false")


def _as_time(value: Any) -> dt.time | None:
    if value is None or value == "":
        return None
    if isinstance(value, dt.time):
        return value
    try:
        return dt.time.fromisoformat(str(value))
    except ValueError:
        raise CaseloadError(f"time: {value!r} is not a time (HH:MM)") from None


def _check_rrule(rrule: str | None, start: date, time: dt.time | None = None) -> str | None:
    """The series' RRULE, tidied, if the app books it (planner.recurrence.check,
    as the importer does); None for a one-off."""
    if rrule is None or not rrule.strip():
        return None
    from planner.recurrence import RuleError, check

    try:
        return check(rrule, start)
    except RuleError as exc:
        raise CaseloadError(f"rrule: {exc}") from None


# ---------------------------------------------------------------- contacts, appointments


def record_contact(
    session: Session,
    *,
    case_ref: str,
    contact_date: date,
    practitioner_id: str,
    kind: str,
    outcome: str,
    notes: str | None = None,
    cancelled_by: str | None = None,
    with_practitioner_id: str | None = None,
    actor: str,
) -> int:
    """Record a held (or missed, or cancelled) contact; returns its id.

    `cancelled_by` (`person` or `practitioner`) only for a cancelled one;
    `with_practitioner_id`: a second practitioner present (the incoming one
    at a three-way meeting), not the one who held it."""
    case = _case(session, case_ref)
    guard_case(session, actor, case_ref)
    practitioner = _practitioner(session, practitioner_id)
    check_case_practitioner(session, actor, case_ref, practitioner_id)
    _one_of(kind, CONTACT_KINDS, "contact kind")
    _one_of(outcome, OUTCOMES, "outcome")
    if cancelled_by is not None:
        _one_of(cancelled_by, CANCELLED_BY, "cancelled_by")
        if outcome != "cancelled":
            raise CaseloadError(f"cancelled_by: only a cancelled contact says who cancelled it (outcome is {outcome})")
    second = None
    if with_practitioner_id is not None:
        if with_practitioner_id == practitioner_id:
            raise CaseloadError("with_practitioner_id: names the practitioner who held the contact; "
                                "it is for a second practitioner present")
        second = _practitioner(session, with_practitioner_id)
        check_case_practitioner(session, actor, case_ref, with_practitioner_id)
    contact_date = _as_date(contact_date, "contact_date")
    validate.text_field("notes", notes)
    clash = session.execute(
        select(m.Contact.id).where(
            m.Contact.case_id == case.id,
            m.Contact.contact_date == contact_date,
            m.Contact.practitioner_pk == practitioner.id,
            m.Contact.kind == kind,
        )
    ).first()
    if clash is not None:
        raise CaseloadError(
            f"case {case_ref} already has a {kind} contact on {contact_date} with {practitioner_id}"
        )
    row = m.Contact(
        case_id=case.id,
        contact_date=contact_date,
        practitioner_pk=practitioner.id,
        kind=kind,
        outcome=outcome,
        notes=notes or None,
        cancelled_by=cancelled_by,
        with_practitioner_pk=second.id if second is not None else None,
    )
    session.add(row)
    _flush(session)
    audit.record(
        session,
        actor,
        "record",
        "contact",
        row.id,
        case_ref=case_ref,
        contact_date=contact_date,
        practitioner_id=practitioner_id,
        kind=kind,
        outcome=outcome,
        has_notes=bool(notes),
        **({"cancelled_by": cancelled_by} if cancelled_by else {}),
        **({"with_practitioner_id": with_practitioner_id} if with_practitioner_id else {}),
    )
    return row.id


def _appointment_clash(session: Session, case_id: int, day: date, practitioner_pk: int, not_id: int | None = None) -> bool:
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
    case = _open_case(session, case_ref, "book an appointment")
    guard_case(session, actor, case_ref)
    practitioner = _practitioner(session, practitioner_id)
    check_case_practitioner(session, actor, case_ref, practitioner_id)
    _one_of(kind, CONTACT_KINDS, "appointment kind")
    appointment_date = _as_date(appointment_date, "appointment_date")
    time = _as_time(time)
    rrule = _check_rrule(rrule, appointment_date, time)
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
    _flush(session)
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
    row = _appointment(session, appointment_id)
    case_ref, what = _appointment_what(session, row)
    guard_case(session, actor, case_ref)
    _check_version(session, row, expected_version, what)
    new_date = _as_date(new_date, "new_date")
    old_date = row.appointment_date
    if new_date == old_date:
        return row.id, row.version
    if _appointment_clash(session, row.case_id, new_date, row.practitioner_pk, not_id=row.id):
        raise CaseloadError(f"case {case_ref} already has an appointment on {new_date} with that practitioner")
    if row.rrule:  # the series moves with its first date; check it still parses
        _check_rrule(row.rrule, new_date, row.time)
    row.appointment_date = new_date
    _flush(session)
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
    row = _appointment(session, appointment_id)
    case_ref, what = _appointment_what(session, row)
    guard_case(session, actor, case_ref)
    _check_version(session, row, expected_version, what)
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
    _flush(session)
    audit.record(session, actor, "cancel", "appointment", appointment_id, case_ref=case_ref, **detail)
    return appointment_id


# ---------------------------------------------------------------- notes, case edits


def add_case_note(
    session: Session,
    *,
    case_ref: str,
    text: str,
    author_id: str | None,
    written_on: date,
    actor: str,
) -> int:
    """Add a case note; returns its id. The audit event never holds the text."""
    case = _case(session, case_ref)
    guard_case(session, actor, case_ref)
    if author_id:
        _practitioner(session, author_id)  # an unknown author is named as such
    author_id = note_author(session, actor, author_id)  # a practitioner writes in their own name
    author_pk = _practitioner(session, author_id).id if author_id else None
    if not text or not text.strip():
        raise CaseloadError("a case note needs some text")
    validate.text_field("text", text)
    written_on = _as_date(written_on, "written_on")
    row = m.CaseNote(case_id=case.id, author_pk=author_pk, written_on=written_on, text=text)
    session.add(row)
    _flush(session)
    audit.record(
        session,
        actor,
        "add",
        "case_note",
        row.id,
        case_ref=case_ref,
        author_id=author_id,
        written_on=written_on,
    )
    return row.id


def _normalise_flags(value: Any) -> str:
    if value is None:
        flags: list[str] = []
    elif isinstance(value, str):
        flags = [f.strip() for f in value.split(";") if f.strip()]
    else:
        flags = [str(f).strip() for f in value if str(f).strip()]
    for flag in flags:
        _one_of(flag, FLAGS, "flag")
    return ";".join(sorted(set(flags)))


def update_case(
    session: Session,
    *,
    case_ref: str,
    expected_version: int,
    actor: str,
    **changes: Any,
) -> tuple[int, int]:
    """Edit a case's own fields (EDITABLE_CASE_FIELDS); returns (id, new version).

    ConflictError when the case changed since `expected_version` was read;
    CaseloadError for an unknown field or value. `flags` takes an iterable or
    a ';'-separated string; `status="paused"` needs a `paused_until`; leaving
    `paused` clears it.
    """
    unknown = sorted(set(changes) - set(EDITABLE_CASE_FIELDS))
    if unknown:
        raise CaseloadError(
            f"cannot edit case field {', '.join(unknown)}; editable: {', '.join(EDITABLE_CASE_FIELDS)}"
        )
    row = _case(session, case_ref, fresh=True)
    guard_case(session, actor, case_ref)
    _check_version(session, row, expected_version, f"case {case_ref}")

    values: dict[str, Any] = {}
    for name, value in changes.items():
        if name == "display_name":
            if not value or not str(value).strip():
                raise CaseloadError("display_name: cannot be empty")
            values[name] = str(value).strip()
            validate.text_field(name, values[name], is_name=True)
        elif name == "tier":
            values[name] = _one_of(str(value).upper(), TIERS, "tier") if value else None
        elif name == "contact_level":
            values[name] = _one_of(value, CONTACT_LEVELS, "contact level") if value else None
        elif name == "youth":
            values[name] = _as_bool(value, name)
        elif name in ("date_of_birth", "paused_until"):
            values[name] = _as_date(value, name) if value else None
        elif name == "flags":
            values[name] = _normalise_flags(value)
        elif name == "status":
            values[name] = _one_of(value, STATUSES, "status")
        elif name == "team_id":
            values["team_pk"] = _team(session, value).id if value else None
            if values["team_pk"] != row.team_pk:  # moving a case between teams
                require_lead(actor_for(session, actor), None, f"move case {case_ref} to another team")

    status = values.get("status", row.status)
    paused_until = values["paused_until"] if "paused_until" in values else row.paused_until
    if status == "paused" and paused_until is None:
        raise CaseloadError(f"case {case_ref}: a paused case needs paused_until")
    if status != "paused" and paused_until is not None:
        if "paused_until" in values:
            raise CaseloadError(f"case {case_ref}: paused_until only applies to a paused case")
        values["paused_until"] = None  # leaving `paused` ends the pause

    changed = sorted(
        ("team_id" if name == "team_pk" else name)
        for name, value in values.items()
        if getattr(row, name) != value
    )
    if not changed:
        return row.id, row.version
    for name, value in values.items():
        setattr(row, name, value)
    old_version = row.version
    _flush(session)
    audit.record(
        session,
        actor,
        "update",
        "case",
        case_ref,
        case_ref=case_ref,
        fields=changed,
        from_version=old_version,
        version=row.version,
    )
    return row.id, row.version


# ---------------------------------------------------------------- allocation, handover


def _open_allocation(session: Session, case_id: int) -> m.Allocation | None:
    rows = session.execute(
        select(m.Allocation)
        .where(m.Allocation.case_id == case_id, m.Allocation.end_date.is_(None))
        .order_by(m.Allocation.start_date.desc(), m.Allocation.id.desc())
    ).scalars().all()
    return rows[0] if rows else None


def allocate(
    session: Session,
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
    case = _open_case(session, case_ref, "allocate it", lock=True)
    guard_case(session, actor, case_ref)
    practitioner = _practitioner(session, practitioner_id)
    check_allocate(session, actor, case_ref, practitioner_id)
    start_date = _as_date(start_date, "start_date")
    validate.text_field("reason", reason)
    current = _open_allocation(session, case.id)
    from_id = None
    if current is not None:
        if current.practitioner_pk == practitioner.id:
            raise CaseloadError(f"case {case_ref} is already allocated to {practitioner_id}")
        if start_date < current.start_date:
            raise CaseloadError(
                f"case {case_ref}: the current allocation began on {current.start_date}, "
                f"after {start_date}"
            )
        _editing(session, f"case {case_ref}")
        from_id = session.execute(
            select(m.Practitioner.practitioner_id).where(m.Practitioner.id == current.practitioner_pk)
        ).scalar_one()
        current.end_date = max(current.start_date, start_date - timedelta(days=1))
    if session.execute(
        select(m.Allocation.id).where(
            m.Allocation.case_id == case.id,
            m.Allocation.practitioner_pk == practitioner.id,
            m.Allocation.start_date == start_date,
        )
    ).first():
        raise CaseloadError(f"case {case_ref} already has an allocation to {practitioner_id} from {start_date}")
    if case.team_pk != practitioner.team_pk:
        _editing(session, f"case {case_ref}")
        case.team_pk = practitioner.team_pk
        # The case moves first: PostgreSQL checks a new allocation against the
        # case's team (schema 0004), and the unit of work has no order of its own here.
        _flush(session)
    row = m.Allocation(
        case_id=case.id,
        practitioner_pk=practitioner.id,
        start_date=start_date,
        reason=reason or None,
    )
    session.add(row)
    _flush(session)
    audit.record(
        session,
        actor,
        "allocate",
        "allocation",
        row.id,
        case_ref=case_ref,
        from_practitioner_id=from_id,
        to_practitioner_id=practitioner_id,
        start_date=start_date,
    )
    return row.id


def _nation_for(session: Session, case: m.Case, from_practitioner: m.Practitioner) -> str:
    team_pk = case.team_pk or from_practitioner.team_pk
    nation = session.execute(select(m.Team.nation).where(m.Team.id == team_pk)).scalar_one_or_none()
    return nation or from_practitioner.nation or "england-and-wales"


def plan_handover(
    session: Session,
    *,
    case_ref: str,
    to_practitioner_id: str,
    planned_on: date,
    reason: str | None = None,
    actor: str,
    policy: Policy | None = None,
    as_of: date | None = None,
    override_reason: str | None = None,
) -> int:
    """Plan a warm handover of the case from its current practitioner to
    `to_practitioner_id` on `planned_on`, with its docs/handovers.md checklist; returns
    the handover's id. `as_of` defaults to today; `policy` None means the
    SPEC defaults.

    Refused (CaseloadError, one line, nothing written): a case with an open
    handover, and what `planner.handover.planning_refusals` refuses (a date
    before `as_of`, a receiver who has left by then or is away that day,
    and, unless a team lead gives `override_reason`, a receiver the
    person's `not_with` list names or whose grade may not hold the case).
    An override is kept on the handover and audited (that there was one,
    never its text); an override reason given when nothing needs it is
    ignored."""
    from planner.calendar import working_days
    from planner.checklist import build_checklist

    from storage.queries import load_case, load_world

    as_of = _as_date(as_of or date.today(), "as_of")
    row = _open_case(session, case_ref, "plan a handover", lock=True)
    guard_case(session, actor, case_ref)
    receiver = _practitioner(session, to_practitioner_id)
    planned_on = _as_date(planned_on, "planned_on")
    validate.text_field("reason", reason)
    validate.text_field("override_reason", override_reason)
    case = load_case(session, case_ref)
    if case.practitioner_id is None:
        raise CaseloadError(f"case {case_ref} has no current practitioner to hand over from")
    if case.practitioner_id == to_practitioner_id:
        raise CaseloadError(f"case {case_ref} is already with {to_practitioner_id}")
    open_handover = case.open_handover
    if open_handover is not None:
        raise CaseloadError(
            f"case {case_ref} already has an open handover to {open_handover.to_practitioner_id} "
            f"on {open_handover.planned_on}; re-plan it with `caseload handover replan`"
        )
    override = check_plan(session, case, to_practitioner_id, planned_on, as_of=as_of, actor=actor,
                          override_reason=override_reason, world=load_world(session))
    giver = _practitioner(session, case.practitioner_id)
    items = build_checklist(case, planned_on, working_days(_nation_for(session, row, giver)), policy)

    handover = m.Handover(
        case_id=row.id,
        from_practitioner_pk=giver.id,
        to_practitioner_pk=receiver.id,
        planned_on=planned_on,
        status=OPEN_HANDOVER_STATUSES[0],
        reason=reason or None,
        plan_override_reason=override,
    )
    session.add(handover)
    _flush(session)
    session.add_all(
        m.HandoverItem(
            handover_id=handover.id,
            item_id=item.item_id,
            title=item.title,
            required=item.required,
            due=item.due,
            owner=item.owner,
            done=item.done,
            done_on=item.done_on,
            note=item.note,
        )
        for item in items
    )
    _flush(session)
    audit.record(
        session,
        actor,
        "plan",
        "handover",
        handover.id,
        case_ref=case_ref,
        from_practitioner_id=giver.practitioner_id,
        to_practitioner_id=to_practitioner_id,
        planned_on=planned_on,
        items=[item.item_id for item in items],
        **({"override": True} if override else {}),
    )
    return handover.id


def check_plan(
    session: Session,
    case,
    to_practitioner_id: str,
    planned_on: date,
    *,
    as_of: date,
    actor: str,
    override_reason: str | None,
    world=None,
) -> str | None:
    """Refuse (CaseloadError, one line) a handover of `case` (a planner
    `Case`) to `to_practitioner_id` on `planned_on` that docs/handovers.md's planning
    guards refuse; returns the override reason to keep (None when nothing
    needed one). Only a team lead of the case's team overrides, and only
    what may be overridden."""
    from planner.handover import planning_refusals, refusal_line

    from storage.access import case_team_id
    from storage.queries import load_world

    world = world or load_world(session)
    receiver = world.practitioners.get(to_practitioner_id)
    if receiver is None:
        raise CaseloadError(f"unknown practitioner {to_practitioner_id}")
    refusals = planning_refusals(case, receiver, world, as_of, planned_on)
    if not refusals:
        return None
    override = override_reason.strip() if override_reason and override_reason.strip() else None
    if override is None or not all(r.overridable for r in refusals):
        who = actor_for(session, actor)
        raise CaseloadError(refusal_line(refusals, can_override=who.is_admin or who.is_lead))
    require_lead(actor_for(session, actor), case_team_id(session, case.case_ref),
                 f"plan the handover of case {case.case_ref} with an override")
    return override[:1000]


__all__ = [
    "EDITABLE_CASE_FIELDS",
    "check_plan",
    "add_case_note",
    "allocate",
    "book_appointment",
    "cancel_appointment",
    "commit_or_conflict",
    "conflict_message",
    "move_appointment",
    "plan_handover",
    "record_contact",
    "update_case",
]
