"""Dating the handovers that applying a plan creates
(docs/rebalancing.md, "Applying a plan")."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, timedelta

from planner.model import Case, World
from planner.policy import DEFAULT_POLICY, Policy
from planner.rebalance.plan import RebalancePlan

def handover_dates(
    plan: RebalancePlan,
    cases: Iterable[Case],
    world: World,
    policy: Policy = DEFAULT_POLICY,
    *,
    first: date | None = None,
    scores: Mapping[str, int] | None = None,
):
    """The dates of the handovers that applying `plan` creates, staggered
    (`planner.schedule.stagger`): from `first` (default as-of +
    `policy.handover.rebalance_days_ahead`, 28 days), at most
    `policy.handover.per_day` a working day for each giving practitioner
    (counting the handovers they already have planned), riskiest case first,
    never on a day an absence of the giver or the receiver covers. Moves to a receiver
    whose handover is already planned keep that handover and get no date
    here. Returns a `planner.schedule.Schedule`."""
    from planner.calendar import working_days
    from planner.schedule import stagger

    by_ref = {c.case_ref: c for c in cases}
    moves = [m for m in plan.moves if not m.already_planned]
    if scores is None:
        from planner.risk import evaluate

        scores = {r.case_ref: r.score
                  for r in evaluate([by_ref[m.case_ref] for m in moves if m.case_ref in by_ref],
                                    world, plan.as_of, policy)}
    moves.sort(key=lambda m: (-scores.get(m.case_ref, 0), m.case_ref))
    givers = {m.from_id for m in moves}
    busy: dict[tuple[str, date], int] = {}
    for c in by_ref.values():
        h = c.open_handover
        if h is not None and h.from_practitioner_id in givers:
            key = (h.from_practitioner_id, h.planned_on)
            busy[key] = busy.get(key, 0) + 1
    move_of = {m.case_ref: m for m in moves}

    def blocked(ref: str, day: date) -> bool:
        m = move_of[ref]
        return any(a.covers(day) for pid in (m.from_id, m.to_id) for a in world.absences_of(pid))

    start = first or plan.as_of + timedelta(days=policy.handover.rebalance_days_ahead)
    return stagger([(m.case_ref, m.from_id) for m in moves], first=start, last=None,
                   calendar_for=lambda pid: working_days(world.nation_of(pid)),
                   per_day=policy.handover.per_day, busy=busy, blocked=blocked)
