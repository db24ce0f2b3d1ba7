"""A week plan as an iCalendar file (`caseload week --format ics`).

Appointments become VEVENTs (timed when the time is known, else all-day);
everything else that falls due (contacts, checklist items, actions, the
catch-up list) becomes a VTODO with a DUE date. UIDs are built from the case
ref, the kind, the date and the item, and DTSTAMP from the as-of date, so
exporting the same plan twice gives the same bytes and a calendar that
imports it again updates rather than duplicates.

Text carries no control characters or terminal escape sequences
(planner/text.py). Case display names are personal data: by default (`privacy=True`) SUMMARY
carries the case ref only.
"""

from __future__ import annotations

import datetime as dt
from datetime import timedelta
from zoneinfo import ZoneInfo

from icalendar import Calendar, Event, Todo

from planner.text import plain
from planner.week import PlanEntry, WeekPlan

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
    for entry in plan.entries():
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
