"""`order_ending` (§11, docs/rules.md): a status, not a warning. The order or
licence ends within 28 days: the practitioner plans a good ending with the
person (what they take with them, who they can turn to), by the last working
day before it ends (an order ending on a weekend or a bank holiday is
ended with on the working day before).
"""

from __future__ import annotations

from planner.rules.context import RuleContext, rule
from planner.rules.warning import INFO, Warning
from planner.words import ahead, fmt_date, fmt_day


def _short(day) -> str:
    return f"{day.day} {fmt_date(day).split()[1]}"


@rule
def order_ending(ctx: RuleContext) -> list[Warning]:
    """`sentence_end` within the next 28 days: info ("ends 3 Jul: plan a good ending")."""
    ends = ctx.case.sentence_end
    if ends is None:
        return []
    to_go = (ends - ctx.as_of).days
    if not 0 <= to_go <= ctx.policy.order_ending.window_days:
        return []
    last = ctx.working_days.on_or_before(ends)
    if last < ctx.as_of:
        last = ctx.as_of
    holiday = ctx.working_days.holiday_name(ends)
    why = (f" {fmt_date(ends)} is {holiday}, so the last working day is {fmt_date(last)}." if holiday
           else f" It falls on a weekend: the last working day is {fmt_date(last)}." if last != ends else "")
    sentence = (ctx.case.sentence or "order").replace("_", " ")
    tag = f"ends {_short(ends)}"
    return ctx.warn(
        "order_ending",
        INFO,
        f"The {sentence} ends {ahead(to_go)}",
        f"The {sentence} ends on {fmt_date(ends)} ({ahead(to_go)}).{why}",
        ctx.ask(f"plan a good ending by {fmt_day(last, ctx.as_of)}"),
        {"tag": tag, "sentence": ctx.case.sentence, "sentence_end": ends.isoformat(), "days_left": to_go,
         "last_working_day": last.isoformat()},
    )
