"""The strip above the caseload table: counts by severity, capacity, filters."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Static

from tui.widgets import severity


def capacity_band(pct: float | None) -> str:
    """SPEC §5 bands in words: < 90 ok, 90-110 near full, > 110 over."""
    if pct is None:
        return ""
    if pct < 90:
        return "ok"
    if pct <= 110:
        return "near full"
    return "OVER"


class SummaryStrip(Static):
    DEFAULT_CSS = """
    SummaryStrip {
        height: auto;
        padding: 0 1;
        background: $boost;
    }
    """

    def show(self, *, counts: dict[str, int], cases: int, shown: int, capacity_pct: float | None,
             filter_text: str = "", rule: str | None = None, sort: str = "risk") -> None:
        text = Text()
        for sev in severity.SEVERITIES:
            text.append(f"{severity.label(sev)} {counts.get(sev, 0)}",
                        style=severity.style_for(self.app, sev))
            text.append("  ")
        text.append("│ ")
        text.append(f"{cases} cases" if shown == cases else f"{shown} of {cases} cases")
        if capacity_pct is not None:
            band = capacity_band(capacity_pct)
            style = severity.style_for(self.app, "high" if band == "OVER" else
                                       "medium" if band == "near full" else "low", bold=False)
            text.append(" │ capacity ")
            text.append(f"{capacity_pct:.0f}% {band}", style=style)
        if sort != "risk":
            text.append(f" │ sort: {sort}")
        if filter_text:
            text.append(f" │ filter: “{filter_text}”")
        if rule:
            text.append(f" │ rule: {rule}")
        self.update(text)
