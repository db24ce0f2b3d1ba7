"""Checking a database (`caseload check`) on an engine: integrity, foreign
keys, schema revision and drift, stored series (and their exdates) and dates
the app would refuse today, and file permissions (storage/db/drift.py); and
Alembic's own drift comparison with storage/models.py, which
tests/storage/test_migrations.py holds drift.py's to."""

from __future__ import annotations

from sqlalchemy.engine import Connection, Engine
from sqlmodel import SQLModel

import storage.models  # noqa: F401 - fills SQLModel.metadata
from storage.db.state import reading
from storage.engine import sqlite_path


def check_db(engine: Engine) -> list[str]:
    """Problems found in the database (an empty list means it is healthy):
    SQLite integrity_check and foreign_key_check, schema revision against
    head, drift between the tables and storage/models.py, and a SQLite file
    readable by others. Raises CaseloadError if it cannot be read at all.
    The check itself is storage/db/drift.py's `check_on`, which `caseload
    check` runs on a lean Reader; here on the engine's connection."""
    from storage.db.drift import check_on
    from storage.reader import reader_of

    with reading(engine) as conn:
        problems = check_on(reader_of(conn), sqlite_path(engine))
        conn.rollback()
    return problems


def schema_drift(conn: Connection) -> list[str]:
    """Differences between the database's tables and storage/models.py
    (what `alembic check` reports), one line each; empty = none."""
    from alembic.autogenerate import compare_metadata
    from alembic.runtime.migration import MigrationContext

    context = MigrationContext.configure(conn, opts={"compare_type": True})
    return [_describe_diff(d) for d in compare_metadata(context, SQLModel.metadata)]


def _describe_diff(diff: object) -> str:
    """One line for an Alembic autogenerate difference (or a list of them)."""
    if isinstance(diff, list):
        return "; ".join(_describe_diff(d) for d in diff)
    if not isinstance(diff, tuple) or not diff:
        return str(diff)
    op, *rest = diff
    parts = []
    for item in rest:
        if item is None or isinstance(item, dict):
            continue
        name = getattr(item, "name", None)
        parts.append(str(name) if name is not None else repr(item))
    return f"{op} " + " ".join(parts)
