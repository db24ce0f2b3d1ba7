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


def test_the_command_starts_the_read_before_the_app_and_hands_it_over(sample_path, monkeypatch):
    """`caseload --as ID` starts the first read and gives it to the app it builds."""
    from click.testing import CliRunner

    import tui.app
    import tui.data
    from tui.cli import main

    started, built = [], {}

    def start(cls, gateway, practitioner_id, as_of):
        started.append((practitioner_id, as_of, "tui.app" in sys.modules and tui.app.CaseloadApp.ran))
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
    assert started == [("E1-02", AS_OF, False)]  # before the app ran
    assert built["first_read"] == "the first read" and built["practitioner_id"] == "E1-02"
