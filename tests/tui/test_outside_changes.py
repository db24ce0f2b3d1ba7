"""Changes made outside the open app, by another program or machine, reach it
at the next poll (README, "The app"): an import, which writes practitioners,
absences and files as well as cases, made by the administrator (import is
theirs alone: README "Team server") while a practitioner has the app open. The app's own writes never count as someone else's. The poll is
called directly: no timers, no sleeping."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tests.tui.helpers import AS_OF, find_case, settle
from tests.tui.test_access_app import notices, poll
from tui.app import UPDATED
from tui.screens.caseload import CaseloadScreen

ROOT = Path(__file__).resolve().parents[2]


def caseload_import(engine, csv: Path) -> None:
    """`caseload import CSV` by the administrator, in a process of its own."""
    url = engine.url.render_as_string(hide_password=False)
    done = subprocess.run([sys.executable, "-c", "from tui.cli import main; main()", "--db", url,
                           "import", str(csv)],
                          capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert done.returncode == 0, done.stderr


async def test_an_import_from_another_process_reaches_the_open_app(make_app, sample_engine, tmp_path):
    pid, _ref = find_case(sample_engine, AS_OF, "contact_overdue")
    absences = tmp_path / "absences.csv"
    absences.write_text(f"practitioner_id,start_date,end_date,kind\n{pid},2026-12-14,2026-12-18,training\n")
    app = make_app(pid)
    async with app.run_test(size=(120, 40)) as pilot:
        home = await settle(pilot, CaseloadScreen)
        await poll(pilot)
        assert home.loads == 1 and UPDATED not in notices(app)
        caseload_import(sample_engine, absences)  # the administrator, in another terminal
        await poll(pilot)
        await settle(pilot, CaseloadScreen, after=1)
        assert UPDATED in notices(app) and home.loads == 2
        await poll(pilot)  # seen once
        assert home.loads == 2


async def test_the_apps_own_writes_without_a_case_are_not_someone_elses(make_app, sample_engine):
    """(Its writes about a case: tests/tui/test_access_app.py.)"""
    pid, _ref = find_case(sample_engine, AS_OF, "contact_overdue")
    app = make_app(pid)
    async with app.run_test(size=(120, 40)) as pilot:
        home = await settle(pilot, CaseloadScreen)
        app.gateway.write_export(Path(app.state_file).with_name("week.ics"), b"BEGIN:VCALENDAR\r\n", entity="week",
                                 key=f"{pid}/2026-11-23")  # an audit event with no case
        await poll(pilot)
        assert home.loads == 1 and UPDATED not in notices(app)
