"""Pictures of the key screens on the sample at 2026-11-27, at 80x24 and
120x40. Regenerate with `pytest tests/tui/test_snapshots.py --snapshot-update`
after a deliberate change (or a Textual bump) and look at the result."""

from __future__ import annotations

import pytest

from tests.tui.helpers import settle
from tui.screens.case import CaseScreen
from tui.screens.caseload import CaseloadScreen
from tui.screens.week import WeekScreen

SIZES = [(80, 24), (120, 40)]


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_caseload_screen(snap_compare, make_app, size):
    """E1-02's caseload, worst first, with the severity strip."""

    async def ready(pilot):
        await settle(pilot, CaseloadScreen)

    assert snap_compare(make_app("E1-02"), terminal_size=size, run_before=ready)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_case_screen(snap_compare, make_app, size):
    """The top case of E1-02: who, warnings, continuity, timeline."""

    async def ready(pilot):
        await settle(pilot, CaseloadScreen)
        await pilot.press("enter")
        await settle(pilot, CaseScreen)

    assert snap_compare(make_app("E1-02"), terminal_size=size, run_before=ready)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_week_screen(snap_compare, make_app, size):
    """E1-02's week: rows at 80 columns, seven columns at 120."""

    async def ready(pilot):
        await settle(pilot, CaseloadScreen)
        await pilot.press("w")
        await settle(pilot, WeekScreen)

    assert snap_compare(make_app("E1-02"), terminal_size=size, run_before=ready)


def test_team_leads_caseload_screen(snap_compare, make_app):
    """N1-01's team view at 80x24: the Worker column and the Handover column
    both in view, the key line with ? and q."""

    async def ready(pilot):
        await settle(pilot, CaseloadScreen)

    assert snap_compare(make_app("N1-01"), terminal_size=(80, 24), run_before=ready)
