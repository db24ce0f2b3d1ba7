"""`caseload supervision ...`: the whole supervision flow scripted from the
command line, its record, and its actions in `caseload week`. In-process
through click's runner, on SQLite and (with CASELOAD_TEST_PG_URL) PostgreSQL."""

from __future__ import annotations

import json
import stat
from datetime import date

import pytest
from click.testing import CliRunner
from sqlmodel import Session, select

from storage import models as m
from tui.cli import main

D = date.fromisoformat
NOTE = "Dana Example has started a new job; evening appointments only."


@pytest.fixture
def db(engine, db_url):
    """Team T1: P1, P2 practitioners, L1 team lead. P1 holds C1 (adult, last
    seen 2026-10-01: contact overdue) and C2 (a child); P2 holds C3."""
    with Session(engine) as s:
        t1 = m.Team(team_id="T1", name="North Team")
        s.add(t1)
        s.flush()
        people = {
            pid: m.Practitioner(practitioner_id=pid, name=name, team_pk=t1.id, role=role)
            for pid, name, role in [
                ("P1", "Avery Test", "practitioner"),
                ("P2", "Blake Test", "practitioner"),
                ("L1", "Drew Lead", "team_lead"),
            ]
        }
        s.add_all(people.values())
        s.flush()
        for ref, name, youth, pid, start, seen in [
            ("C1", "Dana Example", False, "P1", "2026-01-05", "2026-10-01"),
            ("C2", "Eli Sample", True, "P1", "2026-10-19", "2026-11-20"),
            ("C3", "Fay Placeholder", False, "P2", "2025-06-02", "2026-11-20"),
        ]:
            case = m.Case(case_ref=ref, display_name=name, team_pk=t1.id, youth=youth)
            s.add(case)
            s.flush()
            s.add(m.Allocation(case_id=case.id, practitioner_pk=people[pid].id, start_date=D(start)))
            s.add(m.Contact(case_id=case.id, practitioner_pk=people[pid].id, contact_date=D(seen)))
        s.commit()
    return db_url


def cli(db: str, *args: str, input: str | None = None, ok: bool = True):
    result = CliRunner().invoke(main, ["--db", db, *args], input=input)
    if ok:
        assert result.exit_code == 0, (result.output, result.stderr, result.exception)
    return result


def refused(db: str, *args: str) -> str:
    result = cli(db, *args, ok=False)
    assert result.exit_code != 0
    assert "Traceback" not in result.output + result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    return lines[0]


def test_a_supervision_session_scripted_end_to_end(db, engine, tmp_path):
    assert "P2 is not a team lead" in refused(db, "--as", "P2", "supervision", "start", "P1")
    assert "give --as" in refused(db, "supervision", "start", "P1")

    sid = cli(db, "--as", "L1", "supervision", "start", "P1", "--on", "2026-11-27").output.strip()
    assert sid.isdigit()
    lead = ["--as", "L1", "supervision"]
    assert "saved (version" in cli(db, *lead, "note", sid, "C1", NOTE).output
    assert cli(db, *lead, "pin", sid, "C1", "alliance.goals").output.strip() == "pinned alliance.goals to C1"
    cli(db, *lead, "pin", sid, "C2", "relationship_model.creating_safety")
    cli(db, *lead, "flag", sid, "C2")
    cli(db, *lead, "review", sid, "C1")
    action = cli(db, *lead, "action", "add", "Book an evening appointment", "--session", sid,
                 "--case", "C1", "--due", "2026-12-02").output.strip()
    lead_action = cli(db, *lead, "action", "add", "Ask duty to cover Thursday", "--session", sid,
                      "--owner", "L1", "--due", "2026-12-03").output.strip()
    assert action.isdigit() and lead_action.isdigit()

    queue = json.loads(cli(db, *lead, "queue", sid, "--format", "json").output)
    assert [(q["case_ref"], q["band"], q["reviewed"], q["flagged"]) for q in queue["queue"]] == [
        ("C2", "flagged", False, True), ("C1", "risk", True, False),
    ]
    assert queue["progress"]["text"] == "1 of 2 reviewed, 0 high-risk left"
    assert "1 of 2 reviewed, 0 high-risk left" in cli(db, *lead, "queue", sid).output

    assert cli(db, *lead, "end", sid).output.strip() == f"session {sid} ended"
    assert f"session {sid} has ended" in refused(db, *lead, "note", sid, "C1", "too late")

    listed = json.loads(cli(db, "supervision", "list", "P1", "--format", "json").output)
    [summary] = listed["sessions"]
    assert (summary["session_id"], summary["lead_id"], summary["cases_discussed"], summary["reviewed"],
            summary["flagged"], summary["actions"], summary["open_actions"]) == (int(sid), "L1", 2, 1, 1, 2, 2)
    assert summary["ended_at"] is not None
    table = cli(db, "supervision", "list", "P1").output
    assert "SESSION" in table and "ended" in table and "2 (2 open)" in table

    out = tmp_path / "record.md"
    assert cli(db, "supervision", "export", "P1", "--output", str(out)).output.strip() == f"wrote {out}"
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    md = out.read_text()
    assert md == cli(db, "supervision", "export", "P1", "--session", sid, "--format", "md").output
    assert md.startswith("# Supervision record: Avery Test (P1), Friday 27 November 2026")
    assert "- **Team lead:** Drew Lead (L1)" in md
    c1 = md.split("### C1: Dana Example")[1].split("###")[0]
    assert "- **Reviewed:** yes" in c1
    assert "**HIGH** Not seen for 57 days" in c1 and "(`contact_overdue`)" in c1
    assert "**Action:** book a contact by" in c1  # what to do, in the record
    assert f"> {NOTE}" in c1
    assert "- Working alliance, Goals: " in c1
    assert f"- [ ] Book an evening appointment — owner Avery Test (P1), due Wed 2 Dec 2026 (action #{action})" in c1
    c2 = md.split("### C2: Eli Sample (youth)")[1].split("## All actions")[0]
    assert "- **Flagged for discussion:** yes" in c2
    assert "not recorded (the case was not marked reviewed)" in c2
    assert "- Relationship Model (youth justice), Creating safety: " in c2
    everything = md.split("## All actions agreed")[1]
    assert f"| {lead_action} | Ask duty to cover Thursday | - | Drew Lead (L1) | 2026-12-03 | open |" in everything
    assert "## Sign-off" in md

    private = cli(db, "supervision", "export", "P1", "--privacy").output
    for name in ("Dana Example", "Eli Sample", "Avery Test", "Drew Lead"):
        assert name not in private
    assert "### C1: D.E." in private and "# Supervision record: A.T. (P1)" in private

    with Session(engine) as s:
        trail = [(e.action, e.entity) for e in s.exec(select(m.AuditEvent).order_by(m.AuditEvent.id))]
    assert trail == [
        ("start", "supervision_session"),
        ("save", "supervision_note"),
        ("pin_prompt", "supervision_note"),
        ("pin_prompt", "supervision_note"),
        ("flag", "supervision_note"),
        ("review", "supervision_note"),
        ("add", "action"),
        ("add", "action"),
        ("end", "supervision_session"),
        ("export", "supervision_session"),  # --output, then twice to standard output
        ("export", "supervision_session"),
        ("export", "supervision_session"),
    ]


def _week_actions(db: str) -> list[dict]:
    """The action entries of P1's week of 30 Nov 2026 (days and catch-up)."""
    plan = json.loads(cli(db, "week", "--practitioner", "P1", "--week-of", "2026-11-30",
                          "--on", "2026-11-27", "--format", "json").output)
    entries = [e for day in plan["days"] for e in day["entries"]] + plan["catch_up"]
    return [e for e in entries if e["kind"] == "action"]


def test_an_action_agreed_in_supervision_shows_in_week_and_is_ticked_off_there(db):
    sid = cli(db, "--as", "L1", "supervision", "start", "P1", "--on", "2026-11-27").output.strip()
    aid = cli(db, "--as", "L1", "supervision", "action", "add", "Three-way with the AP keyworker",
              "--session", sid, "--case", "C1", "--due", "2026-12-01").output.strip()
    [entry] = _week_actions(db)
    assert (entry["action_id"], entry["case_ref"], entry["day"], entry["title"]) == (
        int(aid), "C1", "2026-12-01", "Three-way with the AP keyworker")
    assert aid in cli(db, "supervision", "action", "list", "P1").output

    assert cli(db, "--as", "P1", "supervision", "action", "done", aid, "--on", "2026-11-30").output.strip() == (
        f"action {aid} done")
    assert _week_actions(db) == []
    assert "No open actions for P1." in cli(db, "supervision", "action", "list", "P1").output
    done = json.loads(cli(db, "supervision", "action", "list", "P1", "--all", "--format", "json").output)
    assert [(a["action_id"], a["done"]) for a in done["actions"]] == [(int(aid), True)]

    cli(db, "--as", "P1", "supervision", "action", "done", aid, "--undo")
    assert [e["action_id"] for e in _week_actions(db)] == [int(aid)]
    # an action outside a session needs an owner
    assert "give --owner" in refused(db, "supervision", "action", "add", "x", "--due", "2026-12-01")
    assert "unknown action 999" in refused(db, "supervision", "action", "done", "999")


def test_prompts_listing_follows_the_case_and_a_service_file(db, tmp_path):
    adult = json.loads(cli(db, "supervision", "prompts", "C1", "--format", "json").output)
    child = json.loads(cli(db, "supervision", "prompts", "C2", "--format", "json").output)
    assert [g["id"] for g in adult["groups"]] == ["six_elements", "alliance", "relational_security",
                                                  "core_correctional"]
    assert [g["id"] for g in child["groups"]] == ["six_elements", "alliance", "relationship_model",
                                                  "relational_security", "ideas", "youth_frameworks",
                                                  "what_children_said"]
    text = cli(db, "supervision", "prompts").output
    assert "Relationship Model (youth justice) [youth only]" in text
    assert "six_elements.empowerment: " in text

    bad = tmp_path / "ours.toml"
    bad.write_text('[[groups]]\nid = "x"\ntitle = "X"\nsource = "S"\ncolour = "red"\n')
    message = refused(db, "supervision", "prompts", "--prompts", str(bad))
    assert message.startswith(f"caseload: {bad}: groups[0].colour: unknown key")

    good = tmp_path / "good.toml"
    good.write_text('[[groups]]\nid = "ours"\ntitle = "Ours"\nsource = "S"\n'
                    '[[groups.prompts]]\nid = "hope"\ntext = "What gives them hope?"\n')
    sid = cli(db, "--as", "L1", "supervision", "start", "P1").output.strip()
    cli(db, "--as", "L1", "supervision", "pin", sid, "C1", "ours.hope", "--prompts", str(good))
    assert "unknown prompt 'alliance.nope'" in refused(db, "--as", "L1", "supervision", "pin", sid, "C1", "alliance.nope")
    md = cli(db, "supervision", "export", "P1").output
    assert "- Ours, Hope: What gives them hope?" in md


def test_notes_from_standard_input_and_stale_versions(db):
    sid = cli(db, "--as", "L1", "supervision", "start", "P1").output.strip()
    out = cli(db, "--as", "L1", "supervision", "note", sid, "C1", "-", input="Line one\nLine two\n").output
    version = int(out.split("version ")[1].rstrip(")\n"))
    cli(db, "--as", "L1", "supervision", "note", sid, "C1", "Second", "--expected-version", str(version))
    message = refused(db, "--as", "L1", "supervision", "note", sid, "C1", "Third", "--expected-version", str(version))
    assert "changed by someone else" in message and "nothing was saved" in message
    md = cli(db, "supervision", "export", "P1").output
    assert "> Second" in md and "Third" not in md


def test_export_errors_are_one_line(db):
    assert "P1 has no supervision sessions yet" in refused(db, "supervision", "export", "P1")
    sid = cli(db, "--as", "L1", "supervision", "start", "P2").output.strip()
    assert f"supervision session {sid} is not P1's" in refused(db, "supervision", "export", "P1", "--session", sid)
    assert "unknown supervision session 999" in refused(db, "supervision", "export", "P2", "--session", "999")
    assert "unknown practitioner P9" in refused(db, "supervision", "list", "P9")
