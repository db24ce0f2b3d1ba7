"""`release_coming` (§11, docs/rules.md): a custody case coming up to release
whose practitioner has not seen the person lately, or whose first appointment
after release is booked later than the first-contact deadline.

The release is where the relationship most often breaks (prison to
probation): the practitioner should have met the person before the gate, and
the first appointment in the community is on the release day itself, or on
the first working day after it when the release falls on a weekend or a bank
holiday, which is also the case's first-contact deadline
(`RuleContext.first_contact_deadline`, `release_first_day`).
"""

from __future__ import annotations

from datetime import date, timedelta

from planner.appointments import next_booked
from planner.model import CUSTODY
from planner.rules.context import RuleContext, rule
from planner.rules.warning import HIGH, MEDIUM, Warning
from planner.words import ago, ahead, fmt_date, fmt_day


@rule
def release_coming(ctx: RuleContext) -> list[Warning]:
    """A custody case released within 56 days (up to its first working day on or after release)
    with no own meaningful contact in the last 28 days, or with its first appointment after release
    booked later than that day: medium; high within 14 days."""
    case = ctx.case
    release = case.release_on
    if case.sentence != CUSTODY or release is None or ctx.practitioner_id is None:
        return []
    policy = ctx.policy.release_coming
    as_of = ctx.as_of
    to_go = (release - as_of).days
    first_day = ctx.release_first_day
    if to_go > policy.window_days:
        return []
    if as_of > first_day:
        return _first_not_held(ctx, first_day)
    own = ctx.scan.own_last
    unseen = own is None or own.contact_date <= as_of - timedelta(days=policy.no_contact_days)
    booked = next_booked(case.appointments, max(release, as_of))
    late = booked is not None and booked > first_day
    if not (unseen or late):
        return []
    severity = HIGH if to_go <= policy.high_within_days else MEDIUM
    cover = _cover_words(ctx, first_day)
    when = f"Release {ahead(to_go)}" if to_go >= 0 else f"Released {ago(-to_go)}"
    title = (f"{when}: not seen for {policy.no_contact_days}+ days" if unseen
             else f"{when}: first appointment booked after {fmt_day(first_day, as_of)}")
    return ctx.warn(
        "release_coming",
        severity,
        title,
        _detail(ctx, unseen, first_day, booked, cover[1]),
        ctx.ask(_action(ctx, unseen, first_day, booked, cover[0])),
        _facts(ctx, first_day, booked),
    )


def _first_not_held(ctx: RuleContext, first_day: date) -> list[Warning]:
    """After the deadline, met before release but not since: high, until contact_overdue's
    clock (restarted at release, docs/rules.md) takes over."""
    release, as_of, own = ctx.case.release_on, ctx.as_of, ctx.scan.own_last
    if ctx.first_contact_pending or own.contact_date >= release or ctx.overdue:
        return []  # first_contact's, met since, or contact_overdue's
    booked = ctx.next_appointment
    if booked is not None and (booked - as_of).days <= 7:
        what = f"keep the appointment booked for {fmt_day(booked, as_of)}"
    else:
        what = f"see them by {fmt_day(ctx.working_days.add(as_of, 2), as_of)}"
    return ctx.warn(
        "release_coming",
        HIGH,
        f"Released {ago((as_of - release).days)}: first appointment not held",
        f"Released on {fmt_date(release)} ({ago((as_of - release).days)}); the first-contact deadline, "
        f"{fmt_date(first_day)}, passed with no meaningful contact with {ctx.name(ctx.practitioner_id)} since"
        + (f"; the next booking is on {fmt_date(booked)}." if booked is not None else "; nothing is booked."),
        ctx.ask(what),
        _facts(ctx, first_day, booked),  # booked after the deadline: never on the first day
    )


def _facts(ctx: RuleContext, first_day: date, booked: date | None) -> dict:
    release, own = ctx.case.release_on, ctx.scan.own_last
    return {
        "release_on": release.isoformat(),
        "days_to_release": (release - ctx.as_of).days,
        "own_last_contact": own.contact_date.isoformat() if own is not None else None,
        "release_day_booked": booked == first_day,
        "first_contact_deadline": first_day.isoformat(),
        "first_booked_on": booked.isoformat() if booked is not None else None,
    }


def _cover_words(ctx: RuleContext, day: date) -> tuple[str, str]:
    """(" with the cover, Name (ID)" or " with a colleague, naming cover", the detail's
    sentence) when the practitioner is away on `day`; ("", "") when they are not."""
    absence = ctx.absence_on(day)
    if absence is None:
        return "", ""
    if absence is ctx.absence_now:  # away now too: ctx.ask already says whom to ask
        return "", ""
    pid = ctx.practitioner_id
    until = "with no end date" if absence.open_ended else f"to {fmt_date(absence.end_date)}"
    away = f"{pid} is away ({absence.kind}) from {fmt_date(absence.start_date)} {until}"
    if absence.cover_practitioner_id is not None:
        cover = ctx.name(absence.cover_practitioner_id)
        return f" with the cover, {cover}", f" {away}; {cover} covers."
    return " with a colleague (name cover for that day)", f" {away}, with no cover named."


def _detail(ctx: RuleContext, unseen: bool, first_day: date, booked: date | None, away: str) -> str:
    release, as_of, own = ctx.case.release_on, ctx.as_of, ctx.scan.own_last
    to_go = (release - as_of).days
    text = f"{'Release due' if to_go >= 0 else 'Released'} on {fmt_date(release)} ({ahead(to_go)})"
    if unseen:
        seen = f"last saw them on {fmt_date(own.contact_date)}" if own is not None else "has not yet met them"
        text += (f"; {ctx.name(ctx.practitioner_id)} {seen}, nothing in the last "
                 f"{ctx.policy.release_coming.no_contact_days} days")
    if first_day == release:
        text += ". The release day is the first-contact deadline"
    else:
        why = ctx.working_days.holiday_name(release) or "a weekend"
        text += (f". The release day is not a working day ({why}): the first-contact deadline is "
                 f"{fmt_date(first_day)}, the first working day after it")
    if booked == first_day:
        text += "; the first appointment on it is booked."
    elif booked is not None and booked > first_day:
        text += f"; the first appointment after release is booked on {fmt_date(booked)}, after it."
    else:
        text += "; nothing is booked on it yet."
    return text + away


def _action(ctx: RuleContext, unseen: bool, first_day: date, booked: date | None, cover: str) -> str:
    as_of, release = ctx.as_of, ctx.case.release_on
    on_day = "today" if first_day == as_of else f"on {fmt_day(first_day, as_of)}"
    if booked == first_day:
        appointment = f"meet them on release {on_day}" if as_of >= release else ""
    elif booked is not None and booked > first_day:
        appointment = f"move the first appointment from {fmt_day(booked, as_of)} to {fmt_day(first_day, as_of)}"
    elif as_of >= release:
        appointment = f"book and hold the first appointment {on_day}"
    else:
        appointment = f"book the first appointment on {fmt_day(first_day, as_of)}"
    if appointment:
        appointment += cover
    if not unseen or as_of >= release:
        return appointment
    visit = f"see them before release (prison visit or video) by {fmt_day(_visit_by(ctx), as_of)}"
    return f"{visit}, and {appointment}" if appointment else visit


def _visit_by(ctx: RuleContext) -> date:
    """The last working day before release on which the practitioner is not away (as_of at the earliest)."""
    day = ctx.working_day_before(ctx.case.release_on)
    while day > ctx.as_of and ctx.absence_on(day) is not None:
        day = ctx.working_day_before(day)
    return day
