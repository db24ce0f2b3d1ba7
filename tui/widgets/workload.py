"""How a practitioner's workload is drawn, wherever it is shown (the team
screen, the rebalance screen): the capacity band's colour on top of its
word, the capacity bar, warning counts by severity, names cut to a width."""

from __future__ import annotations

from rich.style import Style
from rich.text import Text

from tui.team_data import capacity_bar
from tui.widgets import severity

BAND_SEVERITY = {"red": "high", "amber": "medium"}  # green: the theme's success colour


def band_style(app, band: str) -> Style:
    """The band's colour from the theme (on top of the word, never instead)."""
    if band in BAND_SEVERITY:
        return severity.style_for(app, BAND_SEVERITY[band], bold=band == "red")
    return Style(color=severity.colour_of(app, "readable-success"))


def capacity_text(app, load, *, width: int = 10) -> Text:
    """`██████████▶ 125% OVER`: bar, percent and band word."""
    text = Text()
    style = band_style(app, load.band)
    text.append(capacity_bar(load.capacity_pct, width), style=style)
    text.append(f" {load.pct_text:>4} ")
    text.append(f"{load.band_short:<4}", style=style)
    return text


def warning_counts(app, counts: dict, *, words: bool = False) -> Text:
    """`▲2 ◆1 ○17` (symbols always; `▲ HIGH 2` with words); zeros dimmed."""
    text = Text()
    for i, sev in enumerate(severity.SEVERITIES):
        n = counts.get(sev, 0)
        if i:
            text.append(" ")
        shown = f"{severity.label(sev)} {n}" if words else f"{severity.SYMBOL[sev]}{n}"
        text.append(shown, style=severity.style_for(app, sev) if n else Style(dim=True))
    return text


def short(text: str, width: int) -> str:
    """The text cut to `width` characters, with `…` when cut."""
    return text if len(text) <= width else text[: width - 1] + "…"


def points_text(load) -> str:
    return f"{load.points:.0f}/{load.available_points:.0f}"
