"""Facts about one practitioner's absences on one date, the same for each of
their thirty-odd cases, worked out once per (absences tuple, as_of, numbers).
Keyed by the tuple's id() and checked by identity, holding the tuple so its
id cannot be reused while cached; cleared when it grows past a bound."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any, Callable

from planner.calendar import working_days
from planner.model import Absence
from planner.words import days, fmt_day

_ABSENCE_FACTS: dict[tuple, tuple[tuple[Absence, ...], Any]] = {}
ABSENCE_FACTS_LIMIT = 8192


def absence_facts(
    what: str, absences: tuple[Absence, ...], key: tuple, compute: Callable[..., Any]
) -> Any:
    """`compute(absences, *key)`, cached (once a practitioner, not once a case)."""
    cache_key = (what, id(absences), *key)
    hit = _ABSENCE_FACTS.get(cache_key)
    if hit is not None and hit[0] is absences:
        return hit[1]
    value = compute(absences, *key)
    if len(_ABSENCE_FACTS) >= ABSENCE_FACTS_LIMIT:
        _ABSENCE_FACTS.clear()
    _ABSENCE_FACTS[cache_key] = (absences, value)
    return value


def merged_absences(absences: tuple[Absence, ...]) -> list[tuple[date, date]]:
    """Absences as (first, last) blocks, back-to-back or overlapping ones
    joined; an open-ended one runs to `date.max` (worked out once a tuple)."""
    return absence_facts("merged", absences, (), _merge)


def _merge(absences: tuple[Absence, ...]) -> list[tuple[date, date]]:
    blocks: list[list[date]] = []
    for absence in sorted(absences, key=lambda a: a.start_date):
        last = absence.last_day
        if blocks and (blocks[-1][1] == date.max or absence.start_date <= blocks[-1][1] + timedelta(days=1)):
            blocks[-1][1] = max(blocks[-1][1], last)
        else:
            blocks.append([absence.start_date, last])
    return [(first, last) for first, last in blocks]


def days_covered(absences: tuple[Absence, ...], since: date, as_of: date) -> int:
    """Days d with since < d <= as_of on which any of the absences falls."""
    count = 0
    for first, last in merged_absences(absences):
        lo, hi = max(first, since + timedelta(days=1)), min(last, as_of)
        if lo <= hi:
            count += (hi - lo).days + 1
    return count


def is_long(first: date, last: date, long_days: int) -> bool:
    """A block of absence of long_days calendar days or more, or open-ended."""
    return last == date.max or (last - first).days + 1 >= long_days


def absence_words(first: date, last: date, as_of: date) -> str:
    if last == date.max:
        return f"from {fmt_day(first, as_of)} with no end date"
    return f"from {fmt_day(first, as_of)} to {fmt_day(last, as_of)} ({days((last - first).days + 1)})"



def long_blocks(absences: tuple[Absence, ...], as_of: date, need: int, nation: str) -> list[tuple[date, date]]:
    """Joined-up blocks of absence still running on or after as_of, of `need`
    working days or more (or open-ended)."""
    wd = working_days(nation)
    return [(first, last) for first, last in merged_absences(absences)
            if last >= as_of and (last == date.max or wd.count_in(first, last) >= need)]



def long_absences_ahead(
    absences: tuple[Absence, ...], as_of: date, horizon: int, long_days: int
) -> list[tuple[date, date, int]]:
    """(first, last, days away) of each joined-up block of absence of
    `long_days` or more (or open-ended; `last` is date.max) starting 0..horizon
    days after as_of."""
    horizon_end = as_of + timedelta(days=horizon)
    # A joined-up block starts in the window only if one of its absences does.
    if not any(as_of <= a.start_date <= horizon_end for a in absences):
        return []
    return [
        (first, last, (first - as_of).days)
        for first, last in merged_absences(absences)
        if as_of <= first <= horizon_end and is_long(first, last, long_days)
    ]


def long_absence_now(absences: tuple[Absence, ...], as_of: date, long_days: int):
    """(first, last, absence) of an absence with no cover named covering as_of,
    in a long or open-ended joined-up block; None when there is none."""
    uncovered = [a for a in absences if a.covers(as_of) and a.cover_practitioner_id is None]
    if not uncovered or any(a.covers(as_of) and a.cover_practitioner_id for a in absences):
        return None
    for first, last in merged_absences(absences):
        if first <= as_of <= last and is_long(first, last, long_days):
            return first, last, uncovered[0]
    return None



def uncovered_split(
    absences: tuple[Absence, ...], first: date, last: date
) -> tuple[list[Absence], list[Absence]]:
    """(absences without cover overlapping first..last, absences with cover)."""
    uncovered = [
        absence
        for absence in absences
        if absence.cover_practitioner_id is None
        and absence.start_date <= last
        and absence.last_day >= first
    ]
    if not uncovered:
        return [], []
    return uncovered, [a for a in absences if a.cover_practitioner_id is not None]

