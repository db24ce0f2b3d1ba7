"""storage.engine: where the database is (README, Using it resolution order), and that
SQLite files are private and opened with the safety PRAGMAs (README, Where data lives)."""

from __future__ import annotations

import os
import stat
import threading
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError

from planner.errors import CaseloadError
from storage import engine as engine_mod
from storage.engine import make_engine, resolve_db, session, sqlite_path


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture
def loose_umask():
    """Run with a permissive umask, as on many desktops, so 0600/0700 come
    from the code and not from the test environment."""
    old = os.umask(0o022)
    try:
        yield
    finally:
        os.umask(old)


# ------------------------------------------------------------------ resolve_db


def test_explicit_argument_beats_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("CASELOAD_DB", str(tmp_path / "env.db"))
    assert resolve_db(str(tmp_path / "arg.db")) == f"sqlite:///{tmp_path / 'arg.db'}"


def test_environment_beats_user_data_dir(monkeypatch, tmp_path):
    monkeypatch.setenv("CASELOAD_DB", str(tmp_path / "env.db"))
    assert resolve_db(None) == f"sqlite:///{tmp_path / 'env.db'}"


def test_default_is_caseload_db_in_user_data_dir(monkeypatch, tmp_path):
    import platformdirs

    monkeypatch.delenv("CASELOAD_DB", raising=False)
    seen = []

    def fake_user_data_dir(appname, *args, **kwargs):
        seen.append(appname)
        return str(tmp_path / "userdata")

    monkeypatch.setattr(platformdirs, "user_data_dir", fake_user_data_dir)
    assert resolve_db(None) == f"sqlite:///{tmp_path / 'userdata' / 'caseload.db'}"
    assert seen == ["caseload"]


def test_empty_environment_variable_is_ignored(monkeypatch, tmp_path):
    import platformdirs

    monkeypatch.setenv("CASELOAD_DB", "")
    monkeypatch.setattr(platformdirs, "user_data_dir", lambda *a, **k: str(tmp_path))
    assert resolve_db(None) == f"sqlite:///{tmp_path / 'caseload.db'}"


def test_relative_and_home_paths_become_absolute_sqlite_urls(monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert resolve_db("rel/x.db") == f"sqlite:///{tmp_path / 'rel' / 'x.db'}"
    assert resolve_db("~/y.db") == f"sqlite:///{tmp_path / 'home' / 'y.db'}"
    assert resolve_db(tmp_path / "p.db") == f"sqlite:///{tmp_path / 'p.db'}"


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("postgresql://u:pw@db.example:5433/team", "postgresql+psycopg://u:pw@db.example:5433/team"),
        ("postgres://u@db.example/team", "postgresql+psycopg://u@db.example/team"),
        ("postgresql+psycopg://u@h/team", "postgresql+psycopg://u@h/team"),
        ("sqlite:////srv/c.db", "sqlite:////srv/c.db"),
    ],
)
def test_urls(given, expected):
    assert resolve_db(given) == expected


def test_unsupported_database_is_a_caseload_error():
    with pytest.raises(CaseloadError, match="unsupported database"):
        make_engine("mysql://u:secret@h/db")


def test_postgresql_engine_uses_psycopg3_with_pre_ping():
    eng = make_engine("postgresql://u:pw@127.0.0.1:1/x")  # nothing connects yet
    assert eng.dialect.driver == "psycopg"
    assert eng.pool._pre_ping is True
    eng.dispose()


# ------------------------------------------------------------------ SQLite files


def test_new_file_is_0600_in_new_0700_folders(tmp_path, loose_umask):
    db = tmp_path / "a" / "b" / "caseload.db"
    eng = make_engine(db)
    assert db.exists(), "the file is created before SQLAlchemy opens it"
    assert mode(db) == 0o600
    assert mode(tmp_path / "a") == 0o700
    assert mode(tmp_path / "a" / "b") == 0o700
    eng.dispose()


def test_existing_parent_folder_is_left_alone(tmp_path, loose_umask):
    tmp_path.chmod(0o755)
    eng = make_engine(tmp_path / "caseload.db")
    assert mode(tmp_path) == 0o755
    assert mode(tmp_path / "caseload.db") == 0o600
    eng.dispose()


def test_wal_and_shm_files_are_0600(tmp_path, loose_umask):
    db = tmp_path / "d" / "caseload.db"
    eng = make_engine(db)
    with eng.connect() as conn:
        conn.execute(text("CREATE TABLE t (x INTEGER)"))
        conn.execute(text("INSERT INTO t VALUES (1)"))
        conn.commit()
        wal, shm = Path(f"{db}-wal"), Path(f"{db}-shm")
        assert wal.exists() and shm.exists(), "WAL mode keeps -wal/-shm while connected"
        assert mode(wal) == 0o600
        assert mode(shm) == 0o600
    eng.dispose()


def test_umask_is_restored_after_connecting(tmp_path, loose_umask):
    eng = make_engine(tmp_path / "caseload.db")
    with eng.connect():
        pass
    current = os.umask(0o022)
    assert current == 0o022
    eng.dispose()


def test_pragmas_are_in_force_on_every_connection(tmp_path):
    eng = make_engine(tmp_path / "caseload.db")
    seen = []

    def read_pragmas():
        with eng.connect() as conn:
            seen.append(
                tuple(
                    conn.exec_driver_sql(f"PRAGMA {name}").scalar()
                    for name in ("journal_mode", "synchronous", "foreign_keys", "busy_timeout")
                )
            )

    # Two connections at once (the pool opens a second one), and one from a thread.
    with eng.connect():
        read_pragmas()
    worker = threading.Thread(target=read_pragmas)
    worker.start()
    worker.join()
    assert seen == [("wal", 2, 1, 5000)] * 2  # synchronous 2 = FULL
    eng.dispose()


def test_foreign_keys_are_enforced(tmp_path):
    from sqlalchemy.exc import IntegrityError

    eng = make_engine(tmp_path / "caseload.db")
    with eng.connect() as conn:
        conn.exec_driver_sql("CREATE TABLE p (id INTEGER PRIMARY KEY)")
        conn.exec_driver_sql("CREATE TABLE c (id INTEGER PRIMARY KEY, p_id INTEGER REFERENCES p(id))")
        with pytest.raises(IntegrityError):
            conn.exec_driver_sql("INSERT INTO c (p_id) VALUES (42)")
    eng.dispose()


def test_create_false_creates_nothing(tmp_path):
    db = tmp_path / "missing" / "caseload.db"
    eng = make_engine(db, create=False)
    with pytest.raises(OperationalError, match="unable to open"):
        eng.connect()
    assert not db.exists()
    assert not db.parent.exists()
    eng.dispose()


def test_create_false_opens_an_existing_file(tmp_path):
    db = tmp_path / "caseload.db"
    make_engine(db).dispose()
    eng = make_engine(db, create=False)
    with eng.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
    assert sqlite_path(eng) == db
    eng.dispose()


def test_existing_file_mode_is_not_changed(tmp_path):
    db = tmp_path / "caseload.db"
    db.touch()
    db.chmod(0o640)
    make_engine(db).dispose()
    assert mode(db) == 0o640  # check_db reports it instead


def test_sqlite_path():
    assert sqlite_path("sqlite:////srv/x.db") == Path("/srv/x.db")
    assert sqlite_path("sqlite://") is None
    assert sqlite_path("postgresql+psycopg://u@h/db") is None


def test_describe_never_shows_a_password():
    eng = make_engine("postgresql://someone:hunter2secret@db.example:6543/team")
    assert engine_mod.describe(eng) == "db.example:6543/team"
    eng.dispose()
    assert "hunter2secret" not in str(make_url(resolve_db("postgresql://u:hunter2secret@h/db")))


# ------------------------------------------------------------------ session()


def test_session_commits_on_success_and_rolls_back_on_error(engine):
    from storage.models import Team

    with session(engine) as s:
        s.add(Team(team_id="T1", name="North Team"))
    with pytest.raises(RuntimeError):
        with session(engine) as s:
            s.add(Team(team_id="T2", name="South Team"))
            s.flush()
            raise RuntimeError("boom")
    with session(engine) as s:
        teams = s.execute(text("SELECT team_id FROM team ORDER BY team_id")).all()
    assert [t[0] for t in teams] == ["T1"]


def test_session_objects_stay_readable_after_the_block(engine):
    from storage.models import Team

    with session(engine) as s:
        team = Team(team_id="T9", name="West Team")
        s.add(team)
    assert team.name == "West Team"
    assert team.id is not None
