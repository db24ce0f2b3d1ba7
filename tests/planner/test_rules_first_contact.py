"""first_contact: no contact with the new practitioner by the 5th working day
(2nd intensive): high once passed, low from 7 days before (docs/rules.md)."""

from datetime import date

import pytest

from planner.rules import first_contact
from rules_kit import Allocation, Appointment, Contact, absence, case, only, seen, severity, world

ENGLAND = world()
SCOTLAND = world(team="T2")


def allocated_on(start: date, level: str = "standard"):
    return case(level=level, allocations=[Allocation("P1", start)])


@pytest.mark.parametrize(
    ("start", "as_of", "nation_world", "expected_deadline"),
    [
        # Mon 2 Nov 2026 + 5 working days = Mon 9 Nov
        (date(2026, 11, 2), date(2026, 11, 3), ENGLAND, "2026-11-09"),
        # Wed 23 Dec 2026: 24 Dec, then Christmas (Fri), Boxing Day substitute (Mon 28),
        # 29, 30, 31 Dec, New Year's Day (Fri 1 Jan) => 5th working day Mon 4 Jan 2027
        (date(2026, 12, 23), date(2026, 12, 29), ENGLAND, "2027-01-04"),
        # Scotland also has 2 Jan (Sat) with its substitute on Mon 4 Jan => Tue 5 Jan
        (date(2026, 12, 23), date(2026, 12, 29), SCOTLAND, "2027-01-05"),
    ],
)
def test_deadline_counts_working_days(start, as_of, nation_world, expected_deadline):
    w = only(first_contact, allocated_on(start), nation_world, as_of)
    assert w.facts["deadline"] == expected_deadline


@pytest.mark.parametrize(
    ("as_of", "expected"),
    [
        (date(2027, 1, 4), "low"),  # the deadline itself: still coming (today)
        (date(2027, 1, 5), "high"),  # passed
        (date(2026, 12, 28), "low"),  # 7 days ahead
        (date(2026, 12, 27), None),  # 8 days ahead: too early to warn
    ],
)
def test_passed_or_coming(as_of, expected):
    c = allocated_on(date(2026, 12, 23))
    assert severity(first_contact, c, ENGLAND, as_of) == expected


def test_intensive_gets_two_working_days():
    c = allocated_on(date(2026, 11, 2), level="intensive")  # Mon => Wed 4 Nov
    assert severity(first_contact, c, ENGLAND, date(2026, 11, 4)) == "low"
    assert severity(first_contact, c, ENGLAND, date(2026, 11, 5)) == "high"


def test_a_meaningful_contact_by_the_new_practitioner_clears_it():
    start = date(2026, 11, 2)
    contact = Contact(date(2026, 11, 3), "P1", kind="phone")
    c = case(allocations=[Allocation("P1", start)], contacts=[contact])
    assert severity(first_contact, c, ENGLAND, date(2026, 11, 20)) is None


@pytest.mark.parametrize(
    "contact",
    [
        Contact(date(2026, 11, 3), "P2"),  # someone else
        Contact(date(2026, 11, 3), "P1", outcome="missed"),
        Contact(date(2026, 11, 3), "P1", kind="other"),
        Contact(date(2026, 10, 30), "P1"),  # before the allocation
        Contact(date(2026, 11, 21), "P1"),  # after as_of
    ],
)
def test_contacts_that_do_not_count(contact):
    c = case(allocations=[Allocation("P1", date(2026, 11, 2))], contacts=[contact])
    assert severity(first_contact, c, ENGLAND, date(2026, 11, 20)) == "high"


def test_present_at_a_three_way_counts_as_met():
    """The incoming practitioner named as `with_practitioner_id` at a three-way
    held by the outgoing one has met the person (docs/words.md)."""
    start = date(2026, 11, 2)
    three_way = Contact(date(2026, 11, 2), "P2", kind="three_way", with_practitioner_id="P1")
    c = case(allocations=[Allocation("P2", date(2026, 1, 5), start), Allocation("P1", start)],
             contacts=[three_way])
    assert severity(first_contact, c, ENGLAND, date(2026, 11, 20)) is None


def test_words_action_and_facts():
    c = allocated_on(date(2026, 11, 2))
    w = only(first_contact, c, ENGLAND, date(2026, 11, 12))
    assert w.title == "Not yet met their new worker: first-contact deadline passed 3 days ago"
    assert w.detail == (
        "No meaningful contact with Alex Kent (P1) since the allocation started on "
        "2 Nov 2026; the deadline, the 5th working day after it, was 9 Nov 2026 (3 days ago)."
    )
    assert w.action == "hold a first meeting with them by Mon 16 Nov"
    assert w.facts["nation"] == "england-and-wales"
    coming = only(first_contact, c, ENGLAND, date(2026, 11, 4))
    assert coming.title == "First meeting with their new worker due by Mon 9 Nov"
    assert coming.action == "book a first meeting on or before Mon 9 Nov"
    booked = case(allocations=[Allocation("P1", date(2026, 11, 2))],
                  appointments=[Appointment(date(2026, 11, 6), "P1")])
    w = only(first_contact, booked, ENGLAND, date(2026, 11, 4))
    assert w.action == "keep the first meeting booked for Fri 6 Nov"
    assert w.detail.endswith("; the next booking is on 6 Nov 2026.")


def test_action_goes_to_the_cover_or_the_lead_while_the_practitioner_is_away():
    c = allocated_on(date(2026, 11, 2))
    covered = world(absences=[absence("P1", date(2026, 11, 10), date(2026, 11, 20), cover="P3")])
    w = only(first_contact, c, covered, date(2026, 11, 12))
    assert w.action == "ask the cover, Priya Shah (P3), to hold a first meeting with them by Mon 16 Nov"
    alone = world(absences=[absence("P1", date(2026, 11, 10), None, kind="sickness")])
    w = only(first_contact, c, alone, date(2026, 11, 12))
    assert w.action == ("ask the team lead to hold a first meeting with them by Mon 16 Nov: "
                        "P1 is away with no end date, no cover named")
    gone = world(leaving={"P1": date(2026, 11, 11)})
    assert only(first_contact, c, gone, date(2026, 11, 12)).action.endswith("P1 left on Wed 11 Nov")


def test_old_allocation_with_contact_is_quiet():
    assert severity(first_contact, case(start_ago=300, contacts=[seen(5)])) is None


def test_unknown_practitioner_uses_the_policy_nation():
    from planner.policy import policy_from_dict
    from rules_kit import World

    c = case(pid="P9", allocations=[Allocation("P9", date(2026, 12, 23))])
    scottish = policy_from_dict({"nation": "scotland"})
    w = only(first_contact, c, World(), date(2026, 12, 29), scottish)
    assert w.facts["deadline"] == "2027-01-05"
    assert w.facts["nation"] == "scotland"
