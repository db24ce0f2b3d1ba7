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
    refused by the database to the YJ lead's login and to a practitioner's,
    and by the app to both (storage.access.check_receiver)."""
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


# ---------------------------------------------------------------- the app and the server agree on receivers


def server_allows(conn, ids, case_ref: str, to: str) -> bool:
    """Does the login's database let it plan `case_ref`'s handover to `to`? (rolled back)"""
    try:
        with conn.transaction(force_rollback=True):
            insert_handover(conn, ids, case_ref, to)
        return True
    except psycopg.errors.InsufficientPrivilege:
        return False


def app_allows(engine, who: str, case_ref: str, to: str, check: str = "check_receiver") -> bool:
    """Does the app (storage.access's `check`, on the owner's engine acting as `who`)?"""
    from planner.errors import CaseloadError
    from storage import access

    with Session(engine) as s:
        try:
            getattr(access, check)(s, who, case_ref, to)
        except CaseloadError:
            return False
    return True


def receiver_decisions(server, who: str) -> dict[tuple[str, str], tuple[bool, bool]]:
    """(case, receiver) -> (the app's answer, the server's) for every case of
    the login's team and every practitioner."""
    engine, url, logins, ids = server
    people = sorted(pid for pid in ids if pid[:1] in "LP" and pid[1:].isdigit())
    with connect_as(url, logins[who]) as conn:
        return {(ref, to): (app_allows(engine, who, ref, to), server_allows(conn, ids, ref, to))
                for ref in ("C1", "C2") for to in people}


def name_more_people(server) -> None:
    """T2's P5 as the second practitioner at a contact on C2 (handed to P4),
    T2's P6 as the cover of T1's P2 while away: people T1 sees only so."""
    engine, _url, _logins, ids = server
    add_person(engine, "P5", "T2")
    add_person(engine, "P6", "T2")
    with Session(engine) as s:
        repo.plan_handover(s, case_ref="C2", to_practitioner_id="P4", planned_on=date(2026, 12, 14), actor="admin",
                           as_of=DAY)
        repo.record_contact(s, case_ref="C2", contact_date=DAY, practitioner_id="P1", kind="three_way",
                            outcome="attended", with_practitioner_id="P5", actor="admin")
        repo.commit_or_conflict(s)
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO absence (version, practitioner_pk, start_date, end_date, kind,"
                          " cover_practitioner_pk) SELECT 1, a.id, '2026-12-01', '2026-12-05', 'leave', b.id"
                          " FROM practitioner a, practitioner b WHERE a.practitioner_id = 'P2'"
                          " AND b.practitioner_id = 'P6'"))
        ids |= dict(conn.execute(text("SELECT practitioner_id, id FROM practitioner")).all())


@pytest.mark.parametrize("more", [False, True], ids=["seed", "second-and-cover"])
@pytest.mark.parametrize("who", ["L1", "P1"])
def test_the_app_names_as_receiver_exactly_whom_the_server_lets_the_login(server, who, more):
    """SPEC §9: the app allows no receiver the database refuses the same
    person's login, nor the reverse; a team lead included (the app once let a
    lead name anyone), and with people seen only as a contact's second
    practitioner or an absence's cover (the app once left covers out).
    Every case of the team against every practitioner."""
    if more:
        name_more_people(server)
    decisions = receiver_decisions(server, who)
    assert {key for key, (app, pg) in decisions.items() if app != pg} == set()
    allowed = {key for key, (app, _pg) in decisions.items() if app}
    assert {("C2", "P4"), ("C1", "P2")} <= allowed  # the transition team for the child, a colleague
    assert not {("C1", "P3"), ("C2", "P3")} & allowed  # no other team's lead
    if more:  # those named on what the login sees are seen (P4: C2's receiver now): they may be named
        assert {("C1", "P4"), ("C1", "P5"), ("C1", "P6")} <= allowed
    else:  # nobody of another team for an adult's case
        assert ("C1", "P4") not in allowed


# ---------------------------------------------------------------- the app and the server agree on allocations


def server_allocates(conn, ids, teams, case_ref: str, to: str) -> bool:
    """Does the login's database take `case_ref`'s allocation to `to` from
    ON, as storage/repo/allocation.py writes it (the open allocation ends, the
    case moves to `to`'s team if it is another, the new allocation)? Rolled
    back. `teams`: the owner's team pk of every case and practitioner."""
    case = ids[case_ref]
    try:
        with conn.transaction(force_rollback=True), conn.cursor() as cur:
            cur.execute("UPDATE allocation SET end_date = %s::date - 1, version = version + 1"
                        " WHERE case_id = %s AND end_date IS NULL", (ON, case))
            if teams[case_ref] != teams[to]:
                cur.execute('UPDATE "case" SET team_pk = %s, version = version + 1 WHERE id = %s',
                            (teams[to], case))
                if cur.rowcount != 1:
                    return False
            cur.execute("INSERT INTO allocation (case_id, practitioner_pk, start_date, version)"
                        " VALUES (%s, %s, %s, 1)", (case, ids[to], ON))
            cur.execute("SET CONSTRAINTS ALL IMMEDIATE")  # the checks due at commit (schema 0012), before the rollback
        return True
    except psycopg.errors.InsufficientPrivilege:
        return False


def allocation_decisions(server, who: str) -> dict[tuple[str, str], tuple[bool, bool]]:
    """(case, practitioner) -> (the app's answer, the server's) for every case
    the login sees and every practitioner but the case's current one."""
    engine, url, logins, ids = server
    with engine.connect() as conn:
        teams = dict(conn.execute(text('SELECT case_ref, team_pk FROM "case"')).all())
        teams |= dict(conn.execute(text("SELECT practitioner_id, team_pk FROM practitioner")).all())
        holders = set(conn.execute(text('SELECT c.case_ref, p.practitioner_id FROM "case" c JOIN allocation a'
                                        " ON a.case_id = c.id AND a.end_date IS NULL"
                                        " JOIN practitioner p ON p.id = a.practitioner_pk")).all())
    people = sorted(pid for pid in ids if pid[:1] in "LP" and pid[1:].isdigit())
    with connect_as(url, logins[who]) as conn:
        seen = {ref for (ref,) in rows(conn, 'SELECT case_ref FROM "case"')}
        return {(ref, to): (app_allows(engine, who, ref, to, "check_allocate"), server_allocates(conn, ids, teams, ref, to))
                for ref in sorted(seen) for to in people if (ref, to) not in holders}


@pytest.mark.parametrize("more", ["seed", "handover", "restricted"])
@pytest.mark.parametrize("who", ["L1", "P3", "P1", "P4"])
def test_the_app_allocates_exactly_as_the_server_lets_the_login(server, who, more):
    """SPEC §9: the app lets a team lead allocate a case to exactly whom the
    database lets the lead's login (the app once let a lead allocate a case
    they see to anyone): someone they see, and to another team only while
    their team still sees the case once moved. A practitioner is held to no
    less (the app lets them move a case only to its handover's receiver).
    Every case the login sees against every practitioner; with C2 handed to
    T2's P4 (a contact naming T2's P5, T2's P6 covering T1's P2), and that
    case restricted."""
    if more != "seed":
        name_more_people(server)
    if more == "restricted":
        engine = server[0]
        with engine.begin() as conn:
            conn.execute(text("UPDATE \"case\" SET restricted = true WHERE case_ref = 'C2'"))
    decisions = allocation_decisions(server, who)
    allowed = {key for key, (app, _pg) in decisions.items() if app}
    if who in ("L1", "P3"):
        assert {key for key, (app, pg) in decisions.items() if app != pg} == set()
    else:
        assert {key for key, (app, pg) in decisions.items() if app and not pg} == set()
    expected = {
        ("L1", "seed"): ({("C1", "P1"), ("C2", "L1")}, {("C1", "P4"), ("C1", "P3"), ("C2", "P4")}),
        ("L1", "handover"): ({("C2", "P4"), ("C2", "P5"), ("C1", "L1")}, {("C1", "P4"), ("C2", "P3")}),
        ("L1", "restricted"): ({("C2", "L1")}, {("C2", "P4"), ("C2", "P5")}),
        ("P3", "seed"): ({("C3", "P4")}, {("C3", "P1")}),
        ("P3", "handover"): ({("C2", "P4"), ("C2", "P5"), ("C2", "P3")}, {("C2", "P2"), ("C3", "P1")}),
        ("P1", "handover"): ({("C2", "P4"), ("C1", "L1")}, {("C2", "P3")}),
        ("P1", "restricted"): ({("C1", "L1")}, {("C2", "L1"), ("C2", "P2")}),  # no longer its practitioner
    }.get((who, more), (set(), set()))
    assert expected[0] <= allowed and not expected[1] & allowed, (expected, allowed)


def server_moves(conn, case_pk: int, team_pk: int) -> bool:
    """Does the login's database let it move the case to the team, as
    storage.repo.update_case writes it? Rolled back."""
    try:
        with conn.transaction(force_rollback=True), conn.cursor() as cur:
            cur.execute('UPDATE "case" SET team_pk = %s, version = version + 1 WHERE id = %s', (team_pk, case_pk))
            return cur.rowcount == 1
    except psycopg.errors.InsufficientPrivilege:
        return False


def app_updates(engine, who: str, case_ref: str, **fields) -> bool:
    """Does the app (storage.repo.update_case's checks, on the owner's engine acting as `who`)? Rolled back."""
    from planner.errors import CaseloadError

    with Session(engine) as s:
        version = s.execute(text('SELECT version FROM "case" WHERE case_ref = :r'), {"r": case_ref}).scalar_one()
        try:
            repo.update_case(s, case_ref=case_ref, expected_version=version, actor=who, **fields)
            return True
        except CaseloadError:
            return False
        finally:
            s.rollback()


def app_moves(engine, who: str, case_ref: str, team_id: str) -> bool:
    return app_updates(engine, who, case_ref, team_id=team_id)


@pytest.mark.parametrize("more", ["seed", "handover"])
@pytest.mark.parametrize("who", ["L1", "P3", "P1", "P4"])
def test_the_app_moves_a_case_to_a_team_exactly_as_the_server_lets_the_login(server, who, more):
    """SPEC §9: `update_case --team` by a team lead moves a case they see to any
    team, as the database's `case` policy (schema 0004) lets the lead's login
    (out of their own sight too: the lead's call); a practitioner's is
    refused by the app (the server lets them move it into their own team or
    its handover's receiving team), never allowed more than the server does."""
    if more != "seed":
        name_more_people(server)
    engine, url, logins, ids = server
    with engine.connect() as conn:
        teams = dict(conn.execute(text("SELECT team_id, id FROM team")).all())
        now = dict(conn.execute(text('SELECT case_ref, team_pk FROM "case"')).all())
    with connect_as(url, logins[who]) as conn:
        seen = sorted(ref for (ref,) in rows(conn, 'SELECT case_ref FROM "case"'))
        decisions = {(ref, team): (app_moves(engine, who, ref, team), server_moves(conn, ids[ref], pk))
                     for ref in seen for team, pk in teams.items() if pk != now[ref]}  # a move, to another team
    assert decisions
    if who in ("L1", "P3"):
        assert {key for key, (app, pg) in decisions.items() if app != pg} == set()
        assert all(app for app, _pg in decisions.values())
    else:
        assert {key for key, (app, pg) in decisions.items() if app and not pg} == set()


# ---------------------------------------------------------------- the app and the server agree on editing a case


def server_edits(conn, case_pk: int) -> bool:
    """Does the login's database let it edit the case's own row (its tier),
    as storage.repo.update_case writes it? Rolled back."""
    try:
        with conn.transaction(force_rollback=True), conn.cursor() as cur:
            cur.execute('UPDATE "case" SET tier = \'A1\', version = version + 1 WHERE id = %s', (case_pk,))
            return cur.rowcount == 1
    except psycopg.errors.InsufficientPrivilege:
        return False


@pytest.mark.parametrize("more", ["seed", "handover"])
@pytest.mark.parametrize("who", ["L1", "P3", "P1", "P4"])
def test_the_app_edits_a_case_exactly_as_the_server_lets_the_login(server, who, more):
    """SPEC §9: a case handed to another team is seen by both teams until the
    handover completes, but its own row is edited by its own team (or a
    lead): the receiving side's login is refused by the `case` policy
    (schema 0004, p_update), and the app, which once let it try and then
    failed with the database's error, refuses it the same way. Every case
    the login sees."""
    if more != "seed":
        name_more_people(server)
    engine, url, logins, ids = server
    with connect_as(url, logins[who]) as conn:
        seen = sorted(ref for (ref,) in rows(conn, 'SELECT case_ref FROM "case"'))
        decisions = {ref: (app_updates(engine, who, ref, tier="A1"), server_edits(conn, ids[ref])) for ref in seen}
    assert decisions
    assert {ref for ref, (app, pg) in decisions.items() if app != pg} == set()
    if (who, more) == ("P4", "handover"):  # C2 handed P1 -> P4: seen, not P4's team's to edit
        assert decisions["C2"] == (False, False)
    if who == "P1":
        assert decisions["C2"] == (True, True)
