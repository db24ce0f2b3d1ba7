"""The rules about the relationship itself (docs/rules.md): early_window (a status),
early_break and practitioner_churn, with `churn`, the count the case screens
show too (docs/rules.md).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from planner.model import Allocation, Case, Contact, World
from planner.policy import DEFAULT_POLICY, Policy
from planner.relationship import early_week, new_tag
from planner.rules.absences import absence_facts, absence_words, long_blocks
from planner.rules.context import SENSITIVE_FLAGS, RuleContext, rule
from planner.rules.turning_18 import transition_receiver
from planner.rules.warning import HIGH, INFO, MEDIUM, Warning
from planner.words import ago, and_list, days, fmt_date, fmt_day


def _cadence(threshold: int) -> str:
    if threshold == 7:
        return "weekly contact"
    if threshold == 14:
        return "fortnightly contact"
    return f"contact at least every {days(threshold)}"


@rule
def early_window(ctx: RuleContext) -> list[Warning]:
    """The current relationship is under 84 days old: info, a status ("new: week 3 of 12")."""
    age = ctx.relationship_age
    window = ctx.policy.early_window.days
    if age is None or age < 0 or age >= window:
        return []
    days_left = window - age
    week, weeks = early_week(age, ctx.policy)
    ends = ctx.relationship_start + timedelta(days=window)
    last_day = ends - timedelta(days=1)
    tag = new_tag(age, ctx.policy)
    return ctx.warn(
        "early_window",
        INFO,
        f"New relationship: week {week} of {weeks}",
        f"The relationship with {ctx.name(ctx.practitioner_id)} started on "
        f"{fmt_date(ctx.relationship_start)}, {ago(age)}: week {week} of {weeks} of the "
        f"{window}-day early window, which ends on {fmt_date(ends)}; until then "
        f"contact is due every {days(ctx.threshold)} ({ctx.level} level).",
        f"keep to {_cadence(ctx.threshold)} until {fmt_day(last_day, ctx.as_of)} (week {weeks})",
        {
            "tag": tag,
            "allocation_start": ctx.relationship_start.isoformat(),
            "age_days": age,
            "week": week,
            "weeks": weeks,
            "days_left": days_left,
            "window_days": window,
            "window_ends": ends.isoformat(),
        },
    )


@rule
def early_break(ctx: RuleContext) -> list[Warning]:
    """A new relationship that has started will break before its 84th day: medium; high when sensitive."""
    age = ctx.relationship_age
    window = ctx.policy.early_window.days
    if age is None or age < 0 or age >= window or ctx.first_contact_pending:
        return []
    start = ctx.relationship_start
    ends = start + timedelta(days=window)  # the relationship's 84th day
    pid = ctx.practitioner_id
    events = _break_events(ctx, ends)
    if not events:
        return []
    day, said, action, facts, short = min(events, key=lambda event: event[0])
    week = (day - start).days // 7 + 1
    severity = HIGH if ctx.sensitive else MEDIUM
    why = ""
    if ctx.sensitive:
        reasons = (["a child"] if ctx.case.youth else []) + sorted(ctx.case.flags & SENSITIVE_FLAGS)
        why = f" High because of: {', '.join(r.replace('_', ' ') for r in reasons)}."
    facts.update({
        "event_on": day.isoformat(),
        "allocation_start": start.isoformat(),
        "window_ends": ends.isoformat(),
        "week": week,
        "sensitive": ctx.sensitive,
    })
    return ctx.warn(
        "early_break",
        severity,
        f"New relationship cut short in week {max(week, 1)}: {short}",
        f"The relationship with {ctx.name(pid)} started on {fmt_date(start)} and is in its early "
        f"window until {fmt_date(ends)}; {said}.{why}",
        action,
        facts,
    )


def _break_events(ctx: RuleContext, ends: date) -> list[tuple[date, str, str, dict[str, Any], str]]:
    """What will break a new relationship before `ends` (its 84th day): a planned
    handover, the practitioner's leaving date, a long absence; as (date, said,
    action, facts, short words)."""
    as_of, pid = ctx.as_of, ctx.practitioner_id
    events: list[tuple[date, str, str, dict[str, Any], str]] = []
    handover = ctx.case.open_handover
    practitioner = ctx.practitioner
    if handover is not None and handover.planned_on < ends:
        later = ctx.working_days.on_or_after(ends)
        leaving = practitioner.leaving_on if practitioner is not None else None
        if leaving is not None and leaving < later:  # the handover cannot wait: they will be gone
            action = (f"make the handover on {fmt_day(handover.planned_on, as_of)} warm: {pid} leaves "
                      f"{fmt_day(leaving, as_of)}, so it cannot wait")
        else:
            action = (f"plan to keep {pid}: move the handover to {fmt_day(later, as_of)} "
                      f"or later if it can wait, or make it warm")
        events.append((
            handover.planned_on,
            f"a handover to {ctx.name(handover.to_practitioner_id)} is planned for {fmt_date(handover.planned_on)}",
            action,
            {"event": "handover", "to_practitioner_id": handover.to_practitioner_id},
            f"handover on {fmt_day(handover.planned_on, as_of)}",
        ))
    if practitioner is not None and practitioner.leaving_on is not None and practitioner.leaving_on < ends:
        leaving = practitioner.leaving_on
        gone = "left" if leaving <= as_of else "leaves"
        events.append((
            leaving,
            f"{ctx.name(pid)} {gone} on {fmt_date(leaving)}",
            f"plan a warm handover before {fmt_day(leaving, as_of)}, to someone the person knows if possible"
            if leaving > as_of else "plan a warm handover now, to someone the person knows if possible",
            {"event": "leaving"},
            f"worker {gone} on {fmt_day(leaving, as_of)}",
        ))
    need = ctx.policy.early_break.absence_working_days
    absences = ctx.world.absences_of(pid)
    blocks = absence_facts("breaks", absences, (as_of, need, ctx.nation), long_blocks) if absences else ()
    for first, last in blocks:
        if first < ends:
            events.append((
                first,
                f"{ctx.name(pid)} is away {absence_words(first, last, as_of)}",
                f"keep contact going while {pid} is away: name cover the person can get to know, "
                f"or plan a warm handover",
                {"event": "absence", "absence_start": first.isoformat(),
                 "absence_end": None if last == date.max else last.isoformat()},
                f"worker away from {fmt_day(first, as_of)}",
            ))
    return events


def _short_and_empty(alloc: Allocation, contacts: tuple[Contact, ...], short_days: int) -> bool:
    """An ended allocation shorter than short_days with no meaningful contact with its practitioner."""
    end = alloc.end_date
    if end is None or (end - alloc.start_date).days >= short_days:
        return False
    pid = alloc.practitioner_id
    return not any(
        alloc.start_date <= c.contact_date <= end and c.meaningful and c.involves(pid) for c in contacts
    )


@dataclass(frozen=True, slots=True)
class Churn:
    """practitioner_churn's count for one case on one date (docs/rules.md)."""

    count: int  # the larger of `distinct` and 1 + `changes`
    distinct: int  # practitioners whose allocations overlap the window, plus planned receivers
    changes: int  # allocations other than the first that started in the window
    held: tuple[str, ...]  # who held the case in the window, in allocation order
    planned: tuple[str, ...]  # receivers of planned handovers not among them
    dropped: int  # short ended allocations with no meaningful contact, not counted
    transition: str | None  # a child's planned transition at 18: its receiver, never counted


def churn(case: Case, as_of: date, policy: Policy = DEFAULT_POLICY, *, world: World) -> Churn:
    """How many workers the person has had in the churn window: what
    practitioner_churn warns on and the case screens show ("3rd practitioner
    in 12 months"). A child's planned move to adult services at 18 is
    required (§11), not churn to avoid: its receiver is not counted
    (docs/rules.md)."""
    settings = policy.practitioner_churn
    window_start = as_of - timedelta(days=settings.window_days)
    allocations = case.allocations
    first_alloc = allocations[0] if allocations else None
    seen: dict[str, None] = {}
    changes = dropped = 0
    for alloc in allocations:
        if alloc.start_date > as_of:
            continue
        overlaps = alloc.end_date is None or alloc.end_date > window_start
        started = alloc.start_date > window_start and alloc is not first_alloc
        if not (overlaps or started):
            continue
        if _short_and_empty(alloc, case.contacts, settings.short_allocation_days):
            dropped += 1
            continue
        if overlaps:
            seen[alloc.practitioner_id] = None
        if started:
            changes += 1
    held = tuple(seen)
    transition = transition_receiver(case, world) if case.youth else None
    planned: list[str] = []
    for handover in case.handovers:
        receiver = handover.to_practitioner_id
        if handover.is_open and receiver not in seen and receiver != transition:
            seen[receiver] = None
            planned.append(receiver)
    return Churn(max(len(seen), 1 + changes), len(seen), changes, held, tuple(planned), dropped, transition)


@rule
def practitioner_churn(ctx: RuleContext) -> list[Warning]:
    """Practitioners in the last 365 days (plus a planned receiver), or changes + 1: 3 medium,
    4+ high (3 for a child); short allocations with no contact not counted."""
    policy = ctx.policy.practitioner_churn
    case = ctx.case
    if len(case.allocations) + len(case.handovers) < policy.medium_at:
        return []  # not enough people in the records to count medium_at of them
    as_of = ctx.as_of
    window_start = as_of - timedelta(days=policy.window_days)
    found = churn(case, as_of, ctx.policy, world=ctx.world)
    count, changes, dropped, transition = found.count, found.changes, found.dropped, found.transition
    held, planned = list(found.held), list(found.planned)
    if count < policy.medium_at:
        return []
    high_at = policy.youth_high_at if case.youth else policy.high_at
    severity = HIGH if count >= high_at else MEDIUM
    detail = (
        f"In the {days(policy.window_days)} to {fmt_date(as_of)}, "
        f"{and_list([ctx.name(pid) for pid in held])} held the case ({changes} change"
        f"{'s' if changes != 1 else ''} of worker)"
    )
    if planned:
        detail += f", and a handover to {and_list([ctx.name(pid) for pid in planned])} is planned"
    if transition is not None:
        detail += f"; the transition at 18 to {ctx.name(transition)} is planned, as it must be, and not counted"
    if dropped:
        detail += f"; {dropped} short allocation{'s' if dropped != 1 else ''} with no contact not counted"
    if case.youth and severity == HIGH and count < policy.high_at:
        detail += f"; {count} is high for a child"
    if transition is not None:
        action = "keep this worker until the transition at 18, make that handover warm, and avoid any other change"
    elif planned:
        action = "keep the planned handover warm and the receiver for good; avoid any further change"
    else:
        action = "keep this worker: avoid any further change of worker this year"
    return ctx.warn(
        "practitioner_churn",
        severity,
        f"{count} workers in a year",
        detail + ".",
        action,
        {
            "count": count,
            "distinct": found.distinct,
            "changes": changes,
            "practitioner_ids": held,
            "planned_receiver_ids": planned,
            "transition_receiver_id": transition,
            "dropped_short_allocations": dropped,
            "window_days": policy.window_days,
            "window_start": window_start.isoformat(),
        },
    )

