"""Moves explained in a person's words (docs/rebalancing.md, "Explanations"):
ids, dates and counts only, never a formula."""

from __future__ import annotations

from datetime import date

from planner.rebalance.costs import DisruptionCost
from planner.rules import fmt_date

_MONTHS = ("", "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def _month(day: date) -> str:
    return f"{_MONTHS[day.month]} {day.year}"


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def held_for(days: int) -> str:
    """How long, in the words a person would use: "5 weeks", "7 months", "2 years"."""
    if days < 7:
        return _plural(days, "day")
    if days < 8 * 7:
        return _plural(days // 7, "week")
    if days < 730:
        return _plural(max(2, round(days / 30.44)), "month")
    return _plural(days // 365, "year")


def move_reason(dc: DisruptionCost) -> str:
    """Why this move costs the person what it does, in words a person would
    accept (ids, dates and counts only): "NG1025 has been with N1-02 for 2
    years; N1-04 held it until 2025"."""
    if dc.planned:
        return f"a handover to {dc.receiver_id} is already planned"
    case = dc.case_ref or "the case"
    parts: list[str] = []
    if dc.no_contact_yet:
        parts.append(f"{case} has not met {dc.holder_id} yet, so a move now costs the person least")
    elif dc.e:
        week = dc.days_held // 7 + 1
        parts.append(f"{case} has been with {dc.holder_id} for {held_for(dc.days_held)}, a new relationship "
                     f"(week {week} of {dc.early_window_days // 7}) that moving would break")
    else:
        parts.append(f"{case} has been with {dc.holder_id} for {held_for(dc.days_held)}")
    if dc.held_until is not None:
        parts.append(f"{dc.receiver_id} held it until {_month(dc.held_until)}")
    elif dc.last_seen is not None:
        parts.append(f"{dc.receiver_id} saw the person on {fmt_date(dc.last_seen)}")
    else:
        parts.append(f"{dc.receiver_id} has not met the person")
    if dc.sensitive:
        parts.append("counts double (" + ", ".join(s.replace("_", " ") for s in dc.sensitive) + ")")
    if dc.k:
        parts.append(f"{_plural(dc.k, 'change')} of practitioner in the last year")
    return "; ".join(parts)
