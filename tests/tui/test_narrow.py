"""At 80 columns the caseload keeps every column that matters in view
(issue: it stopped at "Next a…" and the handover state was lost)."""

from __future__ import annotations

import pytest

from tests.tui.helpers import settle
from tui.screens.caseload import SORTS, CaseloadScreen
from tui.widgets.case_table import CaseTable, LAST_THAT_MATTERS

LEAVING = "N1-03"  # the sample's practitioner with handovers planned out
LEAD = "N1-01"  # the team lead of LEAVING's team: the team view, with a Worker column


def in_view(table: CaseTable) -> list[str]:
    """The columns wholly inside the table's width, left to right."""
    room = table.size.width - table.styles.scrollbar_size_vertical
    shown, x = [], 0
    for column in table.ordered_columns:
        x += column.get_render_width(table)
        if x > room:
            break
        shown.append(column.key.value)
    return shown


@pytest.mark.parametrize("width", [80, 120])
async def test_every_column_that_matters_is_in_view(make_app, width):
    app = make_app(LEAVING)
    async with app.run_test(size=(width, 24)) as pilot:
        screen = await settle(pilot, CaseloadScreen)
        table = screen.query_one(CaseTable)
        await pilot.pause()
        assert any(r.handover for r in screen.view.rows)
        assert in_view(table)[-1] in (LAST_THAT_MATTERS, "relationship", "level")
        assert {"ref", "name", "warnings", "last_seen", "next", "handover"} <= set(in_view(table))
        handover = table.columns[next(k for k in table.columns if k.value == "handover")]
        assert handover.auto_width  # its cells are never cut
        longest = max(len(r.handover) for r in screen.view.rows)
        assert handover.content_width >= longest


async def test_names_are_not_cut_where_there_is_room(make_app):
    app = make_app(LEAVING)
    async with app.run_test(size=(160, 24)) as pilot:
        screen = await settle(pilot, CaseloadScreen)
        table = screen.query_one(CaseTable)
        await pilot.pause()
        name = table.columns[next(k for k in table.columns if k.value == "name")]
        assert name.auto_width and name.content_width == max(len(r.display_name) for r in screen.view.rows)
        await pilot.resize_terminal(80, 24)
        await pilot.pause()
        assert not name.auto_width and name.width < name.content_width  # only now cut, with an ellipsis
        await pilot.resize_terminal(160, 24)
        await pilot.pause()
        assert name.auto_width


@pytest.mark.parametrize("who", [LEAVING, LEAD])
@pytest.mark.parametrize("width", [60, 80])
async def test_the_key_line_shows_whole_keys_and_always_quit_and_help(make_app, width, who):
    from tui.widgets.chrome import KeyBar

    app = make_app(who)
    async with app.run_test(size=(width, 24)) as pilot:
        screen = await settle(pilot, CaseloadScreen)
        bar = screen.query_one(KeyBar)
        line = str(bar.render())
        assert len(line) == width
        assert " q Quit " in line and " ? Help " in line
        assert "…" not in line  # no key cut short (`p Privac…`)
        shown = [d for _k, _s, d, _e in bar.keys if f" {d} " in line]
        assert shown and all(f" {d}" in line for d in shown)
        if width == 60:
            assert len(shown) < len(bar.keys)  # the others gave way, whole


async def test_the_summary_wraps_between_phrases(make_app):
    from tui.widgets.summary import SummaryStrip

    app = make_app(LEAVING)
    async with app.run_test(size=(60, 24)) as pilot:
        screen = await settle(pilot, CaseloadScreen)
        lines = str(screen.query_one(SummaryStrip).render()).splitlines()
        assert len(lines) == 2 and lines[1].startswith("capacity ") and lines[1].endswith(("OK", "FULL", "OVER"))
        await pilot.resize_terminal(100, 24)
        await pilot.pause()
        lines = str(screen.query_one(SummaryStrip).render()).splitlines()
        assert len(lines) == 1 and " │ capacity " in lines[0]


async def test_the_title_wraps_between_phrases(make_app):
    from tui.widgets.chrome import TitleBar

    app = make_app(LEAVING)
    async with app.run_test(size=(60, 24)) as pilot:
        screen = await settle(pilot, CaseloadScreen)
        title = screen.query_one(TitleBar)
        lines = [line.strip() for line in str(title.render()).splitlines()]
        assert len(lines) == 2 and lines[1].startswith("as of ") and lines[1].endswith("2026"), lines
        assert "…" not in str(title.render())
        await pilot.resize_terminal(120, 24)
        await pilot.pause()
        assert len(str(title.render()).strip().splitlines()) == 1


async def test_the_team_leads_caseload_keeps_every_column_that_matters_at_80(make_app):
    """The lead's table has a Worker column too: at 80 it cut the Handover column."""
    app = make_app(LEAD)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await settle(pilot, CaseloadScreen)
        assert screen.view.team_view
        table = screen.query_one(CaseTable)
        await pilot.pause()
        assert {"ref", "name", "worker", "warnings", "last_seen", "next", "handover"} <= set(in_view(table))
        handover = table.columns[next(k for k in table.columns if k.value == "handover")]
        assert handover.auto_width  # the handover state whole: the name and warnings gave way
        assert handover.content_width >= max(len(r.handover) for r in screen.view.rows)


@pytest.mark.parametrize("who", [LEAVING, LEAD])
async def test_the_sort_mark_is_always_in_view_at_80(make_app, who):
    """Every sort's column, title and mark, is inside the table's width
    (sorting by relationship marked a column beyond it)."""
    app = make_app(who)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await settle(pilot, CaseloadScreen)
        table = screen.query_one(CaseTable)
        for _ in SORTS:
            await pilot.pause()
            key, mark = SORTS[screen.sort_index][2:]
            visible = in_view(table)
            assert key in visible and {"ref", "name", "warnings", "handover"} <= set(visible), (key, visible)
            column = table.columns[next(k for k in table.columns if k.value == key)]
            assert str(column.label).endswith(f" {mark}")
            assert column.get_render_width(table) - 2 * table.cell_padding >= len(str(column.label))
            await pilot.press("s")
