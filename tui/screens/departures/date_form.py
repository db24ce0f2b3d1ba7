"""Another date for one row of a departure's plan (tui/screens/departures/screen.py)."""

from __future__ import annotations

from datetime import date

from textual.widgets import Input

from tui.screens.forms.base import Field, FormScreen, nice


class DateForm(FormScreen):
    """Another date for one row of the plan; returns the date."""

    def __init__(self, *, as_of: date, current: date, who: str) -> None:
        super().__init__(lambda day: day)
        self.as_of = as_of
        self.current = current
        self.title_text = f"Hand over {who} on"

    def fields(self):
        yield Field("Date", Input(self.current.isoformat(), placeholder="YYYY-MM-DD", id="date", compact=True),
                    name="date", hint="Fourteen days ahead gives the person notice; nothing is planned until you "
                                      "confirm the whole list with A.")

    def collect(self) -> date | None:
        return self.date_from("date", self.as_of, f"A handover is planned for {nice(self.as_of)} or later.")
