"""Record what happened at a past appointment (`o` in the week plan, on an
appointment or the catch-up's "Record what happened"): its contact in one
step (storage/repo/appointments.py `record_outcome`)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from textual.widgets import Input, Select

from planner.model import CANCELLED_BY, CONTACT_KINDS
from tui.screens.forms.base import Field, FormScreen, nice

OUTCOMES = (("attended", "attended"), ("missed", "missed"), ("cancelled by the person", "person"),
            ("cancelled by the practitioner", "practitioner"))


@dataclass(frozen=True)
class OutcomeInput:
    outcome: str  # attended | missed | cancelled
    cancelled_by: str | None
    kind: str
    notes: str | None


class OutcomeForm(FormScreen):
    title_text = "What happened"

    def __init__(self, save, *, day: date, what: str, kind: str = "office") -> None:
        super().__init__(save)
        self.kind = kind
        self.title_text = f"What happened at {what} on {nice(day)}"

    def fields(self):
        yield Field("Outcome", Select(OUTCOMES, value="attended", allow_blank=False, id="outcome", compact=True),
                    name="outcome")
        yield Field("Kind", Select([(k.replace("_", " "), k) for k in CONTACT_KINDS], value=self.kind,
                                   allow_blank=False, id="kind", compact=True), name="kind")
        yield Field("Note", Input(placeholder="optional", id="notes", compact=True), name="notes")

    def collect(self) -> OutcomeInput | None:
        notes = self.text_value("notes", self.query_one("#notes", Input).value)
        if notes is False:
            return None
        chosen = self.query_one("#outcome", Select).value
        by = chosen if chosen in CANCELLED_BY else None
        return OutcomeInput("cancelled" if by else chosen, by, self.query_one("#kind", Select).value, notes)
