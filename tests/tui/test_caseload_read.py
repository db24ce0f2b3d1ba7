"""The caseload screen's read (`Gateway.caseload`): through a lean
`storage.reader.Database` (sqlite3 / psycopg, no SQLAlchemy), with the
bounded contacts of `load_cases_for_warnings` and only the team's absences,
it gives exactly the rows of the full read through the engine."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import date, timedelta
from pathlib import Path

import pytest

from tests.tui.helpers import AS_OF

ROOT = Path(__file__).resolve().parents[2]


def _url(engine) -> str:
    return engine.url.render_as_string(hide_password=False)


def _full_view(gateway, practitioner_id: str, as_of: date):
    """The caseload as the app read it before: every contact, every absence."""
    from planner.handover import with_auto_ticks
    from planner.risk import evaluate, severity_counts
    from storage.queries import load_cases, load_world
    from tui.data import CaseloadView

    with gateway.session() as s:
        world = load_world(s)
        me = world.practitioners[practitioner_id]
        cases = load_cases(s, team_id=me.team_id) if me.is_lead else load_cases(s, practitioner_id=practitioner_id)
    policy = gateway.policy
    risks = evaluate(with_auto_ticks(cases, world, as_of, policy), world, as_of, policy)
    rows = tuple(gateway._row(r.case, tuple(r.warnings), r.score, as_of) for r in risks)
    points, available, pct = gateway._capacity(me, cases, world, as_of, me.is_lead)
    practitioners = tuple(sorted(world.practitioners.values(), key=lambda p: p.practitioner_id))
    return CaseloadView(as_of, me, practitioners, rows, severity_counts(w for r in rows for w in r.warnings),
                        pct, points, available, me.is_lead)


def test_lean_caseload_read_equals_the_full_read_for_everyone(sample_engine):
    from storage.reader import Database
    from tui.data import Gateway

    full = Gateway(sample_engine)
    lean = Gateway(Database(_url(sample_engine)))
    assert lean.database.kind in ("sqlite", "postgresql")  # not through the engine
    ids = [p.practitioner_id for p in full.practitioners()]
    assert len(ids) > 5
    compared = 0
    for as_of in (AS_OF, AS_OF + timedelta(days=45)):
        for pid in ids:
            expected = _full_view(full, pid, as_of)
            got = lean.caseload(pid, as_of)
            assert got.rows == expected.rows, (pid, as_of)
            assert got.counts == expected.counts
            assert (got.points, got.available, got.capacity_pct) == (
                expected.points, expected.available, expected.capacity_pct)
            assert got.practitioners == expected.practitioners
            compared += len(got.rows)
    assert compared > 100  # real caseloads, not empty ones


def test_lean_read_refuses_another_teams_caseload(sample_engine):
    from planner.errors import CaseloadError
    from storage.reader import Database
    from tui.data import Gateway

    gateway = Gateway(Database(_url(sample_engine)), actor_id="E1-02")
    others = [p for p in gateway.practitioners() if p.team_id != "YJS-E1"]
    assert others
    with pytest.raises(CaseloadError, match="cannot see"):
        gateway.caseload(others[0].practitioner_id, AS_OF)


def _run(code: str, *args: str) -> subprocess.CompletedProcess:
    env = dict(os.environ)
    env.pop("CASELOAD_DEBUG", None)
    return subprocess.run([sys.executable, "-c", code, *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=120)


def test_first_caseload_and_warnings_import_no_sqlalchemy(sample_path):
    """What start-up and `caseload warnings` gain depends on it: neither the
    app's first read nor the warnings command loads SQLAlchemy or SQLModel."""
    code = """
import sys
from datetime import date
from storage.reader import Database
from tui.app import CaseloadApp
from tui.data import Gateway
view = Gateway(Database(sys.argv[1])).caseload("E1-02", date(2026, 11, 27))
assert len(view.rows) > 5, len(view.rows)
from tui.cli import main
try:
    main(["--db", sys.argv[1], "warnings", "--on", "2026-11-27", "--format", "json"], prog_name="caseload")
except SystemExit as exit:
    assert not exit.code, exit.code
loaded = sorted(m for m in sys.modules if m.split(".")[0] in ("sqlalchemy", "sqlmodel", "pydantic", "alembic"))
print("LOADED", loaded, file=sys.stderr)
sys.exit(1 if loaded else 0)
"""
    result = _run(code, str(sample_path))
    assert result.returncode == 0, result.stderr[-2000:]
    assert '"warnings": [{' in result.stdout


def test_lean_reader_errors_name_the_file(tmp_path):
    from planner.errors import CaseloadError
    from storage.reader import Database

    missing = tmp_path / "nope.db"
    with pytest.raises(CaseloadError, match=f"no database at {missing}"):
        with Database(str(missing)).reader():
            pass
    junk = tmp_path / "junk.db"
    junk.write_bytes(b"this is not a database at all" * 100)
    with pytest.raises(CaseloadError, match="not a SQLite database"):
        database = Database(str(junk))
        with database.reader() as reader:
            database.check_ready(reader)
    empty = tmp_path / "empty.db"
    empty.touch()
    with pytest.raises(CaseloadError, match="is empty; run `caseload init`"):
        database = Database(str(empty))
        with database.reader() as reader:
            database.check_ready(reader)


def test_lean_reader_cannot_write(sample_path):
    import sqlite3

    from storage.reader import Database

    with Database(str(sample_path)).reader() as reader:
        with pytest.raises(sqlite3.OperationalError):
            reader.execute("DELETE FROM contact")
        assert reader.scalar("SELECT count(*) FROM contact") > 0


def test_resolve_target_matches_the_engine():
    from storage.engine import resolve_db
    from storage.reader import resolve_target

    assert resolve_target("/tmp/a b.db") == ("sqlite", "/tmp/a b.db")
    # A sqlite URL as storage.engine renders it (percent-encoded) comes back as the path.
    assert resolve_target(resolve_db("/tmp/a b%c#d.db")) == ("sqlite", "/tmp/a b%c#d.db")
    assert resolve_target("postgres://u@h:5433/db") == ("postgresql", "postgresql://u@h:5433/db")
    assert resolve_target("postgresql+psycopg://u@h/db") == ("postgresql", "postgresql://u@h/db")
    assert resolve_target("sqlite://")[0] == "other"  # in memory: only the engine opens it


async def test_the_app_on_a_database_reads_lean_and_writes_through_its_engine(sample_engine, tmp_path):
    """Opened as `caseload` opens it (a Database, no engine yet): the
    caseload is read through the lean reader, writes go through the engine
    the Database builds on first use, and the warning goes away."""
    from sqlalchemy import select

    from storage import models as m
    from storage.engine import session
    from storage.reader import Database
    from tests.tui.helpers import find_case, settle
    from tui.app import CaseloadApp
    from tui.screens.case import CaseScreen
    from tui.screens.caseload import CaseloadScreen
    from tui.screens.forms.checkin_form import CheckinForm
    from tui.screens.forms.contact_form import ContactForm

    pid, ref = find_case(sample_engine, AS_OF, "contact_overdue")
    database = Database(_url(sample_engine))
    app = CaseloadApp(database, practitioner_id=pid, as_of=AS_OF, state_file=tmp_path / "state.json")
    try:
        async with app.run_test(size=(120, 40)) as pilot:
            home = await settle(pilot, CaseloadScreen)
            assert any(r.case_ref == ref for r in home.view.rows)
            await pilot.press("slash", *ref.lower(), "enter", "enter")
            screen = await settle(pilot, CaseScreen)
            loads = screen.loads
            await pilot.press("c")
            assert isinstance(app.screen, ContactForm)
            await pilot.press("ctrl+s")
            await settle(pilot, CheckinForm)  # offered after an attended contact (docs/voice.md)
            await pilot.press("escape")
            await settle(pilot, CaseScreen, after=loads)
            assert database.has_engine
            await pilot.press("escape")
            home = await settle(pilot, CaseloadScreen, after=1)
            row = next(r for r in home.view.rows if r.case_ref == ref)
            assert not any(w.rule == "contact_overdue" for w in row.warnings)
    finally:
        database.dispose()
    with session(sample_engine) as s:
        case_id = s.execute(select(m.Case.id).where(m.Case.case_ref == ref)).scalar_one()
        assert s.execute(select(m.Contact.id).where(m.Contact.case_id == case_id,
                                                    m.Contact.contact_date == AS_OF)).first() is not None


def test_the_handover_form_offers_nobody_who_has_left(sample_engine):
    """The case view's receivers (the `h` form's list, tui/data/gateway.py)
    leave out whoever has left by the as-of date: the planning guards would
    refuse them on save. The sample's N1-10 left on 18 Nov; N1-03, still
    here until 18 Dec, is offered (the form's date may come before it)."""
    from storage.queries import load_cases
    from tui.data import Gateway

    gateway = Gateway(sample_engine)
    with gateway.session() as s:
        held = next(c for c in load_cases(s, team_id="NPS-N1") if c.practitioner_id not in ("N1-03", "N1-10"))
    offered = {pid for _label, pid in gateway.case(held.case_ref, AS_OF).receivers}
    assert "N1-03" in offered and "N1-10" not in offered
    assert "N1-10" in {pid for _label, pid in gateway.case(held.case_ref, date(2026, 11, 17)).receivers}
