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

    SEPARATOR = " │ "
    _phrases: list[Text] | None = None

    def show(self, *, counts: dict[str, int], cases: int, shown: int, capacity_pct: float | None,
             filter_text: str = "", rule: str | None = None, sort: str = "risk") -> None:
        counted = Text()
        for sev in severity.SEVERITIES:
            if counted:
                counted.append("  ")
            counted.append(f"{severity.label(sev)} {counts.get(sev, 0)}",
                           style=severity.style_for(self.app, sev))
        phrases = [counted, Text(f"{cases} cases" if shown == cases else f"{shown} of {cases} cases")]
        if capacity_pct is not None:
            band = capacity_band(capacity_pct, getattr(self.app, "policy", None))
            style = severity.style_for(self.app, "high" if band == "OVER" else
                                       "medium" if band == "FULL" else "low", bold=False)
            phrases.append(Text("capacity ").append(f"{capacity_pct:.0f}% {band}", style=style))
        if sort != "risk":
            phrases.append(Text(f"sort: {sort}"))
        if filter_text:
            phrases.append(Text(f"filter: “{filter_text}”"))
        if rule:
            phrases.append(Text(f"rule: {rule}"))
        self._lay_out(phrases)

    def update(self, content="", *, layout: bool = True) -> None:
        self._phrases = None  # a message of its own: nothing to lay out again on resize
        super().update(content, layout=layout)

    def _lay_out(self, phrases: list[Text]) -> None:
        """The phrases on one line, separated by `│`; where the line is too
        narrow, a new line at a separator, never inside a phrase."""
        width = self.content_region.width or 10 ** 6
        text, line = Text(), 0
        for phrase in phrases:
            if line and line + len(self.SEPARATOR) + phrase.cell_len > width:
                text.append("\n")
                line = 0
            elif line:
                text.append(self.SEPARATOR)
                line += len(self.SEPARATOR)
            text.append_text(phrase)
            line += phrase.cell_len
        super().update(text)
        self._phrases = phrases

    def on_resize(self) -> None:
        if self._phrases is not None:
            self._lay_out(self._phrases)
