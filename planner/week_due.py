"""The two facts of a week that plan-the-week (planner/suggest.py) shares
with the week itself (planner/week.py, which re-exports them): where a
week starts and when a case's contact falls due. A module of their own, so
that `caseload week --suggest` does not load the week's calendar and its
checklist machinery (README "Every command")."""

from __future__ import annotations

from datetime import date, timedelta

from planner.model import Case, World
from planner.policy import DEFAULT_POLICY, Policy
from planner.rules import RuleContext


def week_start_of(day: date) -> date:
    return day - timedelta(days=day.weekday())


def contact_due_on(case: Case, world: World, as_of: date,
                   policy: Policy = DEFAULT_POLICY) -> tuple[date, str] | None:
    """(the due date of docs/rules.md: last meaningful contact + T, moved to the
    next working day; a sentence saying why), or None for a case the contact
    rules leave alone (closed, or paused on as-of)."""
    ctx = RuleContext(case, world, as_of, policy)
    if ctx.closed or ctx.paused or ctx.due_on is None:
        return None
    return ctx.due_on, f"{ctx.last_phrase()}; {ctx.due_phrase()}"
