"""The week as a calendar: seven day columns (rows when the terminal is
narrow), each in time order with its bank holiday and the practitioner's
absence on it, cover given, and a catch-up list of what is already overdue
and of past appointments with no outcome. ↓ or PgDn at the end of a day's
list goes on to the next day's (↑ or PgUp at its top to the one before), so
the whole week and the catch-up list are reached without Tab. `x` cancels
an appointment, `m` moves it, `o` records what happened at it, space ticks a
supervision action, `g` plans the week (tui/screens/plan.py)."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from tui.data import WeekView, absence_span, initials
from planner.words import ICS_PRIVACY
from tui.screens.loading import ViewLoader
from tui.screens.registry import open_screen
from tui.text import plain
from tui.widgets.chrome import KeyBar, TitleBar
from tui.widgets.narrow import NarrowLayout
from tui.widgets.plain import Static


KIND_LABEL = {
    "appointment": "appt",
    "contact_due": "due",
    "handover_item": "handover",
    "action": "action",
    "cover": "cover",
    "outcome": "outcome?",
}


class DayList(OptionList):
    """A day's (or the catch-up's) list: at its end ↓ and PgDn go on to the
    next list with entries, at its top ↑ and PgUp back to the one before."""

    def _leave(self, step: int) -> bool:
        screen = self.screen
        return isinstance(screen, WeekScreen) and screen.focus_list(self, step)

    def action_cursor_down(self) -> None:
        if self.highlighted is None or self.highlighted >= self.option_count - 1:
            if self._leave(1):
                return
        super().action_cursor_down()

    def action_cursor_up(self) -> None:
        if self.highlighted is None or self.highlighted <= 0:
            if self._leave(-1):
                return
        super().action_cursor_up()

    def action_page_down(self) -> None:
        if self.highlighted is None or self.highlighted >= self.option_count - 1:
            if self._leave(1):
                return
        super().action_page_down()

    def action_page_up(self) -> None:
        if self.highlighted is None or self.highlighted <= 0:
            if self._leave(-1):
                return
        super().action_page_up()


def risk_symbol(score: int) -> str:
    """The case's risk in a symbol that does not need colour."""
    if score >= 100:
        return "▲"
    if score >= 10:
        return "◆"
    if score >= 1:
        return "○"
    return " "


class DayColumn(Vertical):
    """One day: a header and its entries in an OptionList."""

    DEFAULT_CSS = """
    DayColumn { width: 1fr; height: 1fr; border-right: vkey $panel; }
    DayColumn > .day--title { text-style: bold; padding: 0 1; height: auto; }
    DayColumn > .day--title.-absent { background: $warning 30%; }
    DayColumn > .day--title.-today { text-style: bold reverse; }
    DayColumn > OptionList { height: 1fr; border: none; padding: 0; }
    """

    def __init__(self, index: int) -> None:
        super().__init__(id=f"day-{index}")
        self.index = index

    def compose(self) -> ComposeResult:
        yield Static("", classes="day--title")
        yield DayList(id=f"list-{self.index}")


class WeekScreen(NarrowLayout, ViewLoader, Screen):
    CSS_PATH = Path(__file__).with_suffix(".tcss")
    NARROW_BELOW = 110  # columns; below this the days are stacked as rows (NarrowLayout)
    LOAD_GROUP = "week-load"
    LOAD_WHAT = "the week"
    LOAD_NOTE = "#week-title"
    help_title = "week screen"
    AUTO_FOCUS = None  # focus goes to the first day with entries once loaded

    BINDINGS = [
        Binding("left_square_bracket,left", "previous_week", "Prev week", id="week.prev", key_display="["),
        Binding("right_square_bracket,right", "next_week", "Next week", id="week.next", key_display="]"),
        Binding("a", "book", "Book", id="week.book"),
        Binding("m", "move", "Move", id="week.move"),
        Binding("x", "cancel_appointment", "Cancel appt", id="week.cancel"),
        Binding("o", "outcome", "Outcome", id="week.outcome"),
        Binding("space", "tick", "Tick action", id="week.tick", show=False),
        Binding("g", "plan", "Plan week", id="week.plan"),
        Binding("e", "export", "Export .ics", id="week.export"),
        Binding("enter", "open_case", "Open case", id="week.open", show=False),
        Binding("full_stop", "this_week", "This week", id="week.today", key_display=".", show=False),
        Binding("escape,backspace", "back", "Back", id="week.back"),
        Binding("R", "reload", "Reload", id="week.reload", show=False),
    ]

    def __init__(self, practitioner_id: str, week_of: date) -> None:
        super().__init__()
        self.practitioner_id = practitioner_id
        self.week_of = week_of - timedelta(days=week_of.weekday())
        self.view: WeekView | None = None
        self.entries: dict[str, object] = {}  # option id -> PlanEntry

    def compose(self) -> ComposeResult:
        yield TitleBar()
        yield Static("Loading the week…", id="week-title")
        yield Static("", id="absences")
        with Vertical(id="week-body"):
            with Horizontal(id="days"):
                for i in range(7):
                    yield DayColumn(i)
            yield Static("Catch-up: already overdue", classes="section-title", id="catchup-title")
            yield DayList(id="catchup")
        yield KeyBar()

    def on_mount(self) -> None:
        self.title = "caseload"
        self.mount_view()
        self.load()

    def narrow_changed(self) -> None:  # NarrowLayout: below NARROW_BELOW columns the days stack as rows
        self.render_view()

    # ---------------------------------------------------------------- loading

    def read_view(self):
        app = self.app
        return app.gateway.week(self.practitioner_id, self.week_of, app.as_of)

    def view_loaded(self, view) -> None:
        if view.week_of != self.week_of:
            return  # an older request finished after the user moved on
        focused = self.focused.id if self.focused is not None else None
        super().view_loaded(view)
        target = None
        if focused:
            try:
                target = self.query_one(f"#{focused}", OptionList)
            except Exception:
                target = None
            if target is not None and not target.option_count:
                target = None
        if target is None:
            target = self._first_list()
        if target is not None:
            target.focus()

    # ---------------------------------------------------------------- rendering

    def entry_name(self, entry) -> str:
        name = entry.display_name or ""
        if not name:
            return ""
        return initials(name) if self.app.privacy else plain(name)

    def _prompt(self, entry, narrow: bool) -> Text:
        text = Text()
        text.append(risk_symbol(entry.risk_score) + " ")
        text.append(entry.time.strftime("%H:%M") + " " if entry.time else "")
        if entry.case_ref:
            text.append(entry.case_ref, style="bold")
        label = KIND_LABEL.get(entry.kind, entry.kind)
        if entry.kind == "cover":
            label = f"cover {entry.cover_for}"
        name = self.entry_name(entry)
        title = plain(entry.title)
        if entry.kind == "action":  # a supervision action: said so, with its box to tick (space)
            title = f"☐ action: {title}"
        elif entry.kind == "handover_item":
            title = f"handover: {title}"
        if narrow:
            if name:
                text.append(f" {name}")
            text.append(f" — {title}")
            if entry.kind == "cover":
                text.append(f" ({label})")
        else:
            if name:
                text.append(f" {name}")
            shown = f"{label}: {title}" if entry.kind in ("contact_due", "cover", "outcome") else title
            text.append(f"\n  {shown}")
        return text

    def render_view(self) -> None:
        view = self.view
        if view is None or not self.is_mounted:
            return
        plan, as_of = view.plan, view.as_of
        narrow = self.has_class("-narrow")
        who = view.practitioner
        name = (initials(who.name) if self.app.privacy else who.name) if who else plan.practitioner_id
        self.sub_title = f"week · {plan.practitioner_id} {name} · as of {as_of:%a %d %b %Y}"
        where = "this week" if plan.week_start <= as_of <= plan.week_end else (
            "earlier week" if plan.week_end < as_of else "later week")
        self.query_one("#week-title", Static).update(Text.assemble(
            (f"Week of {plan.week_start:%a %d %b} – {plan.week_end:%a %d %b %Y}", "bold"),
            f" ({where}) · [ ] or ← → change week"))
        notes = []
        for a in plan.absences:
            cover = f"cover: {a.cover_practitioner_id}" if a.cover_practitioner_id else "NO COVER named"
            notes.append(f"⚠ ABSENT {absence_span(a, '%a %d %b')} ({a.kind}) · {cover}")
        for c in plan.cover_given:
            notes.append(f"↪ You cover {c.absence.practitioner_id} "
                         f"({absence_span(c.absence)}): {len(c.entries)} item(s)")
        absences = self.query_one("#absences", Static)
        absences.update("\n".join(notes))
        absences.display = bool(notes)
        self.entries = {}
        for i, day in enumerate(plan.days):
            column = self.query_one(f"#day-{i}", DayColumn)
            title = column.query_one(".day--title", Static)
            holiday = f" · {day.holiday} (bank holiday)" if day.holiday else ""
            if narrow:
                label = f"{day.day:%a %d %b}" + (" ABSENT" if day.absent else "") + holiday + (
                    " · today" if day.day == as_of else "")
            else:
                label = ("▶ " if day.day == as_of else "") + f"{day.day:%a %d}" + (" ABSENT" if day.absent else "") + (
                    f"\n{day.holiday}" if day.holiday else "")
            if narrow:
                label += f" · {len(day.entries) or 'nothing'}" + (" items" if len(day.entries) > 1 else
                                                                   " item" if day.entries else "")
            title.update(label)
            title.set_class(day.absent, "-absent")
            title.set_class(day.day == as_of, "-today")
            options = []
            for j, entry in enumerate(day.entries):
                oid = f"d{i}-{j}"
                self.entries[oid] = entry
                options.append(Option(self._prompt(entry, narrow), id=oid))
            self._fill(column.query_one(OptionList), options)
        catch = []
        for j, entry in enumerate(plan.catch_up):
            oid = f"c-{j}"
            self.entries[oid] = entry
            prompt = self._prompt(entry, True)
            prompt.append(f" · {'on' if entry.kind == 'outcome' else 'due'} {entry.day:%d %b}", style="dim")
            catch.append(Option(prompt, id=oid))
        self.query_one("#catchup-title", Static).update(
            f"Catch-up: {len(catch)} overdue or with no outcome (o records one)" if catch else
            "Catch-up: nothing overdue")
        self._fill(self.query_one("#catchup", OptionList), catch)

    def _fill(self, option_list: OptionList, options: list[Option]) -> None:
        keep = option_list.highlighted
        option_list.clear_options()
        option_list.add_options(options)
        option_list.can_focus = bool(options)
        if options:
            option_list.highlighted = min(keep or 0, len(options) - 1)

    def lists(self) -> list[OptionList]:
        """The day lists, Monday first, then the catch-up list."""
        return [self.query_one(f"#list-{i}", OptionList) for i in range(7)] + [self.query_one("#catchup", OptionList)]

    def focus_list(self, current: OptionList, step: int) -> bool:
        """Focus the next (step 1) or previous (-1) list with entries after
        `current`, on its first (or last) entry; False when there is none."""
        lists = self.lists()
        if current not in lists:
            return False
        i = lists.index(current) + step
        while 0 <= i < len(lists):
            target = lists[i]
            if target.option_count:
                target.focus()
                target.highlighted = 0 if step > 0 else target.option_count - 1
                target.scroll_visible()
                return True
            i += step
        return False

    def _first_list(self) -> OptionList | None:
        if self.view is None:
            return None
        today = self.view.as_of
        lists = [self.query_one(f"#list-{i}", OptionList) for i in range(7)]
        # today's column if it has entries, else the first day with any, else the catch-up list
        for i, day in enumerate(self.view.plan.days):
            if day.day == today and day.entries:
                return lists[i]
        for option_list in lists + [self.query_one("#catchup", OptionList)]:
            if option_list.option_count:
                return option_list
        return None

    # ---------------------------------------------------------------- the selected entry

    def selected_entry(self):
        focused = self.focused
        if not isinstance(focused, OptionList) or focused.highlighted is None:
            return None
        option = focused.get_option_at_index(focused.highlighted)
        return self.entries.get(option.id or "")

    def selected_day(self) -> date | None:
        focused = self.focused
        if self.view is None or not isinstance(focused, OptionList) or not (focused.id or "").startswith("list-"):
            return None
        return self.view.plan.days[int(focused.id.split("-")[1])].day

    # ---------------------------------------------------------------- actions

    def _go(self, weeks: int) -> None:
        self.week_of = self.week_of + timedelta(weeks=weeks)
        self.query_one("#week-title", Static).update(f"Loading the week of {self.week_of:%d %b %Y}…")
        self.load()

    def action_previous_week(self) -> None:
        self._go(-1)

    def action_next_week(self) -> None:
        self._go(1)

    def action_this_week(self) -> None:
        monday = self.app.as_of - timedelta(days=self.app.as_of.weekday())
        self._go((monday - self.week_of).days // 7)

    def action_back(self) -> None:
        self.app.pop_screen()

    def action_reload(self) -> None:
        self.load()

    def action_open_case(self) -> None:
        entry = self.selected_entry()
        if entry is not None and entry.case_ref:
            self.app.open_case(entry.case_ref)

    @on(OptionList.OptionSelected)
    def _selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        entry = self.entries.get(event.option.id or "")
        if entry is not None and entry.case_ref:
            self.app.open_case(entry.case_ref)

    def _saved(self, what: str):
        def done(result) -> None:
            if result is None:
                return
            self.notify(what, timeout=5)
            self.load()

        return done

    def action_book(self) -> None:
        view = self.view
        if view is None:
            return
        app = self.app
        day = self.selected_day()
        default = day if day is not None and day >= app.as_of else None
        entry = self.selected_entry()

        def open_form(case_ref: str | None) -> None:
            if not case_ref:
                return
            name = view.names.get(case_ref, "")
            who = f"{case_ref} {initials(name) if app.privacy else name}".strip()

            def save(value):
                booked = app.gateway.book_appointment(
                    case_ref=case_ref, appointment_date=value.appointment_date, practitioner_id=self.practitioner_id,
                    time=value.time, kind=value.kind, rrule=value.rrule, actor=app.actor,
                    override_reason=value.override_reason)
                return booked, app.gateway.same_time(self.practitioner_id, value.appointment_date, value.time,
                                                     not_id=booked)

            open_screen(app, "appointment-form", save, as_of=app.as_of, who=who, absences=view.absences,
                        default=default, practitioner=self.practitioner_id, lead=view.viewer_leads,
                        callback=self._saved_clash("Appointment booked."))

        if entry is not None and entry.case_ref and entry.kind != "cover":
            open_form(entry.case_ref)
            return
        if not view.own_cases:
            self.notify("No cases to book for.", severity="warning")
            return
        cases = [(ref, initials(name) if app.privacy else name) for ref, name in view.own_cases]
        open_screen(app, "case-picker", cases, callback=open_form)

    def action_move(self) -> None:
        view = self.view
        entry = self.selected_entry()
        if view is None or entry is None or entry.appointment_id is None:
            self.notify("Select an appointment (↑↓, tab between days) to move it.", severity="warning", timeout=4)
            return
        appt = view.appointments.get(entry.appointment_id)
        version = view.versions.get(entry.appointment_id)
        if appt is None or version is None:
            self.notify("That appointment is not in this week's data; reload (R).", severity="warning")
            return
        app = self.app
        series = bool(appt.rrule)
        what = f"{entry.case_ref}'s " + ("appointment (a series)" if series else "appointment")
        current = entry.day

        def save(value):
            more = {"new_time": value.time, "override_reason": value.override_reason}
            if series:
                more.update(occurrence=entry.occurrence or entry.day, series=value.series)
            moved = app.gateway.move_appointment(appointment_id=entry.appointment_id, new_date=value.new_date,
                                                 expected_version=version, actor=app.actor, **more)
            return moved, app.gateway.same_time(self.practitioner_id, value.new_date, value.time, not_id=moved[0])

        open_screen(app, "move-form", save, as_of=app.as_of, current=current, what=what, at=entry.time,
                    series=series, lead=view.viewer_leads, callback=self._saved_clash("Appointment moved."))

    def _saved_clash(self, what: str):
        """After a save that returns (result, clashes): the notice, and a
        warning naming the other appointments at that time."""
        def done(result) -> None:
            if result is None:
                return
            _result, clash = result
            self.notify(what, timeout=5)
            if clash:
                self.notify(f"Another appointment at that time: {', '.join(clash)}.", title="Clash",
                            severity="warning", timeout=10)
            self.load()

        return done

    def _appointment(self, verb: str):
        """(entry, appointment, version) of the selected appointment, or None with a notice."""
        view = self.view
        entry = self.selected_entry()
        if view is None or entry is None or entry.appointment_id is None or entry.kind not in (
                "appointment", "outcome"):
            self.notify(f"Select an appointment (↑↓ move through the week) to {verb} it.", severity="warning",
                        timeout=4)
            return None
        appt = view.appointments.get(entry.appointment_id)
        version = view.versions.get(entry.appointment_id)
        if appt is None or version is None:
            self.notify("That appointment is not in this week's data; reload (R).", severity="warning")
            return None
        return entry, appt, version

    def action_cancel_appointment(self) -> None:
        found = self._appointment("cancel")
        if found is None:
            return
        entry, appt, version = found
        app = self.app

        def save(value):
            return app.gateway.cancel_appointment(
                appointment_id=entry.appointment_id, cancelled_by=value.cancelled_by, expected_version=version,
                actor=app.actor, occurrence=(entry.occurrence or entry.day) if appt.rrule else None,
                series=value.series, as_of=app.as_of)

        open_screen(app, "cancel-form", save, day=entry.day, what=f"{entry.case_ref}'s appointment",
                    series=bool(appt.rrule), callback=self._saved("Appointment cancelled."))

    def action_outcome(self) -> None:
        found = self._appointment("record what happened at")
        if found is None:
            return
        entry, appt, _version = found
        app = self.app
        if entry.day > app.as_of:
            self.notify("That appointment has not happened yet: cancel (x) or move (m) it.", severity="warning")
            return

        held: dict = {}  # the outcome, for the optional check-in after it (docs/voice.md)

        def save(value):
            held["outcome"] = value.outcome
            return app.gateway.record_outcome(
                appointment_id=entry.appointment_id, outcome=value.outcome, cancelled_by=value.cancelled_by,
                kind=value.kind, notes=value.notes, actor=app.actor, as_of=app.as_of,
                occurrence=(entry.occurrence or entry.day) if appt.rrule else None)

        def recorded(result) -> None:
            self._saved("Contact recorded.")(result)
            if result is not None and held.get("outcome") == "attended":
                self._offer_checkin(entry.case_ref, entry.day)

        open_screen(app, "outcome-form", save, day=entry.day, what=f"{entry.case_ref}'s appointment",
                    kind=appt.kind, callback=recorded)

    def _offer_checkin(self, case_ref: str, day: date) -> None:
        """After an attended appointment's outcome, the optional check-in of
        that day, as the case screen offers after a contact (esc skips it)."""
        app, practitioner = self.app, self.practitioner_id

        def save(value):
            return app.gateway.record_checkin(
                case_ref=case_ref, checkin_date=value.checkin_date, practitioner_id=practitioner,
                listened=value.listened, goals=value.goals, trust=value.trust, words=value.words, actor=app.actor)

        open_screen(app, "checkin-form", save, as_of=app.as_of, who=case_ref, on=day,
                    callback=self._saved("Check-in recorded."))

    def action_tick(self) -> None:
        entry = self.selected_entry()
        if entry is None or entry.kind != "action" or entry.action_id is None:
            self.notify("Space ticks a supervision action off: select one (☐ action).", severity="warning",
                        timeout=4)
            return
        app = self.app
        action_id = entry.action_id

        def tick() -> None:
            try:
                app.gateway.tick_action(action_id=action_id, done=True, on=app.as_of, actor=app.actor)
            except Exception as exc:  # a refusal or a conflict: its one line
                app.call_from_thread(self.notify, str(exc).splitlines()[0], severity="error", timeout=8)
                return
            app.call_from_thread(self._saved("Action ticked off."), True)

        self.run_worker(tick, thread=True, group="week-tick")

    def action_plan(self) -> None:
        view = self.view
        if view is None:
            return
        open_screen(self.app, "plan-week", view, callback=self._saved("Appointments booked."))

    def action_export(self) -> None:
        view = self.view
        if view is None:
            return
        app = self.app
        default = Path.home() / f"caseload-week-{view.week_of.isoformat()}.ics"

        def save(value) -> Path:  # 0600, whole or not at all, audited (storage/files.py)
            return app.gateway.export_week_ics(view, value.path, force=value.replace)

        def done(path) -> None:
            if path is not None:
                self.notify(f"Week written to {path} ({ICS_PRIVACY}).", title="Exported", timeout=10)

        open_screen(app, "export-form", save, default=default, callback=done)
