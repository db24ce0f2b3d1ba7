"""`turning_18` (§11, docs/rules.md): a child nearing 18 whose move to adult
services is not planned. The transition is a handover (docs/handovers.md) to
a practitioner of another team (adult probation) or of a grade other than
YJW; planning it, from the warning, ends the warning.
"""

from __future__ import annotations

from datetime import date, timedelta

from planner.rules.context import RuleContext, rule
from planner.rules.warning import HIGH, MEDIUM, Warning
from planner.words import ahead, fmt_date, fmt_day

ADULT_AGE = 18
YOUTH_GRADE = "YJW"
#: A transition's handover reason when none is given (the transition form, tui/widgets/sentence.py).
TRANSITION_REASON = "transition to adult services at 18"


def birthday(born: date, years: int) -> date:
    """The day someone born on `born` turns `years` old: in a year without
    29 February, someone born on it comes of age on 1 March."""
    try:
        return born.replace(year=born.year + years)
    except ValueError:  # 29 February in a common year
        return date(born.year + years, 3, 1)


def transition_planned(ctx: RuleContext) -> bool:
    """An open handover to someone of another team than the current
    practitioner's, or of a grade other than YJW."""
    handover = ctx.case.open_handover
    if handover is None:
        return False
    people = ctx.world.practitioners
    receiver = people.get(handover.to_practitioner_id)
    current = people.get(ctx.practitioner_id or "")
    if receiver is None:
        return False
    return receiver.grade != YOUTH_GRADE or current is None or receiver.team_id != current.team_id


def _working_day_before(ctx: RuleContext, day: date) -> date:
    """The last working day before `day` (as_of at the earliest): the birthday may be a weekend."""
    return max(ctx.as_of, ctx.working_days.on_or_before(day - timedelta(days=1)))


@rule
def turning_18(ctx: RuleContext) -> list[Warning]:
    """A child's 18th birthday within 182 days and no transition planned: medium; high within 56 days."""
    case = ctx.case
    if not case.youth or case.date_of_birth is None:
        return []
    turns = birthday(case.date_of_birth, ADULT_AGE)
    policy = ctx.policy.turning_18
    to_go = (turns - ctx.as_of).days
    if not 0 <= to_go <= policy.window_days or transition_planned(ctx):
        return []
    severity = HIGH if to_go <= policy.high_within_days else MEDIUM
    return ctx.warn(
        "turning_18",
        severity,
        f"Turns 18 {ahead(to_go)}: transition not planned",
        f"Turns 18 on {fmt_date(turns)} ({ahead(to_go)}); no handover to adult services (another team, "
        f"or a grade other than {YOUTH_GRADE}) is planned. A move at 18 is where the relationship breaks "
        "most: plan it with them, with a three-way meeting.",
        ctx.ask(f"plan the transition by {fmt_day(_working_day_before(ctx, turns), ctx.as_of)}"),
        {"turns_18_on": turns.isoformat(), "days_to_18": to_go},
    )
