"""The throwaway seen modal: `S` from the team screen."""

from __future__ import annotations

from tests.tui.helpers import settle
from tui.screens.caseload import CaseloadScreen
from tui.screens.seen import SeenScreen
from tui.screens.team import TeamScreen


async def test_S_shows_how_many_practitioners(make_app):
    app = make_app("N1-01")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot, CaseloadScreen)
        await pilot.press("T")
        await settle(pilot, TeamScreen)
        await pilot.press("S")
        screen = await settle(pilot, SeenScreen)
        assert "NPS-N1: 10 practitioners" in str(screen.query_one("#summary").render())
