"""The forms' shared base: `FormScreen` (validate on submit, save in a worker, errors
next to the field), `Field`, and the date and time parsing every form uses."""

from __future__ import annotations

import re
from datetime import date, datetime, time
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


# A date's shape with numbers that make no day (2026-02-30, 31/04/2026).
_DATE_SHAPE = re.compile(r"\d{4}-\d{1,2}-\d{1,2}|\d{1,2}/\d{1,2}/\d{4}")


def date_problem(text: str) -> str:
    """Why `text` is not a date, as the field's error: not a real date when
    it has a date's shape (as the command line says), else the shapes to use."""
    text = text.strip()
    if _DATE_SHAPE.fullmatch(text):
        return f"{text!r} is not a real date."
    return "Give a date as YYYY-MM-DD (or DD/MM/YYYY)."


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
    Field > .field--error { color: $severity-high; padding-left: 14; display: none; height: auto; }
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

    @on(Input.Changed)
    @on(Select.Changed)
    @on(TextArea.Changed)
    def _corrected(self) -> None:
        """An error shown under the field goes once the field is changed;
        saving checks it again."""
        self.set_error("")


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

    def bad_date(self, name: str) -> None:
        """The error of the date in Input #name that `parse_date` refused."""
        self.error(name, date_problem(self.query_one(f"#{name}", Input).value))

    def field_refused(self, name: str, problem: str | None) -> bool:
        """Show a planner.validate check's problem next to the field: True
        when there is one (the same checks the importer applies)."""
        if problem is None:
            return False
        self.error(name, problem[:1].upper() + problem[1:] + ".")
        return True

    @staticmethod
    def override_field(hint: str) -> Field:
        """A team lead's override reason (storage/repo/appointments.py refuses a
        bank holiday or an absence day without one, and audits it)."""
        return Field("Override", Input(placeholder="a lead's reason, optional", id="override", compact=True),
                     name="override", hint=hint)

    def override_value(self) -> str | None | bool:
        """The override reason typed (None: none, or no such field; False: refused)."""
        found = self.query("#override")
        return self.text_value("override", found.first(Input).value) if found else None

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

    def checked_date(self, name: str, problem: Callable[[date], str | None] | None = None) -> date | None:
        """The date typed in Input #name; None with the error shown next to
        the field when it is no date, or when `problem(day)` (a
        planner.validate check) refuses it."""
        day = parse_date(self.query_one(f"#{name}", Input).value)
        if day is None:
            self.bad_date(name)
            return None
        if problem is not None and self.field_refused(name, problem(day)):
            return None
        return day

    def date_from(self, name: str, earliest: date, too_early: str) -> date | None:
        """The date typed in Input #name, on or after `earliest`; None with
        the error shown next to the field (`too_early` when it is before)."""
        day = self.checked_date(name)
        if day is not None and day < earliest:
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
