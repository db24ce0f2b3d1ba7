"""When an appointment falls: the dates of a one-off appointment or a series
(an RRULE, expanded by planner/recurrence.py over the window asked for only),
and the next one on or after a date. One home for "next appointment": the
rules, the week plan, the checklist's auto-ticks and the screens use these."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta

from planner import recurrence
from planner.model import Appointment

__all__ = ["appointment_dates", "next_appointment_date", "next_booked"]

def appointment_dates(appointment: Appointment, first: date, last: date) -> list[date]:
    """The dates of an appointment (a series expanded) from first to last, both
    counted: planner/recurrence.py, which walks only this window whatever the
    rule. An RRULE that cannot be read counts as a single appointment on its date.
    """
    start = appointment.appointment_date
    if last < start:
        return []  # a series starts on its date (or later) too: nothing to read
    if appointment.rrule:
        return list(recurrence.dates(appointment.rrule, start, first, last))
    return [start] if first <= start <= last else []


def next_appointment_date(appointment: Appointment, on_or_after: date) -> date | None:
    """The appointment's first date on or after `on_or_after` (for a series,
    looking a year ahead: recurrence.MAX_GAP_DAYS)."""
    start = appointment.appointment_date
    if appointment.rrule and start < on_or_after:
        return recurrence.next_date(appointment.rrule, start, on_or_after)
    return start if start >= on_or_after else None


def next_booked(appointments: Sequence[Appointment], as_of: date, within_days: int | None = None) -> date | None:
    """The first booked date (docs/rules.md "booked": a one-off appointment or an
    occurrence of a series, with any practitioner) on or after as_of, or None;
    with `within_days`, only up to as_of + within_days. `appointments` in date
    order (planner/model.py). The one "next appointment": the rules' "next
    booking" and the caseload's column."""
    best: date | None = None
    for appointment in reversed(appointments):
        if appointment.rrule is None and appointment.appointment_date < as_of:
            if best is not None:
                break  # sorted by date: everything before is earlier still
            continue
        found = next_appointment_date(appointment, as_of)
        if found is not None and (best is None or found < best):
            best = found
    if best is not None and within_days is not None and best > as_of + timedelta(days=within_days):
        return None
    return best
