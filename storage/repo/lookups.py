"""Lookups and values of the write side: a row by its natural key (an
unknown one is a `CaseloadError` naming it), and a value checked against the
vocabulary of docs/words.md or read as a date, a yes/no, a time or an RRULE."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from datetime import date, datetime
from typing import Any

from sqlalchemy import Table, select

from planner import validate
from planner.errors import CaseloadError
from storage.repo.transactions import connection_of, is_session
from storage.tables import t


def _one(db, statement):
    """The one row of a Core statement (or None), in `db`'s transaction."""
    return connection_of(db).execute(statement).first()


def case_row(db, case_ref: str, *, fresh: bool = False, lock: bool = False):
    """The case `case_ref` (a Core row: read afresh, whatever `fresh` says);
    `lock` locks it for update."""
    stmt = select(t.case).where(t.case.c.case_ref == case_ref)
    if lock:  # PostgreSQL: serialise writers of this case (SQLite writes are serial anyway)
        stmt = stmt.with_for_update()
    row = _one(db, stmt)
    if row is None:
        raise CaseloadError(f"unknown case {case_ref}")
    return row


def open_case_row(db, case_ref: str, doing: str, *, lock: bool = False):
    """The case `case_ref`, refused when it is closed (for `doing`)."""
    row = case_row(db, case_ref, lock=lock)
    if row.status == "closed":
        raise CaseloadError(f"case {case_ref} is closed; reopen it before you {doing}")
    return row


def practitioner_row(db, practitioner_id: str):
    """The practitioner `practitioner_id` (a Core row)."""
    row = _one(db, select(t.practitioner).where(t.practitioner.c.practitioner_id == practitioner_id))
    if row is None:
        raise CaseloadError(f"unknown practitioner {practitioner_id}")
    return row


def practitioner_by_pk(db, pk: int):
    """The practitioner row of surrogate key `pk`."""
    return _one(db, select(t.practitioner).where(t.practitioner.c.id == pk))


def case_with_practitioner(db, actor, case_ref: str, practitioner_id: str, doing: str | None = None, *,
                           check=None):
    """The case and the practitioner of a contact or an appointment, once
    `actor` may change that case with that practitioner (storage.access);
    with `doing`, the case is refused when closed (for `doing`). `check`
    (`storage.access.check_checkin`, `check_not_with`): that rule instead,
    asked once both are known."""
    from storage.access import check_case_practitioner, guard_case

    case = open_case_row(db, case_ref, doing) if doing else case_row(db, case_ref)
    if check is None:
        guard_case(db, actor, case_ref)
    practitioner = practitioner_row(db, practitioner_id)
    (check or check_case_practitioner)(db, actor, case_ref, practitioner_id)
    return case, practitioner


def existing(db, table: Table, **key: Any):
    """The id of the row of `table` whose columns hold `key` (a natural key:
    case, day, practitioner...), or None."""
    return connection_of(db).execute(
        select(table.c.id).where(*(table.c[name] == value for name, value in key.items()))).scalar()


def team_row(db, team_id: str):
    """The team `team_id` (a Core row)."""
    row = _one(db, select(t.team).where(t.team.c.team_id == team_id))
    if row is None:
        raise CaseloadError(f"unknown team {team_id}")
    return row


def fresh_row(db, model: Any, pk: int, what: str) -> Any:
    """The row `pk` of `model`, read afresh; CaseloadError "unknown {what} {pk}".
    `model` a Core Table: a Core row; an ORM model (on a Session): its object."""
    if isinstance(model, Table):
        row = _one(db, select(model).where(model.c.id == pk))
    else:
        assert is_session(db), "an ORM model is read through a Session"
        row = db.execute(
            select(model).where(model.id == pk).execution_options(populate_existing=True)
        ).scalar_one_or_none()
    if row is None:
        raise CaseloadError(f"unknown {what} {pk}")
    return row


def appointment_row(db, appointment_id: int):
    """The appointment `appointment_id` (a Core row), read afresh."""
    return fresh_row(db, t.appointment, appointment_id, "appointment")


def one_of(value: str, allowed: Iterable[str], what: str) -> str:
    """`value`, refused unless it is one of `allowed`."""
    allowed = tuple(allowed)
    if value not in allowed:
        raise CaseloadError(f"unknown {what} {value!r}; use one of: {', '.join(allowed)}")
    return value


def as_date(value: Any, what: str) -> date:
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


def as_bool(value: Any, what: str) -> bool:
    """A yes/no value (true/yes/1, false/no/0/empty)."""
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in ("true", "yes", "1"):
        return True
    if text in ("false", "no", "0", ""):
        return False
    raise CaseloadError(f"{what}: {value!r} is not true/false")


def as_time(value: Any) -> dt.time | None:
    """A time of day (HH:MM), or None for none."""
    if value is None or value == "":
        return None
    if isinstance(value, dt.time):
        return value
    try:
        return dt.time.fromisoformat(str(value))
    except ValueError:
        raise CaseloadError(f"time: {value!r} is not a time (HH:MM)") from None


def check_rrule(rrule: str | None, start: date, time: dt.time | None = None) -> str | None:
    """The series' RRULE, tidied, if the app books it (planner.recurrence.check,
    as the importer does); None for a one-off."""
    if rrule is None or not rrule.strip():
        return None
    from planner.recurrence import RuleError, check

    try:
        return check(rrule, start)
    except RuleError as exc:
        raise CaseloadError(f"rrule: {exc}") from None
