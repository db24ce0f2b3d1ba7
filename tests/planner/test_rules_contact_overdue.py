"""contact_overdue (docs/rules.md, rules v2): as-of after the due date (last meaningful
contact + T, moved to a working day) is medium; high when the gap is over
1.5 x T and nothing is booked in the next 7 days; quiet while the first
contact with a new practitioner is pending."""

from datetime import date

import pytest

from planner.model import Contact
from planner.rules import contact_overdue
from rules_kit import AS_OF, Allocation, ago, ahead, booked, case, missed, only, seen, severity


@pytest.mark.parametrize(
    ("level", "start_ago", "gap", "expected"),
    [
        # standard, after the early window: T = 28, high above 42
        ("standard", 200, 28, None),  # due today: contact_due's
        ("standard", 200, 29, "medium"),  # due yesterday (Thu)
        ("standard", 200, 42, "medium"),  # exactly 1.5 x T
        ("standard", 200, 43, "high"),  # above, nothing booked
        # standard in the early window: T = 14
        ("standard", 60, 15, "medium"),
        ("standard", 60, 22, "high"),
        # intensive: 7 early / 14 after; 1.5 x 7 = 10.5
        ("intensive", 30, 8, "medium"),
        ("intensive", 30, 11, "high"),
        ("intensive", 200, 15, "medium"),
        ("intensive", 200, 22, "high"),
        # enhanced: 7 / 21
        ("enhanced", 200, 22, "medium"),
        ("enhanced", 200, 32, "high"),
        # low: 14 / 42, high above 63
        ("low", 200, 43, "medium"),
        ("low", 200, 64, "high"),
    ],
)
def test_gap_against_threshold(level, start_ago, gap, expected):
    c = case(level=level, start_ago=start_ago, contacts=[seen(gap)])
    assert severity(contact_overdue, c) == expected


@pytest.mark.parametrize(
    ("as_of", "expected"),
    [
        (date(2026, 11, 28), None),  # Sat: last + T falls today, due Mon
        (date(2026, 11, 29), None),  # Sun
        (date(2026, 11, 30), None),  # Mon: the due date itself
        (date(2026, 12, 1), "medium"),  # Tue: overdue
    ],
)
def test_due_date_on_a_saturday(as_of, expected):
    c = case(contacts=[Contact(date(2026, 10, 31), "P1")])  # + 28 = Sat 28 Nov
    assert severity(contact_overdue, c, as_of=as_of) == expected


@pytest.mark.parametrize(
    ("as_of", "expected"),
    [(date(2026, 12, 25), None), (date(2026, 12, 28), None), (date(2026, 12, 29), None),
     (date(2026, 12, 30), "medium")],
)
def test_due_date_on_a_bank_holiday(as_of, expected):
    c = case(contacts=[Contact(date(2026, 11, 27), "P1")])  # + 28 = Christmas Day: due Tue 29 Dec
    assert severity(contact_overdue, c, as_of=as_of) == expected


@pytest.mark.parametrize(
    ("appointment", "expected"),
    [
        (None, "high"),
        (0, "medium"),  # booked today
        (7, "medium"),  # booked in exactly 7 days
        (8, "high"),  # in 8 days: not soon enough
    ],
)
def test_high_only_when_nothing_is_booked_in_the_next_7_days(appointment, expected):
    c = case(contacts=[seen(50)], appointments=[booked(appointment)] if appointment is not None else [])
    assert severity(contact_overdue, c) == expected


@pytest.mark.parametrize(
    ("start_ago", "expected"),
    [
        (83, "medium"),  # relationship 83 days old: early column, T = 14, gap 20
        (84, None),  # 84 days old: after the early window, T = 28
    ],
)
def test_early_window_boundary_switches_the_column(start_ago, expected):
    c = case(start_ago=start_ago, contacts=[seen(20, pid="P1")])
    assert severity(contact_overdue, c) == expected


def test_the_day_of_a_handover_is_not_overdue():
    """v1: on the handover's first day the new relationship's early T (7 for
    enhanced) met the old worker's last contact and made the case high."""
    c = case(level="enhanced", allocations=[Allocation("P2", ago(300), AS_OF), Allocation("P1", AS_OF)],
             contacts=[seen(12, "P2")])
    assert severity(contact_overdue, c) is None
    # once the new worker has met them, the clock runs from that contact
    met = case(level="enhanced", allocations=[Allocation("P2", ago(300), ago(4)), Allocation("P1", ago(4))],
               contacts=[seen(12, "P2"), seen(2, "P1", kind="three_way")])
    assert severity(contact_overdue, met) is None
    assert severity(contact_overdue, met, as_of=ahead(7)) == "medium"


def test_never_seen_unallocated_counts_from_the_first_allocation():
    c = case(allocations=[Allocation("P2", ago(400), ago(100))])
    w = only(contact_overdue, c)
    assert w.severity == "high"
    assert w.facts["gap_days"] == 400
    assert w.facts["last_meaningful_on"] is None
    assert w.facts["gap_from"] == ago(400).isoformat()
    assert w.title.startswith("No contact since allocated 400 days ago")


def test_only_meaningful_contacts_reset_the_gap():
    c = case(contacts=[seen(30), missed(10), seen(9, outcome="cancelled"), seen(8, kind="other")])
    assert only(contact_overdue, c).facts["gap_days"] == 30


def test_contact_with_anyone_counts():
    c = case(contacts=[seen(40, "P1"), seen(5, "P3", kind="home_visit")])
    assert severity(contact_overdue, c) is None


def test_contacts_after_as_of_are_ignored():
    c = case(contacts=[seen(35), seen(-3)])
    assert only(contact_overdue, c).facts["gap_days"] == 35


def test_words_action_and_facts():
    w = only(contact_overdue, case(contacts=[seen(31)]))
    assert (w.rule, w.case_ref, w.practitioner_id, w.severity) == ("contact_overdue", "C1", "P1", "medium")
    assert w.title == "Not seen for 31 days: contact was due by Tue 24 Nov"
    assert w.detail == (
        "Last seen 31 days ago on 27 Oct 2026 (office, Alex Kent (P1)); standard level after the "
        "early window allows 28 days, so contact is due by Tue 24 Nov 2026; nothing is booked."
    )
    assert w.action == "book a contact by Tue 1 Dec"
    assert w.facts == {
        "gap_days": 31, "threshold_days": 28, "contact_level": "standard", "early_window": False,
        "last_meaningful_on": "2026-10-27", "last_meaningful_practitioner_id": "P1",
        "last_meaningful_kind": "office", "gap_from": "2026-10-27", "due_on": "2026-11-24",
        "next_booked_on": None, "high_above_days": 42.0, "days_overdue": 3,
    }
    phone = only(contact_overdue, case(contacts=[seen(50, kind="phone")], appointments=[booked(20)]))
    assert phone.title.startswith("No contact for 50 days")  # not "seen": it was a phone call
    assert phone.action == "bring the contact booked for Thu 17 Dec forward to this week"
    assert "with nothing booked in the next 7 days is high" in phone.detail
    soon = only(contact_overdue, case(contacts=[seen(50)], appointments=[booked(3)]))
    assert soon.action == "keep the contact booked for Mon 30 Nov"


def test_no_allocations_at_all_is_quiet():
    assert severity(contact_overdue, case(allocations=[])) is None


def test_a_due_date_of_last_year_says_its_year_once():
    # Seen Mon 23 Nov 2026, standard level: due Mon 21 Dec 2026, overdue as of 4 Jan 2027.
    w = only(contact_overdue, case(contacts=[Contact(date(2026, 11, 23), "P1")]), as_of=date(2027, 1, 4))
    assert "so contact is due by Mon 21 Dec 2026;" in w.detail
    assert "2026 2026" not in w.detail
