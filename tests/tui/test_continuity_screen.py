"""The lead's continuity screen (SPEC §12), driven with the pilot on a private
copy of the sample at 2026-11-27, at 80x24: `C` from the team screen, the
chart of each measure with the team's line and the highlighted
practitioner's, ←/→ through the measures, enter into a practitioner's
caseload; the figures are the report's; a practitioner gets a notice."""

from __future__ import annotations

from planner.continuity import MEASURE_NAMES, continuity_report
from tests.tui.helpers import AS_OF, settle, wait_for
from tui.screens.caseload import CaseloadScreen
from tui.screens.continuity import ContinuityScreen
from tui.screens.team import TeamScreen

LEAD = "N1-01"


def report_of(engine):
    from storage.engine import session
    from storage.queries import load_continuity_input
    from storage.reader import reader_of
    from planner.continuity import report_months

    months = report_months(AS_OF)
    with session(engine) as s:
        cases, world = load_continuity_input(reader_of(s), "NPS-N1", months[0].first, months[-1].last)
    return continuity_report(cases, world, "NPS-N1", AS_OF)


def column(table, key: str) -> list[str]:
    return [str(table.get_cell(table.coordinate_to_cell_key((i, 0)).row_key, key)) for i in range(table.row_count)]


async def open_continuity(pilot) -> ContinuityScreen:
    await settle(pilot, CaseloadScreen)
    await pilot.press("T")
    await settle(pilot, TeamScreen)
    await pilot.press("C")
    return await settle(pilot, ContinuityScreen)


async def test_C_opens_the_chart_and_table_of_each_measure(make_app, sample_engine):
    app = make_app(LEAD)
    expected = report_of(sample_engine)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_continuity(pilot)
        assert screen.view.report.to_dict() == expected.to_dict()
        table = screen.query_one("#who")
        assert table.row_count == 1 + len(expected.practitioner_ids)
        assert column(table, "who")[0] == "● team"
        assert all(w.startswith("◆ N1-") for w in column(table, "who")[1:])
        assert set(column(table, "trend")) <= {"better", "worse", "steady", "-"}
        summary = str(screen.query_one("#summary").render())
        assert "changes per person-year" in summary and "1 of 10" in summary
        chart = screen.query_one("#chart")
        assert chart.size.height >= 8 and chart.size.width == 80
        assert chart.shown == ("changes_per_person_year", None)
        # → to the continuity index (6th): the table shows its figures
        for _ in range(MEASURE_NAMES.index("continuity_index")):
            await pilot.press("right")
        await pilot.pause()
        assert screen.measure_name == "continuity_index"
        last = next(v for v in reversed(expected.series("continuity_index")) if v is not None)
        assert column(table, "last")[0] == f"{last:.2f}"
        await pilot.press("left")
        assert screen.measure_name == "early_breaks"
        await pilot.press(*["left"] * 7)
        assert screen.measure_name == "capacity"  # round the end


async def test_enter_on_a_practitioner_opens_their_caseload(make_app):
    app = make_app(LEAD)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_continuity(pilot)
        await pilot.press("down", "down")
        pid = screen.highlighted_id()
        assert pid == screen.view.report.practitioner_ids[1]
        assert screen.query_one("#chart").shown == ("changes_per_person_year", pid)
        await pilot.press("enter")
        drilled = await settle(pilot, CaseloadScreen)
        assert drilled.view.practitioner.practitioner_id == pid
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen is screen)


async def test_a_practitioner_is_refused_with_a_notice(make_app):
    app = make_app("N1-02")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot, CaseloadScreen)
        app.push_screen(ContinuityScreen())
        screen = await settle(pilot, ContinuityScreen)
        assert screen.view is None
        assert "N1-02 is not a team lead" in str(screen.query_one("#summary").render())


def test_continuity_screen_snapshot(snap_compare, make_app):
    """NPS-N1's continuity at 80x24: the continuity index, N1-02's line beside the team's."""

    async def ready(pilot):
        await open_continuity(pilot)
        await pilot.press(*["right"] * MEASURE_NAMES.index("continuity_index"), "down", "down")
        await pilot.pause()

    assert snap_compare(make_app(LEAD), terminal_size=(80, 24), run_before=ready)
