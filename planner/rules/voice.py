"""The person's voice (docs/voice.md, docs/rules.md): `alliance_low` and
`checkin_due`, read from the check-ins with the current practitioner.

A check-in is a prompt for a conversation, not a score about the person:
the rules say when to talk about how the work feels from their side, never
what they are like. Neither names the person's words (they stay on the case
screen, hidden in privacy mode)."""

from __future__ import annotations

from datetime import date, timedelta

from planner.model import CHECKIN_QUESTIONS, Checkin
from planner.rules.context import RuleContext, rule
from planner.rules.warning import INFO, MEDIUM, Warning
from planner.words import days, fmt_date

__all__ = ["alliance_low", "checkin_due", "checkins_with"]


def checkins_with(ctx: RuleContext) -> tuple[Checkin, ...]:
    """The case's check-ins with the current practitioner up to `as_of`, oldest first."""
    pid = ctx.practitioner_id
    return tuple(c for c in ctx.case.checkins if c.practitioner_id == pid and c.checkin_date <= ctx.as_of)


def _since(ctx: RuleContext, window: int) -> date:
    """`as_of − window`: "in the last N days" is after it (docs/rules.md, windows)."""
    return ctx.as_of - timedelta(days=window)


@rule
def alliance_low(ctx: RuleContext) -> list[Warning]:
    """The latest check-in with the current practitioner in the window has an
    answer of 2 or less, or a total 3 or more below the one before it."""
    settings = ctx.policy.alliance_low
    mine = checkins_with(ctx)
    if not mine or mine[-1].checkin_date <= _since(ctx, settings.window_days):
        return []
    latest = mine[-1]
    previous = mine[-2] if len(mine) > 1 else None
    low = [q for q in CHECKIN_QUESTIONS if getattr(latest, q) <= settings.low_answer]
    drop = previous.total - latest.total if previous is not None else 0
    if not low and drop < settings.drop:
        return []
    who = ctx.name(ctx.practitioner_id)
    reasons = []
    if low:
        reasons.append(f"{' and '.join(low)} answered {settings.low_answer} or less")
    if drop >= settings.drop:
        reasons.append(f"the total fell by {drop} since {fmt_date(previous.checkin_date)}")
    return ctx.warn(
        "alliance_low",
        MEDIUM,
        "Check-in: the relationship feels low",
        f"At the check-in with {who} on {fmt_date(latest.checkin_date)}, {'; '.join(reasons)}. "
        "These are prompts for a conversation, not a score.",
        "talk about what is not working; consider a three-way with the lead",
        {
            "checkin_date": latest.checkin_date.isoformat(),
            "low": low,
            "total": latest.total,
            "previous_total": previous.total if previous is not None else None,
            "drop": drop,
        },
    )


@rule
def checkin_due(ctx: RuleContext) -> list[Warning]:
    """A relationship over 28 days old with no check-in with the current
    practitioner in the last 84 days: info (a status)."""
    settings = ctx.policy.checkin_due
    age = ctx.relationship_age
    if age is None or age <= settings.relationship_days:
        return []
    since = _since(ctx, settings.window_days)
    mine = checkins_with(ctx)
    if mine and mine[-1].checkin_date > since:
        return []
    last = mine[-1].checkin_date if mine else None
    told = f"the last was on {fmt_date(last)}" if last else "there has been none"
    return ctx.warn(
        "checkin_due",
        INFO,
        "Check-in due",
        f"The relationship with {ctx.name(ctx.practitioner_id)} is {days(age)} old and {told} "
        f"in the last {days(settings.window_days)}.",
        "ask the three check-in questions at the next contact",
        {"tag": "check-in due", "last_checkin": last.isoformat() if last else None, "age_days": age},
    )
