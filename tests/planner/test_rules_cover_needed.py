"""cover_needed (docs/rules.md, rules v2): an absence of the practitioner with no cover
named covers a booked appointment's date within the next 28 days, or covers
the due date and every working day from after as-of to it (the practitioner
cannot see the person before it is due), for a due date from as-of to 28 days
ahead; not when a planned handover moves the case before the absence starts,
nor for a practitioner who has left (handover_unplanned's)."""

import pytest

from planner.rules import cover_needed
from rules_kit import Appointment, Handover, absence, ago, ahead, case, checklist, only, seen, severity, world

# Standard after the early window: T = 28. Seen 22 days ago (Thu 5 Nov): due Thu 3 Dec (ahead 6).
# The working days from after as-of (Fri 27 Nov) to it: Mon 30 Nov to Thu 3 Dec.
DUE_THU = case(contacts=[seen(22)])


@pytest.mark.parametrize(
    ("start", "end", "cover", "expected"),
    [
        (ahead(3), ahead(8), None, "medium"),  # away Mon to the Sat after: cannot see them before it is due
        (ahead(1), ahead(8), None, "medium"),  # from Saturday: the same
        (ahead(4), ahead(8), None, None),  # in on Mon 30 Nov: can see them before the due date
        (ahead(3), ahead(5), None, None),  # back on Thu, the due date
        (ahead(3), ahead(8), "P2", None),  # cover named
        (ahead(3), None, None, "medium"),  # open-ended
        (ago(10), ahead(6), None, "medium"),  # under way already
    ],
)
def test_the_due_date_and_every_working_day_before_it(start, end, cover, expected):
    w = world(absences=[absence("P1", start, end, cover)])
    assert severity(cover_needed, DUE_THU, w) == expected


def test_due_today_needs_only_today():
    c = case(contacts=[seen(28)])  # due today, Fri 27 Nov
    assert severity(cover_needed, c, world(absences=[absence("P1", ago(1), ahead(3))])) == "medium"


def test_an_overdue_contact_is_contact_overdues_not_this_rules():
    c = case(contacts=[seen(40)])
    assert severity(cover_needed, c, world(absences=[absence("P1", ago(2), ahead(5))])) is None


def test_beyond_28_days_is_quiet():
    c = case(contacts=[seen(2)], appointments=[Appointment(ahead(29), "P1")])
    assert severity(cover_needed, c, world(absences=[absence("P1", ahead(29), ahead(30))])) is None
    c = case(contacts=[seen(0)], appointments=[Appointment(ahead(28), "P1")])
    assert severity(cover_needed, c, world(absences=[absence("P1", ahead(28), ahead(30))])) == "medium"


def test_booked_appointment_in_the_absence():
    c = case(contacts=[seen(2)], appointments=[Appointment(ahead(6), "P1")])
    w = world(absences=[absence("P1", ahead(5), ahead(7))])
    found = only(cover_needed, c, w)
    assert found.facts["due_reason"] == "appointment"
    assert found.facts["due_on"] == ahead(6).isoformat()
    assert found.title == "No cover for the appointment on Thu 3 Dec"
    assert found.detail == ("Alex Kent (P1) is away from 2 Dec 2026 to 4 Dec 2026 with no cover named, "
                            "and an appointment is booked on 3 Dec 2026.")
    assert found.action == "name cover for Thu 3 Dec, or rebook the appointment with a colleague"
    assert severity(cover_needed, c, world(absences=[absence("P1", ahead(5), ahead(7), cover="P4")])) is None


def test_recurring_appointment_is_expanded():
    c = case(contacts=[seen(1)], appointments=[Appointment(ago(21), "P1", rrule="FREQ=WEEKLY;COUNT=10")])
    w = world(absences=[absence("P1", ahead(13), ahead(15))])  # 10-12 Dec
    assert only(cover_needed, c, w).facts["due_on"] == "2026-12-11"
    ended = case(contacts=[seen(1)], appointments=[Appointment(ago(21), "P1", rrule="FREQ=WEEKLY;COUNT=3")])
    assert severity(cover_needed, ended, w) is None


def test_appointments_with_someone_else_and_colleagues_absences_do_not_need_cover():
    c = case(contacts=[seen(2)], appointments=[Appointment(ahead(6), "P2")])
    assert severity(cover_needed, c, world(absences=[absence("P1", ahead(5), ahead(7))])) is None
    assert severity(cover_needed, DUE_THU, world(absences=[absence("P2", ahead(3), ahead(8))])) is None


def test_a_covered_stretch_inside_an_uncovered_one():
    w = world(absences=[absence("P1", ahead(0), ahead(20)), absence("P1", ahead(5), ahead(7), "P3")])
    assert severity(cover_needed, DUE_THU, w) is None


@pytest.mark.parametrize(("planned", "expected"), [(2, None), (3, "medium"), (10, "medium")])
def test_a_handover_before_the_absence_moves_the_case(planned, expected):
    c = case(contacts=[seen(22)], handovers=[Handover("P1", "P2", ahead(planned), items=checklist())])
    assert severity(cover_needed, c, world(absences=[absence("P1", ahead(3), ahead(8))])) == expected


def test_a_practitioner_who_has_left_is_handover_unplanneds():
    w = world(absences=[absence("P1", ahead(3), ahead(8))], leaving={"P1": ago(1)})
    assert severity(cover_needed, DUE_THU, w) is None


def test_words_for_the_due_date():
    w = only(cover_needed, DUE_THU, world(absences=[absence("P1", ahead(3), None, kind="sickness")]))
    assert w.title == "No cover while contact falls due on Thu 3 Dec"
    assert w.detail == ("Alex Kent (P1) is away from 30 Nov 2026 with no end date with no cover named, and "
                        "contact falls due on 3 Dec 2026 and P1 is away every working day until then.")
    assert w.action == "name cover to see them by Thu 3 Dec, or see them before Mon 30 Nov"
