"""One case's handover: the warm-handover checklist by keys, who does what,
the outgoing practitioner's summary, the three-way meeting, completion.

Keys: space ticks or unticks the highlighted item (`told` and `review` ask
for the person's view first), enter opens its note, ctrl+s saves the
summary, b books the three-way meeting with the incoming practitioner, p
re-plans (another date or receiver, keeping what is done), C completes
(a team lead's override reason when items needed by then are open), v
reviews a cold handover (team leads), X cancels, R reloads, esc goes back.

Items are listed by due date and stay where they are when ticked, so the
cursor never loses the item it was on. Each shows its title, never its id
(docs/handovers.md); an overdue item says `⚠ OVERDUE` (never colour alone); items
the records ticked say "auto". After completion the follow-up
items (due after the completion date: first contact, the four-week
review...) can still be ticked here, and the summary stays editable until
the review is done; the rest is settled (`planner.handover`).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, time
from pathlib import Path
from typing import Any

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Input, OptionList, Select, TextArea
from textual.widgets.option_list import Option

from planner.errors import CaseloadError, ConflictError
from tui.data import initials
from tui.handover_data import OWNER_WORDS, HandoverScreenView
from tui.screens.confirm import ConfirmScreen
from tui.screens.forms import Field, FormScreen, nice, parse_date
from tui.screens.loading import ViewLoader
from tui.text import plain
from tui.widgets import severity
from tui.widgets.chrome import KeyBar, TitleBar
from tui.widgets.plain import Static


STATUS_WORDS = {
    "planned": "planned",
    "in_progress": "in progress",
    "completed_warm": "completed WARM",
    "completed_cold": "completed COLD",
    "cancelled": "cancelled",
}


def short(d: date) -> str:
    return f"{d.day} {d:%b}"


def ordered_items(handover) -> list:
    """Every item by due date (then as created): ticking one does not move it."""
    return sorted(handover.items, key=lambda i: (i.due, i.id))


def clip(text: str, width: int) -> str:
    """`text` cut to `width` characters, with `…` when cut."""
    return text if len(text) <= width else text[: max(1, width - 1)].rstrip() + "…"


def progress_line(handover) -> str:
    """`5 of 9 done · next: Incoming practitioner has read…, due 24 Nov · ⚠ 1 overdue`."""
    text = f"{handover.done} of {handover.total} done"
    todo = [i for i in handover.items if not i.done and (handover.is_open or i.follow_up)]
    nxt = min(todo, key=lambda i: (i.due, i.id), default=None)
    if nxt is not None:
        text += f" · next: {clip(nxt.title, 34)}, due {short(nxt.due)}"
    elif handover.is_open:
        text += " · every item done"
    if handover.overdue:
        text += f" · ⚠ {handover.overdue} overdue"
    return text


# ----------------------------------------------------------------------------- modal forms


class ItemNoteForm(FormScreen):
    """The note of one checklist item (empty clears it)."""

    def __init__(self, save, *, item, who: str) -> None:
        super().__init__(save)
        self.item = item
        self.title_text = f"Note · {who}"

    def fields(self):
        yield Static(self.item.title, classes="form--hint")
        yield Field("Note", TextArea(self.item.note or "", id="text", soft_wrap=True), name="text",
                    hint="Leave it empty to clear the note.")

    def collect(self) -> str:
        return self.query_one("#text", TextArea).text.strip()


@dataclass(frozen=True)
class ViewInput:
    view: str
    words: str


class ViewForm(FormScreen):
    """The person's view, recorded when `told` or `review` is ticked (docs/handovers.md)."""

    def __init__(self, save, *, item, who: str) -> None:
        super().__init__(save)
        self.item = item
        self.title_text = f"The person's view · {who}"

    def fields(self):
        from planner.checklist import VIEW_WORDS, VIEWS

        yield Static(self.item.title, classes="form--hint")
        yield Field("Their view", Select([(f"the person {VIEW_WORDS[v]}", v) for v in VIEWS],
                                         prompt="choose one", id="view", compact=True), name="view")
        yield Field("Their words", TextArea(id="words", soft_wrap=True), name="words",
                    hint="What they said, in their own words.")

    def collect(self) -> ViewInput | None:
        view = self.query_one("#view", Select).value
        words = self.query_one("#words", TextArea).text.strip()
        ok = True
        if view is Select.NULL or not view:
            self.error("view", "Choose what the person thinks of the change.")
            ok = False
        if not words:
            self.error("words", "Write what the person said.")
            ok = False
        return ViewInput(view, words) if ok else None


class ReviewForm(FormScreen):
    """A team lead reviews a cold handover: why, what was learnt (docs/handovers.md)."""

    def __init__(self, save, *, handover, who: str, privacy: bool = False) -> None:
        super().__init__(save)
        self.handover = handover  # a storage HandoverView or a planner Handover
        self.privacy = privacy
        self.title_text = f"Review the cold handover · {who}"

    def fields(self):
        h = self.handover
        left = "; ".join(i.title for i in h.items if not i.done and (h.completed_on is None or i.due <= h.completed_on))
        why = "" if self.privacy or not h.override_reason else f": {h.override_reason.rstrip('.')}"
        yield Static(f"Completed cold on {nice(h.completed_on) if h.completed_on else '?'} with an override{why}. "
                     f"Left undone: {left or 'nothing'}.", classes="form--hint")
        yield Field("Note", TextArea(id="note", soft_wrap=True), name="note",
                    hint="What was learnt, and what is done for the person now. Recorded with your name and "
                         "today's date; the cold-handover warning then ends.")

    def collect(self) -> str | None:
        text = self.query_one("#note", TextArea).text.strip()
        if not text:
            self.error("note", "Write the review note first (or esc to cancel).")
            return None
        return text


@dataclass(frozen=True)
class ThreeWayInput:
    day: date
    at: time | None


class ThreeWayForm(FormScreen):
    """Book the three-way introduction with the incoming practitioner."""

    def __init__(self, save, *, as_of: date, planned_on: date, who: str, incoming: str) -> None:
        super().__init__(save)
        self.as_of = as_of
        self.planned_on = planned_on
        self.title_text = f"Book the three-way meeting · {who}"
        self.incoming = incoming
        self.default = planned_on if planned_on >= as_of else as_of

    def fields(self):
        yield Static(f"With {self.incoming} (incoming), the outgoing practitioner and the person. "
                     f"It should be held by the handover date, {nice(self.planned_on)}.", classes="form--hint")
        yield Field("Date", Input(self.default.isoformat(), placeholder="YYYY-MM-DD", id="date", compact=True),
                    name="date")
        yield Field("Time", Input(placeholder="HH:MM, optional", id="time", compact=True), name="time")

    def collect(self) -> ThreeWayInput | None:
        ok = True
        when = parse_date(self.query_one("#date", Input).value)
        if when is None:
            self.error("date", "Give a date as YYYY-MM-DD (or DD/MM/YYYY).")
            ok = False
        elif when < self.as_of:
            self.error("date", f"Book it for {nice(self.as_of)} or later.")
            ok = False
        elif when > self.planned_on:
            self.error("date", f"After the handover date ({nice(self.planned_on)}) it would not count as the "
                               "introduction; choose an earlier day.")
            ok = False
        time_ok, at = self.optional_time()
        return ThreeWayInput(when, at) if ok and time_ok else None


@dataclass(frozen=True)
class CompleteInput:
    on: date
    override_reason: str | None


class CompleteForm(FormScreen):
    """Complete the handover on a date; an override reason when required items
    due by that date are open (the form names them)."""

    def __init__(self, save, *, handover, as_of: date, who: str) -> None:
        super().__init__(save)
        self.handover = handover
        self.as_of = as_of
        self.title_text = f"Complete the handover · {who}"

    def fields(self):
        yield Field("Completed on", Input(self.as_of.isoformat(), placeholder="YYYY-MM-DD", id="date",
                                          compact=True), name="date",
                    hint="The day the case moves to the incoming practitioner.")
        yield Static("", id="due-state", classes="form--hint")
        yield Field("Override", Input(placeholder="why complete with items open (no personal details)",
                                      id="override", compact=True), name="override")

    def on_mount(self) -> None:
        self._explain(self.as_of)
        if self.open_by(self.as_of):  # the date is usually today: the reason is what is missing
            self.call_after_refresh(self.query_one("#override", Input).focus)

    @on(Input.Changed, "#date")
    def _date_changed(self, event: Input.Changed) -> None:
        when = parse_date(event.value)
        if when is not None:
            self._explain(when)

    def open_by(self, on: date) -> tuple[str, ...]:
        return self.handover.required_due_by(on)

    def _explain(self, on: date) -> None:
        from planner.handover import ALWAYS_REQUIRED

        h = self.handover
        open_ids = self.open_by(on)
        later = [i.item_id for i in h.items if not i.done and i.due > on and i.item_id not in ALWAYS_REQUIRED]
        lines = []
        if on > self.as_of:
            lines.append(f"⚠ {short(on)} is after today: a handover is completed on the day it happens.")
        elif open_ids:
            lines.append(f"⚠ Needed to complete on {short(on)} and still open: {h.titles(open_ids)}. "
                         "Do them first, or a team lead gives an override reason: the handover will count "
                         "as COLD.")
        else:
            lines.append("✓ The person was told, the summary written and read, the three-way held, and every "
                         "item due by then is done: the handover completes WARM.")
        if later:
            lines.append(f"Still to follow after completion: {h.titles(later)}.")
        self.query_one("#due-state", Static).update("\n".join(lines))
        self.query_one("#field-override").display = bool(open_ids)

    def collect(self) -> CompleteInput | None:
        when = parse_date(self.query_one("#date", Input).value)
        if when is None:
            self.error("date", "Give a date as YYYY-MM-DD (or DD/MM/YYYY).")
            return None
        if when > self.as_of:
            self.error("date", f"A handover is completed on the day it happens, by {nice(self.as_of)}.")
            return None
        reason = self.query_one("#override", Input).value.strip() or None
        open_ids = self.open_by(when)
        if open_ids and not reason:
            self._explain(when)
            self.error("override", f"Still to do by {short(when)}: {self.handover.titles(open_ids)}. "
                                   "A team lead says why it completes anyway.")
            self.query_one("#override", Input).focus()
            return None
        return CompleteInput(when, reason if open_ids else None)


# ----------------------------------------------------------------------------- the screen


class HandoverScreen(ViewLoader, Screen):
    CSS_PATH = Path(__file__).with_suffix(".tcss")
    LOAD_GROUP = "handover-load"
    LOAD_WHAT = "the handover"
    help_title = "handover screen"
    AUTO_FOCUS = "#items"

    BINDINGS = [
        Binding("space", "toggle", "Tick", id="handover.tick"),
        Binding("enter", "note", "Note", id="handover.note", show=False),
        Binding("ctrl+s", "save_summary", "Save summary", id="handover.save"),
        Binding("b", "book_three_way", "Book 3-way", id="handover.book"),
        Binding("p", "replan", "Re-plan", id="handover.replan"),
        Binding("C", "complete", "Complete", id="handover.complete", key_display="C"),
        Binding("v", "review", "Review (cold)", id="handover.review"),
        Binding("X", "cancel_handover", "Cancel h/o", id="handover.cancel", key_display="X", show=False),
        Binding("escape", "back", "Back", id="handover.back"),
        Binding("R", "reload", "Reload", id="handover.reload", show=False),
    ]

    class Written(Message):
        """A write finished: the new handover (or None: reload), and what to say."""

        def __init__(self, handover: Any, said: str) -> None:
            self.handover = handover
            self.said = said
            super().__init__()

    class WriteFailed(Message):
        def __init__(self, message: str, conflict: bool, what: str) -> None:
            self.message = message
            self.conflict = conflict
            self.what = what
            super().__init__()

    def __init__(self, case_ref: str) -> None:
        super().__init__()
        self.case_ref = case_ref
        self.loads = 0  # handled load results (tests wait on this)
        self.writes = 0  # handled write results (tests wait on this)
        self.view: HandoverScreenView | None = None
        self.saved_summary = ""
        self.changed = False  # anything written here (the screen below reloads)
        self._leaving = False

    def compose(self) -> ComposeResult:
        yield TitleBar()
        with Vertical(id="body"):
            yield Static(f"Loading the handover of {self.case_ref}…", id="who", classes="loading-note")
            yield Static("", id="progress")
            yield Static("", id="roles")
            yield OptionList(id="items")
            yield Static("", id="item-detail")
            yield Static("Handover summary (outgoing practitioner) · ctrl+s saves", id="summary-title")
            yield TextArea(id="summary", soft_wrap=True)
        yield KeyBar()

    def on_mount(self) -> None:
        self.title = "caseload"
        self.sub_title = f"handover · case {self.case_ref}"
        self.watch(self.app, "privacy", lambda _v: self.render_view(), init=False)
        self.load()

    # ---------------------------------------------------------------- loading

    def read_view(self):
        from tui.handover_data import handover_screen

        app = self.app
        return handover_screen(app.gateway, self.case_ref, app.as_of, actor=app.actor)

    @on(ViewLoader.Loaded)
    def _loaded(self, message: ViewLoader.Loaded) -> None:
        self.loads += 1
        self.show(message.view)

    @on(ViewLoader.LoadFailed)
    def _failed(self, message: ViewLoader.LoadFailed) -> None:
        self.loads += 1
        self.query_one("#who", Static).update(f"✕ {message.message}")
        self.notify(message.message, title="Could not load", severity="error", timeout=10)

    def show(self, view: HandoverScreenView) -> None:
        """New data down: keep the highlighted item and any unsaved summary text."""
        self.view = view
        self.query_one("#who").remove_class("loading-note")
        area = self.query_one("#summary", TextArea)
        dirty = area.text != self.saved_summary
        self.saved_summary = view.handover.summary or ""
        if not dirty:
            area.load_text(self.saved_summary)
            area.move_cursor(area.document.end)  # go on writing where the text ends
        editable = view.handover.summary_editable
        area.read_only = not editable
        self.query_one("#summary-title", Static).update(
            "Handover summary (outgoing practitioner) · " + ("ctrl+s saves" if editable else "read only"))
        area.placeholder = "Prompts for the summary:\n" + "\n".join(f"• {p}" for p in view.prompts)
        self.render_view()
        self.refresh_bindings()

    # ---------------------------------------------------------------- rendering

    def person(self, pid: str, name: str) -> str:
        return plain(f"{pid} {initials(name) if self.app.privacy else name}")

    @property
    def items(self) -> list:
        return ordered_items(self.view.handover) if self.view else []

    def render_view(self) -> None:
        if self.view is None:
            return
        h = self.view.handover
        person = initials(h.display_name) if self.app.privacy else plain(h.display_name)
        when = h.days_away
        ahead = "today" if when == 0 else (f"in {when} days" if when > 0 else f"{-when} days ago")
        status = STATUS_WORDS.get(h.status, h.status)
        if h.completed_on:
            status += f" on {short(h.completed_on)}"
        self.sub_title = (f"handover · case {h.case_ref} · as of {self.view.as_of:%a %d %b %Y}"
                          + (" · PRIVACY" if self.app.privacy else ""))
        who = Text()
        who.append(f"{h.case_ref} · {person}", style="bold")
        who.append(f" · {h.from_id} → {h.to_id} · {h.planned_on:%a %d %b} ({ahead}) · {status}")
        if h.override_reason:
            who.append(" · override: " + ("(hidden)" if self.app.privacy else plain(h.override_reason)))
        if h.cold:
            who.append(f" · reviewed by {h.reviewed_by} {short(h.reviewed_on)}" if h.reviewed and h.reviewed_on
                       else " · ⚠ not yet reviewed")
        self.query_one("#who", Static).update(who)
        progress = Text(progress_line(h))
        if not h.is_open and h.is_completed:
            follow = h.follow_ups_open
            progress.append(f" · {len(follow)} follow-up{'s' if len(follow) != 1 else ''} still to do"
                            if follow else " · no follow-up left")
        self.query_one("#progress", Static).update(progress)
        leads = " · ".join(f"lead {self.person(pid, n)}" for pid, n in self.view.leads) or "no team lead"
        self.query_one("#roles", Static).update(
            f"outgoing {self.person(h.from_id, h.from_name)} · incoming {self.person(h.to_id, h.to_name)} · {leads}")
        self._render_items()

    def _render_items(self) -> None:
        h = self.view.handover
        items = self.items
        flagged = any(i.overdue or (not i.done and not h.is_open and not i.follow_up) for i in items)
        # room for the title: the list's width less the other columns
        # ("[x] ", the flag, "due 28 Oct ", the owner, "✓ 27 Oct auto", " ✎", a scrollbar)
        room = max(16, (self.query_one("#items", OptionList).size.width or self.size.width - 2)
                   - 4 - (11 if flagged else 0) - 1 - 12 - 10 - 13 - 2 - 1)
        ol = self.query_one("#items", OptionList)
        keep = ol.highlighted_option.id if ol.highlighted_option is not None else None
        options = []
        for item in items:
            line = Text()
            line.append("[x] " if item.done else "[ ] ")
            if item.overdue:
                line.append("⚠ OVERDUE  ", style=severity.style_for(self.app, "high"))
            elif not item.done and not h.is_open and not item.follow_up:
                line.append("✕ not done ", style=severity.style_for(self.app, "medium"))
            elif flagged:
                line.append(" " * 11)
            line.append(f"{clip(item.title, room):<{room}} ", style="bold" if not item.done else "")
            line.append(f"due {short(item.due):<7} {OWNER_WORDS.get(item.owner, item.owner):<9} ")
            if item.done:
                line.append(f"✓ {short(item.done_on)}" if item.done_on else "✓ done")
                if item.auto:
                    line.append(" auto", style="italic")
            else:
                line.append("required" if item.required else "optional", style="dim" if not item.required else "")
            if item.note:
                line.append(" ✎")
            options.append(Option(line, id=item.item_id))
        ol.clear_options()
        ol.add_options(options)
        if options:
            ids = [i.item_id for i in items]
            ol.highlighted = ids.index(keep) if keep in ids else 0
        self._render_detail()

    def on_resize(self) -> None:
        if self.view is not None:
            self._render_items()

    def _render_detail(self) -> None:
        from planner.checklist import VIEW_WORDS

        item = self.current_item
        detail = self.query_one("#item-detail", Static)
        if item is None:
            detail.update("")
            return
        text = Text(item.title, style="bold")
        if item.done and item.done_by:
            text.append(f" · ticked by {item.done_by}")
        if item.view:
            words = "" if self.app.privacy or not item.view_words else f": “{item.view_words}”"
            text.append(f" · the person {VIEW_WORDS.get(item.view, item.view)}{words}")
        if item.note:
            text.append(" · note: " + ("(hidden in privacy mode)" if self.app.privacy else plain(item.note)))
        detail.update(text)

    @on(OptionList.OptionHighlighted, "#items")
    def _highlighted(self) -> None:
        self._render_detail()

    @property
    def current_item(self):
        if self.view is None:
            return None
        ol = self.query_one("#items", OptionList)
        option = ol.highlighted_option
        if option is None:
            return None
        return next((i for i in self.view.handover.items if i.item_id == option.id), None)

    # ---------------------------------------------------------------- writes (worker → message → handler)

    @work(thread=True, group="handover-write", exit_on_error=False)
    def write(self, fn, said: str, what: str) -> None:
        try:
            result = fn()
        except ConflictError as exc:
            self.post_message(self.WriteFailed(str(exc), True, what))
        except CaseloadError as exc:
            self.post_message(self.WriteFailed(str(exc), False, what))
        except Exception as exc:  # noqa: BLE001
            self.post_message(self.WriteFailed(f"Could not save ({type(exc).__name__}); nothing was changed.",
                                               False, what))
        else:
            self.post_message(self.Written(result, said))

    @on(Written)
    def _written(self, message: Written) -> None:
        self.writes += 1
        self.changed = True
        if message.said:
            self.notify(message.said, timeout=4)
        if message.handover is not None and hasattr(message.handover, "items") and self.view is not None:
            self.show(replace(self.view, handover=message.handover))
        else:
            self.load()

    @on(WriteFailed)
    def _write_failed(self, message: WriteFailed) -> None:
        self.writes += 1
        if message.conflict:
            kept = " Your summary text is kept here: check it and ctrl+s again." if message.what == "summary" else ""
            self.notify(f"Someone else changed this handover meanwhile; reloaded.{kept}",
                        title="Not saved", severity="warning", timeout=10)
            self.load()
        else:
            self.notify(message.message, title="Not saved", severity="error", timeout=8)

    def _ready(self, *, open_only: bool = False, doing: str = "") -> bool:
        if self.view is None:
            self.notify("Still loading the handover.", severity="warning", timeout=3)
            return False
        if open_only and not self.view.handover.is_open:
            self.notify(f"This handover is {STATUS_WORDS.get(self.view.handover.status)}; you can't {doing} now.",
                        severity="warning", timeout=5)
            return False
        return True

    @property
    def who(self) -> str:
        h = self.view.handover
        return plain(f"{h.case_ref} {initials(h.display_name) if self.app.privacy else h.display_name}")

    # ---------------------------------------------------------------- actions

    _OPEN_ONLY = frozenset({"book_three_way", "replan", "complete", "cancel_handover"})

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Keys that change an open handover are hidden once it is completed or
        cancelled; the summary saves while it may change; review shows on a
        cold handover not yet reviewed, for a team lead."""
        if self.view is None:
            return True
        h = self.view.handover
        if action in self._OPEN_ONLY and not h.is_open:
            return False
        if action == "save_summary":
            return h.summary_editable
        if action == "review":
            return h.cold and not h.reviewed and self.view.leads_it(self.app.practitioner_id)
        return True

    def action_toggle(self) -> None:
        from tui import handover_data as hd

        if not self._ready():
            return
        item = self.current_item
        if item is None:
            return
        h = self.view.handover
        if not h.is_open and not item.follow_up:
            self.notify(f"“{clip(item.title, 40)}” was settled when the handover was completed; only follow-up "
                        "items (due after completion) can still be ticked.", severity="warning", timeout=6)
            return
        if item.done and item.auto:
            self.notify(f"“{clip(item.title, 40)}” was ticked from the records; correct the contact or "
                        "appointment instead.", severity="warning", timeout=6)
            return
        app = self.app
        said = f"“{clip(item.title, 40)}” " + ("not done again." if item.done else "ticked.")
        if not item.done and item.item_id == "summary" and not (self.saved_summary or "").strip():
            self.notify("Write the summary below and save it (ctrl+s) before ticking it.",
                        severity="warning", timeout=6)
            return
        if not item.done and item.item_id in ("told", "review"):
            def save(value: ViewInput):
                return hd.tick(app.gateway, case_ref=h.case_ref, item=item, on=app.as_of, actor=app.actor,
                               view=value.view, words=value.words)

            def done(result) -> None:
                if result is not None and hasattr(result, "items"):
                    self.post_message(self.Written(result, said))

            app.push_screen(ViewForm(save, item=item, who=self.who), done)
            return
        self.write(lambda: hd.tick(app.gateway, case_ref=h.case_ref, item=item, on=app.as_of, actor=app.actor),
                   said, "tick")

    @on(OptionList.OptionSelected, "#items")
    def _selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.action_note()

    def action_note(self) -> None:
        from tui import handover_data as hd

        if not self._ready():
            return
        item = self.current_item
        if item is None:
            return
        h = self.view.handover
        if not h.is_open and not item.follow_up:
            self.notify("Notes can be changed on open items and follow-ups only.", severity="warning")
            return
        app = self.app

        def save(note: str):
            return hd.set_note(app.gateway, case_ref=h.case_ref, item=item, note=note or None, on=app.as_of,
                               actor=app.actor)

        def done(result) -> None:
            if result is not None:
                self.post_message(self.Written(result, "Note saved."))

        app.push_screen(ItemNoteForm(save, item=item, who=self.who), done)

    def action_save_summary(self) -> None:
        from tui import handover_data as hd

        if not self._ready():
            return
        app, h = self.app, self.view.handover
        if not h.summary_editable:
            self.notify("The summary can no longer change: the four-week review is done.", severity="warning")
            return
        text = self.query_one("#summary", TextArea).text
        version = h.version
        finished = any(i.item_id == "summary" and i.done for i in h.items)
        said = "Summary saved." + ("" if finished else " Tick it on the checklist when it is finished.")
        self.write(lambda: hd.save_summary(app.gateway, case_ref=h.case_ref, text=text, version=version,
                                           on=app.as_of, actor=app.actor), said, "summary")

    def action_book_three_way(self) -> None:
        from tui import handover_data as hd

        if not self._ready(open_only=True, doing="book the three-way meeting"):
            return
        app, h = self.app, self.view.handover

        def save(value: ThreeWayInput):
            return hd.book_three_way(app.gateway, case_ref=h.case_ref, day=value.day, at=value.at, with_id=h.to_id,
                                     actor=app.actor)

        def done(result) -> None:
            if result is not None:
                self.post_message(self.Written(None, f"Three-way meeting booked with {h.to_id}. When it is held, "
                                                     f"{h.to_id} records it as a three-way contact and the item "
                                                     "ticks itself."))

        app.push_screen(ThreeWayForm(save, as_of=app.as_of, planned_on=h.planned_on, who=self.who,
                                     incoming=self.person(h.to_id, h.to_name)), done)

    def action_complete(self) -> None:
        from tui import handover_data as hd

        if not self._ready(open_only=True, doing="complete it"):
            return
        app, h = self.app, self.view.handover
        version = h.version

        def save(value: CompleteInput):
            return hd.complete(app.gateway, case_ref=h.case_ref, on=value.on, override_reason=value.override_reason,
                               version=version, actor=app.actor, as_of=app.as_of)

        def done(result) -> None:
            if result is None:
                return
            word = "COLD: it shows as a cold handover until reviewed" if result.cold else "warm"
            self.post_message(self.Written(result, f"Handover completed ({word}). The case is now with {h.to_id}."))

        app.push_screen(CompleteForm(save, handover=h, as_of=app.as_of, who=self.who), done)

    def action_replan(self) -> None:
        from tui import handover_data as hd
        from tui.screens.forms import HandoverForm

        if not self._ready(open_only=True, doing="re-plan it"):
            return
        app, view, h = self.app, self.view, self.view.handover
        version = h.version
        receivers = [(label if not app.privacy else label.split(" · ")[0], pid) for label, pid in view.receivers]

        def save(value):
            return hd.replan(app.gateway, case_ref=h.case_ref,
                             to_id=value.to_practitioner_id if value.to_practitioner_id != h.to_id else None,
                             planned_on=value.planned_on if value.planned_on != h.planned_on else None,
                             override_reason=value.override_reason, version=version, as_of=app.as_of,
                             actor=app.actor)

        def done(result) -> None:
            if result is not None and hasattr(result, "items"):
                self.post_message(self.Written(result, f"Re-planned: to {result.to_id} on "
                                                       f"{result.planned_on:%a %d %b}; what was done is kept."))

        app.push_screen(HandoverForm(save, as_of=app.as_of, who=self.who, receivers=receivers,
                                     lead=view.leads_it(app.practitioner_id), current=(h.to_id, h.planned_on)),
                        done)

    def action_review(self) -> None:
        from tui import handover_data as hd

        if not self._ready():
            return
        app, h = self.app, self.view.handover
        if not (h.cold and not h.reviewed):
            self.notify("Only a cold handover not yet reviewed is reviewed.", severity="warning")
            return

        def save(note: str):
            return hd.review(app.gateway, case_ref=h.case_ref, note=note, on=app.as_of, actor=app.actor,
                             handover_id=h.id)

        def done(result) -> None:
            if result is not None and hasattr(result, "items"):
                self.post_message(self.Written(result, "Reviewed: the cold handover leaves the warnings."))

        app.push_screen(ReviewForm(save, handover=h, who=self.who, privacy=app.privacy), done)

    def action_cancel_handover(self) -> None:
        from tui import handover_data as hd

        if not self._ready(open_only=True, doing="cancel it"):
            return
        app, h = self.app, self.view.handover
        version = h.version

        def answered(yes: bool | None) -> None:
            if yes:
                self.write(lambda: hd.cancel(app.gateway, case_ref=h.case_ref, version=version, on=app.as_of,
                                             actor=app.actor),
                           f"Handover cancelled; the case stays with {h.from_id}.", "cancel")

        app.push_screen(ConfirmScreen(f"Cancel the handover of {self.who} to {h.to_id}?\n"
                                      f"The case stays with {h.from_id}; the checklist is kept in the history.",
                                      yes="Cancel handover", no="Keep it"), answered)

    def action_reload(self) -> None:
        self.load()

    def action_back(self) -> None:
        area = self.query_one("#summary", TextArea)
        if area.text != self.saved_summary and not self._leaving and self.view and self.view.handover.is_open:
            self._leaving = True
            self.notify("The summary has unsaved changes: ctrl+s saves, esc again leaves without saving.",
                        severity="warning", timeout=6)
            return
        self.dismiss(self.changed)
