"""The home screen, driven by keys: what it shows, filtering, sorting,
privacy, the first-run picker and an empty database."""

from __future__ import annotations

import json

from planner.risk import evaluate, severity_counts
from storage.engine import session
from storage.queries import load_cases, load_world
from tests.tui.helpers import AS_OF, rows_of, settle, wait_for
from tui.app import CaseloadApp
from tui.data import initials
from tui.screens.case import CaseScreen
from tui.screens.caseload import CaseloadScreen
from tui.screens.picker.practitioner_picker import PractitionerPicker
from tui.screens.picker.rule_picker import RulePicker
from tui.widgets.case_table import CaseTable


async def test_lists_the_practitioners_cases_worst_first(make_app, sample_engine):
    """Rows are the planner's risk order; the strip counts severities in words."""
    app = make_app("E1-02")
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await settle(pilot, CaseloadScreen)
        with session(sample_engine) as s:
            world = load_world(s)
            cases = load_cases(s, practitioner_id="E1-02")
        risks = evaluate(cases, world, AS_OF)
        table = screen.query_one(CaseTable)
        assert rows_of(table) == [r.case_ref for r in risks]
        counts = severity_counts(w for r in risks for w in r.warnings)
        strip = str(screen.query_one("#summary").render())
        assert f"▲ HIGH {counts['high']}" in strip and f"○ LOW {counts['low']}" in strip
        assert "capacity" in strip and "%" in strip
        # the worst row names its worst warning in words, not colour alone
        worst = table.get_row(risks[0].case_ref)[2].plain
        assert worst.startswith(("▲ HIGH", "◆ MED", "○ LOW"))
        assert app.first_paint_seconds is not None


async def test_slash_filters_as_you_type_and_escape_clears(make_app):
    app = make_app("E1-02")
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await settle(pilot, CaseloadScreen)
        table = screen.query_one(CaseTable)
        everything = rows_of(table)
        target = everything[-1]
        await pilot.press("slash")
        assert screen.filtering and isinstance(app.focused, CaseTable)  # the table keeps the focus
        await pilot.press(*target.lower())
        assert rows_of(table) == [target]
        # by name, too
        await pilot.press("escape")
        assert rows_of(table) == everything and screen.filter_text == ""
        name = table.get_row(everything[0])[1].plain
        await pilot.press("slash", *name.split()[0].lower())
        assert everything[0] in rows_of(table)
        assert all(name.split()[0].lower() in table.get_row(r)[1].plain.lower() for r in rows_of(table))
        await pilot.press("enter")  # back to the table, filter kept
        assert isinstance(app.focused, CaseTable)
        assert screen.filter_text == name.split()[0].lower()


async def test_rule_picker_filters_by_warning(make_app):
    app = make_app("E1-02")
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await settle(pilot, CaseloadScreen)
        await pilot.press("f")
        assert isinstance(app.screen, RulePicker)
        options = app.screen.query_one("#choices")
        ids = [options.get_option_at_index(i).id for i in range(options.option_count)]
        assert "early_window" not in ids  # a status, not a warning: nothing to filter on
        rule = ids[1]  # the commonest warning on this caseload
        assert rule != "__all__"
        options.highlighted = 1
        await pilot.press("enter")
        await pilot.pause()
        table = screen.query_one(CaseTable)
        assert screen.rule == rule
        assert rows_of(table)
        assert all(any(w.rule == rule for w in r.warnings) for r in screen.visible_rows())
        await pilot.press("escape")
        assert screen.rule is None


async def test_sort_key_cycles_columns(make_app):
    app = make_app("E1-02")
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await settle(pilot, CaseloadScreen)
        await pilot.press("s")  # risk -> ref
        table = screen.query_one(CaseTable)
        assert rows_of(table) == sorted(rows_of(table))
        assert "sort: ref" in str(screen.query_one("#summary").render())


async def test_privacy_mode_shows_initials_only(make_app):
    app = make_app("E1-02")
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await settle(pilot, CaseloadScreen)
        table = screen.query_one(CaseTable)
        ref = rows_of(table)[0]
        full = table.get_row(ref)[1].plain
        await pilot.press("p")  # an app key; the privacy watcher redraws the table
        await wait_for(pilot, lambda: app.privacy and table.get_row(ref)[1].plain == initials(full))
        assert app.privacy
        assert table.get_row(ref)[1].plain == initials(full)
        assert all("." in table.get_row(r)[1].plain for r in rows_of(table))
        # the case screen too
        await pilot.press("enter")
        case = await settle(pilot, CaseScreen)
        assert full not in str(case.query_one("#who").render())
        assert initials(full) in str(case.query_one("#who").render())


async def test_enter_opens_the_case(make_app):
    app = make_app("E1-02")
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await settle(pilot, CaseloadScreen)
        first = rows_of(screen.query_one(CaseTable))[0]
        await pilot.press("enter")
        case = await settle(pilot, CaseScreen)
        assert case.case_ref == first
        await pilot.press("escape")
        assert isinstance(app.screen, CaseloadScreen)


async def test_first_run_asks_who_you_are_and_remembers(make_app, tmp_path):
    app = make_app(None)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, PractitionerPicker))
        await pilot.press("down", "enter")  # the second practitioner, E1-02
        screen = await settle(pilot, CaseloadScreen, after=1)
        assert app.practitioner_id == "E1-02"
        assert screen.view.practitioner.practitioner_id == "E1-02"
    saved = json.loads((tmp_path / "state.json").read_text())
    assert saved == {"practitioner_id": "E1-02"}
    # next start: no picker
    again = make_app(None)
    async with again.run_test(size=(120, 40)) as pilot:
        screen = await settle(pilot, CaseloadScreen)
        assert again.practitioner_id == "E1-02"
        assert not isinstance(again.screen, PractitionerPicker)
        assert screen.view.rows


async def test_team_lead_sees_the_team(make_app):
    app = make_app("E1-01")
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await settle(pilot, CaseloadScreen)
        assert screen.view.team_view
        table = screen.query_one(CaseTable)
        assert "worker" in [c.value for c in table.columns]
        assert len({r.practitioner_id for r in screen.view.rows}) > 1


async def test_empty_database_shows_an_empty_state_and_quits(engine, tmp_path):
    """No practitioners at all: words saying what to do, no crash, q quits."""
    app = CaseloadApp(engine, as_of=AS_OF, state_file=tmp_path / "state.json")
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await settle(pilot, CaseloadScreen)
        empty = str(screen.query_one("#empty").render())
        assert "No practitioners" in empty and "caseload import" in empty
        assert not isinstance(app.screen, PractitionerPicker)
        await pilot.press("w")  # nothing to plan: a notice, not a crash
        await pilot.press("question_mark")
        await pilot.press("escape")
        await pilot.press("q")
    assert app.return_code == 0


async def test_starts_and_quits_on_the_sample_at_80x24(make_app):
    app = make_app("E1-02")
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await settle(pilot, CaseloadScreen)
        assert screen.query_one(CaseTable).row_count == len(screen.view.rows) > 0
        await pilot.press("q")
    assert app.return_code == 0


async def test_theme_key_toggles_light_and_dark(make_app):
    app = make_app("E1-02")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot, CaseloadScreen)
        before = app.theme
        await pilot.press("t")  # an app key: wait for the app to have acted on it
        await wait_for(pilot, lambda: app.theme != before)
        assert app.theme != before and app.theme in ("textual-light", "textual-dark")
        await pilot.press("t")
        await wait_for(pilot, lambda: app.theme == before)
        assert app.theme == before


async def test_unreachable_database_on_load_is_a_notice_not_a_crash(make_app, monkeypatch):
    import storage.queries
    from sqlalchemy.exc import OperationalError

    def unreachable(*args, **kwargs):
        raise OperationalError("SELECT", {}, Exception("could not connect to server"))

    monkeypatch.setattr(storage.queries, "load_world", unreachable)
    app = make_app("E1-02")
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await settle(pilot, CaseloadScreen)
        assert "connection" in str(screen.query_one("#summary").render()).lower()
        assert any(n.severity == "error" for n in app._notifications)
        await pilot.press("q")
    assert app.return_code == 0


async def test_first_load_reads_only_and_the_ticks_are_written_after_the_paint(make_app, sample_engine):
    """The caseload read applies the checklist ticks the records give in memory
    (the same handover progress and warnings) and writes nothing; the screen
    writes them in a worker once the rows are painted."""
    from datetime import date

    from sqlalchemy import func, select

    from storage import models as m
    from storage import repo
    from tui.data import Gateway

    ref, day = "NG1007", date(2026, 12, 7)  # N1-03 -> N1-09 on 7 Dec in the sample
    with session(sample_engine) as s:
        repo.record_contact(s, case_ref=ref, contact_date=day, practitioner_id="N1-09", kind="three_way",
                            outcome="attended", actor="N1-09")
        repo.commit_or_conflict(s)

    def three_way_ticked() -> bool:
        with session(sample_engine) as s:
            return bool(s.execute(
                select(m.HandoverItem.done_on).join(m.Handover, m.Handover.id == m.HandoverItem.handover_id)
                .join(m.Case, m.Case.id == m.Handover.case_id)
                .where(m.Case.case_ref == ref, m.HandoverItem.item_id == "three_way")).scalar())

    def audit_events() -> int:
        with session(sample_engine) as s:
            return s.execute(select(func.count(m.AuditEvent.id))).scalar()

    events = audit_events()
    view = Gateway(sample_engine, actor_id="N1-03").caseload("N1-03", day)
    assert audit_events() == events and not three_way_ticked()  # nothing written
    [row] = [r for r in view.rows if r.case_ref == ref]

    app = make_app("N1-03", as_of=day)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await settle(pilot, CaseloadScreen)
        assert three_way_ticked()  # written by the worker after the paint
        [after] = [r for r in screen.view.rows if r.case_ref == ref]
        assert (after.handover, after.warnings) == (row.handover, row.warnings)


async def test_a_long_caseload_paints_its_first_screenful_then_every_row(make_app):
    """A team lead's whole team: the first frame holds a screenful of rows
    (the DataTable measures every cell it is given before it paints); every
    row is in the table by the time the load counts as handled."""
    app = make_app("N1-01")
    painted = []
    first_paint = app.painted_with_rows
    app.painted_with_rows = lambda rows, **kw: (painted.append((rows, kw.get("total"))), first_paint(rows, **kw))
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await settle(pilot, CaseloadScreen)
        assert len(screen.view.rows) > 24
        assert painted == [(24, len(screen.view.rows))]
        assert screen.query_one(CaseTable).row_count == len(screen.view.rows)
        assert rows_of(screen.query_one(CaseTable)) == [r.case_ref for r in screen.visible_rows()]


async def test_statuses_are_a_badge_not_a_warning(make_app):
    """docs/rules.md: `early_window` shows as "new: week 3 of 12" in the
    relationship column; it is not in the warnings column, the counts, the
    score or the rule filter."""
    from planner.risk import severity_counts

    app = make_app("E1-02")
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await settle(pilot, CaseloadScreen)
        view = screen.view
        new = [r for r in view.rows if any(s.rule == "early_window" for s in r.statuses)]
        assert new, "the sample has new relationships on this caseload"
        for row in new:
            tag = next(s for s in row.statuses if s.rule == "early_window").facts["tag"]
            assert row.relationship.startswith(tag) and tag.startswith("new: week ")
            assert all(w.severity != "info" for w in row.warnings)
        quiet = [r for r in new if not r.warnings]
        assert quiet and all(r.score == 0 for r in quiet)
        assert view.counts == severity_counts(w for r in view.rows for w in r.warnings)
        assert sum(view.counts.values()) == sum(len(r.warnings) for r in view.rows)
        table = screen.query_one(CaseTable)
        index = rows_of(table).index(quiet[0].case_ref)
        cells = [str(table.get_cell_at((index, col))) for col in range(len(table.columns))]
        assert "none" in cells[2] and any(c.startswith("new: week ") for c in cells)
