"""alliance_low and checkin_due (docs/voice.md, docs/rules.md): the person's
check-ins with the current practitioner, at the edges of their windows."""

from dataclasses import replace

import pytest

from planner.model import Checkin
import tomllib

from planner.policy import policy_from_dict
from planner.risk import evaluate_case, status_tag
from planner.rules import alliance_low, checkin_due
from rules_kit import AS_OF, WORLD, ago, case, only, run, severity


def ci(days_ago: int, listened: int = 4, goals: int = 4, trust: int = 4, pid: str = "P1") -> Checkin:
    return Checkin(ago(days_ago), pid, listened, goals, trust, "made-up words")


def with_checkins(*checkins: Checkin, start_ago: int = 200, pid: str = "P1"):
    return replace(case(start_ago=start_ago, pid=pid), checkins=tuple(checkins))


# ------------------------------------------------------------------ alliance_low


@pytest.mark.parametrize(("answers", "expected"), [
    ((3, 3, 3), None), ((2, 5, 5), "medium"), ((5, 2, 5), "medium"), ((5, 5, 2), "medium"),
    ((1, 1, 1), "medium"), ((5, 5, 5), None),
])
def test_an_answer_of_two_or_less(answers, expected):
    assert severity(alliance_low, with_checkins(ci(10, *answers))) == expected


@pytest.mark.parametrize(("before", "after", "expected"), [
    ((5, 5, 5), (4, 4, 4), "medium"),  # total 15 -> 12: a fall of 3
    ((5, 5, 5), (4, 4, 5), None),  # a fall of 2
    ((3, 3, 3), (5, 5, 5), None),  # a rise
])
def test_a_fall_of_three_from_the_previous_with_the_same_practitioner(before, after, expected):
    assert severity(alliance_low, with_checkins(ci(60, *before), ci(5, *after))) == expected


def test_the_previous_is_the_same_practitioners():
    """A high check-in with someone else before does not make a fall."""
    c = with_checkins(ci(60, 5, 5, 5, pid="P2"), ci(30, 3, 3, 3), ci(5, 3, 3, 3))
    assert severity(alliance_low, c) is None
    c = with_checkins(ci(30, 5, 5, 5), ci(20, 5, 5, 5, pid="P2"), ci(5, 4, 4, 4))
    assert severity(alliance_low, c) == "medium"


@pytest.mark.parametrize(("days_ago", "expected"), [(0, "medium"), (83, "medium"), (84, None), (120, None)])
def test_the_latest_must_be_in_the_last_84_days(days_ago, expected):
    assert severity(alliance_low, with_checkins(ci(days_ago, 1, 4, 4))) == expected


def test_only_the_latest_counts():
    """A low check-in followed by a good one: the conversation happened."""
    assert severity(alliance_low, with_checkins(ci(40, 1, 1, 1), ci(10, 4, 4, 4))) is None


def test_a_low_check_in_with_a_former_practitioner_does_not_fire():
    assert severity(alliance_low, with_checkins(ci(10, 1, 1, 1, pid="P2"))) is None


def test_a_check_in_after_as_of_is_ignored():
    assert severity(alliance_low, with_checkins(ci(-3, 1, 1, 1))) is None


def test_words_action_and_facts_never_the_persons_words():
    w = only(alliance_low, with_checkins(ci(60, 5, 5, 5), ci(5, 4, 2, 4)))
    assert w.action == "talk about what is not working; consider a three-way with the lead"
    assert "goals answered 2 or less" in w.detail and "fell by 5" in w.detail
    assert "made-up words" not in w.detail + w.title + str(w.facts)
    assert w.facts["low"] == ["goals"] and w.facts["drop"] == 5 and w.facts["total"] == 10


def test_closed_cases_get_nothing():
    assert run(alliance_low, replace(with_checkins(ci(5, 1, 1, 1)), status="closed")) == []


def test_the_policy_moves_the_edges():
    policy = policy_from_dict(tomllib.loads("[alliance_low]\nlow_answer = 3\ndrop = 2\nwindow_days = 10\n"))
    assert severity(alliance_low, with_checkins(ci(5, 3, 5, 5)), policy=policy) == "medium"
    assert severity(alliance_low, with_checkins(ci(60, 5, 5, 5), ci(5, 4, 4, 5)), policy=policy) == "medium"
    assert severity(alliance_low, with_checkins(ci(10, 1, 1, 1)), policy=policy) is None


# ------------------------------------------------------------------ checkin_due


@pytest.mark.parametrize(("start_ago", "expected"), [(28, None), (29, "info"), (10, None), (300, "info")])
def test_due_once_the_relationship_is_over_28_days_old(start_ago, expected):
    assert severity(checkin_due, with_checkins(start_ago=start_ago)) == expected


@pytest.mark.parametrize(("days_ago", "expected"), [(0, None), (83, None), (84, "info"), (200, "info")])
def test_due_with_no_check_in_in_the_last_84_days(days_ago, expected):
    assert severity(checkin_due, with_checkins(ci(days_ago))) == expected


def test_a_check_in_with_someone_else_does_not_count():
    assert severity(checkin_due, with_checkins(ci(5, pid="P2"))) == "info"


def test_checkin_due_is_a_status_with_an_action():
    w = only(checkin_due, with_checkins(ci(100)))
    assert w.action == "ask the three check-in questions at the next contact"
    assert status_tag(w) == "check-in due"
    assert w.facts["last_checkin"] == ago(100).isoformat()
    warnings = evaluate_case(with_checkins(ci(100)), WORLD, AS_OF)
    assert any(x.rule == "checkin_due" for x in warnings)
