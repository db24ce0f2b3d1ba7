"""Running the rules: warnings per case, risk scores, ordered lists.

    risks = evaluate(cases, world, as_of, policy)      # highest risk first
    for risk in risks:
        for warning in risk.warnings: ...

A case's risk score is the sum of its warnings' severity weights (high 100,
medium 10, low 1 by default). Closed cases get no warnings and are left out of
`evaluate`'s list (SPEC §2: closed cases leave caseloads and lists).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any, Iterable

from planner.model import Case, World, fast_constructor
from planner.policy import DEFAULT_POLICY, Policy
from planner.rules import (
    CONTACT_RULES,
    HIGH,
    LOW,
    MEDIUM,
    RULE_FUNCTIONS,
    RuleContext,
    RuleFunction,
    Warning,
)

__all__ = [
    "CONTACT_RULES",
    "CaseRisk",
    "RULES",
    "RULE_IDS",
    "SEVERITY_ORDER",
    "Warning",
    "evaluate",
    "evaluate_case",
    "relationship_age",
    "risk_score",
    "severity_counts",
    "warning_to_dict",
]

SEVERITY_ORDER: tuple[str, ...] = (HIGH, MEDIUM, LOW)
_SEVERITY_RANK = {severity: rank for rank, severity in enumerate(SEVERITY_ORDER)}

#: rule id -> rule function, in the stable order of SPEC §3.
RULES: dict[str, RuleFunction] = {function.__name__: function for function in RULE_FUNCTIONS}
RULE_IDS: tuple[str, ...] = tuple(RULES)
_RULE_RANK = {rule_id: rank for rank, rule_id in enumerate(RULE_IDS)}

#: The keys of a warning in `caseload warnings --format json` (SPEC §6), in order.
WARNING_KEYS = ("case_ref", "practitioner_id", "rule", "severity", "title", "detail", "facts")


# The rule bodies without their closed/paused guard, which evaluate_case applies once.
_ALL_RULES = tuple(function.unchecked for function in RULE_FUNCTIONS)
_PAUSED_RULES = tuple(
    function.unchecked for function in RULE_FUNCTIONS if function.__name__ not in CONTACT_RULES
)


def _warning_order(warning: Warning) -> tuple[int, int]:
    return _SEVERITY_RANK.get(warning.severity, 99), _RULE_RANK.get(warning.rule, 99)


def evaluate_case(
    case: Case, world: World, as_of: date, policy: Policy = DEFAULT_POLICY
) -> list[Warning]:
    """Every warning for one case, most severe first (then in rule order)."""
    if case.status == "closed":
        return []
    ctx = RuleContext(case, world, as_of, policy)
    warnings: list[Warning] = []
    for function in _PAUSED_RULES if ctx.paused else _ALL_RULES:
        found = function(ctx)
        if found:
            warnings.extend(found)
    if len(warnings) > 1:
        warnings.sort(key=_warning_order)
    return warnings


def risk_score(warnings: Iterable[Warning], policy: Policy = DEFAULT_POLICY) -> int:
    """Sum of severity weights: high 100, medium 10, low 1 by default."""
    weights = policy.severity_weights
    score = 0
    for warning in warnings:
        severity = warning.severity
        if severity == HIGH:
            score += weights.high
        elif severity == MEDIUM:
            score += weights.medium
        elif severity == LOW:
            score += weights.low
    return score


@dataclass(frozen=True, slots=True)
class CaseRisk:
    case: Case
    warnings: tuple[Warning, ...]
    score: int

    @property
    def case_ref(self) -> str:
        return self.case.case_ref

    @property
    def top_severity(self) -> str | None:
        return self.warnings[0].severity if self.warnings else None


_make_case_risk = fast_constructor(CaseRisk)


def evaluate(
    cases: Iterable[Case], world: World, as_of: date, policy: Policy = DEFAULT_POLICY
) -> list[CaseRisk]:
    """A CaseRisk for every case that is not closed, by score (highest first), then case_ref.

    `evaluate_case` and `risk_score` for each case, unrolled (a region is
    twenty thousand cases)."""
    weights = policy.severity_weights
    weight = {HIGH: weights.high, MEDIUM: weights.medium, LOW: weights.low}.get
    make, context = _make_case_risk, RuleContext
    all_rules, paused_rules, order = _ALL_RULES, _PAUSED_RULES, _warning_order
    out: list[CaseRisk] = []
    keys: list[tuple[int, str]] = []
    for case in cases:
        if case.status == "closed":
            continue
        ctx = context(case, world, as_of, policy)
        warnings: list[Warning] = []
        for function in paused_rules if ctx.paused else all_rules:
            found = function(ctx)
            if found:
                warnings.extend(found)
        score = 0
        if warnings:
            if len(warnings) > 1:
                warnings.sort(key=order)
            for warning in warnings:
                score += weight(warning.severity, 0)
        out.append(make(case, tuple(warnings), score))
        keys.append((-score, case.case_ref))
    # Sorted by (-score, case_ref): the keys are worked out once, not per comparison.
    return [out[i] for i in sorted(range(len(out)), key=keys.__getitem__)]


def warning_to_dict(warning: Warning) -> dict[str, Any]:
    """The SPEC §6 JSON object for one warning."""
    return {
        "case_ref": warning.case_ref,
        "practitioner_id": warning.practitioner_id,
        "rule": warning.rule,
        "severity": warning.severity,
        "title": warning.title,
        "detail": warning.detail,
        "facts": dict(warning.facts),
    }


def severity_counts(warnings: Iterable[Warning]) -> dict[str, int]:
    """{"high": n, "medium": n, "low": n}, every key present."""
    counts = {severity: 0 for severity in SEVERITY_ORDER}
    for warning in warnings:
        if warning.severity in counts:
            counts[warning.severity] += 1
    return counts


def relationship_age(case: Case, as_of: date, policy: Policy = DEFAULT_POLICY) -> str:
    """How long the current relationship has run, for a table column.

    "new: week 3 of 12" inside the early window, then "5 months", then "2 yrs".
    """
    alloc = case.current_allocation
    if alloc is None:
        return "unallocated"
    age = (as_of - alloc.start_date).days
    if age < 0:
        return f"starts {alloc.start_date.isoformat()}"
    window = policy.early_window.days
    if age < window:
        return f"new: week {age // 7 + 1} of {-(-window // 7)}"
    months = age * 12 // 365
    if months < 24:
        return "1 month" if months == 1 else f"{months} months"
    years = age // 365
    return "1 yr" if years == 1 else f"{years} yrs"
