"""Complete the handover (`C`), with a team lead's override reason when items are open."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from textual import on
from textual.widgets import Input

from tui.screens.forms.base import Field, FormScreen, nice, parse_date
from tui.screens.handover.common import FORM_CSS, short
from tui.widgets.plain import Static


@dataclass(frozen=True)
class CompleteInput:
    on: date
    override_reason: str | None



class CompleteForm(FormScreen):
    """Complete the handover on a date; an override reason when required items
    due by that date are open (the form names them)."""

    CSS_PATH = FORM_CSS

    def __init__(self, save, *, handover, as_of: date, who: str) -> None:
        super().__init__(save)
        self.handover = handover
        self.as_of = as_of
        self.title_text = f"Complete the handover · {who}"

    def fields(self):
        yield Field("Completed on", Input(self.as_of.isoformat(), placeholder="YYYY-MM-DD", id="date",
                                          compact=True), name="date",
                    hint="The day the case moves to the incoming practitioner.")
        yield Static("", id="due-state", classes="form--hint")
        yield Field("Override", Input(placeholder="why complete with items open (no personal details)",
                                      id="override", compact=True), name="override")

    def on_mount(self) -> None:
        self._explain(self.as_of)
        if self.open_by(self.as_of):  # the date is usually today: the reason is what is missing
            self.call_after_refresh(self.query_one("#override", Input).focus)

    @on(Input.Changed, "#date")
    def _date_changed(self, event: Input.Changed) -> None:
        when = parse_date(event.value)
        if when is not None:
            self._explain(when)

    def open_by(self, on: date) -> tuple[str, ...]:
        return self.handover.required_due_by(on)

    def _explain(self, on: date) -> None:
        from planner.handover import ALWAYS_REQUIRED

        h = self.handover
        open_ids = self.open_by(on)
        later = [i.item_id for i in h.items if not i.done and i.due > on and i.item_id not in ALWAYS_REQUIRED]
        lines = []
        if on > self.as_of:
            lines.append(f"⚠ {short(on)} is after today: a handover is completed on the day it happens.")
        elif open_ids:
            lines.append(f"⚠ Needed to complete on {short(on)} and still open: {h.titles(open_ids)}. "
                         "Do them first, or a team lead gives an override reason: the handover will count "
                         "as COLD.")
        else:
            lines.append("✓ The person was told, the summary written and read, the three-way held, and every "
                         "item due by then is done: the handover completes WARM.")
        if later:
            lines.append(f"Still to follow after completion: {h.titles(later)}.")
        self.query_one("#due-state", Static).update("\n".join(lines))
        self.query_one("#field-override").display = bool(open_ids)

    def collect(self) -> CompleteInput | None:
        when = self.checked_date("date")
        if when is None:
            return None
        if when > self.as_of:
            self.error("date", f"A handover is completed on the day it happens, by {nice(self.as_of)}.")
            return None
        reason = self.query_one("#override", Input).value.strip() or None
        open_ids = self.open_by(when)
        if open_ids and not reason:
            self._explain(when)
            self.error("override", f"Still to do by {short(when)}: {self.handover.titles(open_ids)}. "
                                   "A team lead says why it completes anyway.")
            self.query_one("#override", Input).focus()
            return None
        return CompleteInput(when, reason if open_ids else None)
