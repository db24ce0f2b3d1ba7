"""`release_coming` (§11, docs/rules.md): a custody case coming up to release
whose practitioner has not seen the person lately.

The release is where the relationship most often breaks (prison to
probation): the practitioner should have met the person before the gate, and
the first appointment in the community is on the release day itself, which
is also the case's first-contact deadline (`RuleContext.first_contact_deadline`).
"""

from __future__ import annotations

from datetime import timedelta

from planner.appointments import next_booked
from planner.model import CUSTODY
from planner.rules.context import RuleContext, rule
from planner.rules.warning import HIGH, MEDIUM, Warning
from planner.words import ahead, fmt_date, fmt_day


@rule
def release_coming(ctx: RuleContext) -> list[Warning]:
    """A custody case released within 56 days, no own meaningful contact in the last 28 days:
    medium; high within 14 days."""
    case = ctx.case
    release = case.release_on
    if case.sentence != CUSTODY or release is None or ctx.practitioner_id is None:
        return []
    policy = ctx.policy.release_coming
    as_of = ctx.as_of
    to_go = (release - as_of).days
    if not 0 <= to_go <= policy.window_days:
        return []
    own = ctx.scan.own_last
    since = as_of - timedelta(days=policy.no_contact_days)
    if own is not None and own.contact_date > since:
        return []
    severity = HIGH if to_go <= policy.high_within_days else MEDIUM
    booked_on_day = next_booked(case.appointments, release, 0) == release
    seen = (f"last saw them on {fmt_date(own.contact_date)}" if own is not None
            else "has not yet met them")
    detail = (f"Release due on {fmt_date(release)} ({ahead(to_go)}); {ctx.name(ctx.practitioner_id)} {seen}, "
              f"nothing in the last {policy.no_contact_days} days. The release day is the first-contact "
              f"deadline" + ("; the first appointment on it is booked." if booked_on_day
                             else "; nothing is booked on it yet."))
    before = max(as_of, ctx.working_days.on_or_before(release - timedelta(days=1)))  # the last working day
    visit = f"see them before release (prison visit or video) by {fmt_day(before, as_of)}"
    what = visit if booked_on_day else f"{visit}, and book the first appointment on {fmt_day(release, as_of)}"
    if to_go == 0:
        what = "meet them on release today" if booked_on_day else "book and hold the first appointment today"
    return ctx.warn(
        "release_coming",
        severity,
        f"Release {ahead(to_go)}: not seen for {policy.no_contact_days}+ days",
        detail,
        ctx.ask(what),
        {
            "release_on": release.isoformat(),
            "days_to_release": to_go,
            "own_last_contact": own.contact_date.isoformat() if own is not None else None,
            "release_day_booked": booked_on_day,
        },
    )
