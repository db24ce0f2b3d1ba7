"""early_window (docs/rules.md, rules v2): an `info` status, not a warning, while the
current relationship is under 84 days old: "new: week 3 of 12"."""

import pytest

from planner.risk import evaluate_case, is_warning, risk_score, severity_counts, status_tag
from planner.rules import early_window
from rules_kit import AS_OF, WORLD, Allocation, ahead, case, only, seen, severity


@pytest.mark.parametrize(
    ("age", "expected"),
    [(0, "info"), (1, "info"), (83, "info"), (84, None), (300, None), (-3, None)],
)
def test_window_boundary(age, expected):
    assert severity(early_window, case(start_ago=age)) == expected


@pytest.mark.parametrize(
    ("age", "week", "tag"),
    [(0, 1, "new: week 1 of 12"), (14, 3, "new: week 3 of 12"), (20, 3, "new: week 3 of 12"),
     (83, 12, "new: week 12 of 12")],
)
def test_the_badge(age, week, tag):
    w = only(early_window, case(start_ago=age))
    assert (w.facts["week"], w.facts["weeks"]) == (week, 12)
    assert w.facts["days_left"] == 84 - age
    assert w.facts["tag"] == tag == status_tag(w)
    assert w.title == f"New relationship: week {week} of 12"


def test_words_and_action():
    w = only(early_window, case(start_ago=25))
    assert w.detail == (
        "The relationship with Alex Kent (P1) started on 2 Nov 2026, 25 days ago: week 4 of 12 of the "
        "84-day early window, which ends on 25 Jan 2027; until then contact is due every 14 days "
        "(standard level)."
    )
    assert w.action == "keep to fortnightly contact until Sun 24 Jan 2027 (week 12)"
    intensive = only(early_window, case(level="intensive", start_ago=25))
    assert intensive.action == "keep to weekly contact until Sun 24 Jan 2027 (week 12)"


def test_a_status_is_never_counted():
    c = case(start_ago=20, contacts=[seen(2)])
    found = evaluate_case(c, WORLD, AS_OF)
    assert [w.rule for w in found] == ["early_window"]
    assert not any(is_warning(w) for w in found)
    assert severity_counts(found) == {"high": 0, "medium": 0, "low": 0}
    assert risk_score(found) == 0


def test_unallocated_case_is_quiet():
    c = case(allocations=[Allocation("P1", ahead(-400), ahead(-10))])
    assert severity(early_window, c) is None
