"""How a severity looks: a symbol and a word always, colour only on top.

The colour comes from the active theme (error / warning / primary), so the
app reads the same with NO_COLOR, in light and dark themes, and for people
who cannot tell red from green. A theme's colour is made lighter (dark
themes) or darker (light themes) until, as text, it reaches WCAG AA (4.5:1)
on every background the app draws text on; `text_colours` gives them to the
stylesheets as `$severity-high` and so on (tui/app.py get_css_variables).
Under NO_COLOR a severity has no colour: HIGH is bold, never dim. The
highlighted row's background is made to reach 4.5:1 under its text too
(`cursor_background`, as `$block-cursor-background`).
"""

from __future__ import annotations

from typing import Iterable

from rich.style import Style
from rich.text import Text
from textual.color import Color

SEVERITIES = ("high", "medium", "low")  # the ones that count; `info` is a status
SYMBOL = {"high": "▲", "medium": "◆", "low": "○", "info": "·"}
WORD = {"high": "HIGH", "medium": "MED", "low": "LOW", "info": "INFO"}
# Each severity its own hue in both themes (the stock themes' warning and
# accent are the same orange, so LOW takes the theme's primary blue).
THEME_COLOUR = {"high": "error", "medium": "warning", "low": "primary", "info": "foreground"}
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
    "release_coming": "release",  # §11
    "order_ending": "ending",
    "turning_18": "turns 18",
    "no_appointment": "no appt",
    "alliance_low": "feels low",
    "checkin_due": "check-in",
}


# WCAG 2.x AA for text; a little over, so rounding never lands under it.
MIN_CONTRAST = 4.5
_AIM = 4.6
# What the app draws text on: the screen, tables, panels and the strips
# that lay $boost over the screen or a table.
BACKGROUNDS = ("background", "surface", "panel")
BOOSTED = ("background", "surface")
# Theme colours the app writes text in, besides the severities.
TEXT_COLOURS = {"primary": "primary", "success": "success"}


def luminance(colour: Color) -> float:
    """WCAG 2.x relative luminance of an sRGB colour."""
    def linear(channel: int) -> float:
        c = channel / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4
    return 0.2126 * linear(colour.r) + 0.7152 * linear(colour.g) + 0.0722 * linear(colour.b)


def contrast(a: Color, b: Color) -> float:
    light, dark = sorted((luminance(a), luminance(b)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def backgrounds(variables: dict[str, str]) -> list[Color]:
    """The opaque colours text is drawn on, from a theme's CSS variables."""
    screen = Color.parse(variables["background"])
    found = [screen + Color.parse(variables[name]) for name in BACKGROUNDS]
    boost = Color.parse(variables["boost"])
    found += [screen + Color.parse(variables[name]) + boost for name in BOOSTED]
    return found


def readable(colour: Color, grounds: list[Color]) -> Color:
    """`colour`, lightened on a dark theme or darkened on a light one until
    it reaches 4.5:1 on each of `grounds`."""
    dark = sum(luminance(g) for g in grounds) / len(grounds) < 0.18
    shifted = colour
    for step in range(51):
        shifted = colour.lighten(step / 50) if dark else colour.darken(step / 50)
        if min(contrast(shifted, g) for g in grounds) >= _AIM:
            break
    return shifted


def text_colours(variables: dict[str, str]) -> dict[str, str]:
    """`severity-high`... and `readable-primary`...: the theme's colours as
    text that reaches WCAG AA on its backgrounds; and the cursor's
    background (`block-cursor-background`) made to reach it under the
    cursor's text."""
    grounds = backgrounds(variables)
    names = {f"severity-{sev}": variables[theme] for sev, theme in THEME_COLOUR.items()}
    names.update({f"readable-{name}": variables[theme] for name, theme in TEXT_COLOURS.items()})
    found = {name: readable(Color.parse(value), grounds).hex for name, value in names.items()}
    found["block-cursor-background"] = cursor_background(variables).hex
    return found


def cursor_background(variables: dict[str, str]) -> Color:
    """The highlighted row's background (the theme's, primary by default),
    darkened or lightened until its text (`auto`: white or black, as
    Textual picks it) reaches 4.5:1 on it: dark theme's primary blue under
    white text was 3.8:1."""
    screen = Color.parse(variables["background"])
    base = screen + Color.parse(variables["block-cursor-background"])
    ink = variables.get("block-cursor-foreground", "auto 87%")
    for step in range(51):
        ground = base.darken(step / 50) if base.brightness < 0.5 else base.lighten(step / 50)
        word, _, pct = ink.partition(" ")
        text = ground.get_contrast_text(float(pct.rstrip("%") or 100) / 100) if word == "auto" else Color.parse(ink)
        if contrast(ground + text, ground) >= _AIM:
            return ground
    return ground


_BY_THEME: dict[str, dict[str, str]] = {}  # theme name -> its text colours


def colour_of(app, name: str) -> str | None:
    """A text colour of the app's current theme (`severity-high`,
    `readable-success`...); None with no app (unit use) or under NO_COLOR.
    Read from the theme itself, not the stylesheet's variables, which are
    brought up to date only after the widgets hear of a new theme."""
    if getattr(app, "no_color", False):
        return None
    try:
        theme = app.current_theme.name
        if theme not in _BY_THEME:
            _BY_THEME[theme] = text_colours(app.get_css_variables())
        return _BY_THEME[theme][name]
    except Exception:  # no app yet (unit use): plain text
        return None


def label(severity: str) -> str:
    """`▲ HIGH`: the words that carry the meaning without colour."""
    return f"{SYMBOL.get(severity, '?')} {WORD.get(severity, severity.upper())}"


def style_for(app, severity: str, *, bold: bool = True) -> Style:
    """A Rich style coloured from the app's current theme (no fixed hex);
    under NO_COLOR none, and HIGH always bold."""
    colour = colour_of(app, f"severity-{severity if severity in THEME_COLOUR else 'info'}")
    if colour is None and getattr(app, "no_color", False):
        return Style(bold=severity == "high")
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
