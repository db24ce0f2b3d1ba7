"""The current relationship in words and numbers, one home for every screen,
command and rule: how many days it has run (from the current allocation's
start, docs/words.md), which week of the early window it is in ("new: week 3 of
12", the `early_window` status's tag, docs/rules.md), and how long it has
run, short for a table column ("5 mths") or long ("5 months")."""

from __future__ import annotations

import math
from datetime import date

from planner.model import Case
from planner.policy import DEFAULT_POLICY, Policy
from planner.words import days, ordinal

__all__ = ["churn_words", "early_week", "new_tag", "relationship_age", "relationship_days", "relationship_label"]


def relationship_days(case: Case, as_of: date) -> int | None:
    """Days since the current allocation started (negative before it starts); None unallocated."""
    alloc = case.current_allocation
    return None if alloc is None else (as_of - alloc.start_date).days


def early_week(days: int, policy: Policy = DEFAULT_POLICY) -> tuple[int, int]:
    """(week, weeks): the week of the early window a relationship `days` old
    is in, counting from 1, and how many weeks the window has."""
    return days // 7 + 1, math.ceil(policy.early_window.days / 7)


def new_tag(days: int, policy: Policy = DEFAULT_POLICY) -> str:
    """"new: week 3 of 12": a relationship inside its early window."""
    week, weeks = early_week(days, policy)
    return f"new: week {week} of {weeks}"


def relationship_label(days: int | None, policy: Policy = DEFAULT_POLICY) -> str:
    """A table column: `new: week 3 of 12` inside the early window, then `5 mths`, `2 yrs`."""
    if days is None:
        return "unallocated"
    if days < policy.early_window.days:
        return new_tag(days, policy)
    if days < 365:
        months = days // 30
        return f"{months} mth{'s' if months != 1 else ''}"
    years = days // 365
    return f"{years} yr{'s' if years != 1 else ''}"


def relationship_age(case: Case, as_of: date, policy: Policy = DEFAULT_POLICY) -> str:
    """In full: "new: week 3 of 12" inside the early window, then "5 months", then "2 yrs"."""
    alloc = case.current_allocation
    if alloc is None:
        return "unallocated"
    age = (as_of - alloc.start_date).days
    if age < 0:
        return f"starts {alloc.start_date.isoformat()}"
    if age < policy.early_window.days:
        return new_tag(age, policy)
    months = age * 12 // 365
    if months < 24:
        return "1 month" if months == 1 else f"{months} months"
    years = age // 365
    return "1 yr" if years == 1 else f"{years} yrs"


def churn_words(count: int, policy: Policy = DEFAULT_POLICY, *, planned: bool = False) -> tuple[str, str] | None:
    """The case screens' line for practitioner_churn's count (planner.rules.churn):
    ("3rd practitioner in 12 months", severity), "medium" from the rule's
    `medium_at`, else "low"; None for a first practitioner. `planned`: the
    count includes the receiver of a planned handover, and the line says so."""
    if count < 2:
        return None
    settings = policy.practitioner_churn
    window = "12 months" if settings.window_days == 365 else days(settings.window_days)
    text = f"{ordinal(count)} practitioner in {window}" + (" (counting the planned handover)" if planned else "")
    return text, "medium" if count >= settings.medium_at else "low"
