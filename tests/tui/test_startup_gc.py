"""The `caseload` entry point (tui.startup) pauses garbage collection for
start-up; the app resumes it once the first caseload is painted, every other
command as soon as the command line is parsed. All of it is
storage/collector.py's, on the main thread only, behind one switch."""

from __future__ import annotations

import gc
import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from tests.tui.helpers import settle
from storage import collector
from tui.cli import main
from tui.screens.caseload import CaseloadScreen


@pytest.fixture
def paused():
    """Start-up as the entry point begins it; afterwards, collection on and
    nothing left frozen in the test process."""
    collector.pause_for_startup()
    assert not gc.isenabled()
    try:
        yield
    finally:
        collector.reset_for_tests()


async def test_the_app_resumes_collection_once_its_caseload_is_painted(make_app, paused):
    app = make_app("E1-02")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot, CaseloadScreen)
        assert app.first_paint_seconds is not None
        assert gc.isenabled()
        assert gc.get_freeze_count() > 0  # what start-up built is out of the collector's way


def test_other_commands_resume_collection_at_once(sample_path, paused, monkeypatch):
    import storage.db.drift

    seen = {}

    def spy(*_args, **_kwargs):
        seen["enabled"] = gc.isenabled()
        return []

    monkeypatch.setattr(storage.db.drift, "check_on", spy)  # what `caseload check` runs (tui/cli/admin.py)
    result = CliRunner().invoke(main, ["--db", str(sample_path), "check"])
    assert result.exit_code == 0, result.output
    assert seen == {"enabled": True}


def test_resume_without_pause_changes_nothing():
    assert gc.isenabled()
    before = gc.get_freeze_count()
    collector.resume()
    assert gc.isenabled() and gc.get_freeze_count() == before


async def test_the_rest_of_the_first_load_is_frozen_once_done(make_app, paused, monkeypatch):
    """A long caseload's other rows and the ticks written after the paint come
    after `resume`'s freeze: they are frozen once the first load is done
    (the first tick sync), and only then."""
    calls = []
    freeze = collector.freeze_loaded
    monkeypatch.setattr(collector, "freeze_loaded", lambda: (calls.append(gc.get_freeze_count()), freeze()))
    app = make_app("E1-01")  # a team lead: the team's rows, first screenful first
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await settle(pilot, CaseloadScreen)
        await app.workers.wait_for_complete()
        assert len(calls) == 1 and gc.get_freeze_count() > calls[0]  # more frozen than at the paint
        loads = screen.loads
        await pilot.press("R")
        await settle(pilot, CaseloadScreen, after=loads)
        await app.workers.wait_for_complete()
        assert len(calls) == 1  # a reload is not start-up


def test_freeze_loaded_leaves_other_processes_alone():
    before = gc.get_freeze_count()
    kept = [[object()] for _ in range(100)]
    collector.freeze_loaded()  # no entry-point start-up in this process
    assert gc.get_freeze_count() == before and kept


def test_worker_threads_never_toggle_the_collector():
    import threading

    seen = []

    def worker():
        collector.pause_for_startup()
        with collector.paused():
            seen.append(gc.isenabled())
        collector.no_collection_at_exit()

    thread = threading.Thread(target=worker)
    thread.start()
    thread.join()
    assert seen == [True] and gc.isenabled() and not collector._paused


def test_the_switch_leaves_the_collector_alone(monkeypatch):
    monkeypatch.setattr(collector, "TUNED", False)
    collector.pause_for_startup()
    with collector.paused():
        assert gc.isenabled()
    assert not collector._paused


def test_loaders_pause_collection_on_the_main_thread():
    with collector.paused():
        assert not gc.isenabled()
    assert gc.isenabled()


EXIT_PROBE = """
import atexit, gc, sys
atexit.register(lambda: print("left to collect at exit:", len(gc.get_objects())))  # runs last (atexit is LIFO)
from tui.startup import main
main(sys.argv[1:])
"""


def test_a_write_closes_its_database_and_skips_the_last_collection(sample_path, tmp_path):
    """`Ctx.write` (tui/cli/base.py): the engine's connections are closed
    when the write is done (SQLite's log folded into the file: no -wal left
    beside it), and the process exits without walking SQLAlchemy's objects
    once more."""
    import shutil
    import subprocess
    import sys

    db = tmp_path / "write.db"
    shutil.copyfile(sample_path, db)
    db.chmod(0o600)
    done = subprocess.run([sys.executable, "-c", EXIT_PROBE, "--db", str(db), "--as", "N1-02", "week", "--suggest",
                           "--week-of", "2026-12-21", "--on", "2026-12-18", "--apply"],
                          capture_output=True, text=True, check=False, env={**os.environ, "HOME": str(tmp_path)},
                          cwd=Path(__file__).resolve().parents[2])
    assert done.returncode == 0, done.stderr
    assert "booked " in done.stdout
    last = done.stdout.splitlines()[-1]
    assert last.startswith("left to collect at exit: ") and int(last.rsplit(" ", 1)[1]) < 1000, last  # 38,000 unfrozen
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith("write.db")) == ["write.db"]
