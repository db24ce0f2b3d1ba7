"""Modal forms: record a contact, book or move an appointment, plan a
handover, add a note, export the week.

Each form is a `ModalScreen` that validates on submit and says what is wrong
next to the field. Saving runs in a thread worker through a `save` callable
handed in by the screen that opened the form (data down); on success the form
dismisses with the saved value, on a refused or failed save it shows a notice
and stays open with everything the user typed kept.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any, Callable, Iterable

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Select, TextArea

from planner import validate
from planner.errors import CaseloadError, ConflictError
from planner.model import CANCELLED_BY, CONTACT_KINDS, OUTCOMES
from tui.text import content
from tui.widgets.plain import Label, Static


# What a conflict adds: the typing is kept, and how to see the other change.
CONFLICT_HINT = " What you typed is kept here: esc closes this form, R reloads, then open it again."

# How an error that is not the user's looks. Personal data never goes here.
UNEXPECTED = "Could not save ({name}); nothing was changed. Try again."


def parse_date(text: str) -> date | None:
    """ISO `YYYY-MM-DD` or UK `DD/MM/YYYY`; None when it is neither."""
    text = text.strip()
    for fmt in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    return None


def parse_time(text: str) -> time | None:
    try:
        return datetime.strptime(text.strip(), "%H:%M").time()
    except ValueError:
        return None


def nice(d: date) -> str:
    return d.strftime("%a %d %b %Y")


class Field(Vertical):
    """A label, a control and the place where its error is written."""

    DEFAULT_CSS = """
    Field { height: auto; }
    Field > .field--row { height: auto; }
    Field > .field--row > Label { width: 14; padding: 0 1 0 0; text-align: right; }
    Field > .field--error { color: $error; padding-left: 14; display: none; height: auto; }
    Field > .field--error.-shown { display: block; }
    Field > .field--hint { color: $text-muted; padding-left: 14; height: auto; }
    """

    def __init__(self, label: str, control, *, name: str, hint: str = "") -> None:
        super().__init__(id=f"field-{name}")
        self._label = label
        self._control = control
        self._hint = hint

    def compose(self) -> ComposeResult:
        with Horizontal(classes="field--row"):
            yield Label(self._label)
            yield self._control
        yield Static("", classes="field--error")
        if self._hint:
            yield Static(self._hint, classes="field--hint")

    def set_error(self, message: str) -> None:
        err = self.query_one(".field--error", Static)
        err.update(f"✕ {message}" if message else "")
        err.set_class(bool(message), "-shown")


class FormScreen(ModalScreen[Any]):
    """Base class: subclasses give `title`, `fields()` and `collect()`."""

    CSS_PATH = Path(__file__).with_suffix(".tcss")

    title_text = "Form"
    AUTO_FOCUS = "Field Input, Field Select, Field TextArea"  # the first field, not the scroll box
    BINDINGS = [
        Binding("escape", "cancel", "Cancel", id="form.cancel"),
        Binding("ctrl+s", "submit", "Save", id="form.save"),
    ]

    def __init__(self, save: Callable[[Any], Any]) -> None:
        super().__init__()
        self._save = save
        self.saving = False

    def fields(self) -> Iterable[Field]:  # pragma: no cover - abstract
        return ()

    def collect(self) -> Any | None:
        """Read and check the controls; return the value to save, or None
        after setting errors next to the fields."""
        raise NotImplementedError

    def compose(self) -> ComposeResult:
        with VerticalScroll(classes="form"):
            yield Static(self.title_text, classes="form--title")
            yield from self.fields()
            with Horizontal(classes="form--buttons"):
                yield Button("Save", variant="primary", id="save")
                yield Button("Cancel", id="cancel")
            yield Static("ctrl+s save · esc cancel", classes="form--keys")

    def error(self, name: str, message: str) -> None:
        self.query_one(f"#field-{name}", Field).set_error(message)

    def field_refused(self, name: str, problem: str | None) -> bool:
        """Show a planner.validate check's problem next to the field: True
        when there is one (the same checks the importer applies)."""
        if problem is None:
            return False
        self.error(name, problem[:1].upper() + problem[1:] + ".")
        return True

    def text_value(self, name: str, text: str) -> str | None | bool:
        """The stripped text of a free-text field (None when empty), or False
        with the error shown when planner.validate refuses it."""
        text = text.strip()
        if text and self.field_refused(name, validate.free_text(text)):
            return False
        return text or None

    def optional_time(self, name: str = "time") -> tuple[bool, time | None]:
        """(ok, the HH:MM typed in Input #name, None when left empty); not a
        time: (False, None) with the error shown next to the field."""
        raw = self.query_one(f"#{name}", Input).value.strip()
        if not raw:
            return True, None
        at = parse_time(raw)
        if at is None:
            self.error(name, "Give a time as HH:MM (24-hour), or leave it empty.")
            return False, None
        return True, at

    def date_from(self, name: str, earliest: date, too_early: str) -> date | None:
        """The date typed in Input #name, on or after `earliest`; None with
        the error shown next to the field (`too_early` when it is before)."""
        day = parse_date(self.query_one(f"#{name}", Input).value)
        if day is None:
            self.error(name, "Give a date as YYYY-MM-DD (or DD/MM/YYYY).")
            return None
        if day < earliest:
            self.error(name, too_early)
            return None
        return day

    def file_path(self, name: str, suffix: str) -> Path | None:
        """The file path typed in Input #name (`~` expanded); None with the
        error shown when it is empty or names a folder."""
        raw = self.query_one(f"#{name}", Input).value.strip()
        if not raw:
            self.error(name, "Give a file path.")
            return None
        path = Path(raw).expanduser()
        if path.is_dir():
            self.error(name, f"That is a folder; give a file name ending {suffix}.")
            return None
        return path

    def clear_errors(self) -> None:
        for field in self.query(Field):
            field.set_error("")

    def action_cancel(self) -> None:
        self.dismiss(None)

    @on(Button.Pressed, "#save")
    def _save_pressed(self) -> None:
        self.action_submit()

    @on(Button.Pressed, "#cancel")
    def _cancel_pressed(self) -> None:
        self.action_cancel()

    @on(Input.Submitted)
    def _input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.action_submit()

    def action_submit(self) -> None:
        if self.saving:
            return
        self.clear_errors()
        value = self.collect()
        if value is None:
            return
        self.saving = True
        self.query_one("#save", Button).disabled = True
        self._run_save(value)

    @work(thread=True, exclusive=True, group="form-save", exit_on_error=False)
    def _run_save(self, value: Any) -> None:
        try:
            result = self._save(value)
        except ConflictError as exc:  # someone else saved first: keep the typing, say how to reload
            self.app.call_from_thread(self._failed, str(exc) + CONFLICT_HINT)
        except CaseloadError as exc:  # refused: unknown key, no access, lost connection
            self.app.call_from_thread(self.refused, str(exc))
        except Exception as exc:  # noqa: BLE001 - shown, never a traceback on screen
            self.app.call_from_thread(self._failed, UNEXPECTED.format(name=type(exc).__name__))
        else:
            self.app.call_from_thread(self._saved, result if result is not None else value)

    def _failed(self, message: str) -> None:
        self.saving = False
        self.query_one("#save", Button).disabled = False
        self.notify(message, title="Not saved", severity="error", timeout=8)

    def refused(self, message: str) -> None:
        """The save was refused (CaseloadError): a notice, the typing kept.
        A form whose refusal belongs to a field says so next to it too."""
        self._failed(message)

    def _saved(self, result: Any) -> None:
        self.saving = False
        self.dismiss(result)


# --- record a contact --------------------------------------------------------------------


@dataclass(frozen=True)
class ContactInput:
    contact_date: date
    kind: str
    outcome: str
    notes: str | None
    cancelled_by: str | None = None  # person | practitioner, for a cancelled one
    with_practitioner_id: str | None = None  # a second practitioner present


class ContactForm(FormScreen):
    title_text = "Record a contact"

    def __init__(self, save, *, as_of: date, who: str, others: Iterable[tuple[str, str]] = ()) -> None:
        """`others`: (label, practitioner_id) of who may have been there too
        (the incoming practitioner at a three-way meeting)."""
        super().__init__(save)
        self.as_of = as_of
        self.title_text = f"Record a contact · {who}"
        self.others = tuple(others)

    def fields(self):
        yield Field("Date", Input(self.as_of.isoformat(), placeholder="YYYY-MM-DD", id="date", compact=True),
                    name="date")
        yield Field("Kind", Select([(k.replace("_", " "), k) for k in CONTACT_KINDS], value="office",
                                   allow_blank=False, id="kind", compact=True), name="kind")
        yield Field("Outcome", Select([(o, o) for o in OUTCOMES], value="attended", allow_blank=False,
                                      id="outcome", compact=True), name="outcome")
        yield Field("Cancelled by", Select([(f"the {c}", c) for c in CANCELLED_BY], prompt="—",
                                           id="cancelled_by", compact=True), name="cancelled_by",
                    hint="For a cancelled contact: who called it off.")
        if self.others:
            yield Field("Also there", Select([(content(label), pid) for label, pid in self.others], prompt="no one else", id="with", compact=True),
                        name="with", hint="A second practitioner, e.g. the new one at a three-way.")
        yield Field("Notes", Input(placeholder="optional", id="notes", compact=True), name="notes")

    def collect(self) -> ContactInput | None:
        raw = self.query_one("#date", Input).value
        when = parse_date(raw)
        if when is None:
            self.error("date", "Give a date as YYYY-MM-DD (or DD/MM/YYYY).")
            return None
        if self.field_refused("date", validate.contact_date(when, self.as_of)):
            return None
        notes = self.text_value("notes", self.query_one("#notes", Input).value)
        if notes is False:
            return None
        outcome = self.query_one("#outcome", Select).value
        by = self.query_one("#cancelled_by", Select).value
        by = None if by is Select.NULL or not by else by
        if by is not None and outcome != "cancelled":
            self.error("cancelled_by", "Only a cancelled contact says who cancelled it; leave it as — .")
            return None
        with_pid = None
        if self.others:
            with_pid = self.query_one("#with", Select).value
            with_pid = None if with_pid is Select.NULL or not with_pid else with_pid
        return ContactInput(when, self.query_one("#kind", Select).value, outcome, notes, by, with_pid)


# --- book an appointment -------------------------------------------------------------------

REPEATS = (("one-off", ""), ("weekly", "weekly"), ("fortnightly", "fortnightly"))


@dataclass(frozen=True)
class AppointmentInput:
    appointment_date: date
    time: time | None
    kind: str
    rrule: str | None


def make_rrule(repeat: str, until: date | None, count: int | None = None) -> str | None:
    """RFC 5545 RRULE for a weekly or fortnightly series."""
    if not repeat:
        return None
    parts = ["FREQ=WEEKLY"]
    if repeat == "fortnightly":
        parts.append("INTERVAL=2")
    if until is not None:
        parts.append(f"UNTIL={until:%Y%m%d}")
    elif count:
        parts.append(f"COUNT={count}")
    return ";".join(parts)


def occurrences(start: date, rrule: str | None, limit: int = 60) -> list[date]:
    """The dates of a one-off or a series (first `limit`): planner.recurrence."""
    if not rrule:
        return [start]
    from planner.recurrence import first_dates

    return first_dates(rrule, start, limit)


class AppointmentForm(FormScreen):
    title_text = "Book an appointment"

    def __init__(self, save, *, as_of: date, who: str, absences: Iterable = (), default: date | None = None,
                 practitioner: str = "") -> None:
        super().__init__(save)
        self.as_of = as_of
        self.absences = tuple(absences)
        self.default = default or as_of + timedelta(days=7)
        self.title_text = f"Book an appointment · {who}"
        self.practitioner = practitioner
        self._warned_for: tuple | None = None

    def fields(self):
        yield Field("Date", Input(self.default.isoformat(), placeholder="YYYY-MM-DD", id="date", compact=True),
                    name="date")
        yield Field("Time", Input(placeholder="HH:MM, optional", id="time", compact=True), name="time")
        yield Field("Kind", Select([(k.replace("_", " "), k) for k in CONTACT_KINDS], value="office",
                                   allow_blank=False, id="kind", compact=True), name="kind")
        yield Field("Repeat", Select([(label, value) for label, value in REPEATS], value="", allow_blank=False,
                                     id="repeat", compact=True), name="repeat")
        yield Field("Until", Input(placeholder="end date of a series, optional", id="until", compact=True),
                    name="until", hint="A series with no end date repeats 12 times.")

    def absent_on(self, days: Iterable[date]) -> list[tuple[date, Any]]:
        hits = []
        for d in days:
            for a in self.absences:
                if a.covers(d):
                    hits.append((d, a))
                    break
        return hits

    def collect(self) -> AppointmentInput | None:
        ok = True
        when = parse_date(self.query_one("#date", Input).value)
        if when is None:
            self.error("date", "Give a date as YYYY-MM-DD (or DD/MM/YYYY).")
            ok = False
        elif self.field_refused("date", validate.appointment_date(when, self.as_of)):
            ok = False
        time_ok, at = self.optional_time()
        ok = ok and time_ok
        repeat = self.query_one("#repeat", Select).value or ""
        raw_until = self.query_one("#until", Input).value.strip()
        until = None
        if raw_until:
            until = parse_date(raw_until)
            if until is None:
                self.error("until", "Give an end date as YYYY-MM-DD, or leave it empty.")
                ok = False
            elif not repeat:
                self.error("until", "An end date only applies to a weekly or fortnightly series.")
                ok = False
            elif when is not None and until < when:
                self.error("until", f"The series can't end ({nice(until)}) before it starts ({nice(when)}).")
                ok = False
            elif self.field_refused("until", validate.in_range(until)):
                ok = False
        if not ok or when is None:
            return None
        rrule = make_rrule(repeat, until, count=None if until else 12)
        value = AppointmentInput(when, at, self.query_one("#kind", Select).value, rrule)
        clashes = self.absent_on(occurrences(when, rrule))
        if clashes and self._warned_for != (value.appointment_date, rrule):
            self._warned_for = (value.appointment_date, rrule)
            first_day, absence = clashes[0]
            cover = f", cover {absence.cover_practitioner_id}" if absence.cover_practitioner_id else ", no cover named"
            more = f" and {len(clashes) - 1} more date(s) in the series" if len(clashes) > 1 else ""
            self.error("date", f"⚠ {self.practitioner or 'The practitioner'} is absent ({absence.kind}{cover}) "
                               f"on {nice(first_day)}{more}. Save again to book anyway.")
            return None
        return value


# --- move an appointment ------------------------------------------------------------------


class MoveForm(FormScreen):
    title_text = "Move an appointment"

    def __init__(self, save, *, as_of: date, current: date, what: str) -> None:
        super().__init__(save)
        self.as_of = as_of
        self.current = current
        self.title_text = f"Move {what} from {nice(current)}"

    def fields(self):
        yield Field("New date", Input(self.current.isoformat(), placeholder="YYYY-MM-DD", id="date", compact=True),
                    name="date")

    def collect(self) -> date | None:
        when = self.date_from("date", self.as_of, f"Move it to {nice(self.as_of)} or later.")
        if when is None or self.field_refused("date", validate.appointment_date(when, self.as_of)):
            return None
        if when == self.current:
            self.error("date", "That is the date it already has.")
            return None
        return when


# --- plan a handover -------------------------------------------------------------------------


@dataclass(frozen=True)
class HandoverInput:
    to_practitioner_id: str
    planned_on: date
    reason: str | None
    override_reason: str | None = None


class HandoverForm(FormScreen):
    """Plan a handover, or re-plan one (`current` = (receiver id, date)): the
    receiver, the date and, for a team lead, an override reason. A refusal
    by the planning guards (docs/handovers.md) is said in one line under the receiver;
    when a lead may override it, the override field takes the cursor."""

    title_text = "Plan a handover"

    def __init__(self, save, *, as_of: date, who: str, receivers: list[tuple[str, str]], lead: bool = False,
                 current: tuple[str, date] | None = None, days_ahead: int = 14) -> None:
        super().__init__(save)
        self.as_of = as_of
        self.receivers = receivers
        self.lead = lead
        self.current = current
        self.days_ahead = days_ahead
        self.title_text = (f"Re-plan the handover · {who}" if current else f"Plan a warm handover · {who}")

    def fields(self):
        to = self.current[0] if self.current else Select.NULL
        day = self.current[1] if self.current else self.as_of + timedelta(days=self.days_ahead)
        options = list(self.receivers)
        if self.current and self.current[0] not in {pid for _, pid in options}:
            options.insert(0, (self.current[0], self.current[0]))
        options = [(content(label), pid) for label, pid in options]  # names: text, not markup
        yield Field("To", Select(options, prompt="choose a practitioner", id="to", compact=True, value=to),
                    name="to")
        yield Field("Date", Input(day.isoformat(), placeholder="YYYY-MM-DD", id="date", compact=True), name="date",
                    hint=("What is done stays done; the other items take the new date's due dates."
                          if self.current else "Two weeks ahead gives time to tell the person and meet three-way."))
        if not self.current:
            yield Field("Reason", Input(placeholder="optional, e.g. leaving the team", id="reason", compact=True),
                        name="reason")
        if self.lead:
            yield Field("Override", Input(placeholder="team lead: why, if the grade or not_with bars it",
                                          id="override", compact=True), name="override")

    def collect(self) -> HandoverInput | None:
        ok = True
        to = self.query_one("#to", Select).value
        if to is Select.NULL or not to:
            self.error("to", "Choose who will take the case.")
            ok = False
        when = parse_date(self.query_one("#date", Input).value)
        if when is None:
            self.error("date", "Give a date as YYYY-MM-DD (or DD/MM/YYYY).")
            ok = False
        elif self.field_refused("date", validate.handover_date(when, self.as_of)):
            ok = False
        reason = None if self.current else self.text_value("reason", self.query_one("#reason", Input).value)
        if not ok or reason is False:
            return None
        override = self.text_value("override", self.query_one("#override", Input).value) if self.lead else None
        if override is False:
            return None
        return HandoverInput(to, when, reason, override)

    def refused(self, message: str) -> None:
        self._failed(message)
        self.error("to", message.removeprefix("cannot plan the handover: "))
        if self.lead and "override reason" in message:
            self.query_one("#override", Input).focus()


# --- add a case note ------------------------------------------------------------------------------


class NoteForm(FormScreen):
    title_text = "Add a case note"

    def __init__(self, save, *, who: str) -> None:
        super().__init__(save)
        self.title_text = f"Add a case note · {who}"

    def fields(self):
        yield Field("Note", TextArea(id="text", soft_wrap=True), name="text")

    def collect(self) -> str | None:
        text = self.text_value("text", self.query_one("#text", TextArea).text)
        if not text:
            if text is None:
                self.error("text", "Write something first (or esc to cancel).")
            return None
        return text


# --- export the week ------------------------------------------------------------------------------


@dataclass(frozen=True)
class ExportInput:
    path: Path
    replace: bool  # the file exists and the user saved again to replace it


class ExportForm(FormScreen):
    title_text = "Export the week to a calendar file (.ics)"

    def __init__(self, save, *, default: Path) -> None:
        super().__init__(save)
        self.default = default
        self._warned_for: Path | None = None

    def fields(self):
        yield Field("File", Input(str(self.default), id="path", compact=True), name="path",
                    hint="Holds names: keep it somewhere private.")

    def collect(self) -> ExportInput | None:
        path = self.file_path("path", ".ics")
        if path is None:
            return None
        if not path.parent.exists():
            self.error("path", f"The folder {path.parent} does not exist.")
            return None
        if path.is_symlink():
            self.error("path", f"{path} is a symbolic link; give another file name.")
            return None
        if path.exists() and self._warned_for != path:
            self._warned_for = path
            self.error("path", f"⚠ {path} already exists. Save again to replace it.")
            return None
        return ExportInput(path, replace=path.exists())
