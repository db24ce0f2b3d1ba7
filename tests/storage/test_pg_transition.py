"""The transition at 18 on the team server (§11, schema 0011): a youth justice
team's login names a practitioner of its transition team (the adult team,
`team.transition_team_pk`) as the receiver of a child's handover, and reads
those practitioners' rows only, never that team's cases, allocations or
notes; the adult team's practitioner sees the child's case once the
handover to them is planned, and not before. Over plain psycopg connections
(psql's view, no caseload code) and the `caseload` command line on the
logins. The app's own rule is storage.access.check_receiver
(tests/storage/test_transition_receivers.py).

Seed (tests/conftest.py) plus lead L1 in T1, P4 in T2, T1's transition team
T2. C2 is T1's child (P1's), C1 T1's adult (P2's), C3 T2's case (P3's, with
a case note). Logins: L1, P1 (T1), P4, P3 (T2's lead).

PostgreSQL only: collected only when CASELOAD_TEST_PG_URL names a server.
"""

from __future__ import annotations

import os
import uuid
from datetime import date

import psycopg
import pytest
from click.testing import CliRunner
from sqlalchemy import text
from sqlmodel import Session

from storage import repo
from storage.db import init_db
from storage.engine import make_engine
from storage.serverops import add_login
from tests.storage.team_helpers import add_lead, add_person, connect_as, drop_logins, login_url, rows

PG_URL = os.environ.get("CASELOAD_TEST_PG_URL")
DAY = date(2026, 11, 27)
ON = "2026-12-14"

# (table, the condition naming a case's rows: %s is its id)
CASE_ROWS = (
    ("\"case\"", "id = %s"),
    ("allocation", "case_id = %s"),
    ("contact", "case_id = %s"),
    ("handover", "case_id = %s"),
    ("case_note", "case_id = %s"),
)
# the ids are the owner's (a login does not see a practitioner it may not name)
INSERT_HANDOVER = ("INSERT INTO handover (case_id, from_practitioner_pk, to_practitioner_pk, planned_on, status,"
                   " reviewed, created_at, version) VALUES (%s, %s, %s, %s, 'planned', false, now(), 1) RETURNING id")


@pytest.fixture
def server(pg_database, seed_cases):
    url = pg_database
    engine = make_engine(url)
    init_db(engine)
    seed_cases(engine)
    add_lead(engine, "L1", "T1")
    add_person(engine, "P4", "T2")
    with Session(engine) as s:
        repo.add_case_note(s, case_ref="C3", text="made-up", author_id="P3", written_on=DAY, actor="P3")
        repo.commit_or_conflict(s)
    with engine.begin() as conn:
        conn.execute(text("UPDATE team SET transition_team_pk = (SELECT id FROM team WHERE team_id = 'T2')"
                          " WHERE team_id = 'T1'"))
        ids = dict(conn.execute(text("SELECT case_ref, id FROM \"case\"")).all())
        ids |= dict(conn.execute(text("SELECT practitioner_id, id FROM practitioner")).all())
        ids |= {f"holder of {ref}": pk for ref, pk in conn.execute(text(
            "SELECT c.case_ref, a.practitioner_pk FROM \"case\" c JOIN allocation a ON a.case_id = c.id"
            " AND a.end_date IS NULL")).all()}
    suffix = uuid.uuid4().hex[:8]
    logins = {pid: f"{pid.lower()}_t{suffix}" for pid in ("L1", "P1", "P3", "P4")}
    for pid, login in logins.items():
        add_login(engine, practitioner_id=pid, login=login, password="made-up-secret-1", actor="admin")
    try:
        yield engine, url, logins, ids
    finally:
        engine.dispose()
        drop_logins(url, logins.values())


def counts(server, who: str, case_ref: str) -> dict[str, int]:
    _engine, url, logins, ids = server
    with connect_as(url, logins[who]) as conn:
        return {table: rows(conn, f"SELECT count(*) FROM {table} WHERE {where}", ids[case_ref])[0][0]
                for table, where in CASE_ROWS}


def insert_handover(conn, ids, case_ref: str, to: str):
    return rows(conn, INSERT_HANDOVER, ids[case_ref], ids[f"holder of {case_ref}"], ids[to], ON)


def plan_on_the_command_line(server, who: str, case_ref: str, to: str):
    from tui.cli import main

    _engine, url, logins, _ids = server
    return CliRunner().invoke(main, ["--db", login_url(url, logins[who]), "handover", "plan", case_ref, "--to", to,
                                     "--on", ON, "--as-of", DAY.isoformat(),
                                     "--reason", "transition to adult services at 18"])


def test_a_yj_login_reads_the_transition_team_s_practitioners_but_not_their_lead(server):
    _engine, url, logins, _ids = server
    for who in ("L1", "P1"):
        with connect_as(url, logins[who]) as conn:
            people = {pid for (pid,) in rows(conn, "SELECT practitioner_id FROM practitioner")}
        assert {"P4", "L1", "P1", "P2"} <= people and "P3" not in people, (who, people)


def test_it_reads_nothing_of_the_transition_team_s_cases_notes_or_caseload(server):
    assert counts(server, "L1", "C3") == {table: 0 for table, _ in CASE_ROWS}
    _engine, url, logins, _ids = server
    with connect_as(url, logins["L1"]) as conn:
        assert rows(conn, "SELECT count(*) FROM allocation a JOIN practitioner p ON p.id = a.practitioner_pk"
                          " WHERE p.practitioner_id IN ('P3', 'P4')") == [(0,)]
        assert rows(conn, "SELECT count(*) FROM absence a JOIN practitioner p ON p.id = a.practitioner_pk"
                          " WHERE p.practitioner_id IN ('P3', 'P4')") == [(0,)]


def test_a_yj_lead_plans_the_transition_from_the_command_line(server):
    assert counts(server, "P4", "C2")["\"case\""] == 0  # the adult team does not see the child yet
    got = plan_on_the_command_line(server, "L1", "C2", "P4")
    assert got.exit_code == 0, got.output
    # both teams see it until it completes; the adult team's practitioner too
    seen = counts(server, "P4", "C2")
    assert all(n > 0 for table, n in seen.items() if table != "case_note"), seen
    assert counts(server, "L1", "C2")["handover"] == 1
    # and the YJ lead still reads nothing of the adult team's own case
    assert counts(server, "L1", "C3") == {table: 0 for table, _ in CASE_ROWS}
    _engine, url, logins, _ids = server
    with connect_as(url, logins["P4"]) as conn:  # nor does the receiver see T1's other cases
        assert rows(conn, "SELECT case_ref FROM \"case\" ORDER BY case_ref") == [("C2",), ("C3",)]


def test_a_yj_practitioner_plans_it_in_psql_too(server):
    _engine, url, logins, ids = server
    with connect_as(url, logins["P1"]) as conn:
        assert insert_handover(conn, ids, "C2", "P4")
    assert counts(server, "P4", "C2")["\"case\""] == 1


@pytest.mark.parametrize(("case_ref", "to"), [("C1", "P4"), ("C2", "P3")])
def test_only_a_child_s_case_and_only_the_transition_team_s_non_leads(server, case_ref, to):
    """An adult's case goes to no one of another team; a lead is not a receiver:
    refused by the database to the YJ lead's login (the app lets a lead move a
    case to any team: the database holds them to this), and by the app too to
    a practitioner's."""
    _engine, url, logins, ids = server
    for who in ("L1", "P1"):
        with connect_as(url, logins[who]) as conn, pytest.raises(psycopg.errors.InsufficientPrivilege):
            insert_handover(conn, ids, case_ref, to)
        got = plan_on_the_command_line(server, who, case_ref, to)
        assert got.exit_code != 0 and "Traceback" not in got.output, got.output
    assert counts(server, "L1", case_ref)["handover"] == 0


def test_a_team_with_no_link_names_no_one_of_another_team(server):
    engine, url, logins, ids = server
    with engine.begin() as conn:
        conn.execute(text("UPDATE team SET transition_team_pk = NULL"))
    with connect_as(url, logins["L1"]) as conn:
        assert "P4" not in {pid for (pid,) in rows(conn, "SELECT practitioner_id FROM practitioner")}
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            insert_handover(conn, ids, "C2", "P4")


def test_the_adult_team_s_login_names_no_one_of_the_yj_team(server):
    """The link goes one way: T2 has none."""
    _engine, url, logins, _ids = server
    with connect_as(url, logins["P4"]) as conn:
        assert "P1" not in {pid for (pid,) in rows(conn, "SELECT practitioner_id FROM practitioner")}
