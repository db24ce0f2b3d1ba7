"""A long load says it is still working (issue 18, item 8; tui/screens/loading.py):
after STILL_AFTER the sub-title counts the seconds, and is put back after."""

from __future__ import annotations

import threading
import time

from textual.app import App
from textual.screen import Screen
from textual.widgets import Static

from tests.tui.helpers import wait_for
from tui.screens import loading
from tui.screens.loading import ViewLoader


class SlowScreen(ViewLoader, Screen):
    LOAD_WHAT = "the slow things"
    LOAD_NOTE = "#note"

    def __init__(self, gate: threading.Event) -> None:
        super().__init__()
        self.gate = gate
        self.view = None

    def compose(self):
        yield Static(f"Loading {self.LOAD_WHAT}…", id="note")

    def on_mount(self) -> None:
        self.sub_title = "slow screen"
        self.load()

    def read_view(self):
        assert self.gate.wait(10), "the test never let the load finish"
        return "done"

    def render_view(self) -> None:
        self.query_one("#note", Static).update(self.view)


class SlowApp(App):
    def __init__(self, gate: threading.Event) -> None:
        super().__init__()
        self.gate = gate

    def on_mount(self) -> None:
        self.push_screen(SlowScreen(self.gate))


async def test_a_long_load_counts_its_seconds_then_puts_the_title_back(monkeypatch):
    monkeypatch.setattr(loading, "STILL_AFTER", 1.0)
    monkeypatch.setattr(loading, "TICK", 0.05)
    gate = threading.Event()
    app = SlowApp(gate)
    try:
        async with app.run_test(size=(80, 24)) as pilot:
            for _ in range(50):  # not wait_for: it waits for the load, held here on purpose
                await pilot.pause()
                if isinstance(app.screen, SlowScreen):
                    break
            screen = app.screen
            # not yet: a load under STILL_AFTER shows nothing more (read together
            # with the load's age, so a slow machine cannot make this a race)
            title, age = screen.sub_title, time.monotonic() - screen._load_started
            assert age >= 1.0 - 0.05 or title == "slow screen", (age, title)
            assert screen._load_timer is not None
            for _ in range(400):
                await pilot.pause(0.01)
                if "still loading" in (screen.sub_title or ""):
                    break
            assert screen.sub_title.startswith("slow screen · still loading the slow things · ")
            assert screen.sub_title.endswith(" s")
            assert screen.view is None
            gate.set()
            await wait_for(pilot, lambda: screen.view == "done")
            await pilot.pause(0.2)
            assert screen.sub_title == "slow screen"
            assert screen._load_timer is None
    finally:
        gate.set()


def test_a_failure_says_a_refusal_in_its_own_words_and_anything_else_by_its_kind_alone():
    """tui.screens.loading.failure: every load and write on the screens says
    what went wrong this way, so an unexpected error's message (which may
    hold a name or a note) never reaches the screen."""
    from planner.errors import CaseloadError, ConflictError

    assert loading.failure(CaseloadError("case NG1 is not in your team"), "Could not ({kind}).") == \
        "case NG1 is not in your team"
    assert loading.failure(ConflictError("changed meanwhile"), "x ({kind})") == "changed meanwhile"
    said = loading.failure(ValueError("Jane Doe, 4 Elm Road"), "Could not save ({kind}); nothing was changed.")
    assert said == "Could not save (ValueError); nothing was changed."


def test_the_team_server_s_refusal_is_said_as_the_command_line_says_it(capsys):
    """A write the team server's row-level security refuses (SQLSTATE 42501)
    says so, with the first line of the server's words (a table or policy,
    no row data), rather than "Could not save (ProgrammingError)... Try
    again", which no retry would mend; on the driver's error or SQLAlchemy's
    wrapping of it."""
    import psycopg
    from sqlalchemy.exc import ProgrammingError

    denied = psycopg.errors.InsufficientPrivilege('new row violates row-level security policy for table "case"'
                                                  "\nDETAIL: Jane Doe")
    wrapped = ProgrammingError("UPDATE case ...", {}, denied)
    for exc in (denied, wrapped):
        said = loading.failure(exc, "Could not save ({kind}); nothing was changed. Try again.")
        assert said.startswith('Refused by the database: new row violates row-level security policy for table "case".')
        assert "Try again" not in said and "Jane Doe" not in said
        # the command line: the same words (one function, tui/data/refusal.py), exit 2
        from tui.cli.errors import report_error

        assert report_error(exc) == 2
        assert capsys.readouterr().err == ('caseload: refused by the database: new row violates row-level security '
                                           'policy for table "case"\n')
    other = ProgrammingError("SELECT ...", {}, psycopg.errors.UndefinedTable("relation x does not exist"))
    assert loading.failure(other, "Could not save ({kind}).") == "Could not save (ProgrammingError)."
