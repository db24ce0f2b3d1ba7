"""One case: who the person is on top, then its parts in a scrolling body
(warnings, continuity, contact timeline, booked, contacts, notes), each a
widget of tui/widgets/case_parts/; record, book, plan, note."""

from __future__ import annotations

from pathlib import Path

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll

from planner.errors import CaseloadError
from tui.data import CaseView
from tui.screens.case_voice import VOICE_BINDINGS, CaseVoiceActions
from tui.screens.loading import ViewLoader
from tui.screens.registry import open_screen
from tui.widgets.case_parts.booked import CaseBooked
from tui.widgets.case_parts.contacts import CaseContacts
from tui.widgets.case_parts.continuity import CaseContinuity
from tui.widgets.case_parts.notes import CaseNotes
from tui.widgets.case_parts.part import CasePart, name_of
from tui.widgets.case_parts.sentence import CaseSentence
from tui.widgets.case_parts.timeline import CaseTimeline
from tui.widgets.case_parts.voice import CaseVoice
from tui.widgets.case_parts.warnings import CaseWarnings
from tui.widgets.case_parts.who import CaseWho
from tui.widgets.chrome import KeyBar, TitleBar
from tui.widgets.sentence import SentenceKeys  # §11: keys s and t


class CaseScreen(CaseVoiceActions, ViewLoader, SentenceKeys):
    CSS_PATH = Path(__file__).with_suffix(".tcss")
    # The body scrolls, never the screen: one vertical scrollbar.
    DEFAULT_CSS = "CaseScreen { overflow: hidden hidden; }"
    LOAD_GROUP = "case-load"
    LOAD_WHAT = "the case"
    LOAD_NOTE = "#who"
    help_title = "case screen"

    # The body's parts, top to bottom: a new part is a module of
    # tui/widgets/case_parts/ and one line here.
    PARTS: tuple[type[CasePart], ...] = (
        CaseSentence,
        CaseWarnings,
        CaseContinuity,
        CaseVoice,
        CaseTimeline,
        CaseBooked,
        CaseContacts,
        CaseNotes,
    )

    BINDINGS = [
        Binding("c", "record_contact", "Contact", id="case.contact"),
        Binding("a", "book", "Book", id="case.book"),
        Binding("h", "handover", "Handover", id="case.handover"),
        Binding("n", "note", "Note", id="case.note"),
        *VOICE_BINDINGS,
        Binding("escape,backspace", "back", "Back", id="case.back"),
        Binding("w", "week", "Week", id="case.week", show=False),
        Binding("R", "reload", "Reload", id="case.reload", show=False),
        # The top (who the person is) and the bottom, wherever the focus is.
        Binding("home", "top", "Top", id="case.top", show=False),
        Binding("end", "bottom", "Bottom", id="case.bottom", show=False),
    ]

    def __init__(self, case_ref: str) -> None:
        super().__init__()
        self.case_ref = case_ref
        self.view: CaseView | None = None

    def compose(self) -> ComposeResult:
        yield TitleBar()
        yield CaseWho(f"Loading case {self.case_ref}…", id="who", classes="loading-note")
        with VerticalScroll(id="body"):
            for part in self.PARTS:
                yield from part.widgets()
        yield KeyBar()

    def on_mount(self) -> None:
        self.title = "caseload"
        self.sub_title = f"case {self.case_ref}"
        self.query_one("#body").focus()
        self.mount_view(redraw_on=("privacy", "theme"))
        self.load()

    # ---------------------------------------------------------------- loading

    def read_view(self):
        app = self.app
        return app.gateway.case(self.case_ref, app.as_of)

    # ---------------------------------------------------------------- rendering (data down)

    def render_view(self) -> None:
        view = self.view
        if view is None:
            return
        self.sub_title = (f"case {view.case.case_ref} · as of {view.as_of:%a %d %b %Y}"
                          + (" · PRIVACY" if self.app.privacy else ""))
        for part in self.walk_children():
            if isinstance(part, CasePart):
                part.show_view(view)

    # ---------------------------------------------------------------- actions: forms that save in a worker

    def _who_label(self) -> str:
        case = self.view.case
        return f"{case.case_ref} {name_of(self.app, case.display_name)}"

    def _saved(self, what: str):
        def done(result) -> None:
            if result is None:
                return
            self.notify(what, timeout=4)
            self.load()

        return done

    def _ready(self) -> bool:
        if self.view is None:
            self.notify("Still loading the case.", severity="warning", timeout=3)
            return False
        return True

    def action_record_contact(self) -> None:
        if not self._ready():
            return
        app, case = self.app, self.view.case
        practitioner = app.practitioner_id or case.practitioner_id

        held: dict = {}  # what the optional check-in after it needs (tui/screens/case_voice.py)

        def save(value):
            if practitioner is None:
                raise CaseloadError("Choose who you are first (P on the caseload screen).")
            held.update(date=value.contact_date, outcome=value.outcome)
            return app.gateway.record_contact(
                case_ref=case.case_ref, contact_date=value.contact_date, practitioner_id=practitioner,
                kind=value.kind, outcome=value.outcome, notes=value.notes, actor=app.actor,
                cancelled_by=value.cancelled_by, with_practitioner_id=value.with_practitioner_id)

        others = {pid: label for label, pid in self.view.receivers}
        handover = case.open_handover
        if handover is not None:  # the incoming practitioner, at a three-way
            others.setdefault(handover.to_practitioner_id, handover.to_practitioner_id)
        if case.practitioner_id:
            others.setdefault(case.practitioner_id, case.practitioner_id)
        others.pop(practitioner, None)
        choices = [(label if not app.privacy else label.split(" · ")[0], pid) for pid, label in others.items()]
        open_screen(app, "contact-form", save, as_of=app.as_of, who=self._who_label(), others=choices,
                    callback=self.contact_saved(held))

    def action_book(self) -> None:
        if not self._ready():
            return
        app, case = self.app, self.view.case
        holder = case.practitioner_id or app.practitioner_id

        def save(value):
            if holder is None:
                raise CaseloadError("This case has no practitioner to book with.")
            return app.gateway.book_appointment(
                case_ref=case.case_ref, appointment_date=value.appointment_date, practitioner_id=holder,
                time=value.time, kind=value.kind, rrule=value.rrule, actor=app.actor,
                override_reason=value.override_reason)

        open_screen(app, "appointment-form", save, as_of=app.as_of, who=self._who_label(),
                    absences=self.view.absences, practitioner=holder or "", lead=self.view.viewer_leads,
                    callback=self._saved("Appointment booked."))

    def action_handover(self) -> None:
        if not self._ready():
            return
        app, case = self.app, self.view.case
        from tui.handover_data import has_handover_to_show

        if has_handover_to_show(case):  # open, or completed with follow-ups open
            self.open_handover_screen()
            return
        if not self.view.receivers:
            self.notify("Nobody in the team can take this case.", severity="warning")
            return
        receivers = [(label if not app.privacy else label.split(" · ")[0], pid) for label, pid in self.view.receivers]

        def save(value):
            return app.gateway.plan_handover(
                case_ref=case.case_ref, to_practitioner_id=value.to_practitioner_id, planned_on=value.planned_on,
                reason=value.reason, actor=app.actor, as_of=app.as_of, override_reason=value.override_reason)

        def planned(result) -> None:
            if result is not None:
                self.notify("Handover planned, with its checklist.", timeout=4)
                self.open_handover_screen()

        open_screen(app, "handover-form", save, as_of=app.as_of, who=self._who_label(), receivers=receivers,
                    lead=self.view.viewer_leads, days_ahead=app.policy.handover.default_days_ahead,
                    nation=self.view.nation, callback=planned)

    def open_handover_screen(self) -> None:
        """The handover screen (tui/screens/handover/); the case reloads on return."""
        open_screen(self.app, "handover", self.case_ref, callback=lambda _changed: self.load())

    def action_note(self) -> None:
        if not self._ready():
            return
        app, case = self.app, self.view.case

        def save(text):
            return app.gateway.add_case_note(case_ref=case.case_ref, text=text, author_id=app.practitioner_id,
                                             written_on=app.as_of, actor=app.actor)

        open_screen(app, "note-form", save, who=self._who_label(), callback=self._saved("Note added."))

    def action_top(self) -> None:
        self.query_one("#body").scroll_home(animate=False)

    def action_bottom(self) -> None:
        self.query_one("#body").scroll_end(animate=False)

    def action_back(self) -> None:
        self.app.pop_screen()

    def action_week(self) -> None:
        self.app.open_week()

    def action_reload(self) -> None:
        self.load()
