"""Restricted cases on the team server (§11, schema 0010): a practitioner's
own PostgreSQL login, over a plain psycopg connection (psql's view of the
database, no caseload code), cannot read a restricted case held by a
colleague of the same team, nor anything that hangs off it (allocations,
contacts, appointments, handovers and their checklist items, case notes,
supervision notes, audit events); its practitioner, the receiver of its
planned handover and its team's lead can. Only that lead changes
`restricted`. The app's own rule is storage.access.restricted_filter
(tests/storage/test_restricted.py).

Seed (tests/conftest.py) plus lead L1 in T1, P4 in T2. C1 (T1, P2's) is
restricted, with an appointment, a case note, a supervision note and a
handover planned to P4 (T2). Logins: P1 (T1, a colleague), P2, L1, P3 (T2's
lead), P4.

PostgreSQL only: collected only when CASELOAD_TEST_PG_URL names a server.
"""

from __future__ import annotations

import json
import os
import uuid
from datetime import date

import psycopg
import pytest
from click.testing import CliRunner
from sqlalchemy import text
from sqlmodel import Session

from storage import repo
from storage import supervision as sv
from storage.db import init_db
from storage.engine import make_engine
from storage.serverops import add_login
from tests.storage.team_helpers import add_lead, add_person, connect_as, drop_logins, login_url, rows

PG_URL = os.environ.get("CASELOAD_TEST_PG_URL")
DAY = date(2026, 11, 27)

# (table, the condition naming C1's rows: %s is C1's id)
HANGING_OFF = (
    ("\"case\"", "id = %s"),
    ("allocation", "case_id = %s"),
    ("contact", "case_id = %s"),
    ("appointment", "case_id = %s"),
    ("handover", "case_id = %s"),
    ("handover_item", "handover_id IN (SELECT id FROM handover WHERE case_id = %s)"),
    ("case_note", "case_id = %s"),
    ("supervision_note", "case_id = %s"),
    ("audit_event", "case_ref = (SELECT case_ref FROM \"case\" WHERE id = %s) OR case_ref = 'C1'"),
)


@pytest.fixture
def server(pg_database, seed_cases):
    url = pg_database
    engine = make_engine(url)
    init_db(engine)
    seed_cases(engine)
    add_lead(engine, "L1", "T1")
    add_person(engine, "P4", "T2")
    with Session(engine) as s:
        repo.book_appointment(s, case_ref="C1", appointment_date=date(2026, 12, 3), practitioner_id="P2",
                              actor="P2")
        repo.add_case_note(s, case_ref="C1", text="made-up", author_id="P2", written_on=DAY, actor="P2")
        session_id = sv.start_session(s, practitioner_id="P2", lead_id="L1", on=DAY, actor="L1")
        sv.save_note(s, session_id=session_id, case_ref="C1", text="made-up note", actor="L1")
        # into another team: the administrator's to plan (L1 does not see P4: storage.access.check_receiver)
        repo.plan_handover(s, case_ref="C1", to_practitioner_id="P4", planned_on=date(2026, 12, 14),
                           actor="admin", as_of=DAY)
        repo.commit_or_conflict(s)
    with engine.begin() as conn:
        conn.execute(text("UPDATE \"case\" SET restricted = true WHERE case_ref = 'C1'"))
        c1 = conn.execute(text("SELECT id FROM \"case\" WHERE case_ref = 'C1'")).scalar_one()
    suffix = uuid.uuid4().hex[:8]
    logins = {pid: f"{pid.lower()}_r{suffix}" for pid in ("P1", "P2", "L1", "P3", "P4")}
    for pid, login in logins.items():
        add_login(engine, practitioner_id=pid, login=login, password="made-up-secret-1", actor="admin")
    try:
        yield engine, url, logins, c1
    finally:
        engine.dispose()
        drop_logins(url, logins.values())


def counts(server, who) -> dict[str, int]:
    _engine, url, logins, c1 = server
    with connect_as(url, logins[who]) as conn:
        return {table: rows(conn, f"SELECT count(*) FROM {table} WHERE {where}", *([c1] * where.count("%s")))[0][0]
                for table, where in HANGING_OFF}


def test_a_colleague_of_the_same_team_reads_nothing_of_it_in_psql(server):
    assert counts(server, "P1") == {table: 0 for table, _ in HANGING_OFF}
    _engine, url, logins, _c1 = server
    with connect_as(url, logins["P1"]) as conn:  # the rest of the team's cases as before
        assert rows(conn, "SELECT case_ref FROM \"case\" ORDER BY case_ref") == [("C2",)]


@pytest.mark.parametrize("who", ["P2", "L1", "P4"])
def test_its_practitioner_the_lead_and_the_receiver_read_it(server, who):
    seen = counts(server, who)
    assert all(seen[table] > 0 for table in ("\"case\"", "allocation", "contact", "appointment", "handover",
                                             "handover_item", "case_note")), seen


def test_supervision_notes_are_the_practitioner_and_lead_s(server):
    assert counts(server, "L1")["supervision_note"] == 1
    assert counts(server, "P2")["supervision_note"] == 1


def test_a_lead_of_another_team_reads_nothing_of_it(server):
    # T2's lead: the receiver is in their team, but only the receiver sees a restricted case
    assert counts(server, "P3")["\"case\""] == 0


def test_only_the_lead_of_its_team_changes_restricted(server):
    _engine, url, logins, _c1 = server
    for who in ("P1", "P2"):
        with connect_as(url, logins[who]) as conn, pytest.raises(psycopg.errors.InsufficientPrivilege):
            rows(conn, "UPDATE \"case\" SET restricted = NOT restricted WHERE case_ref = %s RETURNING id",
                 "C2" if who == "P1" else "C1")
    with connect_as(url, logins["L1"]) as conn:
        assert rows(conn, "UPDATE \"case\" SET restricted = true WHERE case_ref = 'C2' RETURNING id")
        assert rows(conn, "UPDATE \"case\" SET restricted = false WHERE case_ref = 'C2' RETURNING id")


def test_values_outside_the_lists_are_refused(server):
    _engine, url, logins, _c1 = server
    with connect_as(url, logins["P1"]) as conn:
        for column, value in (("rosh", "extreme"), ("mappa_level", 4), ("sentence", "prison")):
            with pytest.raises(psycopg.errors.CheckViolation):
                rows(conn, f"UPDATE \"case\" SET {column} = %s WHERE case_ref = 'C2' RETURNING id", value)


def test_the_command_line_on_a_colleague_s_login_leaves_it_out(server):
    from tui.cli import main

    _engine, url, logins, _c1 = server
    got = CliRunner().invoke(main, ["--db", login_url(url, logins["P1"]), "warnings", "--team", "T1",
                                    "--on", "2026-11-27", "--format", "json"])
    assert got.exit_code == 0, got.output
    assert "C1" not in {w["case_ref"] for w in json.loads(got.output)["warnings"]}
    got = CliRunner().invoke(main, ["--db", login_url(url, logins["L1"]), "warnings", "--team", "T1",
                                    "--on", "2026-11-27", "--format", "json"])
    assert "C1" in {w["case_ref"] for w in json.loads(got.output)["warnings"]}
