"""Parts of a case drawn the same way wherever a case is shown in full: the
case screen and the supervision screen's case panel.

Plain Rich renderables for a `Static`; the severity words come from
`tui.widgets.severity`, so a warning never depends on colour alone.
"""

from __future__ import annotations

from datetime import date
from typing import Callable, Iterable, Sequence

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from planner.words import ordinal, span
from tui.text import plain
from tui.widgets import severity


def warnings_block(app, warnings: Sequence) -> RenderableType:
    """`Warnings (n)` and, worst first, each warning's severity in words, its
    title, rule id, detail and what to do (`→ action`); a tick line when there
    are none; then the statuses (info: "new: week 3 of 12"), not counted."""
    counted = [w for w in warnings if w.severity in severity.SEVERITIES]
    statuses = [w for w in warnings if w.severity not in severity.SEVERITIES]
    parts: list[RenderableType] = []
    if not counted:
        parts.append(Text("✓ No warnings on this case."))
    else:
        table = Table.grid(padding=(0, 1))
        table.add_column(no_wrap=True, width=7)
        table.add_column()
        for w in severity.sort_warnings(counted):
            body = Text()
            body.append(plain(w.title), style="bold")
            body.append(f"  [{w.rule}]\n", style="dim")
            body.append(plain(w.detail))
            if w.action:
                body.append("\n→ ", style="bold")
                body.append(plain(w.action), style="bold")
            table.add_row(Text(severity.label(w.severity), style=severity.style_for(app, w.severity)), body)
        parts += [Text(f"Warnings ({len(counted)})", style="bold"), table]
    for s in statuses:
        line = Text()
        line.append(f"{severity.label(s.severity)} ", style=severity.style_for(app, s.severity))
        line.append(plain(s.facts.get("tag") or s.title), style="bold")
        line.append(f"  [{s.rule}]", style="dim")
        if s.action:
            line.append(f" → {plain(s.action)}")
        parts.append(line)
    return Group(*parts)


def allocations_table(allocations: Iterable, as_of: date, person: Callable[[str], str]) -> Table:
    """The continuity chain: every allocation, oldest first, with its dates,
    how long it lasted (to `as_of` for the current one) and why it ended."""
    table = Table.grid(padding=(0, 1))
    table.add_column(no_wrap=True)
    table.add_column(no_wrap=True)
    table.add_column()
    for i, a in enumerate(allocations, start=1):
        end = a.end_date or as_of
        when = f"{a.start_date:%d %b %Y} – {'now' if a.end_date is None else f'{a.end_date:%d %b %Y}'}"
        marker = "●" if a.end_date is None else "○"
        reason = f" · {a.reason}" if a.reason else ""
        # Text, not str: a Table reads a str cell as Rich markup
        table.add_row(f"{marker} {ordinal(i)}", Text(plain(person(a.practitioner_id))),
                      Text(plain(f"{when} ({span((end - a.start_date).days)}){reason}")))
    return table
