"""planner.rules.appointment_dates: the dates of a one-off appointment or a
series (RRULE) from first to last, both counted; an RRULE that cannot be
read counts as one appointment on its date; nothing before a series starts."""

from datetime import date

import pytest

from planner.model import Appointment
from planner.rules import appointment_dates

D = date(2026, 11, 27)  # a Friday
WEEKLY = "FREQ=WEEKLY;COUNT=3"


@pytest.mark.parametrize(
    ("start", "rrule", "first", "last", "expected"),
    [
        (D, None, D, D, [D]),
        (D, None, date(2026, 11, 1), date(2026, 11, 26), []),  # after the window
        (D, None, date(2026, 11, 28), date(2026, 12, 31), []),  # before it
        (D, WEEKLY, D, date(2026, 12, 31), [D, date(2026, 12, 4), date(2026, 12, 11)]),
        (D, WEEKLY, date(2026, 12, 1), date(2026, 12, 8), [date(2026, 12, 4)]),
        (D, WEEKLY, date(2026, 12, 12), date(2027, 1, 31), []),  # the series has ended
        (D, WEEKLY, date(2026, 11, 1), date(2026, 11, 26), []),  # it has not started
        (D, "FREQ=WEEKLY;BYDAY=MO", D, date(2026, 12, 8), [date(2026, 11, 30), date(2026, 12, 7)]),
        (D, "NONSENSE", date(2026, 11, 1), date(2026, 12, 31), [D]),  # unreadable: one appointment
        (D, "NONSENSE", date(2026, 11, 1), date(2026, 11, 26), []),
    ],
)
def test_dates(start, rrule, first, last, expected):
    assert appointment_dates(Appointment(start, "P1", rrule=rrule), first, last) == expected
