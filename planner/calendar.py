"""Working days: weekdays that are not bank holidays in the team's nation.

Bank holidays come from the `holidays` package (offline, computed by rule),
looked up once per (nation, year) and kept as a frozenset, so the hot paths
do a set lookup and nothing else. For 2000-2049 the package's answer is also
kept as a table (planner/bank_holidays.txt), used while the installed package
is the version it was taken from (the table's `version`): importing `holidays` and its
country registry costs a tenth of a second, more than a whole command's rules
(`caseload warnings`). Any other version, or year, asks the package itself.
tests/planner/test_calendar.py checks the table against the package; when
the package is upgraded, regenerate it with `python -m planner.calendar`.

    wd = working_days("england-and-wales")
    wd.add(date(2026, 12, 23), 5)   # 2027-01-04: 25, 26 (Sat), 28 Dec and 1 Jan skipped
"""

from __future__ import annotations

import os
from datetime import date, timedelta
from functools import lru_cache
from pathlib import Path
from typing import NamedTuple

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

# The package's answer, a line a year (planner/bank_holidays.txt, made by
# `python -m planner.calendar`): read on first use, one string split a nation.
_TABLE_FILE = Path(__file__).with_name("bank_holidays.txt")
_TABLE_HEADER = (
    '# The `holidays` package\'s bank holidays (holidays.country_holidays("GB", subdiv=...)),\n'
    '# read by planner/calendar.py: a line a year from `first_year`, of "MMDDx" tokens (x the\n'
    "# letter of the day's `name` line, so `caseload warnings` names a holiday without importing\n"
    "# the package), under each subdivision. Made by `python -m planner.calendar` (after a\n"
    "# holidays upgrade); do not edit.\n"
)
_NAME_LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"


class _Table(NamedTuple):
    version: str  # of the `holidays` package it was taken from
    first_year: int
    rows: dict[str, tuple[str, ...]]  # subdivision: a line of "MMDDx" tokens a year
    names: tuple[str, ...]  # the day names the tokens' letters index


@lru_cache(maxsize=1)
def _table() -> _Table:
    """planner/bank_holidays.txt, read once (an empty table when it is missing)."""
    try:
        text = _TABLE_FILE.read_text(encoding="utf-8")
    except OSError:
        return _Table("", 0, {}, ())
    header: dict[str, str] = {}
    names: list[str] = []
    rows: dict[str, list[str]] = {}
    current: list[str] | None = None
    for line in text.splitlines():
        if not line or line.startswith("#"):
            continue
        if line.startswith("["):
            current = rows.setdefault(line.strip("[]"), [])
        elif current is None:
            key, _, value = line.partition(" ")
            if key == "name":
                names.append(value)
            else:
                header[key] = value
        else:
            current.append(line)
    return _Table(header.get("version", ""), int(header.get("first_year", 0)),
                  {subdiv: tuple(lines) for subdiv, lines in rows.items()}, tuple(names))


@lru_cache(maxsize=1)
def _table_matches_package() -> bool:
    """Is the installed `holidays` the version the table was taken from?
    Told by its `.dist-info` folder beside the package, the only one there:
    no import of the package, nor of `importlib.metadata` (a tenth of the
    app's start-up). Anything else (no package, an unusual install) says
    no, and the package itself is asked."""
    from importlib.util import find_spec

    try:
        spec = find_spec("holidays")
    except (ImportError, ValueError):
        return False
    if spec is None or not spec.submodule_search_locations:
        return False
    site = Path(next(iter(spec.submodule_search_locations))).parent
    try:  # names only (os.listdir): no Path object for each of the folder's entries
        infos = [name for name in os.listdir(site) if name.startswith("holidays-") and name.endswith(".dist-info")]
    except OSError:
        return False
    return infos == [f"holidays-{_table().version}.dist-info"]


def _package_bank_holidays(subdiv: str, year: int) -> frozenset[date]:
    """The nation's bank holidays in a year, from the `holidays` package."""
    import holidays

    calendar = holidays.country_holidays("GB", subdiv=subdiv, years=year)
    return frozenset(day for day in calendar if day.year == year)


def _table_rows(subdiv: str) -> tuple[str, ...]:
    """The table's lines for a subdivision, one a year from its first year."""
    return _table().rows.get(subdiv, ())


def _table_year(subdiv: str, year: int) -> list[str] | None:
    """The table's tokens for a subdivision's year, or None when it cannot answer."""
    index = year - _table().first_year
    rows = _table_rows(subdiv)
    if not 0 <= index < len(rows) or not _table_matches_package():
        return None
    return rows[index].split()


def _table_bank_holidays(subdiv: str, year: int) -> frozenset[date] | None:
    """The same from the table, or None when the table cannot answer."""
    tokens = _table_year(subdiv, year)
    if tokens is None:
        return None
    return frozenset(date(year, int(token[:2]), int(token[2:4])) for token in tokens)


def _table_holiday_name(subdiv: str, day: date) -> str | None:
    """A bank holiday's name from the table (each token's letter indexes its
    `name` lines), or None when the table cannot answer."""
    wanted = f"{day.month:02d}{day.day:02d}"
    for token in _table_year(subdiv, day.year) or ():
        if token[:4] == wanted:
            return _table().names[_NAME_LETTERS.index(token[4])]
    return None


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
            found = _table_bank_holidays(self._subdiv, year)
            if found is None:
                found = _package_bank_holidays(self._subdiv, year)
            self._years[year] = found
        return found

    def holiday_name(self, day: date) -> str | None:
        if day not in self.bank_holidays(day.year):
            return None
        name = _table_holiday_name(self._subdiv, day)
        if name is not None:
            return name
        import holidays

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

    def on_or_after(self, day: date) -> date:
        """`day` if it is a working day, else the next working day."""
        while not self.is_working(day):
            day += _ONE_DAY
        return day

    def on_or_before(self, day: date) -> date:
        """`day` if it is a working day, else the working day before."""
        while not self.is_working(day):
            day -= _ONE_DAY
        return day

    def count_between(self, start: date, end: date) -> int:
        """Working days d with start < d <= end, so `count_between(a, add(a, n)) == n`.

        Negative when end is before start.
        """
        if end < start:
            return -self.count_between(end, start)
        return self.count_in(start + _ONE_DAY, end)

    between = count_between  # the name callers know it by

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


def _table_text(first: int = 2000, last: int = 2049) -> str:
    """planner/bank_holidays.txt, from the installed package."""
    from importlib.metadata import version

    import holidays

    years = {subdiv: {year: holidays.country_holidays("GB", subdiv=subdiv, years=year)
                      for year in range(first, last + 1)} for subdiv in _SUBDIVISION.values()}
    names = sorted({name for calendars in years.values() for year, calendar in calendars.items()
                    for day, name in calendar.items() if day.year == year})
    assert len(names) <= len(_NAME_LETTERS), "more holiday names than letters"
    letter = {name: _NAME_LETTERS[i] for i, name in enumerate(names)}
    lines = [f"version {version('holidays')}", f"first_year {first}"]
    lines += [f"name {name}" for name in names]
    for subdiv, calendars in years.items():
        lines.append(f"[{subdiv}]")
        for year, calendar in calendars.items():
            days = sorted((day, name) for day, name in calendar.items() if day.year == year)
            lines.append(" ".join(f"{day.month:02d}{day.day:02d}{letter[name]}" for day, name in days))
    return _TABLE_HEADER + "\n".join(lines) + "\n"


if __name__ == "__main__":  # pragma: no cover - regenerates the table after a holidays upgrade
    _TABLE_FILE.write_text(_table_text(), encoding="utf-8")
