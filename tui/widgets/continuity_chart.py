"""One continuity measure by month as a terminal chart (SPEC §12): the team's
line and one practitioner's beside it, drawn by textual-plotext (pinned in
pyproject.toml). Lines differ by marker shape and are named in the legend,
so the chart reads with NO_COLOR; months with nothing to count are left out
of a line, not drawn as zero."""

from __future__ import annotations

from textual_plotext import PlotextPlot

from planner.continuity import MEASURE_TITLES, SHARES

TEAM_MARKER = "●"
PRACTITIONER_MARKER = "◆"
#: Shares and the index are drawn from 0 to 100 (per cent) or 0 to 1.
_FIXED = {name: (0, 100) for name in SHARES} | {"continuity_index": (0, 1)}


_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def _month_word(label: str, *, with_year: bool) -> str:
    """"2025-12" -> "Dec" (or "Dec 25" with the year)."""
    word = _MONTHS[int(label[5:7]) - 1]
    return f"{word} {label[2:4]}" if with_year else word


def _scaled(name: str, values):
    return [None if v is None else (v * 100 if name in SHARES else float(v)) for v in values]


class ContinuityChart(PlotextPlot):
    """`show(name, labels, team, practitioner_id, theirs)` draws a measure."""

    DEFAULT_CSS = """
    ContinuityChart {
        height: 1fr;
        min-height: 8;
    }
    """

    shown: tuple[str, str | None] | None = None  # (measure, practitioner) last drawn

    def show(self, name: str, labels: list[str], team: list, practitioner_id: str | None, theirs: list | None) -> None:
        plt = self.plt
        plt.clear_data()
        plt.clear_figure()
        xs = list(range(1, len(labels) + 1))
        lines = [("team", team, TEAM_MARKER)]
        if practitioner_id is not None and theirs is not None:
            lines.append((practitioner_id, theirs, PRACTITIONER_MARKER))
        for label, values, marker in lines:
            points = [(x, y) for x, y in zip(xs, _scaled(name, values)) if y is not None]
            if points:
                plt.plot([p[0] for p in points], [p[1] for p in points], marker=marker,
                         label=f"{marker} {label}")
        # month ticks: every other month fits 80 columns ("Dec 25", "Feb", "Apr"...)
        step = 1 if len(labels) <= 6 else 2
        ticks = xs[::step]
        plt.xticks(ticks, [_month_word(labels[i - 1], with_year=i == 1 or labels[i - 1].endswith("-01"))
                           for i in ticks])
        low, high = _FIXED.get(name, (0, None))
        if high is None:
            counted = [v for _, values, _ in lines for v in _scaled(name, values) if v is not None]
            high = max(counted + [1.0]) * 1.1
        plt.ylim(low, high)
        plt.xlim(0.5, len(labels) + 0.5)
        unit = " (%)" if name in SHARES else ""
        plt.title(f"{MEASURE_TITLES[name]}{unit}")
        self.shown = (name, practitioner_id)
        self.refresh()
