"""Attacks on the team server by a practitioner who has psql and their own
login (README "Team server", the threat model): each is tried with a real
PostgreSQL login over a plain psycopg connection or through the command
line, and each must be refused, show nothing, or be audited.

The attacks are grouped by kind, and README "Team server" gives the count of
each kind (`attack_counts()` below, printed by `python -m
tests.storage.test_pg_attacks`): definer functions, reads, writes, the
audit trail, identity (`--as` and logins), the cross-team handover, and
logins the administrator is asked to create.

Seed (tests/conftest.py) plus: T1 = P1, P2 and lead L1, cases C1 (P2's),
C2 (P1's); T2 = lead P3 and P4, case C3 (P3's). L1 runs a supervision
session for P1 (a note on C2) and one for P2 (a note on C1, an action for
P2); P3 runs one for P4 (an event of no case, in team T2). C2 has a handover
planned from P1 to P2. Logins: P1, P2, L1, P3.

PostgreSQL only: collected only when CASELOAD_TEST_PG_URL names a server.
"""

from __future__ import annotations

import json
import os
import uuid
from dataclasses import dataclass
from datetime import date, timedelta

import psycopg
import pytest
from click.testing import CliRunner
from sqlalchemy import text
from sqlmodel import Session

from storage import repo
from storage import supervision as sv
from storage.db import init_db
from storage.engine import make_engine
from storage.serverops import PRACTITIONER_ROLE, add_login
from tests.storage.team_helpers import add_lead, add_person, connect_as, drop_logins, login_url, rows

PG_URL = os.environ.get("CASELOAD_TEST_PG_URL")
DAY = date(2026, 11, 27)
RAISES, NONE = "raises", "none"  # outcomes: the database refuses / finds nothing to touch


@dataclass
class Server:
    engine: object
    url: str
    logins: dict  # practitioner id -> login
    ids: dict  # names -> row ids ("C3", "S2", "A2", "T2", "P3", ...)

    def login(self, who: str):
        return connect_as(self.url, self.logins[who])

    def owner(self, sql: str, **params):
        with self.engine.connect() as conn:
            return conn.execute(text(sql), params).all()

    def owner_write(self, sql: str, **params) -> None:
        with self.engine.begin() as conn:
            conn.execute(text(sql), params)

    def cli(self, who: str | None, *args: str):
        from tui.cli import main

        db = login_url(self.url, self.logins[who]) if who else self.url
        return CliRunner().invoke(main, ["--db", db, *args])


@pytest.fixture
def server(pg_database, seed_cases):
    engine = make_engine(pg_database)
    init_db(engine)
    seed_cases(engine)
    add_lead(engine, "L1", "T1")
    add_person(engine, "P4", "T2")
    with Session(engine) as s:
        s1 = sv.start_session(s, practitioner_id="P1", lead_id="L1", on=DAY, actor="L1")
        sv.save_note(s, session_id=s1, case_ref="C2", text="made-up note on C2", actor="L1")
        s2 = sv.start_session(s, practitioner_id="P2", lead_id="L1", on=DAY, actor="L1")
        sv.save_note(s, session_id=s2, case_ref="C1", text="made-up note on C1", actor="L1")
        a2 = sv.add_action(s, session_id=s2, case_ref="C1", owner_id="P2", text="made-up action", due=DAY,
                           actor="L1")
        sv.start_session(s, practitioner_id="P4", lead_id="P3", on=DAY, actor="P3")  # T2's, of no case
        repo.add_case_note(s, case_ref="C3", text="made-up", author_id="P3", written_on=DAY, actor="P3")
        repo.book_appointment(s, case_ref="C3", appointment_date=date(2026, 12, 3), practitioner_id="P3",
                              actor="P3")
        repo.plan_handover(s, case_ref="C2", to_practitioner_id="P2", planned_on=date(2026, 12, 14), actor="L1")
        for ref, pid in (("C2", "P1"), ("C3", "P3")):  # the person's voice (schema 0009)
            repo.record_checkin(s, case_ref=ref, checkin_date=date(2026, 11, 20), practitioner_id=pid, listened=4,
                                goals=4, trust=4, words="made-up", today=DAY, actor=pid)
        repo.set_not_with(s, case_ref="C3", practitioner_id="P4", reason="boundary", actor="P3")
        repo.commit_or_conflict(s)
    with engine.begin() as conn:  # a joint visit on T2's case, P1 there too (the administrator's record)
        conn.execute(text("INSERT INTO contact (version, case_id, contact_date, practitioner_pk, kind, outcome,"
                          " with_practitioner_pk) SELECT 1, c.id, '2026-11-10', p.id, 'home_visit', 'attended', q.id"
                          " FROM \"case\" c, practitioner p, practitioner q"
                          " WHERE c.case_ref = 'C3' AND p.practitioner_id = 'P3' AND q.practitioner_id = 'P1'"))
    suffix = uuid.uuid4().hex[:8]
    logins = {pid: f"{pid.lower()}_{suffix}" for pid in ("P1", "P2", "L1", "P3")}
    for pid, login in logins.items():
        add_login(engine, practitioner_id=pid, login=login, password="made-up-secret-1", actor="admin")
    with engine.connect() as conn:
        ids = {
            **dict(conn.execute(text('SELECT case_ref, id FROM "case"')).all()),
            **dict(conn.execute(text("SELECT practitioner_id, id FROM practitioner")).all()),
            **dict(conn.execute(text("SELECT team_id, id FROM team")).all()),
            "S1": s1, "S2": s2, "A2": a2,
        }
        for ref in ("C2", "C3"):  # their appointments (C2: the seed's series)
            ids[f"AP{ref[1:]}"] = conn.execute(text("SELECT min(id) FROM appointment WHERE case_id = :c"),
                                               {"c": ids[ref]}).scalar()
    try:
        yield Server(engine, pg_database, logins, ids)
    finally:
        engine.dispose()
        drop_logins(pg_database, [*logins.values(), f"extra_{suffix}"])


def attempt(conn, sql: str, *args) -> str:
    """Run an attack: RAISES if the database refuses it, NONE if it touches
    or shows nothing, else the rows it got (an attack that worked)."""
    try:
        got = rows(conn, sql, *args)
    except (psycopg.errors.InsufficientPrivilege, psycopg.errors.CheckViolation):
        return RAISES
    return NONE if got in ([], [(0,)], [(None,)]) else f"worked: {got}"


def audit_rows(server: Server) -> int:
    return server.owner("SELECT count(*) FROM audit_event")[0][0]


# ============================================================================ definer functions


def test_definer_a_temp_table_cannot_shadow_the_login_map(server):
    """The attack on schema 0003: temporary `db_login` and `practitioner`
    tables that map the login to the other team. pg_temp is searched last
    (and every name is schema-qualified), so they change nothing."""
    with server.login("P1") as p1:
        p1.execute("CREATE TEMP TABLE db_login (login_name name, practitioner_pk integer)")
        p1.execute("CREATE TEMP TABLE practitioner (id integer, team_pk integer, role text, practitioner_id text)")
        p1.execute("INSERT INTO pg_temp.db_login VALUES (current_user, -1)")
        p1.execute("INSERT INTO pg_temp.practitioner VALUES (-1, %s, 'team_lead', 'P3')", (server.ids["T2"],))
        assert [r[0] for r in rows(p1, 'SELECT case_ref FROM public."case" ORDER BY 1')] == ["C1", "C2"]
        assert attempt(p1, "SELECT count(*) FROM public.contact WHERE case_id = %s", server.ids["C3"]) == NONE
        assert attempt(p1, "SELECT count(*) FROM public.supervision_session WHERE practitioner_pk = %s",
                       server.ids["P4"]) == NONE
        assert attempt(p1, 'UPDATE public."case" SET tier = %s WHERE case_ref = %s RETURNING id', "A1", "C3") == NONE


def test_definer_every_definer_function_pins_search_path_with_pg_temp_last(server):
    found = server.owner(
        "SELECT p.proname, p.proconfig FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace"
        " WHERE n.nspname = current_schema() AND p.prosecdef ORDER BY 1")
    assert len(found) >= 10
    for name, config in found:
        assert config == ["search_path=pg_catalog, public, pg_temp"], name


def test_definer_no_function_is_everyones_but_the_one_about_the_caller(server):
    """PostgreSQL lets everyone (PUBLIC) run a new function; each of the
    schema's is the practitioners' role's at most, but the one that tells a
    login its own practitioner."""
    public = server.owner(
        "SELECT p.proname FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace"
        " WHERE n.nspname = current_schema() AND (p.proacl IS NULL OR EXISTS ("
        " SELECT 1 FROM aclexplode(p.proacl) a WHERE a.grantee = 0 AND a.privilege_type = 'EXECUTE'))"
        " ORDER BY 1")
    assert public == [("caseload_my_practitioner_id",)]


def test_definer_no_function_tells_a_login_another_logins_team(server):
    with server.login("P1") as p1:
        with pytest.raises(psycopg.errors.UndefinedFunction):  # 0003's caseload_login_team(name) is gone
            rows(p1, "SELECT caseload_login_team(%s::name)", server.logins["P3"])
        assert rows(p1, "SELECT caseload_practitioner_team(%s)", server.ids["P3"]) == [(None,)]
        assert rows(p1, "SELECT caseload_case_team(%s)", server.ids["C3"]) == [(None,)]
        assert rows(p1, "SELECT caseload_my_team()") == [(server.ids["T1"],)]
    # and no function the practitioners may call takes a login (a name) at all
    assert server.owner(
        "SELECT p.proname FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace"
        " WHERE n.nspname = current_schema() AND has_function_privilege(:role, p.oid, 'EXECUTE')"
        " AND 'name'::regtype = ANY (p.proargtypes::regtype[])", role=PRACTITIONER_ROLE) == []


# ============================================================================ reads

READS = {
    "another team's cases": 'SELECT count(*) FROM "case" WHERE case_ref = \'C3\'',
    "another team's contacts": "SELECT count(*) FROM contact WHERE case_id = {C3}",
    "another team's appointments": "SELECT count(*) FROM appointment WHERE case_id = {C3}",
    "another team's case notes": "SELECT count(*) FROM case_note WHERE case_id = {C3}",
    "another team's allocations": "SELECT count(*) FROM allocation WHERE case_id = {C3}",
    "another team's people": "SELECT count(*) FROM practitioner WHERE team_pk = {T2}",
    "another team's supervision": "SELECT count(*) FROM supervision_session WHERE practitioner_pk = {P4}",
    "a colleague's supervision session": "SELECT count(*) FROM supervision_session WHERE id = {S2}",
    "a colleague's supervision notes": "SELECT count(*) FROM supervision_note WHERE session_id = {S2}",
    "another team's events of no case": "SELECT count(*) FROM audit_event WHERE actor = 'P3' AND case_ref IS NULL",
    "the administrator's events of no case": "SELECT count(*) FROM audit_event WHERE actor = 'admin'",
    "another team's events of a case": "SELECT count(*) FROM audit_event WHERE case_ref = 'C3'",
    "the login map": "SELECT count(*) FROM db_login",
    "how many events every team has written": "SELECT last_value FROM audit_event_id_seq",
    "how many contacts every team has recorded": "SELECT last_value FROM contact_id_seq",
    "another team's check-ins": "SELECT count(*) FROM checkin WHERE case_id = {C3}",
    "another team's not_with list": "SELECT count(*) FROM not_with WHERE case_id = {C3}",
    "another team's contact that names one of its people": (
        "SELECT count(*) FROM contact WHERE case_id = {C3} AND with_practitioner_pk = {P1}"),
    # schema 0012: a colleague's supervision actions are theirs, their sessions' and their lead's
    "a colleague's supervision actions": "SELECT count(*) FROM action WHERE id = {A2}",
}


@pytest.mark.parametrize("attack", sorted(READS))
def test_read_is_refused(server, attack):
    with server.login("P1") as p1:
        assert attempt(p1, READS[attack].format(**server.ids)) in (RAISES, NONE)


def test_control_the_read_rules_still_let_each_do_their_job(server):
    """What the refusals above must not break (so they cannot pass by seeing nothing at all)."""
    with server.login("P1") as p1:  # their own session and its note, their team's cases and people
        assert rows(p1, "SELECT count(*) FROM supervision_note WHERE session_id = %s", server.ids["S1"]) == [(1,)]
        assert rows(p1, "SELECT count(*) FROM practitioner") == [(3,)]
    with server.login("P1") as p1:  # the second practitioner of a contact on a case they see, of another team
        assert rows(p1, "SELECT count(*) FROM practitioner WHERE id = %s", server.ids["P4"]) == [(0,)]
        server.owner_write("INSERT INTO contact (version, case_id, contact_date, practitioner_pk, kind, outcome,"
                           " with_practitioner_pk) VALUES (1, :c, '2026-11-12', :p, 'three_way', 'attended', :w)",
                           c=server.ids["C2"], p=server.ids["P1"], w=server.ids["P4"])
        assert rows(p1, "SELECT count(*) FROM practitioner WHERE id = %s", server.ids["P4"]) == [(1,)]
    with server.login("L1") as l1:  # the lead reads their team's supervision, its actions too
        assert rows(l1, "SELECT count(*) FROM supervision_note WHERE session_id = %s", server.ids["S2"]) == [(1,)]
        assert rows(l1, "SELECT count(*) FROM action WHERE id = %s", server.ids["A2"]) == [(1,)]
    # an action's owner, and the practitioner of the session it was agreed in (owned by P1, in P2's session)
    server.owner_write("INSERT INTO action (version, session_id, owner_pk, text, due, done)"
                       " VALUES (1, :s, :o, 'made-up', '2026-12-01', false)", s=server.ids["S2"], o=server.ids["P1"])
    with server.login("P2") as p2:
        assert rows(p2, "SELECT count(*) FROM action WHERE session_id = %s", server.ids["S2"]) == [(2,)]
    with server.login("P1") as p1:
        assert rows(p1, "SELECT count(*) FROM action WHERE session_id = %s", server.ids["S2"]) == [(1,)]
    with server.login("P3") as p3:  # T2 reads its own event of no case
        assert rows(p3, "SELECT count(*) FROM audit_event WHERE actor = 'P3' AND case_ref IS NULL")[0][0] >= 1


# ============================================================================ writes

WRITES = {
    "change another team's case": "UPDATE \"case\" SET tier = 'A1' WHERE case_ref = 'C3' RETURNING id",
    "delete another team's appointments": "DELETE FROM appointment WHERE case_id = {C3} RETURNING id",
    "a contact on another team's case": (
        "INSERT INTO contact (version, case_id, contact_date, practitioner_pk, kind, outcome)"
        " VALUES (1, {C3}, '2026-11-20', {P1}, 'office', 'attended') RETURNING id"),
    "a new case": ("INSERT INTO \"case\" (version, case_ref, display_name, team_pk, youth, flags, status)"
                   " VALUES (1, 'X9', 'Made Up', {T1}, false, '', 'active') RETURNING id"),
    "move an own case to another team": "UPDATE \"case\" SET team_pk = {T2} WHERE case_ref = 'C2' RETURNING id",
    "allocate an own case to another team": (
        "INSERT INTO allocation (version, case_id, practitioner_pk, start_date)"
        " VALUES (1, {C2}, {P3}, '2026-12-01') RETURNING id"),
    "rewrite who held an allocation": "UPDATE allocation SET practitioner_pk = {P1} WHERE case_id = {C1} RETURNING id",
    "promote oneself to lead": "UPDATE practitioner SET role = 'team_lead' WHERE id = {P1} RETURNING id",
    "map a login": "INSERT INTO db_login (login_name, practitioner_pk) VALUES ('x', {P1}) RETURNING login_name",
    "overwrite a colleague's supervision note": (
        "UPDATE supervision_note SET note = 'x' WHERE session_id = {S2} RETURNING id"),
    "write into a colleague's session": (
        "INSERT INTO supervision_note (version, session_id, case_id, reviewed, flagged)"
        " VALUES (1, {S2}, {C2}, false, false) RETURNING id"),
    "write one's own supervision note": "UPDATE supervision_note SET note = 'x' WHERE session_id = {S1} RETURNING id",
    "start a supervision session": (
        "INSERT INTO supervision_session (version, practitioner_pk, lead_pk, session_date, started_at)"
        " VALUES (1, {P2}, {P1}, '2026-11-27', now()) RETURNING id"),
    "burn the audit trail's ids": "SELECT nextval('audit_event_id_seq')",
    "complete a handover warm with its checklist open": (
        "UPDATE handover SET status = 'completed_warm', completed_on = '2026-12-14' WHERE case_id = {C2} RETURNING id"),
    "complete a handover cold without an override": (
        "UPDATE handover SET status = 'completed_cold', completed_on = '2026-12-14' WHERE case_id = {C2} RETURNING id"),
    "a handover made already completed": (
        "INSERT INTO handover (version, case_id, from_practitioner_pk, to_practitioner_pk, planned_on, status,"
        " completed_on, reviewed, created_at)"
        " VALUES (1, {C1}, {P2}, {P1}, '2026-12-20', 'completed_warm', '2026-12-20', false, now()) RETURNING id"),
    "tick a colleague's action": "UPDATE action SET done = true WHERE id = {A2} RETURNING id",
    "rewrite an action": "UPDATE action SET text = 'x' WHERE id = {A2} RETURNING id",
    "a case note in a colleague's name": (
        "INSERT INTO case_note (version, case_id, author_pk, written_on, text)"
        " VALUES (1, {C2}, {P2}, '2026-11-27', 'made-up') RETURNING id"),
    "override a handover": "UPDATE handover SET override_reason = 'x' WHERE case_id = {C2} RETURNING id",
    "mark a handover reviewed": "UPDATE handover SET reviewed = true WHERE case_id = {C2} RETURNING id",
    "leave for a colleague": (
        "INSERT INTO absence (version, practitioner_pk, start_date, end_date, kind)"
        " VALUES (1, {P2}, '2026-12-01', '2026-12-02', 'leave') RETURNING id"),
    # the columns of schemas 0005 and 0006, and a column rule for every column (schema 0007)
    "a lead's planning override": "UPDATE handover SET plan_override_reason = 'x' WHERE case_id = {C2} RETURNING id",
    "review a handover by its 0005 columns": (
        "UPDATE handover SET reviewed_by = 'L1', reviewed_on = '2026-11-27', review_note = 'x'"
        " WHERE case_id = {C2} RETURNING id"),
    "a handover made overridden and reviewed": (
        "INSERT INTO handover (version, case_id, from_practitioner_pk, to_practitioner_pk, planned_on, status,"
        " override_reason, reviewed, reviewed_by, created_at)"
        " VALUES (1, {C1}, {P2}, {P1}, '2026-12-20', 'cancelled', 'x', true, 'L1', now()) RETURNING id"),
    "a handover to another team's practitioner": (
        "INSERT INTO handover (version, case_id, from_practitioner_pk, to_practitioner_pk, planned_on, status,"
        " reviewed, created_at) VALUES (1, {C1}, {P2}, {P3}, '2026-12-20', 'planned', false, now()) RETURNING id"),
    "replan a handover to another team's practitioner": (
        "UPDATE handover SET to_practitioner_pk = {P3} WHERE case_id = {C2} RETURNING id"),
    "a contact with another team's practitioner present": (
        "INSERT INTO contact (version, case_id, contact_date, practitioner_pk, kind, outcome, with_practitioner_pk)"
        " VALUES (1, {C2}, '2026-11-20', {P1}, 'three_way', 'attended', {P3}) RETURNING id"),
    "name another team's practitioner on a contact": (
        "UPDATE contact SET with_practitioner_pk = {P3} WHERE case_id = {C2} RETURNING id"),
    "say a held contact was cancelled by its practitioner": (
        "UPDATE contact SET cancelled_by = 'practitioner' WHERE case_id = {C2} RETURNING id"),
    "tick a checklist item in a colleague's name": (
        "UPDATE handover_item SET done = true, done_on = '2026-11-27', done_by = 'P2'"
        " WHERE handover_id IN (SELECT h.id FROM handover h WHERE h.case_id = {C2}) RETURNING id"),
    "make a required checklist item optional": (
        "UPDATE handover_item SET required = false"
        " WHERE handover_id IN (SELECT h.id FROM handover h WHERE h.case_id = {C2}) RETURNING id"),
    "rename a case": "UPDATE \"case\" SET case_ref = 'C9' WHERE case_ref = 'C2' RETURNING id",
    # the person's voice (schema 0009)
    "a check-in on another team's case": (
        "INSERT INTO checkin (version, case_id, checkin_date, practitioner_pk, listened, goals, trust)"
        " VALUES (1, {C3}, '2026-11-21', {P1}, 1, 1, 1) RETURNING id"),
    "change another team's check-in": "UPDATE checkin SET trust = 1 WHERE case_id = {C3} RETURNING id",
    "move a check-in to another date": "UPDATE checkin SET checkin_date = '2026-11-01' WHERE case_id = {C2} RETURNING id",
    "say a colleague held a check-in": "UPDATE checkin SET practitioner_pk = {P2} WHERE case_id = {C2} RETURNING id",
    "a check-in named for another team's practitioner": (
        "INSERT INTO checkin (version, case_id, checkin_date, practitioner_pk, listened, goals, trust)"
        " VALUES (1, {C2}, '2026-11-21', {P4}, 3, 3, 3) RETURNING id"),
    "delete a check-in": "DELETE FROM checkin WHERE case_id = {C2} RETURNING id",
    "a check-in answered 9": "UPDATE checkin SET trust = 9 WHERE case_id = {C2} RETURNING id",
    "free text about staff on a not_with": (
        "INSERT INTO not_with (version, case_id, practitioner_pk, reason) VALUES (1, {C2}, {P2}, 'rude')"
        " RETURNING id"),
    "a not_with on another team's case": (
        "INSERT INTO not_with (version, case_id, practitioner_pk, reason) VALUES (1, {C3}, {P1}, 'complaint')"
        " RETURNING id"),
    "delete another team's not_with": "DELETE FROM not_with WHERE case_id = {C3} RETURNING id",
    "a not_with naming another team's practitioner": (
        "INSERT INTO not_with (version, case_id, practitioner_pk, reason) VALUES (1, {C2}, {P4}, 'complaint')"
        " RETURNING id"),
    "an appointment series the app refuses": (
        "INSERT INTO appointment (version, case_id, appointment_date, practitioner_pk, kind, rrule)"
        " VALUES (1, {C2}, '2026-12-02', {P1}, 'office', 'FREQ=SECONDLY') RETURNING id"),
    # the exceptions of schema 0008: an override names a series of its own case, the keys stay as written
    "an override of another team's appointment": (
        "INSERT INTO appointment (version, case_id, appointment_date, practitioner_pk, kind, series_id,"
        " recurrence_date) VALUES (1, {C2}, '2026-12-04', {P1}, 'office', {AP3}, '2026-12-03') RETURNING id"),
    "an override on one case of another case's series": (
        "INSERT INTO appointment (version, case_id, appointment_date, practitioner_pk, kind, series_id,"
        " recurrence_date) VALUES (1, {C1}, '2026-12-04', {P2}, 'office', {AP2}, '2026-12-01') RETURNING id"),
    "move an override to another occurrence": (
        "UPDATE appointment SET recurrence_date = '2026-12-08' WHERE case_id = {C2} RETURNING id"),
    "cancelled by someone who is not the person or the practitioner": (
        "UPDATE appointment SET cancelled_by = 'court' WHERE case_id = {C2} RETURNING id"),
    "an exception that is not a date": "UPDATE appointment SET exdates = 'soon' WHERE case_id = {C2} RETURNING id",
    # schema 0012: an allocation ends only as the next opens; ticks carry a name, a date and the person's view
    "take a case off every caseload": (
        "UPDATE allocation SET end_date = '2027-03-01' WHERE case_id = {C2} AND end_date IS NULL RETURNING id"),
    "an allocation made already ended": (
        "INSERT INTO allocation (version, case_id, practitioner_pk, start_date, end_date)"
        " VALUES (1, {C1}, {P1}, '2025-01-01', '2025-06-01') RETURNING id"),
    "tick the required checklist items with no name or date": (
        "UPDATE handover_item SET done = true WHERE required"
        " AND handover_id IN (SELECT h.id FROM handover h WHERE h.case_id = {C2}) RETURNING id"),
    "tick told without the person's view": (
        "UPDATE handover_item SET done = true, done_on = '2026-11-27', done_by = 'P1' WHERE item_id = 'told'"
        " AND handover_id IN (SELECT h.id FROM handover h WHERE h.case_id = {C2}) RETURNING id"),
    "tick summary with no summary written": (
        "UPDATE handover_item SET done = true, done_on = '2026-11-27', done_by = 'P1' WHERE item_id = 'summary'"
        " AND handover_id IN (SELECT h.id FROM handover h WHERE h.case_id = {C2}) RETURNING id"),
    "a view on an item that records none": (
        "UPDATE handover_item SET view = 'agrees', view_words = 'x' WHERE item_id = 'read'"
        " AND handover_id IN (SELECT h.id FROM handover h WHERE h.case_id = {C2}) RETURNING id"),
    "a completion date on an open handover": (
        "UPDATE handover SET completed_on = '2999-12-31' WHERE case_id = {C2} RETURNING id"),
    "rewrite a check-in's words": "UPDATE checkin SET words = 'x' WHERE case_id = {C2} RETURNING id",
    "change a check-in's answers": "UPDATE checkin SET listened = 1 WHERE case_id = {C2} RETURNING id",
}


@pytest.mark.parametrize("attack", sorted(WRITES))
def test_write_is_refused(server, attack):
    before = server.owner("SELECT count(*), max(version) FROM supervision_note")
    with server.login("P1") as p1:
        assert attempt(p1, WRITES[attack].format(**server.ids)) in (RAISES, NONE)
    assert server.owner("SELECT count(*), max(version) FROM supervision_note") == before


LEAD_WRITES = {
    "a supervision session in another lead's name": (
        "INSERT INTO supervision_session (version, practitioner_pk, lead_pk, session_date, started_at)"
        " VALUES (1, {P1}, {P3}, '2026-11-27', now()) RETURNING id"),
    "move a supervision note to another session": (
        "UPDATE supervision_note SET session_id = {S1} WHERE session_id = {S2} RETURNING id"),
    "review a handover in another lead's name": (
        "UPDATE handover SET reviewed = true, reviewed_by = 'P3', reviewed_on = '2026-11-27', review_note = 'x'"
        " WHERE case_id = {C2} RETURNING id"),
}


@pytest.mark.parametrize("attack", sorted(LEAD_WRITES))
def test_write_by_a_lead_is_refused(server, attack):
    """A team lead's rights stop at their own name and their own records."""
    with server.login("L1") as l1:
        assert attempt(l1, LEAD_WRITES[attack].format(**server.ids)) in (RAISES, NONE)


def test_control_the_lead_and_the_owner_may_write(server):
    """The same writes by those whose job they are."""
    with server.login("L1") as l1:
        assert rows(l1, "UPDATE supervision_note SET note = 'x' WHERE session_id = %s RETURNING id",
                    server.ids["S2"])
    with server.login("P2") as p2:
        assert rows(p2, "UPDATE action SET done = true WHERE id = %s RETURNING id", server.ids["A2"])
    ids = server.ids
    with server.login("L1") as l1:  # a review and a planning override in the lead's own name
        assert rows(l1, "UPDATE handover SET reviewed = true, reviewed_by = 'L1', reviewed_on = '2026-11-27',"
                        " review_note = 'x', plan_override_reason = 'y' WHERE case_id = %s RETURNING id", ids["C2"])
    with server.login("P1") as p1:  # the 0005 and 0006 columns, as the app writes them
        assert rows(p1, "UPDATE handover_item SET done = true, done_on = '2026-11-27', done_by = 'P1', view = 'agrees',"
                        " view_words = 'fine' WHERE item_id = 'told'"
                        " AND handover_id IN (SELECT h.id FROM handover h WHERE h.case_id = %s) RETURNING id",
                    ids["C2"])
        assert rows(p1, "UPDATE handover_item SET done = true, done_on = '2026-11-27', done_by = 'P1'"
                        " WHERE item_id = 'read'"
                        " AND handover_id IN (SELECT h.id FROM handover h WHERE h.case_id = %s) RETURNING id",
                    ids["C2"])
        assert rows(p1, "INSERT INTO contact (version, case_id, contact_date, practitioner_pk, kind, outcome,"
                        " cancelled_by, with_practitioner_pk) VALUES (1, %s, '2026-11-20', %s, 'three_way',"
                        " 'cancelled', 'person', %s) RETURNING id", ids["C2"], ids["P1"], ids["P2"])
        assert rows(p1, "INSERT INTO appointment (version, case_id, appointment_date, practitioner_pk, kind, rrule)"
                        " VALUES (1, %s, '2026-12-02', %s, 'office', 'FREQ=MONTHLY;BYDAY=-1FR;UNTIL=20271231')"
                        " RETURNING id", ids["C2"], ids["P1"])
    with server.login("P1") as p1:  # the person's voice on a case of theirs (schema 0009)
        assert rows(p1, "INSERT INTO checkin (version, case_id, checkin_date, practitioner_pk, listened, goals, trust,"
                        " words) VALUES (1, %s, '2026-11-26', %s, 2, 3, 4, 'made-up') RETURNING id", ids["C2"], ids["P1"])
        assert rows(p1, "INSERT INTO not_with (version, case_id, practitioner_pk, reason)"
                        " VALUES (1, %s, %s, 'person_request') RETURNING id", ids["C2"], ids["P2"])
        assert rows(p1, "UPDATE not_with SET reason = 'complaint' WHERE case_id = %s RETURNING id", ids["C2"])
        assert rows(p1, "DELETE FROM not_with WHERE case_id = %s RETURNING id", ids["C2"])
        assert rows(p1, "UPDATE \"case\" SET language = 'Polish', interpreter = true WHERE id = %s RETURNING id",
                    ids["C2"])


def test_write_an_ended_allocation_is_history(server):
    """Schema 0012: an end date once set is not moved, nor taken away."""
    server.owner_write("INSERT INTO allocation (version, case_id, practitioner_pk, start_date, end_date)"
                       " VALUES (1, :c, :p, '2025-01-01', '2025-06-01')", c=server.ids["C1"], p=server.ids["P1"])
    with server.login("P1") as p1:
        for end in ("'2026-01-01'", "NULL"):
            assert attempt(p1, f"UPDATE allocation SET end_date = {end} WHERE case_id = %s"
                               " AND end_date IS NOT NULL RETURNING id", server.ids["C1"]) == RAISES, end
    assert server.owner("SELECT count(*) FROM allocation WHERE end_date = '2025-06-01'") == [(1,)]


COMPLETE_C2 = ("UPDATE handover SET status = 'completed_warm', completed_on = '2026-12-14'"
               " WHERE case_id = %s RETURNING id")


def _ready_to_complete(server) -> None:
    """C2's handover with every item completing it on 2026-12-14 needs done
    (as the app ticks them: a name, a date, the person's view and words),
    and its summary written; ticked by the owner."""
    server.owner_write("UPDATE handover SET summary = 'made-up' WHERE case_id = :c", c=server.ids["C2"])
    server.owner_write(
        "UPDATE handover_item SET done = true, done_on = '2026-12-10', done_by = 'P1',"
        " view = CASE WHEN item_id IN ('told', 'review') THEN 'agrees' END,"
        " view_words = CASE WHEN item_id IN ('told', 'review') THEN 'fine' END"
        " WHERE handover_id IN (SELECT h.id FROM handover h WHERE h.case_id = :c)"
        " AND (due <= '2026-12-14' OR item_id IN ('told', 'summary', 'read', 'three_way'))", c=server.ids["C2"])


def _complete_as_the_app_does(p1, ids) -> None:
    """In one transaction: the allocation ends, the receiver's opens on the
    day, the handover completes (storage/handovers/completion.py)."""
    with p1.transaction():
        rows(p1, "UPDATE allocation SET end_date = '2026-12-13' WHERE case_id = %s AND end_date IS NULL"
                 " RETURNING id", ids["C2"])
        rows(p1, "INSERT INTO allocation (version, case_id, practitioner_pk, start_date)"
                 " VALUES (1, %s, %s, '2026-12-14') RETURNING id", ids["C2"], ids["P2"])
        rows(p1, COMPLETE_C2, ids["C2"])


def test_write_complete_a_handover_without_moving_the_case(server):
    """Schema 0012: its checklist done, a handover still completes only with
    the case moved to the receiver on the day, by commit."""
    _ready_to_complete(server)
    with server.login("P1") as p1:
        assert attempt(p1, COMPLETE_C2, server.ids["C2"]) == RAISES
        with pytest.raises(psycopg.errors.InsufficientPrivilege), p1.transaction():  # moved, another day
            rows(p1, "UPDATE allocation SET end_date = '2026-12-13' WHERE case_id = %s AND end_date IS NULL"
                     " RETURNING id", server.ids["C2"])
            rows(p1, "INSERT INTO allocation (version, case_id, practitioner_pk, start_date)"
                     " VALUES (1, %s, %s, '2026-12-20') RETURNING id", server.ids["C2"], server.ids["P2"])
            rows(p1, COMPLETE_C2, server.ids["C2"])
        _complete_as_the_app_does(p1, server.ids)  # the control: as the app does it
    assert server.owner("SELECT status FROM handover WHERE case_id = :c", c=server.ids["C2"]) == [
        ("completed_warm",)]


SETTLED = {
    "move a completed handover's date": "UPDATE handover SET completed_on = '2999-12-31' WHERE case_id = {C2}"
                                        " RETURNING id",
    "reopen a completed handover": "UPDATE handover SET status = 'in_progress', completed_on = NULL"
                                   " WHERE case_id = {C2} RETURNING id",
    "untick a settled checklist item": (
        "UPDATE handover_item SET done = false, done_on = NULL, done_by = NULL, view = NULL, view_words = NULL"
        " WHERE item_id = 'told' AND handover_id IN (SELECT h.id FROM handover h WHERE h.case_id = {C2}) RETURNING id"),
}


@pytest.mark.parametrize("attack", sorted(SETTLED))
def test_write_a_completed_handover_is_history(server, attack):
    """Schema 0012: once completed, a handover's status and date, and its
    items but the follow-ups, stay as they were."""
    _ready_to_complete(server)
    with server.login("P1") as p1:
        _complete_as_the_app_does(p1, server.ids)
        assert attempt(p1, SETTLED[attack].format(**server.ids)) == RAISES
        # the control: a follow-up item (due after completion) is still ticked
        assert rows(p1, "UPDATE handover_item SET done = true, done_on = '2026-12-20', done_by = 'P1'"
                        " WHERE due > '2026-12-14'"
                        " AND item_id NOT IN ('told', 'summary', 'read', 'three_way', 'review')"
                        " AND handover_id IN (SELECT h.id FROM handover h WHERE h.case_id = %s) RETURNING id",
                    server.ids["C2"])


def test_read_a_colleagues_actions_through_the_app(server):
    """Schema 0012 and storage.access.check_supervision_access: P2's actions
    are P2's and their lead's, in psql as in `caseload supervision action list`."""
    refused = server.cli("P1", "supervision", "action", "list", "P2")
    assert refused.exit_code == 2 and "only a team lead may read the supervision records of P2" in refused.output
    for who in ("P2", "L1"):
        listed = server.cli(who, "supervision", "action", "list", "P2", "--format", "json")
        assert listed.exit_code == 0 and json.loads(listed.output)["actions"], (who, listed.output)


def test_control_the_apps_own_writes_pass_on_the_logins(server):
    """What schema 0012 holds a login to, the app does through the commands
    on the logins: a handover's summary, ticks with the person's view, a
    re-plan, a warm completion (the case moves in the same transaction), a
    follow-up ticked after it, a check-in, an action agreed and ticked."""
    def ok(who, *args):
        out = server.cli(who, *args)
        assert out.exit_code == 0, (who, args, out.output)
        return out.output

    ok("P1", "handover", "replan", "C2", "--on", "2026-12-16", "--as-of", "2026-12-01")
    ok("P1", "handover", "summary", "C2", "--text", "made-up summary")
    ok("P1", "handover", "tick", "C2", "told", "--view", "agrees", "--words", "fine by me", "--on", "2026-12-01")
    for item in ("summary", "carers_told", "read", "three_way", "booked"):
        ok("P1", "handover", "tick", "C2", item, "--on", "2026-12-10")
    ok("P1", "handover", "complete", "C2", "--on", "2026-12-16", "--as-of", "2026-12-16")
    ok("P2", "handover", "tick", "C2", "first_contact", "--on", "2026-12-18")  # follow-ups, after it
    ok("P2", "handover", "tick", "C2", "review", "--view", "concerns", "--words", "made-up", "--on", "2027-01-11")
    assert server.owner("SELECT h.status, h.completed_on, p.practitioner_id, a.start_date FROM handover h"
                        " JOIN allocation a ON a.case_id = h.case_id AND a.end_date IS NULL"
                        " JOIN practitioner p ON p.id = a.practitioner_pk WHERE h.case_id = :c",
                        c=server.ids["C2"]) == [("completed_warm", date(2026, 12, 16), "P2", date(2026, 12, 16))]
    ok("P1", "checkin", "C2", "--listened", "3", "--goals", "4", "--trust", "5", "--on", "2026-11-25")
    action = ok("L1", "supervision", "action", "add", "made-up", "--due", "2026-12-01", "--owner", "P2",
                "--session", str(server.ids["S2"])).strip()
    ok("P2", "supervision", "action", "done", action, "--on", "2026-12-02")


def test_control_every_column_of_every_table_has_a_rule_and_the_database_keeps_it(server):
    """storage.access.COLUMN_RULES names a rule for every column of every
    table (a column added by a migration without one fails here), and the
    database enforces it: what an UPDATE may change is exactly the columns
    whose rule is free or a lead's (schema 0007's triggers), every table a
    practitioner's login may write has that trigger, and the read-only and
    hidden ones have no write grant."""
    from storage.access import COLUMN_RULES, changeable_columns

    columns = server.owner("SELECT table_name, column_name FROM information_schema.columns"
                           " WHERE table_schema = current_schema()")
    assert {(t, c) for t, c in columns} == {(t, c) for t, rules in COLUMN_RULES.items() for c in rules}
    triggers = dict(server.owner(
        "SELECT c.relname, t.tgargs FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid"
        " WHERE t.tgname = 'guard_columns' AND c.relnamespace = current_schema()::regnamespace"))
    writable = {t for (t,) in server.owner(
        "SELECT DISTINCT table_name FROM information_schema.column_privileges WHERE grantee = :role"
        " AND table_schema = current_schema() AND privilege_type IN ('INSERT', 'UPDATE')", role=PRACTITIONER_ROLE)}
    assert set(triggers) == writable == {t for t in COLUMN_RULES if changeable_columns(t)}
    for table, args in triggers.items():
        assert set(bytes(args).decode().rstrip("\0").split("\0")) == changeable_columns(table), table
    for table, rules in COLUMN_RULES.items():
        if set(rules.values()) <= {"read", "hidden"}:
            assert table not in writable, table


RRULES = ("FREQ=WEEKLY;COUNT=4", "RRULE:FREQ=WEEKLY;BYDAY=MO,TH", "freq=monthly;byday=-1fr;until=20271231",
          "FREQ=MONTHLY;BYMONTHDAY=-31,15", "FREQ=DAILY;INTERVAL=3;UNTIL=20270301T093000",
          "FREQ=MONTHLY;BYDAY=MO;BYSETPOS=1", "FREQ=WEEKLY;WKST=SU;BYDAY=SU", "FREQ=YEARLY;BYMONTH=3;BYMONTHDAY=2",
          "FREQ=SECONDLY", "FREQ=HOURLY;COUNT=3", "COUNT=3", "", "  ", "FREQ=WEEKLY;;", "FREQ=WEEKLY;COUNT",
          "FREQ=WEEKLY;FREQ=DAILY", "FREQ=WEEKLY;BYHOUR=9", "FREQ=WEEKLY;X-NAME=1", "FREQ=FORTNIGHTLY",
          "FREQ=WEEKLY;COUNT=0", "FREQ=WEEKLY;COUNT=1001", "FREQ=WEEKLY;INTERVAL=401", "FREQ=WEEKLY;INTERVAL=2,3",
          "FREQ=WEEKLY;COUNT=3;UNTIL=20271231", "FREQ=DAILY;UNTIL=20270230", "FREQ=DAILY;UNTIL=2027-12-31",
          "FREQ=DAILY;UNTIL=20271231T246000", "FREQ=WEEKLY;BYDAY=2MO", "FREQ=MONTHLY;BYDAY=6MO",
          "FREQ=YEARLY;BYDAY=54MO", "FREQ=MONTHLY;BYDAY=0MO", "FREQ=WEEKLY;BYDAY=MON", "FREQ=MONTHLY;BYMONTHDAY=0",
          "FREQ=MONTHLY;BYMONTHDAY=32", "FREQ=YEARLY;BYMONTH=13", "FREQ=WEEKLY;WKST=XX",
          "DTSTART:20261201\nRRULE:FREQ=WEEKLY", "FREQ=WEEKLY;BYSETPOS=367")


def test_write_an_appointment_series_is_refused_as_the_app_refuses_it(server):
    """A rule written in psql (by a practitioner's login, or the owner's) is
    refused by the database exactly when the app's grammar refuses it
    (planner.recurrence.parse); the rules here are ones whose calendar
    checks (planner.recurrence.check) do not come into it."""
    from planner.recurrence import RuleError, check

    verdicts = {}
    with server.login("P1") as p1:
        for n, rule in enumerate(RRULES):
            start = date(2026, 12, 2) + timedelta(days=n)  # one appointment a day (a natural key)
            try:
                check(rule, start)
                app = "booked"
            except RuleError:
                app = "refused"
            got = attempt(p1, "INSERT INTO appointment (version, case_id, appointment_date, practitioner_pk, kind,"
                              " rrule) VALUES (1, %s, %s, %s, 'office', %s) RETURNING id",
                          server.ids["C2"], start, server.ids["P1"], rule)
            verdicts[rule] = (app, "refused" if got == RAISES else "booked")
    assert {rule: v for rule, v in verdicts.items() if v[0] != v[1]} == {}
    assert sum(v[0] == "booked" for v in verdicts.values()) == 8


# ============================================================================ the audit trail

AUDIT = {
    "insert an event by hand": ("INSERT INTO audit_event (at, actor, action, entity, entity_key)"
                                " VALUES (now(), 'L1', 'override', 'handover', '1') RETURNING id"),
    "log as another practitioner": "SELECT caseload_audit('L1', 'note', 'case', 'C2', 'C2', NULL)",
    "forge a database write": "SELECT caseload_audit('P1', 'db_write', 'case', 'C2', 'C2', NULL)",
    "log on another team's case": "SELECT caseload_audit('P1', 'note', 'case', 'C3', 'C3', NULL)",
    "rewrite an event": "UPDATE audit_event SET actor = 'P2' RETURNING id",
    "delete the trail": "DELETE FROM audit_event RETURNING id",
    "truncate the trail": "TRUNCATE audit_event",
}


@pytest.mark.parametrize("attack", sorted(AUDIT))
def test_audit_cannot_be_forged_or_changed(server, attack):
    before = audit_rows(server)
    with server.login("P1") as p1:
        assert attempt(p1, AUDIT[attack]) == RAISES
    assert audit_rows(server) == before


def test_audit_every_direct_write_is_recorded_with_the_login_and_no_values(server):
    """A practitioner in psql deletes their case's appointments and renames
    it: each row is in the trail (login, table, key, columns), never the values."""
    with server.login("P1") as p1:
        appointments = rows(p1, "DELETE FROM appointment WHERE case_id = %s RETURNING id", server.ids["C2"])
        rows(p1, "UPDATE \"case\" SET display_name = 'Zed Madeup-Secret' WHERE case_ref = 'C2' RETURNING id")
        rows(p1, "SELECT caseload_audit('P1', 'note', 'case', 'C2', 'C2', NULL)")  # allowed: its own, stamped
    written = server.owner(
        "SELECT actor, login, entity, entity_key, case_ref, detail FROM audit_event"
        " WHERE action = 'db_write' ORDER BY id")
    login = server.logins["P1"]
    assert [(w[0], w[1], w[2], w[4]) for w in written] == (
        [("P1", login, "appointment", "C2")] * len(appointments) + [("P1", login, "case", "C2")])
    assert {w[3] for w in written[:-1]} == {str(a[0]) for a in appointments} and appointments
    assert json.loads(written[-1][5]) == {"op": "update", "columns": ["display_name"]}
    assert all("Zed" not in (w[5] or "") for w in written)
    assert server.owner("SELECT login FROM audit_event WHERE action = 'note'") == [(login,)]


# ============================================================================ identity


def test_identity_a_login_cannot_act_as_someone_else(server):
    before = audit_rows(server)
    refused = server.cli("P1", "--as", "L1", "handover", "tick", "C2", "told")
    assert refused.exit_code == 2, refused.output
    assert refused.output.strip().splitlines() == [
        f"caseload: --as L1: the database login {server.logins['P1']} is P1's and acts only as P1; "
        "leave out --as (or use the login of L1)"]
    assert audit_rows(server) == before


def test_identity_without_as_a_login_is_its_practitioner_not_the_administrator(server, tmp_path):
    out = server.cli("P1", "handover", "tick", "C2", "told", "--view", "agrees", "--words", "fine")
    assert out.exit_code == 0, out.output
    assert server.owner("SELECT actor, login FROM audit_event WHERE action = 'tick'") == [
        ("P1", server.logins["P1"])]
    for args, refusal in [
        (["rebalance", "--team", "T1", "--apply"], "P1 is not a team lead"),
        (["import", str(tmp_path / "x.csv")], "only the administrator may import"),
        (["backup", str(tmp_path)], "only the administrator may take a backup"),
        (["server", "add-login", "P2", "--login", "x_y"], "only the administrator may create logins"),
        (["handover", "complete", "C2", "--override-reason", "x"], "P1 is not a team lead"),
    ]:
        (tmp_path / "x.csv").write_text("case_ref,display_name,practitioner_id,allocated_on\n")
        result = server.cli("P1", *args)
        assert result.exit_code == 2 and refusal in result.output, (args, result.output)
    exported = server.cli("P1", "export", str(tmp_path / "out"))
    assert exported.exit_code == 0, exported.output
    cases = (tmp_path / "out" / "cases.csv").read_text()
    assert "C1" in cases and "C2" in cases and "C3" not in cases
    assert "P4" not in (tmp_path / "out" / "practitioners.csv").read_text()


def test_identity_a_login_of_no_practitioner_is_refused(server):
    extra = server.logins["P1"].replace("p1_", "extra_")
    with server.engine.connect() as conn:
        conn.execute(text(f'CREATE ROLE "{extra}" LOGIN IN ROLE {PRACTITIONER_ROLE}'))
        conn.commit()
    server.logins["extra"] = extra
    result = server.cli("extra", "warnings")
    assert result.exit_code == 2
    assert result.output.strip() == (
        f"caseload: the database login {extra} is not a practitioner's (caseload server add-login) and does "
        "not own the caseload tables; ask the administrator for a login")


# ============================================================================ a cross-team handover


def test_handover_to_another_team_locks_nobody_out(server):
    """C1 (team T1, held by P2) is handed to P3 of team T2: until it
    completes both teams see it, nobody meets a missing practitioner, and
    the receiver works on it; once complete, it is T2's alone."""
    from storage.queries import load_cases, load_world

    with Session(server.engine) as s:
        repo.plan_handover(s, case_ref="C1", to_practitioner_id="P3", planned_on=date(2026, 12, 14), actor="admin",
                           as_of=date(2026, 12, 1))
        repo.commit_or_conflict(s)
    for who in ("P1", "P2", "L1", "P3"):  # both teams, through the app's own loaders and commands
        engine = make_engine(login_url(server.url, server.logins[who]), create=False)
        try:
            with Session(engine) as s:
                assert "C1" in {c.case_ref for c in load_cases(s)}, who
                assert {"P2", "P3"} <= set(load_world(s).practitioners), who
        finally:
            engine.dispose()
        listed = server.cli(who, "warnings", "--format", "json")
        assert listed.exit_code == 0, (who, listed.output)
        shown = server.cli(who, "handover", "show", "C1", "--format", "json")
        assert shown.exit_code == 0 and json.loads(shown.output)["to"] == "P3", (who, shown.output)
    ticked = server.cli("P3", "handover", "tick", "C1", "read", "--on", "2026-12-10")
    assert ticked.exit_code == 0, ticked.output
    done = server.cli("L1", "handover", "complete", "C1", "--on", "2026-12-14", "--as-of", "2026-12-14",
                      "--override-reason", "moved")
    assert done.exit_code == 0, done.output
    with server.login("P3") as p3, server.login("P2") as p2:
        assert rows(p3, "SELECT count(*) FROM \"case\" WHERE case_ref = 'C1'") == [(1,)]
        assert rows(p2, "SELECT count(*) FROM \"case\" WHERE case_ref = 'C1'") == [(0,)]


# ============================================================================ logins the administrator creates

ROLES = {
    "BYPASSRLS": "BYPASSRLS",
    "CREATEROLE": "CREATEROLE",
    "SUPERUSER": "SUPERUSER",
    "a member of the owner": "IN ROLE {owner}",
}


@pytest.mark.parametrize("power", sorted(ROLES))
def test_admin_a_powerful_role_is_not_made_a_practitioners_login(server, power):
    owner = server.owner("SELECT tableowner FROM pg_tables WHERE tablename = 'case'"
                         " AND schemaname = current_schema()")[0][0]
    role = server.logins["P1"].replace("p1_", "extra_")
    server.logins["extra"] = role
    with server.engine.connect() as conn:
        conn.execute(text(f'CREATE ROLE "{role}" LOGIN {ROLES[power].format(owner=owner)}'))
        conn.commit()
    result = server.cli(None, "server", "add-login", "P2", "--login", role)
    assert result.exit_code == 2, result.output
    assert "give the practitioner a login of their own" in result.output
    assert len(result.output.strip().splitlines()) == 1
    assert server.owner("SELECT count(*) FROM db_login WHERE login_name = :r", r=role) == [(0,)]


def test_admin_the_group_role_is_not_a_login(server):
    result = server.cli(None, "server", "add-login", "P2", "--login", PRACTITIONER_ROLE)
    assert result.exit_code == 2, result.output
    assert "is the group role every practitioner login belongs to" in result.output


# ============================================================================ counts for the README


KINDS = ("definer", "read", "write", "audit", "identity", "handover", "admin")  # test_<kind>_...; test_control_ aside
_TESTS = [name for name in globals() if name.startswith("test_")]


def attack_counts() -> dict[str, int]:
    """Attack tests by kind (README "Team server"): a parametrised test counts once per attack."""
    tables = {"read_is_refused": READS, "write_is_refused": WRITES, "write_by_a_lead_is_refused": LEAD_WRITES,
              "write_a_completed_handover_is_history": SETTLED,
              "audit_cannot_be_forged_or_changed": AUDIT,
              "admin_a_powerful_role_is_not_made_a_practitioners_login": ROLES}
    kinds = dict.fromkeys(KINDS, 0)
    for name in _TESTS:
        kind = name.split("_")[1]
        if kind in kinds:
            kinds[kind] += len(tables.get(name[len("test_"):], [None]))
    return kinds


if __name__ == "__main__":  # pragma: no cover - `python -m tests.storage.test_pg_attacks`
    counts = attack_counts()
    print(", ".join(f"{kind} {n}" for kind, n in counts.items()), f"= {sum(counts.values())}")

if not PG_URL:  # no server given: nothing to collect (never a skip); `.ci/run` always sets it
    for _name in [n for n in globals() if n.startswith("test_")]:
        del globals()[_name]
