"""Working days: weekdays that are not bank holidays in the team's nation.

Bank holidays come from the `holidays` package (offline, computed by rule),
looked up once per (nation, year) and kept as a frozenset, so the hot paths
do a set lookup and nothing else. For 2000-2049 the package's answer is also
kept below as a table (`_TABLE`), used while the installed package is the
version it was taken from (`_TABLE_VERSION`): importing `holidays` and its
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

# holidays.country_holidays("GB", subdiv=..., years=year): a line a year from
# _TABLE_FIRST_YEAR, of "MMDD" tokens (one string a nation: quick to compile);
# made by `python -m planner.calendar`.
_TABLE_VERSION = "0.109"
_TABLE_FIRST_YEAR = 2000
_TABLE: dict[str, str] = {
    'ENG': """
0101 0103 0421 0424 0501 0529 0828 1225 1226
0101 0413 0416 0507 0528 0827 1225 1226
0101 0329 0401 0506 0603 0604 0826 1225 1226
0101 0418 0421 0505 0526 0825 1225 1226
0101 0409 0412 0503 0531 0830 1225 1226 1227 1228
0101 0103 0325 0328 0502 0530 0829 1225 1226 1227
0101 0102 0414 0417 0501 0529 0828 1225 1226
0101 0406 0409 0507 0528 0827 1225 1226
0101 0321 0324 0505 0526 0825 1225 1226
0101 0410 0413 0504 0525 0831 1225 1226 1228
0101 0402 0405 0503 0531 0830 1225 1226 1227 1228
0101 0103 0422 0425 0429 0502 0530 0829 1225 1226 1227
0101 0102 0406 0409 0507 0604 0605 0827 1225 1226
0101 0329 0401 0506 0527 0826 1225 1226
0101 0418 0421 0505 0526 0825 1225 1226
0101 0403 0406 0504 0525 0831 1225 1226 1228
0101 0325 0328 0502 0530 0829 1225 1226 1227
0101 0102 0414 0417 0501 0529 0828 1225 1226
0101 0330 0402 0507 0528 0827 1225 1226
0101 0419 0422 0506 0527 0826 1225 1226
0101 0410 0413 0508 0525 0831 1225 1226 1228
0101 0402 0405 0503 0531 0830 1225 1226 1227 1228
0101 0103 0415 0418 0502 0602 0603 0829 0919 1225 1226 1227
0101 0102 0407 0410 0501 0508 0529 0828 1225 1226
0101 0329 0401 0506 0527 0826 1225 1226
0101 0418 0421 0505 0526 0825 1225 1226
0101 0403 0406 0504 0525 0831 1225 1226 1228
0101 0326 0329 0503 0531 0830 1225 1226 1227 1228
0101 0103 0414 0417 0501 0529 0828 1225 1226
0101 0330 0402 0507 0528 0827 1225 1226
0101 0419 0422 0506 0527 0826 1225 1226
0101 0411 0414 0505 0526 0825 1225 1226
0101 0326 0329 0503 0531 0830 1225 1226 1227 1228
0101 0103 0415 0418 0502 0530 0829 1225 1226 1227
0101 0102 0407 0410 0501 0529 0828 1225 1226
0101 0323 0326 0507 0528 0827 1225 1226
0101 0411 0414 0505 0526 0825 1225 1226
0101 0403 0406 0504 0525 0831 1225 1226 1228
0101 0423 0426 0503 0531 0830 1225 1226 1227 1228
0101 0103 0408 0411 0502 0530 0829 1225 1226 1227
0101 0102 0330 0402 0507 0528 0827 1225 1226
0101 0419 0422 0506 0527 0826 1225 1226
0101 0404 0407 0505 0526 0825 1225 1226
0101 0327 0330 0504 0525 0831 1225 1226 1228
0101 0415 0418 0502 0530 0829 1225 1226 1227
0101 0102 0407 0410 0501 0529 0828 1225 1226
0101 0323 0326 0507 0528 0827 1225 1226
0101 0412 0415 0506 0527 0826 1225 1226
0101 0403 0406 0504 0525 0831 1225 1226 1228
0101 0416 0419 0503 0531 0830 1225 1226 1227 1228
""",
    'SCT': """
0101 0102 0103 0104 0421 0501 0529 0807 1225 1226
0101 0102 0413 0507 0528 0806 1225 1226
0101 0102 0329 0506 0603 0604 0805 1225 1226
0101 0102 0418 0505 0526 0804 1225 1226
0101 0102 0409 0503 0531 0802 1225 1226 1227 1228
0101 0102 0103 0104 0325 0502 0530 0801 1225 1226 1227
0101 0102 0103 0414 0501 0529 0807 1130 1225 1226
0101 0102 0406 0507 0528 0806 1130 1225 1226
0101 0102 0321 0505 0526 0804 1130 1201 1225 1226
0101 0102 0410 0504 0525 0803 1130 1225 1226 1228
0101 0102 0104 0402 0503 0531 0802 1130 1225 1226 1227 1228
0101 0102 0103 0104 0422 0429 0502 0530 0801 1130 1225 1226 1227
0101 0102 0103 0406 0507 0604 0605 0806 1130 1225 1226
0101 0102 0329 0506 0527 0805 1130 1202 1225 1226
0101 0102 0418 0505 0526 0804 1130 1201 1225 1226
0101 0102 0403 0504 0525 0803 1130 1225 1226 1228
0101 0102 0104 0325 0502 0530 0801 1130 1225 1226 1227
0101 0102 0103 0414 0501 0529 0807 1130 1225 1226
0101 0102 0330 0507 0528 0806 1130 1225 1226
0101 0102 0419 0506 0527 0805 1130 1202 1225 1226
0101 0102 0410 0508 0525 0803 1130 1225 1226 1228
0101 0102 0104 0402 0503 0531 0802 1130 1225 1226 1227 1228
0101 0102 0103 0104 0415 0502 0602 0603 0801 0919 1130 1225 1226 1227
0101 0102 0103 0407 0501 0508 0529 0807 1130 1225 1226
0101 0102 0329 0506 0527 0805 1130 1202 1225 1226
0101 0102 0418 0505 0526 0804 1130 1201 1225 1226
0101 0102 0403 0504 0525 0615 0803 1130 1225 1226 1228
0101 0102 0104 0326 0503 0531 0802 1130 1225 1226 1227 1228
0101 0102 0103 0104 0414 0501 0529 0807 1130 1225 1226
0101 0102 0330 0507 0528 0806 1130 1225 1226
0101 0102 0419 0506 0527 0805 1130 1202 1225 1226
0101 0102 0411 0505 0526 0804 1130 1201 1225 1226
0101 0102 0326 0503 0531 0802 1130 1225 1226 1227 1228
0101 0102 0103 0104 0415 0502 0530 0801 1130 1225 1226 1227
0101 0102 0103 0407 0501 0529 0807 1130 1225 1226
0101 0102 0323 0507 0528 0806 1130 1225 1226
0101 0102 0411 0505 0526 0804 1130 1201 1225 1226
0101 0102 0403 0504 0525 0803 1130 1225 1226 1228
0101 0102 0104 0423 0503 0531 0802 1130 1225 1226 1227 1228
0101 0102 0103 0104 0408 0502 0530 0801 1130 1225 1226 1227
0101 0102 0103 0330 0507 0528 0806 1130 1225 1226
0101 0102 0419 0506 0527 0805 1130 1202 1225 1226
0101 0102 0404 0505 0526 0804 1130 1201 1225 1226
0101 0102 0327 0504 0525 0803 1130 1225 1226 1228
0101 0102 0104 0415 0502 0530 0801 1130 1225 1226 1227
0101 0102 0103 0407 0501 0529 0807 1130 1225 1226
0101 0102 0323 0507 0528 0806 1130 1225 1226
0101 0102 0412 0506 0527 0805 1130 1202 1225 1226
0101 0102 0403 0504 0525 0803 1130 1225 1226 1228
0101 0102 0104 0416 0503 0531 0802 1130 1225 1226 1227 1228
""",
    'NIR': """
0101 0103 0317 0421 0424 0501 0529 0712 0828 1225 1226
0101 0317 0319 0413 0416 0507 0528 0712 0827 1225 1226
0101 0317 0318 0329 0401 0506 0603 0604 0712 0826 1225 1226
0101 0317 0418 0421 0505 0526 0712 0714 0825 1225 1226
0101 0317 0409 0412 0503 0531 0712 0830 1225 1226 1227 1228
0101 0103 0317 0325 0328 0502 0530 0712 0829 1225 1226 1227
0101 0102 0317 0414 0417 0501 0529 0712 0828 1225 1226
0101 0317 0319 0406 0409 0507 0528 0712 0827 1225 1226
0101 0317 0321 0324 0505 0526 0712 0714 0825 1225 1226
0101 0317 0410 0413 0504 0525 0712 0713 0831 1225 1226 1228
0101 0317 0402 0405 0503 0531 0712 0830 1225 1226 1227 1228
0101 0103 0317 0422 0425 0429 0502 0530 0712 0829 1225 1226 1227
0101 0102 0317 0319 0406 0409 0507 0604 0605 0712 0827 1225 1226
0101 0317 0318 0329 0401 0506 0527 0712 0826 1225 1226
0101 0317 0418 0421 0505 0526 0712 0714 0825 1225 1226
0101 0317 0403 0406 0504 0525 0712 0713 0831 1225 1226 1228
0101 0317 0325 0328 0502 0530 0712 0829 1225 1226 1227
0101 0102 0317 0414 0417 0501 0529 0712 0828 1225 1226
0101 0317 0319 0330 0402 0507 0528 0712 0827 1225 1226
0101 0317 0318 0419 0422 0506 0527 0712 0826 1225 1226
0101 0317 0410 0413 0508 0525 0712 0713 0831 1225 1226 1228
0101 0317 0402 0405 0503 0531 0712 0830 1225 1226 1227 1228
0101 0103 0317 0415 0418 0502 0602 0603 0712 0829 0919 1225 1226 1227
0101 0102 0317 0407 0410 0501 0508 0529 0712 0828 1225 1226
0101 0317 0318 0329 0401 0506 0527 0712 0826 1225 1226
0101 0317 0418 0421 0505 0526 0712 0714 0825 1225 1226
0101 0317 0403 0406 0504 0525 0712 0713 0831 1225 1226 1228
0101 0317 0326 0329 0503 0531 0712 0830 1225 1226 1227 1228
0101 0103 0317 0414 0417 0501 0529 0712 0828 1225 1226
0101 0317 0319 0330 0402 0507 0528 0712 0827 1225 1226
0101 0317 0318 0419 0422 0506 0527 0712 0826 1225 1226
0101 0317 0411 0414 0505 0526 0712 0714 0825 1225 1226
0101 0317 0326 0329 0503 0531 0712 0830 1225 1226 1227 1228
0101 0103 0317 0415 0418 0502 0530 0712 0829 1225 1226 1227
0101 0102 0317 0407 0410 0501 0529 0712 0828 1225 1226
0101 0317 0319 0323 0326 0507 0528 0712 0827 1225 1226
0101 0317 0411 0414 0505 0526 0712 0714 0825 1225 1226
0101 0317 0403 0406 0504 0525 0712 0713 0831 1225 1226 1228
0101 0317 0423 0426 0503 0531 0712 0830 1225 1226 1227 1228
0101 0103 0317 0408 0411 0502 0530 0712 0829 1225 1226 1227
0101 0102 0317 0319 0330 0402 0507 0528 0712 0827 1225 1226
0101 0317 0318 0419 0422 0506 0527 0712 0826 1225 1226
0101 0317 0404 0407 0505 0526 0712 0714 0825 1225 1226
0101 0317 0327 0330 0504 0525 0712 0713 0831 1225 1226 1228
0101 0317 0415 0418 0502 0530 0712 0829 1225 1226 1227
0101 0102 0317 0407 0410 0501 0529 0712 0828 1225 1226
0101 0317 0319 0323 0326 0507 0528 0712 0827 1225 1226
0101 0317 0318 0412 0415 0506 0527 0712 0826 1225 1226
0101 0317 0403 0406 0504 0525 0712 0713 0831 1225 1226 1228
0101 0317 0416 0419 0503 0531 0712 0830 1225 1226 1227 1228
""",
}


@lru_cache(maxsize=1)
def _table_matches_package() -> bool:
    """Is the installed `holidays` the version `_TABLE` was taken from?
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
    return infos == [f"holidays-{_TABLE_VERSION}.dist-info"]


def _package_bank_holidays(subdiv: str, year: int) -> frozenset[date]:
    """The nation's bank holidays in a year, from the `holidays` package."""
    import holidays

    calendar = holidays.country_holidays("GB", subdiv=subdiv, years=year)
    return frozenset(day for day in calendar if day.year == year)


@lru_cache(maxsize=None)
def _table_rows(subdiv: str) -> tuple[str, ...]:
    """`_TABLE`'s lines for a subdivision, one a year from _TABLE_FIRST_YEAR."""
    text = _TABLE.get(subdiv)
    return tuple(text.strip("\n").split("\n")) if text else ()


def _table_bank_holidays(subdiv: str, year: int) -> frozenset[date] | None:
    """The same from `_TABLE`, or None when the table cannot answer."""
    index = year - _TABLE_FIRST_YEAR
    rows = _table_rows(subdiv)
    if not 0 <= index < len(rows) or not _table_matches_package():
        return None
    return frozenset(date(year, int(token[:2]), int(token[2:])) for token in rows[index].split())


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


def _table_source(first: int = _TABLE_FIRST_YEAR, last: int = _TABLE_FIRST_YEAR + 49) -> str:
    """`_TABLE` (and its version) as Python source, from the installed package."""
    from importlib.metadata import version

    lines = [f'_TABLE_VERSION = "{version("holidays")}"', f"_TABLE_FIRST_YEAR = {first}", "_TABLE: dict[str, str] = {"]
    for subdiv in _SUBDIVISION.values():
        lines.append(f'    {subdiv!r}: """')
        for year in range(first, last + 1):
            days = sorted(_package_bank_holidays(subdiv, year))
            lines.append(" ".join(f"{day.month:02d}{day.day:02d}" for day in days))
        lines.append('""",')
    lines.append("}")
    return "\n".join(lines)


if __name__ == "__main__":  # pragma: no cover - regenerates the table after a holidays upgrade
    print(_table_source())
