"""A week plan as an iCalendar file (`caseload week --format ics`).

Appointments become VEVENTs (timed when the time is known, else all-day),
one per appointment as RFC 5545 has it: a series is one event with its
RRULE and its cancelled occurrences as EXDATE; a moved occurrence is an
event of the same UID with the RECURRENCE-ID of the occurrence it replaces;
a cancelled appointment (or series, or moved occurrence) has
STATUS:CANCELLED. The UID is the appointment's own
(`appointment-<id>`), whatever its date, and SEQUENCE its edits, so a moved
appointment updates the event in Outlook or Google Calendar rather than
adding one. A colleague's appointment held as cover is an event of its day.
Everything else that falls due (contacts, checklist items, actions, the
catch-up list) becomes a VTODO with a DUE date; their UIDs are built from
the case ref, the kind, the date and the item. DTSTAMP is the as-of date,
so exporting the same plan twice gives the same bytes.

Text carries no control characters or terminal escape sequences
(planner/text.py). Case display names are personal data: by default (`privacy=True`) SUMMARY
carries the case ref only.
"""

from __future__ import annotations

import datetime as dt
from datetime import timedelta
from zoneinfo import ZoneInfo

from icalendar import Calendar, Event, Todo

from planner.model import Appointment
from planner.text import plain
from planner.week import Booked, PlanEntry, WeekPlan

PRODID = "-//caseload//week plan//EN"
TIMEZONE = ZoneInfo("Europe/London")  # all three nations keep UK time
#: Appointments carry no length; a timed one is shown as this long.
APPOINTMENT_LENGTH = timedelta(minutes=60)
UID_DOMAIN = "caseload.invalid"


def week_to_ics(plan: WeekPlan, practitioner_name: str, *, privacy: bool = True) -> bytes:
    """The plan as iCalendar bytes for `practitioner_name`'s calendar."""
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("x-wr-calname",
            plain(f"Caseload: {practitioner_name}, week of {plan.week_start.isoformat()}"))
    stamp = dt.datetime.combine(plan.as_of, dt.time(0), tzinfo=dt.timezone.utc)
    masters = {b.appointment.id: b.appointment for b in plan.booked if b.appointment.series_id is None}
    for booked in plan.booked:
        cal.add_component(_booked_event(booked, masters, stamp, privacy))
    for entry in plan.entries():
        if entry.kind == "appointment":
            continue  # plan.booked's events above
        component = _event(entry) if entry.is_appointment else _todo(entry)
        _describe(component, entry, stamp, privacy)
        cal.add_component(component)
    for entry in plan.catch_up:
        component = _todo(entry)
        _describe(component, entry, stamp, privacy, overdue=True)
        cal.add_component(component)
    # Timed events are in UK time; the VTIMEZONE covers the years around the week only.
    year = plan.week_start.year
    cal.add_missing_timezones(first_date=dt.date(year - 1, 1, 1), last_date=dt.date(year + 2, 1, 1))
    return cal.to_ical()


def appointment_uid(appointment: Appointment) -> str:
    """The event's UID: the appointment's (a moved occurrence: its series')."""
    return f"appointment-{appointment.series_id or appointment.id}@{UID_DOMAIN}"


def _start(day: dt.date, time: dt.time | None) -> dt.date | dt.datetime:
    return day if time is None else dt.datetime.combine(day, time, tzinfo=TIMEZONE)


def _booked_event(booked: Booked, masters: dict, stamp: dt.datetime, privacy: bool) -> Event:
    """One appointment as its event (see the module docstring)."""
    from icalendar import vRecur

    appt = booked.appointment
    event = Event()
    event.add("uid", appointment_uid(appt))
    event.add("dtstamp", stamp)
    event.add("sequence", max(0, appt.version - 1))
    event.add("dtstart", _start(appt.appointment_date, appt.time))
    if appt.time is None:
        event.add("dtend", appt.appointment_date + timedelta(days=1))
    else:
        event.add("duration", APPOINTMENT_LENGTH)
    if appt.rrule:
        event.add("rrule", vRecur.from_ical(appt.rrule))
        for day in appt.exdates:
            event.add("exdate", _start(day, appt.time))
    if appt.series_id is not None and appt.recurrence_date is not None:
        master = masters.get(appt.series_id)
        event.add("recurrence-id", _start(appt.recurrence_date, master.time if master else appt.time))
    event.add("status", "CANCELLED" if appt.cancelled else "CONFIRMED")
    kind = appt.kind.replace("_", " ")
    who = booked.case_ref if privacy or not booked.display_name else f"{booked.display_name} ({booked.case_ref})"
    event.add("summary", plain(f"{who}: Appointment ({kind})"))
    detail = f"{kind} appointment" + (", a series" if appt.rrule else "") + (
        f", moved from {appt.recurrence_date:%a %d %b}" if appt.recurrence_date else "") + (
        f"; cancelled by the {appt.cancelled_by}" if appt.cancelled else "")
    event.add("description", plain(detail))
    event.add("categories", ["appointment"])
    return event


def entry_uid(entry: PlanEntry) -> str:
    """Stable for the same thing on the same date, whichever week or as-of it is exported in."""
    item = (
        entry.item_id
        or (f"a{entry.action_id}" if entry.action_id is not None else None)
        or (f"p{entry.appointment_id}" if entry.appointment_id is not None else None)
        or (entry.time.strftime("%H%M") if entry.time else "day")
    )
    case = entry.case_ref or "none"
    return f"{entry.day:%Y%m%d}-{entry.kind}-{case}-{item}@{UID_DOMAIN}"


def _event(entry: PlanEntry) -> Event:
    event = Event()
    if entry.time is None:
        event.add("dtstart", entry.day)
        event.add("dtend", entry.day + timedelta(days=1))
    else:
        event.add("dtstart", dt.datetime.combine(entry.day, entry.time, tzinfo=TIMEZONE))
        event.add("duration", APPOINTMENT_LENGTH)
    return event


def _todo(entry: PlanEntry) -> Todo:
    todo = Todo()
    todo.add("due", entry.day)
    todo.add("status", "NEEDS-ACTION")
    return todo


def _describe(component: Event | Todo, entry: PlanEntry, stamp: dt.datetime, privacy: bool,
              overdue: bool = False) -> None:
    component.add("uid", entry_uid(entry))
    component.add("dtstamp", stamp)
    # People's text without control characters (none is allowed in iCalendar text).
    component.add("summary", plain(_summary(entry, privacy)))
    component.add("description", plain(("Overdue. " if overdue else "") + entry.detail))
    component.add("categories", [entry.kind])


def _summary(entry: PlanEntry, privacy: bool) -> str:
    if entry.case_ref is None:
        return entry.title
    who = entry.case_ref
    if not privacy and entry.display_name:
        who = f"{entry.display_name} ({entry.case_ref})"
    return f"{who}: {entry.title}"
