"""The continuity measures of SPEC §12 (docs/continuity.md), one function each.

Each takes the cases (with their full allocation, contact and handover
history), a `Scope` (whose figures: a team's practitioners or one
practitioner) and a `Month` (its first and last day; the last is cut to the
as-of date in the as-of month), and returns a number, or None where nothing
was there to count. Contacts and allocations dated after the month's last day
are ignored, so every figure is reproducible from the as-of date and the data.

"The cases of a scope" in a month (`held`) are the cases held at the month's
last day by one of its practitioners (`cases_of`, `held_on`); changes, days
to first contact and early breaks count the scope's own allocations instead
(SPEC §12), over all the cases given.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections import Counter
from dataclasses import dataclass
from datetime import date, timedelta
from statistics import median
from typing import Callable, Iterable, Sequence

from planner.model import Allocation, Case, Contact, is_meaningful

#: Days a relationship is "early" for (SPEC §3: the relationship's 84th day).
EARLY_DAYS = 84
#: The look-back of "many workers" and the continuity index, in days.
YEAR_DAYS = 365
#: Distinct practitioners in the look-back that make "many workers".
MANY_WORKERS = 3


@dataclass(frozen=True, slots=True)
class Month:
    """A calendar month as counted: `first` to `last`, both included
    (`last` is the as-of date in the as-of month)."""

    label: str  # "2026-06"
    first: date
    last: date

    @property
    def days(self) -> int:
        return (self.last - self.first).days + 1


class Scope(frozenset):
    """Whose figures: the practitioner ids counted (a team's, or one); a
    frozenset, so `pid in scope` is a set look-up."""

    @property
    def practitioner_ids(self) -> frozenset[str]:
        return frozenset(self)


def held_on(case: Case, day: date) -> Allocation | None:
    """The allocation holding the case on `day` (the latest started, if two overlap)."""
    found = None
    for alloc in case.allocations:
        if alloc.start_date > day:
            break
        if alloc.end_date is None or alloc.end_date >= day:
            found = alloc
    return found


def cases_of(cases: Iterable[Case], scope: Scope, month: Month) -> list[Case]:
    """The cases held by the scope's practitioners at the month's last day."""
    out = []
    for case in cases:
        alloc = held_on(case, month.last)
        if alloc is not None and alloc.practitioner_id in scope:
            out.append(case)
    return out


def days_held(case: Case, scope: Scope, month: Month) -> int:
    """Days of the month (both ends counted) on which one of the scope's
    practitioners held the case (overlapping allocations counted once)."""
    first_day, last_day = month.first, month.last
    spans = [
        (max(a.start_date, first_day), last_day if a.end_date is None or a.end_date > last_day else a.end_date)
        for a in case.allocations
        if a.start_date <= last_day and (a.end_date is None or a.end_date >= first_day) and a.practitioner_id in scope
    ]
    if len(spans) == 1:
        return (spans[0][1] - spans[0][0]).days + 1
    days, upto = 0, first_day - timedelta(days=1)
    for first, last in sorted(spans):
        first = max(first, upto + timedelta(days=1))
        if last >= first:
            days += (last - first).days + 1
            upto = last
    return days


def changes_per_person_year(cases: Iterable[Case], scope: Scope, month: Month) -> float | None:
    """Allocations other than a case's first started in the month by the
    scope's practitioners, per case-year the scope held cases in the month
    (days held, both ends counted, summed over cases, / 365)."""
    changes = 0
    days = 0
    for case in cases:
        days += days_held(case, scope, month)
        changes += sum(
            1 for alloc in case.allocations[1:]
            if alloc.practitioner_id in scope and month.first <= alloc.start_date <= month.last
        )
    if days == 0:
        return None
    return changes / (days / YEAR_DAYS)


def practitioners_in_year(case: Case, day: date) -> set[str]:
    """Distinct practitioners whose allocations overlap the 365 days up to `day`
    (dates after `day − 365` up to `day`)."""
    since = day - timedelta(days=YEAR_DAYS)
    return {
        alloc.practitioner_id
        for alloc in case.allocations
        if alloc.start_date <= day and (alloc.end_date is None or alloc.end_date > since)
    }


def many_workers(held: Sequence[Case], month: Month, facts: CaseFacts | None = None) -> float | None:
    """Share of the scope's cases at month end (`held`) with 3+ distinct
    practitioners in the 365 days before."""
    if not held:
        return None
    facts = facts if facts is not None else CaseFacts()
    many = sum(1 for case in held if facts.workers(case, month.last) >= MANY_WORKERS)
    return many / len(held)


def warm_handovers(held: Iterable[Case], month: Month) -> float | None:
    """Of the handovers completed in the month on the scope's cases (`held`),
    the share completed warm."""
    warm = done = 0
    for case in held:
        for handover in case.handovers:
            if handover.is_completed and handover.completed_on is not None \
                    and month.first <= handover.completed_on <= month.last:
                done += 1
                warm += handover.status == "completed_warm"
    return warm / done if done else None


def first_meaningful_by(case: Case, practitioner_id: str, since: date, until: date) -> date | None:
    """The first meaningful contact held by the practitioner from `since` to `until`."""
    for contact in case.contacts:
        if contact.contact_date > until:
            break
        if contact.contact_date >= since and contact.practitioner_id == practitioner_id and contact.meaningful:
            return contact.contact_date
    return None


def first_contact_days(
    cases: Iterable[Case], scope: Scope, month: Month, count_between: Callable[[str, date, date], int], as_of: date
) -> list[int]:
    """For each allocation the scope started in the month whose practitioner
    has had a meaningful contact (up to `as_of`): working days from its start
    to that contact (the start day not counted, the contact day counted).
    `count_between(practitioner_id, start, end)` counts the working days of
    the practitioner's nation (planner.calendar.WorkingDays.count_between)."""
    out = []
    for case in cases:
        for alloc in case.allocations:
            if alloc.practitioner_id in scope and month.first <= alloc.start_date <= month.last:
                seen = first_meaningful_by(case, alloc.practitioner_id, alloc.start_date, as_of)
                if seen is not None:
                    out.append(count_between(alloc.practitioner_id, alloc.start_date, seen))
    return out


def early_breaks(cases: Iterable[Case], scope: Scope, month: Month) -> int:
    """Allocations of the scope's practitioners that ended in the month under
    84 days after they started, after a meaningful contact by their practitioner."""
    count = 0
    for case in cases:
        for alloc in case.allocations:
            end = alloc.end_date
            if (
                end is not None
                and alloc.practitioner_id in scope
                and month.first <= end <= month.last
                and (end - alloc.start_date).days < EARLY_DAYS
                and first_meaningful_by(case, alloc.practitioner_id, alloc.start_date, end) is not None
            ):
                count += 1
    return count


def bice_boxerman(counts: Iterable[int]) -> float | None:
    """The Bice–Boxerman continuity of care index of contacts split nⱼ by
    practitioner: (Σ nⱼ² − n) / (n (n − 1)); 1 when one practitioner held
    them all, 0 when each was with someone different. None under 2 contacts."""
    counts = [c for c in counts if c]
    n = sum(counts)
    if n < 2:
        return None
    return (sum(c * c for c in counts) - n) / (n * (n - 1))


class CaseFacts(dict):
    """Per case, computed once for a whole report (keyed by `id(case)`; the
    cases must outlive it): contact dates, and the meaningful contacts'
    dates and practitioners, each in date order; and each case's index on a
    day once computed. Optional: every measure computes what it needs
    without one."""

    def __missing__(self, key):
        raise KeyError(key)

    def of(self, case: Case) -> tuple[list[date], list[date], list[str]]:
        key = id(case)
        found = self.get(key)
        if found is None:
            found = self[key] = _facts(case)
        return found

    def workers(self, case: Case, day: date) -> int:
        """`len(practitioners_in_year(case, day))`, once."""
        key = ("workers", id(case), day)
        if key not in self:
            self[key] = len(practitioners_in_year(case, day))
        return self[key]

    def counts(self, case: Case, month: Month) -> tuple[int, int, int, int]:
        """The case's contacts in the month: all, meaningful, missed, cancelled by the practitioner; once."""
        key = ("counts", id(case), month.first, month.last)
        found = self.get(key)
        if found is None:
            found = self[key] = _counts(contacts_in(case, month, self))
        return found

    def index(self, case: Case, day: date) -> float | None:
        key = (id(case), day)
        if key not in self:
            self[key] = case_index(case, day, self)
        return self[key]


def _facts(case: Case) -> tuple[list[date], list[date], list[str]]:
    dates, kept, who = [], [], []
    for contact in case.contacts:
        day = contact.contact_date
        dates.append(day)
        if is_meaningful(contact.outcome, contact.kind):
            kept.append(day)
            who.append(contact.practitioner_id)
    return dates, kept, who


def case_index(case: Case, day: date, facts: CaseFacts | None = None) -> float | None:
    """The case's Bice–Boxerman index over its meaningful contacts in the 365
    days up to `day` (dates after `day − 365` up to `day`)."""
    _, dates, who = facts.of(case) if facts is not None else _facts(case)
    lo = bisect_right(dates, day - timedelta(days=YEAR_DAYS))
    hi = bisect_right(dates, day)
    return bice_boxerman(Counter(who[lo:hi]).values())


def continuity_index(held: Iterable[Case], month: Month, facts: CaseFacts | None = None) -> float | None:
    """Median over the scope's cases at month end (`held`) of `case_index`;
    cases with fewer than 2 meaningful contacts in the year are left out."""
    facts = facts if facts is not None else CaseFacts()
    values = [v for case in held if (v := facts.index(case, month.last)) is not None]
    return median(values) if values else None


@dataclass(frozen=True, slots=True)
class ContactShares:
    """Contacts in the month on the scope's cases, whatever their outcome."""

    total: int
    meaningful: int
    missed: int
    practitioner_cancelled: int

    def share(self, n: int) -> float | None:
        return n / self.total if self.total else None


def contacts_in(case: Case, month: Month, facts: CaseFacts | None = None) -> Sequence[Contact]:
    """The case's contacts dated in the month (contacts are in date order)."""
    dates = facts.of(case)[0] if facts is not None else [c.contact_date for c in case.contacts]
    return case.contacts[bisect_left(dates, month.first):bisect_right(dates, month.last)]


def _counts(contacts: Iterable[Contact]) -> tuple[int, int, int, int]:
    total = kept = missed = cancelled = 0
    for contact in contacts:
        total += 1
        kept += is_meaningful(contact.outcome, contact.kind)
        missed += contact.outcome == "missed"
        cancelled += contact.outcome == "cancelled" and contact.cancelled_by == "practitioner"
    return total, kept, missed, cancelled


def contact_shares(held: Iterable[Case], month: Month, facts: CaseFacts | None = None) -> ContactShares:
    """Meaningful, missed and practitioner-cancelled contacts out of all
    contacts in the month, on the scope's cases at month end (`held`)."""
    facts = facts if facts is not None else CaseFacts()
    sums = [0, 0, 0, 0]
    for case in held:
        for i, n in enumerate(facts.counts(case, month)):
            sums[i] += n
    return ContactShares(*sums)


def capacity(held: Iterable[Case], points: Callable[[Case], float], available: float) -> float | None:
    """Points of the scope's cases at month end (`held`) over `available`
    points, as a fraction (1.0 = 100 %); None with no available points."""
    if available <= 0:
        return None
    return sum(points(case) for case in held) / available


__all__ = [
    "EARLY_DAYS",
    "MANY_WORKERS",
    "YEAR_DAYS",
    "CaseFacts",
    "ContactShares",
    "Month",
    "Scope",
    "bice_boxerman",
    "capacity",
    "case_index",
    "cases_of",
    "changes_per_person_year",
    "contact_shares",
    "continuity_index",
    "days_held",
    "early_breaks",
    "first_contact_days",
    "held_on",
    "many_workers",
    "practitioners_in_year",
    "warm_handovers",
]
