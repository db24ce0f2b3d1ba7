"""planner/words.py and planner/relationship.py: the one wording of dates,
day counts, initials, a relationship's age and a person's count of workers,
shared by the rules, the screens and the records."""

from dataclasses import replace

from planner.policy import DEFAULT_POLICY
from planner.relationship import churn_words, relationship_label
from planner.words import ago, ahead, and_list, days, initials, ordinal, span


def test_day_counts_read_both_ways():
    assert [ago(n) for n in (0, 1, 3, -2)] == ["today", "1 day ago", "3 days ago", "in 2 days"]
    assert [ahead(n) for n in (0, 1, 3, -2)] == ["today", "in 1 day", "in 3 days", "2 days ago"]
    assert days(1.5) == "1.5 days" and days(2.0) == "2 days"


def test_ordinals_lists_spans_and_initials():
    assert [ordinal(n) for n in (1, 2, 3, 4, 11, 12, 13, 21, 22, 111)] == [
        "1st", "2nd", "3rd", "4th", "11th", "12th", "13th", "21st", "22nd", "111th"]
    assert and_list([]) == "" and and_list(["a"]) == "a" and and_list(["a", "b", "c"]) == "a, b and c"
    assert [span(n) for n in (59, 60, 729, 730)] == ["59 days", "2 mths", "24 mths", "2 yrs"]
    assert initials("Jo Bloggs-Smith") == "J.B.S." and initials("  ") == "?"


def test_relationship_label_and_churn_words():
    assert relationship_label(None) == "unallocated"
    assert relationship_label(14) == "new: week 3 of 12"
    assert relationship_label(84) == "2 mths" and relationship_label(800) == "2 yrs"
    assert churn_words(1) is None
    assert churn_words(2) == ("2nd practitioner in 12 months", "low")
    assert churn_words(3, planned=True) == ("3rd practitioner in 12 months (counting the planned handover)", "medium")
    wider = replace(DEFAULT_POLICY, practitioner_churn=replace(DEFAULT_POLICY.practitioner_churn,
                                                               window_days=730, medium_at=4))
    assert churn_words(3, wider) == ("3rd practitioner in 730 days", "low")
