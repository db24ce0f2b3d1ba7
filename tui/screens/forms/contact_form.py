"""Record a contact (`c` on a case)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Iterable

from textual.widgets import Input, Select

from planner import validate
from planner.model import CANCELLED_BY, CONTACT_KINDS, OUTCOMES
from tui.text import content
from tui.screens.forms.base import Field, FormScreen


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
        when = self.checked_date("date", lambda day: validate.contact_date(day, self.as_of))
        if when is None:
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
