"""cover_needed: away with no cover on a day within 28 days when the case's contact falls due."""

import pytest

from planner.rules import cover_needed
from rules_kit import Appointment, absence, ago, ahead, case, only, seen, severity, world

# Standard case after the early window: T = 28. Seen 20 days ago => due in 8 days.
DUE_IN_8 = case(contacts=[seen(20)])


@pytest.mark.parametrize(
    ("start", "end", "cover", "expected"),
    [
        (ahead(5), ahead(10), None, "medium"),  # away on the due day, nobody named
        (ahead(5), ahead(10), "P2", None),  # cover named
        (ahead(9), ahead(12), None, None),  # back before... no: away after the due day
        (ahead(1), ahead(7), None, None),  # back the day before
        (ahead(8), ahead(8), None, "medium"),  # away exactly the due day
    ],
)
def test_due_date_from_last_contact(start, end, cover, expected):
    w = world(absences=[absence("P1", start, end, cover)])
    assert severity(cover_needed, DUE_IN_8, w) == expected


def test_someone_elses_absence_does_not_matter():
    w = world(absences=[absence("P2", ahead(5), ahead(10))])
    assert severity(cover_needed, DUE_IN_8, w) is None


def test_a_covered_stretch_inside_an_uncovered_one():
    w = world(absences=[absence("P1", ahead(0), ahead(20)), absence("P1", ahead(7), ahead(9), "P3")])
    assert severity(cover_needed, DUE_IN_8, w) is None


def test_booked_appointment_in_the_absence():
    # Recently seen (due in 26 days) but an appointment is booked while away.
    c = case(contacts=[seen(2)], appointments=[Appointment(ahead(6), "P1")])
    w = world(absences=[absence("P1", ahead(5), ahead(7))])
    found = only(cover_needed, c, w)
    assert found.facts["due_reason"] == "appointment"
    assert found.facts["due_on"] == ahead(6).isoformat()
    assert found.detail == (
        "Alex Kent (P1) is away from 2 Dec 2026 to 4 Dec 2026 with no cover named, and a "
        "booked appointment falls on 3 Dec 2026."
    )
    with_cover = world(absences=[absence("P1", ahead(5), ahead(7), cover="P4")])
    assert severity(cover_needed, c, with_cover) is None


def test_recurring_appointment_is_expanded():
    # Weekly from 3 weeks ago: occurrences 6 Nov, 13, 20, 27 Nov, 4 Dec, 11 Dec...
    c = case(
        contacts=[seen(1)],
        appointments=[Appointment(ago(21), "P1", rrule="FREQ=WEEKLY;COUNT=10")],
    )
    w = world(absences=[absence("P1", ahead(13), ahead(15))])  # 10-12 Dec
    assert only(cover_needed, c, w).facts["due_on"] == "2026-12-11"
    ended = case(contacts=[seen(1)], appointments=[Appointment(ago(21), "P1", rrule="FREQ=WEEKLY;COUNT=3")])
    assert severity(cover_needed, ended, w) is None


def test_appointments_with_someone_else_do_not_need_cover():
    c = case(contacts=[seen(2)], appointments=[Appointment(ahead(6), "P2")])
    w = world(absences=[absence("P1", ahead(5), ahead(7))])
    assert severity(cover_needed, c, w) is None


def test_beyond_28_days_is_quiet():
    c = case(contacts=[seen(2)], appointments=[Appointment(ahead(29), "P1")])
    w = world(absences=[absence("P1", ahead(29), ahead(30))])
    assert severity(cover_needed, c, w) is None
    c = case(contacts=[seen(0)], appointments=[Appointment(ahead(28), "P1")])
    w = world(absences=[absence("P1", ahead(28), ahead(30))])
    assert severity(cover_needed, c, w) == "medium"


def test_overdue_contact_falls_due_today():
    c = case(contacts=[seen(40)])  # due 12 days ago
    w = world(absences=[absence("P1", ago(2), ahead(5))])
    found = only(cover_needed, c, w)
    assert found.facts["due_on"] == ago(0).isoformat()
    assert "contact has been due since 15 Nov 2026" in found.detail
    later = world(absences=[absence("P1", ahead(3), ahead(5))])
    assert severity(cover_needed, c, later) is None
