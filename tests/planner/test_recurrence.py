"""Repeating appointments (planner/recurrence.py): the same dates as
python-dateutil, at the cost of the window asked for, whatever the rule; and
the one check of a rule for the booking form, storage and the importer."""

from __future__ import annotations

import time
from datetime import date, datetime, timedelta

import pytest
from dateutil.rrule import rrulestr
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from planner import recurrence
from planner.recurrence import MAX_GAP_DAYS, RuleError, check, dates, first_dates, next_date

WEEKDAYS = recurrence.WEEKDAYS


@st.composite
def rules(draw) -> str:
    freq = draw(st.sampled_from(["DAILY", "WEEKLY", "MONTHLY", "YEARLY"]))
    parts = [f"FREQ={freq}"]
    if draw(st.booleans()):
        parts.append(f"INTERVAL={draw(st.integers(1, 5))}")
    end = draw(st.sampled_from(["", "count", "until"]))
    if end == "count":
        parts.append(f"COUNT={draw(st.integers(1, 40))}")
    elif end == "until":
        parts.append(f"UNTIL={draw(st.dates(date(2019, 6, 1), date(2030, 12, 31))):%Y%m%d}")
    by_month = draw(st.booleans())
    if by_month:
        parts.append("BYMONTH=" + ",".join(map(str, draw(st.sets(st.integers(1, 12), min_size=1, max_size=4)))))
    if draw(st.booleans()):
        days = draw(st.sets(st.integers(-31, 31).filter(bool), min_size=1, max_size=3))
        parts.append("BYMONTHDAY=" + ",".join(map(str, days)))
    if draw(st.booleans()):
        # A yearly rule with BYMONTH counts weekdays within the month (RFC 5545):
        # dateutil fails on an ordinal past the fifth there (IndexError), so the
        # comparison keeps to five; test_an_ordinal_past_the_month_selects_nothing
        # holds this module to the RFC beyond it.
        most = {"MONTHLY": 5, "YEARLY": 5 if by_month else 53}.get(freq, 0)
        plain = st.sampled_from(WEEKDAYS)
        pieces = st.one_of(plain, st.tuples(st.integers(-most, most).filter(bool), plain).map(
            lambda t: f"{t[0]}{t[1]}")) if most else plain
        parts.append("BYDAY=" + ",".join(draw(st.lists(pieces, min_size=1, max_size=3, unique=True))))
    if draw(st.booleans()):
        parts.append("BYSETPOS=" + ",".join(map(str, draw(st.sets(
            st.integers(-10, 10).filter(bool), min_size=1, max_size=2)))))
    if draw(st.booleans()):
        parts.append(f"WKST={draw(st.sampled_from(WEEKDAYS))}")
    return ";".join(parts)


def dateutil_between(text: str, start: date, first: date, last: date) -> list[date]:
    rule = rrulestr(text, dtstart=datetime(start.year, start.month, start.day))
    found = rule.between(datetime(first.year, first.month, first.day), datetime(last.year, last.month, last.day),
                         inc=True)
    return sorted({m.date() for m in found})


def dateutil_stops(text: str, start: date, last: date) -> bool:
    """Whether dateutil's walk past `last` ends soon: a later date exists
    within five years (by this module's reading), or a COUNT runs out."""
    rule = recurrence.parse(text)
    if rule.count is not None and len(dates(text, start, start, start + timedelta(days=3660))) < rule.count:
        return False  # dateutil would walk on looking for the rest
    if rule.count is not None:
        return True
    return bool(dates(text, start, last + timedelta(days=1), last + timedelta(days=1830)))


@settings(max_examples=300, deadline=None)
@given(rules(), st.dates(date(2019, 1, 1), date(2027, 12, 31)), st.integers(-40, 900), st.integers(0, 500))
def test_the_dates_are_dateutils(text, start, offset, length):
    first = start + timedelta(days=offset)
    last = first + timedelta(days=length)
    assume(dateutil_stops(text, start, last))
    assert list(dates(text, start, first, last)) == dateutil_between(text, start, first, last)


@settings(max_examples=150, deadline=None)
@given(rules(), st.dates(date(2019, 1, 1), date(2027, 12, 31)), st.integers(-40, 900))
def test_the_next_date_is_dateutils_within_the_gap(text, start, offset):
    day = start + timedelta(days=offset)
    assume(dateutil_stops(text, start, day + timedelta(days=MAX_GAP_DAYS)))
    expected = dateutil_between(text, start, day, day + timedelta(days=MAX_GAP_DAYS))
    assert next_date(text, start, day) == (expected[0] if expected else None)


def test_an_ordinal_past_the_month_selects_nothing():
    """In a yearly rule with BYMONTH, BYDAY's ordinal counts within the month:
    the 26th Monday of August is no day, and the first Monday still is."""
    start, last = date(2020, 1, 1), date(2022, 12, 31)
    assert list(dates("FREQ=YEARLY;BYMONTH=8;BYDAY=26MO", start, start, last)) == []
    assert list(dates("FREQ=YEARLY;BYMONTH=8;BYDAY=1MO,26MO", start, start, last)) == [
        date(2020, 8, 3), date(2021, 8, 2), date(2022, 8, 1)]
    assert list(dates("FREQ=YEARLY;BYMONTH=8;BYDAY=-1FR", start, start, last)) == [
        date(2020, 8, 28), date(2021, 8, 27), date(2022, 8, 26)]


# --------------------------------------------------------------------------- the cost is the window's


HOSTILE = [
    "FREQ=DAILY;BYMONTH=2;BYMONTHDAY=30",
    "FREQ=MINUTELY;BYMONTH=2;BYMONTHDAY=30",
    "FREQ=SECONDLY",
    "FREQ=DAILY;BYSETPOS=2",
    "FREQ=WEEKLY;BYMONTH=2;BYMONTHDAY=30",
    "FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=29;BYDAY=MO",
    "FREQ=DAILY;BYHOUR=0,1,2,3,4,5,6,7,8,9,10,11,12;BYMINUTE=0,1,2,3,4,5;BYSECOND=0,1,2",
    "FREQ=DAILY;COUNT=1000;BYMONTH=2;BYMONTHDAY=29",
    "FREQ=MONTHLY;INTERVAL=12;BYMONTHDAY=31",
]


@pytest.mark.parametrize("text", HOSTILE)
def test_no_rule_walks_past_its_window(text):
    """Rules dateutil walks to the year 9999 with (seconds each): a tenth of
    a second here for a series started long ago, read over two years. (Not a
    timing test: the bound is a thousand times what the walk takes.)"""
    began = time.perf_counter()
    for _ in range(3):
        dates.cache_clear()
        dates(text, date(1990, 2, 1), date(2025, 1, 1), date(2026, 12, 31))
        next_date(text, date(1990, 2, 1), date(2026, 1, 1))
    assert time.perf_counter() - began < 5


def test_a_rule_that_cannot_be_read_counts_once():
    assert dates("FREQ=SECONDLY", date(2026, 1, 5), date(2026, 1, 1), date(2026, 1, 31)) == (date(2026, 1, 5),)
    assert next_date("not a rule", date(2026, 1, 5), date(2026, 1, 1)) == date(2026, 1, 5)
    assert dates("FREQ=WEEKLY", date(9999, 12, 20), date(9999, 12, 1), date(9999, 12, 31)) == (date(9999, 12, 20),)


def test_common_series():
    assert dates("FREQ=WEEKLY;COUNT=8", date(2026, 11, 2), date(2026, 11, 20), date(2027, 3, 1)) == tuple(
        date(2026, 11, 2) + timedelta(weeks=k) for k in range(3, 8))
    assert first_dates("FREQ=WEEKLY;INTERVAL=2;UNTIL=20261231", date(2026, 11, 2), 60) == [
        date(2026, 11, 2), date(2026, 11, 16), date(2026, 11, 30), date(2026, 12, 14), date(2026, 12, 28)]
    assert dates("FREQ=MONTHLY;BYDAY=2TU", date(2026, 1, 1), date(2026, 1, 1), date(2026, 3, 31)) == (
        date(2026, 1, 13), date(2026, 2, 10), date(2026, 3, 10))


# --------------------------------------------------------------------------- the check


@pytest.mark.parametrize(("text", "reason"), [
    ("FREQ=SECONDLY", "appointments repeat daily at most"),
    ("FREQ=MINUTELY;BYMONTH=2;BYMONTHDAY=30", "appointments repeat daily at most"),
    ("FREQ=HOURLY", "appointments repeat daily at most"),
    ("DTSTART:20260101\nRRULE:FREQ=WEEKLY", "give one RRULE only"),
    ("FREQ=WEEKLY;DTSTART=20260101", "give one RRULE only"),
    ("FREQ=DAILY;BYHOUR=9", "BYHOUR is not used for appointments"),
    ("FREQ=YEARLY;BYWEEKNO=1", "BYWEEKNO is not used for appointments"),
    ("FREQ=WEEKLY;COLOUR=RED", "unknown part COLOUR"),
    ("FREQ=FORTNIGHTLY", "FREQ=FORTNIGHTLY is not one of"),
    ("INTERVAL=2", "FREQ is missing"),
    ("FREQ=WEEKLY;COUNT=0", "COUNT=0: 0 is out of range"),
    ("FREQ=WEEKLY;COUNT=5;UNTIL=20270101", "give COUNT or UNTIL, not both"),
    ("FREQ=WEEKLY;UNTIL=20261301", "UNTIL=20261301: give a date"),
    ("FREQ=WEEKLY;UNTIL=20250101", "UNTIL (2025-01-01) is before the series starts"),
    ("FREQ=WEEKLY;BYDAY=2TU", "numbers a weekday of the month or year"),
    ("FREQ=DAILY;BYMONTH=2;BYMONTHDAY=30", "the rule gives no date in the 10 years"),
    ("FREQ=DAILY;BYSETPOS=2", "the rule gives no date"),
    ("FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=29", "repeats at least once a year"),
    ("FREQ=YEARLY;INTERVAL=2", "repeats at least once a year"),
    ("FREQ=WEEKLY;COUNT=600", "a series with COUNT must end within 10 years"),
    ("FREQ=WEEKLY;;COUNT=3", "is not NAME=VALUE"),
])
def test_rules_the_app_does_not_book(text, reason):
    with pytest.raises(RuleError, match=None) as info:
        check(text, date(2026, 1, 5))
    assert reason in str(info.value)


@pytest.mark.parametrize("text", [
    "FREQ=WEEKLY;COUNT=12", "FREQ=WEEKLY;INTERVAL=2;UNTIL=20270105", "RRULE:FREQ=DAILY;BYDAY=MO,WE,FR",
    "freq=monthly;byday=-1fr", "FREQ=YEARLY;BYMONTH=1;BYDAY=1MO", "FREQ=MONTHLY;BYMONTHDAY=31",
    "FREQ=MONTHLY;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-1", "FREQ=WEEKLY;COUNT=520",
])
def test_rules_the_app_books(text):
    tidy = check(f" {text} ", date(2026, 1, 5))
    assert tidy == text.removeprefix("RRULE:")
