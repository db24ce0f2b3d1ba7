"""Paused cases get no contact rules while as_of < paused_until; closed cases
get nothing. The contact rules are exclusive in pairs (first_contact pending
silences the overdue trio; due and overdue; cover for a due date and
no_appointment), so three busy cases set them all off between them."""

import pytest

from planner.risk import CONTACT_RULES, RULES, evaluate_case
from rules_kit import (AS_OF, WORLD, Allocation, Handover, absence, ago, ahead, booked, cancelled, case,
                       checklist, missed, run, seen, world)

# P1 away from Monday for a week with no cover, and leaving in 20 days.
BUSY_WORLD = world(absences=[absence("P1", ahead(3), ahead(9))], leaving={"P1": ahead(20)})


def busy(status="active", paused_until=None):
    """Overdue with nothing booked, the own worker not seen for long while
    someone else has, missed twice, cancelled twice by us, in the early window."""
    return case(
        start_ago=70,
        contacts=[seen(65), seen(40, "P2"), cancelled(30, by="practitioner"), cancelled(25, by="practitioner"),
                  missed(20), missed(10)],
        status=status,
        paused_until=paused_until,
    )


def busy_due(status="active", paused_until=None):
    """Due on Thu 3 Dec with nothing booked by then, the practitioner away from Monday."""
    return case(contacts=[seen(22)], appointments=[booked(6 + 7)], status=status, paused_until=paused_until)


def busy_new(status="active", paused_until=None):
    """Handed over a week ago and not yet met."""
    return case(allocations=[Allocation("P2", ago(300), ago(7)), Allocation("P1", ago(7))],
                contacts=[seen(12, "P2")], status=status, paused_until=paused_until)


BUSY = (busy, busy_due, busy_new)


def rules_fired(c, w=BUSY_WORLD):
    return {warning.rule for warning in evaluate_case(c, w, AS_OF)}


def test_the_busy_cases_set_off_every_contact_rule():
    fired = set().union(*(rules_fired(make()) for make in BUSY))
    assert CONTACT_RULES <= fired
    assert {"contact_overdue", "no_appointment", "relationship_gap", "missed_appointments",
            "practitioner_cancelled"} <= rules_fired(busy())
    assert {"contact_due", "cover_needed"} <= rules_fired(busy_due())
    assert "first_contact" in rules_fired(busy_new())
    assert "early_window" in fired and "handover_unplanned" in fired


@pytest.mark.parametrize(
    ("paused_until", "contact_rules_apply"),
    [
        (ago(1), True),  # paused until yesterday: over
        (AS_OF, True),  # until today: as_of is not before it
        (ahead(1), False),  # until tomorrow: still paused
        (None, False),  # paused with no end date
    ],
)
@pytest.mark.parametrize("make", BUSY)
def test_paused(make, paused_until, contact_rules_apply):
    fired = rules_fired(make("paused", paused_until))
    assert bool(fired & CONTACT_RULES) is contact_rules_apply
    assert "handover_unplanned" in fired  # the relationship rules still apply while paused


@pytest.mark.parametrize("make", BUSY)
def test_paused_is_checked_by_each_rule_too(make):
    c = make("paused", ahead(1))
    for rule_id in CONTACT_RULES:
        assert run(RULES[rule_id], c, BUSY_WORLD) == []


@pytest.mark.parametrize("make", BUSY)
def test_closed_gets_nothing(make):
    c = make("closed")
    assert evaluate_case(c, BUSY_WORLD, AS_OF) == []
    for function in RULES.values():
        assert run(function, c, BUSY_WORLD) == []


def test_closed_with_a_handover_gets_nothing():
    c = case(status="closed", handovers=[Handover("P1", "P2", ahead(1), items=checklist("told"))])
    assert evaluate_case(c, WORLD, AS_OF) == []
