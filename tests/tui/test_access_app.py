"""Access by team and changes by others, in the app (issue 8).

The app signed in as YJS-E1's E1-02 finds no NPS-N1 case in the command
palette's index and gets a notice, not the case, when it opens one. A
change written by someone else (a second session through storage.repo) is
noticed by the change poll, which reloads the screen in view with a notice;
never under an open form or while the user types. The poll is called
directly: no sleeping, no timers."""

from __future__ import annotations

import pytest
from sqlalchemy.exc import OperationalError

from planner.errors import CaseloadError

from storage.engine import session
from storage.repo import commit_or_conflict, record_contact
from tests.tui.helpers import AS_OF, find_case, settle, wait_for
from tui.app import UPDATED
from tui.screens.case import CaseScreen
from tui.screens.caseload import CaseloadScreen
from tui.screens.forms.contact_form import ContactForm


def notices(app) -> list[str]:
    return [str(n.message) for n in app._notifications]


def lead_of(pid: str) -> str:
    return "N1-01" if pid.startswith("N1") else "E1-01"


def someone_else_records_a_contact(engine, pid: str, ref: str) -> None:
    """A second user (the team lead, in their own session) records a contact today."""
    with session(engine) as s:
        record_contact(s, case_ref=ref, contact_date=AS_OF, practitioner_id=pid, kind="office",
                       outcome="attended", actor=lead_of(pid))
        commit_or_conflict(s)


async def poll(pilot) -> None:
    pilot.app.poll_changes()
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


# ----------------------------------------------------------------------------- access


async def test_another_teams_case_is_not_in_the_palette_index(make_app):
    app = make_app("E1-02")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot, CaseloadScreen)
        entries = app.gateway.search_index()
        cases = {e.key for e in entries if e.kind == "case"}
        people = {e.key for e in entries if e.kind == "practitioner"}
        assert cases and all(ref.startswith("EB") for ref in cases)
        assert people and all(pid.startswith("E1-") for pid in people)


async def test_the_administrator_palette_index_has_every_team(make_app):
    app = make_app(None)  # no --as: the OS user on their own file
    async with app.run_test(size=(120, 40)) as pilot:
        entries = app.gateway.search_index()
        cases = {e.key[:2] for e in entries if e.kind == "case"}
        assert cases == {"EB", "NG"}
        await pilot.pause()


async def test_opening_another_teams_case_gives_a_notice_not_the_case(make_app):
    app = make_app("E1-02")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot, CaseloadScreen)
        app.open_case("NG1007")
        screen = await settle(pilot, CaseScreen)
        assert screen.view is None  # nothing of the case was loaded
        assert "cannot see case NG1007" in str(screen.query_one("#who").render())
        assert any("E1-02 is in team YJS-E1 and cannot see case NG1007" in n for n in notices(app))


async def test_another_teams_caseload_and_week_are_refused(make_app):
    app = make_app("E1-02")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot, CaseloadScreen)
        app.view_caseload("N1-02")  # the palette's "Caseload of N1-02"
        home = await settle(pilot, CaseloadScreen)
        assert home.view is None or home.view.practitioner is None or \
            home.view.practitioner.practitioner_id != "N1-02"
        await wait_for(pilot, lambda: any("cannot see N1-02 of team NPS-N1" in n for n in notices(app)))
        with pytest.raises(CaseloadError, match="cannot see N1-02 of team NPS-N1"):
            app.gateway.week("N1-02", AS_OF, AS_OF)  # what the week screen reads


# ----------------------------------------------------------------------------- changes by others


async def test_a_change_by_someone_else_reloads_the_caseload(make_app, sample_engine):
    pid, ref = find_case(sample_engine, AS_OF, "contact_overdue")
    app = make_app(pid)
    async with app.run_test(size=(120, 40)) as pilot:
        home = await settle(pilot, CaseloadScreen)
        assert app.change_mark is not None  # taken at start
        row = next(r for r in home.view.rows if r.case_ref == ref)
        assert row.last_seen != AS_OF
        await poll(pilot)  # nothing changed: no reload, no notice
        assert home.loads == 1 and UPDATED not in notices(app)

        someone_else_records_a_contact(sample_engine, pid, ref)
        await poll(pilot)
        await settle(pilot, CaseloadScreen, after=1)
        row = next(r for r in home.view.rows if r.case_ref == ref)
        assert row.last_seen == AS_OF
        assert not any(w.rule == "contact_overdue" for w in row.warnings)
        assert UPDATED in notices(app)
        loads = home.loads
        await poll(pilot)  # seen once: the next tick is quiet
        assert home.loads == loads and notices(app).count(UPDATED) == 1


async def test_own_changes_do_not_count_as_someone_elses(make_app, sample_engine):
    pid, ref = find_case(sample_engine, AS_OF, "contact_overdue")
    app = make_app(pid)
    async with app.run_test(size=(120, 40)) as pilot:
        home = await settle(pilot, CaseloadScreen)
        app.gateway.record_contact(case_ref=ref, contact_date=AS_OF, practitioner_id=pid, kind="office",
                                   outcome="attended", notes=None, actor=app.actor)
        await poll(pilot)
        assert home.loads == 1 and UPDATED not in notices(app)


async def test_no_reload_while_a_form_is_open(make_app, sample_engine):
    pid, ref = find_case(sample_engine, AS_OF, "contact_overdue")
    app = make_app(pid)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot, CaseloadScreen)
        app.open_case(ref)
        case_screen = await settle(pilot, CaseScreen)
        await pilot.press("c")
        assert isinstance(app.screen, ContactForm)
        mark = app.change_mark
        someone_else_records_a_contact(sample_engine, pid, ref)
        await poll(pilot)
        assert isinstance(app.screen, ContactForm)  # the form and its typing stay
        assert case_screen.loads == 1 and UPDATED not in notices(app)
        assert app.change_mark == mark and app.polls_skipped == 1  # the change is still to be shown
        await pilot.press("escape")
        await pilot.pause()
        await poll(pilot)  # the form closed: the next tick reloads the case
        await settle(pilot, CaseScreen, after=1)
        assert any(c.contact_date == AS_OF for c in case_screen.view.case.contacts)
        assert UPDATED in notices(app)


async def test_no_reload_while_typing_in_the_filter(make_app, sample_engine):
    pid, ref = find_case(sample_engine, AS_OF, "contact_overdue")
    app = make_app(pid)
    async with app.run_test(size=(120, 40)) as pilot:
        home = await settle(pilot, CaseloadScreen)
        await pilot.press("slash", "e")
        someone_else_records_a_contact(sample_engine, pid, ref)
        await poll(pilot)
        assert home.loads == 1 and app.polls_skipped == 1


async def test_an_unreachable_server_gives_one_notice_and_the_poll_backs_off(make_app, monkeypatch):
    app = make_app("E1-02")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot, CaseloadScreen)

        def gone(*_args, **_kwargs):
            raise OperationalError("SELECT", {}, Exception("server closed the connection"))

        with monkeypatch.context() as patch:
            patch.setattr(app.gateway, "changes_since", gone)
            await poll(pilot)
            await poll(pilot)
            assert app.poll_failing
            assert sum("Cannot reach the database" in n for n in notices(app)) == 1
            calls = []
            patch.setattr(app, "poll_changes", lambda: calls.append(1))
            for _ in range(3):  # backing off: two quiet ticks, then a try
                app._poll_tick()
            assert calls == [1]
        await poll(pilot)  # the server is back
        assert not app.poll_failing
        assert any("can be reached again" in n for n in notices(app))
