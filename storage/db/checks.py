"""Checking a database (`caseload check`): integrity, foreign keys, schema
revision and drift, stored series (and their exdates) and dates the app would refuse today, and
file permissions."""

from __future__ import annotations

from datetime import date

from sqlalchemy import text
from sqlalchemy.engine import Connection, Engine
from sqlmodel import SQLModel

import storage.models  # noqa: F401 - fills SQLModel.metadata
from storage.db.migration import fk_problem
from storage.db.state import read_state, reading
from storage.engine import sqlite_path


def check_db(engine: Engine) -> list[str]:
    """Problems found in the database (an empty list means it is healthy):
    SQLite integrity_check and foreign_key_check, schema revision against
    head, drift between the tables and storage/models.py, and a SQLite file
    readable by others. Raises CaseloadError if it cannot be read at all."""
    problems: list[str] = []
    path = sqlite_path(engine)
    with reading(engine) as conn:
        state = read_state(conn)
        if engine.dialect.name == "sqlite":
            rows = list(conn.exec_driver_sql("PRAGMA integrity_check").scalars())
            if rows != ["ok"]:
                problems += [f"integrity: {r}" for r in rows[:20]]
            problems += [
                f"foreign key: {fk_problem(row)}"
                for row in conn.exec_driver_sql("PRAGMA foreign_key_check").fetchall()[:20]
            ]
        if state.current is None:
            problems.append(
                "schema: the database is empty; run `caseload init`"
                if state.empty
                else "schema: tables but no schema revision (not a caseload database)"
            )
        elif state.newer:
            problems.append(
                f"schema: revision {state.current} is newer than this version of caseload knows "
                f"(up to {state.head}); upgrade caseload"
            )
        elif state.behind:
            problems.append(
                f"schema: revision {state.current}, this version needs {state.head}; "
                "run `caseload init` to upgrade"
            )
        else:
            problems += [f"schema drift: {d}" for d in schema_drift(conn)]
            problems += _series_problems(conn)
            problems += _date_problems(conn)
        conn.rollback()
    if path is not None:
        mode = path.stat().st_mode & 0o777
        if mode & 0o077:
            problems.append(f"permissions: {path} has mode {mode:o}, others can read it; run chmod 600")
    return problems


def _date_problems(conn: Connection) -> list[str]:
    """Dates outside planner.validate's range (stored before the importer
    checked them): the rules read them as the nearer end of the range."""
    from sqlalchemy import Date, or_, select

    from planner.validate import EARLIEST, LATEST

    problems = []
    for table in SQLModel.metadata.sorted_tables:
        for column in table.columns:
            if not isinstance(column.type, Date):
                continue
            stmt = (select(table.c.id, column.label("day")).where(or_(column < EARLIEST, column > LATEST))
                    .order_by(table.c.id).limit(5))
            for row in conn.execute(stmt):
                problems.append(f"{table.name} {row.id}: {column.name} {row.day} is outside {EARLIEST} to {LATEST}; "
                                "rules read it as the nearer of the two: correct it")
    return problems[:20]


def _series_problems(conn: Connection) -> list[str]:
    """Appointments whose RRULE the app would not book today (stored before
    planner.recurrence checked them): they are read within their window, an
    unreadable one as a single appointment, but say so."""
    from planner.appointments import exdate_problems
    from planner.recurrence import RuleError, check

    problems = []
    rows = conn.execute(text(
        'SELECT a.id, c.case_ref, a.appointment_date, a.rrule, a.exdates FROM appointment a '
        'JOIN "case" c ON c.id = a.case_id WHERE a.rrule IS NOT NULL OR a.exdates IS NOT NULL ORDER BY a.id'))
    for row in rows:
        day = date.fromisoformat(row.appointment_date) if isinstance(row.appointment_date, str) \
            else row.appointment_date
        what = f"appointment {row.id} of case {row.case_ref}"
        if row.rrule:
            try:
                check(row.rrule, day)
            except RuleError as exc:
                problems.append(f"{what}: rrule {row.rrule[:60]!r}: {exc}; cancel it and book it again")
                continue
        # a series' cancelled occurrences (schema 0008): one the series does not have cancels nothing
        problems += [f"{what}: exdates: {problem}; the occurrence it meant is not cancelled: correct it"
                     for problem in exdate_problems(row.exdates, row.rrule, day)]
    return problems[:20]


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
