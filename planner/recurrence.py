"""Repeating appointments: which RRULEs a series may have, and its dates.

A series is stored as its first date (`appointment_date`) and an RFC 5545
RRULE. `check(rule, start)` is the one test of a rule, for the app's booking
form, the storage functions and the CSV importer alike:

- one RRULE of the parts FREQ, INTERVAL, COUNT, UNTIL, BYDAY, BYMONTHDAY,
  BYMONTH, BYSETPOS and WKST; no DTSTART (the series starts on its date);
- FREQ is DAILY, WEEKLY, MONTHLY or YEARLY: appointments are days, not hours;
- python-dateutil reads it too (so do the calendars it is exported to);
- it repeats at least once a year (`MAX_GAP_DAYS`), from its first date on,
  as far as `SPAN_YEARS` ahead shows; a series with COUNT ends within them.

`dates(rule, start, first, last)` gives the series' dates from `first` to
`last`, and `next_date` the first on or after a day, looking `MAX_GAP_DAYS`
ahead. Their meaning is python-dateutil's (`rrulestr(rule, dtstart=start)`,
each date at midnight; tests/planner/test_recurrence.py compares the two on
random rules), but not their cost: dateutil walks period after period from
the series' first date until it finds a date past the window, so a rule with
no more dates walks to the year 9999 (FREQ=DAILY;BYMONTH=2;BYMONTHDAY=30
takes seconds, FREQ=SECONDLY minutes and gigabytes). Here only the periods
of the window are walked, so no series costs more than its window, whatever
its rule, and a rule already in a database from before these checks cannot
hang a command either. A rule that cannot be read at all counts as a single
appointment on its date.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import lru_cache

__all__ = ["MAX_GAP_DAYS", "PARTS", "SPAN_YEARS", "RuleError", "check", "dates", "first_dates", "next_date"]

#: The longest a series may go without a date ("at least once a year"; a
#: year and a week, for the first Monday of each year and the like).
MAX_GAP_DAYS = 371
#: How far ahead `check` reads a rule; a series with COUNT must end within it.
SPAN_YEARS = 10
PARTS = ("FREQ", "INTERVAL", "COUNT", "UNTIL", "BYDAY", "BYMONTHDAY", "BYMONTH", "BYSETPOS", "WKST")
MAX_INTERVAL = 400
MAX_COUNT = 1000

FREQS = ("YEARLY", "MONTHLY", "WEEKLY", "DAILY")  # dateutil's order: 0 yearly .. 3 daily
YEARLY, MONTHLY, WEEKLY, DAILY = range(4)
WEEKDAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
_SUB_DAILY = ("HOURLY", "MINUTELY", "SECONDLY")
_BYDAY = re.compile(r"([+-]?\d{1,2})?(MO|TU|WE|TH|FR|SA|SU)")
_UNTIL = re.compile(r"(\d{4})(\d{2})(\d{2})(?:T(\d{2})(\d{2})(\d{2}))?")
# Dates whose neighbourhood (a year and a bit either side) stays inside the
# calendar Python knows; windows are clipped to them.
_LOW, _HIGH = date(2, 1, 1), date(9998, 12, 31)


class RuleError(ValueError):
    """A rule the app does not book; str() is the reason."""


@dataclass(frozen=True, slots=True)
class Rule:
    freq: int
    interval: int = 1
    count: int | None = None
    until: date | None = None
    bymonth: frozenset[int] = frozenset()
    bymonthday: frozenset[int] = frozenset()  # 1..31
    bynmonthday: frozenset[int] = frozenset()  # -31..-1
    byweekday: frozenset[int] = frozenset()  # 0 Monday .. 6 Sunday
    bynweekday: frozenset[tuple[int, int]] = frozenset()  # (weekday, n): the nth in the month or year
    bysetpos: tuple[int, ...] = ()
    wkst: int = 0
    day_parts: bool = False  # BYDAY or BYMONTHDAY given: no defaults taken from the first date

    @property
    def plain_step(self) -> int | None:
        """Days between dates when the rule is "every n days / weeks" with
        nothing else: the dates are then worked out, not searched for."""
        if self.day_parts or self.bymonth or self.bysetpos:
            return None
        if self.freq == DAILY:
            return self.interval
        if self.freq == WEEKLY:
            return 7 * self.interval
        return None


# --------------------------------------------------------------------------- reading


def _ints(name: str, value: str, low: int, high: int, *, nonzero: bool = True) -> list[int]:
    out = []
    for piece in value.split(","):
        piece = piece.strip()
        try:
            number = int(piece)
        except ValueError:
            raise RuleError(f"{name}={value}: {piece!r} is not a whole number") from None
        if not low <= number <= high or (nonzero and number == 0):
            raise RuleError(f"{name}={value}: {number} is out of range ({low} to {high}"
                            + (", not 0)" if nonzero and low < 0 else ")"))
        out.append(number)
    return out


def _weekday(name: str, value: str) -> int:
    try:
        return WEEKDAYS.index(value.strip().upper())
    except ValueError:
        raise RuleError(f"{name}={value}: not a weekday ({', '.join(WEEKDAYS)})") from None


@lru_cache(maxsize=4096)
def parse(text: str) -> Rule:
    """The rule's parts; RuleError with the reason when it is not one the
    app books (see the module docstring). Names and values in any case."""
    parts = _parts(text)
    freq = _freq(parts.get("FREQ"))
    kw: dict = {"freq": freq}
    if "INTERVAL" in parts:
        kw["interval"] = _ints("INTERVAL", parts["INTERVAL"], 1, MAX_INTERVAL)[0]
    if "COUNT" in parts:
        kw["count"] = _ints("COUNT", parts["COUNT"], 1, MAX_COUNT)[0]
    if "UNTIL" in parts:
        if "COUNT" in parts:
            raise RuleError("give COUNT or UNTIL, not both")
        kw["until"] = _until(parts["UNTIL"])
    if "BYMONTH" in parts:
        kw["bymonth"] = frozenset(_ints("BYMONTH", parts["BYMONTH"], 1, 12))
    if "BYMONTHDAY" in parts:
        days = _ints("BYMONTHDAY", parts["BYMONTHDAY"], -31, 31)
        kw["bymonthday"] = frozenset(d for d in days if d > 0)
        kw["bynmonthday"] = frozenset(d for d in days if d < 0)
        kw["day_parts"] = True
    if "BYDAY" in parts:
        kw["byweekday"], kw["bynweekday"] = _byday(parts["BYDAY"], freq)
        kw["day_parts"] = True
    if "BYSETPOS" in parts:
        kw["bysetpos"] = tuple(_ints("BYSETPOS", parts["BYSETPOS"], -366, 366))
    if "WKST" in parts:
        kw["wkst"] = _weekday("WKST", parts["WKST"])
    return Rule(**kw)


def _parts(text: str) -> dict[str, str]:
    """NAME -> VALUE (both upper case) of one RRULE line, "RRULE:" optional;
    RuleError for anything but known, distinct NAME=VALUE pairs."""
    rule = text.strip()
    if rule[:6].upper() == "RRULE:":
        rule = rule[6:]
    if not rule:
        raise RuleError("empty")
    if "\n" in rule or "\r" in rule or "DTSTART" in rule.upper():
        raise RuleError("give one RRULE only; the series starts on the appointment date")
    parts: dict[str, str] = {}
    for piece in rule.split(";"):
        name, sep, value = piece.partition("=")
        name = name.strip().upper()
        if not sep or not name or not value.strip():
            raise RuleError(f"{piece!r} is not NAME=VALUE")
        if name in parts:
            raise RuleError(f"{name} appears twice")
        if name not in PARTS:
            if name in ("BYHOUR", "BYMINUTE", "BYSECOND", "BYYEARDAY", "BYWEEKNO", "BYEASTER", "RDATE", "EXDATE"):
                raise RuleError(f"{name} is not used for appointments (a series may have {', '.join(PARTS)})")
            raise RuleError(f"unknown part {name} (a series may have {', '.join(PARTS)})")
        parts[name] = value.strip().upper()
    return parts


def _freq(freq_word: str | None) -> int:
    """FREQ's value as an index of FREQS; RuleError when missing or not one of them."""
    if freq_word is None:
        raise RuleError("FREQ is missing (DAILY, WEEKLY, MONTHLY or YEARLY)")
    if freq_word in _SUB_DAILY:
        raise RuleError("appointments repeat daily at most (FREQ=DAILY, WEEKLY, MONTHLY or YEARLY)")
    if freq_word not in FREQS:
        raise RuleError(f"FREQ={freq_word} is not one of DAILY, WEEKLY, MONTHLY, YEARLY")
    return FREQS.index(freq_word)


def _until(value: str) -> date:
    """UNTIL's day: YYYYMMDD, or a valid local time YYYYMMDDTHHMMSS (its day kept)."""
    match = _UNTIL.fullmatch(value)
    try:
        if match is None:
            raise ValueError
        y, mo, d = (int(g) for g in match.groups()[:3])
        until = date(y, mo, d)
        if match.group(4) is not None:
            datetime(y, mo, d, *(int(g) for g in match.groups()[3:]))
    except ValueError:
        raise RuleError(f"UNTIL={value}: give a date as YYYYMMDD "
                        "(or a local time as YYYYMMDDTHHMMSS)") from None
    return until


def _byday(value: str, freq: int) -> tuple[frozenset[int], frozenset[tuple[int, int]]]:
    """BYDAY's plain weekdays and numbered (weekday, n) ones; a numbered one
    only with FREQ=MONTHLY (n within 5) or YEARLY (within 53)."""
    plain, nth = set(), set()
    for piece in value.split(","):
        match = _BYDAY.fullmatch(piece.strip())
        if match is None:
            raise RuleError(f"BYDAY={value}: {piece!r} is not a weekday such as MO, 2TU or -1FR")
        wd = WEEKDAYS.index(match.group(2))
        if match.group(1) is None:
            plain.add(wd)
            continue
        n = int(match.group(1))
        if freq not in (MONTHLY, YEARLY):
            raise RuleError(f"BYDAY={piece.strip()} numbers a weekday of the month or year: "
                            "use it with FREQ=MONTHLY or YEARLY")
        most = 5 if freq == MONTHLY else 53
        if n == 0 or abs(n) > most:
            raise RuleError(f"BYDAY={piece.strip()}: the number is 1 to {most} or -1 to -{most}")
        nth.add((wd, n))
    return frozenset(plain), frozenset(nth)


def _readable(text: str, start: date) -> Rule | None:
    """The rule, when it can be read and its first date is one whose series
    the calendar can hold; else None (the appointment counts once)."""
    if not _LOW <= start <= _HIGH:
        return None
    try:
        return parse(text)
    except RuleError:
        return None


# --------------------------------------------------------------------------- periods


_MONTH_DAYS = (31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)


def _days_in_month(year: int, month: int) -> int:
    if month == 2 and year % 4 == 0 and (year % 100 != 0 or year % 400 == 0):
        return 29
    return _MONTH_DAYS[month - 1]


def _month_start(index: int) -> date:
    return date(index // 12, index % 12 + 1, 1)


class _Walk:
    """The periods of a rule from a given one on, each with its dates (all
    of the period's dates the BY parts keep, before BYSETPOS, COUNT, UNTIL
    and the first date are applied: dateutil's order)."""

    def __init__(self, rule: Rule, start: date) -> None:
        self.rule, self.start = rule, start
        bymonth, bymonthday, byweekday = rule.bymonth, rule.bymonthday, rule.byweekday
        if not rule.day_parts:  # dateutil's defaults, from the first date
            if rule.freq == YEARLY:
                bymonth = bymonth or frozenset((start.month,))
                bymonthday = frozenset((start.day,))
            elif rule.freq == MONTHLY:
                bymonthday = frozenset((start.day,))
            elif rule.freq == WEEKLY:
                byweekday = frozenset((start.weekday(),))
        self.bymonth, self.bymonthday, self.byweekday = bymonth, bymonthday, byweekday
        self.bynmonthday, self.bynweekday = rule.bynmonthday, rule.bynweekday
        self.week0 = start - timedelta(days=(start.weekday() - rule.wkst) % 7)
        self.month0 = start.year * 12 + start.month - 1

    def period_of(self, day: date) -> int:
        """The index of the period (counted in intervals) holding `day`, or
        the last one starting before it (0 at the earliest)."""
        rule = self.rule
        if day <= self.start:
            return 0
        if rule.freq == DAILY:
            return (day - self.start).days // rule.interval
        if rule.freq == WEEKLY:
            return (day - self.week0).days // 7 // rule.interval
        if rule.freq == MONTHLY:
            return (day.year * 12 + day.month - 1 - self.month0) // rule.interval
        return (day.year - self.start.year) // rule.interval

    def bounds(self, k: int) -> tuple[date, date]:
        """The first and last day of period k."""
        rule = self.rule
        if rule.freq == DAILY:
            day = self.start + timedelta(days=k * rule.interval)
            return day, day
        if rule.freq == WEEKLY:
            first = self.week0 + timedelta(days=7 * k * rule.interval)
            return (self.start if k == 0 else first), first + timedelta(days=6)
        if rule.freq == MONTHLY:
            first = _month_start(self.month0 + k * rule.interval)
            return first, first.replace(day=_days_in_month(first.year, first.month))
        year = self.start.year + k * rule.interval
        return date(year, 1, 1), date(year, 12, 31)

    def keep(self, day: date, nth: set[date] | None) -> bool:
        if self.bymonth and day.month not in self.bymonth:
            return False
        if self.byweekday and day.weekday() not in self.byweekday:
            return False
        if nth is not None and day not in nth:
            return False
        if self.bymonthday or self.bynmonthday:
            if day.day not in self.bymonthday and \
                    day.day - _days_in_month(day.year, day.month) - 1 not in self.bynmonthday:
                return False
        return True

    def _nth(self, first: date, last: date) -> set[date] | None:
        """The nth weekdays (BYDAY=2TU) of a month or year period."""
        if not self.bynweekday or self.rule.freq not in (MONTHLY, YEARLY):
            return None
        if self.rule.freq == YEARLY and self.bymonth:
            ranges = []
            for month in sorted(self.bymonth):
                low = date(first.year, month, 1)
                ranges.append((low, low.replace(day=_days_in_month(first.year, month))))
        else:
            ranges = [(first, last)]
        found = set()
        for low, high in ranges:
            for wd, n in self.bynweekday:
                if n > 0:
                    day = low + timedelta(days=7 * (n - 1))
                    day += timedelta(days=(wd - day.weekday()) % 7)
                else:
                    day = high + timedelta(days=7 * (n + 1))
                    day -= timedelta(days=(day.weekday() - wd) % 7)
                if low <= day <= high:
                    found.add(day)
        return found

    def _candidates(self, first: date, last: date, nth: set[date] | None) -> list[date]:
        """A superset of the period's kept dates, small: the month days or
        nth weekdays named, else every day (a week at most, or a month or
        year when only weekdays are named)."""
        if self.rule.freq in (DAILY, WEEKLY):
            return [first + timedelta(days=i) for i in range((last - first).days + 1)]
        if nth is not None:
            return sorted(nth)
        months = [(first.year, m) for m in range(first.month, last.month + 1)
                  if not self.bymonth or m in self.bymonth]
        out: list[date] = []
        for year, month in months:
            size = _days_in_month(year, month)
            if self.bymonthday or self.bynmonthday:
                days = {d for d in self.bymonthday if d <= size}
                days |= {size + 1 + d for d in self.bynmonthday if -d <= size}
                out.extend(date(year, month, d) for d in sorted(days))
            elif self.byweekday:
                low = date(year, month, 1)
                for wd in self.byweekday:
                    day = low + timedelta(days=(wd - low.weekday()) % 7)
                    while day.month == month:
                        out.append(day)
                        day += timedelta(days=7)
            else:
                out.extend(date(year, month, d) for d in range(1, size + 1))
        return sorted(out)

    def by_month(self, first: date, last: date):
        """The kept dates from `first` to `last` of a DAILY rule, or a WEEKLY
        one without BYSETPOS, month by month: the candidates of each month
        (its named days or weekdays) that fall on the rule's days or weeks.
        The same dates as `period` gives, without visiting every day."""
        rule = self.rule
        if rule.freq == DAILY and rule.bysetpos and 1 not in rule.bysetpos and -1 not in rule.bysetpos:
            return  # a day's set holds one date: only position 1 or -1 can be chosen
        index, end = first.year * 12 + first.month - 1, last.year * 12 + last.month - 1
        step = rule.interval
        while index <= end:
            year, month = divmod(index, 12)
            month += 1
            index += 1
            if self.bymonth and month not in self.bymonth:
                continue
            size = _days_in_month(year, month)
            if self.bymonthday or self.bynmonthday:
                days = {d for d in self.bymonthday if d <= size}
                days |= {size + 1 + d for d in self.bynmonthday if -d <= size}
                candidates = [date(year, month, d) for d in sorted(days)]
            elif self.byweekday:
                low = date(year, month, 1)
                candidates = sorted(date(year, month, d) for wd in self.byweekday
                                    for d in range(1 + (wd - low.weekday()) % 7, size + 1, 7))
            else:
                candidates = [date(year, month, d) for d in range(1, size + 1)]
            for day in candidates:
                if not first <= day <= last or not self.keep(day, None):
                    continue
                if rule.freq == DAILY:
                    aligned = (day - self.start).days % step == 0
                else:
                    aligned = (day - self.week0).days // 7 % step == 0
                if aligned:
                    yield day

    def period(self, k: int) -> tuple[date, date, list[date]]:
        try:
            first, last = self.bounds(k)
        except (ValueError, OverflowError):  # past the year 9999: no more periods
            return date.max, date.max, []
        nth = self._nth(first, last)
        kept = [d for d in self._candidates(first, last, nth) if self.keep(d, nth)]
        if self.rule.bysetpos:
            chosen = set()
            for pos in self.rule.bysetpos:
                try:
                    chosen.add(kept[pos - 1] if pos > 0 else kept[pos])
                except IndexError:
                    pass
            kept = sorted(chosen)
        return first, last, kept


# --------------------------------------------------------------------------- dates


@lru_cache(maxsize=4096)
def _counted_end(text: str, start: date) -> tuple[date | None, bool]:
    """(the last date, whether it is the COUNT-th) of a series with COUNT,
    found once by walking it from its first date as far as SPAN_YEARS."""
    rule = parse(text)
    assert rule.count is not None
    horizon = _horizon(start)
    step = rule.plain_step
    if step is not None:
        if step * (rule.count - 1) <= (horizon - start).days:
            return start + timedelta(days=step * (rule.count - 1)), True
        return start + timedelta(days=step * ((horizon - start).days // step)), False
    walk = _Walk(rule, start)
    left, end, k = rule.count, None, 0
    if rule.freq == DAILY or (rule.freq == WEEKLY and not rule.bysetpos):
        for day in walk.by_month(start, horizon):
            end, left = day, left - 1
            if left == 0:
                return end, True
        return end, False
    while True:
        first, _last, kept = walk.period(k)
        if first > horizon:
            return end, False
        for day in kept:
            if start <= day:
                if day > horizon:
                    return end, False
                end = day
                left -= 1
                if left == 0:
                    return end, True
        k += 1


def _horizon(start: date) -> date:
    try:
        return min(_HIGH, start.replace(year=start.year + SPAN_YEARS))
    except ValueError:  # 29 February
        return min(_HIGH, date(start.year + SPAN_YEARS, 3, 1))


def _dates(rule: Rule, text: str, start: date, first: date, last: date, limit: int | None) -> list[date]:
    until = rule.until
    if rule.count is not None:  # a series read as far as its last date, as with UNTIL
        until = _counted_end(text, start)[0]
        if until is None:
            return []
    first, last = max(first, start, _LOW), min(last, _HIGH)
    if until is not None:
        last = min(last, until)
    if last < first:
        return []
    step = rule.plain_step
    if step is not None:  # every n days or weeks: worked out
        k = -(-(first - start).days // step)
        day, out = start + timedelta(days=k * step), []
        while day <= last and (limit is None or len(out) < limit):
            out.append(day)
            day += timedelta(days=step)
        return out
    walk = _Walk(rule, start)
    if rule.freq == DAILY or (rule.freq == WEEKLY and not rule.bysetpos):
        out = []
        for day in walk.by_month(first, last):
            out.append(day)
            if limit is not None and len(out) >= limit:
                break
        return out
    k, out = walk.period_of(first), []
    while True:
        low, _high, kept = walk.period(k)
        if low > last:
            return out
        for day in kept:
            if first <= day <= last:
                out.append(day)
                if limit is not None and len(out) >= limit:
                    return out
        k += 1


@lru_cache(maxsize=8192)
def dates(text: str, start: date, first: date, last: date) -> tuple[date, ...]:
    """The series' dates from `first` to `last`, both counted (a rule that
    cannot be read: its first date alone, if inside)."""
    rule = _readable(text, start)
    if rule is None:
        return (start,) if first <= start <= last else ()
    return tuple(_dates(rule, text, start, first, last, None))


def next_date(text: str, start: date, on_or_after: date) -> date | None:
    """The series' first date on or after `on_or_after`, looking as far as
    MAX_GAP_DAYS beyond it."""
    rule = _readable(text, start)
    if rule is None:
        return start if start >= on_or_after else None
    try:
        last = on_or_after + timedelta(days=MAX_GAP_DAYS)
    except OverflowError:
        last = date.max
    found = _dates(rule, text, start, on_or_after, last, 1)
    return found[0] if found else None


def first_dates(text: str, start: date, limit: int) -> list[date]:
    """The series' first `limit` dates (within SPAN_YEARS)."""
    rule = _readable(text, start)
    if rule is None:
        return [start]
    return _dates(rule, text, start, start, _horizon(start), limit)


# --------------------------------------------------------------------------- the check


@lru_cache(maxsize=4096)
def check(text: str, start: date) -> str:
    """The rule, tidied (no `RRULE:` prefix, no surrounding spaces), if the
    app books it for a series starting on `start`; else RuleError with the
    reason (see the module docstring)."""
    rule = parse(text)
    if not _LOW <= start <= _HIGH:
        raise RuleError(f"a series cannot start on {start.isoformat()}")
    tidy = text.strip()
    if tidy[:6].upper() == "RRULE:":
        tidy = tidy[6:]
    from dateutil.rrule import rrulestr

    try:
        rrulestr(tidy, dtstart=datetime(start.year, start.month, start.day))
    except (ValueError, TypeError, KeyError, AttributeError, IndexError) as exc:
        raise RuleError(f"not a valid RFC 5545 rule ({str(exc) or type(exc).__name__})") from None
    if rule.until is not None and rule.until < start:
        raise RuleError(f"UNTIL ({rule.until.isoformat()}) is before the series starts ({start.isoformat()})")
    horizon = _horizon(start)
    if rule.count is not None and not _counted_end(tidy, start)[1]:
        raise RuleError(f"a series with COUNT must end within {SPAN_YEARS} years; give fewer dates "
                        "or an UNTIL date")
    found = dates(tidy, start, start, horizon)
    if not found:
        raise RuleError(f"the rule gives no date in the {SPAN_YEARS} years from {start.isoformat()}")
    ends = rule.count is not None or (rule.until is not None and rule.until <= horizon)
    edges = [start - timedelta(days=1), *found] + ([] if ends else [horizon])
    for before, after in zip(edges, edges[1:]):
        if (after - before).days > MAX_GAP_DAYS:
            raise RuleError(f"a series repeats at least once a year; this one has no date from "
                            f"{(before + timedelta(days=1)).isoformat()} to {after.isoformat()}")
    return tidy
