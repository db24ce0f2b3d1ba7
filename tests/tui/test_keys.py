"""The app's keys (issue 18, Keys 2-4): ctrl+q quits from any modal and
from the command palette; the pickers filter as you type and show only the
keys that work there; lead-only keys stay out of a practitioner's key line
and help; `S` asks before it starts a session; `Home` on the case screen
reaches the top; `s` marks the sorted column in the table header.

Modals are opened by the keys a user presses (the sample at 2026-11-27:
N1-01 leads team NPS-N1, N1-02 is one of its practitioners)."""

from __future__ import annotations

import pytest
from textual.command import CommandPalette
from textual.screen import ModalScreen

from tests.tui.helpers import find_case, settle, wait_for
from tui.screens.caseload import CaseloadScreen
from tui.screens.case import CaseScreen
from tui.screens.registry import SCREENS, is_showing, screen_class
from tui.screens.week import WeekScreen

LEAD = "N1-01"
PRACTITIONER = "N1-02"


async def _caseload(pilot):
    await settle(pilot, CaseloadScreen)


async def _case(pilot):
    await _caseload(pilot)
    await pilot.press("enter")
    await settle(pilot, CaseScreen)


async def _week(pilot):
    await _caseload(pilot)
    await pilot.press("w")
    await settle(pilot, WeekScreen)


async def _week_case_picker(pilot):
    """The week's `a` asks for the case when no appointment of a case is selected."""
    from tui.screens.registry import open_screen

    await _week(pilot)
    screen = pilot.app.screen
    cases = [(ref, name) for ref, name in screen.view.own_cases]
    open_screen(pilot.app, "case-picker", cases)


async def _supervision_picker(pilot):
    await _caseload(pilot)
    await pilot.press("S")
    await wait_for(pilot, lambda: is_showing(pilot.app.screen, "picker"))


async def _supervision_confirm(pilot):
    await _supervision_picker(pilot)
    await pilot.press("enter")
    await wait_for(pilot, lambda: is_showing(pilot.app.screen, "confirm"))


# name -> (who signs in, signed in?, the keys that open it after the opener, the opener, what is on top)
OPENERS = {
    "help": (PRACTITIONER, True, _caseload, ("question_mark",), "help"),
    "rule-picker": (PRACTITIONER, True, _caseload, ("f",), "rule-picker"),
    "practitioner-picker": (PRACTITIONER, False, _caseload, ("P",), "practitioner-picker"),
    "supervision picker": (LEAD, True, _supervision_picker, (), "picker"),
    "confirm": (LEAD, True, _supervision_confirm, (), "confirm"),
    "contact-form": (PRACTITIONER, True, _case, ("c",), "contact-form"),
    "appointment-form": (PRACTITIONER, True, _case, ("a",), "appointment-form"),
    "note-form": (PRACTITIONER, True, _case, ("n",), "note-form"),
    "case-picker": (PRACTITIONER, True, _week_case_picker, (), "case-picker"),
    "export-form": (PRACTITIONER, True, _week, ("e",), "export-form"),
}


@pytest.mark.parametrize("name", list(OPENERS))
async def test_ctrl_q_quits_from_every_modal(make_app, name):
    who, signed_in, opener, keys, on_top = OPENERS[name]
    app = make_app(who, signed_in=signed_in)
    async with app.run_test(size=(80, 24)) as pilot:
        await opener(pilot)
        await pilot.press(*keys)
        await wait_for(pilot, lambda: is_showing(app.screen, on_top))
        assert app.return_code is None
        await pilot.press("q")  # a letter in a modal: never quits
        await pilot.pause()
        assert app.return_code is None
        await pilot.press("ctrl+q")
        await pilot.pause()
        assert app.return_code == 0


async def test_ctrl_q_quits_from_the_command_palette(make_app):
    app = make_app(PRACTITIONER)
    async with app.run_test(size=(80, 24)) as pilot:
        await _caseload(pilot)
        await pilot.press("ctrl+p")
        await wait_for(pilot, lambda: isinstance(app.screen, CommandPalette))
        await pilot.press("q")  # typed into the palette's search
        await pilot.pause()
        assert app.return_code is None
        await pilot.press("ctrl+q")
        await pilot.pause()
        assert app.return_code == 0


def test_no_modal_takes_ctrl_q_for_itself():
    """Every modal of the registry leaves ctrl+q to the app (priority binding)."""
    from tui.app import CaseloadApp

    modals = [name for name in SCREENS if issubclass(screen_class(name), ModalScreen)]
    assert len(modals) > 20
    for name in modals:
        keys = {key for key, _binding in screen_class(name)._merge_bindings()}
        assert "ctrl+q" not in keys, name
    quit_now = [b for b in CaseloadApp.BINDINGS if b.key == "ctrl+q"]
    assert quit_now and quit_now[0].priority and quit_now[0].action == "quit_now"


async def test_help_says_how_to_quit_from_a_dialog(make_app):
    app = make_app(PRACTITIONER)
    async with app.run_test(size=(80, 24)) as pilot:
        await _caseload(pilot)
        await pilot.press("question_mark")
        rows = {keys: words for keys, words, _id in app.screen.app_rows}
        assert "ctrl+q" in rows["q"]
        assert "dialog" in rows["ctrl+q"]


async def test_s_then_enter_asks_before_a_session_starts(make_app):
    from tui.screens.supervision.screen import SupervisionScreen

    app = make_app(LEAD)
    async with app.run_test(size=(80, 24)) as pilot:
        await _supervision_confirm(pilot)
        confirm = app.screen
        assert "supervision session" in confirm.question and "N1-" in confirm.detail
        await pilot.press("enter")  # enter presses "Not now", the highlighted button
        await pilot.pause()
        assert isinstance(app.screen, CaseloadScreen)
        await _supervision_confirm(pilot)
        await pilot.press("y")
        await settle(pilot, SupervisionScreen)


def _header(table) -> str:
    """The table's header line as drawn."""
    return table.render_lines(table.region.reset_offset)[0].text


@pytest.mark.parametrize("fast", [True, False], ids=["fast table", "plain table"])
async def test_s_marks_the_sorted_column_and_its_direction_in_the_header(make_app, monkeypatch, fast):
    from tui.screens.caseload import SORTS
    from tui.widgets import fast_table
    from tui.widgets.case_table import COLUMNS, CaseTable, FastCaseTable

    monkeypatch.setattr(fast_table, "ENABLED", fast)
    titles = dict(COLUMNS)
    app = make_app(PRACTITIONER)
    async with app.run_test(size=(120, 30)) as pilot:
        screen = await settle(pilot, CaseloadScreen)
        table = screen.query_one(CaseTable)
        assert isinstance(table, FastCaseTable) is fast
        for n, (label, _key, column, arrow) in enumerate(SORTS):
            if n:
                await pilot.press("s")
                await pilot.pause()
            assert screen.sort_index == n
            marked = [str(c.label) for c in table.ordered_columns if str(c.label).endswith((" ↑", " ↓"))]
            assert marked == [f"{titles[column]} {arrow}"], label
            assert f"{titles[column]} {arrow}" in _header(table), label
        await pilot.press("s")  # back to risk, worst first
        await pilot.pause()
        assert f"{titles['warnings']} ↓" in _header(table) and "↑" not in _header(table)
        first = table.coordinate_to_cell_key((0, 0)).row_key
        name = str(table.get_row(first)[1])
        await pilot.press("p")  # privacy rebuilds the columns (its watcher): the mark stays
        await wait_for(pilot, lambda: app.privacy and str(table.get_row(first)[1]) != name)
        assert f"{titles['warnings']} ↓" in _header(table)


async def test_typing_in_a_picker_narrows_the_list(make_app):
    from textual.widgets import OptionList

    app = make_app(PRACTITIONER, signed_in=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await _caseload(pilot)
        await pilot.press("P")
        await wait_for(pilot, lambda: is_showing(app.screen, "practitioner-picker"))
        picker = app.screen
        choices = picker.query_one("#choices", OptionList)
        everyone = choices.option_count
        assert everyone > 3
        await pilot.press(*"n1-05")  # q, p, s ... are letters here, not the app's keys
        assert choices.option_count == 1
        assert choices.get_option_at_index(choices.highlighted).id == "N1-05"
        await pilot.press("backspace")
        assert choices.option_count > 1
        await pilot.press("escape")  # clears the search first
        assert is_showing(app.screen, "practitioner-picker") and choices.option_count == everyone
        await pilot.press(*"n1-05", "enter")
        await wait_for(pilot, lambda: not app.screen.is_modal)
        assert app.practitioner_id == "N1-05"


@pytest.mark.parametrize("who,lead", [(PRACTITIONER, False), (LEAD, True)])
async def test_lead_only_keys_are_shown_to_leads_only(make_app, who, lead):
    from tui.screens.handovers import HandoversScreen
    from tui.widgets.chrome import KeyBar

    app = make_app(who)
    async with app.run_test(size=(120, 30)) as pilot:
        await _caseload(pilot)
        await pilot.press("question_mark")
        listed = app.screen.listed
        assert ("Supervision (team lead)" in listed) is lead
        assert ("Team workload (team lead)" in listed) is lead
        assert "Privacy" in listed
        await pilot.press("escape", "H")
        screen = await settle(pilot, HandoversScreen)
        await pilot.pause()
        keys = [shown for _key, shown, _words, _enabled in screen.query_one(KeyBar).keys]
        assert ("D" in keys) is lead and "R" in keys
        await pilot.press("question_mark")
        assert ("Plan departures" in app.screen.listed) is lead


async def test_an_ended_session_leaves_its_writing_keys_out_of_the_key_line(make_app):
    from tui.screens.supervision.screen import SupervisionScreen
    from tui.widgets.chrome import KeyBar

    app = make_app(LEAD)
    async with app.run_test(size=(200, 30)) as pilot:
        await _supervision_confirm(pilot)
        await pilot.press("y")
        screen = await settle(pilot, SupervisionScreen)
        await wait_for(pilot, lambda: not screen.busy)
        writes = {b.description for _k, b in screen._bindings
                  if b.action in SupervisionScreen._WRITES and b.show and b.description}

        def shown() -> set[str]:
            return {words for _key, _shown, words, _enabled in screen.query_one(KeyBar).keys}

        assert writes and writes <= shown()
        await pilot.press("E")
        await wait_for(pilot, lambda: is_showing(app.screen, "confirm"))
        await pilot.press("y")
        await wait_for(pilot, lambda: screen.ended and not screen.busy)
        await pilot.pause()
        assert not writes & shown()
        assert shown()  # the keys that still work (moving, export, back) stay


async def test_home_on_the_case_screen_goes_to_the_top_with_one_scrollbar(make_app):
    app = make_app(PRACTITIONER)
    async with app.run_test(size=(80, 24)) as pilot:
        await _case(pilot)
        screen = app.screen
        body = screen.query_one("#body")
        assert body.max_scroll_y > 0  # the case is longer than the screen
        await pilot.press("end")  # scrolls after the next refresh (Widget.scroll_end): wait for it
        await wait_for(pilot, lambda: body.scroll_y == body.max_scroll_y)
        assert body.scroll_y == body.max_scroll_y
        screen.set_focus(None)  # a click elsewhere, a form closed: Home still works
        await pilot.press("home")
        await wait_for(pilot, lambda: body.scroll_y == 0)
        assert body.scroll_y == 0 and screen.scroll_y == 0
        assert screen.query_one("#who").region.y == 1  # just under the title line
        bars = [w for w in [screen, *screen.walk_children()] if w.show_vertical_scrollbar]
        assert bars == [body]
        assert screen.styles.overflow_y == "hidden"
