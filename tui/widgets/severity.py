"""How a severity looks: a symbol and a word always, colour only on top.

The colour comes from the active theme (error / warning / accent), so the
app reads the same with NO_COLOR, in light and dark themes, and for people
who cannot tell red from green.
"""

from __future__ import annotations

from typing import Iterable

from rich.style import Style
from rich.text import Text

SEVERITIES = ("high", "medium", "low")  # the ones that count; `info` is a status
SYMBOL = {"high": "▲", "medium": "◆", "low": "○", "info": "·"}
WORD = {"high": "HIGH", "medium": "MED", "low": "LOW", "info": "INFO"}
THEME_COLOUR = {"high": "error", "medium": "warning", "low": "accent", "info": "foreground"}
RANK = {"high": 0, "medium": 1, "low": 2, "info": 3}

# Short names for the table column; the full title and detail are on the case screen.
SHORT_RULE = {
    "contact_overdue": "overdue",
    "contact_due": "due",
    "relationship_gap": "own gap",
    "first_contact": "1st contact",
    "early_window": "new",
    "early_break": "early break",
    "handover_upcoming": "handover",
    "handover_unplanned": "unplanned",
    "cold_handover": "cold h/o",
    "practitioner_churn": "churn",
    "missed_appointments": "missed",
    "practitioner_cancelled": "we cancelled",
    "cover_needed": "cover",
    "no_appointment": "no appt",
}


def label(severity: str) -> str:
    """`▲ HIGH`: the words that carry the meaning without colour."""
    return f"{SYMBOL.get(severity, '?')} {WORD.get(severity, severity.upper())}"


def style_for(app, severity: str, *, bold: bool = True) -> Style:
    """A Rich style coloured from the app's current theme (no fixed hex)."""
    colour = None
    try:
        theme = app.current_theme
        colour = getattr(theme, THEME_COLOUR.get(severity, "foreground"), None)
    except Exception:  # no app yet (unit use): plain text
        colour = None
    return Style(color=colour, bold=bold and severity == "high")


def styled(app, severity: str, text: str) -> Text:
    return Text(text, style=style_for(app, severity))


def sort_warnings(warnings: Iterable) -> list:
    return sorted(warnings, key=lambda w: (RANK.get(w.severity, 9), w.rule))


def warnings_cell(app, warnings: Iterable, *, width_hint: int = 0) -> Text:
    """`▲ HIGH overdue +2`: the worst warning in words, the rest counted;
    statuses (info) are not warnings and are left out."""
    ordered = sort_warnings(w for w in warnings if w.severity in SEVERITIES)
    if not ordered:
        return Text("—  none", style=Style(dim=True))
    worst = ordered[0]
    text = Text()
    text.append(f"{label(worst.severity)} {SHORT_RULE.get(worst.rule, worst.rule)}",
                style=style_for(app, worst.severity))
    rest = ordered[1:]
    if rest:
        others = ", ".join(SHORT_RULE.get(w.rule, w.rule) for w in rest[:2])
        more = f" +{len(rest) - 2}" if len(rest) > 2 else ""
        text.append(f"; {others}{more}")
    return text
