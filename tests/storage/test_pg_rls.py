"""PostgreSQL enforces access by team itself (schema 0003): a practitioner's
own login, connected directly with psycopg (no app in between), sees only
their team's cases and the rows that hang off them, cannot touch the audit
trail, and cannot write a case into another team. The app works through
the same login, and the owner's connection (the administrator's) is not
restricted.

PostgreSQL only: collected only when CASELOAD_TEST_PG_URL names a server
(as `.ci/run` sets it), so there is never a skip.
"""

from __future__ import annotations

import os
import uuid
from datetime import date

import psycopg
import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlmodel import Session

from planner.errors import CaseloadError
from storage import repo
from storage.db import init_db
from storage.engine import make_engine
from storage.serverops import PRACTITIONER_ROLE, add_login, list_logins

from tests.storage.team_helpers import PASSWORD, connect_as, drop_logins, rows

PG_URL = os.environ.get("CASELOAD_TEST_PG_URL")


@pytest.fixture
def team_server(pg_database, seed_cases):
    """A fresh caseload database on the server with the seed data (T1: P1,
    P2, cases C1 C2; T2: P3 lead, case C3), an audit event per team, and a
    login for P1 and one for P3. Yields (owner engine, url, {practitioner: login});
    the logins are dropped afterwards."""
    engine = make_engine(pg_database)
    init_db(engine)
    seed_cases(engine)
    with Session(engine) as s:
        repo.add_case_note(s, case_ref="C1", text="made-up", author_id="P1", written_on=date(2026, 11, 2), actor="P1")
        repo.add_case_note(s, case_ref="C3", text="made-up", author_id="P3", written_on=date(2026, 11, 2), actor="P3")
        repo.commit_or_conflict(s)
    suffix = uuid.uuid4().hex[:8]
    logins = {"P1": f"p1_{suffix}", "P3": f"p3_{suffix}"}
    for pid, login in logins.items():
        add_login(engine, practitioner_id=pid, login=login, password=PASSWORD, actor="admin")
    try:
        yield engine, pg_database, logins
    finally:
        engine.dispose()
        drop_logins(pg_database, logins.values())


def test_a_direct_login_selects_only_its_own_teams_cases(team_server):
    _, url, logins = team_server
    with connect_as(url, logins["P1"]) as p1:
        assert len(rows(p1, 'SELECT * FROM "case"')) == 2
        assert [r[0] for r in rows(p1, 'SELECT case_ref FROM "case" ORDER BY case_ref')] == ["C1", "C2"]
        assert rows(p1, "SELECT current_user, session_user")[0] == (logins["P1"], logins["P1"])
    with connect_as(url, logins["P3"]) as p3:
        assert [r[0] for r in rows(p3, 'SELECT case_ref FROM "case" ORDER BY case_ref')] == ["C3"]
        assert rows(p3, "SELECT count(*) FROM \"case\" WHERE case_ref IN ('C1', 'C2')") == [(0,)]
        assert rows(p3, "SELECT count(*) FROM absence") == [(0,)]  # team T1's leave is not T2's business


def test_a_direct_login_cannot_read_another_teams_contacts_or_case_children(team_server):
    engine, url, logins = team_server
    with engine.connect() as owner:
        c3 = owner.execute(text("SELECT id FROM \"case\" WHERE case_ref = 'C3'")).scalar_one()
        assert owner.execute(text("SELECT count(*) FROM contact WHERE case_id = :c"), {"c": c3}).scalar_one() == 1
    with connect_as(url, logins["P1"]) as p1:
        assert rows(p1, "SELECT count(*) FROM contact WHERE case_id = %s", c3) == [(0,)]
        assert rows(p1, "SELECT count(*) FROM contact") == [(4,)]  # C1's three and C2's one
        for table in ("allocation", "appointment", "case_note", "handover"):
            assert rows(p1, f"SELECT count(*) FROM {table} WHERE case_id = %s", c3) == [(0,)], table
        # Practitioners: their own team only; the login map not at all.
        assert sorted(r[0] for r in rows(p1, "SELECT practitioner_id FROM practitioner")) == ["P1", "P2"]
        assert rows(p1, "SELECT count(*) FROM absence") == [(1,)]  # P1's own; none of team T2's
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            rows(p1, "SELECT * FROM db_login")
        # Audit events of another team's case are hidden too.
        refs = {r[0] for r in rows(p1, "SELECT case_ref FROM audit_event")}
        assert "C1" in refs and "C3" not in refs


def test_a_direct_login_cannot_change_or_delete_audit_events(team_server):
    _, url, logins = team_server
    with connect_as(url, logins["P1"]) as p1:
        assert rows(p1, "SELECT count(*) FROM audit_event")[0][0] >= 1
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            rows(p1, "UPDATE audit_event SET actor = 'someone-else' RETURNING id")
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            rows(p1, "DELETE FROM audit_event RETURNING id")
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            rows(p1, "TRUNCATE audit_event")


def test_a_direct_login_cannot_write_into_another_team(team_server):
    engine, url, logins = team_server
    with engine.connect() as owner:
        t2 = owner.execute(text("SELECT id FROM team WHERE team_id = 'T2'")).scalar_one()
        c3 = owner.execute(text("SELECT id FROM \"case\" WHERE case_ref = 'C3'")).scalar_one()
        p1_pk = owner.execute(text("SELECT id FROM practitioner WHERE practitioner_id = 'P1'")).scalar_one()
    with connect_as(url, logins["P1"]) as p1:
        with pytest.raises(psycopg.errors.InsufficientPrivilege):  # no new cases at all (schema 0004)
            rows(p1, "INSERT INTO \"case\" (version, case_ref, display_name, team_pk, youth, flags, status) "
                     "VALUES (1, 'X9', 'Made Up', %s, false, '', 'active') RETURNING id", t2)
        with pytest.raises(psycopg.errors.InsufficientPrivilege, match="row-level security"):
            rows(p1, "INSERT INTO contact (version, case_id, contact_date, practitioner_pk, kind, outcome) "
                     "VALUES (1, %s, '2026-11-20', %s, 'office', 'attended') RETURNING id", c3, p1_pk)
        # Moving one of their own cases into the other team is refused as well.
        with pytest.raises(psycopg.errors.InsufficientPrivilege, match="row-level security"):
            rows(p1, "UPDATE \"case\" SET team_pk = %s WHERE case_ref = 'C1' RETURNING id", t2)
        # People and roles are the administrator's: no promoting oneself, no changing teams.
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            rows(p1, "UPDATE practitioner SET role = 'team_lead' WHERE practitioner_id = 'P1' RETURNING id")
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            rows(p1, "INSERT INTO db_login (login_name, practitioner_pk) VALUES ('x', %s) RETURNING login_name", p1_pk)
        # An update aimed at the other team's case finds nothing to update.
        assert rows(p1, "UPDATE \"case\" SET tier = 'A1' WHERE case_ref = 'C3' RETURNING id") == []


def test_the_app_through_a_practitioner_login_sees_and_writes_its_team_only(team_server):
    from storage.queries import load_cases

    engine, url, logins = team_server
    as_p1 = make_engine(make_url(url).set(username=logins["P1"], password=PASSWORD)
                        .render_as_string(hide_password=False), create=False)
    try:
        with Session(as_p1) as s:
            assert sorted(c.case_ref for c in load_cases(s)) == ["C1", "C2"]
            repo.record_contact(s, case_ref="C2", contact_date=date(2026, 11, 26), practitioner_id="P1",
                                kind="office", outcome="attended", actor="P1")
            repo.commit_or_conflict(s)
        with Session(as_p1) as s, pytest.raises(CaseloadError, match="unknown case C3"):
            # The database hides C3 from this login altogether.
            repo.record_contact(s, case_ref="C3", contact_date=date(2026, 11, 26), practitioner_id="P1",
                                kind="office", outcome="attended", actor="admin")
    finally:
        as_p1.dispose()
    # The owner's connection (the administrator) sees everything, the new contact included.
    with engine.connect() as owner:
        assert owner.execute(text('SELECT count(*) FROM "case"')).scalar_one() == 3
        # the app's event, and the database's own record of the row written (schema 0004)
        assert owner.execute(text("SELECT action, login FROM audit_event WHERE actor = 'P1' "
                                  "AND entity = 'contact' ORDER BY action")).all() == [
            ("db_write", logins["P1"]), ("record", logins["P1"])]


def test_add_login_maps_the_login_and_refuses_bad_names(team_server):
    engine, _, logins = team_server
    assert {(lg, pid) for lg, pid, _ in list_logins(engine)} == {(logins["P1"], "P1"), (logins["P3"], "P3")}
    with engine.connect() as conn:
        member = conn.execute(text(
            "SELECT pg_has_role(:login, :role, 'MEMBER')"), {"login": logins["P1"], "role": PRACTITIONER_ROLE}
        ).scalar_one()
        assert member
    with pytest.raises(CaseloadError, match="lower-case"):
        add_login(engine, practitioner_id="P1", login="Robert'); DROP TABLE x;--", password=None, actor="admin")
    with pytest.raises(CaseloadError, match="unknown practitioner"):
        add_login(engine, practitioner_id="NOBODY", login="nobody_x", password=None, actor="admin")
    with pytest.raises(CaseloadError, match="superuser|owns"):
        add_login(engine, practitioner_id="P1", login=make_url(PG_URL).username, password=None, actor="admin")
    with engine.connect() as conn:  # audited, without the password
        detail = conn.execute(text("SELECT detail FROM audit_event WHERE action = 'add_login'")).scalars().all()
    assert len(detail) == 2 and all(PASSWORD not in d for d in detail)


def test_the_add_login_command(team_server, monkeypatch):
    from click.testing import CliRunner

    from tui.cli import main
    engine, url, logins = team_server
    login = logins["P1"]  # re-running for an existing login updates it (new password, same mapping)
    monkeypatch.setenv("CASELOAD_NEW_PW", PASSWORD)
    result = CliRunner().invoke(main, ["--db", url, "server", "add-login", "P2", "--login", login,
                                       "--password-env", "CASELOAD_NEW_PW"])
    assert result.exit_code == 0, result.output
    assert result.output.strip() == f"updated login {login} for P2 (team T1); it sees team T1's cases only"
    assert PASSWORD not in result.output
    listed = CliRunner().invoke(main, ["--db", url, "server", "logins"])
    assert f"{login}  P2" in listed.output.replace("   ", "  ")
    for args, message in [
        (["server", "add-login", "P2", "--login", "x_y", "--password-env", "CASELOAD_UNSET_VAR"],
         "CASELOAD_UNSET_VAR: that environment variable is not set"),
        (["--as", "P3", "server", "add-login", "P2", "--login", "x_y"], "only the administrator may create logins"),
    ]:
        refused = CliRunner().invoke(main, ["--db", url, *args])
        assert refused.exit_code == 2 and message in refused.output, refused.output


if not PG_URL:  # no server given: nothing to collect (never a skip); `.ci/run` always sets it
    for _name in [n for n in globals() if n.startswith("test_")]:
        del globals()[_name]


def test_the_audit_trail_folds_the_databases_row_writes_into_the_change_that_made_them(team_server):
    """Schema 0004 records every row a practitioner's login writes (db_write).
    `caseload audit` counts those of a change the app audited on its line,
    and lists those of a transaction the app did not audit (a direct write)."""
    from click.testing import CliRunner

    from tests.storage.team_helpers import login_url
    from tui.cli import main

    engine, url, logins = team_server
    as_p1 = make_engine(login_url(url, logins["P1"]), create=False)
    try:
        with Session(as_p1) as s:
            repo.record_contact(s, case_ref="C2", contact_date=date(2026, 11, 26), practitioner_id="P1",
                                kind="office", outcome="attended", actor="P1")
            repo.commit_or_conflict(s)
    finally:
        as_p1.dispose()
    with connect_as(url, logins["P1"]) as p1:  # straight from psql: no app event
        rows(p1, "UPDATE \"case\" SET tier = 'A1' WHERE case_ref = 'C2' RETURNING id")
    table = CliRunner().invoke(main, ["--db", url, "audit", "--case", "C2"])
    assert table.exit_code == 0, table.output
    lines = table.output.splitlines()
    record = next(line for line in lines if " record " in line)
    assert logins["P1"] in record and "+ rows: contact insert 1" in record
    direct = [line for line in lines if " db_write " in line]
    assert len(direct) == 1 and " case " in direct[0] and '"columns": ["tier"]' in direct[0]
    assert "1 row write folded into the change that made them" in lines[-1]
    every = CliRunner().invoke(main, ["--db", url, "audit", "--case", "C2", "--db-writes"])
    assert sum(" db_write " in line for line in every.output.splitlines()) == 2
