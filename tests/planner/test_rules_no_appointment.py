"""no_appointment (docs/rules.md, rules v2): only beside contact_overdue (overdue, first
contact not pending), when nothing at all is booked from as-of on: low."""

import pytest

from planner.rules import contact_overdue, no_appointment
from rules_kit import Allocation, Appointment, ago, ahead, case, only, seen, severity


@pytest.mark.parametrize(
    ("gap", "appointments", "expected"),
    [
        (10, [], None),  # not due
        (24, [], None),  # due, not overdue: contact_due's, not this rule's
        (28, [], None),  # due today
        (35, [], "low"),  # overdue
        (35, [Appointment(ahead(3), "P1")], None),
        (35, [Appointment(ago(0), "P1")], None),  # booked today counts
        (35, [Appointment(ago(1), "P1")], "low"),  # yesterday's does not
        (35, [Appointment(ahead(40), "P2")], None),  # with anyone, however far ahead
        # a series that started before as_of and still runs
        (35, [Appointment(ago(30), "P1", rrule="FREQ=WEEKLY")], None),
        (35, [Appointment(ago(30), "P1", rrule="RRULE:FREQ=WEEKLY;COUNT=3")], "low"),
        (35, [Appointment(ago(30), "P1", rrule="FREQ=MONTHLY;UNTIL=20261220T000000")], None),
        # an RRULE that cannot be read counts as one appointment on its date
        (35, [Appointment(ago(30), "P1", rrule="NONSENSE")], "low"),
        (35, [Appointment(ahead(2), "P1", rrule="NONSENSE")], None),
    ],
)
def test_booking(gap, appointments, expected):
    c = case(contacts=[seen(gap)], appointments=appointments)
    assert severity(no_appointment, c) == expected
    if expected:
        assert severity(contact_overdue, c) is not None  # only ever beside it


def test_quiet_while_the_first_contact_is_pending():
    c = case(allocations=[Allocation("P2", ago(300), ago(2)), Allocation("P1", ago(2))],
             contacts=[seen(40, "P2")])
    assert severity(no_appointment, c) is None


def test_words_action_and_facts():
    w = only(no_appointment, case(contacts=[seen(31)]))
    assert w.title == "Overdue, and nothing booked"
    assert w.detail == "Contact has been due since 24 Nov 2026 and no appointment is booked on or after 27 Nov 2026."
    assert w.action == "book the next appointment by Tue 1 Dec"
    assert w.facts["due_on"] == "2026-11-24"
