"""The continuity figures in words and small charts (SPEC §12): one home for
how a measure is written ("42%", "1.25", "-") and drawn (a Unicode
sparkline), used by the command's table and Markdown pack and by the screen."""

from __future__ import annotations

from statistics import fmean
from typing import Sequence

from sparklines import sparklines

from planner.continuity.report import BETTER, SHARES

#: What stands for "nothing was there to count".
NONE = "-"
#: A trend is "steady" while the later months differ from the earlier by less than this share of the scale.
STEADY = 0.05
#: The scale of each chart: shares and the index from 0 to 1; the others from 0 to their largest value.
_FIXED_SCALE = SHARES | {"continuity_index"}


def format_value(name: str, value: float | int | None) -> str:
    """A figure as shown: shares as whole percentages, the index and changes
    with two decimals, days with one, counts whole; "-" for None."""
    if value is None:
        return NONE
    if name in SHARES:
        return f"{value * 100:.0f}%"
    if name == "early_breaks":
        return str(int(value))
    if name == "days_to_first_contact":
        return f"{value:.1f}"
    return f"{value:.2f}"


def sparkline(name: str, values: Sequence[float | int | None]) -> str:
    """One character a month (a blank where nothing was counted), on the
    measure's scale: 0 to 1 for shares and the index, else 0 to the largest."""
    if all(v is None for v in values):
        return " " * len(values)
    top = 1.0 if name in _FIXED_SCALE else max(max(v for v in values if v is not None), 1e-9)
    return sparklines(list(values), minimum=0, maximum=top)[0]


def trend(name: str, values: Sequence[float | int | None]) -> str:
    """"better", "worse" or "steady": the mean of the last three counted
    months against the first three (fewer when fewer were counted), judged
    by which way is better for the measure; "-" with under two months counted."""
    counted = [float(v) for v in values if v is not None]
    if len(counted) < 2:
        return NONE
    k = max(1, min(3, len(counted) // 2))
    before, after = fmean(counted[:k]), fmean(counted[-k:])
    scale = 1.0 if name in _FIXED_SCALE else max(max(abs(v) for v in counted), 1e-9)
    if abs(after - before) < STEADY * scale:
        return "steady"
    rising = after > before
    return "better" if rising == (BETTER[name] == "up") else "worse"


__all__ = ["NONE", "format_value", "sparkline", "trend"]
