"""Cancel an appointment (`x` in the week plan): who cancelled it and, for a
series, this occurrence or the whole series (storage/repo/appointments.py:
recorded as a cancelled contact, which `practitioner_cancelled` counts)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from textual.widgets import Select

from planner.model import CANCELLED_BY
from tui.screens.forms.base import Field, FormScreen, nice

WHICH = (("this occurrence only", "one"), ("the whole series from here", "series"))


@dataclass(frozen=True)
class CancelInput:
    cancelled_by: str
    series: bool = False


class CancelForm(FormScreen):
    title_text = "Cancel an appointment"

    def __init__(self, save, *, day: date, what: str, series: bool = False) -> None:
        super().__init__(save)
        self.series = series
        self.title_text = f"Cancel {what} of {nice(day)}"

    def fields(self):
        yield Field("Cancelled by", Select([(f"the {c}", c) for c in CANCELLED_BY], value="person",
                                           allow_blank=False, id="cancelled_by", compact=True),
                    name="cancelled_by", hint="Recorded as a cancelled contact of that day.")
        if self.series:
            yield Field("Cancel", Select(WHICH, value="one", allow_blank=False, id="which", compact=True),
                        name="which")

    def collect(self) -> CancelInput:
        series = self.series and self.query_one("#which", Select).value == "series"
        return CancelInput(self.query_one("#cancelled_by", Select).value, series)
