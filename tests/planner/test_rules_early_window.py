"""early_window: low, informational, while the current relationship is under 84 days old."""

import pytest

from planner.rules import early_window
from rules_kit import Allocation, ahead, case, only, severity


@pytest.mark.parametrize(
    ("age", "expected"),
    [(0, "low"), (1, "low"), (83, "low"), (84, None), (300, None), (-3, None)],
)
def test_window_boundary(age, expected):
    c = case(start_ago=age)
    assert severity(early_window, c) == expected


@pytest.mark.parametrize(
    ("age", "week", "weeks_left", "title"),
    [
        (0, 1, 12, "New relationship: 12 weeks left"),
        (14, 3, 10, "New relationship: 10 weeks left"),
        (78, 12, 1, "New relationship: 1 week left"),
        (83, 12, 1, "New relationship: 1 week left"),
    ],
)
def test_weeks_left(age, week, weeks_left, title):
    w = only(early_window, case(start_ago=age))
    assert (w.facts["week"], w.facts["weeks"], w.facts["weeks_left"]) == (week, 12, weeks_left)
    assert w.facts["days_left"] == 84 - age
    assert w.title == title


def test_detail():
    w = only(early_window, case(start_ago=25))
    assert w.detail == (
        "The relationship with Alex Kent (P1) started on 2 Nov 2026, 25 days ago: "
        "week 4 of 12 of the 84-day early window, 59 days left."
    )


def test_unallocated_case_is_quiet():
    c = case(allocations=[Allocation("P1", ahead(-400), ahead(-10))])
    assert severity(early_window, c) is None
