"""The contact rules of docs/rules.md: first_contact, contact_overdue, contact_due,
no_appointment, relationship_gap, missed_appointments, practitioner_cancelled
(docs/rules.md). They stop while a case is paused.
"""

from __future__ import annotations

from datetime import timedelta

from planner.model import FACE_TO_FACE_KINDS, Contact
from planner.rules.context import RuleContext, kind_word, rule
from planner.rules.warning import HIGH, LOW, MEDIUM, Warning
from planner.words import ago, ahead, and_list, days, fmt_date, fmt_day, ordinal


@rule
def first_contact(ctx: RuleContext) -> list[Warning]:
    """No first contact yet: high once the deadline has passed, low within 7 days of it."""
    if not ctx.first_contact_pending:
        return []
    deadline = ctx.first_contact_deadline
    as_of = ctx.as_of
    days_left = (deadline - as_of).days
    who = ctx.name(ctx.practitioner_id)
    booked = ctx.next_appointment
    if days_left < 0:
        severity = HIGH
        title = f"Not yet met their new worker: first-contact deadline passed {ago(-days_left)}"
        when = f"was {fmt_date(deadline)} ({ago(-days_left)})"
        if booked is not None and (booked - as_of).days <= 7:
            action = ctx.ask(f"keep the first meeting booked for {fmt_day(booked, as_of)}")
        else:
            action = ctx.ask(f"hold a first meeting with them by {fmt_day(ctx.working_days.add(as_of, 2), as_of)}")
    elif days_left <= ctx.policy.first_contact.lookahead_days:
        severity = LOW
        title = f"First meeting with their new worker due by {fmt_day(deadline, as_of)}"
        when = f"is {fmt_date(deadline)} ({ahead(days_left)})"
        if booked is not None and booked <= deadline:
            action = ctx.ask(f"keep the first meeting booked for {fmt_day(booked, as_of)}")
        else:
            action = ctx.ask(f"book a first meeting on or before {fmt_day(deadline, as_of)}")
    else:
        return []
    n = ctx.first_contact_days
    start = ctx.relationship_start
    detail = (
        f"No meaningful contact with {who} since the allocation started on {fmt_date(start)}; "
        f"the deadline, the {ordinal(n)} working day after it, {when}"
    )
    if booked is not None:
        detail += f"; the next booking is on {fmt_date(booked)}"
    return ctx.warn(
        "first_contact",
        severity,
        title,
        detail + ".",
        action,
        {
            "allocation_start": start.isoformat(),
            "deadline": deadline.isoformat(),
            "days_left": days_left,
            "working_days": n,
            "nation": ctx.nation,
            "contact_level": ctx.level,
            "next_booked_on": booked.isoformat() if booked else None,
        },
    )


@rule
def contact_overdue(ctx: RuleContext) -> list[Warning]:
    """As-of after the due date: medium; high when gap > 1.5 x T and nothing is booked in 7 days."""
    if not ctx.overdue:
        return []
    policy = ctx.policy.contact_overdue
    gap, threshold, due, as_of = ctx.gap, ctx.threshold, ctx.due_on, ctx.as_of
    high_above = policy.high_multiplier * threshold
    soon = as_of + timedelta(days=policy.booked_within_days)
    booked = ctx.next_appointment
    booked_soon = booked is not None and booked <= soon
    high = gap > high_above and not booked_soon
    detail = f"{ctx.last_phrase()}; {ctx.due_phrase()}"
    if booked is None:
        detail += "; nothing is booked"
        action = ctx.ask(f"book a contact by {fmt_day(ctx.working_days.add(as_of, 2), as_of)}")
    else:
        detail += f"; the next booking is on {fmt_date(booked)}"
        if booked_soon:
            action = ctx.ask(f"keep the contact booked for {fmt_day(booked, as_of)}")
        else:
            action = ctx.ask(f"bring the contact booked for {fmt_day(booked, as_of)} forward to this week")
    if high:
        detail += (
            f". Over {days(high_above)} ({policy.high_multiplier:g} × T) with nothing booked in "
            f"the next {days(policy.booked_within_days)} is high"
        )
    facts = ctx.contact_facts()
    facts["high_above_days"] = high_above
    facts["days_overdue"] = (as_of - due).days
    return ctx.warn(
        "contact_overdue",
        HIGH if high else MEDIUM,
        f"{ctx.not_seen_for()}: contact was due by {fmt_day(due, as_of)}",
        detail + ".",
        action,
        facts,
    )


@rule
def contact_due(ctx: RuleContext) -> list[Warning]:
    """Within `lead` days of the due date and nothing booked by it: low."""
    due = ctx.due_on
    if due is None or ctx.first_contact_pending:
        return []
    as_of = ctx.as_of
    left = (due - as_of).days
    lead = ctx.policy.lead_days(ctx.threshold)
    if not 0 <= left <= lead or ctx.booked_by(due):
        return []
    booked = ctx.next_appointment
    detail = f"{ctx.last_phrase()}; {ctx.due_phrase()}"
    if booked is not None:
        detail += f"; the next booking, on {fmt_date(booked)}, is after it"
    else:
        detail += "; nothing is booked"
    facts = ctx.contact_facts()
    facts["days_left"] = left
    facts["lead_days"] = lead
    return ctx.warn(
        "contact_due",
        LOW,
        f"Contact due by {fmt_day(due, as_of)}, nothing booked by then",
        detail + ".",
        ctx.ask(f"book a contact on or before {fmt_day(due, as_of)}"),
        facts,
    )


@rule
def no_appointment(ctx: RuleContext) -> list[Warning]:
    """Contact is overdue and nothing at all is booked: low."""
    if not ctx.overdue or ctx.next_appointment is not None:
        return []
    facts = ctx.contact_facts()
    as_of = ctx.as_of
    return ctx.warn(
        "no_appointment",
        LOW,
        "Overdue, and nothing booked",
        f"Contact has been due since {fmt_date(ctx.due_on)} and no appointment is booked "
        f"on or after {fmt_date(as_of)}.",
        ctx.ask(f"book the next appointment by {fmt_day(ctx.working_days.add(as_of, 2), as_of)}"),
        facts,
    )


@rule
def relationship_gap(ctx: RuleContext) -> list[Warning]:
    """Own gap (absences not counted) > 2 x T while someone else has seen the person since: medium."""
    other = ctx.scan.other_after_own
    if other is None or ctx.own_from is None:
        return []
    limit = ctx.policy.relationship_gap.multiplier * ctx.threshold
    if (ctx.as_of - ctx.own_from).days <= limit:
        return []  # not even counting the practitioner's absences (they only shorten it)
    own_gap = ctx.own_gap
    if own_gap <= limit:
        return []
    own = ctx.scan.own_last
    as_of = ctx.as_of
    pid = ctx.practitioner_id
    calendar_days = (as_of - ctx.own_from).days
    away = ctx.own_days_away
    other_who = ctx.name(other.practitioner_id)
    other_did = "seen them" if other.kind in FACE_TO_FACE_KINDS else "been in contact"
    first, title = _own_last_words(ctx, own, other, calendar_days)
    counted = days(calendar_days)
    if away:
        counted += f", {away} of them away, so {days(own_gap)} counted"
    detail = (
        f"{first}; {other_who} has {other_did} since, on {fmt_date(other.contact_date)} "
        f"({kind_word(other)}). {counted}: more than "
        f"{ctx.policy.relationship_gap.multiplier:g} × {ctx.threshold} = {days(limit)} ({ctx.threshold_phrase})."
    )
    booked = ctx.next_appointment
    if booked is not None and (booked - as_of).days <= 7:
        action = ctx.ask(f"see them yourself at the appointment booked for {fmt_day(booked, as_of)}")
    else:
        action = ctx.ask(f"book a contact with {pid} by {fmt_day(ctx.working_days.add(as_of, 5), as_of)}")
    return ctx.warn(
        "relationship_gap",
        MEDIUM,
        title,
        detail,
        action,
        {
            "own_gap_days": own_gap,
            "calendar_days": calendar_days,
            "days_away": away,
            "own_last_on": own.contact_date.isoformat() if own else None,
            "allocation_start": ctx.relationship_start.isoformat(),
            "other_practitioner_id": other.practitioner_id,
            "other_contact_on": other.contact_date.isoformat(),
            "threshold_days": ctx.threshold,
            "limit_days": limit,
            "contact_level": ctx.level,
            "early_window": ctx.in_early_window,
        },
    )


def _own_last_words(ctx: RuleContext, own: Contact | None, other: Contact, calendar_days: int) -> tuple[str, str]:
    """relationship_gap's first clause (the practitioner's own last contact) and title."""
    who = ctx.name(ctx.practitioner_id)
    other_name = ctx.world.practitioners.get(other.practitioner_id)
    other_name = other_name.name if other_name is not None else other.practitioner_id
    other_did = "seen them" if other.kind in FACE_TO_FACE_KINDS else "been in contact"
    if own is not None:
        face = own.kind in FACE_TO_FACE_KINDS
        first = (f"{who} last {'saw them' if face else 'had contact'} on "
                 f"{fmt_date(own.contact_date)} ({kind_word(own)})")
        title = f"{'Not seen by' if face else 'No contact with'} their own worker for {days(calendar_days)}"
    else:
        first = (f"{who} has had no meaningful contact since the allocation started on "
                 f"{fmt_date(ctx.relationship_start)}")
        title = f"No contact with their own worker since allocated {days(calendar_days)} ago"
    return first, title + f" — {other_name} has {other_did}"


@rule
def missed_appointments(ctx: RuleContext) -> list[Warning]:
    """The run of missed contacts before the last attended one (cancelled skipped): 2 medium, 3+ high."""
    policy = ctx.policy.missed_appointments
    run = ctx.scan.missed_run
    count = len(run)
    if count < policy.medium_at:
        return []
    dates = [contact.contact_date for contact in reversed(run)]
    ended = ctx.scan.run_ended_by
    as_of = ctx.as_of
    detail = f"{count} missed in a row ({and_list([fmt_date(d) for d in dates])})"
    if ended is not None:
        detail += f" since the last attended contact on {fmt_date(ended.contact_date)}"
    else:
        detail += ", with no attended contact before them"
    booked = ctx.next_appointment
    if booked is not None:
        action = ctx.ask(f"reach them before {fmt_day(booked, as_of)} to find out why and keep that appointment")
    else:
        action = ctx.ask(f"reach them by {fmt_day(ctx.working_days.add(as_of, 2), as_of)} to find out why, and rebook")
    return ctx.warn(
        "missed_appointments",
        HIGH if count >= policy.high_at else MEDIUM,
        f"{count} appointments missed in a row",
        detail + "; cancelled ones are not counted.",
        action,
        {
            "missed_count": count,
            "missed_on": [d.isoformat() for d in dates],
            "last_attended_on": ended.contact_date.isoformat() if ended else None,
            "next_booked_on": booked.isoformat() if booked else None,
        },
    )


@rule
def practitioner_cancelled(ctx: RuleContext) -> list[Warning]:
    """Contacts cancelled by the practitioner's side in the last 56 days: 2 medium, 3+ high."""
    policy = ctx.policy.practitioner_cancelled
    found = ctx.practitioner_cancellations
    count = len(found)
    if count < policy.medium_at:
        return []
    as_of = ctx.as_of
    who = sorted({c.practitioner_id for c in found})
    weeks = policy.window_days // 7 if policy.window_days % 7 == 0 else None
    span = f"{weeks} weeks" if weeks else days(policy.window_days)
    booked = ctx.next_appointment
    action = (
        ctx.ask(f"keep the appointment on {fmt_day(booked, as_of)}; no more cancellations from our side")
        if booked is not None
        else ctx.ask(f"rebook with the person by {fmt_day(ctx.working_days.add(as_of, 2), as_of)} and keep it")
    )
    return ctx.warn(
        "practitioner_cancelled",
        HIGH if count >= policy.high_at else MEDIUM,
        f"{count} appointments cancelled by us in {span}",
        f"{count} contacts were cancelled by the practitioner's side in the last {days(policy.window_days)} "
        f"({and_list([fmt_date(c.contact_date) for c in found])}, by {and_list([ctx.name(p) for p in who])}).",
        action,
        {
            "cancelled_count": count,
            "cancelled_on": [c.contact_date.isoformat() for c in found],
            "practitioner_ids": who,
            "window_days": policy.window_days,
        },
    )

