"""handover_unplanned: leaving, or a 28+ day absence, within 56 days with no handover planned."""

import pytest

from planner.rules import handover_unplanned
from rules_kit import Handover, absence, ahead, case, checklist, only, severity, world


@pytest.mark.parametrize(
    ("leaves_in", "expected"),
    [
        (57, None),
        (56, "medium"),
        (15, "medium"),
        (14, "high"),
        (0, "high"),
        (-1, None),  # already gone: not "within the next 56 days"
    ],
)
def test_leaving_date(leaves_in, expected):
    w = world(leaving={"P1": ahead(leaves_in)})
    assert severity(handover_unplanned, case(), w) == expected


@pytest.mark.parametrize(
    ("starts_in", "length", "expected"),
    [
        (10, 27, None),  # too short
        (10, 28, "high"),
        (20, 28, "medium"),
        (56, 40, "medium"),
        (57, 40, None),
        (-3, 60, None),  # started already: not a start within the window
    ],
)
def test_long_absence(starts_in, length, expected):
    a = absence("P1", ahead(starts_in), ahead(starts_in + length - 1))
    assert severity(handover_unplanned, case(), world(absences=[a])) == expected


def test_back_to_back_absences_join_up():
    first = absence("P1", ahead(10), ahead(23))  # 14 days
    second = absence("P1", ahead(24), ahead(37))  # 14 more, starting the next day
    w = only(handover_unplanned, case(), world(absences=[first, second]))
    assert w.facts["absence_days"] == 28
    assert w.facts["event"] == "absence"


def test_a_planned_handover_silences_it():
    c = case(handovers=[Handover("P1", "P2", ahead(20), items=checklist())])
    assert severity(handover_unplanned, c, world(leaving={"P1": ahead(30)})) is None


def test_someone_elses_leaving_does_not_matter():
    assert severity(handover_unplanned, case(), world(leaving={"P2": ahead(5)})) is None


def test_earliest_event_wins_and_detail():
    a = absence("P1", ahead(40), ahead(80))
    w = only(handover_unplanned, case(), world(absences=[a], leaving={"P1": ahead(49)}))
    assert w.facts["event"] == "absence"
    assert w.facts["days_away"] == 40
    assert w.severity == "medium"
    assert w.detail == (
        "Alex Kent (P1) is away for 41 days from 6 Jan 2027 to 15 Feb 2027, starting in "
        "40 days, and no handover is planned for this case."
    )
    leaving = only(handover_unplanned, case(), world(leaving={"P1": ahead(49)}))
    assert leaving.detail == (
        "Alex Kent (P1) leaves on 15 Jan 2027 (in 49 days), and no handover is planned for this case."
    )
