"""The handover screen (tui/screens/handover/__init__.py): one case's
checklist, summary and three-way meeting; its modals open by name
(tui/screens/registry.py)."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.message import Message
from textual.screen import Screen
from textual.widgets import OptionList, TextArea
from textual.widgets.option_list import Option

from planner.errors import ConflictError
from planner.words import plural
from tui.data import initials
from tui.handover_data import OWNER_WORDS, HandoverScreenView
from tui.screens.handover.common import STATUS_WORDS, clip, ordered_items, progress_line, short
from tui.screens.loading import ViewLoader, failure
from tui.screens.registry import open_screen
from tui.text import plain
from tui.widgets import severity
from tui.widgets.chrome import KeyBar, TitleBar
from tui.widgets.plain import Static

if TYPE_CHECKING:
    from tui.screens.handover.complete_form import CompleteInput
    from tui.screens.handover.three_way_form import ThreeWayInput
    from tui.screens.handover.view_form import ViewInput


class HandoverScreen(ViewLoader, Screen):
    CSS_PATH = Path(__file__).with_suffix(".tcss")
    LOAD_GROUP = "handover-load"
    LOAD_WHAT = "the handover"
    LOAD_NOTE = "#who"
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
        self.mount_view()
        self.load()

    # ---------------------------------------------------------------- loading

    def read_view(self):
        from tui.handover_data import handover_screen

        app = self.app
        return handover_screen(app.gateway, self.case_ref, app.as_of, actor=app.actor)

    def view_loaded(self, view: HandoverScreenView) -> None:
        self.loads += 1
        self.show(view)

    def show(self, view: HandoverScreenView) -> None:
        """New data down: keep the highlighted item and any unsaved summary text."""
        self.view = view
        self.query_one(self.LOAD_NOTE).remove_class("loading-note")
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
        from planner.checklist import VIEW_WORDS

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
            progress.append(f" · {plural(len(follow), 'follow-up')} still to do"
                            if follow else " · no follow-up left")
        views = [f"{i.item_id} {VIEW_WORDS.get(i.view, i.view)}" for i in self.items if i.view]  # docs/voice.md
        if views:
            progress.append(" · the person's view: " + "; ".join(views))
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
        except Exception as exc:  # noqa: BLE001 - a notice, not a traceback
            self.post_message(self.WriteFailed(failure(exc, "Could not save ({kind}); nothing was changed."),
                                               isinstance(exc, ConflictError), what))
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

    def _changeable_item(self, settled) -> object | None:
        """The highlighted checklist item if it may still change (the handover
        is open, or the item is a follow-up); else None, `settled(item)` said."""
        if not self._ready():
            return None
        item = self.current_item
        if item is not None and not self.view.handover.is_open and not item.follow_up:
            self.notify(settled(item), severity="warning", timeout=6)
            return None
        return item

    def action_toggle(self) -> None:
        from tui import handover_data as hd

        item = self._changeable_item(lambda item: f"“{clip(item.title, 40)}” was settled when the handover was "
                                     "completed; only follow-up items (due after completion) can still be ticked.")
        if item is None:
            return
        h = self.view.handover
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

            open_screen(app, "handover-view", save, item=item, who=self.who, callback=done)
            return
        self.write(lambda: hd.tick(app.gateway, case_ref=h.case_ref, item=item, on=app.as_of, actor=app.actor),
                   said, "tick")

    @on(OptionList.OptionSelected, "#items")
    def _selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.action_note()

    def action_note(self) -> None:
        from tui import handover_data as hd

        item = self._changeable_item(lambda _item: "Notes can be changed on open items and follow-ups only.")
        if item is None:
            return
        h = self.view.handover
        app = self.app

        def save(note: str):
            return hd.set_note(app.gateway, case_ref=h.case_ref, item=item, note=note or None, on=app.as_of,
                               actor=app.actor)

        def done(result) -> None:
            if result is not None:
                self.post_message(self.Written(result, "Note saved."))

        open_screen(app, "handover-item-note", save, item=item, who=self.who, callback=done)

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

        open_screen(app, "handover-three-way", save, as_of=app.as_of, planned_on=h.planned_on, who=self.who,
                    incoming=self.person(h.to_id, h.to_name), callback=done)

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

        open_screen(app, "handover-complete", save, handover=h, as_of=app.as_of, who=self.who, callback=done)

    def action_replan(self) -> None:
        from tui import handover_data as hd

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

        open_screen(app, "handover-form", save, as_of=app.as_of, who=self.who, receivers=receivers,
                    lead=view.leads_it(app.practitioner_id), current=(h.to_id, h.planned_on), callback=done)

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

        open_screen(app, "handover-review", save, handover=h, who=self.who, privacy=app.privacy, callback=done)

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

        open_screen(app, "confirm", f"Cancel the handover of {self.who} to {h.to_id}?\n"
                    f"The case stays with {h.from_id}; the checklist is kept in the history.",
                    yes="Cancel handover", no="Keep it", callback=answered)

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
