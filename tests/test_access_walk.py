"""Every command and every screen action, walked as a practitioner of
another team (README "Team server"; storage/access/ is the one place that
decides).

YJS-E1's practitioner E1-02 aims each at team NPS-N1 in a private copy of
the shipped sample: on SQLite signed in with `--as E1-02`; on PostgreSQL
with E1-02's own login and no `--as` at all. Each is refused with exit
status 2 and one line (or, for a read of the whole database, shows nothing
of NPS-N1), and nothing is written. Both walks check that they cover every
command of the command line and every function the screens call, so a new
one cannot be added without being walked.

NPS-N1 in the sample: lead N1-01, cases NG...; NG1007 has an open handover
N1-03 -> N1-09, NG1009 a planned one N1-03 -> N1-07; N1-02 has supervision
session 1 (led by N1-01) and actions 1-4.
"""

from __future__ import annotations

import inspect
import json
import uuid
from datetime import date
from types import SimpleNamespace

import click
import pytest
from click.testing import CliRunner
from sqlalchemy import text

from planner.errors import CaseloadError
from tests.storage.team_helpers import drop_logins, login_url, sample_engine
from tui.cli import main

ON = "2026-11-27"
DAY = date(2026, 11, 27)
# YJS-E1's children handed over to NPS-N1 at 18 (storage/sample/transitions.py)
# name their receivers: both teams see those cases until the handovers
# complete (§9), so these two of NPS-N1 show (test_the_receivers_are_the_transitions_).
RECEIVERS = ("N1-02", "N1-07")
OTHER = ("NG", *(f"N1-{n:02d}" for n in range(1, 11) if f"N1-{n:02d}" not in RECEIVERS))  # must never show
# On PostgreSQL E1-02's login also reads the rows of NPS-N1's practitioners
# but its lead (YJS-E1's transition team, schema 0011: whom a child's
# transition may go to); never NPS-N1's cases, nor its lead.
PG_OTHER = ("NG", "N1-01")

# --------------------------------------------------------------------------- the command line

# Refused outright: exit status 2, one line, nothing written.
REFUSED = {
    "appointment cancel": ["appointment", "cancel", "{ng_series}", "--by", "practitioner", "--occurrence",
                           "2026-12-08"],
    "appointment move": ["appointment", "move", "{ng_series}", "--to", "2026-12-10", "--occurrence", "2026-12-08"],
    "appointment outcome": ["appointment", "outcome", "{ng_series}", "--outcome", "attended", "--occurrence",
                            "2026-12-01", "--on", "2026-12-02"],
    "audit": ["audit", "--case", "NG1007"],
    "backup": ["backup", "{tmp}"],
    "checkin": ["checkin", "NG1009", "--listened", "3", "--goals", "3", "--trust", "3", "--on", ON],
    "copy": ["copy", "--to", "{tmp}/copy.db"],
    "handover complete": ["handover", "complete", "NG1009", "--on", ON, "--override-reason", "x"],
    "handover departures": ["handover", "departures", "N1-03", "--on", ON],
    "handover list": ["handover", "list", "--team", "NPS-N1", "--on", ON],
    "handover plan": ["handover", "plan", "NG1009", "--to", "N1-05", "--on", "2026-12-14", "--as-of", ON],
    "handover replan": ["handover", "replan", "NG1009", "--on", "2026-12-15", "--as-of", ON],
    "handover review": ["handover", "review", "NG1007", "--note", "made-up", "--on", ON],
    "handover summary": ["handover", "summary", "NG1009", "--text", "made-up"],
    "handover show": ["handover", "show", "NG1007", "--on", ON],
    "handover tick": ["handover", "tick", "NG1009", "told", "--view", "agrees", "--words", "made-up",
                      "--on", ON],
    "import": ["import", "{tmp}/cases.csv"],
    "init": ["init"],
    "rebalance": ["rebalance", "--team", "NPS-N1", "--on", ON, "--apply"],
    "report": ["report", "--team", "NPS-N1", "--on", ON],
    "restore": ["restore", "{tmp}/cases.csv"],
    "server add-login": ["server", "add-login", "N1-02", "--login", "n1_walk"],
    "server logins": ["server", "logins"],
    "supervision action add": ["supervision", "action", "add", "made-up", "--due", ON, "--owner", "N1-02"],
    "supervision action done": ["supervision", "action", "done", "1", "--on", ON],
    "supervision action list": ["supervision", "action", "list", "N1-02"],
    "supervision end": ["supervision", "end", "{session}"],
    "supervision export": ["supervision", "export", "N1-02"],
    "supervision flag": ["supervision", "flag", "{session}", "NG1002"],
    "supervision list": ["supervision", "list", "N1-02"],
    "supervision note": ["supervision", "note", "{session}", "NG1002", "made-up"],
    "supervision pin": ["supervision", "pin", "{session}", "NG1002", "alliance.goals"],
    "supervision prompts": ["supervision", "prompts", "NG1007"],
    "supervision queue": ["supervision", "queue", "{session}"],
    "supervision review": ["supervision", "review", "{session}", "NG1002"],
    "supervision start": ["supervision", "start", "N1-02", "--on", ON],
    "team link": ["team", "link", "NPS-N1", "--none"],
    "warnings": ["warnings", "--team", "NPS-N1", "--on", ON],
    "week": ["week", "--practitioner", "N1-02", "--week-of", ON],
}
# Reads of the whole database: they run, and show nothing of NPS-N1.
SCOPED = {
    "audit": ["audit", "--format", "json"],
    "export": ["export", "{tmp}/out", "--format", "json"],
    "warnings": ["warnings", "--on", ON, "--format", "json"],
    "handover list": ["handover", "list", "--on", ON, "--format", "json"],
    "check": ["check"],
}
# Not walked, and why.
NOT_WALKED = {
    "demo": "opens the app on a new copy of the shipped sample, not on this database (the app is walked below)",
}


def leaf_commands(group: click.Group, prefix: tuple[str, ...] = ()) -> set[str]:
    ctx = click.Context(group)
    out: set[str] = set()
    for name in group.list_commands(ctx):
        command = group.get_command(ctx, name)
        if isinstance(command, click.Group):
            out |= leaf_commands(command, (*prefix, name))
        else:
            out.add(" ".join((*prefix, name)))
    return out


def test_the_receivers_are_the_transitions_():
    import sqlite3

    from storage.sample import shipped_sample_path

    con = sqlite3.connect(f"{shipped_sample_path().as_uri()}?mode=ro", uri=True)
    try:
        found = {pid for (pid,) in con.execute(
            'SELECT DISTINCT p.practitioner_id FROM handover h JOIN "case" c ON c.id = h.case_id'
            " JOIN practitioner p ON p.id = h.to_practitioner_pk"
            " WHERE h.status IN ('planned', 'in_progress') AND c.case_ref LIKE 'EB%' AND p.practitioner_id LIKE 'N1-%'")}
    finally:
        con.close()
    assert found == set(RECEIVERS)


def test_the_walk_covers_every_command():
    assert leaf_commands(main) == set(REFUSED) | set(SCOPED) | set(NOT_WALKED)


@pytest.fixture
def walker(db_url, tmp_path):
    """How E1-02 reaches the database: (--db and --as arguments, owner engine).
    N1-02 gets an open supervision session (the sample's have ended)."""
    from sqlmodel import Session

    from storage.repo import commit_or_conflict
    from storage.supervision import start_session

    engine = sample_engine(db_url, tmp_path)
    with Session(engine) as s:
        start_session(s, practitioner_id="N1-02", lead_id="N1-01", on=DAY, actor="N1-01")
        commit_or_conflict(s)
    (tmp_path / "cases.csv").write_text("case_ref,display_name,practitioner_id,allocated_on\n"
                                        f"NG1002,Made Up,E1-02,{ON}\n")
    if engine.dialect.name == "sqlite":
        yield ["--db", str(engine.url.database), "--as", "E1-02"], engine
        engine.dispose()
        return
    from storage.serverops import add_login

    login = f"e1_02_{uuid.uuid4().hex[:8]}"
    add_login(engine, practitioner_id="E1-02", login=login, password="made-up-secret-1", actor="admin")
    try:
        yield ["--db", login_url(db_url, login)], engine
    finally:
        engine.dispose()
        drop_logins(db_url, [login])


def snapshot(engine) -> dict:
    """Row counts and versions of every table: "nothing was written"."""
    from sqlmodel import SQLModel

    with engine.connect() as conn:
        out = {}
        for name, table in SQLModel.metadata.tables.items():
            cols = "count(*)" + (", sum(version)" if "version" in table.c else "")
            out[name] = tuple(conn.execute(text(f'SELECT {cols} FROM "{name}"')).one())
        return out


def open_session(engine) -> int:
    with engine.connect() as conn:
        return conn.execute(text("SELECT max(id) FROM supervision_session WHERE ended_at IS NULL")).scalar_one()


def ng_series(engine) -> int:
    """A weekly series of NPS-N1's (the other team's) from 2026-12-01."""
    with engine.connect() as conn:
        return conn.execute(text("SELECT min(a.id) FROM appointment a JOIN \"case\" c ON c.id = a.case_id"
                                 " WHERE c.case_ref LIKE 'NG%' AND a.rrule IS NOT NULL"
                                 " AND a.appointment_date = '2026-12-01'")).scalar_one()


def run(walker, tmp_path, args):
    prefix, engine = walker
    fill = {"{tmp}": str(tmp_path), "{session}": str(open_session(engine)), "{ng_series}": str(ng_series(engine))}
    return CliRunner().invoke(main, [*prefix, *(fill.get(a, a).replace("{tmp}", str(tmp_path)) for a in args)])


@pytest.mark.parametrize("command", sorted(REFUSED))
def test_every_command_against_another_team_is_refused(walker, tmp_path, command):
    before = snapshot(walker[1])
    result = run(walker, tmp_path, REFUSED[command])
    assert result.exit_code == 2, (command, result.output)
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("caseload: ") and "Traceback" not in result.output, lines
    assert snapshot(walker[1]) == before


@pytest.mark.parametrize("command", sorted(SCOPED))
def test_every_whole_database_read_shows_nothing_of_another_team(walker, tmp_path, command):
    before = snapshot(walker[1])
    result = run(walker, tmp_path, SCOPED[command])
    assert result.exit_code == 0, (command, result.output)
    shown = result.output
    if command == "export":
        shown = (tmp_path / "out" / "caseload.json").read_text()
        assert '"EB' in shown  # the own team's cases are there
    assert not any(mark in shown for mark in OTHER), (command, shown[:2000])
    after = snapshot(walker[1])
    if command in ("export", "handover list"):  # an `export` event; ticks synced on the own cases
        after["audit_event"] = before["audit_event"]
        after["handover_item"], after["handover"] = before["handover_item"], before["handover"]
    assert after == before


# --------------------------------------------------------------------------- the screens


def _gateway(walker):
    """The app's Gateway as E1-02 signed in: `--as` on SQLite, the login on PostgreSQL."""
    from storage.engine import make_engine
    from tui.data import Gateway

    prefix, _ = walker
    engine = make_engine(prefix[1], create=False)
    return Gateway(engine, actor_id="E1-02", fixed=True), engine


def _ids(engine) -> SimpleNamespace:
    with engine.connect() as conn:
        one = lambda sql: conn.execute(text(sql)).scalar_one()  # noqa: E731
        return SimpleNamespace(
            appointment=one("SELECT min(a.id) FROM appointment a JOIN \"case\" c ON c.id = a.case_id"
                            " WHERE c.case_ref LIKE 'NG%'"),
            item=SimpleNamespace(item_id="told", version=1, done=False),
            session=open_session(engine),
            series=ng_series(engine),
            action=one("SELECT min(x.id) FROM action x JOIN practitioner p ON p.id = x.owner_pk"
                       " WHERE p.practitioner_id LIKE 'N1-%'"),
        )


def screen_actions(ids):
    """(name, call(gateway)) for every function a screen calls with a target;
    each aims at team NPS-N1."""
    from tui import continuity_data as cd
    from tui import handover_data as hd
    from tui import sentence_data as xd
    from tui import supervision_data as sd
    from tui import team_data as td

    me = "E1-02"
    return {
        # tui/data/gateway.py Gateway
        "Gateway.caseload": lambda g: g.caseload("N1-02", DAY),
        "Gateway.check_practitioner_visible": lambda g: g.check_practitioner_visible("N1-02"),
        "Gateway.case": lambda g: g.case("NG1007", DAY),
        "Gateway.week": lambda g: g.week("N1-02", DAY, DAY),
        "Gateway.record_contact": lambda g: g.record_contact(
            case_ref="NG1002", contact_date=DAY, practitioner_id="N1-02", kind="office", outcome="attended",
            notes=None, actor=me),
        "Gateway.record_checkin": lambda g: g.record_checkin(
            case_ref="NG1002", checkin_date=DAY, practitioner_id="N1-02", listened=3, goals=3, trust=3, words=None,
            actor=me),
        "Gateway.save_preferences": lambda g: g.save_preferences(
            case_ref="NG1002", language="Welsh", interpreter=True, not_with={"N1-05": "boundary"}, actor=me),
        "Gateway.book_appointment": lambda g: g.book_appointment(
            case_ref="NG1002", appointment_date=date(2026, 12, 2), practitioner_id="N1-02", actor=me),
        "Gateway.move_appointment": lambda g: g.move_appointment(
            appointment_id=ids.appointment, new_date=date(2026, 12, 30), expected_version=1, actor=me),
        "Gateway.cancel_appointment": lambda g: g.cancel_appointment(
            appointment_id=ids.series, cancelled_by="practitioner", occurrence=date(2026, 12, 8),
            expected_version=None, actor=me),
        "Gateway.record_outcome": lambda g: g.record_outcome(
            appointment_id=ids.series, outcome="attended", occurrence=date(2026, 12, 1), actor=me,
            as_of=date(2026, 12, 2)),
        "Gateway.same_time": lambda g: g.same_time("N1-02", date(2026, 12, 1), "10:00"),
        "Gateway.tick_action": lambda g: g.tick_action(action_id=ids.action, done=True, on=DAY, actor=me),
        "Gateway.book_proposals": lambda g: g.book_proposals(practitioner_id="N1-02", actor=me, proposals=[
            SimpleNamespace(case_ref="NG1002", day=date(2026, 12, 2), time=None, kind="office")]),
        "Gateway.suggest": lambda g: g.suggest(SimpleNamespace(
            plan=SimpleNamespace(practitioner_id="N1-02"), week_of=DAY, as_of=DAY)),
        "Gateway.add_case_note": lambda g: g.add_case_note(
            case_ref="NG1002", text="made-up", author_id=me, written_on=DAY, actor=me),
        "Gateway.plan_handover": lambda g: g.plan_handover(
            case_ref="NG1002", to_practitioner_id="E1-03", planned_on=date(2026, 12, 14), reason=None, actor=me,
            as_of=DAY),
        # tui/handover_data.py
        "handover_data.sync_team_ticks": lambda g: hd.sync_team_ticks(g, practitioner_id="N1-02", as_of=DAY,
                                                                      actor=me),
        "handover_data.handover_screen": lambda g: hd.handover_screen(g, "NG1007", DAY, actor=me),
        "handover_data.team_handovers": lambda g: hd.team_handovers(g, "N1-01", DAY),
        "handover_data.team_departures": lambda g: hd.team_departures(g, "N1-01", DAY),
        "handover_data.departures": lambda g: hd.departures(g, "N1-03", DAY),
        "handover_data.tick": lambda g: hd.tick(g, case_ref="NG1009", item=ids.item, on=DAY, actor=me),
        "handover_data.set_note": lambda g: hd.set_note(g, case_ref="NG1009", item=ids.item, note="x", on=DAY,
                                                        actor=me),
        "handover_data.save_summary": lambda g: hd.save_summary(g, case_ref="NG1009", text="x", version=1,
                                                                on=DAY, actor=me),
        "handover_data.book_three_way": lambda g: hd.book_three_way(g, case_ref="NG1009", day=date(2026, 12, 3),
                                                                    at=None, with_id="N1-07", actor=me),
        "handover_data.complete": lambda g: hd.complete(g, case_ref="NG1009", on=DAY, override_reason="x", as_of=DAY,
                                                        version=1, actor=me),
        "handover_data.cancel": lambda g: hd.cancel(g, case_ref="NG1009", version=1, on=DAY, actor=me),
        "handover_data.replan": lambda g: hd.replan(g, case_ref="NG1009", to_id=None, planned_on=date(2026, 12, 15),
                                                    override_reason=None, version=1, as_of=DAY, actor=me),
        "handover_data.review": lambda g: hd.review(g, case_ref="NG1007", note="made-up", on=DAY, actor=me),
        "handover_data.plan_all": lambda g: hd.plan_all(
            g, [SimpleNamespace(case_ref="NG1002", to_id="N1-05", planned_on=date(2026, 12, 14),
                                handover_reason=None)], as_of=DAY, actor=me),
        # tui/sentence_data.py
        "sentence_data.sentence_values": lambda g: xd.sentence_values(g, "NG1002"),
        "sentence_data.save_sentence": lambda g: xd.save_sentence(g, case_ref="NG1002", version=1,
                                                                  values={"rosh": "high"}, actor=me),
        "sentence_data.transition_receivers": lambda g: xd.transition_receivers(g, "NG1002"),
        # tui/supervision_data.py
        "supervision_data.candidates": lambda g: sd.candidates(g, "N1-01"),
        "supervision_data.open_session": lambda g: sd.open_session(g, "N1-02", "N1-01", DAY),
        "supervision_data.read_session": lambda g: sd.read_session(g, ids.session, "N1-01", DAY),
        "supervision_data.session_actions": lambda g: sd.session_actions(g, ids.session),
        "supervision_data.save_note": lambda g: sd.save_note(g, ids.session, "NG1002", "made-up",
                                                              expected_version=0, actor=me),
        "supervision_data.pin": lambda g: sd.pin(g, ids.session, "NG1002", "made-up", actor=me),
        "supervision_data.flag": lambda g: sd.flag(g, ids.session, "NG1002", True, actor=me),
        "supervision_data.review": lambda g: sd.review(g, ids.session, "NG1002", True, as_of=DAY, actor=me),
        "supervision_data.add_action": lambda g: sd.add_action(g, ids.session, case_ref=None, owner_id="N1-02",
                                                                text="made-up", due=DAY, actor=me),
        "supervision_data.end": lambda g: sd.end(g, ids.session, actor=me),
        "supervision_data.export": lambda g: sd.export(g, ids.session, ids.tmp / "record.md"),
        "supervision_data.earlier_sessions": lambda g: sd.earlier_sessions(g, "N1-02"),
        "supervision_data.record_markdown": lambda g: sd.record_markdown(g, ids.session),
        # tui/team_data.py
        "team_data.team_view": lambda g: td.team_view(g, "N1-01", DAY),
        # tui/continuity_data.py
        "continuity_data.continuity_view": lambda g: cd.continuity_view(g, "N1-01", DAY),
        "team_data.solve_rebalance": lambda g: td.solve_rebalance(g, "N1-01", DAY, time_limit=1.0),
        "team_data.apply_rebalance": lambda g: td.apply_rebalance(
            g, SimpleNamespace(team_id="NPS-N1", as_of=DAY, moves=(
                SimpleNamespace(case_ref="NG1002", from_id="N1-02", to_id="N1-05"),)), handover_on=None, actor=me),
    }


# Functions of those modules that take no team target, and why.
SCREEN_NOT_WALKED = {
    "Gateway.me": "who acts: the function the walk relies on",
    "Gateway.engine": "the database handle",
    "Gateway.reader": "the database handle",
    "Gateway.session": "the database handle",
    "Gateway.connection": "the database handle (a Core connection for one write)",
    "Gateway.write": "runs a storage write given to it, which checks access (walked as each named write above)",
    "Gateway.practitioners": "names for the owner's practitioner picker (offered only without signing in)",
    "Gateway.sync_handover_ticks": "sync_team_ticks for the screen's own practitioner (walked above)",
    "Gateway.week_ics": "turns a week already read into .ics",
    "Gateway.export_week_ics": "writes a week already read (checked when it was read) to a file",
    "Gateway.write_export": "writes bytes already read to a file, with its audit event",
    "Gateway.search_index": "walked on its own below (it has no target: it must hold nothing of the other team)",
    "Gateway.changes_since": "the change poll: an audit id and whether the own team changed",
    "handover_data.has_handover_to_show": "a test on a case already read",
    "handover_data.with_receiver": "a change to a row already read",
    "handover_data.with_date": "a change to a row already read",
    "handover_data.plan_summary": "counts of rows already read",
    "supervision_data.full_note": "text only",
    "supervision_data.default_export_path": "a file name",
    "supervision_data.action_text_limit": "a column width",
    "team_data.capacity_bar": "text only",
    "team_data.handover_date": "a date",
    "team_data.check_lead": "a role test (team_view and solve_rebalance call it; walked there)",
}


def _functions() -> set[str]:
    """The Gateway's methods and the public functions of every data-layer
    module beside it (`tui/*_data.py`, found on disk, so that a new module's
    functions fail the walk until walked or listed; docs/ARCHITECTURE.md
    "A new screen")."""
    import importlib
    from pathlib import Path

    from tui import data

    names = {f"Gateway.{n}" for n, _ in inspect.getmembers(data.Gateway) if not n.startswith("_")}
    for path in sorted((Path(data.__file__).parents[1]).glob("*_data.py")):
        label, module = path.stem, importlib.import_module(f"tui.{path.stem}")
        names |= {f"{label}.{n}" for n, f in vars(module).items()
                  if inspect.isfunction(f) and f.__module__ == module.__name__ and not n.startswith("_")}
    return names


def test_the_walk_covers_every_screen_function():
    actions = screen_actions(SimpleNamespace(appointment=0, item=None, tmp=None, series=0, action=0))
    assert _functions() == set(actions) | set(SCREEN_NOT_WALKED)


def test_every_screen_action_against_another_team_is_refused(walker, tmp_path):
    """Refused (CaseloadError, one line), or, where the database hides the
    target from the login altogether, given back with nothing of it."""
    gateway, engine = _gateway(walker)
    ids = _ids(walker[1])
    ids.tmp = tmp_path
    before = snapshot(walker[1])
    allowed = []
    try:
        for name, call in screen_actions(ids).items():
            try:
                got = call(gateway)
            except CaseloadError as refused:
                assert "\n" not in str(refused), (name, str(refused))
            else:
                if engine.dialect.name == "sqlite" or any(mark in repr(got) for mark in PG_OTHER):
                    allowed.append(name)
        entries = gateway.search_index()
    finally:
        engine.dispose()
    assert allowed == []
    assert snapshot(walker[1]) == before
    assert not (tmp_path / "record.md").exists()
    shown = [e.key for e in entries]
    assert shown and not [key for key in shown if key.startswith(OTHER)]


def test_the_administrator_is_not_refused_the_same_reads(tmp_path):
    """The walk's refusals come from who acts, not from broken commands: the
    owner of the file (no `--as`) reads the same targets."""
    from storage.sample import shipped_sample_path

    db = tmp_path / "sample.db"
    db.write_bytes(shipped_sample_path().read_bytes())
    for args in (REFUSED["handover show"], REFUSED["supervision list"], REFUSED["week"], REFUSED["warnings"]):
        result = CliRunner().invoke(main, ["--db", str(db), *args])
        assert result.exit_code == 0, (args, result.output)
    everything = json.loads(CliRunner().invoke(main, ["--db", str(db), *SCOPED["warnings"]]).output)
    assert any(w["case_ref"].startswith("NG") for w in everything["warnings"])
