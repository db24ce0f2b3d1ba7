"""Copy every row of one caseload database into another, table by table.

    copy_database(make_engine("caseload.db"), make_engine("postgresql+psycopg://..."))

Meant for moving a team's SQLite file onto the PostgreSQL server (and for the
benchmarks, which load the scale data into PostgreSQL this way). Both
databases must be at this code's schema revision (`storage.db.ensure_ready`)
and the destination must hold no caseload rows yet: nothing is merged.

Rows keep their surrogate keys and `version` numbers, so foreign keys, the
audit log and optimistic locking carry over unchanged; tables go parent first
(`SQLModel.metadata.sorted_tables`), read in primary-key order in batches and
written with one multi-row INSERT per batch, all in one destination
transaction: a failed copy leaves the destination as it was. On PostgreSQL
each id sequence is then moved past the largest copied id, so the next insert
does not collide. The `alembic_version` table is not copied: each side already
records its own revision.

No audit event is written: the audit rows themselves are copied as they are.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import Engine, func, insert, select, text
from sqlmodel import SQLModel

import storage.models  # noqa: F401 - fills SQLModel.metadata
from planner.errors import CaseloadError
from planner.words import plural
from storage.db import ensure_ready
from storage.engine import describe
from storage.progress import NO_PROGRESS, Progress

BATCH_ROWS = 10_000


@dataclass
class CopyReport:
    """Rows copied per table, in copy order."""

    rows: dict[str, int] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return sum(self.rows.values())

    def describe(self) -> list[str]:
        return [f"{name}: {plural(count, 'row')}" for name, count in self.rows.items()] + [
            f"total: {plural(self.total, 'row')}"]


def copy_database(src_engine: Engine, dst_engine: Engine, *, batch_rows: int = BATCH_ROWS,
                  progress: Progress = NO_PROGRESS) -> CopyReport:
    """Copy every caseload table from `src_engine` into `dst_engine`.

    Raises CaseloadError when either database is not ready (missing, not
    initialised, another schema revision) or when the destination already
    holds rows; the destination is then left untouched."""
    if batch_rows < 1:
        raise ValueError("batch_rows must be at least 1")
    ensure_ready(src_engine)
    ensure_ready(dst_engine)
    if src_engine.url == dst_engine.url:
        raise CaseloadError("source and destination are the same database")
    tables = list(SQLModel.metadata.sorted_tables)
    report = CopyReport()
    with src_engine.connect() as src, dst_engine.begin() as dst:
        for table in tables:
            if dst.execute(select(func.count()).select_from(table)).scalar_one():
                raise CaseloadError(
                    f"the database at {describe(dst_engine)} already has {table.name} rows; "
                    "copy into a newly initialised database"
                )
        for table in tables:
            order = list(table.primary_key.columns)
            total = None if progress is NO_PROGRESS else src.execute(select(func.count()).select_from(table)).scalar_one()
            advance = progress.task(table.name, total)
            result = src.execution_options(yield_per=batch_rows).execute(select(table).order_by(*order))
            count = 0
            for batch in result.partitions():
                dst.execute(insert(table), [row._asdict() for row in batch])
                count += len(batch)
                advance(len(batch))
            report.rows[table.name] = count
        if dst.dialect.name == "postgresql":
            _advance_sequences(dst, tables)
    return report


def _advance_sequences(conn, tables) -> None:
    """Move each serial id sequence past the largest id now in its table."""
    preparer = conn.dialect.identifier_preparer
    for table in tables:
        for column in table.primary_key.columns:
            if not column.autoincrement or column.type.python_type is not int:
                continue
            quoted = preparer.format_table(table)
            sequence = conn.execute(
                text("SELECT pg_get_serial_sequence(:table, :column)"),
                {"table": quoted, "column": column.name},
            ).scalar_one_or_none()
            if sequence is None:
                continue
            conn.execute(
                text(
                    f"SELECT setval(:sequence, coalesce((SELECT max({preparer.quote(column.name)}) "
                    f"FROM {quoted}), 0) + 1, false)"
                ),
                {"sequence": sequence},
            )


__all__ = ["BATCH_ROWS", "CopyReport", "copy_database"]
