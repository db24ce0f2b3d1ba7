"""no_appointment: contact due or overdue and nothing booked on or after as_of: low."""

import pytest

from planner.rules import no_appointment
from rules_kit import Appointment, ago, ahead, case, only, seen, severity


@pytest.mark.parametrize(
    ("gap", "appointments", "expected"),
    [
        (10, [], None),  # not due
        (21, [], "low"),  # due
        (35, [], "low"),  # overdue
        (35, [Appointment(ahead(3), "P1")], None),
        (35, [Appointment(ago(0), "P1")], None),  # booked today counts
        (35, [Appointment(ago(1), "P1")], "low"),  # yesterday's does not
        (35, [Appointment(ahead(3), "P2")], None),  # with anyone
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


def test_detail():
    w = only(no_appointment, case(contacts=[seen(31)]))
    assert w.detail == (
        "Contact is overdue (last seen 31 days ago on 27 Oct 2026; standard level after the "
        "early window allows 28 days) and nothing is booked on or after 27 Nov 2026."
    )
    assert w.facts["contact_state"] == "overdue"
