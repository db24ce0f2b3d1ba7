"""The caseload table: one row per case, worst first.

Data goes down (`show(rows)`), messages go up (`CaseTable.CaseSelected`).
The table does not know how rows are filtered or sorted; the screen does.
"""

from __future__ import annotations

from datetime import date
from typing import Sequence

from rich.text import Text
from textual import on
from textual.binding import Binding
from textual.message import Message
from textual.widgets import DataTable

from tui.widgets import severity

# What a practitioner plans with comes first, so it fits in 80 columns.
COLUMNS = (
    ("ref", "Ref"),
    ("name", "Name"),
    ("warnings", "Warnings"),
    ("last_seen", "Last seen"),
    ("next", "Next appt"),
    ("relationship", "Relationship"),
    ("level", "Level"),
    ("handover", "Handover"),
)


def short_date(d: date | None, as_of: date | None = None) -> str:
    if d is None:
        return "—"
    if as_of is not None and d.year != as_of.year:
        return d.strftime("%d %b %y")
    return d.strftime("%d %b")


def since(d: date | None, as_of: date) -> str:
    if d is None:
        return "never"
    days = (as_of - d).days
    return f"{short_date(d, as_of)} (today)" if days == 0 else f"{short_date(d, as_of)} ({days}d)"


class CaseTable(DataTable):
    """A DataTable of `tui.data.CaseRow`s keyed by case ref."""

    DEFAULT_CSS = """
    CaseTable { height: 1fr; }
    CaseTable > .datatable--cursor { text-style: bold reverse; }
    """

    BINDINGS = [
        Binding("enter", "select_cursor", "Open case", id="table.open", show=False),
    ]

    class CaseSelected(Message):
        """The user chose a case (Enter or click)."""

        def __init__(self, case_ref: str) -> None:
            self.case_ref = case_ref
            super().__init__()

    class CaseHighlighted(Message):
        def __init__(self, case_ref: str | None) -> None:
            self.case_ref = case_ref
            super().__init__()

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes, cursor_type="row", zebra_stripes=True)
        self.show_worker = False
        self._rows: list = []
        self._privacy = False
        self._as_of: date | None = None

    def on_mount(self) -> None:
        self._add_columns()

    def _add_columns(self) -> None:
        self.clear(columns=True)
        for key, title in COLUMNS:
            self.add_column(title, key=key)
            if key == "name" and self.show_worker:
                self.add_column("Worker", key="worker")

    @property
    def selected_ref(self) -> str | None:
        if not self.row_count:
            return None
        try:
            key = self.coordinate_to_cell_key(self.cursor_coordinate).row_key
        except Exception:
            return None
        return key.value if key else None

    def show(self, rows: Sequence, *, as_of: date, privacy: bool, show_worker: bool = False) -> None:
        """Replace the rows, keeping the cursor on the same case if it is still shown."""
        keep = self.selected_ref
        self._rows = list(rows)
        privacy_changed = privacy != self._privacy
        self._privacy = privacy
        self._as_of = as_of
        if show_worker != self.show_worker or privacy_changed:
            # New columns so widths fit what is shown (initials give no hint of name lengths).
            self.show_worker = show_worker
            self._add_columns()
        else:
            self.clear()
        for row in self._rows:
            self.add_row(*self._cells(row, as_of, privacy), key=row.case_ref)
        if keep is not None and keep in self.rows:
            self.move_cursor(row=self.get_row_index(keep), animate=False)
        elif self.row_count:
            self.move_cursor(row=0, animate=False)

    def restyle(self) -> None:
        """Rebuild the cells (theme or privacy changed)."""
        if self._as_of is not None:
            self.show(self._rows, as_of=self._as_of, privacy=self._privacy, show_worker=self.show_worker)

    def _cells(self, row, as_of: date, privacy: bool) -> list:
        name = row.initials if privacy else row.display_name
        cells: list = [
            Text(row.case_ref, style="bold"),
            Text(name),
        ]
        if self.show_worker:
            cells.append(Text(row.practitioner_id or "—"))
        cells += [
            severity.warnings_cell(self.app, row.warnings),
            Text(since(row.last_seen, as_of)),
            Text(short_date(row.next_appointment, as_of) if row.next_appointment else "none"),
            Text(row.relationship),
            Text(row.contact_level + (f" {row.tier}" if row.tier else "")),
            Text(row.handover or ""),
        ]
        return cells

    @on(DataTable.RowSelected)
    def _selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        if event.row_key is not None and event.row_key.value:
            self.post_message(self.CaseSelected(event.row_key.value))

    @on(DataTable.RowHighlighted)
    def _highlighted(self, event: DataTable.RowHighlighted) -> None:
        event.stop()
        self.post_message(self.CaseHighlighted(event.row_key.value if event.row_key else None))
