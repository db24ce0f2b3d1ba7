"""The title line and key line every screen has (tui.widgets.chrome), and the
caseload's `/` filter line, typed into while the table keeps the focus."""

from __future__ import annotations

from tests.tui.helpers import settle, wait_for
from tui.screens.case import CaseScreen
from tui.screens.caseload import CaseloadScreen
from tui.widgets.case_table import CaseTable
from tui.widgets.chrome import FilterLine, KeyBar, TitleBar


def shown_bindings(screen) -> list[str]:
    """The descriptions Textual's Footer would show: one per action, `show` bindings only."""
    seen, out = set(), []
    for _node, binding, _enabled, _tooltip in screen.active_bindings.values():
        if binding.show and binding.action not in seen:
            seen.add(binding.action)
            out.append(binding.description)
    return out


async def test_key_line_shows_the_screens_keys_and_follows_the_screen(make_app):
    app = make_app("E1-02")
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await settle(pilot, CaseloadScreen)
        bar = screen.query_one(KeyBar)
        line = str(bar.render())
        assert [d for _k, _s, d, _e in bar.keys] == shown_bindings(screen)
        for description in ("Filter", "By rule", "Sort", "Week", "Help", "Quit"):
            assert description in line
        assert "Open case" not in line  # show=False bindings stay out, as in Footer
        assert line.rstrip().endswith("palette")  # the palette key on the right
        assert len(line) == 120

        await pilot.press("enter")
        case = await settle(pilot, CaseScreen)
        case_line = str(case.query_one(KeyBar).render())
        assert "Contact" in case_line and "Filter" not in case_line


async def test_key_line_gives_way_to_the_palette_key_at_80_columns(make_app):
    app = make_app("E1-02")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot, CaseloadScreen)
        await pilot.press("enter")
        case = await settle(pilot, CaseScreen)
        line = str(case.query_one(KeyBar).render())
        assert len(line) == 80
        assert line.rstrip().endswith("^p palette")
        assert "…" not in line  # the keys that do not fit give way whole, not the palette's
        assert " ? Help " in line and " q Quit " in line
        assert len([k for k in case.query_one(KeyBar).keys if f" {k[2]} " in line]) < len(case.query_one(KeyBar).keys)


async def test_clicking_a_key_runs_it(make_app):
    app = make_app("E1-02")
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await settle(pilot, CaseloadScreen)
        line = str(screen.query_one(KeyBar).render())
        await pilot.click(KeyBar, offset=(line.index("Sort"), 0))
        await pilot.pause()
        assert screen.sort_index == 1


async def test_title_line_follows_the_screens_title(make_app):
    app = make_app("E1-02")
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await settle(pilot, CaseloadScreen)
        title = str(screen.query_one(TitleBar).render())
        assert "caseload" in title and "E1-02" in title and "as of Fri 27 Nov 2026" in title
        await pilot.press("p")  # privacy goes into the sub-title (the privacy watcher redraws)
        await wait_for(pilot, lambda: app.privacy and "PRIVACY" in str(screen.query_one(TitleBar).render()))
        assert "PRIVACY" in str(screen.query_one(TitleBar).render())


async def test_the_filter_line_takes_the_typing_while_the_table_keeps_the_focus(make_app):
    app = make_app("E1-02")
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await settle(pilot, CaseloadScreen)
        table = screen.query_one(CaseTable)
        line, keys = screen.query_one(FilterLine), screen.query_one(KeyBar)
        assert not line.display and keys.display
        first = table.get_row_at(0)[0].plain
        # typed straight after `/`, as a fast typist does: every key lands in the filter
        await pilot.press("slash", *first.lower())
        assert line.display and not keys.display  # in the key line's place
        assert app.focused is table and screen.filter_text == first.lower()
        assert str(line.render()).startswith(f"/ {first.lower()}")
        assert table.row_count == 1
        await pilot.press("backspace", "backspace", "ctrl+u")
        assert screen.filter_text == "" and table.row_count == len(screen.view.rows)
        await pilot.press("q", "p")  # letters are text here, not Quit or Privacy
        assert app.is_running and not app.privacy and screen.filter_text == "qp"
        await pilot.press("ctrl+u", *first.lower(), "enter")  # closed, the filter kept
        assert not line.display and keys.display and table.row_count == 1
        assert screen.filter_text == first.lower()
        await pilot.press("slash")  # opens again on the same text
        assert str(line.render()).startswith(f"/ {first.lower()}")
        await pilot.press("escape")
        assert not line.display and screen.filter_text == "" and table.row_count == len(screen.view.rows)


async def test_arrows_move_in_the_table_while_filtering(make_app):
    app = make_app("E1-02")
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await settle(pilot, CaseloadScreen)
        table = screen.query_one(CaseTable)
        await pilot.press("slash", "down")
        assert screen.filtering and table.cursor_row == 1


async def test_a_paste_goes_into_the_filter(make_app):
    from textual import events

    app = make_app("E1-02")
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await settle(pilot, CaseloadScreen)
        ref = screen.query_one(CaseTable).get_row_at(0)[0].plain
        await pilot.press("slash")
        screen.post_message(events.Paste(f"{ref}\nmore"))
        await pilot.pause()
        assert screen.filter_text == ref and screen.query_one(CaseTable).row_count == 1


async def test_only_the_top_screens_keys_show(make_app):
    """Behind a picker, the help or a form the screen's key line is blank
    (it showed keys that do nothing there); back on top, it shows again."""
    from tui.screens.case import CaseScreen
    from tui.screens.help import HelpScreen
    from tui.screens.picker.rule_picker import RulePicker

    app = make_app("E1-02")
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await settle(pilot, CaseloadScreen)
        bar = screen.query_one(KeyBar)
        assert bar.visible
        for key, modal in (("f", RulePicker), ("question_mark", HelpScreen)):
            await pilot.press(key)
            await pilot.pause()
            assert isinstance(app.screen, modal)
            assert not bar.visible
            await pilot.press("escape")
            await pilot.pause()
            assert app.screen is screen and bar.visible
        await pilot.press("enter")
        case = await settle(pilot, CaseScreen)
        await pilot.press("n")
        await pilot.pause()
        assert not case.query_one(KeyBar).visible
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen is case and case.query_one(KeyBar).visible
