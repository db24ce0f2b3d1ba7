"""SQLAlchemy Core tables of the schema, for the write path (storage/repo).

Built from storage/schema_data.py (generated from storage/models.py, the one
home of the schema: `python -m storage.schema_gen`), importing `sqlalchemy`
alone: never `sqlalchemy.orm`, SQLModel or pydantic, whose import costs a
write command more than its whole work (README "Every command").
tests/storage/test_tables.py holds these tables to the models' own.

    from storage.tables import t
    conn.execute(t.appointment.update().where(t.appointment.c.id == 3)...)
"""

from __future__ import annotations

from datetime import datetime, timezone

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    Time,
    UniqueConstraint,
)

from storage.schema_data import NOW, TABLES


def utcnow() -> datetime:
    """The time of an insert, aware and in UTC (as storage.models.utcnow)."""
    return datetime.now(timezone.utc)


def _type(kind: str, length: int | None):
    if kind == "string":
        return String(length)
    if kind == "datetime":
        return DateTime(timezone=True)
    return {"integer": Integer, "bigint": BigInteger, "float": Float, "boolean": Boolean, "text": Text,
            "date": Date, "time": Time}[kind]()


def _column(name, kind, length, nullable, primary_key, foreign_key, default) -> Column:
    args = [ForeignKey(foreign_key)] if foreign_key else []
    return Column(name, _type(kind, length), *args, nullable=nullable, primary_key=primary_key,
                  default=utcnow if default == NOW else default)


def _add(metadata: MetaData, name: str) -> Table:
    spec = TABLES[name]
    return Table(name, metadata, *(_column(*column) for column in spec["columns"]),
                 *(UniqueConstraint(*cols) for cols in spec["unique"]))


def build(metadata: MetaData | None = None) -> MetaData:
    """A MetaData holding every table of storage/schema_data.py."""
    metadata = metadata if metadata is not None else MetaData()
    for name in TABLES:
        if name not in metadata.tables:
            _add(metadata, name)
    return metadata


class _Tables:
    """The tables by name (`t.case`, `t.appointment`...), each built when
    first asked for: a write builds the few it uses, not all of them (a
    table's foreign keys find the tables they name whenever those are
    built; every statement here gives its joins' conditions)."""

    def __init__(self, metadata: MetaData) -> None:
        self._metadata = metadata

    def __getattr__(self, name: str) -> Table:
        if name not in TABLES:
            raise AttributeError(f"no table {name!r} in storage/schema_data.py")
        table = self._metadata.tables.get(name)
        if table is None:
            table = _add(self._metadata, name)
        setattr(self, name, table)
        return table


_metadata = MetaData()
t = _Tables(_metadata)
VERSIONED = frozenset(name for name, spec in TABLES.items() if spec["versioned"])


def __getattr__(name: str):
    if name == "metadata":  # every table, for whoever wants them all (tests/storage/test_tables.py)
        return build(_metadata)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = ["VERSIONED", "build", "metadata", "t", "utcnow"]
