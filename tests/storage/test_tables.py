"""storage/schema_data.py and storage/tables.py against storage/models.py:
the Core tables of the write path are the models' tables (names, columns,
what each column holds, nullability, keys, defaults), the generated data is
what `python -m storage.schema_gen` writes today, and importing the tables
imports no ORM."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from sqlmodel import SQLModel

import storage.models  # noqa: F401 - fills SQLModel.metadata
from storage import schema_gen
from storage.tables import metadata

ROOT = Path(__file__).resolve().parents[2]


def _affinity(kind) -> tuple:
    """What a column stores: its Python type, length and time zone (a
    TypeDecorator such as sqlmodel's AutoString by the type it wraps)."""
    kind = getattr(kind, "impl_instance", kind)
    return kind.python_type, type(kind).__name__ == "BigInteger", getattr(kind, "timezone", None)


def _column(c) -> tuple:
    fks = sorted(fk.target_fullname for fk in c.foreign_keys)
    default = None if c.default is None else ("now" if callable(c.default.arg) else c.default.arg)
    return (_affinity(c.type), getattr(c.type, "length", None), c.nullable, c.primary_key, fks, default)


def _table(table) -> dict:
    return {
        "columns": {c.name: _column(c) for c in table.columns},
        "primary": [c.name for c in table.primary_key],
        "unique": sorted({tuple(c.name for c in con.columns) for con in table.constraints
                          if con.__class__.__name__ == "UniqueConstraint"}
                         | {(c.name,) for c in table.columns if c.unique}
                         | {tuple(c.name for c in ix.columns) for ix in table.indexes if ix.unique}),
    }


def test_core_tables_are_the_models_tables():
    models = {name: _table(table) for name, table in SQLModel.metadata.tables.items()}
    core = {name: _table(table) for name, table in metadata.tables.items()}
    assert sorted(core) == sorted(models)
    for name in models:
        assert core[name] == models[name], name


def test_the_comparison_sees_a_changed_column(monkeypatch):
    """The check above can fail: a column whose nullability differs is seen."""
    from storage import tables

    changed = {**tables.TABLES}
    spec = changed["appointment"]
    columns = tuple((*c[:3], not c[3], *c[4:]) if c[0] == "kind" else c for c in spec["columns"])
    changed["appointment"] = {**spec, "columns": columns}
    monkeypatch.setattr(tables, "TABLES", changed)
    rebuilt = tables.build()
    assert _table(rebuilt.tables["appointment"]) != _table(SQLModel.metadata.tables["appointment"])


def test_schema_data_is_regenerated_from_the_models():
    current = (ROOT / "storage" / "schema_data.py").read_text(encoding="utf-8")
    assert current == schema_gen.render(), "run python -m storage.schema_gen"


def test_the_check_refuses_a_stale_file(tmp_path, monkeypatch):
    stale = tmp_path / "schema_data.py"
    stale.write_text(schema_gen.render().replace("'leave'", "'away'"), encoding="utf-8")
    monkeypatch.setattr(schema_gen, "TARGET", stale)
    assert schema_gen.main(["--check"]) == 1
    stale.write_text(schema_gen.render(), encoding="utf-8")
    assert schema_gen.main(["--check"]) == 0


def test_the_tables_import_no_orm():
    probe = ("import json, sys; import storage.tables, storage.repo.transactions, storage.repo.lookups;"
             " print(json.dumps(sorted(sys.modules)))")
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, cwd=ROOT, check=True)
    modules = set(json.loads(done.stdout))
    heavy = {m for m in modules if m.split(".")[0] in ("sqlmodel", "pydantic", "alembic")
             or m == "sqlalchemy.orm" or m.startswith("sqlalchemy.orm.")}
    assert "sqlalchemy" in modules
    assert not heavy, sorted(heavy)


@pytest.mark.parametrize("table", ["case", "appointment", "audit_event"])
def test_schema_data_has_no_sqlalchemy(table):
    """The plain description is read without SQLAlchemy (a reader-side check)."""
    probe = ("import json, sys; from storage.schema_data import TABLES;"
             f" print(json.dumps([sorted(sys.modules), [c[0] for c in TABLES[{table!r}]['columns']]]))")
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, cwd=ROOT, check=True)
    modules, columns = json.loads(done.stdout)
    assert not [m for m in modules if m.split(".")[0] == "sqlalchemy"]
    assert columns == [c.name for c in SQLModel.metadata.tables[table].columns]


def test_a_table_is_built_when_first_used():
    """A write builds the tables it uses (storage/tables.py, `t`), and their
    foreign keys find the tables they name once those are built too."""
    probe = ("import json; from storage import tables; from storage.tables import t;"
             " h = t.handover; first = sorted(tables._metadata.tables);"
             " fk = next(iter(h.c.case_id.foreign_keys)); c = t.case;"
             " print(json.dumps([first, fk.column.table.name, t.case is c, len(tables.metadata.tables)]))")
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, cwd=ROOT, check=True)
    first, target, same, every = json.loads(done.stdout)
    assert first == ["handover"]
    assert target == "case" and same
    assert every == len(schema_gen_tables())


def schema_gen_tables() -> list[str]:
    from storage.schema_data import TABLES

    return list(TABLES)
