"""Access by team (issue 8) through the real commands, on a private copy of
the shipped sample (as of 2026-11-27): YJS-E1's practitioner E1-02 cannot
read or change NPS-N1's cases, handovers, weeks or supervision records; only
a team lead completes a handover with an override; with no `--as` (the OS
user on a personal file) everything stays visible.

Teams in the sample: NPS-N1 (lead N1-01, cases NG...), YJS-E1 (lead E1-01,
cases EB...). NG1007 has an open handover N1-03 -> N1-09, NG1009 a planned
one N1-03 -> N1-07 with every item open; N1-02 has supervision sessions."""

from __future__ import annotations

import json
import os
import shutil

import pytest
from click.testing import CliRunner

from storage.sample import shipped_sample_path
from tui.cli import main

ON = "2026-11-27"


@pytest.fixture
def db(tmp_path) -> str:
    dest = tmp_path / "sample.db"
    shutil.copy(shipped_sample_path(), dest)  # never the shipped file itself
    os.chmod(dest, 0o600)
    return str(dest)


def run(db: str, actor: str | None, *args: str):
    who = ["--as", actor] if actor else []
    return CliRunner().invoke(main, ["--db", db, *who, *args], catch_exceptions=False)


def ok(db: str, actor: str | None, *args: str) -> str:
    result = run(db, actor, *args)
    assert result.exit_code == 0, result.output
    return result.stdout


def refused(db: str, actor: str | None, *args: str) -> str:
    """The command fails with one line on stderr (no traceback); returns it."""
    result = run(db, actor, *args)
    assert result.exit_code == 2, result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in result.output, result.output
    return lines[0]


def team_cases(db: str, team_id: str) -> set[str]:
    from storage.access import case_team_id
    from storage.engine import make_engine, session
    from storage.queries import load_cases

    engine = make_engine(db)
    try:
        with session(engine) as s:
            return {c.case_ref for c in load_cases(s, include_closed=True)
                    if case_team_id(s, c.case_ref) == team_id}
    finally:
        engine.dispose()


def seen_by(db: str, actor_id: str) -> set[str]:
    """Every case `actor_id` sees (a colleague's restricted case is not among them, §11)."""
    from storage.access import resolve_actor, visible_case_refs
    from storage.engine import make_engine, session

    engine = make_engine(db)
    try:
        with session(engine) as s:
            return visible_case_refs(s, resolve_actor(s, actor_id))
    finally:
        engine.dispose()


def warned_cases(out: str) -> set[str]:
    return {w["case_ref"] for w in json.loads(out)["warnings"]}


# ----------------------------------------------------------------------------- reading


def test_a_practitioner_cannot_show_another_teams_handover(db):
    line = refused(db, "E1-02", "handover", "show", "NG1007", "--on", ON)
    assert "E1-02 is in team YJS-E1 and cannot see case NG1007 of team NPS-N1" in line
    refused(db, "E1-02", "handover", "show", "NG1007", "--on", ON, "--format", "json")
    # the case's own team, its receiver and the administrator do see it
    assert "NG1007" in ok(db, "N1-02", "handover", "show", "NG1007", "--on", ON)
    assert "NG1007" in ok(db, "N1-09", "handover", "show", "NG1007", "--on", ON)
    assert "NG1007" in ok(db, None, "handover", "show", "NG1007", "--on", ON)


def test_a_practitioner_cannot_list_another_teams_handovers(db):
    assert "cannot see team NPS-N1" in refused(db, "E1-02", "handover", "list", "--team", "NPS-N1", "--on", ON)
    assert "cannot see N1-03 of team NPS-N1" in refused(
        db, "E1-02", "handover", "list", "--practitioner", "N1-03", "--on", ON)
    listed = json.loads(ok(db, "E1-02", "handover", "list", "--on", ON, "--format", "json"))
    assert not [h for h in listed["handovers"] if h["case_ref"].startswith("NG")]
    everyone = json.loads(ok(db, None, "handover", "list", "--on", ON, "--format", "json"))
    assert [h for h in everyone["handovers"] if h["case_ref"].startswith("NG")]


def test_warnings_for_another_team_are_refused(db):
    line = refused(db, "E1-02", "warnings", "--team", "NPS-N1", "--on", ON)
    assert "E1-02 is in team YJS-E1 and cannot see team NPS-N1" in line
    assert "cannot see N1-02 of team NPS-N1" in refused(
        db, "E1-02", "warnings", "--practitioner", "N1-02", "--on", ON)


def test_warnings_without_a_scope_list_only_the_actors_team(db):
    mine = warned_cases(ok(db, "E1-02", "warnings", "--on", ON, "--format", "json"))
    e1, n1 = team_cases(db, "YJS-E1"), team_cases(db, "NPS-N1")
    assert mine and mine <= e1
    # the administrator (no --as) still sees every team's warnings
    everyone = warned_cases(ok(db, None, "warnings", "--on", ON, "--format", "json"))
    assert everyone & n1 and everyone & e1
    assert mine == everyone & e1 & seen_by(db, "E1-02")


def test_a_practitioner_cannot_see_another_teams_week(db):
    line = refused(db, "E1-02", "week", "--practitioner", "N1-02", "--week-of", ON)
    assert "E1-02 is in team YJS-E1 and cannot see N1-02 of team NPS-N1" in line
    assert "Week of" in ok(db, "E1-02", "week", "--practitioner", "E1-03", "--week-of", ON)
    assert "Week of" in ok(db, None, "week", "--practitioner", "N1-02", "--week-of", ON)


def test_supervision_records_are_for_the_practitioner_and_their_lead(db):
    line = refused(db, "E1-02", "supervision", "export", "N1-02")
    assert "E1-02 is not a team lead: only a team lead may read the supervision records of N1-02" in line
    assert "only its lead may read" in refused(db, "E1-01", "supervision", "export", "N1-02")
    refused(db, "N1-03", "supervision", "list", "N1-02")
    assert "Supervision" in ok(db, "N1-02", "supervision", "export", "N1-02")  # their own
    assert "Supervision" in ok(db, "N1-01", "supervision", "export", "N1-02")  # their lead
    assert "Supervision" in ok(db, None, "supervision", "export", "N1-02")  # the administrator


def test_a_rebalance_preview_is_for_the_own_team(db):
    assert "cannot see team NPS-N1" in refused(db, "E1-02", "rebalance", "--team", "NPS-N1", "--on", ON)


# ----------------------------------------------------------------------------- changing


def test_a_practitioner_cannot_tick_another_teams_handover(db):
    line = refused(db, "E1-02", "handover", "tick", "NG1009", "read", "--on", ON)
    assert "cannot see case NG1009" in line
    view = json.loads(ok(db, "N1-01", "handover", "show", "NG1009", "--on", ON, "--format", "json"))
    assert not next(i for i in view["items"] if i["id"] == "read")["done"]  # nothing was written
    # the outgoing practitioner of the same team can
    assert "has read the record and the summary' of NG1009" in ok(
        db, "N1-03", "handover", "tick", "NG1009", "read", "--on", ON)


def test_only_a_team_lead_completes_with_an_override(db):
    args = ("handover", "complete", "NG1009", "--on", ON, "--override-reason", "leaving early")
    line = refused(db, "N1-03", *args)
    assert "N1-03 is not a team lead: only a team lead may complete the handover of case NG1009" in line
    assert "cannot see case NG1009" in refused(db, "E1-01", *args)  # a lead, of another team
    assert "N1-07 is not a team lead" in refused(db, "N1-07", *args)  # the receiver
    out = ok(db, "N1-01", *args)
    assert "completed handover 3 of NG1009 (COLD): N1-07 holds the case" in out
    assert "override recorded" in out


# ----------------------------------------------------------------------------- supervision queue, actions, prompts


def test_a_supervision_queue_is_for_the_practitioner_and_their_lead(db):
    # session 1 is N1-02's (led by N1-01)
    line = refused(db, "E1-02", "supervision", "queue", "1")
    assert "E1-02 is not a team lead: only a team lead may read the supervision records of N1-02" in line
    assert "only its lead may read" in refused(db, "E1-01", "supervision", "queue", "1", "--format", "json")
    refused(db, "N1-03", "supervision", "queue", "1")  # a colleague is not their lead
    for who in ("N1-02", "N1-01", None):
        assert json.loads(ok(db, who, "supervision", "queue", "1", "--format", "json"))["session_id"] == 1
    assert "unknown supervision session 99" in refused(db, "E1-02", "supervision", "queue", "99")


def test_a_practitioner_cannot_list_another_teams_actions(db):
    line = refused(db, "E1-02", "supervision", "action", "list", "N1-02")
    assert "E1-02 is in team YJS-E1 and cannot see N1-02 of team NPS-N1" in line
    refused(db, "E1-01", "supervision", "action", "list", "N1-02", "--all", "--format", "json")
    # a colleague does not (schema 0012): the owner's supervision record is theirs and their lead's
    line = refused(db, "N1-03", "supervision", "action", "list", "N1-02")
    assert "N1-03 is not a team lead: only a team lead may read the supervision records of N1-02" in line
    for who in ("N1-02", "N1-01", None):  # the owner, their team's lead, the administrator
        listed = json.loads(ok(db, who, "supervision", "action", "list", "N1-02", "--all", "--format", "json"))
        assert listed["actions"]
    assert json.loads(ok(db, "E1-02", "supervision", "action", "list", "E1-02", "--all",
                         "--format", "json"))["actions"]


def test_a_colleagues_week_leaves_their_supervision_actions_out(db):
    """N1-02's week has their open actions for the owner and the lead; a
    colleague who opens it (to cover) sees the appointments, not the actions
    (schema 0012's `action` policy holds a login to the same)."""
    def actions(who: str | None) -> list:
        week = json.loads(ok(db, who, "week", "--practitioner", "N1-02", "--week-of", "2026-11-30",
                             "--format", "json"))
        return [e for day in week["days"] for e in day["entries"] if e["kind"] == "action"]

    assert actions("N1-02") and actions("N1-01") == actions("N1-02") == actions(None)
    assert actions("N1-03") == []


def test_prompts_for_another_teams_case_are_refused(db):
    line = refused(db, "E1-02", "supervision", "prompts", "NG1007")
    assert "E1-02 is in team YJS-E1 and cannot see case NG1007 of team NPS-N1" in line
    for who in ("N1-02", "N1-09", None):  # its team, its receiver, the administrator
        assert json.loads(ok(db, who, "supervision", "prompts", "NG1007", "--format", "json"))["groups"]
    assert json.loads(ok(db, "E1-02", "supervision", "prompts", "--format", "json"))["groups"]  # no case: all


# ----------------------------------------------------------------------------- departures


def test_a_practitioner_cannot_plan_another_teams_departures(db):
    line = refused(db, "E1-02", "handover", "departures", "N1-03", "--on", ON)
    assert "E1-02 is in team YJS-E1 and cannot see N1-03 of team NPS-N1" in line
    assert "cannot see N1-03" in refused(db, "E1-01", "handover", "departures", "N1-03", "--on", ON, "--apply")
    assert "unknown practitioner NOPE" in refused(db, "E1-02", "handover", "departures", "NOPE", "--on", ON)
    # the own team sees the list, but only its lead applies it
    listing = json.loads(ok(db, "N1-02", "handover", "departures", "N1-03", "--on", ON, "--format", "json"))
    assert listing["cases"] and listing["planned"] == []
    line = refused(db, "N1-02", "handover", "departures", "N1-03", "--on", ON, "--apply")
    assert "N1-02 is not a team lead: only a team lead may plan the handovers of N1-03's cases" in line
    assert json.loads(ok(db, "N1-02", "handover", "departures", "N1-03", "--on", ON,
                         "--format", "json"))["planned"] == []  # nothing was written
    applied = json.loads(ok(db, "N1-01", "handover", "departures", "N1-03", "--on", ON, "--apply",
                            "--format", "json"))
    assert applied["planned"]


# ----------------------------------------------------------------------------- auto ticks


def _three_way_for_ng1009(db: str) -> None:
    """An attended three-way meeting recorded by NG1009's incoming N1-07 two
    days ago: its `three_way` item ticks itself at the next sync."""
    import sqlite3

    con = sqlite3.connect(db)
    try:
        con.execute(
            "INSERT INTO contact (version, case_id, contact_date, practitioner_pk, kind, outcome) "
            "SELECT 1, c.id, '2026-11-25', p.id, 'three_way', 'attended' FROM \"case\" c, practitioner p "
            "WHERE c.case_ref = 'NG1009' AND p.practitioner_id = 'N1-07'")
        con.commit()
    finally:
        con.close()


def _auto_ticks(db: str) -> list[tuple[str, str]]:
    import sqlite3

    con = sqlite3.connect(db)
    try:
        return con.execute("SELECT actor, case_ref FROM audit_event WHERE action = 'auto_tick'").fetchall()
    finally:
        con.close()


@pytest.mark.parametrize("command", [
    ("handover", "list", "--on", ON),
    ("handover", "departures", "E1-03", "--on", ON),
])
def test_another_teams_handovers_do_not_tick_under_a_practitioners_name(db, command):
    _three_way_for_ng1009(db)
    ok(db, "E1-02", *command)
    assert _auto_ticks(db) == []  # NG1009 is NPS-N1's: E1-02 does not write into it
    view = json.loads(ok(db, None, "handover", "show", "NG1009", "--on", ON, "--format", "json"))
    assert next(i for i in view["items"] if i["id"] == "three_way")["done"]  # the sync of `show`
    assert [ref for _, ref in _auto_ticks(db)] == ["NG1009"]


@pytest.mark.parametrize("actor", ["N1-02", None])
def test_the_own_team_and_the_administrator_sync_the_ticks(db, actor):
    ok(db, actor, "handover", "list", "--on", ON)
    before = {ref for _, ref in _auto_ticks(db)}  # what the sample's own records tick
    assert "NG1009" not in before
    _three_way_for_ng1009(db)
    ok(db, actor, "handover", "list", "--on", ON)
    assert {ref for _, ref in _auto_ticks(db)} == before | {"NG1009"}


# ----------------------------------------------------------------------------- supervision scope (schema 0004's rules too)


def _open_session(db: str, practitioner: str = "N1-02", lead: str = "N1-01") -> str:
    return ok(db, lead, "supervision", "start", practitioner, "--on", ON).strip()


def test_a_lead_writes_supervision_only_on_their_own_teams_cases(db):
    sid = _open_session(db)
    for args in (("note", sid, "EB2008", "made-up"), ("review", sid, "EB2008"), ("flag", sid, "EB2008"),
                 ("pin", sid, "EB2008", "alliance.goals")):
        line = refused(db, "N1-01", "supervision", *args)
        assert "case EB2008 is not a case of team NPS-N1" in line, line
    assert "NG1002 reviewed" in ok(db, "N1-01", "supervision", "review", sid, "NG1002")


def test_only_the_lead_writes_the_supervision_record(db):
    sid = _open_session(db)
    line = refused(db, "N1-02", "supervision", "note", sid, "NG1002", "my own words")
    assert "N1-02 cannot write notes in their own supervision; their team lead does" in line
    assert "N1-03 is not a team lead" in refused(db, "N1-03", "supervision", "note", sid, "NG1002", "x")
    assert "N1-03 is not a team lead" in refused(db, "N1-03", "supervision", "end", sid)
    assert "ended" in ok(db, "N1-01", "supervision", "end", sid)


def test_an_action_is_ticked_by_its_owner_or_their_lead(db):
    # action 1 is N1-02's (the sample)
    line = refused(db, "N1-03", "supervision", "action", "done", "1", "--on", ON)
    assert "N1-03 is not a team lead: only a team lead may tick off action 1 of N1-02" in line
    assert "only its lead may" in refused(db, "E1-01", "supervision", "action", "done", "1", "--on", ON)
    assert "action 1 done" in ok(db, "N1-02", "supervision", "action", "done", "1", "--on", ON)
    assert "action 1 reopened" in ok(db, "N1-01", "supervision", "action", "done", "1", "--undo")
    # agreeing one: for oneself, or the lead for the team
    assert ok(db, "N1-03", "supervision", "action", "add", "made-up", "--due", ON, "--owner", "N1-03").strip()
    line = refused(db, "N1-03", "supervision", "action", "add", "made-up", "--due", ON, "--owner", "N1-02")
    assert "only a team lead may agree an action for N1-02" in line


# ----------------------------------------------------------------------------- import, export, the audit trail


def test_a_practitioner_cannot_promote_themselves_by_import(db, tmp_path):
    people = tmp_path / "practitioners.csv"
    people.write_text("practitioner_id,name,team_id,role,grade\nN1-02,Made Up,NPS-N1,team_lead,SPO\n")
    line = refused(db, "N1-02", "import", str(people))
    assert line.startswith("caseload: only the administrator may import CSV files, not N1-02")
    assert "N1-02 is not a team lead" in refused(db, "N1-02", "rebalance", "--team", "NPS-N1", "--on", ON,
                                                 "--apply")


def incoming(db: str) -> set[str]:
    """YJS-E1's cases with an open handover to an NPS-N1 practitioner, read
    with plain SQL (storage/sample/transitions.py plans them)."""
    import sqlite3

    with sqlite3.connect(db) as connection:
        rows = connection.execute(
            """SELECT c.case_ref FROM "case" c JOIN team ct ON ct.id = c.team_pk
               JOIN handover h ON h.case_id = c.id
               JOIN practitioner p ON p.id = h.to_practitioner_pk JOIN team pt ON pt.id = p.team_pk
               WHERE ct.team_id = 'YJS-E1' AND pt.team_id = 'NPS-N1'
                 AND h.status IN ('planned', 'in_progress')""").fetchall()
    return {ref for (ref,) in rows}


def test_an_export_holds_only_what_the_actor_sees(db, tmp_path):
    ok(db, "N1-02", "export", str(tmp_path / "n1"))
    cases = (tmp_path / "n1" / "cases.csv").read_text()
    # of YJS-E1's, only the children handed over to NPS-N1 at 18 (storage/sample/transitions.py):
    # both teams see them until the handovers complete
    assert "NG1002" in cases and "EB2008" not in cases
    expected = incoming(db)
    assert len(expected) >= 5, expected  # the sample's transitions at 18
    assert {line[:6] for line in cases.splitlines() if line.startswith("EB")} == expected
    assert "E1-0" not in (tmp_path / "n1" / "practitioners.csv").read_text()
    assert "E1-0" not in (tmp_path / "n1" / "absences.csv").read_text()
    ok(db, None, "export", str(tmp_path / "all"))
    assert "EB2" in (tmp_path / "all" / "cases.csv").read_text()


def test_events_of_no_case_are_read_by_the_actors_team_only(db):
    ok(db, "N1-01", "supervision", "start", "N1-09", "--on", ON)  # an event of no case, by NPS-N1's lead
    mine = json.loads(ok(db, "N1-02", "audit", "--format", "json"))["events"]
    theirs = json.loads(ok(db, "E1-02", "audit", "--format", "json"))["events"]
    assert [e["action"] for e in mine if e["case_ref"] is None] == ["start"]
    assert not [e for e in theirs if e["actor"].startswith("N1-")]
    assert mine[-1]["login"]  # who ran it on this machine (on PostgreSQL: the database login)


def test_a_lead_does_not_complete_a_restricted_case_s_handover_out_of_their_sight(db):
    """§11 and storage.access.check_allocate: completing a handover allocates
    the case to its receiver; for a restricted child's case handed to
    NPS-N1, YJS-E1's lead would no longer see it (not a lead of its new
    team, nor its receiver), as their login on the team server is refused
    (tests/storage/test_pg_transition.py): one line, exit 2, nothing
    written; the administrator completes it."""
    import sqlite3

    ref = sorted(incoming(db))[0]
    with sqlite3.connect(db) as connection:
        connection.execute('UPDATE "case" SET restricted = 1 WHERE case_ref = ?', (ref,))
    args = ("handover", "complete", ref, "--on", ON, "--override-reason", "moved area")
    line = refused(db, "E1-01", *args)
    assert line.startswith(f"caseload: case {ref} is restricted: E1-01 would no longer see it once allocated to N1-"), line
    assert ref in incoming(db)  # still open
    assert "N1-" in ok(db, None, *args)
    assert ref not in incoming(db)
