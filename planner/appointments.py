"""When an appointment falls: the dates of a one-off appointment or a series
(an RRULE, expanded by planner/recurrence.py over the window asked for only),
and the next one on or after a date. One home for "next appointment": the
rules, the week plan, the checklist's auto-ticks and the screens use these."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from planner import recurrence
from planner.model import Absence, Appointment

__all__ = ["SERIES_DATES_CHECKED", "RefusedDay", "appointment_dates", "booking_dates", "booking_refusals",
           "exdate_problems", "format_exdates", "next_appointment_date", "next_booked", "parse_exdates",
           "refused_days"]

#: How many of a series' dates booking looks at for bank holidays and
#: absences: the booking form's warning and storage's refusal alike.
SERIES_DATES_CHECKED = 60


def parse_exdates(text: str | None) -> tuple[date, ...]:
    """A series' cancelled occurrences as stored ("2026-12-24,2027-01-07");
    a piece that is not a date is skipped (`caseload check` is where a
    damaged row is listed, not every read)."""
    if not text:
        return ()
    found = set()
    for piece in text.split(","):
        try:
            found.add(date.fromisoformat(piece.strip()))
        except ValueError:
            continue
    return tuple(sorted(found))


def format_exdates(days) -> str | None:
    """The stored form of `parse_exdates`: ISO dates, sorted, comma-separated."""
    return ",".join(day.isoformat() for day in sorted(set(days))) or None

def exdate_problems(text: str | None, rule: str | None, start: date) -> list[str]:
    """What is wrong with a stored or imported `exdates` (one line each):
    a piece that is not a date, a date that is not one of the series
    (`rule` from `start`), exdates on an appointment that is no series.
    The CSV import refuses them and `caseload check` lists them."""
    if not text:
        return []
    if not rule:
        return ["only a series (rrule) has cancelled occurrences"]
    problems = []
    for piece in text.split(","):
        try:
            day = date.fromisoformat(piece.strip())
        except ValueError:
            problems.append(f"{piece.strip()!r} is not a date (YYYY-MM-DD)")
            continue
        if not recurrence.dates(rule, start, day, day):
            problems.append(f"{day} is not a date of the series ({rule} from {start})")
    return problems


def appointment_dates(appointment: Appointment, first: date, last: date) -> list[date]:
    """The dates of an appointment (a series expanded) from first to last, both
    counted: planner/recurrence.py, which walks only this window whatever the
    rule. An RRULE that cannot be read counts as a single appointment on its date.

    Exceptions as python-dateutil's `rruleset` has them (the rule less its
    EXDATEs; tests/planner/test_series_exceptions.py compares the two):
    a series' cancelled (`exdates`) and moved (`moved`) occurrences are left
    out, a moved one counts on its own row's date, and a cancelled
    appointment has no dates at all.
    """
    start = appointment.appointment_date
    if last < start or appointment.cancelled_by is not None:
        return []  # a series starts on its date (or later) too: nothing to read
    if appointment.rrule:
        found = recurrence.dates(appointment.rrule, start, first, last)
        if appointment.exdates or appointment.moved:
            excluded = appointment.excluded
            return [day for day in found if day not in excluded]
        return list(found)
    return [start] if first <= start <= last else []


def next_appointment_date(appointment: Appointment, on_or_after: date) -> date | None:
    """The appointment's first date on or after `on_or_after` (for a series,
    looking a year ahead: recurrence.MAX_GAP_DAYS), exceptions left out."""
    if appointment.cancelled_by is not None:
        return None
    start = appointment.appointment_date
    if appointment.rrule and start < on_or_after:
        excluded = appointment.excluded
        day = recurrence.next_date(appointment.rrule, start, on_or_after)
        while day is not None and day in excluded:
            day = recurrence.next_date(appointment.rrule, start, day + timedelta(days=1))
        return day
    if appointment.rrule and start in appointment.excluded:
        return next_appointment_date(appointment, start + timedelta(days=1))
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


# ----------------------------------------------------------------------------- days no appointment may fall on


@dataclass(frozen=True)
class RefusedDay:
    """A date an appointment may not be booked on, and why in words;
    `absence` is the practitioner's absence that covers it (None on a bank holiday)."""

    day: date
    reason: str
    absence: Absence | None = None


def booking_dates(start: date, rrule: str | None, limit: int = SERIES_DATES_CHECKED) -> list[date]:
    """The dates a booking makes: `start` for a one-off, else the series'
    first `limit` (planner/recurrence.py)."""
    return recurrence.first_dates(rrule, start, limit) if rrule else [start]


def refused_days(days: Iterable[date], absences: Sequence[Absence] = (),
                 holiday_name: Callable[[date], str | None] | None = None) -> list[RefusedDay]:
    """Each of `days` (in order) that is no day for an appointment with the
    practitioner, with why: a bank holiday (`holiday_name(day)` names it,
    e.g. `planner.calendar.WorkingDays.holiday_name`), else an absence of
    theirs (the first of `absences` that covers it)."""
    found = []
    for day in days:
        name = holiday_name(day) if holiday_name is not None else None
        if name:
            found.append(RefusedDay(day, f"{day:%a %d %b %Y} is a bank holiday ({name})"))
            continue
        absence = next((a for a in absences if a.covers(day)), None)
        if absence is not None:
            until = f" to {absence.end_date:%a %d %b}" if absence.end_date else ", no end date"
            found.append(RefusedDay(day, f"{absence.practitioner_id} is away on {day:%a %d %b %Y} "
                                         f"({absence.kind}, {absence.start_date:%a %d %b}{until})", absence))
    return found


def booking_refusals(start: date, rrule: str | None, absences: Sequence[Absence] = (),
                     holiday_name: Callable[[date], str | None] | None = None,
                     limit: int = SERIES_DATES_CHECKED) -> list[RefusedDay]:
    """The dates of a booking (`booking_dates`) that are no day for an
    appointment (`refused_days`), with why: the booking form warns of them,
    storage refuses the first and leaves the series' later ones out (EXDATE)."""
    return refused_days(booking_dates(start, rrule, limit), absences, holiday_name)
