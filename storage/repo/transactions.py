"""Transactions of the write side, on SQLAlchemy Core (docs/ARCHITECTURE.md,
"The write path").

A write runs on a Core `Connection` in one transaction (`transaction`), or,
while other packages still hold ORM objects, on a `Session`: its Core
connection then runs the statements in the session's own transaction
(`connection_of`), and the session's copies of the rows changed are kept
true (`_sync`). Here: what a transaction edits (for the conflict message),
Core statements with a concurrent change turned into `ConflictError`
(rolled back, nothing saved), version checks as
`UPDATE ... WHERE id = :id AND version = :v` whose row count says whether
someone else changed the row first, and committing.

Nothing here imports `sqlalchemy.orm` or SQLModel: a write command on Core
stays within its time (README "Every command")."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Table
from sqlalchemy.exc import DBAPIError, IntegrityError

from planner.errors import ConflictError

_EDITING = "caseload.editing"  # info key: what this transaction edits
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


def is_session(db) -> bool:
    """Is `db` an ORM Session (rather than a Core Connection)?"""
    return hasattr(db, "get_bind")


@contextmanager
def transaction(engine) -> Iterator[Any]:
    """A Core connection for one write: the caller commits with
    `commit_or_conflict`; anything else (an error, no commit) rolls back."""
    with engine.connect() as connection:
        try:
            yield connection
        finally:
            if connection.in_transaction():
                connection.rollback()


def is_concurrency_error(exc: BaseException) -> bool:
    """Errors that mean "someone else wrote first", on SQLite or PostgreSQL."""
    orm_errors = sys.modules.get("sqlalchemy.orm.exc")  # only an ORM flush raises StaleDataError
    if orm_errors is not None and isinstance(exc, orm_errors.StaleDataError):
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


def edited(db) -> list[str]:
    """What the current transaction of `db` (a Connection or a Session)
    edits ("case C1", ...), for the conflict message; a new transaction
    starts a new list."""
    if not is_session(db) and not db.in_transaction():
        db.begin()  # the transaction the list belongs to
    transaction = db.get_transaction()
    stored = db.info.get(_EDITING)
    if stored is None or stored[0] is not transaction:
        stored = db.info[_EDITING] = (transaction, [])
    return stored[1]


def editing(db, what: str) -> None:
    """Note that the transaction edits `what` (for its conflict message)."""
    edits = edited(db)
    if what not in edits:
        edits.append(what)


def conflict(db, what: str | None = None) -> ConflictError:
    """Roll the whole transaction back and say what was refused."""
    what = what or " or ".join(edited(db)) or "this record"
    db.rollback()
    db.info.pop(_EDITING, None)
    return ConflictError(conflict_message(what))


def flush(db) -> None:
    """A Session: flush, a concurrent change becoming ConflictError (rolled
    back). A Connection has nothing pending: its statements ran already."""
    if not is_session(db):
        return
    try:
        db.flush()
    except Exception as exc:
        if is_concurrency_error(exc):
            raise conflict(db) from None
        raise


def commit_or_conflict(db) -> None:
    """Commit the transaction. A stale version or concurrent write found at
    commit becomes ConflictError (rolled back, nothing saved)."""
    what = " or ".join(edited(db)) or None  # the transaction ends with commit
    try:
        db.commit()
    except Exception as exc:
        if is_concurrency_error(exc):
            raise conflict(db, what) from None
        raise
    finally:
        db.info.pop(_EDITING, None)


def check_version(db, row: Any, expected_version: int | None, what: str) -> None:
    """Refuse (ConflictError, rolled back) a row whose version is not `expected_version`."""
    editing(db, what)
    if expected_version is not None and row.version != expected_version:
        raise conflict(db, what)


# ---------------------------------------------------------------- Core statements


def connection_of(db):
    """The Core connection of `db`: itself, or a Session's (its pending
    changes flushed first, so that they come before ours)."""
    if is_session(db):
        flush(db)
        return db.connection()
    return db


def execute(db, statement, params=None):
    """Run a Core statement in `db`'s transaction; a concurrent change
    becomes ConflictError (rolled back, nothing saved)."""
    try:
        return connection_of(db).execute(statement, params)
    except Exception as exc:
        if is_concurrency_error(exc):
            raise conflict(db) from None
        raise


def insert(db, table: Table, **values: Any) -> int:
    """Insert a row (the table's defaults fill the rest); its id."""
    result = execute(db, table.insert().values(**values))
    return result.inserted_primary_key[0]


def update_versioned(db, table: Table, row: Any, what: str | None = None, **values: Any) -> int:
    """Change `row` (read in this transaction, with its `id` and `version`)
    if nobody else has since: `UPDATE ... WHERE id = :id AND version = :v`
    with the version bumped; its new version. No row changed means someone
    else got there first: ConflictError, the transaction rolled back."""
    version = row.version + 1
    result = execute(db, table.update().where(table.c.id == row.id, table.c.version == row.version)
                     .values(**values, version=version))
    if result.rowcount != 1:
        raise conflict(db, what)
    _sync(db, table, row.id, {**values, "version": version})
    return version


def delete_versioned(db, table: Table, row: Any, what: str | None = None) -> None:
    """Delete `row` unless someone else changed it since it was read (as
    `update_versioned`)."""
    result = execute(db, table.delete().where(table.c.id == row.id, table.c.version == row.version))
    if result.rowcount != 1:
        raise conflict(db, what)
    _sync(db, table, row.id, None)


def _sync(db, table: Table, row_id: int, values: dict | None) -> None:
    """A Session's own copy of a row changed through Core takes the new
    values (or, deleted, leaves the session), so that it neither shows old
    values nor trips the ORM's version check later in the transaction."""
    if not is_session(db):
        return
    for key, obj in list(db.identity_map.items()):
        if getattr(key[0], "__tablename__", None) != table.name or key[1] != (row_id,):
            continue
        if values is None:
            db.expunge(obj)
            continue
        from sqlalchemy.orm.attributes import set_committed_value  # a Session: the ORM is loaded already

        for name, value in values.items():
            set_committed_value(obj, name, value)
