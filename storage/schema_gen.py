"""Regenerates storage/schema_data.py from storage/models.py (the one home of
the schema): `python -m storage.schema_gen` writes it, `--check` says
whether it is current (exit 1 when not). tests/storage/test_tables.py holds
the file to the models, so a changed model without a regenerated file fails
the tests."""

from __future__ import annotations

import sys
from pathlib import Path
from pprint import pformat

TARGET = Path(__file__).with_name("schema_data.py")

HEADER = '''"""The schema as plain data, generated from storage/models.py by
`python -m storage.schema_gen`: do not edit by hand.

What the SQLAlchemy Core tables of storage/tables.py are built from (the
write path that imports neither the ORM nor SQLModel) and what a check of a
database's columns can read without SQLAlchemy. Per table, in the models'
order of columns: (name, type, length, nullable, primary key, foreign key
"table.column" or None, default). A type is one of TYPES; a default is a
plain value, None for none, or NOW for the time of the insert (UTC).
"""

NOW = "<now>"
TYPES = ("integer", "bigint", "float", "boolean", "string", "text", "date", "datetime", "time")
'''


def _type_name(column) -> tuple[str, int | None]:
    from sqlalchemy import BigInteger, Boolean, Date, DateTime, Float, Integer, String, Text, Time

    kind = column.type
    impl = getattr(kind, "impl", None)
    if impl is not None and not isinstance(impl, type):
        kind = impl  # a TypeDecorator (sqlmodel's AutoString, UTCDateTime): what it stores
    for cls, name in ((BigInteger, "bigint"), (Integer, "integer"), (Float, "float"), (Boolean, "boolean"),
                      (Text, "text"), (String, "string"), (DateTime, "datetime"), (Date, "date"),
                      (Time, "time")):
        if isinstance(kind, cls):
            return name, getattr(kind, "length", None)
    raise TypeError(f"{column.table.name}.{column.name}: no plain name for {column.type!r}")


def _default(column):
    if column.default is None:
        return None
    arg = column.default.arg
    if callable(arg):
        if getattr(arg, "__name__", "") != "utcnow":
            raise TypeError(f"{column.table.name}.{column.name}: unknown default {arg!r}")
        return "<now>"
    return arg


def describe() -> dict:
    """{table: {"columns": (...), "unique": (...), "versioned": bool}} from the models."""
    from sqlalchemy import UniqueConstraint
    from sqlmodel import SQLModel

    import storage.models  # noqa: F401 - fills SQLModel.metadata

    tables = {}
    for table in sorted(SQLModel.metadata.tables.values(), key=lambda t: t.name):
        columns = []
        for c in table.columns:
            kind, length = _type_name(c)
            fk = next(iter(c.foreign_keys)).target_fullname if c.foreign_keys else None
            columns.append((c.name, kind, length, bool(c.nullable), bool(c.primary_key), fk, _default(c)))
        unique = sorted({tuple(c.name for c in con.columns) for con in table.constraints
                         if isinstance(con, UniqueConstraint)}
                        | {(c.name,) for c in table.columns if c.unique}
                        | {tuple(c.name for c in ix.columns) for ix in table.indexes if ix.unique})
        tables[table.name] = {"columns": tuple(columns), "unique": tuple(unique),
                              "versioned": "version" in table.columns}
    return tables


def render() -> str:
    """The text of storage/schema_data.py."""
    body = pformat(describe(), width=110, sort_dicts=False)
    return f"{HEADER}\nTABLES = {body}\n"


def main(argv: list[str]) -> int:
    text = render()
    if "--check" in argv:
        current = TARGET.read_text(encoding="utf-8") if TARGET.exists() else ""
        if current != text:
            print(f"{TARGET} is not current: run python -m storage.schema_gen", file=sys.stderr)
            return 1
        return 0
    TARGET.write_text(text, encoding="utf-8")
    print(f"wrote {TARGET}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
