"""The handover rules of docs/rules.md: handover_upcoming, handover_unplanned and
cold_handover (docs/rules.md; the checklist's life cycle: docs/handovers.md).
"""

from __future__ import annotations

import re

from datetime import date, timedelta
from typing import Any

from planner.model import Absence, Contact, Handover, Practitioner
from planner.rules.absences import (
    ABSENCE_FACTS_LIMIT,
    absence_facts,
    absence_words,
    long_absence_now,
    long_absences_ahead,
)
from planner.rules.context import RuleContext, rule
from planner.rules.warning import HIGH, LOW, MEDIUM, Warning
from planner.words import ago, ahead, fmt_date, fmt_day, plural


@rule
def handover_upcoming(ctx: RuleContext) -> list[Warning]:
    """A planned handover 28 days ahead or sooner (or past) with required items late or due
    within 3 days: low; medium with a late item; high with a late item and 3 days or fewer to go."""
    handovers = ctx.case.handovers
    if not handovers:
        return []
    policy = ctx.policy.handover_upcoming
    as_of = ctx.as_of
    soon = as_of + timedelta(days=policy.soon_days)
    out: list[Warning] = []
    for handover in handovers:
        if not handover.is_open:
            continue
        days_away = (handover.planned_on - as_of).days
        if days_away > policy.horizon_days:
            continue
        pressing = sorted(
            (item for item in handover.items if item.required and not item.done and item.due <= soon),
            key=lambda item: (item.due, item.item_id),
        )
        if not pressing:
            continue
        out.extend(_checklist_warning(ctx, handover, pressing, days_away))
    return out


def _checklist_warning(ctx: RuleContext, handover: Handover, pressing: list, days_away: int) -> list[Warning]:
    """handover_upcoming for one handover with `pressing` items (late, or due soon)."""
    policy = ctx.policy.handover_upcoming
    as_of = ctx.as_of
    late = [item for item in pressing if item.due < as_of]
    if late and days_away <= policy.high_within_days:
        severity = HIGH
    elif late:
        severity = MEDIUM
    else:
        severity = LOW
    when = "the handover date passed" if days_away < 0 else f"handover {ahead(days_away)}"
    if late:
        title = f"Handover checklist: {len(late)} item{'s' if len(late) != 1 else ''} late, {when}"
    else:
        title = f"Handover checklist: {len(pressing)} item{'s' if len(pressing) != 1 else ''} due, {when}"
    parts = [
        f"{item.title} ({'due ' + fmt_date(item.due) if item.due >= as_of else 'late since ' + fmt_date(item.due)})"
        for item in pressing
    ]
    detail = (
        f"Handover to {ctx.name(handover.to_practitioner_id)} planned for "
        f"{fmt_date(handover.planned_on)} ({ahead(days_away)}); required checklist items open: "
        + "; ".join(parts)
    )
    first = pressing[0]
    by = max(first.due, as_of)
    todo = [ITEM_ACTIONS.get(item.item_id, item.item_id.replace("_", " ")) for item in pressing]
    todo = "; ".join(todo[:3] + ([f"{len(todo) - 3} more"] if len(todo) > 3 else []))
    action = f"{'now' if late else 'by ' + fmt_day(by, as_of)}: {todo}"
    if days_away < 0:
        action += "; then complete the handover"
    return ctx.warn(
        "handover_upcoming",
        severity,
        title,
        detail + ".",
        action,
        {
            "planned_on": handover.planned_on.isoformat(),
            "days_away": days_away,
            "from_practitioner_id": handover.from_practitioner_id,
            "to_practitioner_id": handover.to_practitioner_id,
            "open_items": [item.item_id for item in pressing],
            "late_items": [item.item_id for item in late],
            "handover_id": handover.id,
        },
    )


#: What to do for a checklist item (docs/handovers.md), in an action's words.
ITEM_ACTIONS = {
    "told": "tell the person and record their view",
    "summary": "write the handover summary",
    "read": "read the record and summary",
    "three_way": "hold the three-way meeting",
    "booked": "book the first appointment with the new worker",
    "first_contact": "hold the first contact",
    "review": "hold the four-week review",
    "reachable": "stay reachable",
    "carers_told": "tell the carers",
    "social_worker_told": "tell the social worker",
    "safeguarding_lead_told": "tell the safeguarding lead",
    "vlo_told": "tell the victim liaison officer",
    "ap_keyworker_told": "tell the AP key worker",
    "opd_consulted": "consult the OPD pathway",
    "rj_facilitator_told": "tell the RJ facilitator",
}



@rule
def handover_unplanned(ctx: RuleContext) -> list[Warning]:
    """No handover planned while the practitioner has gone, is in a long or open-ended absence
    with no cover (high), or leaves or starts one within 56 days (medium; high within 14)."""
    pid = ctx.practitioner_id
    if pid is None or ctx.case.open_handover is not None:
        return []
    practitioner = ctx.practitioner
    absences = ctx.world.absences_of(pid)
    if not absences and (practitioner is None or practitioner.leaving_on is None):
        return []  # nobody leaving or away: most cases, at once
    # The same for each of the practitioner's cases: worked out once a practitioner.
    policy = ctx.policy.handover_unplanned
    found = _unplanned_cache.get((pid, ctx.as_of, policy))
    if found is None or found[0] is not absences or found[1] is not practitioner:
        found = (absences, practitioner, _departure(ctx, pid, absences, practitioner, policy))
        if len(_unplanned_cache) >= ABSENCE_FACTS_LIMIT:
            _unplanned_cache.clear()
        _unplanned_cache[(pid, ctx.as_of, policy)] = found
    event = found[2]
    if event is None:
        return []
    severity, title, said, action, facts = event
    return ctx.warn(
        "handover_unplanned",
        severity,
        title,
        f"{said}, and no handover is planned for this case.",
        action,
        dict(facts),
    )


# (practitioner_id, as_of, policy section) -> (absences, practitioner, event): see handover_unplanned.
_unplanned_cache: dict[tuple, tuple] = {}


Departure = tuple[str, str, str, str, dict[str, Any]]  # (severity, title, said, action, facts)


def _departure(ctx: RuleContext, pid: str, absences: tuple[Absence, ...], practitioner: Practitioner | None,
               policy: Any) -> Departure | None:
    """handover_unplanned's (severity, title, said, action, facts) for a practitioner, or None."""
    if ctx.has_left:
        found = _has_left(ctx, pid, practitioner)
    else:
        now = absence_facts("long_now", absences, (ctx.as_of, policy.long_absence_days), long_absence_now) \
            if absences else None
        if now is not None:
            found = _away_now(ctx, pid, *now)
        else:
            found = _going(ctx, pid, absences, practitioner, policy)
            if found is None:
                return None
    found[4]["horizon_days"] = policy.horizon_days
    return found


def _has_left(ctx: RuleContext, pid: str, practitioner: Practitioner) -> Departure:
    """The practitioner has left and still holds the case: high."""
    as_of, leaving = ctx.as_of, practitioner.leaving_on
    facts = {"event": "left", "event_on": leaving.isoformat(), "days_away": (leaving - as_of).days}
    title = f"Worker left on {fmt_day(leaving, as_of)}, no handover planned"
    said = f"{ctx.name(pid)} left on {fmt_date(leaving)} ({ago((as_of - leaving).days)}) and still holds the case"
    action = f"plan a handover: {pid} left on {fmt_day(leaving, as_of)}"
    return HIGH, title, said, action, facts


def _away_now(ctx: RuleContext, pid: str, first: date, last: date, absence: Absence) -> Departure:
    """The practitioner is in a long or open-ended absence with no cover named: high."""
    as_of = ctx.as_of
    facts = {
        "event": "away",
        "event_on": first.isoformat(),
        "absence_end": None if last == date.max else last.isoformat(),
        "absence_kind": absence.kind,
        "days_away": (first - as_of).days,
    }
    kind = "sickness" if absence.kind == "sickness" else "absence"
    if last == date.max:
        title = f"Worker on {kind} with no end date, no handover planned"
        action = f"plan a handover, or name cover: {pid} has been away since {fmt_day(first, as_of)} with no end date"
    else:
        title = f"Worker away until {fmt_day(last, as_of)}, no cover, no handover planned"
        action = f"plan a handover, or name cover: {pid} is away until {fmt_day(last, as_of)}"
    said = f"{ctx.name(pid)} is away {absence_words(first, last, as_of)} ({absence.kind}), with no cover named"
    return HIGH, title, said, action, facts


def _going(ctx: RuleContext, pid: str, absences: tuple[Absence, ...], practitioner: Practitioner | None,
           policy: Any) -> Departure | None:
    """The practitioner leaves, or starts a long absence, within the horizon: medium; high when soon."""
    as_of, horizon, who = ctx.as_of, policy.horizon_days, ctx.name(pid)
    events: list[tuple[int, dict[str, Any], str, str, str]] = []
    if practitioner is not None and practitioner.leaving_on is not None:
        leaving = practitioner.leaving_on
        days_away = (leaving - as_of).days
        if 0 <= days_away <= horizon:
            events.append((
                days_away,
                {"event": "leaving", "event_on": leaving.isoformat()},
                f"Worker leaves on {fmt_day(leaving, as_of)}, no handover planned",
                f"{who} leaves on {fmt_date(leaving)} ({ahead(days_away)})",
                f"plan a handover before {pid} leaves on {fmt_day(leaving, as_of)}",
            ))
    for first, last, days_away in absence_facts(
        "long_ahead", absences, (as_of, horizon, policy.long_absence_days), long_absences_ahead
    ) if absences else ():
        events.append((
            days_away,
            {"event": "absence", "event_on": first.isoformat(),
             "absence_end": None if last == date.max else last.isoformat()},
            f"Worker away from {fmt_day(first, as_of)}, no handover planned",
            f"{who} is away {absence_words(first, last, as_of)}, starting {ahead(days_away)}",
            f"plan a handover, or cover, before {fmt_day(first, as_of)}",
        ))
    if not events:
        return None
    days_away, facts, title, said, action = min(events, key=lambda event: event[0])
    facts["days_away"] = days_away
    severity = HIGH if days_away <= policy.high_within_days else MEDIUM
    return severity, title, said, action, facts


def _handover_day(handover: Handover) -> date:
    """D for a completed handover: the day it completed (the receiver's allocation start)."""
    return handover.completed_on or handover.planned_on


@rule
def cold_handover(ctx: RuleContext) -> list[Warning]:
    """A handover completed in the last 84 days, not reviewed, completed cold or with the new
    practitioner's first contact late: medium, until a lead reviews it."""
    window = ctx.policy.cold_handover.window_days
    as_of = ctx.as_of
    for handover in reversed(ctx.case.handovers):
        if not handover.is_completed or handover.reviewed:
            continue
        day = _handover_day(handover)
        days_since = (as_of - day).days
        if not 0 <= days_since < window:
            continue
        deadline = ctx.working_days.add(day, ctx.first_contact_days)
        first_met = _first_met(ctx, handover.to_practitioner_id, day)
        late = (first_met is None and as_of > deadline) or (
            first_met is not None and first_met.contact_date > deadline
        )
        cold = handover.status == "completed_cold"
        if cold or late:
            return _cold_warning(ctx, handover, day, deadline, first_met, cold=cold, late=late)
    return []


def _first_met(ctx: RuleContext, incoming: str, day: date) -> Contact | None:
    """The incoming practitioner's first meaningful contact from D up to as_of."""
    for contact in ctx.case.contacts:
        when = contact.contact_date
        if when > ctx.as_of:
            break
        if when >= day and contact.meaningful and contact.involves(incoming):
            return contact
    return None


def _cold_reasons(ctx: RuleContext, handover: Handover, day: date, deadline: date,
                  first_met: Contact | None, *, cold: bool, late: bool) -> list[str]:
    reasons = []
    incoming = handover.to_practitioner_id
    if cold:
        # what completing on the day needed (planner/handover.py `due_by`)
        # titles, never ids, in what a person reads (docs/handovers.md): the
        # title's first phrase, "Three-way meeting held (outgoing, ...)" -> "Three-way meeting held"
        open_titles = [re.split(r"[:;(]", item.title, maxsplit=1)[0].strip()
                       for item in handover.items if item.required and not item.done
                       and (item.due <= day or item.item_id in ("told", "three_way"))]
        reasons.append(
            "it was completed cold, by a lead's override"
            + (f", with {plural(len(open_titles), 'required item')} not done ({'; '.join(open_titles)})"
               if open_titles else "")
        )
    if late:
        if first_met is None:
            reasons.append(f"{ctx.name(incoming)} has not yet met the person; the first-contact "
                           f"deadline was {fmt_date(deadline)}")
        else:
            reasons.append(f"{ctx.name(incoming)} first met the person on "
                           f"{fmt_date(first_met.contact_date)}, after the deadline of {fmt_date(deadline)}")
    return reasons


def _cold_warning(ctx: RuleContext, handover: Handover, day: date, deadline: date,
                  first_met: Contact | None, *, cold: bool, late: bool) -> list[Warning]:
    """cold_handover for one completed handover, cold or with the first contact late."""
    as_of = ctx.as_of
    days_since = (as_of - day).days
    incoming = handover.to_practitioner_id
    reasons = _cold_reasons(ctx, handover, day, deadline, first_met, cold=cold, late=late)
    title = (f"Cold handover on {fmt_day(day, as_of)}, not yet reviewed" if cold
             else f"New worker's first contact came late after the handover on {fmt_day(day, as_of)}")
    return ctx.warn(
        "cold_handover",
        MEDIUM,
        title,
        f"The handover from {ctx.name(handover.from_practitioner_id)} to {ctx.name(incoming)} "
        f"was completed on {fmt_date(day)} ({ago(days_since)}): {'; and '.join(reasons)}. "
        f"It has not been reviewed yet.",
        f"team lead to review the handover with {incoming} and the person, "
        f"by {fmt_day(ctx.working_days.add(as_of, 5), as_of)}",
        {
            "completed_on": day.isoformat(),
            "days_since": days_since,
            "from_practitioner_id": handover.from_practitioner_id,
            "to_practitioner_id": incoming,
            "cold": cold,
            "first_contact_late": late,
            "first_contact_deadline": deadline.isoformat(),
            "first_contact_on": first_met.contact_date.isoformat() if first_met else None,
            "status": handover.status,
            "override": handover.override_reason is not None,
            "reviewed": handover.reviewed,
            "handover_id": handover.id,
        },
    )

