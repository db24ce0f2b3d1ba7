"""Backup -> restore gives back the same database, on SQLite and PostgreSQL
(`caseload backup`, `caseload restore`), guards and all; restore never
overwrites data by accident. And the SQLite -> PostgreSQL move: `caseload
copy --to URL` into a newly initialised database gives the same rows and
the same warnings."""

from __future__ import annotations

import json
from datetime import date

import pytest
from click.testing import CliRunner
from sqlalchemy import text
from sqlmodel import Session

from storage import repo
from storage.db import backup_db
from storage.engine import make_engine
from tests.storage.team_helpers import sample_sqlite_copy
from tui.cli import main


def run(*args: str):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def url_of(engine) -> str:
    return engine.url.render_as_string(hide_password=False)


@pytest.fixture
def filled(engine, seed_cases):
    seed_cases(engine)
    with Session(engine) as s:
        repo.add_case_note(s, case_ref="C1", text="made-up", author_id="P1", written_on=date(2026, 11, 2), actor="P1")
        repo.plan_handover(s, case_ref="C2", to_practitioner_id="P2", planned_on=date(2026, 12, 14), actor="P1")
        repo.commit_or_conflict(s)
    return engine


@pytest.fixture
def new_target(request, tmp_path):
    """`new_target(engine_like) -> URL or path` of a new, empty database of the same kind."""
    def make(engine) -> str:
        if engine.dialect.name == "sqlite":
            return str(tmp_path / "restored" / "caseload.db")
        return request.getfixturevalue("new_pg_database")()
    return make


def guards(engine) -> set[str]:
    with engine.connect() as conn:
        if engine.dialect.name == "sqlite":
            return set(conn.execute(text("SELECT name FROM sqlite_master WHERE type = 'trigger'")).scalars())
        return (set(conn.execute(text("SELECT tgname FROM pg_trigger WHERE NOT tgisinternal")).scalars())
                | {f"policy {t}" for t in conn.execute(text("SELECT tablename FROM pg_policies")).scalars()})


def test_backup_then_restore_gives_an_equal_database(filled, new_target, table_rows, tmp_path):
    dump = tmp_path / ("backup.db" if filled.dialect.name == "sqlite" else "backup.dump")
    before = table_rows(filled)
    result = run("--db", url_of(filled), "backup", str(dump))
    assert result.exit_code == 0, result.output
    target = new_target(filled)
    result = run("--db", target, "restore", str(dump))
    assert result.exit_code == 0, result.output
    assert result.output.startswith("restored ")
    restored = make_engine(target, create=False)
    try:
        # the database as it was copied: the backup's own audit event comes after the copy
        assert table_rows(restored) == before
        assert [e for e in table_rows(filled)["audit_event"] if e not in before["audit_event"]][0][3:5] == \
            ("backup", "database")
        assert guards(restored) == guards(filled) and guards(filled)
        assert run("--db", target, "check").exit_code == 0
        # The restored database works: a new write gets a fresh id, audited.
        with Session(restored) as s:
            repo.add_case_note(s, case_ref="C1", text="made-up", author_id="P1",
                               written_on=date(2026, 11, 3), actor="P1")
            repo.commit_or_conflict(s)
    finally:
        restored.dispose()


def test_restore_refuses_to_overwrite_a_database_with_data(filled, tmp_path, table_rows):
    dump = backup_db(filled, tmp_path / ("b.db" if filled.dialect.name == "sqlite" else "b.dump"))
    before = table_rows(filled)
    result = CliRunner().invoke(main, ["--db", url_of(filled), "restore", str(dump)])
    assert result.exit_code == 2 and len(result.output.strip().splitlines()) == 1
    if filled.dialect.name == "sqlite":
        assert "already holds data; give --force" in result.output
    else:
        assert "the target database is not empty" in result.output
    assert table_rows(filled) == before


def test_sqlite_restore_with_force_replaces_the_file(filled, tmp_path, table_rows):
    if filled.dialect.name != "sqlite":
        # PostgreSQL always restores into a new, empty database (test above).
        assert "not empty" in CliRunner().invoke(
            main, ["--db", url_of(filled), "restore", "--force", str(backup_db(filled, tmp_path / "b.dump"))]
        ).output
        return
    dump = backup_db(filled, tmp_path / "b.db")
    before = table_rows(filled)
    with Session(filled) as s:
        repo.add_case_note(s, case_ref="C1", text="made-up", author_id="P1", written_on=date(2026, 11, 9), actor="P1")
        repo.commit_or_conflict(s)
    assert table_rows(filled) != before
    result = run("--db", url_of(filled), "restore", "--force", str(dump))
    assert result.exit_code == 0, result.output
    filled.dispose()
    assert table_rows(filled) == before


def test_restore_errors_are_one_line(tmp_path):
    not_a_db = tmp_path / "junk.db"
    not_a_db.write_bytes(b"not a database at all" * 100)
    for args, message, code in [
        (["restore", str(tmp_path / "missing.db")], "no such backup file", 5),
        (["restore", str(not_a_db)], "is not a SQLite database or is damaged", 5),
        (["--as", "P1", "restore", str(not_a_db)], "only the administrator may restore a backup", 2),
    ]:
        result = CliRunner().invoke(main, ["--db", str(tmp_path / "t.db"), *args])
        assert result.exit_code == code and len(result.output.strip().splitlines()) == 1, result.output
        assert message in result.output
        assert not (tmp_path / "t.db").exists()  # a refused restore leaves no file behind


# --------------------------------------------------------------------------- the move to PostgreSQL


def counts(engine) -> dict[str, int]:
    from sqlmodel import SQLModel

    with engine.connect() as conn:
        return {t.name: conn.execute(text(f'SELECT count(*) FROM "{t.name}"')).scalar_one()
                for t in SQLModel.metadata.sorted_tables}


def test_copy_the_sample_into_a_new_database_same_rows_same_warnings(db_url, tmp_path):
    """`db_url` is the target: a new PostgreSQL database on CI (the move the
    README describes), a new SQLite file as well."""
    sample = sample_sqlite_copy(tmp_path / "src")
    result = run("--db", db_url, "init")
    assert result.exit_code == 0, result.output
    result = run("--db", str(sample), "copy", "--to", db_url)
    assert result.exit_code == 0, result.output
    assert result.output.strip().splitlines()[-1].startswith("total: ")
    src, dst = make_engine(str(sample), create=False), make_engine(db_url, create=False)
    try:
        assert counts(dst) == counts(src) and counts(src)["case"] > 0
    finally:
        src.dispose(), dst.dispose()
    on_src = run("--db", str(sample), "warnings", "--on", "2026-11-27", "--format", "json")
    on_dst = run("--db", db_url, "warnings", "--on", "2026-11-27", "--format", "json")
    assert on_src.exit_code == on_dst.exit_code == 0
    assert json.loads(on_dst.output) == json.loads(on_src.output) and json.loads(on_src.output)["warnings"]
    assert on_dst.output == on_src.output

    # Copying again into the now full database is refused, and changes nothing.
    again = CliRunner().invoke(main, ["--db", str(sample), "copy", "--to", db_url])
    assert again.exit_code == 2 and "already has" in again.output and "copy into a newly initialised" in again.output


def test_copy_refuses_a_target_that_is_not_initialised(db_url, tmp_path):
    """`db_url` is a new, empty database (a missing file on SQLite): no schema yet."""
    sample = sample_sqlite_copy(tmp_path / "src")
    result = CliRunner().invoke(main, ["--db", str(sample), "copy", "--to", db_url])
    assert result.exit_code == 4 and len(result.output.strip().splitlines()) == 1, result.output
    assert "run `caseload init`" in result.output
    # Whole-database operations are the administrator's.
    result = CliRunner().invoke(main, ["--db", str(sample), "--as", "N1-01", "copy", "--to", db_url])
    assert result.exit_code == 2 and "only the administrator may copy the database" in result.output
