"""Move an appointment to another day (`m` in the week plan)."""

from __future__ import annotations

from datetime import date

from textual.widgets import Input

from planner import validate
from tui.screens.forms.base import Field, FormScreen, nice


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
