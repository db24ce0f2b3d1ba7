"""The caseload table's fast path: DataTable's internals, quarantined here.

Filtering shows the same rows again and again, one keystroke at a time, and
the first screenful at start-up and each page down render a screenful of new
rows; `FastRows` (mixed into tui/widgets/case_table.py's `FastCaseTable`)
fills, measures and renders the table's one-line Text cells the short way
rather than through Rich's general machinery, with the same segments as the
result. It overrides DataTable methods and reads DataTable attributes that
are not its public surface, so:

- textual and rich are pinned exactly in pyproject.toml;
- nothing is imported from `textual._*` (only textual's and rich's public
  modules);
- `ENABLED` is the one switch: `CASELOAD_TABLE=plain` in the environment,
  or a textual without the internals named in `NEEDS`, leaves the plain
  DataTable (tui/widgets/case_table.py's `CaseTable`);
- tests/tui/test_case_table_render.py draws both ways and compares them
  segment for segment, and tests/tui/test_case_table_paths.py shows the
  same rows in both tables, on every run.
"""

from __future__ import annotations

import os
from itertools import chain

from rich.cells import cell_len
from rich.padding import Padding
from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual.cache import LRUCache
from textual.geometry import Region, Size
from textual.render import measure
from textual.strip import Strip
from textual.widgets import DataTable
from textual.widgets.data_table import DuplicateKey, RowKey

SWITCH = "CASELOAD_TABLE"  # "plain": DataTable's own filling and rendering
# The DataTable methods FastRows calls or overrides beyond its documented API
# (it reads some of DataTable's attributes too, `_row_locations`, `_data`...).
NEEDS = ("_get_row_renderables", "_update_dimensions", "_render_line", "_render_line_in_row", "_render_cell",
         "_get_offsets", "_get_row_style", "_get_styles_to_render_cell", "_clear_caches", "_highlight_cursor",
         "_scroll_update", "_refresh_scrollbars", "_scroll_cursor_into_view")
ENABLED = os.environ.get(SWITCH, "fast") != "plain" and all(callable(getattr(DataTable, n, None)) for n in NEEDS)


class _Frame:
    """What every data row of the frame being rendered shares, worked out
    once per frame: DataTable works it out again for each line or cell."""

    __slots__ = ("fast", "column_keys", "widths", "remaining", "css_foreground", "css_background",
                 "zebra", "row_styles", "state", "rich_style", "top", "scroll_x", "scroll_y", "width")

    def __init__(self, table: DataTable) -> None:
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

    def row_style(self, table: DataTable, row_index: int, base_style: Style) -> Style:
        """`DataTable._get_row_style` of a (not fixed) data row."""
        if not self.zebra:
            return base_style
        parity = row_index % 2
        style = self.row_styles.get(parity)
        if style is None:
            style = self.row_styles[parity] = table._get_row_style(row_index, base_style)
        return style


class FastRows:
    """DataTable's filling, measuring and rendering the short way (module
    docstring). Mixed in before a DataTable subclass that keeps each row's
    cells (`_kept`, `_keep`) as tui/widgets/case_table.py's does."""

    def __init__(self, *args, **kwargs) -> None:
        # A data row's rendered line by what it depends on (see `_render_line`);
        # made before DataTable's constructor, which clears the caches.
        self._row_strips: LRUCache[tuple, Strip] = LRUCache(1024)
        self._frame: _Frame | None = None  # what every row of the frame being rendered shares
        self._measured: set[str] = set()  # refs whose cells the column widths already count
        # ref -> (its cells, each one's width, in the order of `_widths_for`'s columns):
        # new columns (a sort's mark moved) measure every row again from these.
        # Checked by the cells' identity: a row's cells are replaced whole
        # (`_keep`), never changed in place (the caseload never calls update_cell).
        self._cell_widths: dict[str, tuple[dict, tuple[int, ...]]] = {}
        self._widths_for: tuple = ()  # the column keys `_cell_widths` is in the order of
        # (row key, column key, width) -> (cell, its lines before the row's styles)
        self._plain_lines: dict[tuple, tuple[object, list]] = {}
        super().__init__(*args, **kwargs)

    def clear(self, columns: bool = False):
        if columns:
            # New columns start at the width of their titles, so every row is
            # measured again; its cells' widths and padded lines are kept
            # (`_cell_widths`, `_plain_lines`: each checked against its cell).
            self._measured.clear()
        return super().clear(columns)

    def _forget_cells(self) -> None:
        self._measured.clear()
        self._plain_lines.clear()
        self._cell_widths.clear()
        super()._forget_cells()

    def _keep(self, row, column_keys: list) -> tuple:
        self._measured.discard(row.case_ref)
        return super()._keep(row, column_keys)

    # ------------------------------------------------------------ measuring and rendering
    #
    # What DataTable does per cell through Rich (Console.render_lines of a
    # Padding in a Styled, Measurement.get with fresh console options), done
    # here the short way for the cells this table has, one-line Texts, with
    # the same segments as the result (tests/tui/test_case_table_render.py
    # compares the two on every kind of cell, row and cursor). Anything else
    # (wrapped, justified, too wide for its column, a header of two lines)
    # goes DataTable's way.


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


    def _update_dimensions(self, new_rows) -> None:
        """DataTable._update_dimensions, with a Text's width read off its lines
        (what `Text.__rich_measure__` gives as its maximum) instead of through
        `measure` and a new ConsoleOptions per cell."""
        new_rows = list(new_rows)
        rows, locations, data, columns = self.rows, self._row_locations, self._data, self.ordered_columns
        column_keys = tuple(column.key for column in columns)
        if column_keys != self._widths_for:
            self._cell_widths.clear()
            self._widths_for = column_keys
        known = self._cell_widths
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
            kept = known.get(row_key.value)
            if kept is None or kept[0] is not cells:
                kept = known[row_key.value] = (cells, self._widths_of(cells, column_keys, row_index))
            for column, width in zip(columns, kept[1]):
                if width > column.content_width:
                    column.content_width = width
        super()._update_dimensions(others)  # and the virtual size
        self._measured.update(key.value for key in new_rows if key in rows)


    def _widths_of(self, cells: dict, column_keys: tuple, row_index: int) -> tuple[int, ...]:
        """The width of each of a row's cells, in the order of `column_keys`."""
        texts = [cells.get(key) for key in column_keys]
        if not all(type(cell) is Text for cell in texts):  # as DataTable formats them
            texts = self._get_row_renderables(row_index).cells
        console = self.app.console
        return tuple(max(map(cell_len, cell.plain.splitlines()), default=0) if type(cell) is Text
                     else measure(console, cell, 1) for cell in texts)


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
            segments = Strip(list(chain.from_iterable(scrollable))).crop(x1, x2)
            strip = segments.adjust_cell_length(frame.width, base_style).simplify()
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
