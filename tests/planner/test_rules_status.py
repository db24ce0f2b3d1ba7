"""Paused cases get no contact rules while as_of < paused_until; closed cases get nothing."""

import pytest

from planner.risk import CONTACT_RULES, RULES, evaluate_case
from rules_kit import AS_OF, WORLD, Handover, absence, ago, ahead, case, checklist, missed, run, seen, world

# A case that sets off every contact rule and a few others.
BUSY_WORLD = world(absences=[absence("P1", ago(1), ahead(3))], leaving={"P1": ahead(20)})


def busy(status="active", paused_until=None):
    return case(
        start_ago=30,
        contacts=[seen(50, "P2"), seen(25, "P2"), missed(20), missed(10)],
        handovers=[],
        status=status,
        paused_until=paused_until,
    )


def rules_fired(c, w=BUSY_WORLD):
    return {warning.rule for warning in evaluate_case(c, w, AS_OF)}


def test_the_busy_case_sets_off_every_contact_rule():
    fired = rules_fired(busy())
    assert CONTACT_RULES - {"contact_due"} <= fired  # due and overdue are exclusive
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
def test_paused(paused_until, contact_rules_apply):
    fired = rules_fired(busy("paused", paused_until))
    assert bool(fired & CONTACT_RULES) is contact_rules_apply
    # the relationship rules still apply while paused
    assert {"early_window", "handover_unplanned"} <= fired


def test_paused_is_checked_by_each_rule_too():
    c = busy("paused", ahead(1))
    for rule_id in CONTACT_RULES:
        assert run(RULES[rule_id], c, BUSY_WORLD) == []


def test_closed_gets_nothing():
    c = busy("closed")
    assert evaluate_case(c, BUSY_WORLD, AS_OF) == []
    for function in RULES.values():
        assert run(function, c, BUSY_WORLD) == []


def test_closed_with_a_handover_gets_nothing():
    c = case(status="closed", handovers=[Handover("P1", "P2", ahead(1), items=checklist("told"))])
    assert evaluate_case(c, WORLD, AS_OF) == []
