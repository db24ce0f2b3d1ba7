"""Plan a handover, or re-plan one (`h` on a case, `p` on the handover screen)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from textual.widgets import Input, Select

from planner import validate
from planner.calendar import working_days
from tui.text import content
from tui.screens.forms.base import Field, FormScreen


@dataclass(frozen=True)
class HandoverInput:
    to_practitioner_id: str
    planned_on: date
    reason: str | None
    override_reason: str | None = None


class HandoverForm(FormScreen):
    """Plan a handover, or re-plan one (`current` = (receiver id, date)): the
    receiver, the date and, for a team lead, an override reason. A refusal
    by the planning guards (docs/handovers.md) is said in one line under the receiver;
    when a lead may override it, the override field takes the cursor."""

    title_text = "Plan a handover"

    def __init__(self, save, *, as_of: date, who: str, receivers: list[tuple[str, str]], lead: bool = False,
                 current: tuple[str, date] | None = None, days_ahead: int = 14,
                 nation: str = "england-and-wales", date_hint: str | None = None,
                 reason_hint: str = "optional, e.g. leaving the team") -> None:
        super().__init__(save)
        self.as_of = as_of
        self.receivers = receivers
        self.lead = lead
        self.current = current
        self.days_ahead = days_ahead
        self.nation = nation  # the case's team's: its working days
        self.date_hint = date_hint or "Two weeks ahead gives time to tell the person and meet three-way."
        self.reason_hint = reason_hint
        self.title_text = (f"Re-plan the handover · {who}" if current else f"Plan a warm handover · {who}")

    def fields(self):
        to = self.current[0] if self.current else Select.NULL
        # a new one: `days_ahead` on, moved to the next working day (SPEC §3/§4: a handover's dates fall on them)
        day = self.current[1] if self.current else working_days(self.nation).on_or_after(
            self.as_of + timedelta(days=self.days_ahead))
        options = list(self.receivers)
        if self.current and self.current[0] not in {pid for _, pid in options}:
            options.insert(0, (self.current[0], self.current[0]))
        options = [(content(label), pid) for label, pid in options]  # names: text, not markup
        yield Field("To", Select(options, prompt="choose a practitioner", id="to", compact=True, value=to),
                    name="to")
        yield Field("Date", Input(day.isoformat(), placeholder="YYYY-MM-DD", id="date", compact=True), name="date",
                    hint=("What is done stays done; the other items take the new date's due dates."
                          if self.current else self.date_hint))
        if not self.current:
            yield Field("Reason", Input(placeholder=self.reason_hint, id="reason", compact=True),
                        name="reason")
        if self.lead:
            yield Field("Override", Input(placeholder="team lead: why, if the grade or not_with bars it",
                                          id="override", compact=True), name="override")

    def collect(self) -> HandoverInput | None:
        ok = True
        to = self.query_one("#to", Select).value
        if to is Select.NULL or not to:
            self.error("to", "Choose who will take the case.")
            ok = False
        when = self.checked_date("date", lambda day: validate.handover_date(day, self.as_of))
        ok = ok and when is not None
        reason = None if self.current else self.text_value("reason", self.query_one("#reason", Input).value)
        if not ok or reason is False:
            return None
        override = self.text_value("override", self.query_one("#override", Input).value) if self.lead else None
        if override is False:
            return None
        return HandoverInput(to, when, reason, override)

    def refused(self, message: str) -> None:
        self._failed(message)
        self.error("to", message.removeprefix("cannot plan the handover: "))
        if self.lead and "override reason" in message:
            self.query_one("#override", Input).focus()
