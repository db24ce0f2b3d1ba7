"""Move an appointment to another day and time (`m` in the week plan): for a
series, this occurrence or the whole series; a team lead may give an
override reason to move it onto a bank holiday or an absence day."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, time

from textual.widgets import Input, Select

from planner import validate
from tui.screens.forms.base import Field, FormScreen, nice

WHICH = (("this occurrence only", "one"), ("the whole series", "series"))


@dataclass(frozen=True)
class MoveInput:
    new_date: date
    time: time | None
    series: bool = False  # the whole series (moved by as many days as this occurrence)
    override_reason: str | None = None  # a team lead's, to move it onto a bank holiday or an absence day


class MoveForm(FormScreen):
    title_text = "Move an appointment"

    def __init__(self, save, *, as_of: date, current: date, what: str, at: time | None = None,
                 series: bool = False, lead: bool = False) -> None:
        super().__init__(save)
        self.lead = lead
        self.as_of = as_of
        self.current = current
        self.at = at
        self.series = series
        self.title_text = f"Move {what} from {nice(current)}"

    def fields(self):
        yield Field("New date", Input(self.current.isoformat(), placeholder="YYYY-MM-DD", id="date", compact=True),
                    name="date")
        yield Field("Time", Input(self.at.strftime("%H:%M") if self.at else "", placeholder="HH:MM or empty",
                                  id="time", compact=True), name="time")
        if self.series:
            yield Field("Move", Select(WHICH, value="one", allow_blank=False, id="which", compact=True),
                        name="which", hint="The whole series moves by as many days as this one.")
        if self.lead:
            yield self.override_field("Moves it onto a bank holiday or a day the practitioner is away.")

    def collect(self) -> MoveInput | None:
        when = self.date_from("date", self.as_of, f"Move it to {nice(self.as_of)} or later.")
        if when is None or self.field_refused("date", validate.appointment_date(when, self.as_of)):
            return None
        ok, at = self.optional_time("time")
        if not ok:
            return None
        if when == self.current and at == self.at:
            self.error("date", "That is the date and time it already has.")
            return None
        series = self.series and self.query_one("#which", Select).value == "series"
        override = self.override_value()
        if override is False:
            return None
        return MoveInput(when, at, series, override)
