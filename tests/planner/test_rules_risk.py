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
    alert_burden,
    is_warning,
    risk_score,
    severity_counts,
    warning_to_dict,
)
from rules_kit import AS_OF, WORLD, Allocation, ago, case, missed, seen

SPEC_RULES = (  # docs/rules.md, in the order of its table
    "first_contact",
    "contact_overdue",
    "contact_due",
    "no_appointment",
    "relationship_gap",
    "early_window",
    "early_break",
    "handover_upcoming",
    "handover_unplanned",
    "cold_handover",
    "practitioner_churn",
    "missed_appointments",
    "practitioner_cancelled",
    "cover_needed",
    "alliance_low",
    "checkin_due",
    "release_coming",
    "order_ending",
    "turning_18",
)


def w(severity, rule="contact_overdue"):
    return Warning("C1", "P1", rule, severity, "t", "d", "a", {})


def test_registry_is_every_spec_rule_in_spec_order():
    assert RULE_IDS == SPEC_RULES
    assert all(RULES[rule_id].__name__ == rule_id for rule_id in RULE_IDS)


def test_risk_score_weights():
    assert risk_score([]) == 0
    assert risk_score([w("high"), w("medium"), w("low"), w("low")]) == 112
    assert risk_score([w("info", "early_window"), w("low")]) == 1  # a status weighs nothing
    heavier = policy_from_dict({"severity_weights": {"low": 5}})
    assert risk_score([w("low"), w("high")], heavier) == 105


def test_severity_counts_and_order():
    assert SEVERITY_ORDER == ("high", "medium", "low")
    assert severity_counts([w("low"), w("low"), w("high"), w("info")]) == {"high": 1, "medium": 0, "low": 2}
    assert [is_warning(x) for x in (w("high"), w("low"), w("info"))] == [True, True, False]


def test_evaluate_case_lists_most_severe_first_then_rule_order():
    c = case(start_ago=30, contacts=[seen(25), missed(10), missed(5)])
    found = evaluate_case(c, WORLD, AS_OF)
    assert [x.rule for x in found] == ["contact_overdue", "missed_appointments", "no_appointment", "early_window",
                                       "checkin_due"]
    assert [x.severity for x in found] == ["high", "medium", "low", "info", "info"]  # statuses last


def test_evaluate_orders_by_score_then_ref_and_leaves_closed_out():
    quiet_b = case(ref="B", contacts=[seen(1)])
    quiet_a = case(ref="A", contacts=[seen(2)])
    overdue = case(ref="Z", contacts=[seen(60)])
    closed = case(ref="0", contacts=[seen(60)], status="closed")
    new = case(ref="N", start_ago=10, contacts=[seen(1)])  # early_window only: score 0
    risks = evaluate([quiet_b, closed, overdue, new, quiet_a], WORLD, AS_OF)
    assert [r.case_ref for r in risks] == ["Z", "A", "B", "N"]
    assert risks[-1].top_severity is None and risks[-1].warnings[0].severity == "info"
    assert all(isinstance(r, CaseRisk) for r in risks)
    assert risks[0].score == 101  # contact_overdue high + no_appointment low
    assert risks[0].top_severity == "high"
    assert risks[1].score == 0 and [x.rule for x in risks[1].warnings] == ["checkin_due"]  # a status only


def test_warning_to_dict_is_the_spec_json_object():
    found = evaluate_case(case(contacts=[seen(31)]), WORLD, AS_OF)
    as_dict = warning_to_dict(found[0])
    assert list(as_dict) == ["case_ref", "practitioner_id", "rule", "severity", "title", "detail", "action", "facts"]
    assert as_dict["action"] == "book the next appointment by Tue 1 Dec" or as_dict["action"].startswith("book")
    assert json.loads(json.dumps(as_dict)) == as_dict  # JSON-safe, round trips


def test_every_warning_names_an_action():
    from test_rules_status import BUSY_WORLD, busy

    for c in (busy(), case(contacts=[seen(31)]), case(start_ago=3)):
        for warning in evaluate_case(c, BUSY_WORLD, AS_OF):
            assert warning.action and warning.action[0].islower(), warning


def test_alert_burden_per_practitioner_and_in_total():
    cases = [
        case(ref="A", contacts=[seen(60)]),  # high + low
        case(ref="B", contacts=[seen(1)]),  # nothing
        case(ref="C", pid="P2", start_ago=10, contacts=[seen(2, "P2")]),  # a status only
        case(ref="D", pid="P2", contacts=[seen(31, "P2")], appointments=[]),  # medium + low
        case(ref="E", contacts=[seen(60)], status="closed"),
    ]
    people, total = alert_burden(evaluate(cases, WORLD, AS_OF))
    assert [(b.practitioner_id, b.open_cases, b.cases_warned, b.high, b.medium, b.low) for b in people] == [
        ("P1", 2, 1, 1, 0, 1), ("P2", 2, 1, 0, 1, 1)]
    assert (total.open_cases, total.cases_warned, total.warnings) == (4, 2, 4)
    assert total.as_dict() == {"practitioner_id": None, "open_cases": 4, "cases_warned": 2,
                               "warnings": {"high": 1, "medium": 1, "low": 2}}


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
