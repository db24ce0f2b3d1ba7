"""The caseload table: one row per case, worst first.

Data goes down (`show(rows)`), messages go up (`CaseTable.CaseSelected`).
The table does not know how rows are filtered or sorted; the screen does.

Filtering shows the same rows again and again, one keystroke at a time, so
the table keeps what each row costs between calls of `show`: its cells, its
measured width, its cells' rendering. And it measures and renders its cells,
one-line Texts, the short way rather than through Rich's general machinery
(see "measuring and rendering" below): the first screenful at start-up and
each page down render a screenful of new rows. Those shortcuts go under
DataTable's public surface (textual is pinned exactly); tests/tui/test_filter_
latency_behaviour.py and tests/tui/test_case_table_render.py compare the
result with DataTable's own on every run.
"""

from __future__ import annotations

from datetime import date
from itertools import chain
from typing import Sequence

from rich.cells import cell_len
from rich.padding import Padding
from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual import on
from textual.binding import Binding
from textual._segment_tools import line_crop
from textual.cache import LRUCache
from textual.geometry import Region, Size
from textual.message import Message
from textual.render import measure
from textual.strip import Strip
from textual.widgets import DataTable
from textual.widgets.data_table import DuplicateKey, Row, RowKey

from tui.text import plain
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


class _Frame:
    """What every data row of the frame being rendered shares, worked out
    once per frame: DataTable works it out again for each line or cell."""

    __slots__ = ("fast", "column_keys", "widths", "remaining", "css_foreground", "css_background",
                 "zebra", "row_styles", "state", "rich_style", "top", "scroll_x", "scroll_y", "width")

    def __init__(self, table: CaseTable) -> None:
        columns = table.ordered_columns
        self.column_keys = [column.key for column in columns]
        self.widths = tuple(column.get_render_width(table) for column in columns)
        # data rows go CaseTable's way (`_row_line_key`) in this table's
        # configuration, DataTable's in any other
        self.fast = (table.cursor_type == "row" and not table.fixed_rows and not table.fixed_columns
                     and not table._should_render_row_labels)
        width, _height = table.size
        self.width = width
        self.remaining = max(0, width - sum(self.widths))
        self.css_foreground = table.cursor_foreground_priority == "css"
        self.css_background = table.cursor_background_priority == "css"
        self.zebra = table.zebra_stripes
        self.row_styles: dict[int, Style] = {}  # by the row index's parity
        self.state = (table.show_cursor, table._show_hover_cursor, table._update_count,
                      table._pseudo_class_state, width, self.widths, self.remaining,
                      self.css_foreground, self.css_background, self.zebra)
        self.rich_style = table.rich_style
        self.scroll_x, self.scroll_y = table.scroll_offset
        top = table.header_height if table.show_header else 0
        if table.fixed_rows:
            top += sum(table.get_row_height(table._row_locations.get_key(index))
                       for index in range(table.fixed_rows))
        self.top = top

    def row_style(self, table: CaseTable, row_index: int, base_style: Style) -> Style:
        """`DataTable._get_row_style` of a (not fixed) data row."""
        if not self.zebra:
            return base_style
        parity = row_index % 2
        style = self.row_styles.get(parity)
        if style is None:
            style = self.row_styles[parity] = table._get_row_style(row_index, base_style)
        return style


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
        # A data row's rendered line by what it depends on (see `_render_line`);
        # made before DataTable's constructor, which clears the caches.
        self._row_strips: LRUCache[tuple, Strip] = LRUCache(1024)
        self._frame: _Frame | None = None  # what every row of the frame being rendered shares
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
        # Titles as Text: a str goes through Rich's markup, whose first use
        # imports its emoji table (6 ms before the first query can start).
        self.clear(columns=True)
        for key, title in COLUMNS:
            self.add_column(Text(title), key=key)
            if key == "name" and self.show_worker:
                self.add_column(Text("Worker"), key="worker")

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
        region, an idle check): 691 rows take 1 ms instead of 17. The rows'
        cells are measured now rather than on idle (DataTable's way), so
        the next frame has the columns' widths whichever comes first, the
        frame or idle (a first screenful painted before idle showed every
        column at the width of its title, then again); and rows whose cells
        were measured before under the same columns are not measured again:
        column widths only grow until the columns are replaced, so
        measuring them again would change nothing."""
        column_keys = [column.key for column in self.ordered_columns]
        locations, data, table_rows = self._row_locations, self._data, self.rows
        measured, kept_of = self._measured, self._kept
        unmeasured = []
        for index, row in enumerate(rows):
            kept = kept_of.get(row.case_ref)
            if kept is None or (kept[0] is not row and kept[0] != row):
                kept = self._keep(row, column_keys)
            _row, key, cells, table_row = kept
            locations[key] = index
            data[key] = cells
            table_rows[key] = table_row
            if row.case_ref not in measured:
                unmeasured.append(key)
        if len(table_rows) != len(rows):
            raise DuplicateKey("Two rows have the same case ref.")
        self._shown = rows
        self._require_update_dimensions = True
        self._update_count += 1
        # The widths and the virtual size now, so the cursor can be
        # scrolled to before the next frame.
        self._update_dimensions(unmeasured)
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

    # ------------------------------------------------------------ measuring and rendering
    #
    # What DataTable does per cell through Rich (Console.render_lines of a
    # Padding in a Styled, Measurement.get with fresh console options), done
    # here the short way for the cells this table has, one-line Texts, with
    # the same segments as the result (tests/tui/test_case_table_render.py
    # compares the two on every kind of cell, row and cursor). Anything else
    # (wrapped, justified, too wide for its column, a header of two lines)
    # goes DataTable's way.

    def _update_dimensions(self, new_rows) -> None:
        """DataTable._update_dimensions, with a Text's width read off its lines
        (what `Text.__rich_measure__` gives as its maximum) instead of through
        `measure` and a new ConsoleOptions per cell."""
        new_rows = list(new_rows)
        rows, locations, data, columns = self.rows, self._row_locations, self._data, self.ordered_columns
        column_keys = [column.key for column in columns]
        console = self.app.console
        others = []  # labelled or auto-height rows: DataTable's way
        for row_key in new_rows:
            row_index = locations.get(row_key)
            if row_index is None:
                continue
            row = rows.get(row_key)
            if row is None or row.label is not None or row.auto_height:
                others.append(row_key)
                continue
            cells = data[row_key]
            texts = [cells.get(key) for key in column_keys]
            if not all(type(cell) is Text for cell in texts):  # as DataTable formats them
                texts = self._get_row_renderables(row_index).cells
            for column, cell in zip(columns, texts):
                if type(cell) is Text:
                    width = max(map(cell_len, cell.plain.splitlines()), default=0)
                else:
                    width = measure(console, cell, 1)
                if width > column.content_width:
                    column.content_width = width
        super()._update_dimensions(others)  # and the virtual size
        self._measured.update(key.value for key in new_rows if key in rows)

    def _clear_caches(self) -> None:
        super()._clear_caches()
        self._row_strips.clear()

    def watch_cell_padding(self, old_padding: int, new_padding: int) -> None:
        self._plain_lines.clear()  # kept with their padding
        super().watch_cell_padding(old_padding, new_padding)

    def notify_style_update(self) -> None:
        self._row_strips.clear()
        super().notify_style_update()

    def render_lines(self, crop: Region) -> list[Strip]:
        # As DataTable.render_lines, and what every row of this frame shares.
        self._pseudo_class_state = self.get_pseudo_class_state()
        self._frame = _Frame(self)
        try:
            return super().render_lines(crop)
        finally:
            self._frame = None

    def render_line(self, y: int) -> Strip:
        """DataTable.render_line with the widget's style and the scroll offset
        of the frame (DataTable works them out again for each line)."""
        frame = self._frame
        if frame is None:
            return super().render_line(y)
        if y >= frame.top:
            y += frame.scroll_y
        return self._render_line(y, frame.scroll_x, frame.scroll_x + frame.width, frame.rich_style)

    def _render_line(self, y: int, x1: int, x2: int, base_style: Style) -> Strip:
        """DataTable._render_line, with a data row's line kept by what it depends on.

        DataTable keys a rendered line by where the cursor and the mouse
        are, so each move renders every row on screen again (from per-cell
        caches). Here it is kept by whether the cursor or the mouse is on
        its row (`_row_line_key`): a cursor move renders two rows, a page
        down the new page's rows, and each once."""
        frame = self._frame
        if frame is None:
            return super()._render_line(y, x1, x2, base_style)
        try:
            row_key, line_no = self._get_offsets(y)
        except LookupError:
            return super()._render_line(y, x1, x2, base_style)
        cursor, hover = self.cursor_coordinate, self.hover_coordinate
        key = self._row_line_key(frame, row_key, line_no, base_style, cursor, hover)
        if key is None:
            return super()._render_line(y, x1, x2, base_style)
        strip = self._row_strips.get((key, x1, x2))
        if strip is None:
            # as DataTable does it (no fixed columns here)
            _fixed, scrollable = self._render_line_in_row(row_key, line_no, base_style, cursor, hover)
            segments = line_crop(list(chain.from_iterable(scrollable)), x1, x2, frame.width)
            strip = Strip(segments).adjust_cell_length(frame.width, base_style).simplify()
            self._row_strips[key, x1, x2] = strip
        return strip

    def _row_line_key(self, frame: _Frame, row_key: RowKey, line_no: int, base_style: Style, cursor_location,
                      hover_location) -> tuple | None:
        """What a data row's line depends on, or None for a row that goes
        DataTable's way: the header, a row of more than one line, any row of
        a table with a cursor other than the row cursor, fixed rows or
        columns, or row labels."""
        if not frame.fast or line_no:
            return None
        row_index = self._row_locations.get(row_key)
        row = self.rows.get(row_key)
        if row_index is None or row is None or row.height != 1:
            return None
        return (row_key, row_index, base_style, frame.row_style(self, row_index, base_style),
                row_index == cursor_location.row, row_index == hover_location.row, frame.state)

    def _render_line_in_row(self, row_key: RowKey, line_no: int, base_style: Style, cursor_location,
                            hover_location) -> tuple[list, list]:
        """DataTable._render_line_in_row for a data row, with what is the
        same for the whole frame worked out once per frame (column widths,
        the zebra stripe's style) and each cell's padded line kept between
        updates (`_cell_line`)."""
        frame = self._frame or _Frame(self)
        key = self._row_line_key(frame, row_key, line_no, base_style, cursor_location, hover_location)
        if key is None:
            return super()._render_line_in_row(row_key, line_no, base_style, cursor_location, hover_location)
        _key, row_index, _base, row_style, cursor, hover, _state = key
        show_cursor, show_hover = self.show_cursor, self._show_hover_cursor
        component_style, post_style = self._get_styles_to_render_cell(
            False, False, False, hover, cursor, show_cursor, show_hover, frame.css_foreground, frame.css_background)
        cells = self._get_row_renderables(row_index).cells
        from_meta = Style.from_meta
        cell_line = self._cell_line
        scrollable = []
        for column_index, (column_key, cell, width) in enumerate(zip(frame.column_keys, cells, frame.widths)):
            style = row_style + from_meta({"row": row_index, "column": column_index})
            if component_style:  # adding a null style gives the same style
                style += component_style
            scrollable.append(cell_line(row_key, column_key, cell, width, style, post_style))
        # the rest of the width, as DataTable extends a row for a row cursor
        extend_style, _ = self._get_styles_to_render_cell(
            False, False, False, hover, cursor, show_cursor, show_hover, False, False)
        extend_style = row_style + extend_style
        extend_style += from_meta({"row": row_index, "column": 0, "out_of_bounds": True})
        scrollable.append([Segment(" " * frame.remaining, extend_style)])
        return [], scrollable

    def _render_cell(self, row_index: int, column_index: int, base_style: Style, width: int,
                     cursor: bool = False, hover: bool = False) -> list:
        """DataTable._render_cell for the header's and one-line rows' cells
        (fixed ones and others go DataTable's way): each cell's own padded
        line at this width is kept between updates (`_cell_line`) and the
        row's style, the cursor's and the cell's place (the mouse's meta) are
        put on it per render, as Rich's `Styled` does."""
        header = row_index == -1
        if column_index < 0 or (header and self.header_height != 1) or (not header and (
                row_index < 0 or row_index < self.fixed_rows or column_index < self.fixed_columns)):
            return super()._render_cell(row_index, column_index, base_style, width, cursor, hover)
        row_key = self._header_row_key if header else self._row_locations.get_key(row_index)
        column_key = self._column_locations.get_key(column_index)
        cache_key = (row_key, column_key, base_style, cursor, hover, self._show_hover_cursor,
                     self._update_count, self._pseudo_class_state)
        lines = self._cell_render_cache.get(cache_key)
        if lines is not None:
            return lines
        if not header and self.rows[row_key].height != 1:
            return super()._render_cell(row_index, column_index, base_style, width, cursor, hover)
        cell = self._get_row_renderables(row_index).cells[column_index]
        component_style, post_style = self._get_styles_to_render_cell(
            header, False, False, hover, cursor, self.show_cursor, self._show_hover_cursor,
            self.cursor_foreground_priority == "css", self.cursor_background_priority == "css",
        )
        style = base_style + Style.from_meta({"row": row_index, "column": column_index}) + component_style
        lines = [self._cell_line(row_key, column_key, cell, width, style, post_style)]
        self._cell_render_cache[cache_key] = lines
        return lines

    def _cell_line(self, row_key, column_key, cell, width: int, style: Style, post_style: Style) -> list:
        """A cell's line with `style` under its own styles and `post_style`
        over them, as `Segment.apply_style` puts them."""
        kept = self._plain_lines.get((row_key, column_key, width))
        if kept is None or kept[0] is not cell:
            kept = self._plain_lines[row_key, column_key, width] = (cell, self._plain_line(cell, width))
        line = kept[1]
        if not style or style._link:
            return list(Segment.apply_style(line, style, post_style))
        # Segment.apply_style, less the additions that give `style` back
        # (to a segment of no style: the padding, plain text)
        line = [Segment(text, None if control else style + own if own else style, control)
                for text, own, control in line]
        if post_style:
            line = [Segment(text, None if control else own + post_style if own else post_style, control)
                    for text, own, control in line]
        return line

    def _plain_line(self, cell, width: int) -> list:
        """The cell's line at `width` with its padding, before the row's styles:
        what DataTable gets from `Console.render_lines(Padding(cell, (0, pad)))`
        at height 1 without wrapping. For a one-line Text that fits, the
        same segments put together directly: the Text's own (`Text.render`;
        its style becomes a span, as `Text.wrap` and `Text.join` make it),
        then the padding's, in the padding's style."""
        console = self.app.console
        pad = self.cell_padding
        inner = width - 2 * pad
        if type(cell) is Text and inner > 0 and cell.justify in (None, "default"):
            plain = cell.plain
            length = cell_len(plain)
            if length <= inner and "\n" not in plain and "\t" not in plain:
                if cell._spans:
                    line = list(cell.render(console))
                    length = sum(cell_len(segment.text) for segment in line)
                elif not cell.style:
                    line = [Segment(plain)]
                elif plain:
                    line = [Segment(plain, console.get_style(cell.style, default=Style.null()))]
                else:
                    line = []
                pad_style = console.get_style("none")  # Padding's style
                if length < inner:
                    line.append(Segment(" " * (inner - length), pad_style))
                elif length > inner:
                    line = Segment.adjust_line_length(line, inner, style=pad_style)
                if pad:
                    side = Segment(" " * pad, pad_style)
                    line = [side, *line, side]
                return line
        options = self.app.console_options.update_dimensions(width, 1).update(no_wrap=True)
        return console.render_lines(Padding(cell, (0, pad)), options)[0]

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
            Text(plain(name)),
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
