"""The disruption cost of moving a case (docs/rebalancing.md, "The cost of
a move"): the facts of a case worked out once, then each receiver's
cost from them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from planner.model import Case
from planner.policy import DEFAULT_POLICY, Policy

SENSITIVE_FLAGS = frozenset({"safeguarding", "care_experienced", "opd"})


@dataclass(frozen=True, slots=True)
class DisruptionCost:
    """The cost of moving one case to one receiver, with the facts behind it."""

    cost: float
    holder_id: str
    receiver_id: str
    weeks_held: int  # whole weeks since the current allocation started (uncapped)
    w: int  # capped, or 0 when there was no meaningful contact yet
    no_contact_yet: bool
    m1: float
    m2: float
    k: int  # recent changes of practitioner
    sensitive: tuple[str, ...]  # why m1 > 1 ("youth", "safeguarding", ...)
    held_until: date | None  # the receiver held the case before, until this date
    last_seen: date | None  # the receiver's latest meaningful contact within the window
    planned: bool  # an open handover already goes to this receiver (cost 0)
    e: float = 0.0  # the early-relationship term
    case_ref: str = ""
    days_held: int = 0  # days since the current allocation started (uncapped)
    early_window_days: int = 84


@dataclass(frozen=True, slots=True)
class CaseFacts:
    """What the disruption cost of a case needs, worked out once per case (the
    per-receiver part is two dictionary look-ups)."""

    holder_id: str
    weeks_held: int
    w: int
    no_contact_yet: bool
    m1: float
    sensitive: tuple[str, ...]
    k: int
    held_until: dict[str, date]  # earlier holder -> end of their latest allocation
    last_seen: dict[str, date]  # practitioner -> latest meaningful contact in the window
    planned_to: str | None
    e: float = 0.0  # early-relationship term: the relationship is new and has started
    case_ref: str = ""
    days_held: int = 0
    early_window_days: int = 84


def case_facts(case: Case, as_of: date, policy: Policy = DEFAULT_POLICY) -> CaseFacts:
    d = policy.disruption
    current = case.current_allocation
    holder = current.practitioner_id if current else ""
    start = current.start_date if current else as_of
    days_held = max(0, (as_of - start).days)
    weeks_held = days_held // 7
    window_start = as_of - timedelta(days=d.known_contact_days)
    contacted = False
    last_seen: dict[str, date] = {}
    for c in case.contacts:
        if not c.meaningful or c.contact_date > as_of:
            continue
        if c.practitioner_id == holder and c.contact_date >= start:
            contacted = True
        if c.contact_date >= window_start:
            seen = last_seen.get(c.practitioner_id)
            if seen is None or c.contact_date > seen:
                last_seen[c.practitioner_id] = c.contact_date
    held_until: dict[str, date] = {}
    for alloc in case.allocations:
        if alloc is current or alloc.start_date > as_of:
            continue
        end = alloc.end_date or as_of
        if alloc.practitioner_id not in held_until or end > held_until[alloc.practitioner_id]:
            held_until[alloc.practitioner_id] = end
    sensitive = tuple((["youth"] if case.youth else []) + sorted(SENSITIVE_FLAGS & set(case.flags)))
    recent_start = as_of - timedelta(days=d.recent_change_days)
    k = sum(1 for alloc in case.allocations[1:] if recent_start <= alloc.start_date <= as_of)
    handover = case.open_handover
    early_days = policy.early_window.days
    return CaseFacts(
        holder_id=holder,
        weeks_held=weeks_held,
        w=min(weeks_held, d.max_weeks) if contacted else 0,
        no_contact_yet=not contacted,
        m1=d.sensitive_multiplier if sensitive else 1.0,
        sensitive=sensitive,
        k=k,
        held_until=held_until,
        last_seen=last_seen,
        planned_to=handover.to_practitioner_id if handover is not None else None,
        e=float(d.early_relationship) if contacted and current is not None and days_held < early_days else 0.0,
        case_ref=case.case_ref,
        days_held=days_held,
        early_window_days=early_days,
    )


def disruption_cost(
    case: Case,
    receiver_id: str,
    as_of: date,
    policy: Policy = DEFAULT_POLICY,
    facts: CaseFacts | None = None,
) -> DisruptionCost:
    """The disruption cost (docs/rebalancing.md) of moving `case` to
    `receiver_id` on `as_of`
    (pass `facts = case_facts(case, as_of, policy)` when costing many receivers)."""
    d = policy.disruption
    f = facts or case_facts(case, as_of, policy)
    known = f.held_until.get(receiver_id) or f.last_seen.get(receiver_id)
    m2 = d.known_receiver_multiplier if known else 1.0
    planned = f.planned_to is not None and f.planned_to == receiver_id
    cost = 0.0 if planned else (d.base + f.w + f.e) * f.m1 * m2 + d.per_recent_change * f.k
    return from_facts(f, receiver_id, cost=float(cost), m2=m2)


def from_facts(f: CaseFacts, receiver_id: str, *, cost: float, m2: float) -> DisruptionCost:
    """The DisruptionCost of a move of the case behind `f` to `receiver_id`."""
    return DisruptionCost(
        cost=cost,
        holder_id=f.holder_id,
        receiver_id=receiver_id,
        weeks_held=f.weeks_held,
        w=f.w,
        no_contact_yet=f.no_contact_yet,
        m1=f.m1,
        m2=m2,
        k=f.k,
        sensitive=f.sensitive,
        held_until=f.held_until.get(receiver_id),
        last_seen=f.last_seen.get(receiver_id),
        planned=f.planned_to is not None and f.planned_to == receiver_id,
        e=f.e,
        case_ref=f.case_ref,
        days_held=f.days_held,
        early_window_days=f.early_window_days,
    )
