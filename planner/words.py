"""Dates and numbers in the product's words, one home for every screen,
command and rule: "27 Oct 2026", "Thu 3 Dec", "3 days ago", "in 1 day",
"2nd", "a, b and c" (English month and day names whatever the locale)."""

from __future__ import annotations

from datetime import date

__all__ = ["ICS_PRIVACY", "ago", "ahead", "and_list", "days", "fmt_date", "fmt_day", "initials", "ordinal", "plural",
           "span"]

_MONTHS = ("", "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


_WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


def fmt_date(day: date) -> str:
    """27 Oct 2026 (English month names whatever the locale)."""
    return f"{day.day} {_MONTHS[day.month]} {day.year}"


def fmt_day(day: date, as_of: date) -> str:
    """Thu 3 Dec (the year too when it is not as_of's): the dates of actions."""
    text = f"{_WEEKDAYS[day.weekday()]} {day.day} {_MONTHS[day.month]}"
    return text if day.year == as_of.year else f"{text} {day.year}"


def days(n: int | float) -> str:
    if n == 1:
        return "1 day"
    if isinstance(n, float) and not n.is_integer():
        return f"{n:g} days"
    return f"{int(n)} days"


def plural(n: int, noun: str, nouns: str | None = None) -> str:
    """"1 team", "2 teams", "0 teams" (`nouns` when adding s will not do:
    plural(2, "match", "matches"))."""
    return f"{n} {noun if n == 1 else nouns or noun + 's'}"


def ago(n: int) -> str:
    if n == 0:
        return "today"
    if n < 0:
        return f"in {days(-n)}"
    return f"{days(n)} ago"


def ahead(n: int) -> str:
    """"in 3 days", "today", "2 days ago": `ago` seen from the other side."""
    return ago(-n)


def ordinal(n: int) -> str:
    if 10 <= n % 100 <= 20:
        suffix = "th"
    else:
        suffix = {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def and_list(items: list[str]) -> str:
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]



def initials(name: str) -> str:
    """`Jo Bloggs` -> `J.B.`: what privacy mode shows, on every screen, command and record."""
    parts = [p for p in name.replace("-", " ").split() if p[:1].isalpha()]
    return ".".join(p[0].upper() for p in parts) + "." if parts else "?"


def span(n: int) -> str:
    """How long something ran, short: "45 days", "5 mths", "3 yrs"."""
    if n < 60:
        return f"{n} days"
    if n < 730:
        return f"{n // 30} mths"
    return f"{n // 365} yrs"


#: What a week's .ics file holds by default (planner/ics.py), said the same
#: way by the export form and the notice after it.
ICS_PRIVACY = "case refs only, no names"
_ROSH_SHORT = {"low": "L", "medium": "M", "high": "H", "very_high": "VH"}


def risk_tag(rosh: str | None, mappa_level: int | None, restricted: bool) -> str:
    """At most 5 characters for the caseload's risk column (§11): RoSH (L, M,
    H, VH), the MAPPA level (M1..M3), `R` for a restricted case: "VH M3", "H R"."""
    parts = [_ROSH_SHORT.get(rosh or "", "")]
    if mappa_level:
        parts.append(f"M{mappa_level}")
    if restricted:
        parts.append("R")
    return " ".join(p for p in parts if p)[:5]
