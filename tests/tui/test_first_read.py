"""The first caseload is read from the app's construction on (tui.app.FirstRead),
and the caseload screen shows that read rather than reading again."""

from __future__ import annotations

import sys
import threading


from tests.tui.helpers import AS_OF, rows_of, settle
from tui.data import Gateway
from tui.screens.caseload import CaseloadScreen
from tui.screens.picker.practitioner_picker import PractitionerPicker
from tui.widgets.case_table import CaseTable


def counting_reads(monkeypatch) -> list[tuple[str | None, object]]:
    """Record every Gateway.caseload call (practitioner, thread name)."""
    calls: list = []
    read = Gateway.caseload

    def caseload(self, practitioner_id, as_of):
        calls.append((practitioner_id, threading.current_thread().name))
        return read(self, practitioner_id, as_of)

    monkeypatch.setattr(Gateway, "caseload", caseload)
    return calls


async def test_the_screen_shows_the_read_started_with_the_app(make_app, monkeypatch):
    calls = counting_reads(monkeypatch)
    app = make_app("E1-02")
    assert calls == [] or calls[0][1] == "caseload-first-read"  # started, in its own thread
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await settle(pilot, CaseloadScreen)
        assert rows_of(screen.query_one(CaseTable)) == [r.case_ref for r in screen.view.rows]
        assert screen.view.rows
        assert calls == [("E1-02", "caseload-first-read")]  # one read, not two
        assert app.take_first_read("E1-02", AS_OF) is None  # taken once
        loads = screen.loads
        await pilot.press("R")  # a reload reads again, in the screen's worker
        await settle(pilot, CaseloadScreen, after=loads)
        assert len(calls) == 2 and calls[1][1] != "caseload-first-read"


async def test_no_first_read_without_a_practitioner(make_app, monkeypatch):
    calls = counting_reads(monkeypatch)
    app = make_app(None)  # no --as and nothing saved: the picker comes first
    assert app.take_first_read(None, AS_OF) is None
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, PractitionerPicker)
    assert all(thread != "caseload-first-read" for _pid, thread in calls)


async def test_a_failed_first_read_is_a_notice_not_a_crash(make_app, monkeypatch):
    def broken(self, practitioner_id, as_of):
        raise RuntimeError("Jane Doe's record")  # personal data that must not reach the screen

    monkeypatch.setattr(Gateway, "caseload", broken)
    app = make_app("E1-02")
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await settle(pilot, CaseloadScreen)
        summary = str(screen.query_one("#summary").render())
        assert "Could not read the database (RuntimeError)." in summary
        assert "Jane" not in summary
        assert app.is_running


async def test_a_first_read_of_another_caseload_is_not_used(make_app):
    app = make_app("E1-02")
    first = app._first_read
    assert first is not None and first.key == ("E1-02", AS_OF)
    assert app.take_first_read("E1-03", AS_OF) is None  # dropped, not handed to another caseload
    assert app.take_first_read("E1-02", AS_OF) is None
    first.result()  # the thread finishes on its own


# The `caseload` command reads the first caseload in a forked child (Linux,
# tui/data/forked_read.py): run in a fresh interpreter, as the command is,
# with no other thread about.
FORKED = """
import os, sys
from datetime import date
from storage.reader import Database
from tui.data import FirstRead, Gateway

mode = sys.argv[2]
parent = os.getpid()
read = Gateway.caseload

def caseload(self, practitioner_id, as_of):
    if mode == "child fails" and os.getpid() != parent:
        raise RuntimeError("in the child")
    if mode == "both fail":
        raise RuntimeError("the read's own error")
    return read(self, practitioner_id, as_of)

Gateway.caseload = caseload
gateway = Gateway(Database(sys.argv[1]))
first = FirstRead.start(gateway, "E1-02", date(2026, 11, 27), fork=True)
try:
    view = first.result()
except RuntimeError as exc:
    print("forked" if first.forked else "thread", "error", exc)
else:
    Gateway.caseload = read
    same = view == gateway.caseload("E1-02", date(2026, 11, 27))
    print("forked" if first.forked else "thread", len(view.rows), "same" if same else "different")
"""
WHERE = "forked" if sys.platform.startswith("linux") else "thread"  # the command forks on Linux only


def run_forked(sample_path, mode: str, **env: str) -> str:
    import os
    import subprocess
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    environ = {k: v for k, v in os.environ.items() if k != "CASELOAD_FIRST_READ"}
    done = subprocess.run([sys.executable, "-c", FORKED, str(sample_path), mode], cwd=root, capture_output=True,
                          text=True, timeout=60, env={**environ, "PYTHONPATH": str(root), **env})
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def test_the_command_reads_in_a_child_and_gets_the_same_view(sample_path):
    out = run_forked(sample_path, "ok").split()
    assert out[0] == WHERE and int(out[1]) > 0 and out[2] == "same"


def test_the_switch_reads_in_the_thread(sample_path):
    out = run_forked(sample_path, "ok", CASELOAD_FIRST_READ="thread").split()
    assert out[0] == "thread" and int(out[1]) > 0 and out[2] == "same"


def test_a_failing_child_is_read_again_in_the_thread(sample_path):
    out = run_forked(sample_path, "child fails").split()
    assert out[0] == WHERE and int(out[1]) > 0 and out[2] == "same"


def test_the_reads_own_error_reaches_the_screen(sample_path):
    assert run_forked(sample_path, "both fail") == f"{WHERE} error the read's own error"


def test_no_fork_for_a_database_given_as_an_engine(sample_engine):
    from storage.reader import Database
    from tui.data.forked_read import may_fork

    assert not may_fork(Gateway(Database(engine=sample_engine)))


def test_the_command_starts_the_read_before_the_app_and_hands_it_over(sample_path, monkeypatch):
    """`caseload --as ID` starts the first read and gives it to the app it builds."""
    from click.testing import CliRunner

    import tui.app
    import tui.data
    from tui.cli import main

    started, built = [], {}

    def start(cls, gateway, practitioner_id, as_of, *, fork=False):
        started.append((practitioner_id, as_of, fork, "tui.app" in sys.modules and tui.app.CaseloadApp.ran))
        return "the first read"

    class App:
        ran = False

        def __init__(self, database, **kwargs):
            built.update(kwargs)

        def run(self, **_kwargs):
            App.ran = True

        return_code = 0

    monkeypatch.setattr(tui.data.FirstRead, "start", classmethod(start))
    monkeypatch.setattr(tui.app, "CaseloadApp", App)
    result = CliRunner().invoke(main, ["--db", str(sample_path), "--as", "E1-02", "--on", "2026-11-27"])
    assert result.exit_code == 0, result.output
    assert started == [("E1-02", AS_OF, True, False)]  # forked where it may, before the app ran
    assert built["first_read"] == "the first read" and built["practitioner_id"] == "E1-02"
