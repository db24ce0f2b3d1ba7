"""The strip above the caseload table: counts by severity, capacity, filters."""

from __future__ import annotations

from rich.text import Text

from tui.widgets import severity
from tui.widgets.plain import Static


def capacity_band(pct: float | None, policy=None) -> str:
    """The docs/rebalancing.md band as a word (OK, FULL, OVER), with the policy's thresholds."""
    from planner.policy import DEFAULT_POLICY
    from planner.workload import BAND_SHORT, band

    if pct is None:
        return ""
    return BAND_SHORT[band(pct, policy or DEFAULT_POLICY)]


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
            band = capacity_band(capacity_pct, getattr(self.app, "policy", None))
            style = severity.style_for(self.app, "high" if band == "OVER" else
                                       "medium" if band == "FULL" else "low", bold=False)
            text.append(" │ capacity ")
            text.append(f"{capacity_pct:.0f}% {band}", style=style)
        if sort != "risk":
            text.append(f" │ sort: {sort}")
        if filter_text:
            text.append(f" │ filter: “{filter_text}”")
        if rule:
            text.append(f" │ rule: {rule}")
        self.update(text)
