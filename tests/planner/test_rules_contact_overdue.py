"""contact_overdue: gap > T is medium; gap > 1.5 x T is high (SPEC §3)."""

import pytest

from planner.rules import contact_overdue
from rules_kit import AS_OF, Allocation, ago, ahead, case, missed, only, seen, severity


@pytest.mark.parametrize(
    ("level", "start_ago", "gap", "expected"),
    [
        # standard, after the early window: T = 28, high above 42
        ("standard", 200, 27, None),
        ("standard", 200, 28, None),  # exactly T: not overdue (contact_due instead)
        ("standard", 200, 29, "medium"),  # T + 1
        ("standard", 200, 42, "medium"),  # exactly 1.5 x T
        ("standard", 200, 43, "high"),  # above 1.5 x T
        # standard in the early window: T = 14
        ("standard", 60, 14, None),
        ("standard", 60, 15, "medium"),
        ("standard", 60, 21, "medium"),
        ("standard", 60, 22, "high"),
        # intensive: 7 early / 14 after; 1.5 x 7 = 10.5
        ("intensive", 30, 8, "medium"),
        ("intensive", 30, 10, "medium"),
        ("intensive", 30, 11, "high"),
        ("intensive", 200, 14, None),
        ("intensive", 200, 15, "medium"),
        ("intensive", 200, 22, "high"),
        # enhanced: 7 / 21
        ("enhanced", 200, 21, None),
        ("enhanced", 200, 22, "medium"),
        ("enhanced", 200, 32, "high"),
        # low: 14 / 42, high above 63
        ("low", 200, 42, None),
        ("low", 200, 43, "medium"),
        ("low", 200, 63, "medium"),
        ("low", 200, 64, "high"),
    ],
)
def test_gap_against_threshold(level, start_ago, gap, expected):
    c = case(level=level, start_ago=start_ago, contacts=[seen(gap)])
    assert severity(contact_overdue, c) == expected


@pytest.mark.parametrize(
    ("start_ago", "expected"),
    [
        (83, "medium"),  # relationship 83 days old: early column, T = 14, gap 20 > 14
        (84, None),  # 84 days old: after the early window, T = 28, gap 20 <= 28
    ],
)
def test_early_window_boundary_switches_the_column(start_ago, expected):
    c = case(start_ago=start_ago, contacts=[seen(20, pid="P2")])
    assert severity(contact_overdue, c) == expected


def test_never_seen_counts_from_the_first_allocation():
    c = case(
        allocations=[Allocation("P2", ago(400), ago(100)), Allocation("P1", ago(100))],
    )
    w = only(contact_overdue, c)
    assert w.severity == "high"
    assert w.facts["gap_days"] == 400
    assert w.facts["last_meaningful_on"] is None
    assert w.facts["gap_from"] == ago(400).isoformat()
    assert "No meaningful contact since the first allocation on" in w.detail


def test_only_meaningful_contacts_reset_the_gap():
    c = case(
        contacts=[
            seen(30),
            missed(10),
            seen(9, outcome="cancelled"),
            seen(8, kind="other"),  # attended but `other`: not meaningful
        ]
    )
    assert only(contact_overdue, c).facts["gap_days"] == 30


def test_contact_with_anyone_counts():
    c = case(contacts=[seen(40, "P1"), seen(5, "P3", kind="home_visit")])
    assert severity(contact_overdue, c) is None


def test_contacts_after_as_of_are_ignored():
    c = case(contacts=[seen(35), seen(-3)])  # the one 3 days ahead is ignored
    assert only(contact_overdue, c).facts["gap_days"] == 35


def test_detail_names_dates_and_numbers():
    c = case(contacts=[seen(31)])
    w = only(contact_overdue, c)
    assert w.rule == "contact_overdue"
    assert w.case_ref == "C1" and w.practitioner_id == "P1"
    assert w.detail == (
        "Last seen 31 days ago on 27 Oct 2026; "
        "standard level after the early window allows 28 days."
    )
    assert w.facts == {
        "gap_days": 31,
        "threshold_days": 28,
        "contact_level": "standard",
        "early_window": False,
        "last_meaningful_on": "2026-10-27",
        "last_meaningful_practitioner_id": "P1",
        "gap_from": "2026-10-27",
        "high_above_days": 42.0,
    }
    assert "42" in only(contact_overdue, case(contacts=[seen(50)])).detail


def test_no_allocations_at_all_is_quiet():
    c = case(allocations=[])
    assert severity(contact_overdue, c) is None


def test_as_of_in_the_future_of_a_case():
    c = case(start_ago=0, contacts=[])
    assert severity(contact_overdue, c, as_of=ahead(15)) == "medium"
    assert severity(contact_overdue, c, as_of=AS_OF) is None
