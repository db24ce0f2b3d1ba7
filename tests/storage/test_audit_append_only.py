"""The audit trail is append-only on both databases (schema 0003 triggers):
UPDATE and DELETE of `audit_event` are refused by the database itself, even
for the tables' owner, while inserting (every audited write) still works;
`caseload audit` lists events by case, user and date, as a table or JSON,
and a practitioner sees only their team's events."""

from __future__ import annotations

import json
from datetime import date, datetime, timezone

import pytest
from click.testing import CliRunner
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlmodel import Session, select

from storage import audit, repo
from storage import models as m
from storage.audit_guard import is_append_only_refusal
from tui.cli import main


def write_some(engine) -> None:
    with Session(engine) as s:
        repo.record_contact(s, case_ref="C1", contact_date=date(2026, 11, 20), practitioner_id="P2",
                            kind="office", outcome="attended", actor="P2")
        repo.record_contact(s, case_ref="C3", contact_date=date(2026, 11, 21), practitioner_id="P3",
                            kind="phone", outcome="attended", actor="P3")
        repo.add_case_note(s, case_ref="C2", text="made-up", author_id="P1", written_on=date(2026, 11, 22), actor="P1")
        repo.commit_or_conflict(s)


@pytest.fixture
def seeded(engine, seed_cases):
    seed_cases(engine)
    write_some(engine)
    return engine


def count(engine) -> int:
    with engine.connect() as conn:
        return conn.execute(text("SELECT count(*) FROM audit_event")).scalar_one()


@pytest.mark.parametrize("sql", [
    "UPDATE audit_event SET actor = 'someone-else'",
    "UPDATE audit_event SET at = at",
    "DELETE FROM audit_event",
    "DELETE FROM audit_event WHERE id = (SELECT min(id) FROM audit_event)",
])
def test_the_database_refuses_to_change_or_delete_audit_events(seeded, sql):
    before = count(seeded)
    with pytest.raises(DBAPIError) as caught, seeded.begin() as conn:
        conn.execute(text(sql))
    assert is_append_only_refusal(caught.value), caught.value
    assert count(seeded) == before == 3


def test_the_orm_cannot_edit_an_event_either(seeded):
    with Session(seeded) as s:
        event = s.exec(select(m.AuditEvent)).first()
        event.detail = "{}"
        with pytest.raises(DBAPIError, match="append-only"):
            s.commit()
    with Session(seeded) as s:
        event = s.exec(select(m.AuditEvent)).first()
        s.delete(event)
        with pytest.raises(DBAPIError, match="append-only"):
            s.commit()


def test_inserting_events_still_works(seeded):
    with Session(seeded) as s:
        audit.record(s, "admin", "check", "database", "-")
        s.commit()
    assert count(seeded) == 4


def test_the_guard_is_a_trigger_and_postgresql_refuses_truncate_too(seeded):
    with seeded.connect() as conn:
        if seeded.dialect.name == "sqlite":  # SQLite has no TRUNCATE
            names = conn.execute(text(
                "SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'audit_event'")).scalars()
            assert set(names) == {"audit_event_no_update", "audit_event_no_delete"}
            return
        names = conn.execute(text(
            "SELECT tgname FROM pg_trigger WHERE tgrelid = 'audit_event'::regclass AND NOT tgisinternal")).scalars()
        # schema 0004 adds the trigger that stamps the login on every new row
        assert set(names) == {"audit_event_no_update_delete", "audit_event_no_truncate", "audit_event_stamp"}
    with pytest.raises(DBAPIError, match="append-only"), seeded.begin() as conn:
        conn.execute(text("TRUNCATE audit_event"))
    assert count(seeded) == 3


# --------------------------------------------------------------------------- caseload audit


def run(db: str, *args: str):
    return CliRunner().invoke(main, ["--db", db, *args], catch_exceptions=False)


def db_arg(engine) -> str:
    return engine.url.render_as_string(hide_password=False)


def test_audit_lists_events_by_case_user_and_date(seeded):
    db = db_arg(seeded)
    everything = json.loads(run(db, "audit", "--format", "json").output)["events"]
    assert [(e["actor"], e["action"], e["entity"], e["case_ref"]) for e in everything] == [
        ("P2", "record", "contact", "C1"), ("P3", "record", "contact", "C3"), ("P1", "add", "case_note", "C2"),
    ]
    assert set(everything[0]) == {"id", "at", "actor", "action", "entity", "entity_key", "case_ref", "detail",
                                  "login", "xact"}
    assert everything[0]["login"]  # the OS user on SQLite, the database login on PostgreSQL (schema 0004)
    assert everything[0]["detail"]["kind"] == "office"
    by_case = json.loads(run(db, "audit", "--case", "C3", "--format", "json").output)["events"]
    assert [e["case_ref"] for e in by_case] == ["C3"]
    by_user = json.loads(run(db, "audit", "--user", "P1", "--format", "json").output)["events"]
    assert [e["actor"] for e in by_user] == ["P1"]
    today = datetime.now(timezone.utc).date().isoformat()
    assert len(json.loads(run(db, "audit", "--since", today, "--until", today, "--format", "json").output)["events"]) == 3
    assert json.loads(run(db, "audit", "--until", "2000-01-01", "--format", "json").output)["events"] == []
    table = run(db, "audit", "--case", "C1")
    assert table.exit_code == 0
    assert table.output.splitlines()[0].split()[:3] == ["WHEN", "(UTC)", "ACTOR"]
    assert "P2" in table.output and "3 events" not in table.output and "1 event\n" in table.output


def test_a_practitioner_sees_only_their_teams_events(seeded):
    db = db_arg(seeded)
    result = CliRunner().invoke(main, ["--db", db, "--as", "P1", "audit", "--format", "json"])
    assert {e["case_ref"] for e in json.loads(result.output)["events"]} == {"C1", "C2"}
    refused = CliRunner().invoke(main, ["--db", db, "--as", "P1", "audit", "--case", "C3"])
    assert refused.exit_code == 2
    assert refused.output.strip() == "caseload: P1 is in team T1 and cannot see case C3 of team T2"


def test_audit_errors_are_one_line(seeded):
    db = db_arg(seeded)
    for args, message in [
        (["audit", "--since", "27/11/2026"], "--since: '27/11/2026' is not a date"),
        (["audit", "--since", "2026-11-27", "--until", "2026-11-01"], "--until is before --since"),
        (["audit", "--case", "NOPE"], "unknown case NOPE"),
        (["--as", "NOBODY", "audit"], "--as NOBODY: no such practitioner"),
    ]:
        result = CliRunner().invoke(main, ["--db", db, *args])
        assert result.exit_code != 0 and len(result.output.strip().splitlines()) == 1, result.output
        assert message in result.output
