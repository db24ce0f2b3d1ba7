"""The supervision session screen (tui/screens/supervision/__init__.py):
layout, loading, state, and the keys that move through the queue. What it
draws is in `rendering`, its writes in `jobs`, its other keys in
`session_actions`."""

from __future__ import annotations

from collections import deque
from pathlib import Path

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import Screen
from textual.widgets import TextArea

from planner.errors import CaseloadError
from tui import supervision_data as data
from tui.data import initials
from tui.screens.loading import ViewLoader
from tui.screens.supervision.jobs import Job, WriteQueue
from tui.screens.supervision.rendering import Rendering
from tui.screens.supervision.session_actions import SessionActions
from tui.text import plain
from tui.widgets.chrome import KeyBar, TitleBar
from tui.widgets.narrow import NarrowLayout
from tui.widgets.plain import Static
from tui.widgets.timeline import ContactTimeline
from tui.widgets.voice import VoicePanel


OVERVIEW = -1  # the index of the overview page, before the first case


class SupervisionScreen(SessionActions, WriteQueue, Rendering, NarrowLayout, ViewLoader, Screen):
    """One session: the overview, then the queue one case at a time (tui/screens/supervision/__init__.py)."""

    CSS_PATH = Path(__file__).with_suffix(".tcss")
    NARROW_BELOW = 100  # columns; below this the note sits under the case, not beside it (NarrowLayout)
    LOAD_GROUP = "supervision-load"
    LOAD_VERB = "open"
    LOAD_WHAT = "the session"
    LOAD_NOTE = "#position"
    LOAD_FAILED_TITLE = "Supervision"
    help_title = "supervision screen"
    AUTO_FOCUS = None  # the keys work on the screen; enter (or tab) goes into the note

    BINDINGS = [
        Binding("n", "next_case", "Next", id="supervision.next"),
        Binding("b", "previous_case", "Prev", id="supervision.prev"),
        # The same moves on other keys, listed on their own line by `?`.
        Binding("j,right", "step(1)", "Next case", id="supervision.next_alt", key_display="j / →", show=False),
        Binding("k,left", "step(-1)", "Previous case", id="supervision.prev_alt", key_display="k / ←", show=False),
        Binding("u", "next_unreviewed", "Next not reviewed", id="supervision.unreviewed", show=False),
        Binding("enter", "write_note", "Note", id="supervision.write", key_display="⏎"),
        Binding("ctrl+s", "save_note", "Save the note", id="supervision.save", show=False),
        Binding("x", "toggle_reviewed", "Reviewed", id="supervision.reviewed"),
        Binding("f", "toggle_flag", "Flag", id="supervision.flag"),
        Binding("r", "next_prompt", "Prompt", id="supervision.prompt"),
        Binding("i", "pin_prompt", "Pin", id="supervision.pin"),
        Binding("A", "add_action", "Action", id="supervision.action", key_display="A"),
        Binding("V", "review_handover", "Review the cold handover", id="supervision.review_handover",
                key_display="V", show=False),
        Binding("e", "export", "Export the record (Markdown)", id="supervision.export", show=False),
        Binding("E", "end_session", "End the session", id="supervision.end", show=False, key_display="E"),
        Binding("o", "open_case", "Open the full case", id="supervision.open", show=False),
        Binding("L", "earlier_sessions", "Earlier sessions and their records", id="supervision.earlier",
                key_display="L", show=False),
        Binding("up", "scroll_case(-1)", "Scroll the case", id="supervision.scroll_up", key_display="↑ ↓",
                show=False),
        Binding("down", "scroll_case(1)", "", id="supervision.scroll_down", show=False),
        Binding("pageup", "scroll_case(-10)", "Page through the case", id="supervision.page_up",
                key_display="PgUp PgDn", show=False),
        Binding("pagedown", "scroll_case(10)", "", id="supervision.page_down", show=False),
        Binding("escape", "escape", "Back", id="supervision.back"),
        Binding("q", "quit_saving", "Quit (saves the note first)", id="supervision.quit", show=False),
    ]


    def __init__(self, practitioner_id: str, lead_id: str) -> None:
        super().__init__()
        self.practitioner_id = practitioner_id
        self.lead_id = lead_id
        self.view: data.SessionView | None = None
        self.queue: list = []  # QueueItem, the order stays put while walking
        self.notes: dict = {}  # case_ref -> NoteState as last stored
        self.actions: tuple = ()
        self.index = OVERVIEW
        self.prompt_index = 0
        self.drafts: dict[str, str] = {}  # case_ref -> typed text not yet saved
        self.intent: dict[tuple[str, str], bool] = {}  # (review|flag, ref) -> value being saved
        self.ended = False
        self.loads = 0  # handled load results (tests wait on this)
        self.exported: Path | None = None
        self._jobs: deque[Job] = deque()
        self._job_running: Job | None = None
        self._note_ref: str | None = None  # whose note the text area holds
        self._reload_on_resume = False

    # ---------------------------------------------------------------- layout

    def compose(self) -> ComposeResult:
        yield TitleBar()
        yield Static("Starting the session…", id="position")
        yield Static("", id="prompt")
        with Horizontal(id="main"):
            with VerticalScroll(id="case", can_focus=False):
                yield Static("", id="overview")
                with Vertical(id="detail"):
                    yield Static("", id="who")
                    yield Static("", id="warnings", classes="section")
                    yield VoicePanel("", id="voice", classes="section")
                    yield Static("Continuity", classes="section-title")
                    yield Static("", id="continuity", classes="section")
                    yield Static("Contact timeline", classes="section-title")
                    yield ContactTimeline(id="timeline")
                    yield Static("Handover", classes="section-title")
                    yield Static("", id="handover", classes="section")
            with Vertical(id="note-pane"):
                yield Static("Note", id="note-title")
                yield TextArea(id="note", soft_wrap=True, tab_behavior="focus")
                yield Static("", id="pinned")
                yield Static("", id="case-actions")
        # Compact, without the palette hint: the keys that matter fit in 80 columns (ctrl+p still works).
        yield KeyBar(compact=True, show_command_palette=False)

    def on_mount(self) -> None:
        self.title = "supervision"
        self.sub_title = f"{self.practitioner_id} · starting…"
        self.add_class("-overview")
        self.watch(self.app, "privacy", lambda _v: self.render_all(), init=False)
        self.watch(self.app, "theme", lambda _v: self.render_all(), init=False)
        # The note takes focus only while writing (enter), so letters are keys until then.
        self.query_one("#note", TextArea).can_focus = False
        self.set_focus(None)
        self.load()

    def narrow_changed(self) -> None:
        self.render_all()

    def on_screen_resume(self) -> None:
        if self._reload_on_resume:  # back from the full case: contacts may have changed
            self._reload_on_resume = False
            self.load()

    def on_unmount(self) -> None:
        # Left by the command palette (switching practitioner): save what was typed.
        pending = {ref: text for ref, text in self.drafts.items()}
        view = self.view
        if not pending or view is None or self.ended:
            return
        app, notes, actor = self.app, dict(self.notes), self.app.actor

        def save_all() -> None:
            for ref, text in pending.items():
                state = notes.get(ref)
                try:
                    data.save_note(app.gateway, view.session_id, ref, text, pins=state.pinned if state else (),
                                   expected_version=state.version if state else 0, actor=actor)
                except CaseloadError as exc:
                    app.call_from_thread(app.notify, f"Supervision note on {ref} not saved: {exc}",
                                         severity="error", timeout=10)

        app.run_worker(save_all, thread=True, group="supervision-final-save", exit_on_error=False)

    # ---------------------------------------------------------------- loading

    def read_view(self):
        app = self.app
        if self.view is None:
            view = data.open_session(app.gateway, self.practitioner_id, self.lead_id, app.as_of)
        else:
            view = data.read_session(app.gateway, self.view.session_id, self.lead_id, app.as_of,
                                     resumed=self.view.resumed)
        return view

    def view_loaded(self, view) -> None:
        self.loads += 1
        first = self.view is None
        current = self.current_ref
        if first:
            self.queue = list(view.queue)
        else:  # keep the walking order; newcomers go last
            order = {item.case_ref: i for i, item in enumerate(self.queue)}
            self.queue = sorted(view.queue, key=lambda it: (order.get(it.case_ref, len(order)), it.position))
        self.view = view
        # A write that finished while this was being read is newer than what was read.
        newer = {ref: n for ref, n in self.notes.items()
                 if ref not in view.notes or n.version > view.notes[ref].version}
        self.notes = {**view.notes, **newer}
        self.actions = view.actions
        self.ended = view.ended_at is not None
        self.refresh_bindings()
        self.query_one("#note", TextArea).read_only = self.ended
        refs = [item.case_ref for item in self.queue]
        self.index = refs.index(current) if current in refs else OVERVIEW
        if first:
            started = "picked up again" if view.resumed else "started"
            self.notify(f"Session {view.session_id} {started}: {len(self.queue)} cases. n: first case.", timeout=4)
        self._show_current()

    def view_failed(self, message: str) -> None:
        super().view_failed(message)
        if self.view is None:
            self.app.pop_screen()

    # ---------------------------------------------------------------- state helpers

    @property
    def current(self):
        if self.view is None or not (0 <= self.index < len(self.queue)):
            return None
        return self.queue[self.index]

    @property
    def current_ref(self) -> str | None:
        item = self.current
        return item.case_ref if item is not None else None

    @property
    def busy(self) -> bool:
        """A write is running or waiting (tests wait for this to clear)."""
        return self._job_running is not None or bool(self._jobs)

    def is_reviewed(self, ref: str) -> bool:
        if ("review", ref) in self.intent:
            return self.intent[("review", ref)]
        note = self.notes.get(ref)
        return bool(note and note.reviewed)

    def is_flagged(self, ref: str) -> bool:
        if ("flag", ref) in self.intent:
            return self.intent[("flag", ref)]
        note = self.notes.get(ref)
        return bool(note and note.flagged)

    def progress(self):
        from planner.supervision import progress

        return progress(self.queue, [item.case_ref for item in self.queue if self.is_reviewed(item.case_ref)])

    def saved_text(self, ref: str) -> str:
        note = self.notes.get(ref)
        return note.written if note else ""

    def prompts(self):
        if self.view is None:
            return ()
        item = self.current
        if item is None:
            return self.view.prompts.flat(None)
        return self.view.prompts.flat(item.case, rules=(w.rule for w in item.warnings))

    def current_prompt(self):
        prompts = self.prompts()
        return prompts[self.prompt_index % len(prompts)] if prompts else None

    def shown(self, text: str) -> str:
        return initials(text) if self.app.privacy else plain(text)

    def person(self, pid: str | None) -> str:
        if pid is None:
            return "nobody"
        name = self.view.names.get(pid, "") if self.view else ""
        return f"{pid} {self.shown(name) if name else ''}".strip()

    def _capture_draft(self) -> None:
        """Note what the text area holds for its case (typed but not saved)."""
        ref = self._note_ref
        if ref is None or self.ended:
            return
        text = self.query_one("#note", TextArea).text
        if text.rstrip() == self.saved_text(ref).rstrip():
            self.drafts.pop(ref, None)
        else:
            self.drafts[ref] = text

    @on(TextArea.Changed, "#note")
    def _typed(self, _event: TextArea.Changed) -> None:
        self._capture_draft()
        self._render_note_title()


    # ---------------------------------------------------------------- messages from the mixins' workers

    @on(WriteQueue.JobDone)
    def _on_job_done(self, message: WriteQueue.JobDone) -> None:
        self._job_done(message)

    @on(WriteQueue.JobFailed)
    def _on_job_failed(self, message: WriteQueue.JobFailed) -> None:
        self._job_failed(message)

    @on(SessionActions.Read)
    def _read_done(self, message: SessionActions.Read) -> None:
        message.then(message.result)

    # ---------------------------------------------------------------- actions: moving

    _WRITES = frozenset({"write_note", "save_note", "toggle_reviewed", "toggle_flag", "pin_prompt", "add_action",
                         "end_session"})

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        # Once the session has ended its writing keys leave the key line and do nothing
        # (the header says ENDED).
        if self.ended and action in self._WRITES:
            return False
        return True

    def _ready(self) -> bool:
        if self.view is None:
            self.notify("Still starting the session.", severity="warning", timeout=3)
            return False
        return True

    def _go(self, index: int) -> None:
        if not self._ready():
            return
        self._save_draft(self.current_ref)
        self.index = index
        self._show_current()

    def action_next_case(self) -> None:
        if not self._ready():
            return
        if self.index + 1 >= len(self.queue):
            self.notify(f"End of the queue: {self.progress().text}. E ends the session, e exports the record.",
                        timeout=5)
            return
        self._go(self.index + 1)

    def action_previous_case(self) -> None:
        if not self._ready() or self.index <= OVERVIEW:
            return
        self._go(self.index - 1)

    def action_step(self, delta: int) -> None:
        if delta > 0:
            self.action_next_case()
        else:
            self.action_previous_case()

    def action_next_unreviewed(self) -> None:
        from planner.supervision import next_unreviewed

        if not self._ready():
            return
        reviewed = [item.case_ref for item in self.queue if self.is_reviewed(item.case_ref)]
        item = next_unreviewed(self.queue, reviewed, after=self.index)
        if item is None:
            self.notify(f"Every case is reviewed: {self.progress().text}.", timeout=4)
            return
        self._go(self.queue.index(item))

    def action_scroll_case(self, lines: int) -> None:
        self.query_one("#case", VerticalScroll).scroll_relative(y=lines, animate=False)

    def action_write_note(self) -> None:
        if not self._ready():
            return
        if self.current is None:
            self.notify("The overview has no note: n goes to the first case.", timeout=3)
            return
        if self.ended:
            self.notify("The session has ended: its notes are fixed.", severity="warning", timeout=4)
            return
        area = self.query_one("#note", TextArea)
        area.can_focus = True
        # Focused at once (not on the next refresh), so what a fast typist sends next lands in the note.
        self.set_focus(area)
        area.move_cursor(area.document.end)
        self._render_note_title()

    def action_save_note(self) -> None:
        if not self._ready() or self.current is None:
            return
        if not self._save_draft(self.current_ref, announce=True):
            self.notify("Nothing new to save.", timeout=2)

    def action_escape(self) -> None:
        area = self.query_one("#note", TextArea)
        if self.focused is area:  # done writing: save, keys work again
            self._stop_writing()
            self._save_draft(self.current_ref)
            self._render_note_title()
            return
        self._leave(Job("back"))

    def _stop_writing(self) -> None:
        area = self.query_one("#note", TextArea)
        area.can_focus = False
        if self.focused is area:
            self.set_focus(None)

    def action_quit_saving(self) -> None:
        self._leave(Job("quit"))

    def _leave(self, job: Job) -> None:
        if self.view is not None:
            self._save_draft(self.current_ref)
        self._enqueue(job)
