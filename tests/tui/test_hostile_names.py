"""Names and notes are text, never markup (README, "Where
data lives and how it is protected").

The sample gets names and notes that Textual's markup would read as tags
(`[link=x]`, `[bold]`), one it cannot read at all (`[DOB=01/02/2003]`, which
crashed the palette, the supervision picker and the handover screen), and a
terminal escape sequence. Every screen is opened on them by keys and its
painted text read back: the app is still running, the brackets are shown as
typed, and no escape character reaches the terminal."""

from __future__ import annotations

import io

from sqlalchemy import text

from tests.tui.helpers import palette_pick, settle, wait_for
from tui.screens.caseload import CaseloadScreen
from tui.screens.registry import is_showing

LEAD = "N1-01"
HOSTILE = {
    "N1-02": "Riley [link=x]Chen[/link]",
    "N1-05": "Jo [DOB=01/02/2003]",
    "N1-06": "[bold]",
    "N1-03": "Ash \x1b[31mRed\x1b]8;;x\x07",
}
CASE_NAMES = ["Kim [DOB=01/02/2003]", "Lou [link=x]Ray[/link]", "[b]", "Max \x1b[2Jwipe"]
NOTE = "[red]note[/red] [@click=app.quit]quit[/] [DOB=1]"
TEAM = "North [b]gate[/b]"
SHOWN = ("[DOB=01/02/2003]", "[link=x]", "[bold]", "[b]", "[red]note[/red]")


def make_hostile(engine) -> None:
    with engine.begin() as conn:
        for pid, name in HOSTILE.items():
            conn.execute(text("UPDATE practitioner SET name = :n WHERE practitioner_id = :p"), {"n": name, "p": pid})
        conn.execute(text("UPDATE team SET name = :n WHERE team_id = 'NPS-N1'"), {"n": TEAM})
        refs = conn.execute(text(
            "SELECT c.case_ref FROM \"case\" c JOIN team t ON t.id = c.team_pk WHERE t.team_id = 'NPS-N1' "
            "ORDER BY c.case_ref")).scalars().all()
        for i, ref in enumerate(refs):
            conn.execute(text("UPDATE \"case\" SET display_name = :n WHERE case_ref = :r"),
                         {"n": CASE_NAMES[i % len(CASE_NAMES)], "r": ref})
        conn.execute(text("UPDATE contact SET notes = :n"), {"n": NOTE})
        conn.execute(text("UPDATE case_note SET text = :n"), {"n": NOTE})
        conn.execute(text("UPDATE handover SET reason = :n, summary = :s"), {"n": NOTE, "s": NOTE})
        conn.execute(text("UPDATE handover_item SET note = :n"), {"n": NOTE})


def screen_text(app) -> str:
    """What the screen paints (as Textual's own screenshot reads it), as text."""
    from rich.console import Console

    console = Console(width=app.size.width, height=app.size.height, file=io.StringIO(), force_terminal=True,
                      color_system="truecolor", record=True, legacy_windows=False, safe_box=False)
    console.print(app.screen._compositor.render_update(full=True, screen_stack=app._background_screens))
    return console.export_text(styles=False)


def looks_right(app, where: str, *expected: str) -> str:
    """The app is still running; the screen shows some hostile text as
    typed (each of `expected`, and at least one of SHOWN); no control
    character is painted."""
    assert app.is_running and app._exception is None, f"{where}: the app stopped ({app._exception!r})"
    painted = screen_text(app)
    bad = [line for line in painted.splitlines() if any(ch in line for ch in "\x1b\x07\x9b")]
    assert not bad, f"{where}: a control character was painted: {bad!r}"
    for piece in expected:
        assert piece in painted, f"{where}: {piece!r} not shown as typed:\n{painted}"
    assert any(piece in painted for piece in SHOWN), f"{where}: no hostile name shown as typed:\n{painted}"
    return painted


async def test_every_screen_shows_hostile_names_as_typed(make_app, sample_engine):
    from textual.widgets import OptionList

    from tui.screens.case import CaseScreen
    from tui.screens.departures.screen import DeparturesScreen, open_departures
    from tui.screens.handover.screen import HandoverScreen
    from tui.screens.handovers import HandoversScreen
    from tui.screens.picker.practitioner_picker import PractitionerPicker
    from tui.screens.rebalance.options_form import RebalanceOptions
    from tui.screens.rebalance.screen import RebalanceScreen
    from tui.screens.supervision.screen import SupervisionScreen
    from tui.screens.team import TeamScreen
    from tui.screens.week import WeekScreen

    make_hostile(sample_engine)
    app = make_app(LEAD, signed_in=False)  # the file's owner acting as the lead: P and switching work
    async with app.run_test(size=(200, 60)) as pilot:
        await settle(pilot, CaseloadScreen)
        looks_right(app, "caseload", "Kim [DOB=01/02/2003]", "Lou [link=x]Ray[/link]")

        # the practitioner picker
        await pilot.press("P")
        await wait_for(pilot, lambda: isinstance(app.screen, PractitionerPicker))
        looks_right(app, "picker", HOSTILE["N1-02"])
        await pilot.press("escape")
        await settle(pilot, CaseloadScreen)

        # the command palette, searched by a name
        await pilot.press("ctrl+p")
        await pilot.press(*"Jo [DOB")
        await wait_for(pilot, lambda: app.screen.query("CommandList") and
                       app.screen.query_one("CommandList").option_count > 0)
        looks_right(app, "palette", "[DOB=01/02/2003]")
        await pilot.press("escape")
        await settle(pilot, CaseloadScreen)

        # a case with notes and contacts
        app.open_case("NG1008")
        await settle(pilot, CaseScreen)
        looks_right(app, "case", "[red]note[/red]", "[@click=app.quit]quit[/]")

        # its handover (from N1-06 "[bold]" to N1-05)
        await pilot.press("h")
        await settle(pilot, HandoverScreen)
        looks_right(app, "handover", HOSTILE["N1-05"])
        await pilot.press("escape")
        await settle(pilot, CaseScreen)
        await pilot.press("escape")
        await settle(pilot, CaseloadScreen)

        # the week of Riley [link=x]Chen[/link]
        app.switch_practitioner("N1-02")
        await settle(pilot, CaseloadScreen, after=1)
        await pilot.press("w")
        await settle(pilot, WeekScreen)
        looks_right(app, "week", HOSTILE["N1-02"])
        await pilot.press("escape")
        await settle(pilot, CaseloadScreen)

        # team, rebalance, open handovers, departures
        app.switch_practitioner(LEAD)
        await settle(pilot, CaseloadScreen, after=1)
        await pilot.press("T")
        await settle(pilot, TeamScreen)
        looks_right(app, "team", "Riley [link=x]", TEAM)  # names cut at 15 characters
        await pilot.press("r")
        await wait_for(pilot, lambda: isinstance(app.screen, RebalanceOptions))
        await pilot.press("enter")
        await settle(pilot, RebalanceScreen)
        looks_right(app, "rebalance")
        await pilot.press("escape")
        await settle(pilot, TeamScreen)
        await pilot.press("escape")
        await settle(pilot, CaseloadScreen)
        await pilot.press("H")
        await settle(pilot, HandoversScreen)
        looks_right(app, "open handovers")
        await pilot.press("escape")
        await settle(pilot, CaseloadScreen)
        open_departures(app, "N1-03")
        await settle(pilot, DeparturesScreen)
        looks_right(app, "departures", "N1-03 Ash Red leaves on")
        await pilot.press("escape")
        await settle(pilot, CaseloadScreen)

        # supervision: the picker of practitioners, then the session
        await pilot.press("S")
        await wait_for(pilot, lambda: app.screen.is_modal and app.screen.query("#choices"))
        looks_right(app, "supervision picker", HOSTILE["N1-05"])
        choices = app.screen.query_one("#choices", OptionList)
        choices.highlighted = choices.get_option_index("N1-02")
        await pilot.press("enter")
        await wait_for(pilot, lambda: is_showing(app.screen, "confirm"))
        looks_right(app, "supervision confirmation", HOSTILE["N1-02"])
        await pilot.press("y")
        screen = await settle(pilot, SupervisionScreen)
        looks_right(app, "supervision overview", HOSTILE["N1-02"])
        await pilot.press("n")
        await wait_for(pilot, lambda: screen.current is not None)
        looks_right(app, "supervision case")


async def test_the_palette_finds_a_case_by_a_name_with_brackets(make_app, sample_engine):
    from tui.screens.case import CaseScreen

    make_hostile(sample_engine)
    app = make_app(LEAD, signed_in=False)  # the file's owner acting as the lead: P and switching work
    async with app.run_test(size=(160, 40)) as pilot:
        await settle(pilot, CaseloadScreen)
        chosen = await palette_pick(pilot, "Lou [link")
        assert "Lou [link=x]Ray[/link]" in chosen
        await settle(pilot, CaseScreen)
        looks_right(app, "case from the palette", "Lou [link=x]Ray[/link]")
