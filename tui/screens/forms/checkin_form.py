"""The person's check-in (`k` on a case, or after recording a contact):
three questions answered 1 to 5 and their own words (docs/voice.md)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from textual.widgets import Input, Select

from planner import validate
from planner.model import CHECKIN_QUESTIONS, CHECKIN_WORDING
from tui.screens.forms.base import Field, FormScreen

ANSWERS = [("1 not at all", 1), ("2", 2), ("3", 3), ("4", 4), ("5 completely", 5)]


@dataclass(frozen=True)
class CheckinInput:
    checkin_date: date
    listened: int
    goals: int
    trust: int
    words: str | None


class CheckinForm(FormScreen):
    title_text = "Check-in"

    def __init__(self, save, *, as_of: date, who: str, on: date | None = None) -> None:
        super().__init__(save)
        self.as_of = as_of
        self.on = on or as_of
        self.title_text = f"Check-in · {who}"

    def fields(self):
        yield Field("Date", Input(self.on.isoformat(), placeholder="YYYY-MM-DD", id="date", compact=True),
                    name="date", hint="Prompts for a conversation, not a score; esc skips it.")
        for q in CHECKIN_QUESTIONS:
            yield Field(q.capitalize(), Select(ANSWERS, prompt="1 to 5", id=q, compact=True), name=q,
                        hint=f"“{CHECKIN_WORDING[q]}”")
        yield Field("Their words", Input(placeholder="optional, in their words", id="words", compact=True),
                    name="words")

    def collect(self) -> CheckinInput | None:
        when = self.checked_date("date", lambda day: validate.checkin_date(day, self.as_of))
        if when is None:
            return None
        answers = {}
        for q in CHECKIN_QUESTIONS:
            value = self.query_one(f"#{q}", Select).value
            if value is Select.NULL or not isinstance(value, int):
                self.error(q, "Choose an answer from 1 to 5 (or esc: the check-in is optional).")
                return None
            answers[q] = value
        words = self.text_value("words", self.query_one("#words", Input).value)
        if words is False:
            return None
        return CheckinInput(when, words=words or None, **answers)
