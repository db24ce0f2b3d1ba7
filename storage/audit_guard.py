"""The append-only guard on `audit_event` (schema 0003), seen from code.

The triggers themselves are created by migration 0003 (SQLite: `BEFORE
UPDATE/DELETE ... RAISE(ABORT)`; PostgreSQL: a plpgsql trigger function).
This module names them for the one legitimate rewrite of audit rows: a
*fresh demo copy* of sample.db whose dates are all moved to today
(`storage.sample.demo_copy`), which suspends the SQLite triggers inside its
own transaction and puts them back before it commits.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy.engine import Connection

# Kept identical to migration 0003's SQLITE_TRIGGERS.
SQLITE_TRIGGERS = {
    "audit_event_no_update": """CREATE TRIGGER audit_event_no_update BEFORE UPDATE ON audit_event
       BEGIN SELECT RAISE(ABORT, 'audit_event is append-only: UPDATE refused'); END""",
    "audit_event_no_delete": """CREATE TRIGGER audit_event_no_delete BEFORE DELETE ON audit_event
       BEGIN SELECT RAISE(ABORT, 'audit_event is append-only: DELETE refused'); END""",
}
APPEND_ONLY_MESSAGE = "audit_event is append-only"


@contextmanager
def sqlite_append_only_suspended(conn: Connection) -> Iterator[None]:
    """SQLite only, for building or shifting a demo copy: drop the triggers
    present, run the block, create them again, all in the caller's
    transaction (a failure leaves the triggers as they were)."""
    if conn.dialect.name != "sqlite":
        raise ValueError("only a SQLite demo copy may rewrite its audit rows")
    present = {
        name for (name,) in conn.exec_driver_sql(
            "SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'audit_event'"
        )
    } & set(SQLITE_TRIGGERS)
    for name in sorted(present):
        conn.exec_driver_sql(f"DROP TRIGGER {name}")
    yield
    for name in sorted(present):
        conn.exec_driver_sql(SQLITE_TRIGGERS[name])


def is_append_only_refusal(exc: BaseException) -> bool:
    """The database refused an UPDATE/DELETE of audit rows (either backend)."""
    return APPEND_ONLY_MESSAGE in str(getattr(exc, "orig", None) or exc)


__all__ = ["APPEND_ONLY_MESSAGE", "SQLITE_TRIGGERS", "is_append_only_refusal", "sqlite_append_only_suspended"]
