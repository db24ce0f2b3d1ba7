"""`pause_ending` (docs/rules.md): a status, not a warning. A paused case's
pause ends within the window: book the first contact after it."""

from __future__ import annotations

from planner.rules.context import RuleContext, rule
from planner.rules.warning import INFO, Warning
from planner.words import ahead, fmt_date, fmt_day


@rule
def pause_ending(ctx: RuleContext) -> list[Warning]:
    """`paused_until` within the window: info ("pause ends 3 Jul")."""
    until = ctx.case.paused_until
    if ctx.case.status != "paused" or until is None:
        return []
    to_go = (until - ctx.as_of).days
    if not 0 <= to_go <= ctx.policy.pause_ending.window_days:
        return []
    return ctx.warn(
        "pause_ending", INFO, f"The pause ends {ahead(to_go)}", f"The pause ends on {fmt_date(until)}.",
        ctx.ask(f"book the first contact after {fmt_day(until, ctx.as_of)}"),
        {"paused_until": until.isoformat(), "days_left": to_go},
    )
