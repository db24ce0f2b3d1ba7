"""storage.db: init, readiness, checks and backups. Every way the database can
be unusable ends in a CaseloadError with one line a person can act on, and
never shows a password."""

from __future__ import annotations

import socket
import sqlite3
import stat
import subprocess
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import text
from sqlmodel import Session

from planner.errors import CaseloadError
from storage import db as db_mod
from storage import models as m
from storage.audit import record
from storage.db import (
    alembic_config,
    backup_db,
    check_db,
    ensure_ready,
    head_revision,
    init_db,
    pg_environment,
    pg_tool,
    schema_state,
)
from storage.engine import make_engine

FUTURE_REVISION = "9f9f_from_a_newer_caseload"


def one_line(error: BaseException) -> str:
    message = str(error)
    assert "\n" not in message, message
    assert "Traceback" not in message
    return message


def closed_port() -> int:
    """A local TCP port nobody listens on."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def stamp(engine, revision: str) -> None:
    with engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = :r"), {"r": revision})


# ------------------------------------------------------------------ init_db / schema_state


def test_init_creates_then_reports_up_to_date(db_url):
    eng = make_engine(db_url)
    assert schema_state(eng).empty
    first = init_db(eng)
    assert first.startswith("created") and head_revision() in first
    second = init_db(eng)
    assert second.startswith("database at") and "up to date" in second
    state = schema_state(eng)
    assert (state.current, state.head, state.is_current, state.behind, state.newer) == (
        head_revision(), head_revision(), True, False, False,
    )
    eng.dispose()


def test_init_refuses_a_database_newer_than_the_code(engine):
    stamp(engine, FUTURE_REVISION)
    with pytest.raises(CaseloadError, match="newer than this version") as err:
        init_db(engine)
    one_line(err.value)


def test_init_refuses_tables_it_did_not_make(db_url):
    eng = make_engine(db_url)
    with eng.begin() as conn:
        conn.execute(text("CREATE TABLE something_else (id INTEGER PRIMARY KEY)"))
    with pytest.raises(CaseloadError, match="not a caseload database"):
        init_db(eng)
    eng.dispose()


# ------------------------------------------------------------------ ensure_ready


def test_ready_database_passes(engine):
    assert ensure_ready(engine).is_current


def test_missing_file_names_the_path_and_creates_nothing(tmp_path):
    db = tmp_path / "nowhere" / "caseload.db"
    eng = make_engine(db, create=False)
    with pytest.raises(CaseloadError) as err:
        ensure_ready(eng)
    assert one_line(err.value) == f"no database at {db}; run `caseload init`"
    assert not db.exists() and not db.parent.exists()
    eng.dispose()


def test_garbage_file_is_not_a_database(tmp_path):
    db = tmp_path / "caseload.db"
    db.write_bytes(b"these are shopping notes, not a database\n" * 100)
    eng = make_engine(db, create=False)
    with pytest.raises(CaseloadError, match="not a SQLite database or is damaged") as err:
        ensure_ready(eng)
    assert str(db) in one_line(err.value)
    with pytest.raises(CaseloadError, match="not a SQLite database"):
        check_db(eng)
    eng.dispose()


def test_damaged_file_never_passes_as_healthy(tmp_path, seed_cases):
    db = tmp_path / "caseload.db"
    eng = make_engine(db)
    init_db(eng)
    seed_cases(eng)
    eng.dispose()  # the last connection checkpoints the WAL into the file
    size = db.stat().st_size
    with open(db, "r+b") as f:  # keep page 1 (the schema), scribble over the rest
        f.seek(4096)
        f.write(b"\xa5" * (size - 4096))
    eng = make_engine(db, create=False)
    try:
        problems = check_db(eng)
    except CaseloadError as err:
        assert "damaged" in one_line(err)
    else:
        assert problems and any(p.startswith("integrity") for p in problems), problems
    eng.dispose()


def test_empty_database_needs_init(db_url):
    eng = make_engine(db_url)  # SQLite: an empty 0600 file; PostgreSQL: a new database
    with pytest.raises(CaseloadError, match=r"empty; run `caseload init`") as err:
        ensure_ready(eng)
    one_line(err.value)
    eng.dispose()


def test_schema_behind_head_needs_init_to_upgrade(db_url):
    eng = make_engine(db_url)
    command.upgrade(alembic_config(eng), "0001")
    with pytest.raises(CaseloadError, match=r"run `caseload init` to upgrade") as err:
        ensure_ready(eng)
    assert "0001" in one_line(err.value) and head_revision() in str(err.value)
    eng.dispose()


def test_database_newer_than_the_code(engine):
    stamp(engine, FUTURE_REVISION)
    with pytest.raises(CaseloadError, match="newer than this version of caseload") as err:
        ensure_ready(engine)
    assert FUTURE_REVISION in one_line(err.value)
    assert schema_state(engine).newer


def test_unreachable_server_names_host_and_port_never_the_password():
    port = closed_port()
    eng = make_engine(f"postgresql://caseworker:S3cretPassw0rd@127.0.0.1:{port}/teamdb", create=False)
    for call in (ensure_ready, check_db, schema_state, init_db):
        with pytest.raises(CaseloadError) as err:
            call(eng)
        message = one_line(err.value)
        assert f"127.0.0.1:{port}" in message
        assert "S3cretPassw0rd" not in message
        assert "cannot connect" in message
    eng.dispose()


# ------------------------------------------------------------------ check_db


def test_healthy_database_has_no_problems(engine, seed_cases):
    seed_cases(engine)
    assert check_db(engine) == []


def test_check_reports_schema_behind_and_newer(db_url):
    eng = make_engine(db_url)
    command.upgrade(alembic_config(eng), "0001")
    assert any("run `caseload init` to upgrade" in p for p in check_db(eng))
    command.upgrade(alembic_config(eng), "head")
    stamp(eng, FUTURE_REVISION)
    assert any("newer than this version" in p for p in check_db(eng))
    eng.dispose()


def test_check_reports_drift(engine):
    with engine.begin() as conn:
        conn.execute(text("DROP INDEX ix_contact_case_date"))
    problems = check_db(engine)
    assert problems and all(p.startswith("schema drift") for p in problems)
    assert any("ix_contact_case_date" in p for p in problems)


def test_check_reports_broken_foreign_keys_and_loose_permissions(tmp_path, seed_cases):
    db = tmp_path / "caseload.db"
    eng = make_engine(db)
    init_db(eng)
    seed_cases(eng)
    with eng.connect() as conn:  # damage it the way an outside tool could
        conn.exec_driver_sql("PRAGMA foreign_keys=OFF")
        conn.exec_driver_sql("UPDATE contact SET case_id = 4242 WHERE id = 2")
        conn.commit()
        conn.exec_driver_sql("PRAGMA foreign_keys=ON")
    db.chmod(0o644)
    problems = check_db(eng)
    assert any(p.startswith("foreign key: contact row 2") for p in problems), problems
    assert any(p.startswith("permissions:") and "644" in p for p in problems), problems
    eng.dispose()


# ------------------------------------------------------------------ backup_db


def _seed_everything(engine, seed_cases) -> None:
    """Rows in the newer tables too (case notes, meta, audit, handovers)."""
    import datetime as dt

    seed_cases(engine)
    with Session(engine) as s:
        s.add(m.Meta(key="built_for", value="2026-11-27"))
        s.add(m.CaseNote(case_id=1, author_pk=1, written_on=dt.date(2026, 11, 20), text="made-up"))
        s.add(m.Handover(case_id=1, from_practitioner_pk=2, to_practitioner_pk=1,
                         planned_on=dt.date(2026, 12, 11), reason="made-up reason"))
        record(s, "P1", "create", "handover", "C1", case_ref="C1")
        s.commit()


def test_backup_round_trip(db_url, seed_cases, table_rows, tmp_path, request):
    """SQLite: the backup API, taken while the engine holds the WAL open, gives
    one self-contained 0600 file. PostgreSQL: pg_dump's custom format, which
    pg_restore loads into a new database. Either way every row comes back."""
    eng = make_engine(db_url)
    init_db(eng)
    _seed_everything(eng, seed_cases)
    out = tmp_path / "out"
    out.mkdir()
    dest = out / "copy.bak"

    assert backup_db(eng, dest) == dest

    assert stat.S_IMODE(dest.stat().st_mode) == 0o600
    if eng.dialect.name == "sqlite":
        assert not Path(f"{dest}-wal").exists()
        raw = sqlite3.connect(dest)
        assert raw.execute("PRAGMA journal_mode").fetchone() == ("delete",)
        raw.close()
        copy = make_engine(dest, create=False)
    else:
        copy = make_engine(request.getfixturevalue("new_pg_database")())
        conninfo, env = pg_environment(copy)
        result = subprocess.run(
            [pg_tool("pg_restore"), "--no-owner", "--exit-on-error", "--dbname", conninfo, str(dest)],
            env=env, capture_output=True, text=True, check=False,
        )
        assert result.returncode == 0, result.stderr
    ensure_ready(copy)
    assert table_rows(copy) == table_rows(eng)
    assert table_rows(copy)["audit_event"] and table_rows(copy)["case_note"]
    assert check_db(copy) == []
    copy.dispose()
    eng.dispose()


def test_backup_never_overwrites_and_accepts_a_folder(engine, tmp_path):
    taken = tmp_path / "taken.bak"
    taken.write_text("keep me")
    with pytest.raises(CaseloadError, match="already exists"):
        backup_db(engine, taken)
    assert taken.read_text() == "keep me"
    folder = tmp_path / "backups"
    folder.mkdir()
    written = backup_db(engine, folder)
    assert written.parent == folder and written.name.startswith("caseload-")
    assert stat.S_IMODE(written.stat().st_mode) == 0o600
    with pytest.raises(CaseloadError, match="does not exist"):
        backup_db(engine, tmp_path / "no" / "such" / "folder" / "x.bak")


def test_backup_of_a_missing_database_is_refused(tmp_path):
    eng = make_engine(tmp_path / "caseload.db", create=False)
    with pytest.raises(CaseloadError, match="no database at"):
        backup_db(eng, tmp_path / "x.bak")
    assert not (tmp_path / "x.bak").exists()
    eng.dispose()


def test_postgresql_backup_without_pg_dump_is_a_clear_error(monkeypatch, tmp_path):
    monkeypatch.setattr(db_mod.pgtools, "pg_tool", lambda name: None)
    monkeypatch.setattr(db_mod.backups, "schema_state", lambda engine: None)  # no server needed
    eng = make_engine("postgresql://caseworker:pw@127.0.0.1:1/teamdb")
    with pytest.raises(CaseloadError, match="pg_dump was not found"):
        backup_db(eng, tmp_path / "team.dump")
    assert not (tmp_path / "team.dump").exists()
    eng.dispose()


def test_pg_environment_keeps_the_password_off_the_command_line():
    eng = make_engine("postgresql://caseworker:S3cret@db.example:5433/teamdb?sslmode=require")
    conninfo, env = pg_environment(eng)
    assert "S3cret" not in conninfo
    assert conninfo == "postgresql://caseworker@db.example:5433/teamdb?sslmode=require"
    assert env["PGPASSWORD"] == "S3cret"
    eng.dispose()
