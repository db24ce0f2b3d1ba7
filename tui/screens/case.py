"""One case: who the person is, the continuity chain, the contact timeline,
appointments, warnings with their detail; record, book, plan, note."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from rich.console import Group
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll

from planner.errors import CaseloadError
from planner.relationship import churn_words
from tui.data import CaseView, initials
from tui.screens.loading import ViewLoader
from tui.screens.registry import open_screen
from tui.text import plain
from tui.widgets import severity
from tui.widgets.case_detail import allocations_table, warnings_block
from tui.widgets.chrome import KeyBar, TitleBar
from tui.widgets.plain import Static
from tui.widgets.sentence import SentenceKeys, SentencePanel  # §11: keys s, t and the panel
from tui.widgets.timeline import ContactTimeline


class CaseScreen(ViewLoader, SentenceKeys):
    CSS_PATH = Path(__file__).with_suffix(".tcss")
    # The body scrolls, never the screen: one vertical scrollbar.
    DEFAULT_CSS = "CaseScreen { overflow: hidden hidden; }"
    LOAD_GROUP = "case-load"
    LOAD_WHAT = "the case"
    help_title = "case screen"

    BINDINGS = [
        Binding("c", "record_contact", "Contact", id="case.contact"),
        Binding("a", "book", "Book", id="case.book"),
        Binding("h", "handover", "Handover", id="case.handover"),
        Binding("n", "note", "Note", id="case.note"),
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
        self.loads = 0  # handled load results (tests wait on this)
        self.view: CaseView | None = None

    def compose(self) -> ComposeResult:
        yield TitleBar()
        with VerticalScroll(id="body"):
            yield Static(f"Loading case {self.case_ref}…", id="who", classes="loading-note")
            yield SentencePanel("", id="sentence", classes="section")
            yield Static("", id="warnings", classes="section")
            yield Static("Continuity", classes="section-title")
            yield Static("", id="continuity", classes="section")
            yield Static("Contact timeline", classes="section-title")
            yield ContactTimeline(id="timeline")
            yield Static("Booked", classes="section-title")
            yield Static("", id="booked", classes="section")
            yield Static("Contacts", classes="section-title")
            yield Static("", id="contacts", classes="section")
            yield Static("Notes", classes="section-title")
            yield Static("", id="notes", classes="section")
        yield KeyBar()

    def on_mount(self) -> None:
        self.title = "caseload"
        self.sub_title = f"case {self.case_ref}"
        self.query_one("#body").focus()
        self.watch(self.app, "privacy", lambda _v: self.render_view(), init=False)
        self.watch(self.app, "theme", lambda _v: self.render_view(), init=False)
        self.load()

    # ---------------------------------------------------------------- loading

    def read_view(self):
        app = self.app
        return app.gateway.case(self.case_ref, app.as_of)

    @on(ViewLoader.Loaded)
    def _loaded(self, message: ViewLoader.Loaded) -> None:
        self.loads += 1
        self.view = message.view
        self.query_one("#who").remove_class("loading-note")
        self.render_view()

    @on(ViewLoader.LoadFailed)
    def _failed(self, message: ViewLoader.LoadFailed) -> None:
        self.loads += 1
        self.query_one("#who", Static).update(f"✕ {message.message}")
        self.notify(message.message, title="Could not load", severity="error", timeout=10)

    # ---------------------------------------------------------------- rendering (data down)

    def name_of(self, display_name: str) -> str:
        return initials(display_name) if self.app.privacy else plain(display_name)

    def person(self, pid: str | None) -> str:
        if pid is None:
            return "nobody"
        name = self.view.names.get(pid, "") if self.view else ""
        if self.app.privacy and name:
            name = initials(name)
        return plain(f"{pid} {name}".strip())

    def render_view(self) -> None:
        view = self.view
        if view is None:
            return
        case, as_of = view.case, view.as_of
        self.sub_title = f"case {case.case_ref} · as of {as_of:%a %d %b %Y}" + (" · PRIVACY" if self.app.privacy else "")
        self.query_one("#who", Static).update(self._who(view))
        self.query_one("#warnings", Static).update(self._warnings(view))
        self.query_one("#continuity", Static).update(self._continuity(view))
        self.query_one(ContactTimeline).show(case.contacts, [o.day for o in view.upcoming], as_of)
        self.query_one("#booked", Static).update(self._booked(view))
        self.query_one("#contacts", Static).update(self._contacts(view))
        self.query_one("#notes", Static).update(self._notes(view))

    def _who(self, view: CaseView) -> Text:
        case = view.case
        text = Text()
        text.append(f"{case.case_ref} · {self.name_of(case.display_name)}", style="bold")
        if case.youth:
            text.append(" · youth")
        text.append("\n")
        level = case.contact_level + (f" (tier {case.tier})" if case.tier else "")
        status = case.status
        if case.status == "paused" and case.paused_until:
            status += f" until {case.paused_until:%d %b %Y}"
        text.append(f"Contact level {level} · status {status}\n")
        flags = ", ".join(sorted(f.replace("_", " ") for f in case.flags)) or "none"
        text.append(f"Flags: {flags}\n")
        alloc = case.current_allocation
        if alloc is not None:
            text.append(f"With {self.person(alloc.practitioner_id)} since {alloc.start_date:%d %b %Y} "
                        f"({view.relationship})")
        else:
            text.append("Not allocated to anyone.")
        return text

    def _warnings(self, view: CaseView):
        return warnings_block(self.app, view.warnings)

    def _continuity(self, view: CaseView):
        case = view.case
        parts: list = ([allocations_table(case.allocations, view.as_of, self.person)] if case.allocations
                       else [Text("No allocations recorded.")])
        churn = churn_words(view.churn, self.app.policy, planned=case.open_handover is not None)
        if churn is not None:
            text, level = churn
            mark = "⚠ " if level == "medium" else ""
            parts.append(Text(f"{mark}{text}", style=severity.style_for(self.app, level)))
        h = case.open_handover
        if h is not None:
            required = [i for i in h.items if i.required]
            done = sum(1 for i in required if i.done)
            parts.append(Text(f"→ Handover to {self.person(h.to_practitioner_id)} planned for "
                              f"{h.planned_on:%a %d %b %Y}: {done} of {len(required)} required checklist items done"
                              + (f" · {plain(h.reason)}" if h.reason else "")))
        return Group(*parts)

    def _booked(self, view: CaseView):
        if not view.upcoming:
            return Text("Nothing booked from today on.  a: book an appointment", style="dim")
        lines = []
        for occ in view.upcoming[:8]:
            a = occ.appointment
            at = a.time.strftime("%H:%M") if a.time else "--:--"
            series = " · series" if a.rrule else ""
            absent = any(x.covers(occ.day) for x in view.absences)
            flag = "  ⚠ practitioner absent that day" if absent else ""
            lines.append(Text(f"{occ.day:%a %d %b} {at}  {a.kind.replace('_', ' ')} with "
                              f"{a.practitioner_id}{series}{flag}"))
        more = len(view.upcoming) - 8
        if more > 0:
            lines.append(Text(f"… and {more} more", style="dim"))
        return Group(*lines)

    def _contacts(self, view: CaseView):
        contacts = [c for c in view.case.contacts if c.contact_date <= view.as_of]
        if not contacts:
            return Text("No contacts recorded.  c: record a contact", style="dim")
        lines = []
        symbols = {"attended": "●", "missed": "✕", "cancelled": "○"}
        for c in reversed(contacts[-12:]):
            sym = symbols.get(c.outcome, "·") if (c.meaningful or c.outcome != "attended") else "○"
            style = severity.style_for(self.app, "high") if c.outcome == "missed" else None
            lines.append(Text(f"{sym} {c.contact_date:%a %d %b %Y}  {c.kind.replace('_', ' '):<10} {c.outcome:<9} "
                              f"{c.practitioner_id}", style=style))
        if len(contacts) > 12:
            lines.append(Text(f"… {len(contacts) - 12} older", style="dim"))
        return Group(*lines)

    def _notes(self, view: CaseView):
        if not view.notes:
            return Text("No notes.  n: add a note", style="dim")
        if self.app.privacy:
            return Text(f"{len(view.notes)} note(s) hidden in privacy mode.", style="dim")
        lines = []
        for note in reversed(view.notes[-5:]):
            lines.append(Text(f"{note.written_on:%d %b %Y} · {note.author_id or '—'}", style="bold"))
            lines.append(Text(plain(note.text)))
        return Group(*lines)

    # ---------------------------------------------------------------- actions: forms that save in a worker

    def _who_label(self) -> str:
        case = self.view.case
        return f"{case.case_ref} {self.name_of(case.display_name)}"

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

        def save(value):
            if practitioner is None:
                raise CaseloadError("Choose who you are first (P on the caseload screen).")
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
                    callback=self._saved("Contact recorded."))

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
                time=value.time, kind=value.kind, rrule=value.rrule, actor=app.actor)

        open_screen(app, "appointment-form", save, as_of=app.as_of, who=self._who_label(),
                    absences=self.view.absences, practitioner=holder or "", callback=self._saved("Appointment booked."))

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
                    lead=self.view.viewer_leads, days_ahead=app.policy.handover.default_days_ahead, callback=planned)

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
