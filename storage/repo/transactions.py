"""Transactions of the write side: what a transaction edits (for the
conflict message), flushing and committing with a concurrent change turned
into `ConflictError` (rolled back, nothing saved), and version checks."""

from __future__ import annotations

from typing import Any

from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.orm.exc import StaleDataError
from sqlmodel import Session

from planner.errors import ConflictError

_EDITING = "caseload.editing"  # session.info key: what this transaction edits
_SQLITE_BUSY_SNAPSHOT = 517  # a WAL read snapshot went stale before our write
_PG_CONCURRENCY = {"40001", "40P01"}  # serialization failure, deadlock
_PG_UNIQUE = "23505"


def conflict_message(what: str) -> str:
    """The one line a refused stale change says."""
    return (
        f"{what} was changed by someone else since you opened it; "
        "reload to see their change — nothing was saved"
    )


# ---------------------------------------------------------------- transactions


def is_concurrency_error(exc: BaseException) -> bool:
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


def edited(session: Session) -> list[str]:
    """What the session's current transaction edits ("case C1", ...), for the
    conflict message; a new transaction starts a new list."""
    transaction = session.get_transaction()
    stored = session.info.get(_EDITING)
    if stored is None or stored[0] is not transaction:
        stored = session.info[_EDITING] = (transaction, [])
    return stored[1]


def editing(session: Session, what: str) -> None:
    """Note that the transaction edits `what` (for its conflict message)."""
    edits = edited(session)
    if what not in edits:
        edits.append(what)


def conflict(session: Session, what: str | None = None) -> ConflictError:
    """Roll the whole transaction back and say what was refused."""
    what = what or " or ".join(edited(session)) or "this record"
    session.rollback()
    session.info.pop(_EDITING, None)
    return ConflictError(conflict_message(what))


def flush(session: Session) -> None:
    """Flush; a concurrent change becomes ConflictError (session rolled back)."""
    try:
        session.flush()
    except Exception as exc:
        if is_concurrency_error(exc):
            raise conflict(session) from None
        raise


def commit_or_conflict(session: Session) -> None:
    """Commit the transaction. A stale version or concurrent write found at
    commit becomes ConflictError (rolled back, nothing saved)."""
    what = " or ".join(edited(session)) or None  # the transaction ends with commit
    try:
        session.commit()
    except Exception as exc:
        if is_concurrency_error(exc):
            raise conflict(session, what) from None
        raise
    finally:
        session.info.pop(_EDITING, None)


def check_version(session: Session, row: Any, expected_version: int | None, what: str) -> None:
    """Refuse (ConflictError, rolled back) a row whose version is not `expected_version`."""
    editing(session, what)
    if expected_version is not None and row.version != expected_version:
        raise conflict(session, what)

