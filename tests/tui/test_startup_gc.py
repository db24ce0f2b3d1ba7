"""The `caseload` entry point (tui.startup) pauses garbage collection for
start-up; the app resumes it once the first caseload is painted, every other
command as soon as the command line is parsed."""

from __future__ import annotations

import gc

import pytest
from click.testing import CliRunner

from tests.tui.helpers import settle
from tui import startup
from tui.cli import main
from tui.screens.caseload import CaseloadScreen


@pytest.fixture
def paused():
    """Start-up as the entry point begins it; afterwards, collection on and
    nothing left frozen in the test process."""
    startup.pause_gc()
    assert not gc.isenabled()
    try:
        yield
    finally:
        startup._paused = False
        gc.enable()
        gc.unfreeze()


async def test_the_app_resumes_collection_once_its_caseload_is_painted(make_app, paused):
    app = make_app("E1-02")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot, CaseloadScreen)
        assert app.first_paint_seconds is not None
        assert gc.isenabled()
        assert gc.get_freeze_count() > 0  # what start-up built is out of the collector's way


def test_other_commands_resume_collection_at_once(sample_path, paused, monkeypatch):
    import storage.db

    seen = {}

    def spy(*_args, **_kwargs):
        seen["enabled"] = gc.isenabled()
        return []

    monkeypatch.setattr(storage.db, "check_db", spy)
    result = CliRunner().invoke(main, ["--db", str(sample_path), "check"])
    assert result.exit_code == 0, result.output
    assert seen == {"enabled": True}


def test_resume_without_pause_changes_nothing():
    assert gc.isenabled()
    before = gc.get_freeze_count()
    startup.resume_gc()
    assert gc.isenabled() and gc.get_freeze_count() == before
