"""The caseload table: one row per case, worst first.

Data goes down (`show(rows)`), messages go up (`CaseTable.CaseSelected`).
The table does not know how rows are filtered or sorted; the screen does.

Filtering shows the same rows again and again, one keystroke at a time, so
the table keeps what each row costs between calls of `show`: its cells, its
measured width, its cells' rendering. The fast path measures and renders
its cells, one-line Texts, the short way rather than through Rich's general
machinery: the first screenful at start-up and each page down render a
screenful of new rows. Those shortcuts go under
DataTable's public surface, so they live apart, in tui/widgets/fast_table.py,
behind its switch (`CASELOAD_TABLE=plain` leaves the plain DataTable):
`CaseTable` here is the plain table, `FastCaseTable` the same with the fast
path, and `case_table()` builds the one the switch chooses.
tests/tui/test_case_table_render.py and tests/tui/test_case_table_paths.py
compare the two on every run.
"""

from __future__ import annotations

from datetime import date
from typing import Sequence

from rich.cells import cell_len
from rich.text import Text
from textual import on
from textual.binding import Binding
from textual.message import Message
from textual.widgets import DataTable
from textual.widgets.data_table import Row, RowKey

from tui.text import plain
from tui.widgets import fast_table
from tui.widgets import severity

# What a practitioner plans with comes first, so it fits in 80 columns:
# every column up to `LAST_THAT_MATTERS` (and the sorted column, whose
# title carries the sort's mark) is kept in view, the columns of
# `GIVES_WAY` giving up room in its order (each step down to its least,
# with an ellipsis) only when there is none left; the others are a scroll
# to the right away on a narrow terminal. No column goes below its title
# (the sort's mark included) or below `LEAST_EVER` (a warning keeps its
# severity's symbol and word).
COLUMNS = (
    ("ref", "Ref"),
    ("name", "Name"),
    ("warnings", "Warnings"),
    ("last_seen", "Seen"),
    ("next", "Next"),
    ("handover", "Handover"),
    ("risk", "Risk"),  # §11: RoSH, MAPPA, restricted in 5 characters (planner.words.risk_tag)
    ("relationship", "Relationship"),
    ("level", "Level"),
)
LAST_THAT_MATTERS = "risk"  # §11: the risk column too (5 characters)
GIVES_WAY = (  # (column, its least at this step), in turn
    ("warnings", 21), ("name", 11),  # `▲ HIGH early break;…`, `Reece Nort…`: the name whole first
    ("warnings", 12), ("name", 9),  # a team lead's Worker column takes room too
    ("relationship", 0), ("warnings", 0), ("name", 0), ("handover", 0), ("risk", 0),  # each down to its title
)
LEAST_EVER = {"name": 5, "warnings": 8}  # `Tyle…` (a lead sorting by relationship at 80, with the risk column), `▲ HIGH …`


def short_date(d: date | None, as_of: date | None = None) -> str:
    """`07 Dec`; the year too when `d` is more than half a year from `as_of`."""
    if d is None:
        return "—"
    if as_of is not None and abs((d - as_of).days) > 183:
        return d.strftime("%d %b %y")
    return d.strftime("%d %b")


def since(d: date | None, as_of: date) -> str:
    """`12d` (days since), `today`, `never`: the date is on the case screen."""
    if d is None:
        return "never"
    days = (as_of - d).days
    return "today" if days == 0 else f"{days}d"


class CaseTable(DataTable):
    """A DataTable of `tui.data.CaseRow`s keyed by case ref."""

    DEFAULT_CSS = """
    CaseTable { height: 1fr; scrollbar-size-vertical: 1; }
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
        self.sorted_by: tuple[str, str] | None = None  # (column key, "↑" or "↓"), marked in its title
        self._rows: list = []
        self._privacy = False
        self._as_of: date | None = None
        self._theme: str | None = None
        # Filtering re-shows the same rows again and again, so what each row
        # costs is kept between calls of `show` (see `_forget_cells`):
        self._kept: dict[str, tuple] = {}  # case ref -> (row, row key, its cells by column, Row)
        self._shown: list | None = None  # the rows in the table now, in order

    def on_mount(self) -> None:
        self._add_columns()

    def on_resize(self) -> None:
        self._update_dimensions([])

    def _update_dimensions(self, new_rows) -> None:
        """DataTable's, then the columns fitted to the room there is (both
        paths measure here: tui/widgets/fast_table.py calls it after its own)."""
        super()._update_dimensions(new_rows)
        if self._fit_columns():
            super()._update_dimensions([])  # the virtual size at the new widths

    def _fit_columns(self) -> bool:
        """Every column as wide as its widest cell unless the columns kept in
        view (up to `LAST_THAT_MATTERS`, and the sorted one) would then not
        fit the table's width; then the columns of `GIVES_WAY` narrowed in
        turn, each step to no less than its least."""
        columns = self.ordered_columns
        keys = [column.key.value for column in columns]
        if LAST_THAT_MATTERS not in keys or not self.size.width:
            return False
        last = keys.index(LAST_THAT_MATTERS)
        if self.sorted_by is not None and self.sorted_by[0] in keys:
            last = max(last, keys.index(self.sorted_by[0]))
        pad = 2 * self.cell_padding
        shown = {key: column for key, column in zip(keys[:last + 1], columns)}
        giving = {key for key, _least in GIVES_WAY}
        widths = {key: column.content_width for key, column in shown.items() if key in giving}
        room = self.size.width - self.styles.scrollbar_size_vertical - sum(
            widths[key] + pad if key in widths else column.get_render_width(self) for key, column in shown.items())
        for key, least in GIVES_WAY:
            if room >= 0:
                break
            if key in widths:
                least = max(least, LEAST_EVER.get(key, 0), cell_len(str(shown[key].label)))
                cut = min(-room, max(0, widths[key] - least))
                widths[key] -= cut
                room += cut
        changed = False
        for key, width in widths.items():
            column = shown[key]
            fits = width >= column.content_width
            if fits != column.auto_width or (not fits and column.width != width):
                column.auto_width, column.width = fits, width
                changed = True
        for key in giving & set(keys) - set(widths):  # out of view: as wide as its cells
            column = columns[keys.index(key)]
            if not column.auto_width:
                column.auto_width, changed = True, True
        if changed:
            self._clear_caches()
            self.refresh()
        return changed

    def _add_columns(self) -> None:
        # Titles as Text: a str goes through Rich's markup, whose first use
        # imports its emoji table (6 ms before the first query can start).
        self.clear(columns=True)
        for (key, _title), title in zip(COLUMNS, self._titles()):  # the sorted column marked ↑ or ↓
            self.add_column(Text(title), key=key)
            if key == "name" and self.show_worker:  # "With N1-04": the practitioner the case is with
                self.add_column(Text("With"), key="worker")

    def _titles(self) -> list[str]:
        """The column titles `_add_columns` makes (the worker's left out)."""
        mark = self.sorted_by
        return [f"{title} {mark[1]}" if mark is not None and key == mark[0] else title for key, title in COLUMNS]

    def _shown_titles(self) -> list[str]:
        return [str(c.label) for c in self.ordered_columns if c.key.value != "worker"]

    def clear(self, columns: bool = False) -> CaseTable:
        self._shown = None
        return super().clear(columns)

    def _forget_cells(self) -> None:
        """Drop the kept cells: what they show (names or initials, the theme's
        colours, days since `as_of`) has changed."""
        self._kept.clear()
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

    def show(self, rows: Sequence, *, as_of: date, privacy: bool, show_worker: bool = False,
             sorted_by: tuple[str, str] | None = None) -> None:
        """Replace the rows, keeping the cursor on the same case if it is still shown;
        `sorted_by` (column key, "↑" or "↓") is marked in that column's title."""
        rows = list(rows)
        privacy_changed = privacy != self._privacy
        theme = self.app.theme  # the warnings' colours come from it
        if privacy_changed or as_of != self._as_of or show_worker != self.show_worker or theme != self._theme:
            self._forget_cells()
            self._theme = theme
        self._rows = rows
        if sorted_by != self.sorted_by:
            self.sorted_by = sorted_by
            self._shown = None  # new titles: the columns are made again below
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
        if show_worker != self.show_worker or privacy_changed or self._titles() != self._shown_titles():
            # New columns so widths fit what is shown (initials give no hint of name lengths),
            # or with the sorted column's mark moved.
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
        """Put `rows` into the cleared table, DataTable's way (one `add_row`
        each); the fast path (tui/widgets/fast_table.py) does it in one go."""
        column_keys = [column.key for column in self.ordered_columns]
        for row in rows:
            kept = self._kept.get(row.case_ref)
            if kept is None or (kept[0] is not row and kept[0] != row):
                kept = self._keep(row, column_keys)
            self.add_row(*kept[2].values(), key=row.case_ref)
        self._shown = rows

    def restyle(self) -> None:
        """Rebuild the cells (theme or privacy changed)."""
        self._forget_cells()
        if self._as_of is not None:
            self.show(self._rows, as_of=self._as_of, privacy=self._privacy, show_worker=self.show_worker,
                      sorted_by=self.sorted_by)

    def _keep(self, row, column_keys: list) -> tuple:
        """What `_fill` puts in the table for `row`, built once per row until `_forget_cells`."""
        key = RowKey(row.case_ref)
        cells = dict(zip(column_keys, self._cells(row, self._as_of, self._privacy)))
        kept = self._kept[row.case_ref] = (row, key, cells, Row(key, 1))
        return kept

    def _cells(self, row, as_of: date, privacy: bool) -> list:
        name = row.initials if privacy else row.display_name
        cells: list = [
            Text(row.case_ref, style="bold"),
            Text(plain(name), no_wrap=True, overflow="ellipsis"),
        ]
        if self.show_worker:
            cells.append(Text(row.practitioner_id or "—"))
        warnings = severity.warnings_cell(self.app, row.warnings)
        warnings.no_wrap, warnings.overflow = True, "ellipsis"
        rest = {
            "warnings": warnings,
            "last_seen": Text(since(row.last_seen, as_of)),
            "next": Text(short_date(row.next_appointment, as_of) if row.next_appointment else "none"),
            "handover": Text(row.handover or "", no_wrap=True, overflow="ellipsis"),
            "risk": Text(row.risk, no_wrap=True),
            "relationship": Text(row.relationship, no_wrap=True, overflow="ellipsis"),
            "level": Text(row.contact_level + (f" {row.tier}" if row.tier else "")),
        }
        return cells + [rest[key] for key, _title in COLUMNS[2:]]

    @on(DataTable.RowSelected)
    def _selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        if event.row_key is not None and event.row_key.value:
            self.post_message(self.CaseSelected(event.row_key.value))

    @on(DataTable.RowHighlighted)
    def _highlighted(self, event: DataTable.RowHighlighted) -> None:
        event.stop()
        self.post_message(self.CaseHighlighted(event.row_key.value if event.row_key else None))


class FastCaseTable(fast_table.FastRows, CaseTable):
    """The caseload table with the fast path (tui/widgets/fast_table.py)."""


def case_table(*, id: str | None = None, classes: str | None = None) -> CaseTable:
    """The caseload table the switch chooses (`fast_table.ENABLED`)."""
    cls = FastCaseTable if fast_table.ENABLED else CaseTable
    return cls(id=id, classes=classes)
