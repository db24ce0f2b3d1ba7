"""Working days by nation: weekends and the nation's bank holidays are not working days."""

from datetime import date, timedelta

import pytest

from planner.calendar import WorkingDays, working_days
from planner.errors import CaseloadError


@pytest.mark.parametrize(
    ("nation", "day", "working"),
    [
        ("england-and-wales", date(2026, 11, 27), True),  # Friday
        ("england-and-wales", date(2026, 11, 28), False),  # Saturday
        ("england-and-wales", date(2026, 12, 25), False),  # Christmas Day
        ("england-and-wales", date(2026, 12, 28), False),  # Boxing Day (substitute)
        ("england-and-wales", date(2027, 1, 4), True),
        ("scotland", date(2027, 1, 4), False),  # 2 January's substitute day
        ("scotland", date(2026, 11, 30), False),  # St Andrew's Day
        ("england-and-wales", date(2026, 11, 30), True),
        ("scotland", date(2026, 8, 3), False),  # Scottish summer holiday, first Monday of August
        ("scotland", date(2026, 8, 31), True),
        ("england-and-wales", date(2026, 8, 31), False),
        ("northern-ireland", date(2026, 3, 17), False),  # St Patrick's Day
        ("northern-ireland", date(2026, 7, 13), False),  # Battle of the Boyne (12th is a Sunday)
        ("england-and-wales", date(2026, 3, 17), True),
    ],
)
def test_is_working(nation, day, working):
    assert working_days(nation).is_working(day) is working


@pytest.mark.parametrize(
    ("nation", "start", "n", "expected"),
    [
        ("england-and-wales", date(2026, 11, 2), 5, date(2026, 11, 9)),
        ("england-and-wales", date(2026, 11, 27), 1, date(2026, 11, 30)),  # Fri -> Mon
        ("england-and-wales", date(2026, 11, 28), 1, date(2026, 11, 30)),  # Sat -> Mon
        ("england-and-wales", date(2026, 12, 23), 5, date(2027, 1, 4)),
        ("scotland", date(2026, 12, 23), 5, date(2027, 1, 5)),
        ("northern-ireland", date(2026, 12, 23), 5, date(2027, 1, 4)),
        ("england-and-wales", date(2026, 12, 23), 2, date(2026, 12, 29)),
        ("england-and-wales", date(2026, 11, 27), 0, date(2026, 11, 27)),
        ("england-and-wales", date(2026, 11, 30), -1, date(2026, 11, 27)),
        ("england-and-wales", date(2027, 1, 4), -5, date(2026, 12, 23)),
    ],
)
def test_add(nation, start, n, expected):
    assert working_days(nation).add(start, n) == expected


def test_count_between_is_the_inverse_of_add():
    wd = working_days("scotland")
    start = date(2026, 12, 1)
    for n in range(0, 60):
        assert wd.count_between(start, wd.add(start, n)) == n
    assert wd.between(date(2027, 1, 5), date(2026, 12, 23)) == -5


def test_count_in_counts_both_ends():
    wd = working_days("england-and-wales")
    first, last = date(2026, 12, 21), date(2027, 1, 8)
    assert wd.count_in(first, last) == len(wd.dates_in(first, last)) == 12  # 15 weekdays - 3
    assert wd.count_in(last, first) == 0
    day = date(2026, 1, 1)
    for _ in range(400):  # against a day-by-day count, over a year boundary
        end = day + timedelta(days=37)
        assert wd.count_in(day, end) == sum(
            wd.is_working(day + timedelta(days=k)) for k in range(38)
        )
        day += timedelta(days=1)


def test_cached_per_nation_and_offline_unknown_nation():
    assert working_days("scotland") is working_days("scotland")
    assert working_days("scotland") is not working_days("england-and-wales")
    with pytest.raises(CaseloadError, match="unknown nation 'wales'"):
        WorkingDays("wales")


def test_holiday_names():
    assert working_days("scotland").holiday_name(date(2026, 11, 30)) == "Saint Andrew's Day"
    assert working_days("scotland").holiday_name(date(2026, 11, 27)) is None


def test_bank_holiday_table_is_the_holidays_package():
    """planner.calendar keeps the package's answer for 2000-2049 as a table
    (importing `holidays` costs more than the rules of a whole region): it
    must be exactly what the installed package says, every nation, every year,
    the days and their names."""
    import holidays

    from planner import calendar as cal

    assert cal._table_matches_package(), "holidays was upgraded: run `python -m planner.calendar`"
    table = cal._table()
    for subdiv in table.rows:
        assert len(cal._table_rows(subdiv)) == 50
        for offset in range(50):
            year = table.first_year + offset
            assert cal._table_bank_holidays(subdiv, year) == cal._package_bank_holidays(subdiv, year), (subdiv, year)
            named = holidays.country_holidays("GB", subdiv=subdiv, years=year)
            for day in cal._package_bank_holidays(subdiv, year):
                assert cal._table_holiday_name(subdiv, day) == named[day], (subdiv, day)
    assert set(table.rows) == set(cal._SUBDIVISION.values())
    # and `python -m planner.calendar` would write the file as it is
    assert cal._table_text() == cal._TABLE_FILE.read_text(encoding="utf-8")


def test_years_outside_the_table_come_from_the_package():
    from planner import calendar as cal

    assert cal._table_bank_holidays("ENG", 1999) is None
    assert WorkingDays("england-and-wales").bank_holidays(2051) == cal._package_bank_holidays("ENG", 2051)
    assert date(2051, 12, 25) in WorkingDays("england-and-wales").bank_holidays(2051)


def test_table_is_used_only_for_the_version_it_was_taken_from(tmp_path, monkeypatch):
    """The version is told by the one `holidays-*.dist-info` folder beside the
    package: another version, or two folders (an upgrade left behind), means
    the package is asked instead of the table."""
    import importlib.util
    from types import SimpleNamespace

    from planner import calendar as cal

    (tmp_path / "holidays").mkdir()
    monkeypatch.setattr(importlib.util, "find_spec",
                        lambda name: SimpleNamespace(submodule_search_locations=[str(tmp_path / "holidays")]))

    def matches() -> bool:
        cal._table_matches_package.cache_clear()
        return cal._table_matches_package()

    try:
        assert not matches()  # no metadata at all
        (tmp_path / f"holidays-{cal._table().version}.dist-info").mkdir()
        assert matches()
        (tmp_path / "holidays-0.1.dist-info").mkdir()
        assert not matches()
        (tmp_path / f"holidays-{cal._table().version}.dist-info").rmdir()
        assert not matches()
    finally:
        monkeypatch.undo()
        cal._table_matches_package.cache_clear()


def test_a_holiday_name_in_the_table_years_needs_no_package():
    """`caseload warnings` names the bank holiday an order ends on: from the
    table, without importing `holidays` (a tenth of a second or more)."""
    import subprocess
    import sys

    probe = ("import sys; from datetime import date; from planner.calendar import working_days; "
             "print(working_days('england-and-wales').holiday_name(date(2026, 12, 25)), "
             "working_days('scotland').holiday_name(date(2026, 11, 30)), 'holidays' in sys.modules)")
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert done.stdout.split("\n")[0] == "Christmas Day Saint Andrew's Day False"


def test_without_the_table_file_the_package_answers(tmp_path, monkeypatch):
    """planner/bank_holidays.txt missing (an unusual install): no error, the
    `holidays` package is asked for every year."""
    from planner import calendar as cal

    monkeypatch.setattr(cal, "_TABLE_FILE", tmp_path / "bank_holidays.txt")
    cal._table.cache_clear()
    try:
        assert cal._table_rows("ENG") == ()
        assert cal._table_bank_holidays("ENG", 2026) is None
        assert WorkingDays("england-and-wales").bank_holidays(2026) == cal._package_bank_holidays("ENG", 2026)
        assert date(2026, 12, 25) in WorkingDays("england-and-wales").bank_holidays(2026)
    finally:
        monkeypatch.undo()
        cal._table.cache_clear()
