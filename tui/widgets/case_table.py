"""The caseload table: one row per case, worst first.

Data goes down (`show(rows)`), messages go up (`CaseTable.CaseSelected`).
The table does not know how rows are filtered or sorted; the screen does.

Filtering shows the same rows again and again, one keystroke at a time, so
the table keeps what each row costs between calls of `show`: its cells, its
measured width, its cells' rendering. Those shortcuts go under DataTable's
public surface (textual is pinned exactly); tests/tui/test_filter_latency_
behaviour.py compares the result with DataTable's own on every run.
"""

from __future__ import annotations

from datetime import date
from typing import Sequence

from rich.padding import Padding
from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual import on
from textual.binding import Binding
from textual.geometry import Size
from textual.message import Message
from textual.widgets import DataTable
from textual.widgets.data_table import DuplicateKey, Row, RowKey

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
        self._theme: str | None = None
        # Filtering re-shows the same rows again and again, so what each row
        # costs is kept between calls of `show` (see `_forget_cells`):
        self._kept: dict[str, tuple] = {}  # case ref -> (row, row key, its cells by column, Row)
        self._measured: set[str] = set()  # refs whose cells the column widths already count
        self._shown: list | None = None  # the rows in the table now, in order
        # (row key, column key, width) -> (cell, its lines before the row's styles)
        self._plain_lines: dict[tuple, tuple[object, list]] = {}

    def on_mount(self) -> None:
        self._add_columns()

    def _add_columns(self) -> None:
        self.clear(columns=True)
        for key, title in COLUMNS:
            self.add_column(title, key=key)
            if key == "name" and self.show_worker:
                self.add_column("Worker", key="worker")

    def clear(self, columns: bool = False) -> CaseTable:
        if columns:
            self._measured.clear()  # new columns start at the width of their titles
            self._plain_lines.clear()
        self._shown = None
        return super().clear(columns)

    def _forget_cells(self) -> None:
        """Drop the kept cells: what they show (names or initials, the theme's
        colours, days since `as_of`) has changed."""
        self._kept.clear()
        self._measured.clear()
        self._plain_lines.clear()
        self._shown = None

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
        rows = list(rows)
        privacy_changed = privacy != self._privacy
        theme = self.app.theme  # the warnings' colours come from it
        if privacy_changed or as_of != self._as_of or show_worker != self.show_worker or theme != self._theme:
            self._forget_cells()
            self._theme = theme
        self._rows = rows
        if self._shown is not None and len(rows) == len(self._shown) and all(
                a is b for a, b in zip(rows, self._shown)):
            # The same rows in the same order (a keystroke that matched no more
            # and no fewer): nothing to repaint. The filter box may have just
            # taken a line from the table, so keep the cursor in view.
            self.call_after_refresh(self._scroll_cursor_into_view)
            return
        keep = self.selected_ref
        self._privacy = privacy
        self._as_of = as_of
        if show_worker != self.show_worker or privacy_changed:
            # New columns so widths fit what is shown (initials give no hint of name lengths).
            self.show_worker = show_worker
            self._add_columns()
        else:
            self.clear()
        self._fill(rows)
        if keep is not None and keep in self.rows:
            self.move_cursor(row=self.get_row_index(keep), animate=False, scroll=False)
        elif self.row_count:
            self.move_cursor(row=0, animate=False, scroll=False)
        # Scroll now rather than only after the next frame (what move_cursor
        # does while the new rows are unmeasured), so the rows around the
        # cursor are the ones painted first, and painted once; and again
        # after it, in case the table's height changed meanwhile.
        self._scroll_cursor_into_view()
        self.call_after_refresh(self._scroll_cursor_into_view)

    def _fill(self, rows: list) -> None:
        """Put `rows` into the cleared table in one go.

        What `DataTable.add_row` does for each row, less what only matters
        one row at a time (re-validating the cursor, refreshing the row's
        region, an idle check): 691 rows take 1 ms instead of 17. Rows whose
        cells were measured before under the same columns are not measured
        again on idle: column widths only grow until the columns are
        replaced, so measuring them again (10 ms per 100 rows) would change
        nothing."""
        column_keys = [column.key for column in self.ordered_columns]
        locations, data, table_rows = self._row_locations, self._data, self.rows
        new_rows, measured, kept_of = self._new_rows, self._measured, self._kept
        for index, row in enumerate(rows):
            kept = kept_of.get(row.case_ref)
            if kept is None or (kept[0] is not row and kept[0] != row):
                kept = self._keep(row, column_keys)
            _row, key, cells, table_row = kept
            locations[key] = index
            data[key] = cells
            table_rows[key] = table_row
            if row.case_ref not in measured:
                new_rows.add(key)
        if len(table_rows) != len(rows):
            raise DuplicateKey("Two rows have the same case ref.")
        self._shown = rows
        self._require_update_dimensions = True
        self._update_count += 1
        # The virtual height now (the widths follow on idle), so the cursor
        # can be scrolled to before the next frame.
        header = self.header_height if self.show_header else 0
        self.virtual_size = Size(self.virtual_size.width, len(rows) + header)
        self._scroll_update(self.virtual_size)  # the scrollbars too, so they repaint in the same frame
        if rows and self.show_cursor and self.cursor_type != "none":
            self._highlight_cursor()  # as add_row does for a first row
        self.check_idle()

    def _scroll_update(self, virtual_size: Size) -> None:
        """Widget._scroll_update without its two `refresh()` calls.

        The screen calls this on every layout (a keystroke in the filter box
        is one), and Textual refreshes both scrollbars each time whether or
        not they changed: a repaint that costs a frame of its own, 17 to 33 ms
        after the keystroke's. The scrollbars' reactives repaint them when
        their sizes do change (`_fill` sets them before the frame)."""
        self._refresh_scrollbars()
        width, height = self.container_size
        if self.show_vertical_scrollbar and self.styles.scrollbar_size_vertical:
            self.vertical_scrollbar.window_virtual_size = virtual_size.height
            self.vertical_scrollbar.window_size = height - self.scrollbar_size_horizontal
        if self.show_horizontal_scrollbar and self.styles.scrollbar_size_horizontal:
            self.horizontal_scrollbar.window_virtual_size = virtual_size.width
            self.horizontal_scrollbar.window_size = width - self.scrollbar_size_vertical
        self.scroll_x = self.validate_scroll_x(self.scroll_x)
        self.scroll_y = self.validate_scroll_y(self.scroll_y)

    def _update_dimensions(self, new_rows) -> None:
        new_rows = list(new_rows)
        super()._update_dimensions(new_rows)
        self._measured.update(key.value for key in new_rows if key in self.rows)

    def _render_cell(self, row_index: int, column_index: int, base_style: Style, width: int,
                     cursor: bool = False, hover: bool = False) -> list:
        """DataTable._render_cell, with each cell's own lines kept between updates.

        DataTable renders each cell through Rich afresh after every change
        to the rows (its caches are keyed by an update count, and the lines
        carry the row's index for the mouse): 45 ms for a screenful of rows
        at 120x40. The part that depends on the cell alone, its padded lines
        at this width, is kept here; the row's style, the cursor's and the
        row index are applied to them per render, as Rich's `Styled` does
        (`Segment.apply_style`): 15 ms for the same screenful. Header and
        fixed cells, and rows of other heights, go DataTable's way."""
        if (row_index < self.fixed_rows or column_index < self.fixed_columns
                or row_index < 0 or column_index < 0):
            return super()._render_cell(row_index, column_index, base_style, width, cursor, hover)
        row_key = self._row_locations.get_key(row_index)
        column_key = self._column_locations.get_key(column_index)
        cache_key = (row_key, column_key, base_style, cursor, hover, self._show_hover_cursor,
                     self._update_count, self._pseudo_class_state)
        lines = self._cell_render_cache.get(cache_key)
        if lines is not None:
            return lines
        if self.rows[row_key].height != 1:
            return super()._render_cell(row_index, column_index, base_style, width, cursor, hover)
        cell = self._get_row_renderables(row_index).cells[column_index]
        kept = self._plain_lines.get((row_key, column_key, width))
        if kept is None or kept[0] is not cell:
            options = self.app.console_options.update_dimensions(width, 1).update(no_wrap=True)
            plain = self.app.console.render_lines(Padding(cell, (0, self.cell_padding)), options)
            kept = self._plain_lines[row_key, column_key, width] = (cell, plain)
        component_style, post_style = self._get_styles_to_render_cell(
            False, False, False, hover, cursor, self.show_cursor, self._show_hover_cursor,
            self.cursor_foreground_priority == "css", self.cursor_background_priority == "css",
        )
        style = base_style + Style.from_meta({"row": row_index, "column": column_index}) + component_style
        lines = [list(Segment.apply_style(line, style, post_style)) for line in kept[1]]
        self._cell_render_cache[cache_key] = lines
        return lines

    def restyle(self) -> None:
        """Rebuild the cells (theme or privacy changed)."""
        self._forget_cells()
        if self._as_of is not None:
            self.show(self._rows, as_of=self._as_of, privacy=self._privacy, show_worker=self.show_worker)

    def _keep(self, row, column_keys: list) -> tuple:
        """What `_fill` puts in the table for `row`, built once per row until `_forget_cells`."""
        key = RowKey(row.case_ref)
        cells = dict(zip(column_keys, self._cells(row, self._as_of, self._privacy)))
        kept = self._kept[row.case_ref] = (row, key, cells, Row(key, 1))
        self._measured.discard(row.case_ref)
        return kept

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
