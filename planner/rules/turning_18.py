"""`turning_18` (§11, docs/rules.md): a child nearing 18 whose move to adult
services is not planned. The transition is a handover (docs/handovers.md) to
a practitioner of another team (adult probation) or of a grade other than
YJW; planning it, from the warning, ends the warning.
"""

from __future__ import annotations

from datetime import date

from planner.model import Case, World
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


def transition_receiver(case: Case, world: World) -> str | None:
    """The receiver of the case's open handover when it is a transition to
    adult services: someone of another team than the current practitioner's,
    or of a grade other than YJW; else None."""
    handover = case.open_handover
    if handover is None:
        return None
    people = world.practitioners
    receiver = people.get(handover.to_practitioner_id)
    current = people.get(case.practitioner_id or "")
    if receiver is None:
        return None
    if receiver.grade != YOUTH_GRADE or current is None or receiver.team_id != current.team_id:
        return receiver.practitioner_id
    return None


def transition_planned(ctx: RuleContext) -> bool:
    """An open handover that is a transition to adult services (`transition_receiver`)."""
    return transition_receiver(ctx.case, ctx.world) is not None


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
        ctx.ask(f"plan the transition by {fmt_day(ctx.working_day_before(turns), ctx.as_of)}"),
        {"turns_18_on": turns.isoformat(), "days_to_18": to_go},
    )
