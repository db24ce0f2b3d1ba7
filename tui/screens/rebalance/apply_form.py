"""The rebalance's confirmation (`enter` or `A` on the rebalance screen):
how many warm handovers will be planned, from when to when, and the day
the first starts."""

from __future__ import annotations

from datetime import date

from textual.widgets import Button, Input

from planner.words import plural
from tui.screens.forms.base import Field, FormScreen, nice
from tui.widgets.plain import Static


class ApplyConfirm(FormScreen):
    """How many handovers will be planned, from when to when; returns the
    first date (the lead may start them on another day: they are staggered
    again from it)."""

    def __init__(self, *, moves: int, already: int, default_on: date, as_of: date,
                 dates: dict | None = None, per_day: int = 2) -> None:
        super().__init__(lambda day: day)
        self.moves = moves
        self.already = already
        self.default_on = default_on
        self.as_of = as_of
        self.dates = dates or {}
        self.per_day = per_day
        new = moves - already
        self.title_text = f"Plan {plural(new, 'warm handover')}?"

    def fields(self):
        new = self.moves - self.already
        days = sorted(set(self.dates.values())) or [self.default_on]
        span = (f"on {nice(days[0])}" if days[0] == days[-1]
                else f"from {nice(days[0])} to {nice(days[-1])}")
        text = (f"{plural(new, 'warm handover')} will be planned {span}, at most {self.per_day} a "
                "working day for each practitioner, the riskiest cases first, each with its checklist. The cases "
                "stay with their current practitioner until each handover is completed: nothing is reallocated "
                "silently. The rebalance is audited.")
        if self.already:
            text += (f" {self.already} accepted move{' already has' if self.already == 1 else 's already have'}"
                     " that handover planned.")
        yield Static(text, classes="form--hint", id="confirm-text")
        yield Field("Starting on", Input(self.default_on.isoformat(), placeholder="YYYY-MM-DD", id="on",
                                         compact=True), name="on",
                    hint="the first working day from as of + 28 days; another day staggers them from it")

    def on_mount(self) -> None:
        self.query_one("#save", Button).label = "Plan handovers"
        self.query_one(".form--keys", Static).update("ctrl+s plans · esc cancels")

    def collect(self) -> date | None:
        return self.date_from("on", self.as_of, f"A handover can't be planned in the past (before {nice(self.as_of)}).")


__all__ = ["ApplyConfirm"]
