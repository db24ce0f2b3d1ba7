"""contact_due: T - 7 <= gap <= T is low (SPEC §3)."""

import pytest

from planner.policy import policy_from_dict
from planner.rules import contact_due
from rules_kit import ago, case, only, seen, severity


@pytest.mark.parametrize(
    ("level", "start_ago", "gap", "expected"),
    [
        ("standard", 200, 20, None),  # T - 8
        ("standard", 200, 21, "low"),  # T - 7
        ("standard", 200, 28, "low"),  # exactly T
        ("standard", 200, 29, None),  # overdue instead
        ("standard", 60, 6, None),  # early: T = 14, due from 7
        ("standard", 60, 7, "low"),
        ("standard", 60, 14, "low"),
        ("low", 200, 34, None),
        ("low", 200, 35, "low"),
        # intensive early: T = 7, so T - 7 = 0: weekly contact is always due
        ("intensive", 30, 0, "low"),
        ("intensive", 30, 7, "low"),
        ("intensive", 30, 8, None),
    ],
)
def test_due_band(level, start_ago, gap, expected):
    c = case(level=level, start_ago=start_ago, contacts=[seen(gap)])
    assert severity(contact_due, c) == expected


def test_detail_and_due_date():
    w = only(contact_due, case(contacts=[seen(24)]))
    assert w.severity == "low"
    assert w.title == "Contact due in 4 days"
    assert w.detail == (
        "Last seen 24 days ago on 3 Nov 2026; standard level after the early window "
        "allows 28 days, so contact is due by 1 Dec 2026 (in 4 days)."
    )
    assert w.facts["due_on"] == "2026-12-01"
    assert w.facts["days_left"] == 4


def test_due_today_at_exactly_t():
    w = only(contact_due, case(contacts=[seen(28)]))
    assert w.title == "Contact due today"
    assert w.facts["due_on"] == ago(0).isoformat()


def test_lead_days_is_configurable():
    policy = policy_from_dict({"contact_due": {"lead_days": 3}})
    c = case(contacts=[seen(24)])
    assert severity(contact_due, c, policy=policy) is None
    assert severity(contact_due, case(contacts=[seen(25)]), policy=policy) == "low"
