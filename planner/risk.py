"""Running the rules: warnings per case, risk scores, ordered lists.

    risks = evaluate(cases, world, as_of, policy)      # highest risk first
    for risk in risks:
        for warning in risk.warnings: ...

A case's risk score is the sum of its warnings' severity weights (high 100,
medium 10, low 1 by default; an `info` status always 0). Closed cases get no
warnings and are left out of `evaluate`'s list (docs/words.md: closed cases leave
caseloads and lists).

`info` is a status, not a warning (docs/rules.md): `evaluate` keeps it with the
case's warnings (last), but every count (`severity_counts`, `is_warning`,
`alert_burden`) and the risk score leave it out; `status_tag` is the short
tag a screen shows for it ("new: week 3 of 12").
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any, Iterable

from planner.model import Case, World, fast_constructor
from planner.policy import DEFAULT_POLICY, Policy
from planner.relationship import relationship_age
from planner.rules import (
    CONTACT_RULES,
    HIGH,
    INFO,
    LOW,
    MEDIUM,
    RULE_FUNCTIONS,
    RuleContext,
    RuleFunction,
    Warning,
)

__all__ = [
    "CONTACT_RULES",
    "AlertBurden",
    "CaseRisk",
    "RULES",
    "RULE_IDS",
    "SEVERITY_ORDER",
    "Warning",
    "alert_burden",
    "count_severities",
    "evaluate",
    "evaluate_case",
    "is_warning",
    "relationship_age",
    "risk_score",
    "severity_counts",
    "status_tag",
    "warning_to_dict",
]

#: The severities that count (`info` is a status and never does), worst first.
SEVERITY_ORDER: tuple[str, ...] = (HIGH, MEDIUM, LOW)
_SEVERITY_RANK = {severity: rank for rank, severity in enumerate((*SEVERITY_ORDER, INFO))}

#: rule id -> rule function, in the stable order of docs/rules.md.
RULES: dict[str, RuleFunction] = {function.__name__: function for function in RULE_FUNCTIONS}
RULE_IDS: tuple[str, ...] = tuple(RULES)
_RULE_RANK = {rule_id: rank for rank, rule_id in enumerate(RULE_IDS)}

#: The keys of a warning in `caseload warnings --format json` (README, Using it), in order.
WARNING_KEYS = ("case_ref", "practitioner_id", "rule", "severity", "title", "detail", "action", "facts")


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
    return _case_warnings(RuleContext(case, world, as_of, policy))


def _case_warnings(ctx: RuleContext) -> list[Warning]:
    """The one per-case run of the rules, for `evaluate_case` and `evaluate`:
    the contact rules off while paused, most severe first, then rule order."""
    warnings: list[Warning] = []
    for function in _PAUSED_RULES if ctx.paused else _ALL_RULES:
        found = function(ctx)
        if found:
            warnings.extend(found)
    if len(warnings) > 1:
        warnings.sort(key=_warning_order)
    return warnings


def is_warning(warning: Warning) -> bool:
    """A warning that counts (high, medium or low), not an `info` status."""
    return warning.severity in _COUNTED


_COUNTED = frozenset(SEVERITY_ORDER)


def status_tag(warning: Warning) -> str:
    """The short tag an `info` status shows as ("new: week 3 of 12"): its
    `tag` fact, else its title."""
    return str(warning.facts.get("tag") or warning.title)


def risk_score(warnings: Iterable[Warning], policy: Policy = DEFAULT_POLICY) -> int:
    """Sum of severity weights: high 100, medium 10, low 1 by default; info 0."""
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
        """The worst counted severity (statuses aside), or None."""
        first = self.warnings[0].severity if self.warnings else None
        return first if first in _COUNTED else None


_make_case_risk = fast_constructor(CaseRisk)


def evaluate(
    cases: Iterable[Case], world: World, as_of: date, policy: Policy = DEFAULT_POLICY
) -> list[CaseRisk]:
    """A CaseRisk for every case that is not closed, by score (highest first), then case_ref:
    each case's warnings as `evaluate_case` gives them, scored as `risk_score` does."""
    weights = policy.severity_weights
    weight = {HIGH: weights.high, MEDIUM: weights.medium, LOW: weights.low}.get
    make, context, case_warnings = _make_case_risk, RuleContext, _case_warnings
    out: list[CaseRisk] = []
    keys: list[tuple[int, str]] = []
    for case in cases:
        if case.status == "closed":
            continue
        warnings = case_warnings(context(case, world, as_of, policy))
        score = 0
        for warning in warnings:
            score += weight(warning.severity, 0)
        out.append(make(case, tuple(warnings), score))
        keys.append((-score, case.case_ref))
    # Sorted by (-score, case_ref): the keys are worked out once, not per comparison.
    return [out[i] for i in sorted(range(len(out)), key=keys.__getitem__)]


def warning_to_dict(warning: Warning) -> dict[str, Any]:
    """The README, Using it JSON object for one warning."""
    return {
        "case_ref": warning.case_ref,
        "practitioner_id": warning.practitioner_id,
        "rule": warning.rule,
        "severity": warning.severity,
        "title": warning.title,
        "detail": warning.detail,
        "action": warning.action,
        "facts": dict(warning.facts),
    }


def severity_counts(warnings: Iterable[Warning]) -> dict[str, int]:
    """{"high": n, "medium": n, "low": n}, every key present; statuses not counted."""
    return count_severities(warning.severity for warning in warnings)


def count_severities(severities: Iterable[str | None]) -> dict[str, int]:
    """The one severity count: {"high": n, "medium": n, "low": n}, every key
    present; `info` and anything else not counted (for warnings as stored
    dicts too: the supervision record, the screens)."""
    counts = {severity: 0 for severity in SEVERITY_ORDER}
    for severity in severities:
        if severity in counts:
            counts[severity] += 1
    return counts


@dataclass(frozen=True, slots=True)
class AlertBurden:
    """How much the list asks of one practitioner (or of everyone): docs/rules.md."""

    practitioner_id: str | None  # None: the total
    open_cases: int
    cases_warned: int  # with a warning of low or above
    high: int
    medium: int
    low: int

    @property
    def warnings(self) -> int:
        return self.high + self.medium + self.low

    def as_dict(self) -> dict[str, Any]:
        return {
            "practitioner_id": self.practitioner_id,
            "open_cases": self.open_cases,
            "cases_warned": self.cases_warned,
            "warnings": {HIGH: self.high, MEDIUM: self.medium, LOW: self.low},
        }


def alert_burden(risks: Iterable[CaseRisk]) -> tuple[list[AlertBurden], AlertBurden]:
    """Per practitioner (by id; unallocated cases under None) and in total:
    open cases, cases with a warning of low or above, warnings by severity
    (statuses left out)."""
    rows: dict[str | None, list[int]] = {}
    total = [0, 0, 0, 0, 0]
    for risk in risks:
        if risk.case.status == "closed":
            continue
        row = rows.setdefault(risk.case.practitioner_id, [0, 0, 0, 0, 0])
        counts = severity_counts(risk.warnings)
        warned = 1 if any(counts.values()) else 0
        for target in (row, total):
            target[0] += 1
            target[1] += warned
            target[2] += counts[HIGH]
            target[3] += counts[MEDIUM]
            target[4] += counts[LOW]
    people = sorted(rows, key=lambda pid: (pid is None, pid or ""))
    return [AlertBurden(pid, *rows[pid]) for pid in people], AlertBurden(None, *total)
