"""handover_unplanned (docs/rules.md, rules v2): no handover planned, and the practitioner
has left, or is in an absence of 28+ days or with no end date and no cover
named (high); or leaves, or starts such an absence, within 56 days (medium;
high within 14)."""

import pytest

from planner.rules import handover_unplanned
from rules_kit import Handover, absence, ago, ahead, case, checklist, only, severity, world


@pytest.mark.parametrize(
    ("leaves_in", "expected"),
    [
        (57, None),
        (56, "medium"),
        (15, "medium"),
        (14, "high"),
        (0, "high"),  # leaves today: gone
        (-1, "high"),  # left yesterday and still holds the case
        (-200, "high"),
    ],
)
def test_leaving_date(leaves_in, expected):
    assert severity(handover_unplanned, case(), world(leaving={"P1": ahead(leaves_in)})) == expected


def test_a_leaver_after_the_leaving_date():
    w = only(handover_unplanned, case(), world(leaving={"P1": ago(5)}))
    assert w.facts["event"] == "left"
    assert w.title == "Worker left on Sun 22 Nov, no handover planned"
    assert w.detail == ("Alex Kent (P1) left on 22 Nov 2026 (5 days ago) and still holds the case, "
                        "and no handover is planned for this case.")
    assert w.action == "plan a handover: P1 left on Sun 22 Nov"


@pytest.mark.parametrize(
    ("starts_in", "length", "cover", "expected"),
    [
        (10, 27, None, None),  # too short
        (10, 28, None, "high"),
        (10, 28, "P2", "high"),  # cover or not, a long absence ahead needs a plan
        (20, 28, None, "medium"),
        (56, 40, None, "medium"),
        (57, 40, None, None),
        (-3, 60, None, "high"),  # under way now, no cover named
        (-3, 60, "P2", None),  # under way, with cover named
        (-3, 20, None, None),  # under way but short
        (0, 28, None, "high"),
    ],
)
def test_long_absence(starts_in, length, cover, expected):
    a = absence("P1", ahead(starts_in), ahead(starts_in + length - 1), cover=cover)
    assert severity(handover_unplanned, case(), world(absences=[a])) == expected


@pytest.mark.parametrize(
    ("starts_in", "cover", "expected"),
    [(-40, None, "high"), (-1, None, "high"), (-1, "P2", None), (5, None, "high"), (30, None, "medium"),
     (60, None, None)],
)
def test_open_ended_sickness(starts_in, cover, expected):
    a = absence("P1", ahead(starts_in), None, cover=cover, kind="sickness")
    assert severity(handover_unplanned, case(), world(absences=[a])) == expected


def test_open_ended_sickness_words():
    a = absence("P1", ago(12), None, kind="sickness")
    w = only(handover_unplanned, case(), world(absences=[a]))
    assert w.title == "Worker on sickness with no end date, no handover planned"
    assert w.detail == ("Alex Kent (P1) is away from Sun 15 Nov with no end date (sickness), with no cover "
                        "named, and no handover is planned for this case.")
    assert w.action == "plan a handover, or name cover: P1 has been away since Sun 15 Nov with no end date"
    assert w.facts["absence_end"] is None


def test_back_to_back_absences_join_up():
    first = absence("P1", ahead(10), ahead(23))  # 14 days
    second = absence("P1", ahead(24), ahead(37))  # 14 more, starting the next day
    w = only(handover_unplanned, case(), world(absences=[first, second]))
    assert w.facts["event"] == "absence"
    assert w.facts["absence_end"] == ahead(37).isoformat()


def test_a_planned_handover_silences_it():
    c = case(handovers=[Handover("P1", "P2", ahead(20), items=checklist())])
    assert severity(handover_unplanned, c, world(leaving={"P1": ahead(30)})) is None
    assert severity(handover_unplanned, c, world(leaving={"P1": ago(3)})) is None


def test_someone_elses_leaving_does_not_matter():
    assert severity(handover_unplanned, case(), world(leaving={"P2": ahead(5)})) is None


def test_earliest_event_wins_and_words():
    a = absence("P1", ahead(40), ahead(80))
    w = only(handover_unplanned, case(), world(absences=[a], leaving={"P1": ahead(49)}))
    assert w.facts["event"] == "absence"
    assert w.facts["days_away"] == 40
    assert w.severity == "medium"
    assert w.detail == (
        "Alex Kent (P1) is away from Wed 6 Jan 2027 to Mon 15 Feb 2027 (41 days), starting in "
        "40 days, and no handover is planned for this case."
    )
    assert w.action == "plan a handover, or cover, before Wed 6 Jan 2027"
    leaving = only(handover_unplanned, case(), world(leaving={"P1": ahead(49)}))
    assert leaving.detail == (
        "Alex Kent (P1) leaves on 15 Jan 2027 (in 49 days), and no handover is planned for this case."
    )
    assert leaving.title == "Worker leaves on Fri 15 Jan 2027, no handover planned"
    assert leaving.action == "plan a handover before P1 leaves on Fri 15 Jan 2027"
