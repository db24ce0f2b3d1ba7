"""Plan my week: a proposed appointment for every case whose contact falls
due with nothing booked (`caseload week --suggest`, the week screen's `g`;
docs/ARCHITECTURE.md, "Appointments").

For the practitioner's open cases (paused ones left alone, as the contact
rules leave them) whose contact is overdue or falls due (docs/rules.md:
last meaningful contact + T, moved to a working day) by the end of the week
after `week_of`, with nothing booked from as-of to the due date, riskiest
case first (risk score, then due date, then case ref), gets the earliest
free slot unless something is booked already by then (an overdue case, or
one with no free slot before its due date):

- on a working day of the practitioner's (no weekend, no bank holiday of
  their team's nation, no day of an absence of theirs), from the day after
  as-of and the Monday of `week_of`, whichever is later;
- inside working hours (policy `planning`: 09:00 to 17:00, 60-minute slots,
  at most `per_day` proposals a day), clear of their other appointments
  (series expanded, exceptions applied; an untimed one takes no slot) and
  of the proposals before it;
- on or before the due date when such a slot exists; otherwise the first
  free slot after, with the reason.

Pure and deterministic: the same data give the same plan.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

from planner.appointments import appointment_dates
from planner.calendar import working_days
from planner.model import Case, World
from planner.policy import DEFAULT_POLICY, Policy
from planner.risk import evaluate_case, risk_score
from planner.week_due import contact_due_on, week_start_of

__all__ = ["Proposal", "suggest", "proposals_to_dict"]

#: How far past the window a case with no free slot before its due date is looked for.
SEARCH_DAYS = 56


@dataclass(frozen=True, slots=True)
class Proposal:
    """A proposed appointment. `display_name` is personal data: show it, never log it."""

    case_ref: str
    display_name: str
    day: date
    time: dt.time
    due: date
    reason: str
    risk_score: int = 0
    kind: str = "office"

    @property
    def in_time(self) -> bool:
        return self.day <= self.due


def _clock(text: str) -> dt.time:
    return dt.time.fromisoformat(text)


def _slots(policy: Policy) -> list[dt.time]:
    planning = policy.planning
    start = dt.datetime.combine(date(2000, 1, 3), _clock(planning.day_starts))
    end = dt.datetime.combine(date(2000, 1, 3), _clock(planning.day_ends))
    step = timedelta(minutes=planning.slot_minutes)
    out = []
    while start + step <= end:
        out.append(start.time())
        start += step
    return out


def _minutes(time: dt.time) -> int:
    return time.hour * 60 + time.minute


def suggest(practitioner_id: str, week_of: date, cases: Iterable[Case], world: World, as_of: date,
            policy: Policy = DEFAULT_POLICY) -> list[Proposal]:
    """The proposals, riskiest case first (see the module docstring)."""
    start = week_start_of(week_of)
    window_end = start + timedelta(days=13)
    first_day = max(start, as_of + timedelta(days=1))
    calendar = working_days(world.nation_of(practitioner_id))
    absences = world.absences_of(practitioner_id)
    length = policy.planning.slot_minutes
    mine = [c for c in cases if c.status != "closed" and c.practitioner_id == practitioner_id]
    busy: dict[date, list[tuple[int, int]]] = {}
    taken: dict[date, int] = {}  # timed appointments a day, booked and proposed
    horizon = window_end + timedelta(days=SEARCH_DAYS)
    for case in cases:
        for appt in case.appointments:
            if appt.practitioner_id != practitioner_id or appt.time is None:
                continue
            for day in appointment_dates(appt, first_day, horizon):
                busy.setdefault(day, []).append((_minutes(appt.time), _minutes(appt.time) + length))
                taken[day] = taken.get(day, 0) + 1
    wanted = []
    for case in mine:
        found = contact_due_on(case, world, as_of, policy)
        if found is None:
            continue
        due, _why = found
        if due > window_end:
            continue
        if due >= as_of and any(appointment_dates(a, as_of, due) for a in case.appointments):
            continue
        score = risk_score(evaluate_case(case, world, as_of, policy), policy)
        wanted.append((-score, due, case.case_ref, case))
    wanted.sort(key=lambda w: w[:3])
    slots = _slots(policy)
    out = []
    per_day = policy.planning.per_day
    for minus_score, due, _ref, case in wanted:
        day, time = None, None
        for last, cap in ((due, per_day), (due, None), (horizon, per_day), (horizon, None)):
            day, time = _free(first_day, last, slots, length, calendar, absences, busy, taken, cap)
            if day is not None:
                break
        if day is None or any(appointment_dates(a, as_of, day) for a in case.appointments):
            continue  # no slot, or one booked already comes no later than the slot would
        busy.setdefault(day, []).append((_minutes(time), _minutes(time) + length))
        taken[day] = taken.get(day, 0) + 1
        if due < as_of:
            reason = f"overdue since {due:%a %d %b}: the earliest free slot"
        elif day <= due:
            reason = f"due {due:%a %d %b}: the earliest free slot before it"
        else:
            reason = f"due {due:%a %d %b}, no free slot by then: the first free one after"
        out.append(Proposal(case.case_ref, case.display_name, day, time, due, reason, -minus_score,
                            policy.planning.kind))
    return out


def _free(first: date, last: date, slots, length: int, calendar, absences, busy, taken, cap: int | None):
    """The earliest free (day, time) from `first` to `last` on a day with
    fewer than `cap` proposals (None: any), or (None, None)."""
    day = first
    while day <= last:
        if calendar.is_working(day) and not any(a.covers(day) for a in absences) \
                and (cap is None or taken.get(day, 0) < cap):
            used = busy.get(day, ())
            for time in slots:
                begin = _minutes(time)
                if all(begin + length <= b or e <= begin for b, e in used):
                    return day, time
        day += timedelta(days=1)
    return None, None


def proposals_to_dict(practitioner_id: str, week_of: date, proposals: list[Proposal], *,
                      privacy: bool = False) -> dict:
    """`caseload week --suggest --format json` (SPEC §6)."""
    return {
        "practitioner_id": practitioner_id,
        "week_of": week_of.isoformat(),
        "proposals": [
            {"case_ref": p.case_ref, **({} if privacy else {"display_name": p.display_name}),
             "date": p.day.isoformat(), "time": p.time.strftime("%H:%M"), "due": p.due.isoformat(),
             "reason": p.reason, "kind": p.kind, "risk_score": p.risk_score}
            for p in proposals
        ],
    }
