"""Plan my week (`g` on the week screen): a proposed slot for every case
whose contact falls due this week or next with nothing booked
(planner/suggest.py), riskiest first. Space accepts or drops one, `A`
accepts all, `m` moves the highlighted proposal to another date and time,
`b` (or Enter) books the accepted ones in one transaction; Esc leaves
without booking."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import ModalScreen
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from planner.words import plural
from tui.data import initials
from tui.screens.loading import ViewLoader
from tui.screens.registry import open_screen
from tui.text import plain
from tui.widgets.chrome import KeyBar
from tui.widgets.plain import Static


class PlanScreen(ViewLoader, ModalScreen):
    """The proposals are the screen's view (ViewLoader), read from the week shown."""

    CSS_PATH = Path(__file__).with_suffix(".tcss")
    LOAD_GROUP = "plan-read"
    LOAD_VERB = "plan"
    LOAD_WHAT = "the week"
    LOAD_NOTE = "#plan-title"
    LOAD_FAILED_TITLE = "Plan the week"
    help_title = "plan the week"

    BINDINGS = [
        Binding("space", "toggle", "Accept/drop", id="plan.toggle"),
        Binding("A", "accept_all", "Accept all", id="plan.all"),
        Binding("m", "move", "Move", id="plan.move"),
        Binding("b,enter", "book", "Book", id="plan.book"),
        Binding("escape", "leave", "Back", id="plan.back"),
    ]

    def __init__(self, week) -> None:
        super().__init__()
        self.week = week  # the week screen's WeekView
        self.proposals: list = []
        self.accepted: set[str] = set()  # case refs
        self.booked: list[int] | None = None

    def compose(self) -> ComposeResult:
        yield Static("Planning the week: finding free slots…", id="plan-title")
        yield OptionList(id="proposals")
        yield Static("", id="plan-hint")
        yield KeyBar()

    def on_mount(self) -> None:
        self.load()

    @property
    def loaded(self) -> bool:
        """The proposals are read (or could not be)."""
        return self.loads > 0

    def read_view(self):
        return self.app.gateway.suggest(self.week)

    def view_loaded(self, proposals) -> None:
        self.proposals = list(proposals)
        super().view_loaded(proposals)
        self.query_one(OptionList).focus()

    def render_view(self) -> None:
        n, accepted = len(self.proposals), len(self.accepted)
        self.query_one("#plan-title", Static).update(Text.assemble(
            ("Plan the week", "bold"),
            f" · {plural(n, 'case')} falling due with nothing booked, riskiest first"
            + (f" · {accepted} accepted" if accepted else "")))
        self.query_one("#plan-hint", Static).update(
            "space accept/drop · A accept all · m move · b book the accepted · esc back" if n else
            "Nothing to plan: every contact falling due has an appointment booked.")
        option_list = self.query_one(OptionList)
        keep = option_list.highlighted
        option_list.clear_options()
        for p in self.proposals:
            name = initials(p.display_name) if self.app.privacy else plain(p.display_name)
            box = "☑" if p.case_ref in self.accepted else "☐"
            line = Text(f"{box} {p.day:%a %d %b} {p.time:%H:%M} ")
            line.append(p.case_ref, style="bold")
            line.append(f" {name}\n    {plain(p.reason)}")
            option_list.add_option(Option(line, id=p.case_ref))
        if self.proposals:
            option_list.highlighted = min(keep or 0, len(self.proposals) - 1)

    def selected(self):
        option_list = self.query_one(OptionList)
        if option_list.highlighted is None or not self.proposals:
            return None
        return self.proposals[option_list.highlighted]

    def action_toggle(self) -> None:
        p = self.selected()
        if p is None:
            return
        self.accepted ^= {p.case_ref}
        self.render_view()

    def action_accept_all(self) -> None:
        self.accepted = {p.case_ref for p in self.proposals}
        self.render_view()

    @on(OptionList.OptionSelected)
    def _selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.action_book()

    def action_move(self) -> None:
        p = self.selected()
        if p is None:
            return
        app = self.app

        def save(value):
            from planner.errors import CaseloadError

            if value.time is None:
                raise CaseloadError("a proposal needs a time (HH:MM)")
            clash = app.gateway.same_time(self.week.plan.practitioner_id, value.new_date, value.time)
            taken = [q.case_ref for q in self.proposals
                     if q.case_ref != p.case_ref and (q.day, q.time) == (value.new_date, value.time)]
            if clash or taken:
                raise CaseloadError(f"that time is taken ({', '.join(clash + taken)})")
            return value

        def done(value) -> None:
            if value is None:
                return
            i = self.proposals.index(p)
            self.proposals[i] = replace(p, day=value.new_date, time=value.time,
                                        reason=f"moved by hand; due {p.due:%a %d %b}")
            self.accepted.add(p.case_ref)
            self.render_view()

        open_screen(app, "move-form", save, as_of=app.as_of, current=p.day, what=f"the proposal for {p.case_ref}",
                    at=p.time, callback=done)

    def action_book(self) -> None:
        chosen = [p for p in self.proposals if p.case_ref in self.accepted]
        if not chosen:
            self.notify("Accept a proposal first (space, or A for all).", severity="warning", timeout=4)
            return
        self.book(chosen)

    @work(thread=True, group="plan-book", exclusive=True)
    def book(self, chosen) -> None:
        app = self.app
        try:
            booked = app.gateway.book_proposals(practitioner_id=self.week.plan.practitioner_id, proposals=chosen,
                                                actor=app.actor)
        except Exception as exc:  # refused or a conflict: nothing booked, its one line
            app.call_from_thread(self.notify, str(exc).splitlines()[0], title="Nothing booked", severity="error",
                                 timeout=10)
            return
        app.call_from_thread(self._booked, booked)

    def _booked(self, booked) -> None:
        self.booked = booked
        self.notify(f"Booked {plural(len(booked), 'appointment')}.", timeout=5)
        self.dismiss(booked)

    def action_leave(self) -> None:
        self.dismiss(None)
