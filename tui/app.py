"""The practitioner's app: `CaseloadApp(engine, practitioner_id, as_of, policy, privacy)`.

The command line hands in the database as a `storage.reader.Database` (tests
may hand in an engine; nothing opens a database at import time). The first
caseload is read without SQLAlchemy (`Gateway.reader`); the engine, for
writes and the other screens, is built when first needed. Screens compose at once with a loading state; thread
workers in `tui.data` read the database and post messages; only message
handlers touch widgets.

Start-up is measured: the app logs how long it took from construction (and
from process start, when known) to the first frame painted with the
caseload's rows. With `CASELOAD_BENCH_OUT=FILE` set it writes that time (and
the time every row was in the table) to FILE and exits (used by
bench/bench_startup.py).
"""

from __future__ import annotations

import logging
import os
import time
from datetime import date
from pathlib import Path

from textual import events, work
from textual.app import App
from textual.binding import Binding
from textual.reactive import reactive

from planner.policy import DEFAULT_POLICY, Policy
from tui import state
from tui.data import FirstRead, Gateway
from tui.screens.caseload import CaseloadScreen
from tui.type_ahead import TypeAhead

log = logging.getLogger("caseload.tui")

GC_RESUME_SECONDS = 5.0  # at the latest, garbage collection resumes this long after start-up
POLL_SECONDS = 20.0  # how often the app asks whether someone else changed something
POLL_BACKOFF_TICKS = 3  # while the database is unreachable: every third tick (a minute)
UPDATED = "Updated: someone else changed this caseload."
HIDDEN_MESSAGE = "(message not shown: it may hold people's names or notes)"

BENCH_OUT = "CASELOAD_BENCH_OUT"  # file to write "seconds rows" to, then exit
BENCH_T0 = "CASELOAD_BENCH_T0"  # time.time() when the process was started (by the bench)


# Command palette providers, imported when the palette first opens (Textual
# accepts a callable returning the provider class): the first frame needs none
# of them, nor the team and handover screens and data modules they pull in.
def _caseload_commands():
    from tui.commands import CaseloadCommands

    return CaseloadCommands


def _handover_commands():
    from tui.commands import HandoverCommands

    return HandoverCommands


def _team_commands():
    from tui.commands import TeamCommands

    return TeamCommands


def _hide_messages(trace) -> None:
    """Blank every error message of a Rich traceback (chained and grouped ones too)."""
    for stack in trace.stacks:
        stack.exc_value = HIDDEN_MESSAGE
        stack.syntax_error = None
        stack.notes = []
        for inner in stack.exceptions:
            _hide_messages(inner)


class CaseloadApp(TypeAhead, App[None]):
    """Caseload planner: who to see, whose relationship is at risk."""

    # The home screen's .tcss is read with the app's own (the screen reads it
    # again when pushed, finding it there): the first frame's styles are then
    # parsed once. As a mode, or a screen bringing its own file, the home
    # screen made Textual parse every style sheet twice more before it (about
    # 10 ms of the start-up: bench/README.md, "Start-up").
    CSS_PATH = ["app.tcss", "screens/caseload.tcss"]
    TITLE = "caseload"
    COMMANDS = App.COMMANDS | {_caseload_commands, _handover_commands, _team_commands}
    MODES = {"caseload": CaseloadScreen}
    DEFAULT_MODE = "caseload"

    BINDINGS = [
        Binding("question_mark", "help", "Help", id="app.help", key_display="?"),
        Binding("p", "toggle_privacy", "Privacy", id="app.privacy"),
        Binding("t", "toggle_theme", "Theme", id="app.theme", show=False),
        Binding("S", "supervision", "Supervision (team lead)", id="app.supervision", key_display="S",
                show=False),
        Binding("H", "handovers", "Team handovers", id="app.handovers", key_display="H", show=False),
        # q is a letter a list or a form may want (quiet in modals, below);
        # ctrl+q quits from anywhere, dialogs and the command palette included.
        Binding("q", "quit", "Quit", id="app.quit", tooltip="Quit (in a dialog, a form or the palette: ctrl+q)"),
        Binding("ctrl+q", "quit_now", "Quit from anywhere, a dialog or the palette too", id="app.quit_anywhere",
                key_display="ctrl+q", show=False, priority=True),
    ]

    privacy: reactive[bool] = reactive(False)
    practitioner_id: reactive[str | None] = reactive(None)

    def __init__(
        self,
        engine,
        practitioner_id: str | None = None,
        as_of: date | None = None,
        policy: Policy = DEFAULT_POLICY,
        privacy: bool = False,
        *,
        state_file: Path | None = None,
        first_read: FirstRead | None = None,
        signed_in: bool | None = None,
    ) -> None:
        self._constructed = time.perf_counter()
        super().__init__()
        self.policy = policy
        # Who acts comes from signing in (README, Team server, storage.access.sign_in): with
        # `--as` (or a practitioner's own PostgreSQL login, which the command
        # line turns into `practitioner_id`) the app acts as that practitioner
        # and never switches; a team lead drilling into a colleague's caseload
        # stays the actor. Not signed in: the owner of a personal file, who may
        # act as anyone they choose (P), and is the administrator until they do.
        self.signed_in = bool(practitioner_id) if signed_in is None else signed_in
        self.as_of = as_of or date.today()
        self.state_file = state_file
        # `--as` wins and is not remembered; else the saved choice, else the picker.
        self.remember_choice = not self.signed_in
        chosen = practitioner_id or state.saved_practitioner(state_file)
        self.gateway = Gateway(engine, policy, actor_id=chosen, fixed=self.signed_in)
        self.set_reactive(CaseloadApp.practitioner_id, chosen)
        self.set_reactive(CaseloadApp.privacy, privacy)
        self.first_paint_seconds: float | None = None
        # The first caseload is read in a thread while Textual sets up the
        # screen (the `caseload` command starts it sooner, before Textual is
        # imported: `first_read`). The screen's first load takes it
        # (`take_first_read`) and, when it is ready by then, paints its rows
        # in its first frame. The paint never waits for it.
        if first_read is None or first_read.key != (self.practitioner_id, self.as_of):
            first_read = FirstRead.start(self.gateway, self.practitioner_id, self.as_of)
        self._first_read = first_read
        # Changes by others (issue 8): the newest audit event id seen, and the poll's state.
        self.change_mark: int | None = None
        self.poll_failing = False
        self._poll_wait = 0
        self.polls_skipped = 0  # ticks that found a change but left the screen alone (a form open, typing)

    def take_first_read(self, practitioner_id: str | None, as_of: date) -> FirstRead | None:
        """The read started with the app, once, if it is of this caseload."""
        first, self._first_read = self._first_read, None
        if first is not None and first.key == (practitioner_id, as_of):
            return first
        return None

    def get_css_variables(self) -> dict[str, str]:
        """The theme's variables and its text colours that reach WCAG AA
        ($severity-high, $readable-primary...: tui/widgets/severity.py)."""
        from tui.widgets.severity import text_colours

        variables = super().get_css_variables()
        self.theme_variables = {**variables, **text_colours(variables)}
        return self.theme_variables

    def notify(self, message: str, *, title: str = "", severity="information", timeout: float | None = None,
               markup: bool = True) -> None:
        """Every notice, read as text: the app writes no markup, and a notice
        may quote a name (tui/text.py)."""
        from tui.text import plain, prose

        kwargs = {} if timeout is None else {"timeout": timeout}
        super().notify(prose(plain(message)), title=plain(title), severity=severity, markup=False, **kwargs)

    def _fatal_error(self) -> None:
        """Exit after an unhandled exception without printing local variables
        or the error's message: Textual's default report shows both, and here
        they hold people's names and notes (a markup error quotes the name it
        failed on). The traceback itself (code and line numbers) and the
        error's type stay."""
        import sys

        import rich
        from rich.segment import Segments
        from rich.traceback import Traceback

        self.bell()
        error = sys.exc_info()[1] or getattr(self, "_exception", None)
        if error is None:
            traceback = Traceback(show_locals=False, width=None, suppress=[rich])
        else:
            traceback = Traceback.from_exception(type(error), error, error.__traceback__, show_locals=False,
                                                 width=None, suppress=[rich])
        _hide_messages(traceback.trace)
        self._exit_renderables.append(Segments(self.console.render(traceback, self.console.options)))
        self._close_messages_no_wait()

    def on_mount(self) -> None:
        from storage.collector import resume

        # Collection paused by the entry point (storage/collector.py) resumes at
        # the first painted caseload, or after this long whatever happens first.
        self.set_timer(GC_RESUME_SECONDS, resume)
        self.set_interval(POLL_SECONDS, self._poll_tick, name="change-poll")
        self.poll_changes()  # the marker to compare with

    # ---------------------------------------------------------------- changes by others

    def on_app_focus(self, _event: events.AppFocus) -> None:
        """Back in the terminal window: look for changes now."""
        self.poll_changes()

    def _poll_tick(self) -> None:
        if self._poll_wait > 0:  # backing off while the database is unreachable
            self._poll_wait -= 1
            return
        self.poll_changes()

    @work(thread=True, exclusive=True, group="change-poll", exit_on_error=False)
    def poll_changes(self) -> None:
        """One cheap query (`Gateway.changes_since`) in a thread: did anyone
        else change a case of the team in view since the last look?"""
        try:
            # the app's own writes are known by their audit ids (Gateway.own_events)
            mark, changed = self.gateway.changes_since(self.change_mark, self.practitioner_id)
        except Exception as exc:  # noqa: BLE001 - a notice, then back off
            self.call_from_thread(self._poll_failed, type(exc).__name__)
        else:
            self.call_from_thread(self._poll_result, mark, changed)

    def _poll_failed(self, reason: str) -> None:
        self._poll_wait = POLL_BACKOFF_TICKS - 1
        if self.poll_failing:
            return
        self.poll_failing = True
        log.warning("change poll failed: %s", reason)
        self.notify("Cannot reach the database to look for changes by others; trying again every minute.",
                    title="Database unreachable", severity="warning", timeout=8)

    def _poll_result(self, mark: int, changed: bool) -> None:
        if self.poll_failing:
            self.poll_failing = False
            self._poll_wait = 0
            self.notify("The database can be reached again.", timeout=4)
        if not changed:
            self.change_mark = mark
            return
        screen = self.screen
        reload = getattr(screen, "action_reload", None)
        if reload is None or not self._may_reload(screen):
            self.polls_skipped += 1
            return  # the mark stays: the next tick tries again
        self.change_mark = mark
        reload()
        self.notify(UPDATED, timeout=5)

    def _may_reload(self, screen) -> bool:
        """Never under a form or a modal, nor while the user is typing."""
        from textual.widgets import Input, TextArea

        if screen.is_modal or getattr(screen, "filtering", False):  # the caseload's `/` filter line is open
            return False
        return not isinstance(screen.focused, (Input, TextArea))

    # ---------------------------------------------------------------- screens

    def open_case(self, case_ref: str) -> None:
        from tui.screens.case import CaseScreen

        # Keep one case screen on top of the caseload, never a pile (on top of
        # the topmost caseload: a team lead's drill-in from the team screen stays).
        base = max((i for i, s in enumerate(self.screen_stack) if isinstance(s, CaseloadScreen)), default=0)
        while len(self.screen_stack) > base + 2:
            self.pop_screen()
        if len(self.screen_stack) > base + 1 and not self.screen.is_modal:
            self.switch_screen(CaseScreen(case_ref))
        else:
            self.push_screen(CaseScreen(case_ref))

    def open_week(self) -> None:
        from tui.screens.week import WeekScreen

        if self.practitioner_id is None:
            self.notify("Choose a practitioner first.", severity="warning")
            return
        self.push_screen(WeekScreen(self.practitioner_id, self.as_of))

    SIGNED_IN_NOTICE = ("Signed in as {who}: the app acts as {who} only. "
                        "To act as someone else, sign in as them.")

    def switch_practitioner(self, practitioner_id: str) -> bool:
        """Act as someone else (the picker, the palette): only for the owner of
        a local file who did not sign in. Signed in, it is refused with a
        notice (False)."""
        if self.signed_in:
            if practitioner_id != self.practitioner_id:
                self.notify(self.SIGNED_IN_NOTICE.format(who=self.practitioner_id), severity="warning",
                            timeout=6)
            return False
        while len(self.screen_stack) > 1:
            self.pop_screen()
        self.gateway.actor_id = practitioner_id
        self.practitioner_id = practitioner_id
        if self.remember_choice:
            state.save_practitioner(practitioner_id, self.state_file)
        return True

    def view_caseload(self, practitioner_id: str) -> None:
        """The palette's "Caseload of ...": switch (owner, not signed in), or
        look at a colleague's caseload while staying who you are (signed in;
        another team's is refused by the screen's read)."""
        if not self.signed_in:
            self.switch_practitioner(practitioner_id)
            return
        if practitioner_id == self.practitioner_id:
            while len(self.screen_stack) > 1:
                self.pop_screen()
            return
        while len(self.screen_stack) > 1:
            self.pop_screen()
        self.push_screen(CaseloadScreen(practitioner_id))

    @property
    def actor(self) -> str:
        """Who the audit trail names for edits made in the app."""
        if self.practitioner_id:
            return self.practitioner_id
        from storage.audit import default_actor

        return default_actor()

    # ---------------------------------------------------------------- actions

    # Single-letter app keys stay quiet while a form or picker is open, so a
    # letter typed into a list or a select never quits or flips the theme.
    _QUIET_IN_MODALS = frozenset({"quit", "toggle_privacy", "toggle_theme", "help"})

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in self._QUIET_IN_MODALS and self.screen.is_modal:
            from tui.screens.help import HelpScreen

            return action == "help" and isinstance(self.screen, HelpScreen)
        return True

    def action_quit_now(self) -> None:
        """ctrl+q: never quiet, whatever screen or modal is on top."""
        self.exit()

    def action_help(self) -> None:
        from tui.screens.help import HelpScreen

        if isinstance(self.screen, HelpScreen):
            self.pop_screen()
            return
        self.push_screen(HelpScreen(self.screen))

    def action_toggle_privacy(self) -> None:
        self.privacy = not self.privacy
        self.notify("Privacy mode on: initials only." if self.privacy else "Privacy mode off: full names.",
                    timeout=3)

    def action_toggle_theme(self) -> None:
        self.theme = "textual-light" if self.theme == "textual-dark" else "textual-dark"

    def action_supervision(self, practitioner_id: str | None = None) -> None:
        """Supervision led by the signed-in team lead (tui/screens/supervision/)."""
        from tui.screens.supervision.opening import open_supervision

        open_supervision(self, practitioner_id)

    def action_handovers(self) -> None:
        """The team's open handovers (tui/screens/handovers.py)."""
        from tui.screens.registry import screen_class

        screen_class("handovers").open_for(self)

    # ---------------------------------------------------------------- start-up timing

    def startup_failed(self, reason: str) -> None:
        """The first load failed: logged (no personal data); a benchmark run stops."""
        log.warning("first load failed: %s", reason)
        out = os.environ.get(BENCH_OUT)
        if out and self.first_paint_seconds is None:
            Path(out).write_text("nan 0\n")
            self.exit(return_code=1)

    def _since_start(self) -> float | None:
        t0 = os.environ.get(BENCH_T0)
        if not t0:
            return None
        try:
            return time.time() - float(t0)
        except ValueError:
            return None

    def painted_with_rows(self, rows: int, *, total: int | None = None) -> None:
        """Called by the caseload screen after the frame that first shows its
        rows (`rows` of them; `total` when the rest follow in the next frame,
        see `all_rows_shown`)."""
        if self.first_paint_seconds is not None:
            return
        self.first_paint_seconds = time.perf_counter() - self._constructed
        since_start = self._since_start()
        # Counts and times only: never names.
        log.info("first paint with %d rows: %.0f ms after app start%s", rows, self.first_paint_seconds * 1000,
                 f", {since_start * 1000:.0f} ms after process start" if since_start is not None else "")
        self.log.info(f"first paint with {rows} rows: {self.first_paint_seconds * 1000:.0f} ms")
        # The process's CPU seconds too (every thread): on a loaded machine
        # they vary far less than the wall clock (bench/bench_startup.py).
        self._bench_first = (since_start if since_start is not None else self.first_paint_seconds, rows,
                             time.process_time())
        if total is None or total <= rows:
            self._started()
            self._bench_write(total if total is not None else rows)

    def first_load_done(self) -> None:
        """The first caseload is fully loaded (its ticks written): freeze what
        it built (storage/collector.py `freeze_loaded`)."""
        from storage import collector

        collector.freeze_loaded()

    def _started(self) -> None:
        """Every row of the first caseload is in the table: start-up is over."""
        from storage.collector import resume

        resume()

    def all_rows_shown(self, rows: int) -> None:
        """Called after the frame that has every row of a long caseload in the table."""
        seconds = time.perf_counter() - self._constructed
        log.info("all %d rows in the table: %.0f ms after app start", rows, seconds * 1000)
        self._started()
        self._bench_write(rows)

    def _bench_write(self, total: int) -> None:
        """Benchmark runs: "first-paint-seconds rows-painted all-rows-seconds rows
        first-paint-cpu-seconds", then exit."""
        out = os.environ.get(BENCH_OUT)
        first = getattr(self, "_bench_first", None)
        if not out or first is None or getattr(self, "_bench_written", False):
            return
        self._bench_written = True
        since_start = self._since_start()
        done = since_start if since_start is not None else time.perf_counter() - self._constructed
        Path(out).write_text(f"{first[0]} {first[1]} {done} {total} {first[2]}\n")
        # After the app's own compose and mount, which may still be queued
        # when the rows came with the first frame.
        self.call_later(self.exit)
