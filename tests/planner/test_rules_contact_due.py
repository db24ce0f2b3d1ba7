"""contact_due (docs/rules.md, rules v2): low from `lead` days before the due date (last
meaningful contact + T, moved forward to a working day) to the due date, only
when nothing is booked on or before it, and never while the first contact
with a new practitioner is pending."""

from datetime import date, timedelta

import pytest

from planner.model import Appointment, Contact
from planner.policy import DEFAULT_POLICY, policy_from_dict
from planner.rules import contact_due
from rules_kit import AS_OF, Allocation, ago, ahead, booked, case, only, seen, severity

WED = date(2026, 12, 2)  # a working day to count back from


@pytest.mark.parametrize(("threshold", "lead"), [(7, 2), (14, 4), (21, 5), (28, 7), (42, 7), (1, 1), (100, 7)])
def test_lead_by_threshold(threshold, lead):
    assert DEFAULT_POLICY.lead_days(threshold) == lead


@pytest.mark.parametrize(
    ("level", "start_ago", "threshold", "lead"),
    [
        ("intensive", 30, 7, 2),
        ("standard", 30, 14, 4),
        ("enhanced", 200, 21, 5),
        ("standard", 200, 28, 7),
        ("low", 200, 42, 7),
    ],
)
@pytest.mark.parametrize("days_left", [0, 1, "lead", "lead+1"])
def test_fires_from_lead_days_before_a_working_due_date(level, start_ago, threshold, lead, days_left):
    left = {"lead": lead, "lead+1": lead + 1}.get(days_left, days_left)
    as_of = WED - timedelta(days=left)
    c = case(level=level, allocations=[Allocation("P1", AS_OF - timedelta(days=start_ago))],
             contacts=[Contact(WED - timedelta(days=threshold), "P1")])
    expected = "low" if left <= lead else None
    assert severity(contact_due, c, as_of=as_of) == expected


def test_weekly_case_seen_today_is_not_due():
    """v1 put contact_due on every weekly case on the day of its contact."""
    c = case(level="intensive", start_ago=30, contacts=[seen(0)])
    assert severity(contact_due, c) is None
    weekly = case(level="intensive", start_ago=30, contacts=[seen(4)])  # Mon 23 Nov: due Mon 30 Nov
    assert severity(contact_due, weekly) is None  # 3 days before: lead is 2 for T = 7
    assert severity(contact_due, weekly, as_of=ahead(1)) == "low"


@pytest.mark.parametrize(
    ("gap", "due_on", "expected"),
    [
        (27, "2026-11-30", "low"),  # last + T is Sat 28 Nov: due Mon 30 Nov, 3 days away
        (26, "2026-11-30", "low"),  # Sun 29 Nov: Mon 30 Nov
        (28, "2026-11-27", "low"),  # due today
        (20, "2026-12-07", None),  # Sat 5 Dec -> Mon 7 Dec, 10 days away: not yet
    ],
)
def test_due_date_on_a_weekend_moves_to_monday(gap, due_on, expected):
    c = case(contacts=[seen(gap)])
    assert severity(contact_due, c) == expected
    if expected:
        assert only(contact_due, c).facts["due_on"] == due_on


def test_due_date_on_a_bank_holiday_moves_past_christmas():
    """Seen Fri 27 Nov, T 28: Fri 25 Dec (Christmas), then the weekend and the
    Boxing Day substitute (Mon 28 Dec): due Tue 29 Dec."""
    c = case(contacts=[seen(0)])
    assert severity(contact_due, c, as_of=date(2026, 12, 21)) is None  # 8 days before
    w = only(contact_due, c, as_of=date(2026, 12, 22))  # 7 days before
    assert w.facts["due_on"] == "2026-12-29"
    assert "moved from Fri 25 Dec, not a working day" in w.detail
    assert only(contact_due, c, as_of=date(2026, 12, 28)).facts["days_left"] == 1


@pytest.mark.parametrize(
    ("booked_on", "expected"),
    [
        (date(2026, 12, 1), None),  # the day before the due date
        (date(2026, 12, 2), None),  # on the due date
        (date(2026, 12, 3), "low"),  # the day after: still due
        (None, "low"),
    ],
)
def test_booked_by_the_due_date_is_quiet(booked_on, expected):
    as_of = date(2026, 11, 30)
    c = case(contacts=[Contact(WED - timedelta(days=28), "P1")],
             appointments=[Appointment(booked_on, "P1")] if booked_on else [])
    assert severity(contact_due, c, as_of=as_of) == expected
    if booked_on == date(2026, 12, 3):
        assert "the next booking, on 3 Dec 2026, is after it" in only(contact_due, c, as_of=as_of).detail


def test_a_booking_with_anyone_counts_and_a_series_occurrence_too():
    c = case(contacts=[seen(24)], appointments=[booked(2, "P3")])
    assert severity(contact_due, c) is None
    series = Appointment(ago(10), "P1", rrule="FREQ=WEEKLY;COUNT=4")  # ago(10), ago(3), ahead(4), ahead(11)
    assert severity(contact_due, case(contacts=[seen(24)], appointments=[series])) is None
    past = Appointment(ago(10), "P1", rrule="FREQ=WEEKLY;COUNT=2")  # nothing from as_of on
    assert severity(contact_due, case(contacts=[seen(24)], appointments=[past])) == "low"


def test_quiet_while_the_first_contact_is_pending():
    # handed over 3 days ago; the old worker saw them 25 days ago: the new
    # relationship's early T (14) would make it overdue, but nobody can act on that yet
    c = case(allocations=[Allocation("P2", ago(300), ago(3)), Allocation("P1", ago(3))],
             contacts=[seen(10, "P2")])
    assert severity(contact_due, c) is None
    met = case(allocations=[Allocation("P2", ago(300), ago(3)), Allocation("P1", ago(3))],
               contacts=[seen(10, "P2"), seen(2, "P1", kind="phone")])
    assert severity(contact_due, met) is None  # due in 12 days
    assert severity(contact_due, met, as_of=ahead(9)) == "low"


def test_words_action_and_facts():
    w = only(contact_due, case(contacts=[seen(24, kind="phone")], appointments=[booked(10)]))
    assert w.severity == "low"
    assert w.title == "Contact due by Tue 1 Dec, nothing booked by then"
    assert w.detail == (
        "Last contact 24 days ago on 3 Nov 2026 (phone, Alex Kent (P1)); standard level after the "
        "early window allows 28 days, so contact is due by Tue 1 Dec 2026; the next booking, on "
        "7 Dec 2026, is after it."
    )
    assert w.action == "book a contact on or before Tue 1 Dec"
    assert w.facts["due_on"] == "2026-12-01"
    assert w.facts["days_left"] == 4
    assert w.facts["lead_days"] == 7
    assert w.facts["next_booked_on"] == "2026-12-07"
    office = only(contact_due, case(contacts=[seen(24)]))
    assert office.detail.startswith("Last seen 24 days ago on 3 Nov 2026 (office,")
    assert office.detail.endswith("; nothing is booked.")


def test_lead_is_configurable():
    policy = policy_from_dict({"contact_due": {"max_lead_days": 3}})
    assert severity(contact_due, case(contacts=[seen(24)]), policy=policy) is None  # 4 days left
    assert severity(contact_due, case(contacts=[seen(25)]), policy=policy) == "low"
