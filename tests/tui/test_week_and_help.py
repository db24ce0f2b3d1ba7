"""The week screen (navigation, moving, export) and the help screen."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from storage import models as m
from storage.engine import session
from tests.tui.helpers import AS_OF, settle, type_into, wait_for
from tui.screens.case import CaseScreen
from tui.screens.caseload import CaseloadScreen
from tui.screens.forms.export_form import ExportForm
from tui.screens.forms.move_form import MoveForm
from tui.screens.help import HelpScreen
from tui.screens.week import WeekScreen

MONDAY = AS_OF - timedelta(days=AS_OF.weekday())


def busiest(engine):
    """The practitioner with the most appointments this week, from the data."""
    from planner.week import week_plan
    from storage.queries import load_actions, load_cases, load_world

    best = None
    with session(engine) as s:
        world = load_world(s)
        for pid, p in sorted(world.practitioners.items()):
            if p.is_lead:
                continue
            plan = week_plan(pid, AS_OF, load_cases(s, team_id=p.team_id), world, load_actions(s, owner_id=pid),
                             AS_OF)
            n = sum(1 for e in plan.entries() if e.kind == "appointment" and e.day >= AS_OF)
            if best is None or n > best[0]:
                best = (n, pid)
    assert best and best[0] > 0
    return best[1]


async def open_week(pilot) -> WeekScreen:
    await settle(pilot, CaseloadScreen)
    await pilot.press("w")
    return await settle(pilot, WeekScreen)


async def test_week_navigation_by_keys(make_app):
    app = make_app("E1-02")
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_week(pilot)
        assert screen.view.plan.week_start == MONDAY
        assert len(screen.view.plan.days) == 7
        for key, expected in (("right_square_bracket", 7), ("right", 14), ("left_square_bracket", 7),
                              ("left", 0), ("left", -7)):
            loads = screen.loads
            await pilot.press(key)
            await settle(pilot, WeekScreen, after=loads)
            assert screen.view.plan.week_start == MONDAY + timedelta(days=expected), key
        loads = screen.loads
        await pilot.press("full_stop")
        await settle(pilot, WeekScreen, after=loads)
        assert screen.view.plan.week_start == MONDAY
        await pilot.press("escape")
        assert isinstance(app.screen, CaseloadScreen)


async def test_week_shows_rows_at_80_columns(make_app):
    app = make_app("E1-02")
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_week(pilot)
        assert screen.has_class("-narrow")
    app = make_app("E1-02")
    async with app.run_test(size=(140, 40)) as pilot:
        screen = await open_week(pilot)
        assert not screen.has_class("-narrow")


async def test_move_an_appointment(make_app, sample_engine):
    pid = busiest(sample_engine)
    app = make_app(pid)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_week(pilot)
        entry = next(e for d in screen.view.plan.days for e in d.entries
                     if e.kind == "appointment" and e.day >= AS_OF
                     and not screen.view.appointments[e.appointment_id].rrule)
        # select it: focus its day, move to it
        index = [d.day for d in screen.view.plan.days].index(entry.day)
        day_list = screen.query_one(f"#list-{index}")
        day_list.focus()
        day_list.highlighted = list(screen.view.plan.days[index].entries).index(entry)
        await pilot.pause()
        assert screen.selected_entry() == entry
        await pilot.press("m")
        form = app.screen
        assert isinstance(form, MoveForm)
        target = entry.day + timedelta(days=14)
        loads = screen.loads
        await type_into(pilot, "#date", target.isoformat())
        await pilot.press("enter")
        await settle(pilot, WeekScreen, after=loads)
    with session(sample_engine) as s:
        row = s.get(m.Appointment, entry.appointment_id)
        assert row.appointment_date == target and row.version == 2
        assert s.execute(select(m.AuditEvent).where(m.AuditEvent.entity == "appointment",
                                                    m.AuditEvent.action == "move")).first()


async def test_moving_a_changed_appointment_is_refused_and_the_form_stays(make_app, sample_engine):
    """Someone else moved it after the week was read: a notice, nothing overwritten."""
    from storage.repo import commit_or_conflict, move_appointment

    pid = busiest(sample_engine)
    app = make_app(pid)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_week(pilot)
        entry = next(e for d in screen.view.plan.days for e in d.entries if e.appointment_id)
        index = [d.day for d in screen.view.plan.days].index(entry.day)
        day_list = screen.query_one(f"#list-{index}")
        day_list.focus()
        day_list.highlighted = list(screen.view.plan.days[index].entries).index(entry)
        await pilot.pause()
        elsewhere = screen.view.appointments[entry.appointment_id].appointment_date + timedelta(days=1)
        with session(sample_engine) as s:  # the other user
            move_appointment(s, appointment_id=entry.appointment_id, new_date=elsewhere,
                             expected_version=screen.view.versions[entry.appointment_id], actor="other")
            commit_or_conflict(s)
        await pilot.press("m")
        form = app.screen
        typed = (AS_OF + timedelta(days=30)).isoformat()
        await type_into(pilot, "#date", typed)
        await pilot.press("enter")
        await wait_for(pilot, lambda: not form.saving)
        assert app.screen is form and form.query_one("#date").value == typed
        assert any(n.severity == "error" and "changed by someone else" in n.message for n in app._notifications)
    with session(sample_engine) as s:
        assert s.get(m.Appointment, entry.appointment_id).appointment_date == elsewhere


async def test_export_the_week_to_ics(make_app, sample_engine, tmp_path):
    pid = busiest(sample_engine)
    app = make_app(pid)
    out = tmp_path / "week.ics"
    async with app.run_test(size=(120, 40)) as pilot:
        await open_week(pilot)
        await pilot.press("e")
        form = app.screen
        assert isinstance(form, ExportForm)
        assert form.query_one("#path").value.endswith(f"caseload-week-{MONDAY.isoformat()}.ics")
        await type_into(pilot, "#path", str(out))
        await pilot.press("enter")
        await wait_for(pilot, lambda: app.screen is not form)
        assert any(str(out) in n.message for n in app._notifications)
    data = out.read_bytes()
    assert data.startswith(b"BEGIN:VCALENDAR") and b"BEGIN:VEVENT" in data
    assert (out.stat().st_mode & 0o777) == 0o600


async def test_help_lists_every_binding_of_the_screen_and_the_app(make_app):
    app = make_app("E1-02")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot, CaseloadScreen)
        await pilot.press("question_mark")
        help_screen = app.screen
        assert isinstance(help_screen, HelpScreen)
        for words in ("Filter", "By rule", "Sort", "Week", "Switch practitioner (a file's owner, not signed in)",
                      "Help", "Privacy", "Theme", "Quit (in a dialog, a form or the palette: ctrl+q)",
                      "Jump to a case or practitioner"):
            assert words in help_screen.listed, words
        await pilot.press("escape")
        await pilot.press("enter")
        await settle(pilot, CaseScreen)
        await pilot.press("question_mark")
        for words in ("Contact", "Book", "Handover", "Note", "Back"):
            assert words in app.screen.listed, words
        await pilot.press("question_mark")  # ? closes it again
        assert isinstance(app.screen, CaseScreen)
