"""Supervision: a team lead and a practitioner walk the caseload together,
one keyboard, one case at a time (issue 7).

The session starts (or the open one resumes) when the screen opens. First
comes an overview with the actions carried forward from earlier sessions,
then the queue in `planner.supervision.review_queue` order: flagged for
discussion, cold handovers, new relationships, then risk. Each case shows
its warnings, continuity chain, contact timeline and open handover beside
a note; reflective prompts cycle in a strip and can be pinned to the note.

Keys (all listed by `?`): n / b (j / k, → / ←) next / previous case, u next
not yet reviewed, enter write the note (esc finishes, ctrl+s saves; leaving
the case saves too), r next prompt, i pin it, f flag, x reviewed, A agree an
action, e export the record, E end the session, o open the full case, L read
earlier sessions' records.

Every write goes through one queue, in order, in a thread worker; each
save sends the note version last seen, so a note changed elsewhere is
refused (ConflictError): the typed text stays, a notice says so, and the
next ctrl+s saves it over the other.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from rich.console import Group
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.message import Message
from textual.screen import ModalScreen, Screen
from textual.widgets import Input, Select, TextArea

from planner.errors import CaseloadError
from planner.relationship import churn_words
from tui import supervision_data as data
from tui.data import initials, relationship_label
from tui.screens.confirm import ConfirmScreen
from tui.screens.forms import Field, FormScreen, nice, parse_date
from tui.screens.loading import ViewLoader
from tui.text import content, plain
from tui.widgets import severity
from tui.widgets.case_detail import allocations_table, warnings_block
from tui.widgets.chrome import KeyBar, TitleBar
from tui.widgets.plain import Static
from tui.widgets.timeline import ContactTimeline


NARROW_BELOW = 100  # columns; below this the note sits under the case, not beside it
OVERVIEW = -1  # the index of the overview page, before the first case


# ============================================================================ opening the screen


def open_supervision(app, practitioner_id: str | None = None) -> None:
    """`S` or the command palette: check the signed-in practitioner leads a
    team (else a notice), then open the session for `practitioner_id`, or
    let the lead choose whom (the highlighted case's practitioner first)."""
    screen = app.screen
    if screen.is_modal:
        return
    if isinstance(screen, SupervisionScreen):
        if practitioner_id in (None, screen.practitioner_id):
            return
        app.notify("Finish this session first (esc goes back).", severity="warning", timeout=4)
        return
    if any(isinstance(s, SupervisionScreen) for s in app.screen_stack):
        app.notify("A supervision session is open underneath: esc goes back to it.", severity="warning",
                   timeout=4)
        return
    lead_id = app.practitioner_id
    preferred = practitioner_id or _shown_practitioner(app, lead_id)

    def find() -> None:
        try:
            who = data.candidates(app.gateway, lead_id)
        except CaseloadError as exc:
            app.call_from_thread(app.notify, str(exc), title="Supervision", severity="warning", timeout=8)
            return
        except Exception as exc:  # noqa: BLE001 - a notice, never a traceback
            app.call_from_thread(app.notify, f"Could not read the team ({type(exc).__name__}).",
                                 title="Supervision", severity="error", timeout=8)
            return
        app.call_from_thread(_chosen_or_pick, app, who, practitioner_id, preferred)

    app.run_worker(find, thread=True, group="supervision-open", exclusive=True, exit_on_error=False)


def _shown_practitioner(app, lead_id: str | None) -> str | None:
    """The practitioner whose case is highlighted or open, if any."""
    screen = app.screen
    view = getattr(screen, "view", None)
    case = getattr(view, "case", None)
    if case is not None:
        return case.practitioner_id
    try:
        from tui.widgets.case_table import CaseTable

        ref = screen.query_one(CaseTable).selected_ref
    except Exception:  # noqa: BLE001 - no table on this screen
        return None
    rows = getattr(view, "rows", ()) or ()
    for row in rows:
        if row.case_ref == ref:
            return row.practitioner_id
    return None


def _chosen_or_pick(app, who: data.Candidates, asked: str | None, preferred: str | None) -> None:
    lead = who.lead
    if asked is not None:
        if asked == lead.practitioner_id:
            app.notify(f"{asked} cannot lead their own supervision; ask another team lead.",
                       title="Supervision", severity="warning", timeout=6)
            return
        app.push_screen(SupervisionScreen(asked, lead.practitioner_id))
        return
    if not who.team:
        app.notify(f"Nobody in team {lead.team_id} to supervise.", title="Supervision", severity="warning")
        return
    from tui.screens.picker import PickerScreen

    def label(p) -> str:
        name = initials(p.name) if app.privacy else plain(p.name)
        n = who.open_cases.get(p.practitioner_id, 0)
        extra = " · session open" if p.practitioner_id in who.open_sessions else ""
        return f"{p.practitioner_id} · {name} · {n} case{'s' if n != 1 else ''}{extra}"

    def chosen(pid: str | None) -> None:
        if pid:
            app.push_screen(SupervisionScreen(pid, lead.practitioner_id))

    picker = PickerScreen(
        "Supervision: whose caseload?",
        [(label(p), p.practitioner_id) for p in who.team],
        note=f"Led by {lead.practitioner_id}. An open session is picked up again.",
        highlight=preferred if any(p.practitioner_id == preferred for p in who.team) else None,
    )
    app.push_screen(picker, chosen)


# ============================================================================ small modals


@dataclass(frozen=True)
class ActionInput:
    text: str
    owner_id: str
    due: date
    case_ref: str | None


class ActionForm(FormScreen):
    """Agree an action: what, who (the practitioner unless changed), by when."""

    GENERAL = "__general__"

    def __init__(self, save, *, as_of: date, owners: list[tuple[str, str]], owner: str, case_ref: str | None,
                 who: str) -> None:
        super().__init__(save)
        self.as_of = as_of
        self.owners = owners
        self.owner = owner
        self.case_ref = case_ref
        self.title_text = f"Agree an action · {who}"

    def fields(self):
        yield Field("Action", Input(placeholder="what is to be done", id="text", compact=True,
                                    max_length=data_max_text()), name="text")
        owners = [(content(label), pid) for label, pid in self.owners]  # names: text, not markup
        yield Field("Owner", Select(owners, value=self.owner, allow_blank=False, id="owner", compact=True),
                    name="owner")
        yield Field("Due", Input((self.as_of + timedelta(days=14)).isoformat(), placeholder="YYYY-MM-DD",
                                 id="due", compact=True), name="due",
                    hint="It shows in the owner's week plan on this day until ticked off.")
        about = [(f"this case, {self.case_ref}", self.case_ref)] if self.case_ref else []
        about.append(("no case (general)", self.GENERAL))
        yield Field("About", Select(about, value=about[0][1], allow_blank=False, id="about", compact=True),
                    name="about")

    def collect(self) -> ActionInput | None:
        ok = True
        text = " ".join(self.query_one("#text", Input).value.split())
        if not text:
            self.error("text", "Say what is to be done.")
            ok = False
        elif len(text) > data_max_text():
            self.error("text", f"{len(text)} characters; {data_max_text()} at most.")
            ok = False
        due = parse_date(self.query_one("#due", Input).value)
        if due is None:
            self.error("due", "Give a date as YYYY-MM-DD (or DD/MM/YYYY).")
            ok = False
        elif due < self.as_of:
            self.error("due", f"Due {nice(self.as_of)} or later.")
            ok = False
        owner = self.query_one("#owner", Select).value
        if owner is Select.NULL or not owner:
            self.error("owner", "Choose who will do it.")
            ok = False
        if not ok:
            return None
        about = self.query_one("#about", Select).value
        return ActionInput(text, owner, due, None if about == self.GENERAL else about)


def data_max_text() -> int:
    from storage.supervision import MAX_ACTION_TEXT

    return MAX_ACTION_TEXT


class RecordPathForm(FormScreen):
    """Where to write the Markdown record (the folder is made, private, if missing)."""

    def __init__(self, save, *, default: Path, privacy: bool) -> None:
        super().__init__(save)
        self.default = default
        self.title_text = "Export the supervision record (Markdown)" + (" · initials only" if privacy else "")

    def fields(self):
        yield Field("File", Input(str(self.default), id="path", compact=True), name="path",
                    hint="Holds names and notes: keep it somewhere private. Written readable by you only.")

    def collect(self) -> Path | None:
        path = self.file_path("path", ".md")
        if path is None:
            return None
        if path.parent.exists() and not path.parent.is_dir():
            self.error("path", f"{path.parent} is not a folder.")
            return None
        return path


class RecordScreen(ModalScreen[None]):
    """An earlier session's record, read on screen (esc closes)."""

    CSS_PATH = Path(__file__).with_suffix(".tcss")
    BINDINGS = [Binding("escape,q", "close", "Close", id="record.close")]

    def __init__(self, markdown: str) -> None:
        super().__init__()
        self.markdown = markdown

    def compose(self) -> ComposeResult:
        from textual.widgets import Markdown

        with VerticalScroll(classes="record"):
            yield Markdown(self.markdown)
        yield Static("↑↓ PgUp PgDn scroll · esc close", classes="record--keys")

    def on_mount(self) -> None:
        self.query_one(".record").focus()

    def action_close(self) -> None:
        self.dismiss(None)


# ============================================================================ the screen


@dataclass
class Job:
    """One write, run in order after the ones before it."""

    kind: str  # save | pin | flag | review | end | export | back | quit
    ref: str | None = None
    args: dict = field(default_factory=dict)
    announce: bool = False  # say "saved" when done (ctrl+s), quiet otherwise


class SupervisionScreen(ViewLoader, Screen):
    CSS_PATH = Path(__file__).with_suffix(".tcss")
    LOAD_GROUP = "supervision-load"
    LOAD_VERB = "open"
    LOAD_WHAT = "the session"
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

    class JobDone(Message):
        def __init__(self, job: Job, result: Any) -> None:
            self.job = job
            self.result = result
            super().__init__()

    class JobFailed(Message):
        def __init__(self, job: Job, error: BaseException, message: str) -> None:
            self.job = job
            self.error = error
            self.message = message
            super().__init__()

    class Read(Message):
        """A read for a modal finished: `then(result)` runs on the UI thread."""

        def __init__(self, then, result) -> None:
            self.then = then
            self.result = result
            super().__init__()

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
        self._apply_width(self.size.width or self.app.size.width)
        # The note takes focus only while writing (enter), so letters are keys until then.
        self.query_one("#note", TextArea).can_focus = False
        self.set_focus(None)
        self.load()

    def on_resize(self, event) -> None:
        self._apply_width(event.size.width)

    def _apply_width(self, width: int) -> None:
        narrow = width < NARROW_BELOW
        if narrow != self.has_class("-narrow"):
            self.set_class(narrow, "-narrow")
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

    @on(ViewLoader.Loaded)
    def _loaded(self, message: ViewLoader.Loaded) -> None:
        self.loads += 1
        first = self.view is None
        view = message.view
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

    @on(ViewLoader.LoadFailed)
    def _failed(self, message: ViewLoader.LoadFailed) -> None:
        self.loads += 1
        self.query_one("#position", Static).update(f"✕ {message.message}")
        self.notify(message.message, title="Supervision", severity="error", timeout=10)
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
        return self.view.prompts.flat(item.case if item is not None else None)

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

    # ---------------------------------------------------------------- rendering (data down)

    def _show_current(self) -> None:
        """Put the current case (or the overview) on screen, note text included."""
        item = self.current
        self.set_class(item is None, "-overview")
        self._stop_writing()
        area = self.query_one("#note", TextArea)
        ref = item.case_ref if item is not None else None
        self._note_ref = ref
        with area.prevent(TextArea.Changed):
            area.load_text(self.drafts.get(ref, self.saved_text(ref)) if ref else "")
        self.query_one("#case", VerticalScroll).scroll_home(animate=False)
        self.render_all()

    def render_all(self) -> None:
        view = self.view
        if view is None:
            return
        self._render_titles()
        self._render_position()
        self._render_prompt()
        item = self.current
        if item is None:
            self.query_one("#overview", Static).update(self._overview())
        else:
            self.query_one("#who", Static).update(self._who(item))
            self.query_one("#warnings", Static).update(self._warnings(item))
            self.query_one("#continuity", Static).update(self._continuity(item))
            self.query_one(ContactTimeline).show(item.case.contacts, view.booked.get(item.case_ref, ()),
                                                 view.as_of)
            self.query_one("#handover", Static).update(self._handover(item))
            self._render_note_title()
            self._render_pins()
            self._render_case_actions()

    def _render_titles(self) -> None:
        view = self.view
        p = view.practitioner
        state = " · ENDED" if self.ended else ""
        # Progress first: it is what the header must show at 80 columns.
        self.sub_title = (f"{self.progress().text}{state} · {p.practitioner_id} {self.shown(p.name)} · "
                          f"lead {view.lead.practitioner_id}" + (" · PRIVACY" if self.app.privacy else ""))

    def _render_position(self) -> None:
        item = self.current
        text = Text()
        if item is None:
            text.append(f"Session {self.view.session_id} · overview · ", style="bold")
            text.append(self.progress().text)
        else:
            ref = item.case_ref
            text.append(f"Case {self.index + 1}/{len(self.queue)} · ", style="bold")
            text.append(f"{ref} {self.shown(item.display_name)}", style="bold")
            if item.top_severity:
                text.append(" · ")
                text.append(severity.label(item.top_severity), style=severity.style_for(self.app, item.top_severity))
            else:
                text.append(" · no warnings")
            if item.reason:
                text.append(f" · {item.reason}")
            text.append(" · ✓ reviewed" if self.is_reviewed(ref) else " · ☐ not reviewed")
            if self.is_flagged(ref):
                text.append(" · ⚑ flagged", style="bold")
        self.query_one("#position", Static).update(text)

    def _render_prompt(self) -> None:
        prompts = self.prompts()
        prompt = self.current_prompt()
        if prompt is None:
            self.query_one("#prompt", Static).update(Text("No reflective prompts loaded.", style="dim"))
            return
        n = self.prompt_index % len(prompts) + 1
        text = Text()
        text.append(f"Prompt {n}/{len(prompts)} ", style="bold")
        if not self.has_class("-narrow"):
            text.append(f"{prompt.group_title} · ", style="italic")
        text.append(f"{prompt.title}: ", style="bold italic")
        text.append(prompt.text)
        self.query_one("#prompt", Static).update(text)

    def _render_note_title(self) -> None:
        ref = self._note_ref
        if ref is None:
            return
        text = Text()
        text.append(f"Note on {ref}", style="bold")
        if self.ended:
            text.append(" · session ended, read only", style="dim")
        elif ref in self.drafts:
            text.append(" · ● not saved yet", style=severity.style_for(self.app, "medium"))
        elif ref in self.notes and self.notes[ref].written:
            text.append(" · saved", style="dim")
        if not self.ended:
            focused = self.focused is self.query_one("#note", TextArea)
            text.append("  esc done · ctrl+s save" if focused else "  enter to write", style="dim")
        self.query_one("#note-title", Static).update(text)

    def _render_pins(self) -> None:
        ref = self._note_ref
        pins = self.notes[ref].pinned if ref in self.notes else ()
        if not pins:
            self.query_one("#pinned", Static).update(Text("No prompt pinned (i pins the one shown).", style="dim"))
            return
        lines = [Text(f"Pinned ({len(pins)})", style="bold")]
        lines += [Text(f"• {p}") for p in pins]
        self.query_one("#pinned", Static).update(Group(*lines))

    def _render_case_actions(self) -> None:
        ref = self._note_ref
        mine = [a for a in self.actions if a.case_ref == ref]
        if not mine:
            self.query_one("#case-actions", Static).update(Text("No actions agreed on this case (A adds one).",
                                                                 style="dim"))
            return
        lines = [Text(f"Actions agreed ({len(mine)})", style="bold")]
        lines += [Text(self._action_line(a, with_case=False)) for a in mine]
        self.query_one("#case-actions", Static).update(Group(*lines))

    def _action_line(self, a, *, with_case: bool = True) -> str:
        box = "☑" if a.done else "☐"
        owner = a.owner.id + (f" {self.shown(a.owner.name)}" if a.owner.name else "")
        case = f" · {a.case_ref}" if with_case and a.case_ref else ""
        late = " · OVERDUE" if not a.done and a.due < self.view.as_of else ""
        done = f" · done {a.done_on:%d %b}" if a.done and a.done_on else ""
        return f"{box} {plain(a.text)} — {owner}, due {a.due:%a %d %b}{case}{late}{done}"

    def _overview(self):
        view = self.view
        p, lead = view.practitioner, view.lead
        parts: list = []
        head = Text()
        head.append(f"Supervision of {p.practitioner_id} {self.shown(p.name)}", style="bold")
        session_lead = view.session_lead_id or lead.practitioner_id
        head.append(f"\nLed by {self.person(session_lead)} · {nice(view.session_date)} · session {view.session_id}"
                    + (" (picked up again)" if view.resumed else " (new)"))
        if self.ended:
            head.append("\nThis session has ended: notes and marks are fixed. e exports the record.", style="bold")
        parts.append(head)
        bands: dict[str, int] = {}
        for item in self.queue:
            bands[item.band] = bands.get(item.band, 0) + 1
        order = [("flagged", "flagged for discussion"), ("cold_handover", "cold handover"),
                 ("new", "new relationship"), ("risk", "by risk")]
        mix = ", ".join(f"{bands[b]} {label}" for b, label in order if bands.get(b))
        prog = self.progress()
        parts.append(Text(f"\nThe queue: {len(self.queue)} cases" + (f" ({mix})" if mix else "")
                          + f"; {prog.high_risk_total} with a HIGH warning.\n{prog.text}."))
        parts.append(Text(f"\nActions carried forward from earlier sessions ({len(view.carried)})",
                          style="bold"))
        if view.carried:
            for a in view.carried:
                parts.append(Text(self._action_line(a)))
        else:
            parts.append(Text("None open.", style="dim"))
        parts.append(Text(f"\nActions agreed in this session ({len(self.actions)})", style="bold"))
        if self.actions:
            for a in self.actions:
                parts.append(Text(self._action_line(a)))
        else:
            parts.append(Text("None yet (A on a case agrees one).", style="dim"))
        parts.append(Text("\nn: first case · u: next not reviewed · L: earlier sessions · A: general action · "
                          "?: every key", style="dim"))
        return Group(*parts)

    def _who(self, item) -> Text:
        case = item.case
        text = Text()
        text.append(f"{case.case_ref} · {self.shown(case.display_name)}", style="bold")
        if case.youth:
            text.append(" · youth")
        level = case.contact_level + (f" (tier {case.tier})" if case.tier else "")
        text.append(f"\nContact level {level} · status {case.status}")
        alloc = case.current_allocation
        if alloc is not None:
            text.append(f"\nWith {self.person(alloc.practitioner_id)} since {alloc.start_date:%d %b %Y} "
                        f"({relationship_label(item.relationship_days, self.app.policy)})")
        if item.reason:
            text.append(f"\nEarly in the queue: {item.reason}", style="italic")
        return text

    def _warnings(self, item):
        return warnings_block(self.app, item.warnings)

    def _continuity(self, item):
        case = item.case
        if not case.allocations:
            return Text("No allocations recorded.")
        parts: list = [allocations_table(case.allocations, self.view.as_of, self.person)]
        churn = churn_words(self.view.churn.get(case.case_ref, 0), self.app.policy)
        if churn is not None:
            text, level = churn
            mark = "⚠ " if level == "medium" else ""
            parts.append(Text(f"{mark}{text}", style=severity.style_for(self.app, level)))
        return Group(*parts)

    def _handover(self, item):
        case = item.case
        h = case.open_handover
        if h is None:
            done = [x for x in case.handovers if x.is_completed]
            if done and done[-1].status == "completed_cold":
                last = done[-1]
                when = f" on {last.completed_on:%d %b %Y}" if last.completed_on else ""
                after = " Reviewed." if last.reviewed else " Not yet reviewed: V reviews it."
                return Text(f"⚠ Last handover was cold{when}: from {self.person(last.from_practitioner_id)} "
                            f"to {self.person(last.to_practitioner_id)}.{after}")
            return Text("No handover open.", style="dim")
        required = [i for i in h.items if i.required]
        done = sum(1 for i in required if i.done)
        lines = [Text(f"→ To {self.person(h.to_practitioner_id)} on {h.planned_on:%a %d %b %Y}: "
                      f"{done} of {len(required)} required items done" + (f" · {h.reason}" if h.reason else ""))]
        left = [i for i in required if not i.done]
        for i in left[:6]:
            late = " · OVERDUE" if i.due < self.view.as_of else ""
            lines.append(Text(f"  ☐ {i.title} (due {i.due:%d %b}, {i.owner}){late}"))
        if len(left) > 6:
            lines.append(Text(f"  … and {len(left) - 6} more", style="dim"))
        return Group(*lines)

    # ---------------------------------------------------------------- the write queue

    def _enqueue(self, job: Job) -> None:
        self._jobs.append(job)
        self._run_next()

    def _save_draft(self, ref: str | None, *, announce: bool = False) -> bool:
        """Queue a save of the typed text of `ref`; False when there is none."""
        if ref is None or self.ended:
            return False
        if ref == self._note_ref:
            self._capture_draft()
        if ref not in self.drafts:
            return False
        self._enqueue(Job("save", ref, {"text": self.drafts[ref]}, announce=announce))
        return True

    def _run_next(self) -> None:
        while self._job_running is None and self._jobs:
            job = self._jobs.popleft()
            if job.kind == "back":
                self.app.pop_screen()
                return
            if job.kind == "quit":
                self.app.exit()
                return
            self._job_running = job
            args = dict(job.args)
            if job.kind == "save":
                state = self.notes.get(job.ref)
                args["expected_version"] = state.version if state else 0
                args["pins"] = state.pinned if state else ()
            self._run_job(job, args)

    @work(thread=True, group="supervision-write", exit_on_error=False)
    def _run_job(self, job: Job, args: dict) -> None:
        app, gateway = self.app, self.app.gateway
        sid, actor = self.view.session_id, app.actor
        try:
            if job.kind == "save":
                result = data.save_note(gateway, sid, job.ref, args["text"], pins=args["pins"],
                                        expected_version=args["expected_version"], actor=actor)
            elif job.kind == "pin":
                result = data.pin(gateway, sid, job.ref, args["prompt_text"], actor=actor)
            elif job.kind == "flag":
                result = data.flag(gateway, sid, job.ref, args["value"], actor=actor)
            elif job.kind == "review":
                result = data.review(gateway, sid, job.ref, args["value"], as_of=app.as_of, actor=actor)
            elif job.kind == "end":
                result = data.end(gateway, sid, actor=actor)
            elif job.kind == "export":
                result = data.export(gateway, sid, args["path"], privacy=args["privacy"])
            else:  # pragma: no cover - every kind is above
                raise CaseloadError(f"unknown job {job.kind}")
        except CaseloadError as exc:
            self.post_message(self.JobFailed(job, exc, str(exc)))
        except OSError as exc:
            self.post_message(self.JobFailed(job, exc, f"Could not write the file: {exc.strerror or exc}."))
        except Exception as exc:  # noqa: BLE001 - a notice, never a traceback
            self.post_message(self.JobFailed(job, exc, f"Not saved ({type(exc).__name__}); try again."))
        else:
            self.post_message(self.JobDone(job, result))

    @on(JobDone)
    def _job_done(self, message: JobDone) -> None:
        job, result = message.job, message.result
        self._job_running = None
        if job.kind in ("save", "pin", "flag", "review"):
            self.notes[job.ref] = result
            if job.kind == "save" and self.drafts.get(job.ref) == job.args["text"]:
                self.drafts.pop(job.ref, None)
            if job.kind in ("flag", "review") and self.intent.get((job.kind, job.ref)) == job.args["value"]:
                self.intent.pop((job.kind, job.ref), None)
            if job.announce:
                self.notify(f"Note on {job.ref} saved.", timeout=2)
            if job.kind == "pin":
                self.notify(f"Prompt pinned to the note on {job.ref}.", timeout=2)
        elif job.kind == "end":
            self.ended = True
            self.refresh_bindings()
            self.query_one("#note", TextArea).read_only = True
            self._stop_writing()
            self.notify(f"Session {self.view.session_id} ended: {self.progress().text}. e exports the record.",
                        timeout=6)
        elif job.kind == "export":
            self.exported = result
            self.notify(f"Record written to {result} (readable by you only).", title="Exported", timeout=12)
        self.render_all()
        self._run_next()

    @on(JobFailed)
    def _job_failed(self, message: JobFailed) -> None:
        job, error = message.job, message.error
        self._job_running = None
        # What was to happen after this (leaving, ending) waits for the user.
        dropped = [j for j in self._jobs if j.kind in ("back", "quit", "end", "export")]
        for j in dropped:
            self._jobs.remove(j)
        if job.kind in ("flag", "review"):
            self.intent.pop((job.kind, job.ref), None)
        if isinstance(error, data.NoteConflict):
            if error.latest is not None:
                self.notes[job.ref] = error.latest
            where = "" if job.ref == self.current_ref else " (go back to it to see your text)"
            self.notify(f"The note on {job.ref} was changed elsewhere since you opened it, so yours was not "
                        f"saved. Your text is kept{where}; ctrl+s saves it over the other.",
                        title="Not saved: changed elsewhere", severity="warning", timeout=12)
        else:
            self.notify(message.message, title="Not saved", severity="error", timeout=10)
        self.render_all()
        self._run_next()

    # ---------------------------------------------------------------- actions: moving

    _WRITES = frozenset({"write_note", "save_note", "toggle_reviewed", "toggle_flag", "pin_prompt", "add_action",
                         "end_session"})

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        # Once the session has ended its writing keys show dimmed and do nothing (the header says ENDED).
        if self.ended and action in self._WRITES:
            return None
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

    def cold_handover_of(self, item):
        """The case's latest completed handover when it is cold and not yet reviewed."""
        from planner.handover import is_cold

        done = [h for h in item.case.handovers if h.is_completed] if item is not None else []
        last = done[-1] if done else None
        return last if last is not None and is_cold(last) and not last.reviewed else None

    def action_review_handover(self) -> None:
        """V: the lead reviews the case's cold handover (docs/handovers.md); the
        `cold_handover` warning then ends and the case moves in the queue
        at the next session."""
        from tui import handover_data as hd
        from tui.data import initials
        from tui.screens.handover import ReviewForm

        if not self._ready() or self.current is None:
            return
        item = self.current
        last = self.cold_handover_of(item)
        if last is None:
            self.notify("This case has no cold handover waiting for review.", timeout=3)
            return
        app, ref = self.app, item.case_ref
        name = initials(item.case.display_name) if app.privacy else item.case.display_name

        def save(note: str):
            return hd.review(app.gateway, case_ref=ref, note=note, on=app.as_of, actor=app.actor,
                             handover_id=last.id)

        def done(result) -> None:
            if result is not None:
                self.notify(f"{ref}: the cold handover is reviewed; it leaves the warnings.", timeout=5)
                self.load()

        self._save_draft(ref)
        app.push_screen(ReviewForm(save, handover=last, who=f"{ref} {name}", privacy=app.privacy), done)

    def action_open_case(self) -> None:
        from tui.screens.case import CaseScreen

        item = self.current
        if item is None:
            return
        self._save_draft(item.case_ref)
        self._reload_on_resume = True
        self.app.push_screen(CaseScreen(item.case_ref))

    # ---------------------------------------------------------------- actions: prompts, marks, actions

    def _writable(self, *, needs_case: bool = True) -> bool:
        if not self._ready():
            return False
        if self.ended:
            self.notify(f"Session {self.view.session_id} has ended: its notes and marks are fixed. "
                        "e exports the record.", severity="warning", timeout=5)
            return False
        if needs_case and self.current is None:
            self.notify("Choose a case first (n).", timeout=3)
            return False
        return True

    def action_next_prompt(self) -> None:
        if not self._ready():
            return
        self.prompt_index += 1
        self._render_prompt()

    def action_pin_prompt(self) -> None:
        if not self._writable():
            return
        prompt = self.current_prompt()
        if prompt is None:
            return
        ref = self.current_ref
        note = self.notes.get(ref)
        if note and " ".join(prompt.pin_text.split()) in note.pinned:
            self.notify("That prompt is already pinned to this note.", timeout=3)
            return
        self._save_draft(ref)
        self._enqueue(Job("pin", ref, {"prompt_text": prompt.pin_text}))

    def action_toggle_flag(self) -> None:
        if not self._writable():
            return
        ref = self.current_ref
        value = not self.is_flagged(ref)
        self.intent[("flag", ref)] = value
        self._save_draft(ref)
        self._enqueue(Job("flag", ref, {"value": value}))
        self.notify(f"{ref} flagged for discussion." if value else f"{ref}: flag cleared.", timeout=2)
        self.render_all()

    def action_toggle_reviewed(self) -> None:
        if not self._writable():
            return
        ref = self.current_ref
        value = not self.is_reviewed(ref)
        self.intent[("review", ref)] = value
        self._save_draft(ref)
        self._enqueue(Job("review", ref, {"value": value}))
        if not value:
            self.notify(f"{ref}: reviewed mark taken back.", timeout=2)
        self.render_all()

    def action_add_action(self) -> None:
        if not self._writable(needs_case=False):
            return
        view, app = self.view, self.app
        item = self.current
        people = [view.practitioner, view.lead]
        owners = [(f"{p.practitioner_id} · {self.shown(p.name)}", p.practitioner_id) for p in people]
        sid, ref = view.session_id, item.case_ref if item is not None else None
        who = f"{ref} {self.shown(item.display_name)}" if item is not None else "the session"

        def save(value: ActionInput):
            return data.add_action(app.gateway, sid, case_ref=value.case_ref, owner_id=value.owner_id,
                                   text=value.text, due=value.due, actor=app.actor)

        def done(actions) -> None:
            if actions is None:
                return
            self.actions = actions
            newest = max(actions, key=lambda a: a.id)
            self.notify(f"Action agreed: {newest.owner.id}, due {newest.due:%a %d %b}. "
                        "It shows in their week plan.", timeout=4)
            self.render_all()

        app.push_screen(ActionForm(save, as_of=view.as_of, owners=owners, owner=view.practitioner.practitioner_id,
                                   case_ref=ref, who=who), done)

    def action_export(self) -> None:
        if not self._ready():
            return
        view = self.view
        privacy = bool(self.app.privacy)
        default = self.exported or data.default_export_path(view.practitioner.practitioner_id, view.session_date,
                                                            view.session_id)
        self._save_draft(self.current_ref)

        def chosen(path) -> None:
            if path is not None:
                self._enqueue(Job("export", None, {"path": path, "privacy": privacy}))

        self.app.push_screen(RecordPathForm(lambda path: path, default=default, privacy=privacy), chosen)

    def action_end_session(self) -> None:
        if not self._writable(needs_case=False):
            return
        prog = self.progress()

        def answered(yes: bool | None) -> None:
            if yes:
                self._save_draft(self.current_ref)
                self._enqueue(Job("end"))

        self.app.push_screen(ConfirmScreen(
            f"End supervision session {self.view.session_id}?",
            f"{prog.text}. Notes, flags and reviewed marks are then fixed; actions stay open until ticked off."),
            answered)

    # ---------------------------------------------------------------- earlier sessions

    @work(thread=True, group="supervision-read", exit_on_error=False)
    def _read(self, fn, then) -> None:
        try:
            result = fn()
        except CaseloadError as exc:
            self.app.call_from_thread(self.notify, str(exc), severity="error", timeout=8)
        except Exception as exc:  # noqa: BLE001 - a notice, not a traceback
            self.app.call_from_thread(self.notify, f"Could not read ({type(exc).__name__}).", severity="error")
        else:
            self.post_message(self.Read(then, result))

    @on(Read)
    def _read_done(self, message: Read) -> None:
        message.then(message.result)

    def action_earlier_sessions(self) -> None:
        from tui.screens.picker import PickerScreen

        if not self._ready():
            return
        gateway, privacy = self.app.gateway, bool(self.app.privacy)

        def listed(sessions) -> None:
            earlier = [s for s in sessions if s.id != self.view.session_id]
            if not earlier:
                self.notify(f"No earlier sessions for {self.practitioner_id}.", timeout=3)
                return
            options = [(f"Session {s.id} · {s.session_date:%a %d %b %Y} · lead {s.lead_id or '—'} · "
                        f"{s.reviewed} reviewed · {s.actions} action{'s' if s.actions != 1 else ''} "
                        f"({s.open_actions} open)" + ("" if s.ended_at else " · not ended"), str(s.id))
                       for s in earlier]
            self.app.push_screen(PickerScreen(f"Earlier sessions of {self.practitioner_id}", options), chosen)

        def chosen(value: str | None) -> None:
            if value:
                self._read(lambda: data.record_markdown(gateway, int(value), privacy=privacy),
                           lambda text: self.app.push_screen(RecordScreen(text)))

        self._read(lambda: data.earlier_sessions(gateway, self.practitioner_id), listed)
