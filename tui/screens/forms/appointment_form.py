"""Book an appointment, once or as a series (`a` on a case, `n` in the week plan)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Iterable

from textual.widgets import Input, Select

from planner import validate
from planner.appointments import booking_refusals
from planner.model import CONTACT_KINDS
from tui.screens.forms.base import Field, FormScreen, nice, parse_date


REPEATS = (("one-off", ""), ("weekly", "weekly"), ("fortnightly", "fortnightly"))


@dataclass(frozen=True)
class AppointmentInput:
    appointment_date: date
    time: time | None
    kind: str
    rrule: str | None
    override_reason: str | None = None  # a team lead's, to book on a bank holiday or an absence day


def make_rrule(repeat: str, until: date | None, count: int | None = None) -> str | None:
    """RFC 5545 RRULE for a weekly or fortnightly series."""
    if not repeat:
        return None
    parts = ["FREQ=WEEKLY"]
    if repeat == "fortnightly":
        parts.append("INTERVAL=2")
    if until is not None:
        parts.append(f"UNTIL={until:%Y%m%d}")
    elif count:
        parts.append(f"COUNT={count}")
    return ";".join(parts)


class AppointmentForm(FormScreen):
    title_text = "Book an appointment"

    def __init__(self, save, *, as_of: date, who: str, absences: Iterable = (), default: date | None = None,
                 practitioner: str = "", lead: bool = False) -> None:
        super().__init__(save)
        self.as_of = as_of
        self.absences = tuple(absences)
        self.default = default or as_of + timedelta(days=7)
        self.title_text = f"Book an appointment · {who}"
        self.practitioner = practitioner
        self.lead = lead
        self._warned_for: tuple | None = None

    def fields(self):
        yield Field("Date", Input(self.default.isoformat(), placeholder="YYYY-MM-DD", id="date", compact=True),
                    name="date")
        yield Field("Time", Input(placeholder="HH:MM, optional", id="time", compact=True), name="time")
        yield Field("Kind", Select([(k.replace("_", " "), k) for k in CONTACT_KINDS], value="office",
                                   allow_blank=False, id="kind", compact=True), name="kind")
        yield Field("Repeat", Select([(label, value) for label, value in REPEATS], value="", allow_blank=False,
                                     id="repeat", compact=True), name="repeat")
        yield Field("Until", Input(placeholder="end date of a series, optional", id="until", compact=True),
                    name="until", hint="A series with no end date repeats 12 times.")
        if self.lead:
            yield self.override_field("Books on a bank holiday or a day the practitioner is away.")

    def collect(self) -> AppointmentInput | None:
        when = self.checked_date("date", lambda day: validate.appointment_date(day, self.as_of))
        ok = when is not None
        time_ok, at = self.optional_time()
        ok = ok and time_ok
        repeat = self.query_one("#repeat", Select).value or ""
        raw_until = self.query_one("#until", Input).value.strip()
        until = None
        if raw_until:
            until = parse_date(raw_until)
            if until is None:
                self.error("until", "Give an end date as YYYY-MM-DD, or leave it empty.")
                ok = False
            elif not repeat:
                self.error("until", "An end date only applies to a weekly or fortnightly series.")
                ok = False
            elif when is not None and until < when:
                self.error("until", f"The series can't end ({nice(until)}) before it starts ({nice(when)}).")
                ok = False
            elif self.field_refused("until", validate.in_range(until)):
                ok = False
        if not ok or when is None:
            return None
        rrule = make_rrule(repeat, until, count=None if until else 12)
        override = self.override_value()
        if override is False:
            return None
        value = AppointmentInput(when, at, self.query_one("#kind", Select).value, rrule, override)
        clashes = booking_refusals(when, rrule, self.absences)  # absences only: storage names bank holidays
        if clashes and self._warned_for != (value.appointment_date, rrule):
            self._warned_for = (value.appointment_date, rrule)
            first_day, absence = clashes[0].day, clashes[0].absence
            cover = f", cover {absence.cover_practitioner_id}" if absence.cover_practitioner_id else ", no cover named"
            more = f" and {len(clashes) - 1} more date(s) in the series" if len(clashes) > 1 else ""
            first = "; booking that day is refused unless a team lead gives an override reason" if (
                first_day == when) else ("; the series leaves out those dates (a team lead may book them with "
                                         "an override reason); save again to book it")
            self.error("date", f"⚠ {self.practitioner or 'The practitioner'} is absent ({absence.kind}{cover}) "
                               f"on {nice(first_day)}{more}{first}.")
            return None
        return value
