"""Words on screen (issue: "53% under capacity", raw backticks in notices)."""

from __future__ import annotations

from tests.tui.helpers import settle, wait_for
from tests.tui.test_team_screen import LEAD, OVER, open_team
from tui.screens.caseload import CaseloadScreen
from tui.text import prose


def test_prose_quotes_commands_instead_of_backticks():
    assert prose("no database; run `caseload init`") == 'no database; run "caseload init"'
    assert prose("a ` alone stays") == "a ` alone stays"


async def test_a_notice_quoting_a_command_shows_no_backticks(make_app):
    app = make_app(OVER)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot, CaseloadScreen)
        app.notify("plan one with `caseload handover plan`")
        await pilot.pause()
        messages = [str(n.message) for n in app._notifications]
        assert 'plan one with "caseload handover plan"' in messages
        assert not any("`" in m for m in messages)


async def test_team_detail_says_the_share_of_capacity_plainly(make_app):
    app = make_app(LEAD)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_team(pilot)
        await wait_for(pilot, lambda: str(screen.query_one("#detail").render()).strip() != "")
        detail = str(screen.query_one("#detail").render())
        assert "% of capacity (" in detail, detail
        assert "under capacity" not in detail and "near capacity" not in detail
