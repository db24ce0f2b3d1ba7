"""A DataTable's rows put in again after new data (the team, handovers,
departures and rebalance screens): one way to keep the cursor where it was."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from textual.widgets import DataTable


def refill(table: DataTable, rows: Iterable[tuple[Sequence[Any], str]]) -> int:
    """Put `rows`, (cells, key) pairs, in place of the table's rows, the
    cursor on the same row number as before (the last row when there are
    fewer now); returns how many rows there are."""
    keep = table.cursor_row
    table.clear()
    count = 0
    for row_cells, key in rows:
        table.add_row(*row_cells, key=key)
        count += 1
    if count:
        table.move_cursor(row=min(max(keep, 0), count - 1))
    return count
