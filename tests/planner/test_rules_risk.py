"""planner.risk: all rules together, scores, ordering, the JSON shape, and purity."""

import json
import subprocess
import sys
from pathlib import Path

from planner.policy import policy_from_dict
from planner.risk import (
    RULE_IDS,
    RULES,
    SEVERITY_ORDER,
    CaseRisk,
    Warning,
    evaluate,
    evaluate_case,
    relationship_age,
    risk_score,
    severity_counts,
    warning_to_dict,
)
from rules_kit import AS_OF, WORLD, Allocation, ago, case, missed, seen

SPEC_RULES = (
    "contact_overdue",
    "contact_due",
    "relationship_gap",
    "first_contact",
    "early_window",
    "handover_upcoming",
    "handover_unplanned",
    "cold_handover",
    "practitioner_churn",
    "missed_appointments",
    "cover_needed",
    "no_appointment",
)


def w(severity, rule="contact_overdue"):
    return Warning("C1", "P1", rule, severity, "t", "d", {})


def test_registry_is_every_spec_rule_in_spec_order():
    assert RULE_IDS == SPEC_RULES
    assert all(RULES[rule_id].__name__ == rule_id for rule_id in RULE_IDS)


def test_risk_score_weights():
    assert risk_score([]) == 0
    assert risk_score([w("high"), w("medium"), w("low"), w("low")]) == 112
    heavier = policy_from_dict({"severity_weights": {"low": 5}})
    assert risk_score([w("low"), w("high")], heavier) == 105


def test_severity_counts_and_order():
    assert SEVERITY_ORDER == ("high", "medium", "low")
    assert severity_counts([w("low"), w("low"), w("high")]) == {"high": 1, "medium": 0, "low": 2}


def test_evaluate_case_lists_most_severe_first_then_rule_order():
    c = case(start_ago=30, contacts=[seen(25), missed(10), missed(5)])
    found = evaluate_case(c, WORLD, AS_OF)
    assert [x.rule for x in found] == ["contact_overdue", "missed_appointments", "early_window", "no_appointment"]
    assert [x.severity for x in found] == ["high", "medium", "low", "low"]


def test_evaluate_orders_by_score_then_ref_and_leaves_closed_out():
    quiet_b = case(ref="B", contacts=[seen(1)])
    quiet_a = case(ref="A", contacts=[seen(2)])
    overdue = case(ref="Z", contacts=[seen(60)])
    closed = case(ref="0", contacts=[seen(60)], status="closed")
    risks = evaluate([quiet_b, closed, overdue, quiet_a], WORLD, AS_OF)
    assert [r.case_ref for r in risks] == ["Z", "A", "B"]
    assert all(isinstance(r, CaseRisk) for r in risks)
    assert risks[0].score == 101  # contact_overdue high + no_appointment low
    assert risks[0].top_severity == "high"
    assert risks[1].score == 0 and risks[1].warnings == ()


def test_warning_to_dict_is_the_spec_json_object():
    found = evaluate_case(case(contacts=[seen(31)]), WORLD, AS_OF)
    as_dict = warning_to_dict(found[0])
    assert list(as_dict) == ["case_ref", "practitioner_id", "rule", "severity", "title", "detail", "facts"]
    assert json.loads(json.dumps(as_dict)) == as_dict  # JSON-safe, round trips


def test_every_fact_is_json_safe():
    from test_rules_status import BUSY_WORLD, busy

    for c in (busy(), case(contacts=[seen(31)])):
        for warning in evaluate_case(c, BUSY_WORLD, AS_OF):
            json.dumps(warning_to_dict(warning))


def test_warnings_are_hashable_and_frozen():
    warning = w("low")
    assert hash(warning) == hash(w("low"))


def test_relationship_age():
    assert relationship_age(case(start_ago=0), AS_OF) == "new: week 1 of 12"
    assert relationship_age(case(start_ago=14), AS_OF) == "new: week 3 of 12"
    assert relationship_age(case(start_ago=83), AS_OF) == "new: week 12 of 12"
    assert relationship_age(case(start_ago=84), AS_OF) == "2 months"
    assert relationship_age(case(start_ago=152), AS_OF) == "4 months"
    assert relationship_age(case(start_ago=400), AS_OF) == "13 months"
    assert relationship_age(case(start_ago=800), AS_OF) == "2 yrs"
    assert relationship_age(case(allocations=[Allocation("P1", ago(90), ago(5))]), AS_OF) == "unallocated"


def test_planner_imports_no_storage_tui_or_database_library():
    root = Path(__file__).resolve().parents[2]
    code = (
        "import sys, planner.risk, planner.rules, planner.policy, planner.calendar\n"
        "bad = [m for m in ('storage', 'tui', 'textual', 'sqlmodel', 'sqlalchemy') if m in sys.modules]\n"
        "print(','.join(bad))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=root, capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == ""
