"""The caseload table draws exactly what DataTable draws.

FastCaseTable renders its rows its own short way (tui/widgets/fast_table.py: a
one-line Text's segments put together directly rather than through Rich's
Padding, what a frame shares worked out once per frame, each row's line kept
by whether the cursor or the mouse is on it). These tests render the same
table both ways, segment for segment with their styles and the mouse's meta,
after clearing every cache, in the states that change what is drawn: cursor,
hover, focus, scrolling, zebra stripes, theme and privacy, and on cells the
caseload does not have (wide, wrapped, justified, tabbed, linked) that must
fall back to DataTable's own way. The column widths are compared with a
plain DataTable given the same rows.
"""

from __future__ import annotations

from types import MethodType

from rich.style import Style
from rich.text import Text
from textual.app import App
from textual.coordinate import Coordinate
from textual.geometry import Region
from textual.render import measure
from textual.widgets import DataTable

from tests.tui.helpers import settle, wait_for
from tui.screens.caseload import CaseloadScreen
from tui.widgets.case_table import CaseTable, FastCaseTable

# DataTable's own rendering path: put on the instance, it hides CaseTable's.
DATATABLE_WAY = ("render_line", "_render_line", "_render_line_in_row", "_render_cell")


def drawn(table: DataTable, *, datatable_way: bool = False) -> list[list]:
    """The table's lines as its widget draws them, from empty caches."""
    table._clear_caches()
    table._styles_cache.clear()
    table._plain_lines.clear()
    if datatable_way:
        for name in DATATABLE_WAY:
            setattr(table, name, MethodType(getattr(DataTable, name), table))
    try:
        strips = table.render_lines(Region(0, 0, table.size.width, table.size.height))
    finally:
        for name in DATATABLE_WAY:
            table.__dict__.pop(name, None)
    return [list(strip) for strip in strips]


def assert_drawn_as_datatable_draws(table: DataTable, state: str) -> None:
    ours = drawn(table)
    theirs = drawn(table, datatable_way=True)
    assert len(ours) == len(theirs) == table.size.height
    for y, (a, b) in enumerate(zip(ours, theirs)):
        assert a == b, (state, y)
    assert drawn(table) == ours  # and from its own kept lines, the same again


def hover(table: DataTable, row: int) -> None:
    table._show_hover_cursor = True
    table.hover_coordinate = Coordinate(row, 0)


# ------------------------------------------------------------ cells the caseload does not have

LINK = Style(link="https://example.org", color="red")
ODD_CELLS = [
    Text("plain"),
    Text("bold ref", style="bold"),
    Text("styled obj", style=Style(color="green", italic=True)),
    Text.assemble(("▲ HIGH overdue", Style(color="red", bold=True)), "; due, new +2"),
    Text("spans and style", style="underline", spans=[]).append(" more", style="blue"),
    Text(""),
    Text("", style="bold"),
    Text("wide 漢字 and émoji 👍"),
    Text("link", style=LINK),
    Text("right", justify="right"),
    Text("left", justify="left"),
    Text("centre", justify="center"),
    Text("a\ttab"),
    Text("two\nlines"),
    Text("no-style none", style="none"),
    "a [b]markup[/b] string",
    12.5,
    None,
]


class OddTables(App):
    CSS = "DataTable { height: 14; width: 300; }"  # every column in view, at one scroll or the other

    def compose(self):
        yield FastCaseTable(id="ours")
        # the same CSS as CaseTable's, on a plain DataTable
        yield DataTable(id="plain", cursor_type="row", zebra_stripes=True, classes="plain")

    def on_mount(self) -> None:
        self.stylesheet.add_source(CaseTable.DEFAULT_CSS.replace("CaseTable", "DataTable.plain"))
        for table in self.query(DataTable):
            table.clear(columns=True)
            table.add_column("narrow", key="narrow", width=4)  # a fixed width its cells do not fit
            table.add_column("", key="empty")  # no width at all inside its padding
            for index in range(len(ODD_CELLS)):
                table.add_column(f"c{index}", key=f"c{index}")
            for row in range(20):
                cells = ODD_CELLS[row % 3:] + ODD_CELLS[:row % 3]
                narrow = Text("cut with an ellipsis", overflow="ellipsis") if row % 2 else f"row {row} 漢字"
                table.add_row(narrow, "", *cells, key=f"r{row}")
            table.add_row("tall", "", *ODD_CELLS, key="tall", height=2)  # goes DataTable's way


async def test_odd_cells_are_drawn_and_measured_as_datatable_does():
    app = OddTables()
    async with app.run_test(size=(320, 40)) as pilot:
        await pilot.pause()
        ours = app.query_one("#ours", FastCaseTable)
        plain = app.query_one("#plain", DataTable)
        await pilot.pause()
        assert [c.content_width for c in ours.ordered_columns] == [c.content_width for c in plain.ordered_columns]
        assert ours.virtual_size == plain.virtual_size

        ours.focus()
        await pilot.pause()
        assert_drawn_as_datatable_draws(ours, "focused, cursor on the first row")
        ours.move_cursor(row=5)
        hover(ours, 6)
        assert_drawn_as_datatable_draws(ours, "cursor and hover")
        hover(ours, 5)
        assert_drawn_as_datatable_draws(ours, "hover on the cursor's row")
        assert ours.virtual_size.width > ours.size.width  # still a little to scroll
        ours.scroll_to(x=30, y=9, animate=False)
        await pilot.pause()
        assert_drawn_as_datatable_draws(ours, "scrolled right and down, the tall row in view")
        plain.focus()
        await pilot.pause()
        assert_drawn_as_datatable_draws(ours, "not focused")
        ours.zebra_stripes = False
        ours.cell_padding = 2
        await pilot.pause()
        assert_drawn_as_datatable_draws(ours, "no stripes, padding 2")
        for column in list(ours.columns)[5:]:
            ours.remove_column(column)
        ours.scroll_to(x=0, y=0, animate=False)
        await pilot.pause()
        assert ours.virtual_size.width < ours.size.width
        hover(ours, 2)
        assert_drawn_as_datatable_draws(ours, "narrower than the widget")
        ours.cursor_type = "cell"  # all DataTable's way
        assert_drawn_as_datatable_draws(ours, "cell cursor")


# ------------------------------------------------------------ the caseload itself


async def test_the_caseload_is_drawn_as_datatable_draws_it(make_app):
    app = make_app("N1-01")  # a team lead: more rows than the screen, a worker column
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await settle(pilot, CaseloadScreen)
        table = screen.query_one(CaseTable)
        assert table.row_count > table.size.height
        assert_drawn_as_datatable_draws(table, "start")
        await pilot.press("down", "down", "pagedown")
        assert_drawn_as_datatable_draws(table, "after a page down")
        hover(table, table.cursor_row + 1)
        assert_drawn_as_datatable_draws(table, "mouse under the cursor")
        theme = app.theme
        await pilot.press("t")  # app keys: wait for the app to have acted on them
        await wait_for(pilot, lambda: app.theme != theme)
        assert_drawn_as_datatable_draws(table, "another theme")
        await pilot.press("p")
        await wait_for(pilot, lambda: app.privacy)
        assert_drawn_as_datatable_draws(table, "privacy")
        await pilot.press("slash", "a")
        assert_drawn_as_datatable_draws(table, "filtered")


async def test_a_cursor_move_draws_the_two_rows_it_changes(make_app):
    """Rows are kept by whether the cursor or the mouse is on them, so a
    move renders the row it left and the row it reached; and what is drawn
    after it is what DataTable draws."""
    app = make_app("N1-01")
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await settle(pilot, CaseloadScreen)
        table = screen.query_one(CaseTable)
        await pilot.pause()
        rendered = []
        render_row = table._render_line_in_row

        def counting(row_key, *args):
            rendered.append(row_key.value)
            return render_row(row_key, *args)

        table._render_line_in_row = counting
        try:
            before = table.selected_ref
            await pilot.press("down")
            await pilot.pause()
        finally:
            del table._render_line_in_row
        assert sorted(rendered) == sorted([before, table.selected_ref])
        assert_drawn_as_datatable_draws(table, "after a cursor move")


async def test_the_columns_are_measured_when_the_rows_are_shown(make_app):
    """Before any idle or frame: a first frame that comes before idle shows
    the columns at their widths, not at their titles' widths."""
    app = make_app("N1-01")
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await settle(pilot, CaseloadScreen)
        table = screen.query_one(CaseTable)
        # privacy: new columns, every cell new and unmeasured
        table.show(screen.visible_rows(), as_of=screen.view.as_of, privacy=True, show_worker=True)
        console = app.console
        expected = [max([measure(console, column.label, 1)]
                        + [measure(console, table.get_cell_at(Coordinate(row, index)), 1)
                           for row in range(table.row_count)])
                    for index, column in enumerate(table.ordered_columns)]
        assert [column.content_width for column in table.ordered_columns] == expected
        assert table.virtual_size.width == sum(column.get_render_width(table) for column in table.ordered_columns)
        assert not table._new_rows
