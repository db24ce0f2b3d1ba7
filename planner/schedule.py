"""Dating many handovers at once: staggered, riskiest first (docs/handovers.md).

A departure (someone leaving, or a long absence) and an applied rebalance
plan many handovers at once. Putting them all on one day means a day of
three-way meetings nobody can hold, so `stagger` spreads them:

- at most `per_day` (2) handovers on one working day for each outgoing
  practitioner, counting the handovers they already have planned that day;
- on working days from `first` (as-of + 14 days for a departure, + 28 for a
  rebalance) to `last` (the day before the departing practitioner goes; no
  end for a rebalance);
- the riskiest cases first (the order given: the caller sorts by risk
  score, highest first, then case ref), each on the earliest day with room
  that is not `blocked` for it (someone away that day);
- when the days from `first` to `last` are too few, the earliest start
  becomes `short_start` (as-of + 7 days): just enough of the days before
  `first` are taken, the latest of them first, and the cases dated before
  `first` are listed as short notice; when even those run out, the rest
  go on the working days after `last`, listed as late.

Pure: plain values in, a `Schedule` out.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from planner.calendar import WorkingDays

__all__ = ["Schedule", "stagger"]


@dataclass(frozen=True, slots=True)
class Schedule:
    """The dates given, and which cases could not get the notice asked for."""

    dates: dict[str, date]  # case_ref -> handover date
    short_notice: tuple[str, ...] = ()  # dated before `first` (less notice than asked)
    late: tuple[str, ...] = ()  # dated after `last` (no day left before it)


def _days_with_room(
    calendar: WorkingDays, first: date, last: date, holder: str,
    taken: Mapping[tuple[str, date], int], per_day: int,
) -> list[date]:
    return [day for day in calendar.dates_in(first, last) if taken.get((holder, day), 0) < per_day]


def stagger(
    cases: Sequence[tuple[str, str]],
    *,
    first: date,
    last: date | None,
    calendar_for: Callable[[str], WorkingDays],
    per_day: int = 2,
    busy: Mapping[tuple[str, date], int] | None = None,
    short_start: date | None = None,
    blocked: Callable[[str, date], bool] | None = None,
) -> Schedule:
    """Date every (case_ref, outgoing practitioner id) of `cases`, taken in
    the order given (riskiest first). See the module docstring.

    `busy`: (practitioner id, day) -> handovers already planned that day.
    `blocked(case_ref, day)`: True when that case cannot be handed over that
    day (the outgoing or the incoming practitioner is away)."""
    if per_day < 1:
        raise ValueError("per_day must be 1 or more")
    taken: dict[tuple[str, date], int] = dict(busy or {})
    blocked = blocked or (lambda _ref, _day: False)
    by_holder: dict[str, list[str]] = {}
    for ref, holder in cases:
        by_holder.setdefault(holder, []).append(ref)
    dates: dict[str, date] = {}
    short: list[str] = []
    late: list[str] = []
    for holder, refs in by_holder.items():
        calendar = calendar_for(holder)
        window: list[date] = []
        if last is not None:
            window = _days_with_room(calendar, first, last, holder, taken, per_day)
            room = sum(per_day - taken.get((holder, day), 0) for day in window)
            if room < len(refs) and short_start is not None and short_start < first:
                # Just enough of the days before `first`, the latest first.
                extra = _days_with_room(calendar, short_start, min(first - timedelta(days=1), last),
                                        holder, taken, per_day)
                need = len(refs) - room
                chosen: list[date] = []
                for day in reversed(extra):
                    if need <= 0:
                        break
                    chosen.append(day)
                    need -= per_day - taken.get((holder, day), 0)
                window = sorted(chosen) + window
        floor = min(first, short_start) if short_start is not None else first
        after = max(last, floor - timedelta(days=1)) if last is not None else first - timedelta(days=1)
        for ref in refs:
            day = _place(ref, holder, window, calendar, taken, per_day, blocked, after=after)
            dates[ref] = day
            taken[(holder, day)] = taken.get((holder, day), 0) + 1
            if day < first:
                short.append(ref)
            elif last is not None and day > last:
                late.append(ref)
    return Schedule(dates, tuple(short), tuple(late))


def _place(
    ref: str, holder: str, window: Iterable[date], calendar: WorkingDays,
    taken: Mapping[tuple[str, date], int], per_day: int, blocked: Callable[[str, date], bool],
    *, after: date,
) -> date:
    """The first day of `window` with room and not blocked for `ref`; else
    the first such working day after `after` (within a year; past that,
    the first day with room, blocked or not)."""
    for day in window:
        if taken.get((holder, day), 0) < per_day and not blocked(ref, day):
            return day
    day, fallback = after, None
    for _ in range(366):
        day = calendar.add(day, 1)
        if taken.get((holder, day), 0) < per_day:
            if not blocked(ref, day):
                return day
            fallback = fallback or day
    return fallback or calendar.add(after, 1)
