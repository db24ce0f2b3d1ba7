"""Book the three-way meeting (`b`)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, time

from textual.widgets import Input

from tui.screens.forms.base import Field, FormScreen, nice
from tui.screens.handover.common import FORM_CSS
from tui.widgets.plain import Static


@dataclass(frozen=True)
class ThreeWayInput:
    day: date
    at: time | None



class ThreeWayForm(FormScreen):
    """Book the three-way introduction with the incoming practitioner."""

    CSS_PATH = FORM_CSS

    def __init__(self, save, *, as_of: date, planned_on: date, who: str, incoming: str) -> None:
        super().__init__(save)
        self.as_of = as_of
        self.planned_on = planned_on
        self.title_text = f"Book the three-way meeting · {who}"
        self.incoming = incoming
        self.default = planned_on if planned_on >= as_of else as_of

    def fields(self):
        yield Static(f"With {self.incoming} (incoming), the outgoing practitioner and the person. "
                     f"It should be held by the handover date, {nice(self.planned_on)}.", classes="form--hint")
        yield Field("Date", Input(self.default.isoformat(), placeholder="YYYY-MM-DD", id="date", compact=True),
                    name="date")
        yield Field("Time", Input(placeholder="HH:MM, optional", id="time", compact=True), name="time")

    def collect(self) -> ThreeWayInput | None:
        when = self.date_from("date", self.as_of, f"Book it for {nice(self.as_of)} or later.")
        ok = when is not None
        if ok and when > self.planned_on:
            self.error("date", f"After the handover date ({nice(self.planned_on)}) it would not count as the "
                               "introduction; choose an earlier day.")
            ok = False
        time_ok, at = self.optional_time()
        return ThreeWayInput(when, at) if ok and time_ok else None
