"""relationship_gap: own gap > 2 x T while someone else has seen the person since (SPEC §3)."""

import pytest

from planner.rules import relationship_gap
from rules_kit import Allocation, ago, case, only, seen, severity


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


def test_no_own_contact_counts_from_allocation_start():
    c = case(
        allocations=[Allocation("P2", ago(500), ago(100)), Allocation("P1", ago(100))],
        contacts=[seen(120, "P2"), seen(30, "P2", kind="phone")],
    )
    # early window is over (100 >= 84): T = 28, limit 56; own gap 100 days
    w = only(relationship_gap, c)
    assert w.facts["own_gap_days"] == 100
    assert w.facts["own_last_on"] is None
    assert w.facts["other_practitioner_id"] == "P2"
    assert w.facts["other_contact_on"] == ago(30).isoformat()
    assert "Alex Kent (P1) has not seen them since the allocation started on" in w.detail


def test_own_contacts_before_the_allocation_do_not_count():
    # P1 held the case before, saw them then; the current allocation is new.
    c = case(
        allocations=[
            Allocation("P1", ago(600), ago(300)),
            Allocation("P2", ago(300), ago(150)),
            Allocation("P1", ago(150)),
        ],
        contacts=[seen(310, "P1"), seen(20, "P2")],
    )
    w = only(relationship_gap, c)
    assert w.facts["own_gap_days"] == 150


def test_detail():
    c = case(start_ago=300, contacts=[seen(60, "P1"), seen(7, "P2")])
    w = only(relationship_gap, c)
    assert w.detail == (
        "Alex Kent (P1) last saw them 60 days ago on 28 Sep 2026; Sam Reed (P2) has seen "
        "them since, on 20 Nov 2026. 60 days is more than 2 × 28 = 56 days "
        "(standard level after the early window)."
    )
    assert w.severity == "medium"
