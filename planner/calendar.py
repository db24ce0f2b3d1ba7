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
# _TABLE_FIRST_YEAR, of "MMDDx" tokens, x the letter of the day's name in
# _TABLE_NAMES (one string a nation: quick to compile; a name without
# importing the package, which `caseload warnings` needs for an order ending
# on a bank holiday); made by `python -m planner.calendar`.
_NAME_LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
_TABLE_VERSION = "0.109"
_TABLE_FIRST_YEAR = 2000
_TABLE_NAMES = (
    'Battle of the Boyne',
    'Battle of the Boyne (observed)',
    'Boxing Day',
    'Boxing Day (observed)',
    'Christmas Day',
    'Christmas Day (observed)',
    'Coronation of Charles III',
    'Diamond Jubilee of Elizabeth II',
    'Easter Monday',
    'Golden Jubilee of Elizabeth II',
    'Good Friday',
    'Late Summer Bank Holiday',
    'May Day',
    'New Year Holiday',
    'New Year Holiday (observed)',
    "New Year Holiday; New Year's Day (observed)",
    "New Year's Day",
    "New Year's Day (observed)",
    'Platinum Jubilee of Elizabeth II',
    "Saint Andrew's Day",
    "Saint Andrew's Day (observed)",
    "Saint Patrick's Day",
    "Saint Patrick's Day (observed)",
    "Scotland's participation in the FIFA World Cup final",
    'Spring Bank Holiday',
    'State Funeral of Queen Elizabeth II',
    'Summer Bank Holiday',
    'Wedding of William and Catherine',
)
_TABLE: dict[str, str] = {
    'ENG': """
0101Q 0103R 0421K 0424I 0501M 0529Y 0828L 1225E 1226C
0101Q 0413K 0416I 0507M 0528Y 0827L 1225E 1226C
0101Q 0329K 0401I 0506M 0603J 0604Y 0826L 1225E 1226C
0101Q 0418K 0421I 0505M 0526Y 0825L 1225E 1226C
0101Q 0409K 0412I 0503M 0531Y 0830L 1225E 1226C 1227F 1228D
0101Q 0103R 0325K 0328I 0502M 0530Y 0829L 1225E 1226C 1227F
0101Q 0102R 0414K 0417I 0501M 0529Y 0828L 1225E 1226C
0101Q 0406K 0409I 0507M 0528Y 0827L 1225E 1226C
0101Q 0321K 0324I 0505M 0526Y 0825L 1225E 1226C
0101Q 0410K 0413I 0504M 0525Y 0831L 1225E 1226C 1228D
0101Q 0402K 0405I 0503M 0531Y 0830L 1225E 1226C 1227F 1228D
0101Q 0103R 0422K 0425I 0429b 0502M 0530Y 0829L 1225E 1226C 1227F
0101Q 0102R 0406K 0409I 0507M 0604Y 0605H 0827L 1225E 1226C
0101Q 0329K 0401I 0506M 0527Y 0826L 1225E 1226C
0101Q 0418K 0421I 0505M 0526Y 0825L 1225E 1226C
0101Q 0403K 0406I 0504M 0525Y 0831L 1225E 1226C 1228D
0101Q 0325K 0328I 0502M 0530Y 0829L 1225E 1226C 1227F
0101Q 0102R 0414K 0417I 0501M 0529Y 0828L 1225E 1226C
0101Q 0330K 0402I 0507M 0528Y 0827L 1225E 1226C
0101Q 0419K 0422I 0506M 0527Y 0826L 1225E 1226C
0101Q 0410K 0413I 0508M 0525Y 0831L 1225E 1226C 1228D
0101Q 0402K 0405I 0503M 0531Y 0830L 1225E 1226C 1227F 1228D
0101Q 0103R 0415K 0418I 0502M 0602Y 0603S 0829L 0919Z 1225E 1226C 1227F
0101Q 0102R 0407K 0410I 0501M 0508G 0529Y 0828L 1225E 1226C
0101Q 0329K 0401I 0506M 0527Y 0826L 1225E 1226C
0101Q 0418K 0421I 0505M 0526Y 0825L 1225E 1226C
0101Q 0403K 0406I 0504M 0525Y 0831L 1225E 1226C 1228D
0101Q 0326K 0329I 0503M 0531Y 0830L 1225E 1226C 1227F 1228D
0101Q 0103R 0414K 0417I 0501M 0529Y 0828L 1225E 1226C
0101Q 0330K 0402I 0507M 0528Y 0827L 1225E 1226C
0101Q 0419K 0422I 0506M 0527Y 0826L 1225E 1226C
0101Q 0411K 0414I 0505M 0526Y 0825L 1225E 1226C
0101Q 0326K 0329I 0503M 0531Y 0830L 1225E 1226C 1227F 1228D
0101Q 0103R 0415K 0418I 0502M 0530Y 0829L 1225E 1226C 1227F
0101Q 0102R 0407K 0410I 0501M 0529Y 0828L 1225E 1226C
0101Q 0323K 0326I 0507M 0528Y 0827L 1225E 1226C
0101Q 0411K 0414I 0505M 0526Y 0825L 1225E 1226C
0101Q 0403K 0406I 0504M 0525Y 0831L 1225E 1226C 1228D
0101Q 0423K 0426I 0503M 0531Y 0830L 1225E 1226C 1227F 1228D
0101Q 0103R 0408K 0411I 0502M 0530Y 0829L 1225E 1226C 1227F
0101Q 0102R 0330K 0402I 0507M 0528Y 0827L 1225E 1226C
0101Q 0419K 0422I 0506M 0527Y 0826L 1225E 1226C
0101Q 0404K 0407I 0505M 0526Y 0825L 1225E 1226C
0101Q 0327K 0330I 0504M 0525Y 0831L 1225E 1226C 1228D
0101Q 0415K 0418I 0502M 0530Y 0829L 1225E 1226C 1227F
0101Q 0102R 0407K 0410I 0501M 0529Y 0828L 1225E 1226C
0101Q 0323K 0326I 0507M 0528Y 0827L 1225E 1226C
0101Q 0412K 0415I 0506M 0527Y 0826L 1225E 1226C
0101Q 0403K 0406I 0504M 0525Y 0831L 1225E 1226C 1228D
0101Q 0416K 0419I 0503M 0531Y 0830L 1225E 1226C 1227F 1228D
""",
    'SCT': """
0101Q 0102N 0103R 0104O 0421K 0501M 0529Y 0807a 1225E 1226C
0101Q 0102N 0413K 0507M 0528Y 0806a 1225E 1226C
0101Q 0102N 0329K 0506M 0603J 0604Y 0805a 1225E 1226C
0101Q 0102N 0418K 0505M 0526Y 0804a 1225E 1226C
0101Q 0102N 0409K 0503M 0531Y 0802a 1225E 1226C 1227F 1228D
0101Q 0102N 0103R 0104O 0325K 0502M 0530Y 0801a 1225E 1226C 1227F
0101Q 0102P 0103O 0414K 0501M 0529Y 0807a 1130T 1225E 1226C
0101Q 0102N 0406K 0507M 0528Y 0806a 1130T 1225E 1226C
0101Q 0102N 0321K 0505M 0526Y 0804a 1130T 1201U 1225E 1226C
0101Q 0102N 0410K 0504M 0525Y 0803a 1130T 1225E 1226C 1228D
0101Q 0102N 0104O 0402K 0503M 0531Y 0802a 1130T 1225E 1226C 1227F 1228D
0101Q 0102N 0103R 0104O 0422K 0429b 0502M 0530Y 0801a 1130T 1225E 1226C 1227F
0101Q 0102P 0103O 0406K 0507M 0604Y 0605H 0806a 1130T 1225E 1226C
0101Q 0102N 0329K 0506M 0527Y 0805a 1130T 1202U 1225E 1226C
0101Q 0102N 0418K 0505M 0526Y 0804a 1130T 1201U 1225E 1226C
0101Q 0102N 0403K 0504M 0525Y 0803a 1130T 1225E 1226C 1228D
0101Q 0102N 0104O 0325K 0502M 0530Y 0801a 1130T 1225E 1226C 1227F
0101Q 0102P 0103O 0414K 0501M 0529Y 0807a 1130T 1225E 1226C
0101Q 0102N 0330K 0507M 0528Y 0806a 1130T 1225E 1226C
0101Q 0102N 0419K 0506M 0527Y 0805a 1130T 1202U 1225E 1226C
0101Q 0102N 0410K 0508M 0525Y 0803a 1130T 1225E 1226C 1228D
0101Q 0102N 0104O 0402K 0503M 0531Y 0802a 1130T 1225E 1226C 1227F 1228D
0101Q 0102N 0103R 0104O 0415K 0502M 0602Y 0603S 0801a 0919Z 1130T 1225E 1226C 1227F
0101Q 0102P 0103O 0407K 0501M 0508G 0529Y 0807a 1130T 1225E 1226C
0101Q 0102N 0329K 0506M 0527Y 0805a 1130T 1202U 1225E 1226C
0101Q 0102N 0418K 0505M 0526Y 0804a 1130T 1201U 1225E 1226C
0101Q 0102N 0403K 0504M 0525Y 0615X 0803a 1130T 1225E 1226C 1228D
0101Q 0102N 0104O 0326K 0503M 0531Y 0802a 1130T 1225E 1226C 1227F 1228D
0101Q 0102N 0103R 0104O 0414K 0501M 0529Y 0807a 1130T 1225E 1226C
0101Q 0102N 0330K 0507M 0528Y 0806a 1130T 1225E 1226C
0101Q 0102N 0419K 0506M 0527Y 0805a 1130T 1202U 1225E 1226C
0101Q 0102N 0411K 0505M 0526Y 0804a 1130T 1201U 1225E 1226C
0101Q 0102N 0326K 0503M 0531Y 0802a 1130T 1225E 1226C 1227F 1228D
0101Q 0102N 0103R 0104O 0415K 0502M 0530Y 0801a 1130T 1225E 1226C 1227F
0101Q 0102P 0103O 0407K 0501M 0529Y 0807a 1130T 1225E 1226C
0101Q 0102N 0323K 0507M 0528Y 0806a 1130T 1225E 1226C
0101Q 0102N 0411K 0505M 0526Y 0804a 1130T 1201U 1225E 1226C
0101Q 0102N 0403K 0504M 0525Y 0803a 1130T 1225E 1226C 1228D
0101Q 0102N 0104O 0423K 0503M 0531Y 0802a 1130T 1225E 1226C 1227F 1228D
0101Q 0102N 0103R 0104O 0408K 0502M 0530Y 0801a 1130T 1225E 1226C 1227F
0101Q 0102P 0103O 0330K 0507M 0528Y 0806a 1130T 1225E 1226C
0101Q 0102N 0419K 0506M 0527Y 0805a 1130T 1202U 1225E 1226C
0101Q 0102N 0404K 0505M 0526Y 0804a 1130T 1201U 1225E 1226C
0101Q 0102N 0327K 0504M 0525Y 0803a 1130T 1225E 1226C 1228D
0101Q 0102N 0104O 0415K 0502M 0530Y 0801a 1130T 1225E 1226C 1227F
0101Q 0102P 0103O 0407K 0501M 0529Y 0807a 1130T 1225E 1226C
0101Q 0102N 0323K 0507M 0528Y 0806a 1130T 1225E 1226C
0101Q 0102N 0412K 0506M 0527Y 0805a 1130T 1202U 1225E 1226C
0101Q 0102N 0403K 0504M 0525Y 0803a 1130T 1225E 1226C 1228D
0101Q 0102N 0104O 0416K 0503M 0531Y 0802a 1130T 1225E 1226C 1227F 1228D
""",
    'NIR': """
0101Q 0103R 0317V 0421K 0424I 0501M 0529Y 0712A 0828L 1225E 1226C
0101Q 0317V 0319W 0413K 0416I 0507M 0528Y 0712A 0827L 1225E 1226C
0101Q 0317V 0318W 0329K 0401I 0506M 0603J 0604Y 0712A 0826L 1225E 1226C
0101Q 0317V 0418K 0421I 0505M 0526Y 0712A 0714B 0825L 1225E 1226C
0101Q 0317V 0409K 0412I 0503M 0531Y 0712A 0830L 1225E 1226C 1227F 1228D
0101Q 0103R 0317V 0325K 0328I 0502M 0530Y 0712A 0829L 1225E 1226C 1227F
0101Q 0102R 0317V 0414K 0417I 0501M 0529Y 0712A 0828L 1225E 1226C
0101Q 0317V 0319W 0406K 0409I 0507M 0528Y 0712A 0827L 1225E 1226C
0101Q 0317V 0321K 0324I 0505M 0526Y 0712A 0714B 0825L 1225E 1226C
0101Q 0317V 0410K 0413I 0504M 0525Y 0712A 0713B 0831L 1225E 1226C 1228D
0101Q 0317V 0402K 0405I 0503M 0531Y 0712A 0830L 1225E 1226C 1227F 1228D
0101Q 0103R 0317V 0422K 0425I 0429b 0502M 0530Y 0712A 0829L 1225E 1226C 1227F
0101Q 0102R 0317V 0319W 0406K 0409I 0507M 0604Y 0605H 0712A 0827L 1225E 1226C
0101Q 0317V 0318W 0329K 0401I 0506M 0527Y 0712A 0826L 1225E 1226C
0101Q 0317V 0418K 0421I 0505M 0526Y 0712A 0714B 0825L 1225E 1226C
0101Q 0317V 0403K 0406I 0504M 0525Y 0712A 0713B 0831L 1225E 1226C 1228D
0101Q 0317V 0325K 0328I 0502M 0530Y 0712A 0829L 1225E 1226C 1227F
0101Q 0102R 0317V 0414K 0417I 0501M 0529Y 0712A 0828L 1225E 1226C
0101Q 0317V 0319W 0330K 0402I 0507M 0528Y 0712A 0827L 1225E 1226C
0101Q 0317V 0318W 0419K 0422I 0506M 0527Y 0712A 0826L 1225E 1226C
0101Q 0317V 0410K 0413I 0508M 0525Y 0712A 0713B 0831L 1225E 1226C 1228D
0101Q 0317V 0402K 0405I 0503M 0531Y 0712A 0830L 1225E 1226C 1227F 1228D
0101Q 0103R 0317V 0415K 0418I 0502M 0602Y 0603S 0712A 0829L 0919Z 1225E 1226C 1227F
0101Q 0102R 0317V 0407K 0410I 0501M 0508G 0529Y 0712A 0828L 1225E 1226C
0101Q 0317V 0318W 0329K 0401I 0506M 0527Y 0712A 0826L 1225E 1226C
0101Q 0317V 0418K 0421I 0505M 0526Y 0712A 0714B 0825L 1225E 1226C
0101Q 0317V 0403K 0406I 0504M 0525Y 0712A 0713B 0831L 1225E 1226C 1228D
0101Q 0317V 0326K 0329I 0503M 0531Y 0712A 0830L 1225E 1226C 1227F 1228D
0101Q 0103R 0317V 0414K 0417I 0501M 0529Y 0712A 0828L 1225E 1226C
0101Q 0317V 0319W 0330K 0402I 0507M 0528Y 0712A 0827L 1225E 1226C
0101Q 0317V 0318W 0419K 0422I 0506M 0527Y 0712A 0826L 1225E 1226C
0101Q 0317V 0411K 0414I 0505M 0526Y 0712A 0714B 0825L 1225E 1226C
0101Q 0317V 0326K 0329I 0503M 0531Y 0712A 0830L 1225E 1226C 1227F 1228D
0101Q 0103R 0317V 0415K 0418I 0502M 0530Y 0712A 0829L 1225E 1226C 1227F
0101Q 0102R 0317V 0407K 0410I 0501M 0529Y 0712A 0828L 1225E 1226C
0101Q 0317V 0319W 0323K 0326I 0507M 0528Y 0712A 0827L 1225E 1226C
0101Q 0317V 0411K 0414I 0505M 0526Y 0712A 0714B 0825L 1225E 1226C
0101Q 0317V 0403K 0406I 0504M 0525Y 0712A 0713B 0831L 1225E 1226C 1228D
0101Q 0317V 0423K 0426I 0503M 0531Y 0712A 0830L 1225E 1226C 1227F 1228D
0101Q 0103R 0317V 0408K 0411I 0502M 0530Y 0712A 0829L 1225E 1226C 1227F
0101Q 0102R 0317V 0319W 0330K 0402I 0507M 0528Y 0712A 0827L 1225E 1226C
0101Q 0317V 0318W 0419K 0422I 0506M 0527Y 0712A 0826L 1225E 1226C
0101Q 0317V 0404K 0407I 0505M 0526Y 0712A 0714B 0825L 1225E 1226C
0101Q 0317V 0327K 0330I 0504M 0525Y 0712A 0713B 0831L 1225E 1226C 1228D
0101Q 0317V 0415K 0418I 0502M 0530Y 0712A 0829L 1225E 1226C 1227F
0101Q 0102R 0317V 0407K 0410I 0501M 0529Y 0712A 0828L 1225E 1226C
0101Q 0317V 0319W 0323K 0326I 0507M 0528Y 0712A 0827L 1225E 1226C
0101Q 0317V 0318W 0412K 0415I 0506M 0527Y 0712A 0826L 1225E 1226C
0101Q 0317V 0403K 0406I 0504M 0525Y 0712A 0713B 0831L 1225E 1226C 1228D
0101Q 0317V 0416K 0419I 0503M 0531Y 0712A 0830L 1225E 1226C 1227F 1228D
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
    return frozenset(date(year, int(token[:2]), int(token[2:4])) for token in rows[index].split())


def _table_holiday_name(subdiv: str, day: date) -> str | None:
    """A bank holiday's name from `_TABLE` (each token's letter indexes
    `_TABLE_NAMES`), or None when the table cannot answer."""
    index = day.year - _TABLE_FIRST_YEAR
    rows = _table_rows(subdiv)
    if not 0 <= index < len(rows) or not _table_matches_package():
        return None
    wanted = f"{day.month:02d}{day.day:02d}"
    for token in rows[index].split():
        if token[:4] == wanted:
            return _TABLE_NAMES[_NAME_LETTERS.index(token[4])]
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


def _table_source(first: int = _TABLE_FIRST_YEAR, last: int = _TABLE_FIRST_YEAR + 49) -> str:
    """`_TABLE` (and its version) as Python source, from the installed package."""
    from importlib.metadata import version

    import holidays

    years = {subdiv: {year: holidays.country_holidays("GB", subdiv=subdiv, years=year)
                      for year in range(first, last + 1)} for subdiv in _SUBDIVISION.values()}
    names = sorted({name for calendars in years.values() for calendar in calendars.values()
                    for name in calendar.values()})
    assert len(names) <= len(_NAME_LETTERS), "more holiday names than letters"
    lines = [f'_TABLE_VERSION = "{version("holidays")}"', f"_TABLE_FIRST_YEAR = {first}",
             "_TABLE_NAMES = (", *(f"    {name!r}," for name in names), ")", "_TABLE: dict[str, str] = {"]
    for subdiv, calendars in years.items():
        lines.append(f'    {subdiv!r}: """')
        for year, calendar in calendars.items():
            days = sorted(day for day in calendar if day.year == year)
            lines.append(" ".join(f"{day.month:02d}{day.day:02d}{_NAME_LETTERS[names.index(calendar[day])]}"
                                  for day in days))
        lines.append('""",')
    lines.append("}")
    return "\n".join(lines)


if __name__ == "__main__":  # pragma: no cover - regenerates the table after a holidays upgrade
    print(_table_source())
