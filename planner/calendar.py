"""Working days: weekdays that are not bank holidays in the team's nation.

Bank holidays come from the `holidays` package (offline, computed by rule),
looked up once per (nation, year) and kept as a frozenset, so the hot paths
do a set lookup and nothing else.

    wd = working_days("england-and-wales")
    wd.add(date(2026, 12, 23), 5)   # 2027-01-04: 25, 26 (Sat), 28 Dec and 1 Jan skipped
"""

from __future__ import annotations

from datetime import date, timedelta
from functools import lru_cache

import holidays

from planner.errors import CaseloadError
from planner.model import NATIONS

# England and Wales share their bank holidays; holidays' GB subdivisions.
_SUBDIVISION = {
    "england-and-wales": "ENG",
    "scotland": "SCT",
    "northern-ireland": "NIR",
}
assert tuple(_SUBDIVISION) == NATIONS

_ONE_DAY = timedelta(days=1)


class WorkingDays:
    """Working-day arithmetic for one nation. Use `working_days(nation)`, which caches."""

    __slots__ = ("nation", "_subdiv", "_years")

    def __init__(self, nation: str = "england-and-wales") -> None:
        if nation not in _SUBDIVISION:
            raise CaseloadError(
                f"unknown nation {nation!r}: expected one of {', '.join(NATIONS)}"
            )
        self.nation = nation
        self._subdiv = _SUBDIVISION[nation]
        self._years: dict[int, frozenset[date]] = {}

    def __repr__(self) -> str:
        return f"WorkingDays({self.nation!r})"

    def bank_holidays(self, year: int) -> frozenset[date]:
        """The nation's bank holidays in a year (substitute days included)."""
        found = self._years.get(year)
        if found is None:
            calendar = holidays.country_holidays("GB", subdiv=self._subdiv, years=year)
            found = frozenset(day for day in calendar if day.year == year)
            self._years[year] = found
        return found

    def holiday_name(self, day: date) -> str | None:
        if day not in self.bank_holidays(day.year):
            return None
        calendar = holidays.country_holidays("GB", subdiv=self._subdiv, years=day.year)
        return calendar.get(day)

    def is_working(self, day: date) -> bool:
        if day.weekday() >= 5:
            return False
        found = self._years.get(day.year)
        if found is None:
            found = self.bank_holidays(day.year)
        return day not in found

    def add(self, day: date, n: int) -> date:
        """The n-th working day after `day` (which is itself not counted).

        n = 0 gives `day` back; a negative n counts backwards (the n-th working
        day before `day`).
        """
        step = _ONE_DAY if n >= 0 else -_ONE_DAY
        remaining = abs(n)
        current = day
        while remaining:
            current += step
            if self.is_working(current):
                remaining -= 1
        return current

    def count_between(self, start: date, end: date) -> int:
        """Working days d with start < d <= end, so `count_between(a, add(a, n)) == n`.

        Negative when end is before start.
        """
        if end < start:
            return -self.count_between(end, start)
        return self.count_in(start + _ONE_DAY, end)

    between = count_between  # the name in notes/contracts.md

    def count_in(self, first: date, last: date) -> int:
        """Working days d with first <= d <= last (both ends counted); 0 if last < first."""
        if last < first:
            return 0
        days = (last - first).days + 1
        weeks, extra = divmod(days, 7)
        count = weeks * 5
        weekday = first.weekday()
        for offset in range(extra):
            if (weekday + offset) % 7 < 5:
                count += 1
        for year in range(first.year, last.year + 1):
            for holiday in self.bank_holidays(year):
                if first <= holiday <= last and holiday.weekday() < 5:
                    count -= 1
        return count

    def dates_in(self, first: date, last: date) -> list[date]:
        """The working days from first to last, both counted."""
        out = []
        current = first
        while current <= last:
            if self.is_working(current):
                out.append(current)
            current += _ONE_DAY
        return out


@lru_cache(maxsize=None)
def working_days(nation: str = "england-and-wales") -> WorkingDays:
    """The shared WorkingDays for a nation (one per process)."""
    return WorkingDays(nation)
