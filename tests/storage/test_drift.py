"""`caseload check`'s drift on a lean Reader (storage/db/drift.py): none on a
database at head, as Alembic's own comparison finds none (the oracle), and
each kind of change reported, on SQLite and PostgreSQL; the command reads
it without SQLAlchemy, SQLModel or Alembic (tests/test_cli_import_graph.py)."""

from __future__ import annotations

import pytest
from click.testing import CliRunner
from sqlalchemy import text

from storage.db.checks import schema_drift
from storage.db.drift import drift
from storage.reader import reader_of
from tui.cli import main


def lean_drift(engine) -> list[str]:
    with engine.connect() as conn:
        return drift(reader_of(conn))


def test_head_has_no_drift_by_either_comparison(engine):
    with engine.connect() as conn:
        assert schema_drift(conn) == []
        assert drift(reader_of(conn)) == []


def _meta(columns: str) -> list[str]:
    """SQLite cannot alter a column: the table `meta` again, with these columns."""
    return ["ALTER TABLE meta RENAME TO meta_old",
            f'CREATE TABLE meta ("key" VARCHAR(64) NOT NULL, {columns}PRIMARY KEY ("key"))', "DROP TABLE meta_old"]


#: each change: (its statements on SQLite, on PostgreSQL)
CHANGES = {
    "dropped column": (_meta(""), ["ALTER TABLE meta DROP COLUMN value"]),
    "changed nullability": (_meta("value VARCHAR(400), "), ["ALTER TABLE meta ALTER COLUMN value DROP NOT NULL"]),
    "changed type": (_meta("value VARCHAR(40) NOT NULL, "), ["ALTER TABLE meta ALTER COLUMN value TYPE VARCHAR(40)"]),
    "missing table": (["DROP TABLE meta"],) * 2,
    "extra table": (["CREATE TABLE stray (id INTEGER PRIMARY KEY)"],) * 2,
    "dropped index": (["DROP INDEX ix_contact_case_date"],) * 2,
    "extra column": (["ALTER TABLE meta ADD COLUMN note VARCHAR(10)"],) * 2,
}


def change(engine, kind: str) -> None:
    with engine.begin() as conn:
        for statement in CHANGES[kind][engine.dialect.name != "sqlite"]:
            conn.execute(text(statement))


EXPECTED = {
    "dropped column": "add_column meta.value",
    "changed nullability": "modify_nullable meta.value: NULL allowed in the database, NOT NULL in storage/models.py",
    "changed type": "modify_type meta.value: string(40) in the database, string(400) in storage/models.py",
    "missing table": "add_table meta",
    "extra table": "remove_table stray",
    "dropped index": "add_index ix_contact_case_date on contact",
    "extra column": "remove_column meta.note",
}


@pytest.mark.parametrize("kind", sorted(EXPECTED))
def test_each_change_is_reported(engine, kind):
    change(engine, kind)
    assert lean_drift(engine) == [EXPECTED[kind]]
    with engine.connect() as conn:
        assert schema_drift(conn), "Alembic sees it too"


def test_the_command_reports_drift_and_fails(engine):
    change(engine, "changed nullability")
    change(engine, "dropped index")
    url = engine.url.render_as_string(hide_password=False)
    db = str(engine.url.database) if engine.dialect.name == "sqlite" else url
    if engine.dialect.name == "sqlite":
        from pathlib import Path

        Path(db).chmod(0o600)
    result = CliRunner().invoke(main, ["--db", db, "check"])
    assert result.exit_code == 2, result.output
    assert result.output.splitlines() == [  # table by table, in name order
        "problem: schema drift: add_index ix_contact_case_date on contact",
        "problem: schema drift: modify_nullable meta.value: NULL allowed in the database, NOT NULL in storage/models.py",
        "caseload: check failed: 2 problems",
    ]
