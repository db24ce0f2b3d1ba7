"""A read command that records its export writes the audit event on the
driver's own connection (`storage.reader.Database.writer`, no SQLAlchemy:
README "Every command"), on SQLite and PostgreSQL alike: the event is
committed, with the actor and, on a team server, the login the database
stamps (`caseload_audit()`, schema 0004)."""

from __future__ import annotations

import uuid

from click.testing import CliRunner
from sqlalchemy import text

from tests.storage.team_helpers import drop_logins, login_url, sample_engine
from tui.cli import main


def last_event(engine) -> tuple:
    with engine.connect() as connection:
        return tuple(connection.execute(text(
            "SELECT actor, action, entity, entity_key, detail, login FROM audit_event ORDER BY id DESC LIMIT 1")).one())


def test_supervision_export_records_its_event(db_url, tmp_path):
    engine = sample_engine(db_url, tmp_path)
    logins = []
    try:
        if engine.dialect.name == "sqlite":
            prefix, login = ["--db", str(engine.url.database), "--as", "N1-02"], None
        else:
            from storage.serverops import add_login

            login = f"n1_02_{uuid.uuid4().hex[:8]}"
            add_login(engine, practitioner_id="N1-02", login=login, password="made-up-secret-1", actor="admin")
            logins.append(login)
            prefix = ["--db", login_url(db_url, login)]
        before = last_event(engine)
        result = CliRunner().invoke(main, [*prefix, "supervision", "export", "N1-02", "--privacy"])
        assert result.exit_code == 0, result.output
        event = last_event(engine)
        assert event != before
        assert event[:5] == ("N1-02", "export", "supervision_session", "1",
                             '{"format": "md", "privacy": true}')
        if login is not None:
            assert event[5] == login
    finally:
        engine.dispose()
        if logins:
            drop_logins(db_url, logins)


def test_an_event_the_database_refuses_leaves_no_output(tmp_path, monkeypatch):
    """The database refuses the write (here a read-only file, as the driver
    reports it): the export ends with status 4 and one line, and the record
    is not printed (nothing leaves unrecorded)."""
    import shutil
    import sqlite3
    from pathlib import Path

    from storage import audit

    def read_only(*_args, **_kwargs):
        raise sqlite3.OperationalError("attempt to write a readonly database")

    monkeypatch.setattr(audit, "_insert", read_only)
    db = tmp_path / "sample.db"
    shutil.copyfile(Path(__file__).resolve().parents[1] / "sample.db", db)
    db.chmod(0o600)
    result = CliRunner().invoke(main, ["--db", str(db), "supervision", "export", "N1-02"])
    assert result.exit_code == 4, result.output
    assert result.output.strip().splitlines() == [
        f"caseload: cannot open the database {db} (attempt to write a readonly database)"]
