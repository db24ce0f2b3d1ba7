"""The continuity report of SPEC §12: every measure of `measures.py` by
calendar month, for a team and for each of its practitioners
(docs/continuity.md). Pure: cases, world, team and dates in; a frozen report
out, the same for the same data and as-of date."""

from __future__ import annotations

from calendar import monthrange
from collections import defaultdict
from dataclasses import dataclass, fields
from datetime import date
from statistics import median
from typing import Callable, Iterable, Sequence

from planner.calendar import working_days
from planner.errors import CaseloadError
from planner.model import Case, World
from planner.policy import DEFAULT_POLICY, Policy
from planner.continuity.measures import (
    CaseFacts,
    Month,
    Scope,
    changes_per_person_year,
    contact_shares,
    continuity_index,
    early_breaks,
    first_contact_days,
    held_on,
    many_workers,
    warm_handovers,
    capacity,
)

#: Months in the report when no range is given: the 12 to the as-of date.
DEFAULT_MONTHS = 12


@dataclass(frozen=True, slots=True)
class Measures:
    """One scope's figures for one month. Shares are fractions 0..1, None
    where nothing was there to count; `early_breaks` is a count. The first
    eight are SPEC §12's JSON keys; the two contact shares stand beside
    `contact_kept`."""

    changes_per_person_year: float | None
    many_workers: float | None
    warm_handovers: float | None
    days_to_first_contact: float | None
    early_breaks: int
    continuity_index: float | None
    contact_kept: float | None
    capacity: float | None
    contact_missed: float | None
    contact_practitioner_cancelled: float | None

    def as_dict(self) -> dict[str, float | int | None]:
        return {f.name: getattr(self, f.name) for f in fields(self)}


#: The measures in the order every output shows them, with their headings.
MEASURE_NAMES: tuple[str, ...] = tuple(f.name for f in fields(Measures))
MEASURE_TITLES: dict[str, str] = {
    "changes_per_person_year": "changes per person-year",
    "many_workers": "many workers",
    "warm_handovers": "warm handovers",
    "days_to_first_contact": "days to first contact",
    "early_breaks": "early breaks",
    "continuity_index": "continuity index",
    "contact_kept": "contact kept",
    "capacity": "capacity",
    "contact_missed": "contact missed",
    "contact_practitioner_cancelled": "cancelled by practitioner",
}
#: Which way is better, for words beside a trend ("up" = higher is better).
BETTER: dict[str, str] = {
    "changes_per_person_year": "down",
    "many_workers": "down",
    "warm_handovers": "up",
    "days_to_first_contact": "down",
    "early_breaks": "down",
    "continuity_index": "up",
    "contact_kept": "up",
    "capacity": "down",
    "contact_missed": "down",
    "contact_practitioner_cancelled": "down",
}
#: Measures given as shares (shown as %); the others are plain numbers.
SHARES = frozenset({"many_workers", "warm_handovers", "contact_kept", "capacity",
                    "contact_missed", "contact_practitioner_cancelled"})


@dataclass(frozen=True, slots=True)
class MonthFigures:
    month: Month
    team: Measures
    practitioners: dict[str, Measures]


@dataclass(frozen=True, slots=True)
class ContinuityReport:
    team_id: str
    as_of: date
    practitioner_ids: tuple[str, ...]
    months: tuple[MonthFigures, ...]

    def to_dict(self) -> dict:
        """SPEC §12's JSON shape."""
        return {
            "team": self.team_id,
            "as_of": self.as_of.isoformat(),
            "months": [
                {
                    "month": m.month.label,
                    "team": m.team.as_dict(),
                    "practitioners": {pid: m.practitioners[pid].as_dict() for pid in self.practitioner_ids},
                }
                for m in self.months
            ],
        }

    def series(self, name: str, practitioner_id: str | None = None) -> list[float | int | None]:
        """One measure month by month, for the team (or one practitioner)."""
        return [
            getattr(m.team if practitioner_id is None else m.practitioners[practitioner_id], name)
            for m in self.months
        ]


def _month_end(year: int, month: int) -> date:
    return date(year, month, monthrange(year, month)[1])


def report_months(as_of: date, first: date | None = None, last: date | None = None) -> list[Month]:
    """The calendar months from the one holding `first` to the one holding
    `last` (default: the 12 months to `as_of`), each whole but the as-of
    month, which ends on `as_of`. CaseloadError for a range after `as_of` or
    ending before it starts."""
    last = as_of if last is None else last
    if last > as_of:
        raise CaseloadError(f"--to {last.isoformat()} is after the as-of date {as_of.isoformat()}")
    if first is None:
        index = last.year * 12 + last.month - 1 - (DEFAULT_MONTHS - 1)
        first = date(index // 12, index % 12 + 1, 1)
    if first > last:
        raise CaseloadError(f"--from {first.isoformat()} is after --to {last.isoformat()}")
    months = []
    year, month = first.year, first.month
    while (year, month) <= (last.year, last.month):
        end = min(_month_end(year, month), as_of)
        months.append(Month(f"{year:04d}-{month:02d}", date(year, month, 1), end))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return months


def _measures(
    cases: Sequence[Case], held: Sequence[Case], scope: Scope, month: Month,
    world: World, as_of: date, policy: Policy, available: float, loaded: Sequence[Case], facts: CaseFacts,
) -> Measures:
    """`loaded`: the cases whose points count against `available` (the
    team's practitioners', not its leads')."""
    def count_between(pid: str, start: date, end: date) -> int:
        return working_days(world.nation_of(pid)).count_between(start, end)

    days = first_contact_days(cases, scope, month, count_between, as_of)
    shares = contact_shares(held, month, facts)
    return Measures(
        changes_per_person_year=changes_per_person_year(cases, scope, month),
        many_workers=many_workers(held, month, facts),
        warm_handovers=warm_handovers(held, month),
        days_to_first_contact=float(median(days)) if days else None,
        early_breaks=early_breaks(cases, scope, month),
        continuity_index=continuity_index(held, month, facts),
        contact_kept=shares.share(shares.meaningful),
        capacity=capacity(loaded, lambda c: policy.workload.case_points(c.tier, c.contact_level), available),
        contact_missed=shares.share(shares.missed),
        contact_practitioner_cancelled=shares.share(shares.practitioner_cancelled),
    )


def _available(world: World, pids: Iterable[str], month: Month, policy: Policy) -> float:
    """Available points at month end of those who had not left by then (SPEC §5)."""
    total = 0.0
    for pid in pids:
        p = world.practitioners[pid]
        if p.leaving_on is None or p.leaving_on > month.last:
            total += max(0.0, policy.workload.available_points(p.contracted_hours, p.reduction_pct))
    return total


def continuity_report(
    cases: Iterable[Case],
    world: World,
    team_id: str,
    as_of: date,
    *,
    first: date | None = None,
    last: date | None = None,
    policy: Policy = DEFAULT_POLICY,
    on_month: Callable[[], None] | None = None,
) -> ContinuityReport:
    """SPEC §12 for the team's practitioners (every member, by id; the
    team's capacity counts its practitioners, not its leads), month by month.
    `cases`: every case any of them held in the months or the year before
    them, with full histories (more cases do no harm: only the team's
    allocations and holdings are counted). `on_month` is called after each
    month (a command's progress)."""
    months = report_months(as_of, first, last)
    members = sorted(pid for pid, p in world.practitioners.items() if p.team_id == team_id)
    workers = [pid for pid in members if not world.practitioners[pid].is_lead]
    team_scope = Scope(frozenset(members))
    cases = list(cases)
    touching: dict[str, list[Case]] = defaultdict(list)
    for case in cases:
        for pid in {a.practitioner_id for a in case.allocations} & team_scope.practitioner_ids:
            touching[pid].append(case)
    team_cases = [c for c in cases if any(a.practitioner_id in team_scope for a in c.allocations)]
    facts = CaseFacts()  # each case's contacts indexed once for every month and scope
    out = []
    for month in months:
        held_by: dict[str, list[Case]] = defaultdict(list)
        for case in team_cases:
            alloc = held_on(case, month.last)
            if alloc is not None and alloc.practitioner_id in team_scope:
                held_by[alloc.practitioner_id].append(case)
        team_held = [case for pid in members for case in held_by.get(pid, ())]
        team = _measures(team_cases, team_held, team_scope, month, world, as_of, policy,
                         _available(world, workers, month, policy),
                         [case for pid in workers for case in held_by.get(pid, ())], facts)
        each = {
            pid: _measures(touching.get(pid, []), held_by.get(pid, []), Scope(frozenset({pid})), month,
                           world, as_of, policy, _available(world, [pid], month, policy), held_by.get(pid, []),
                           facts)
            for pid in members
        }
        out.append(MonthFigures(month, team, each))
        if on_month is not None:
            on_month()
    return ContinuityReport(team_id, as_of, tuple(members), tuple(out))


__all__ = [
    "BETTER",
    "DEFAULT_MONTHS",
    "MEASURE_NAMES",
    "MEASURE_TITLES",
    "SHARES",
    "ContinuityReport",
    "Measures",
    "MonthFigures",
    "continuity_report",
    "report_months",
]
