"""The small pieces every read of `storage.queries` shares: rows from SQL
text through a `storage.reader.Reader`, the caches that turn driver values
into shared objects (`_Dates`, `_Words`, ...), the positional builders of
the planner dataclasses, and the look-ups of one primary key."""

from __future__ import annotations

from collections.abc import Iterator
import datetime as dt
from datetime import date

from planner.errors import CaseloadError
from planner.validate import EARLIEST, LATEST
from planner import model
from planner.model import fast_constructor
from storage.reader import reader_of

DEFAULT_NATION = "england-and-wales"


def _raw_rows(session, sql: str, params=()) -> Iterator[tuple]:
    """The rows of SQL text (`?` markers) as the driver returns them: plain
    tuples, so dates are ISO text on SQLite and `date`s on PostgreSQL (pass
    them through `_Dates`), booleans 0/1 on SQLite. `session` is a SQLAlchemy
    session (the statement runs in its transaction and fires its events:
    statements are counted) or a `storage.reader.Reader`. Rows stream:
    iterate once, fully."""
    return reader_of(session).rows(sql, params)


def _rows(session, sql: str, params=()) -> list[tuple]:
    return reader_of(session).all(sql, params)


class _Dates(dict):
    """Driver value -> `date`: ISO text parsed once per distinct string
    (thousands of contacts share a day), a `date` or None passed through.
    A date outside planner.validate's range (stored before the importer
    checked it: an absence "to 9999-12-31") is read as the nearer end of
    the range, so that no rule counting days from it leaves the calendar;
    `caseload check` lists such rows."""

    def __missing__(self, key):
        value = date.fromisoformat(key) if isinstance(key, str) else key
        if value is not None and not EARLIEST <= value <= LATEST:
            value = EARLIEST if value < EARLIEST else LATEST
        self[key] = value
        return value


class _Words(dict):
    """One shared str object per distinct short value (kinds, outcomes):
    the driver makes a new one per row, 50 bytes each, a million times."""

    def __missing__(self, key):
        self[key] = key
        return key


class _Times(dict):
    """Driver value -> `datetime.time` (ISO text on SQLite), parsed once each."""

    def __missing__(self, key):
        value = dt.time.fromisoformat(key) if isinstance(key, str) else key
        self[key] = value
        return value


class _FlagSets(dict):
    """The flags column ("a;b") -> frozenset, one shared set per distinct text."""

    def __missing__(self, key):
        value = self[key] = _flags(key)
        return value


# Positional builders for the dataclasses made by the ten thousand (every
# field, in the field order of planner.model; see planner.model.fast_constructor).
_make_contact = fast_constructor(model.Contact)
_make_allocation = fast_constructor(model.Allocation)
_make_appointment = fast_constructor(model.Appointment)
_make_absence = fast_constructor(model.Absence)
_make_item = fast_constructor(model.ChecklistItem)
_make_handover = fast_constructor(model.Handover)
_make_case = fast_constructor(model.Case)
_make_practitioner = fast_constructor(model.Practitioner)  # every one of them, for every caseload read


def _scalar(session, sql: str, params=()):
    """The first value of the first row, or None."""
    return reader_of(session).scalar(sql, params)


def _flags(raw: str | None) -> frozenset[str]:
    return frozenset(flag.strip() for flag in (raw or "").split(";") if flag.strip())


class _PractitionerIds(dict):
    """Surrogate pk -> natural practitioner_id. A practitioner added by
    someone else between our statements is looked up on demand (rare)."""

    def __init__(self, session) -> None:
        super().__init__(_rows(session, "SELECT id, practitioner_id FROM practitioner"))
        self._session = session

    def __missing__(self, pk: int) -> str:
        pid = _scalar(self._session, "SELECT practitioner_id FROM practitioner WHERE id = ?", (pk,))
        if pid is None:
            raise CaseloadError(f"practitioner row {pk} vanished while loading; try again")
        self[pk] = pid
        return pid

    def pk_of(self, practitioner_id: str) -> int:
        for pk, pid in self.items():
            if pid == practitioner_id:
                return pk
        raise CaseloadError(f"unknown practitioner {practitioner_id}")


def _known(session, sql: str, key, what: str):
    """The one value `sql` selects for `key`; CaseloadError "unknown WHAT KEY" when there is none."""
    value = _scalar(session, sql, (key,))
    if value is None:
        raise CaseloadError(f"unknown {what} {key}")
    return value


def _team_pk(session, team_id: str) -> int:
    return _known(session, "SELECT id FROM team WHERE team_id = ?", team_id, "team")


def _case_pk(session, case_ref: str) -> int:
    return _known(session, 'SELECT id FROM "case" WHERE case_ref = ?', case_ref, "case")


class _Where:
    """A WHERE condition as SQL text with its parameters, in order. (A plain
    class: a dataclass would cost half a millisecond at import, on the app's
    start-up path, for a pair nothing compares.)"""

    __slots__ = ("sql", "params")

    def __init__(self, sql: str, params: tuple = ()) -> None:
        self.sql = sql
        self.params = params
