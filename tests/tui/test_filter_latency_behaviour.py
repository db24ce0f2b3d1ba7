"""Filtering a long caseload: what the user sees stays what it was while the
table takes its shortcuts for speed (rows and cells kept between
keystrokes, no re-measuring, each cell's rendering kept; the speed itself is
bench/bench_startup.py's to measure).

The shortcuts lean on DataTable internals (textual is pinned): two tests
here compare the table with what DataTable's own `add_row` and
`_render_cell` give, so a textual bump that changes those fails here first.
"""

from __future__ import annotations

from textual.theme import Theme
from textual.widgets import DataTable

from tests.tui.helpers import rows_of, settle, wait_for
from tui.data import initials
from tui.screens.caseload import SORTS, CaseloadScreen
from tui.widgets import severity
from tui.widgets.case_table import CaseTable

LEAD = "N1-01"  # a team lead: the sample's longest caseload


def expected_rows(screen: CaseloadScreen) -> list[str]:
    """The rows the screen should show, worked out the slow, obvious way."""
    text = screen.filter_text.strip().lower()
    rows = [r for r in screen.view.rows
            if not text or text in r.case_ref.lower() or text in r.display_name.lower()]
    if screen.rule:
        rows = [r for r in rows if any(w.rule == screen.rule for w in r.warnings)]
    return [r.case_ref for r in sorted(rows, key=SORTS[screen.sort_index][1])]


def cursor_in_view(table: CaseTable) -> bool:
    top = int(table.scroll_y)
    return top <= table.cursor_row < top + table.scrollable_content_region.height - table.header_height


def a_fragment(screen: CaseloadScreen, ref: str) -> str:
    """Three letters of the case's surname: they keep it shown and hide some others."""
    name = next(r.display_name for r in screen.view.rows if r.case_ref == ref)
    return name.split()[-1][:3].lower()


async def test_typing_narrows_backspace_restores_and_the_cursor_stays_on_the_case(make_app):
    app = make_app(LEAD)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await settle(pilot, CaseloadScreen)
        table = screen.query_one(CaseTable)
        everything = rows_of(table)
        assert len(everything) > 30  # longer than the screen
        await pilot.press(*["down"] * 28)  # a case below the first screenful
        target = table.selected_ref
        assert target == everything[28]
        fragment = a_fragment(screen, target)

        await pilot.press("slash")
        shown = []
        for ch in fragment:
            await pilot.press(ch)
            shown.append(rows_of(table))
            assert shown[-1] == expected_rows(screen)
            assert table.selected_ref == target and cursor_in_view(table)
        assert len(shown[-1]) < len(everything)
        assert all(len(a) >= len(b) for a, b in zip(shown, shown[1:]))  # each letter narrows

        for _ in fragment:
            await pilot.press("backspace")
            assert rows_of(table) == expected_rows(screen)
            assert table.selected_ref == target and cursor_in_view(table)
        assert rows_of(table) == everything and screen.filter_text == ""

        # letters no case has: an empty table, then everything back, the
        # cursor on the case it was on last (the first row when there was none)
        await pilot.press("slash", "ctrl+u", "exclamation_mark", "exclamation_mark")
        assert table.row_count == 0 and table.selected_ref is None
        assert "0 of" in str(screen.query_one("#summary").render())
        await pilot.press("backspace", "backspace")
        assert rows_of(table) == everything
        assert table.selected_ref == everything[0] and cursor_in_view(table)


async def test_sorting_and_filtering_together_keep_the_order(make_app):
    app = make_app(LEAD)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await settle(pilot, CaseloadScreen)
        table = screen.query_one(CaseTable)
        await pilot.press("slash", "a", "enter")
        for _ in SORTS:
            await pilot.press("s")
            assert rows_of(table) == expected_rows(screen) != []
        await pilot.press("escape")
        assert rows_of(table) == expected_rows(screen)


async def test_privacy_and_theme_while_filtered_rebuild_the_cells(make_app):
    app = make_app(LEAD)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await settle(pilot, CaseloadScreen)
        table = screen.query_one(CaseTable)
        ref = rows_of(table)[0]
        full = table.get_row(ref)[1].plain
        await pilot.press("slash", *a_fragment(screen, ref), "enter")  # filter kept, table focused
        filtered = rows_of(table)
        assert ref in filtered and len(filtered) < len(screen.view.rows)

        await pilot.press("p")  # an app key; the privacy watcher redraws the table
        await wait_for(pilot, lambda: app.privacy and table.get_row(ref)[1].plain == initials(full))
        assert app.privacy
        assert rows_of(table) == filtered
        assert table.get_row(ref)[1].plain == initials(full)
        names = {r.case_ref: r.display_name for r in screen.view.rows}
        assert all(table.get_row(r)[1].plain == initials(names[r]) for r in filtered)
        await pilot.press("escape")  # the rows kept from before privacy must not come back
        assert len(rows_of(table)) == len(screen.view.rows)
        assert all(table.get_row(r)[1].plain == initials(names[r]) for r in rows_of(table))
        await pilot.press("p")
        await wait_for(pilot, lambda: not app.privacy and table.get_row(ref)[1].plain == full)
        assert table.get_row(ref)[1].plain == full

        def warnings_as_built_now() -> bool:
            """Each shown row's warnings cell is what the current theme gives."""
            rows = {r.case_ref: r for r in screen.view.rows}
            return all(table.get_cell(r, "warnings") == severity.warnings_cell(app, rows[r].warnings)
                       for r in rows_of(table))

        await pilot.press("slash", *a_fragment(screen, ref), "enter")
        before = table.get_cell(ref, "warnings")
        assert warnings_as_built_now() and before.spans
        # a theme whose colours no other has, so the old cells cannot pass for new ones
        app.register_theme(Theme(name="probe", primary="#0000aa", error="#aa0001", warning="#aa0002",
                                 accent="#aa0003"))
        app.theme = "probe"  # the theme's watcher redraws the cells: wait for it
        await wait_for(pilot, lambda: table.get_cell(ref, "warnings") != before)
        assert warnings_as_built_now() and table.get_cell(ref, "warnings") != before
        await pilot.press("escape")
        assert warnings_as_built_now()


async def test_the_rows_are_what_add_row_would_have_put_in_the_table(make_app):
    app = make_app(LEAD)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await settle(pilot, CaseloadScreen)
        table = screen.query_one(CaseTable)
        await pilot.press("slash", "e", "l", "backspace", "backspace", "r", "backspace")

        # the plain table: DataTable's add_row, the columns fitted to the width as the caseload's are
        probe = CaseTable(id="probe")
        await screen.mount(probe)
        probe.clear(columns=True)  # and the caseload's columns (with the worker's)
        for column in table.ordered_columns:
            probe.add_column(column.label, key=column.key.value)
        for ref in rows_of(table):
            probe.add_row(*table.get_row(ref), key=ref)
        await pilot.pause()

        def state(t: DataTable):
            return ({k.value: i for k, i in t._row_locations._forward.items()},
                    {k.value: {c.value: cell for c, cell in v.items()} for k, v in t._data.items()},
                    {k.value: (r.height, r.label, r.auto_height) for k, r in t.rows.items()},
                    [c.content_width for c in t.ordered_columns], t.virtual_size)

        assert state(table) == state(probe)
        assert not table._new_rows and not probe._new_rows


async def test_cells_render_as_the_datatable_renders_them(make_app):
    app = make_app(LEAD)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await settle(pilot, CaseloadScreen)
        table = screen.query_one(CaseTable)
        await pilot.press("down", "down", "slash", "a", "enter", "pagedown")  # some rows twice, at new places
        for theme_key in ("", "t"):
            if theme_key:
                await pilot.press(theme_key)
            top = int(table.scroll_y)
            for row in [-1, *range(top, min(top + 12, table.row_count))]:
                style = table._get_row_style(row, table.rich_style)
                for column_index, column in enumerate(table.ordered_columns):
                    width = column.get_render_width(table)
                    for cursor, hover in ((False, False), (True, False), (False, True), (True, True)):
                        table._cell_render_cache.clear()
                        fast = table._render_cell(row, column_index, style, width, cursor, hover)
                        table._cell_render_cache.clear()
                        slow = DataTable._render_cell(table, row, column_index, style, width, cursor, hover)
                        assert fast == slow, (row, column.key.value, cursor, hover)
