"""relationship_gap (docs/rules.md, rules v2): own gap > 2 x T, not counting days of the
practitioner's own absences (with or without cover), while someone else has
had a meaningful contact since: medium."""

from datetime import date

import pytest

from planner.rules import relationship_gap
from rules_kit import Allocation, absence, ago, ahead, booked, case, only, seen, severity, world


@pytest.mark.parametrize(
    ("own_ago", "other_ago", "expected"),
    [
        (56, 10, None),  # own gap exactly 2 x 28: not more
        (57, 10, "medium"),
        (57, None, None),  # nobody else saw them: contact_overdue's job
        (57, 57, None),  # the other contact is on the same day, not after
        (57, 58, None),  # the other contact is before the own one
        (90, 56, "medium"),
    ],
)
def test_own_gap_and_someone_else(own_ago, other_ago, expected):
    contacts = [seen(own_ago, "P1")]
    if other_ago is not None:
        contacts.append(seen(other_ago, "P2"))
    c = case(start_ago=300, contacts=contacts)
    assert severity(relationship_gap, c) == expected


@pytest.mark.parametrize(
    ("away", "expected_gap", "expected"),
    [
        (None, 62, "medium"),
        ((20, 11, None), 52, None),  # covered leave of 10 days inside the gap: 52 <= 56
        ((20, 11, "P3"), 52, None),  # named cover or not, the days are not counted
        ((20, 15, None), 56, None),  # 6 days: 56, not more
        ((20, 16, "P3"), 57, "medium"),  # 5 days: 57
        ((80, 63, None), 62, "medium"),  # an absence before the own contact does not count
        ((70, 60, None), 60, "medium"),  # one across it: only its days after the contact
        ((3, None, None), 58, "medium"),  # open-ended sickness from 3 days ago: 4 days (today too)
    ],
)
def test_the_practitioners_absences_are_not_counted(away, expected_gap, expected):
    c = case(start_ago=300, contacts=[seen(62, "P1"), seen(7, "P2")])
    absences = []
    if away is not None:
        start, end, cover = away
        absences.append(absence("P1", ago(start), None if end is None else ago(end), cover=cover))
    w = world(absences=absences)
    assert severity(relationship_gap, c, w) == expected
    if expected:
        assert only(relationship_gap, c, w).facts["own_gap_days"] == expected_gap


def test_a_colleagues_absence_does_not_count():
    c = case(start_ago=300, contacts=[seen(62, "P1"), seen(7, "P2")])
    assert severity(relationship_gap, c, world(absences=[absence("P2", ago(40), ago(20))])) == "medium"


def test_no_own_contact_counts_from_allocation_start():
    c = case(
        allocations=[Allocation("P2", ago(500), ago(100)), Allocation("P1", ago(100))],
        contacts=[seen(120, "P2"), seen(30, "P2", kind="phone")],
    )
    w = only(relationship_gap, c)
    assert w.facts["own_gap_days"] == 100
    assert w.facts["own_last_on"] is None
    assert w.facts["other_practitioner_id"] == "P2"
    assert w.facts["other_contact_on"] == ago(30).isoformat()
    assert w.title == "No contact with their own worker since allocated 100 days ago — Sam Reed has been in contact"
    assert "Alex Kent (P1) has had no meaningful contact since the allocation started on" in w.detail


def test_own_contacts_before_the_allocation_do_not_count():
    c = case(
        allocations=[Allocation("P1", ago(600), ago(300)), Allocation("P2", ago(300), ago(150)),
                     Allocation("P1", ago(150))],
        contacts=[seen(310, "P1"), seen(20, "P2")],
    )
    assert only(relationship_gap, c).facts["own_gap_days"] == 150


def test_present_at_a_contact_counts_as_own():
    c = case(start_ago=300, contacts=[seen(62, "P1"), seen(7, "P2", kind="three_way", with_pid="P1")])
    assert severity(relationship_gap, c) is None


def test_words_action_and_facts():
    c = case(start_ago=300, contacts=[seen(62, "P1"), seen(7, "P2")])
    w = only(relationship_gap, c, world(absences=[absence("P1", ago(30), ago(26), cover="P3")]))
    assert w.title == "Not seen by their own worker for 62 days — Sam Reed has seen them"
    assert w.detail == (
        "Alex Kent (P1) last saw them on 26 Sep 2026 (office); Sam Reed (P2) has seen them since, "
        "on 20 Nov 2026 (office). 62 days, 5 of them away, so 57 days counted: more than 2 × 28 = 56 days "
        "(standard level after the early window)."
    )
    assert w.action == "book a contact with P1 by Fri 4 Dec"
    assert (w.facts["calendar_days"], w.facts["days_away"], w.facts["own_gap_days"]) == (62, 5, 57)
    phone = only(relationship_gap, case(start_ago=300, contacts=[seen(62, "P1", kind="phone"),
                                                                 seen(7, "P2", kind="phone")]))
    assert phone.title == "No contact with their own worker for 62 days — Sam Reed has been in contact"
    soon = only(relationship_gap, case(start_ago=300, contacts=[seen(62), seen(7, "P2")],
                                       appointments=[booked(4)]))
    assert soon.action == "see them yourself at the appointment booked for Tue 1 Dec"
