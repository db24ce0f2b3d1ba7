"""A contact timeline as a picture: one cell per week, oldest on the left.

    Jun     Jul       Aug       Sep ...
    ● ● · · ✕ ● · · · · · ● ...  ◇
    ● seen  ✕ missed  ○ cancelled / other  · none  ◇ booked

Characters carry the meaning; colour only helps. A long run of `·` is the gap.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Iterable

from rich.text import Text

from planner.words import plural
from tui.widgets import severity
from tui.widgets.plain import Static


SEEN, MISSED, OTHER, NONE, BOOKED = "●", "✕", "○", "·", "◇"
LEGEND = f"{SEEN} seen  {MISSED} missed  {OTHER} cancelled/other  {NONE} none  {BOOKED} booked"


def week_start(d: date) -> date:
    return d - timedelta(days=d.weekday())


def week_cells(contacts: Iterable, as_of: date, weeks: int = 26) -> list[tuple[date, str]]:
    """(monday, symbol) for each of the last `weeks` weeks, this week last.

    A week with a meaningful contact is `●`; else a missed one `✕`; else any
    other contact `○`; else `·`. Contacts after `as_of` are ignored."""
    this_week = week_start(as_of)
    starts = [this_week - timedelta(weeks=n) for n in range(weeks - 1, -1, -1)]
    rank = {SEEN: 0, MISSED: 1, OTHER: 2, NONE: 3}
    cell = {s: NONE for s in starts}
    first = starts[0]
    for c in contacts:
        if c.contact_date > as_of or c.contact_date < first:
            continue
        if c.meaningful:
            sym = SEEN
        elif c.outcome == "missed":
            sym = MISSED
        else:
            sym = OTHER
        wk = week_start(c.contact_date)
        if rank[sym] < rank[cell[wk]]:
            cell[wk] = sym
    return [(s, cell[s]) for s in starts]


def longest_gap(cells: list[tuple[date, str]]) -> int:
    best = run = 0
    for _, sym in cells:
        run = run + 1 if sym != SEEN else 0
        best = max(best, run)
    return best


class ContactTimeline(Static):
    """Give it contacts, booked dates and the as-of date; it draws the strip."""

    DEFAULT_CSS = """
    ContactTimeline { height: auto; padding: 0 1; }
    """

    def show(self, contacts: Iterable, booked: Iterable[date], as_of: date, weeks: int = 26) -> None:
        cells = week_cells(contacts, as_of, weeks)
        months = Text()
        strip = Text()
        last_month = None
        for i, (monday, sym) in enumerate(cells):
            label = monday.strftime("%b") if monday.month != last_month else ""
            last_month = monday.month
            if label and len(months.plain) <= i * 2:
                months.append(" " * (i * 2 - len(months.plain)))
                months.append(label, style="dim")
            style = None
            if sym == SEEN:
                style = severity.style_for(self.app, "low", bold=False)
            elif sym == MISSED:
                style = severity.style_for(self.app, "high")
            strip.append(sym, style=style)
            strip.append(" ")
        upcoming = sorted(d for d in booked if d >= as_of)
        strip.append("│ ")
        if upcoming:
            strip.append(f"{BOOKED} {upcoming[0].strftime('%d %b')}")
        else:
            strip.append("no booking", style="dim")
        gap = longest_gap(cells)
        summary = Text(f"26 weeks to w/c {cells[-1][0].strftime('%d %b')}, oldest left; "
                       f"longest run without being seen: {plural(gap, 'week')}",
                       style="dim")
        self.update(Text("\n").join([months, strip, Text(LEGEND, style="dim"), summary]))
