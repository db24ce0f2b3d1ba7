"""cover_needed (docs/rules.md): an absence with no cover named over a booked
appointment, or over the due date and every working day before it (docs/rules.md).
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Callable

from planner.appointments import appointment_dates
from planner.calendar import working_days
from planner.model import Absence
from planner.rules.absences import absence_facts, uncovered_split
from planner.rules.context import RuleContext, rule
from planner.rules.warning import MEDIUM, Warning
from planner.words import fmt_date, fmt_day


@rule
def cover_needed(ctx: RuleContext) -> list[Warning]:
    """An absence with no cover named over a booked appointment within 28 days, or over the due
    date and every working day before it: medium (not when a handover moves the case first)."""
    pid = ctx.practitioner_id
    absences = ctx.world.absences_of(pid)
    if not absences or ctx.has_left:
        return []
    as_of = ctx.as_of
    last = as_of + timedelta(days=ctx.policy.cover_needed.horizon_days)
    uncovered, covered = absence_facts("cover", absences, (as_of, last), uncovered_split)
    if not uncovered:
        return []
    return _cover_warning(ctx, pid, as_of, last, uncovered, covered)


def _first_free_day(gap_on: Callable[[date], Absence | None], as_of: date, last: date, nation: str) -> date:
    """The first working day after as_of with no uncovered absence (or the day after `last`)."""
    wd = working_days(nation)
    day = as_of + timedelta(days=1)
    while day <= last:
        if wd.is_working(day) and gap_on(day) is None:
            return day
        day += timedelta(days=1)
    return last + timedelta(days=1)


def _uncovered_days(
    ctx: RuleContext,
    pid: str | None,
    as_of: date,
    last: date,
    uncovered: list[Absence],
    gap_on: Callable[[date], Absence | None],
) -> list[tuple[date, str, Absence]]:
    """(day, "contact" or "appointment", absence): the due date when every working
    day up to it is away without cover, and each booked day away without cover."""
    candidates: list[tuple[date, str, Absence]] = []
    due = ctx.due_on
    if due is not None and as_of <= due <= last and not ctx.first_contact_pending:
        absence = gap_on(due)
        if absence is not None:
            # every working day from after as-of to the due date is away, uncovered:
            # the first one that is not comes after the due date
            # (the same for each of the practitioner's cases: worked out once)
            free = absence_facts("free", ctx.world.absences_of(pid), (as_of, last, ctx.nation),
                                  lambda _absences, *args: _first_free_day(gap_on, *args))
            if free > due:
                candidates.append((due, "contact", absence))
    # Only a day inside an absence without cover can be the answer: expand
    # series over the days those absences span (within as_of..last), not all.
    span_first = max(as_of, min(absence.start_date for absence in uncovered))
    span_last = min(last, max(absence.last_day for absence in uncovered))
    if span_first <= span_last:
        for appointment in ctx.case.appointments:
            if appointment.practitioner_id != pid:
                continue
            for day in appointment_dates(appointment, span_first, span_last):
                absence = gap_on(day)
                if absence is not None:
                    candidates.append((day, "appointment", absence))
    return candidates


def _cover_warning(
    ctx: RuleContext,
    pid: str | None,
    as_of: date,
    last: date,
    uncovered: list[Absence],
    covered: list[Absence],
) -> list[Warning]:
    """cover_needed for a case whose practitioner is away without cover in the horizon."""

    def gap_on(day: date) -> Absence | None:
        """The absence without cover on `day`, unless another absence has cover that day."""
        for absence in uncovered:
            if absence.covers(day):
                if any(other.covers(day) for other in covered):
                    return None
                return absence
        return None

    handover = ctx.case.open_handover

    def moved_first(absence: Absence) -> bool:
        return handover is not None and handover.planned_on < absence.start_date

    due = ctx.due_on
    candidates = _uncovered_days(ctx, pid, as_of, last, uncovered, gap_on)
    candidates = [c for c in candidates if not moved_first(c[2])]
    if not candidates:
        return []
    day, why, absence = min(candidates, key=lambda c: (c[0], c[1]))
    if why == "appointment":
        tail = f"an appointment is booked on {fmt_date(day)}"
        action = f"name cover for {fmt_day(day, as_of)}, or rebook the appointment with a colleague"
        title = f"No cover for the appointment on {fmt_day(day, as_of)}"
    else:
        tail = f"contact falls due on {fmt_date(day)} and {pid} is away every working day until then"
        action = f"name cover to see them by {fmt_day(day, as_of)}"
        if absence.start_date > as_of:
            action += f", or see them before {fmt_day(absence.start_date, as_of)}"
        title = f"No cover while contact falls due on {fmt_day(day, as_of)}"
    end = "with no end date" if absence.open_ended else f"to {fmt_date(absence.end_date)}"
    return ctx.warn(
        "cover_needed",
        MEDIUM,
        title,
        f"{ctx.name(pid)} is away from {fmt_date(absence.start_date)} {end} with no cover "
        f"named, and {tail}.",
        action,
        {
            "due_on": day.isoformat(),
            "due_reason": why,
            "contact_due_on": due.isoformat() if due else None,
            "absence_start": absence.start_date.isoformat(),
            "absence_end": absence.end_date.isoformat() if absence.end_date else None,
            "absence_kind": absence.kind,
            "horizon_days": ctx.policy.cover_needed.horizon_days,
        },
    )

