"""The days a booking may not fall on (planner/appointments.py
`booking_refusals`): one home for the booking form's warning and storage's
refusal. The wording is storage's (tests/storage/test_appointment_exceptions.py
matches the same sentences from the database)."""

from __future__ import annotations

from datetime import date

from planner.appointments import SERIES_DATES_CHECKED, RefusedDay, booking_dates, booking_refusals, refused_days
from planner.calendar import working_days
from planner.model import Absence

D = date.fromisoformat
LEAVE = Absence("P2", D("2026-12-14"), D("2026-12-18"), "leave", "P3")
SICK = Absence("P2", D("2027-01-04"), None, "sickness")
HOLIDAY = working_days("england-and-wales").holiday_name


def test_a_one_off_is_its_date_and_a_series_its_first_dates_up_to_the_limit():
    assert booking_dates(D("2026-12-01"), None) == [D("2026-12-01")]
    assert booking_dates(D("2026-12-01"), "FREQ=WEEKLY;COUNT=3") == [D("2026-12-01"), D("2026-12-08"), D("2026-12-15")]
    assert len(booking_dates(D("2026-12-01"), "FREQ=DAILY")) == SERIES_DATES_CHECKED == 60
    assert booking_dates(D("2026-12-01"), "FREQ=DAILY", limit=2) == [D("2026-12-01"), D("2026-12-02")]


def test_an_absence_day_says_who_is_away_when_and_until_when():
    assert refused_days([D("2026-12-13"), D("2026-12-15"), D("2026-12-19")], [LEAVE]) == [
        RefusedDay(D("2026-12-15"), "P2 is away on Tue 15 Dec 2026 (leave, Mon 14 Dec to Fri 18 Dec)", LEAVE)]
    assert refused_days([D("2027-03-01")], [LEAVE, SICK]) == [
        RefusedDay(D("2027-03-01"), "P2 is away on Mon 01 Mar 2027 (sickness, Mon 04 Jan, no end date)", SICK)]


def test_a_bank_holiday_is_named_before_an_absence_over_it_and_only_when_a_calendar_is_given():
    over_christmas = Absence("P2", D("2026-12-21"), D("2027-01-01"), "leave")
    assert refused_days([D("2026-12-25")], [over_christmas], HOLIDAY) == [
        RefusedDay(D("2026-12-25"), "Fri 25 Dec 2026 is a bank holiday (Christmas Day)")]
    assert refused_days([D("2026-12-25")], [over_christmas])[0].absence == over_christmas
    assert refused_days([D("2026-12-25")], []) == []


def test_a_series_lists_each_refused_date_in_order_with_why():
    found = booking_refusals(D("2026-12-14"), "FREQ=WEEKLY;INTERVAL=2;COUNT=3", [LEAVE], HOLIDAY)
    assert [(r.day, r.reason) for r in found] == [
        (D("2026-12-14"), "P2 is away on Mon 14 Dec 2026 (leave, Mon 14 Dec to Fri 18 Dec)"),
        (D("2026-12-28"), "Mon 28 Dec 2026 is a bank holiday (Boxing Day (observed))"),
    ]
    assert booking_refusals(D("2027-01-11"), "FREQ=WEEKLY;COUNT=4", [LEAVE], HOLIDAY) == []


def test_dates_past_the_limit_are_not_looked_at():
    june = Absence("P2", D("2027-06-01"), D("2027-06-30"), "leave")
    # Tuesdays from 1 Dec 2026: the 20th is 13 Apr 2027, the 60th in January 2028
    assert booking_refusals(D("2026-12-01"), "FREQ=WEEKLY", [june], limit=20) == []
    assert [r.day for r in booking_refusals(D("2026-12-01"), "FREQ=WEEKLY", [june])] == [
        D("2027-06-01"), D("2027-06-08"), D("2027-06-15"), D("2027-06-22"), D("2027-06-29")]
