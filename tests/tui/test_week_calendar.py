"""The week as a calendar, by keys (tui/screens/week.py, tui/screens/plan.py):
↓ through the whole week at 80x24, days in time order with bank holidays,
`x` cancels one occurrence (who cancelled it recorded), `m` moves one
occurrence to another time, `o` records what happened, space ticks a
supervision action, `g` plans the week (accept one, move one, accept all,
book)."""

from __future__ import annotations

import datetime as dt
from datetime import date, timedelta

from sqlalchemy import select

from storage import models as m
from storage.engine import session
from tests.tui.helpers import AS_OF, settle, type_into, wait_for
from tui.screens.caseload import CaseloadScreen
from tui.screens.forms.cancel_form import CancelForm
from tui.screens.forms.move_form import MoveForm
from tui.screens.forms.outcome_form import OutcomeForm
from tui.screens.plan import PlanScreen
from tui.screens.week import WeekScreen


async def open_week(pilot, weeks_ahead: int = 0) -> WeekScreen:
    await settle(pilot, CaseloadScreen)
    await pilot.press("w")
    screen = await settle(pilot, WeekScreen)
    for _ in range(weeks_ahead):
        loads = screen.loads
        await pilot.press("right_square_bracket")
        screen = await settle(pilot, WeekScreen, after=loads)
    return screen


async def select_entry(pilot, screen, predicate):
    """Focus the day list holding the first entry that `predicate` holds for, on it."""
    for i, day in enumerate(screen.view.plan.days):
        for j, entry in enumerate(day.entries):
            if predicate(entry):
                day_list = screen.query_one(f"#list-{i}")
                day_list.focus()
                day_list.highlighted = j
                await pilot.pause()
                assert screen.selected_entry() == entry
                return entry
    raise AssertionError("no such entry this week")


def series_at_two(entry) -> bool:
    return entry.kind == "appointment" and entry.series_id == entry.appointment_id and entry.time == dt.time(14)


async def test_down_walks_the_whole_week_and_the_catch_up_at_80x24(make_app):
    app = make_app("N1-02")
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_week(pilot, weeks_ahead=1)
        assert screen.has_class("-narrow")
        lists = [lst for lst in screen.lists() if lst.option_count]
        assert len(lists) >= 3 and lists[-1].id == "catchup"
        lists[0].focus()
        lists[0].highlighted = 0
        await pilot.pause()
        seen = []
        for _ in range(sum(lst.option_count for lst in lists) + 3):
            if not seen or seen[-1] != screen.focused.id:
                seen.append(screen.focused.id)
            await pilot.press("down")
        assert seen == [lst.id for lst in lists]  # every list with entries, in order, the catch-up last
        await pilot.press("pageup")
        assert screen.focused.id == lists[-2].id  # PgUp at the top of the catch-up: back to the last day


async def test_days_are_in_time_order_and_a_bank_holiday_is_named(make_app):
    app = make_app("N1-02")
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_week(pilot, weeks_ahead=4)  # the week of 21 Dec 2026
        christmas = screen.query_one("#day-4 .day--title")
        assert "Christmas Day" in str(christmas.render())
        for day in screen.view.plan.days:
            times = [e.time for e in day.entries if e.time is not None]
            assert times == sorted(times)
            untimed = [e.time is None for e in day.entries]
            assert untimed == sorted(untimed)


async def test_x_cancels_one_occurrence_and_records_who_cancelled(make_app, sample_engine):
    app = make_app("N1-02")
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_week(pilot, weeks_ahead=1)
        entry = await select_entry(pilot, screen, series_at_two)
        await pilot.press("x")
        form = app.screen
        assert isinstance(form, CancelForm)
        form.query_one("#cancelled_by").value = "practitioner"
        loads = screen.loads
        await pilot.press("ctrl+s")
        await settle(pilot, WeekScreen, after=loads)
        assert not [e for e in screen.view.plan.entries() if e.appointment_id == entry.appointment_id]
    with session(sample_engine) as s:
        row = s.get(m.Appointment, entry.appointment_id)
        assert row.exdates == entry.day.isoformat() and row.cancelled_by is None
        contact = s.execute(select(m.Contact).where(m.Contact.case_id == row.case_id,
                                                    m.Contact.contact_date == entry.day)).scalar_one()
        assert (contact.outcome, contact.cancelled_by) == ("cancelled", "practitioner")


async def test_m_moves_one_occurrence_to_another_time(make_app, sample_engine):
    app = make_app("N1-02")
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_week(pilot, weeks_ahead=2)  # 8 Dec: not the series' first date
        entry = await select_entry(pilot, screen, series_at_two)
        await pilot.press("m")
        form = app.screen
        assert isinstance(form, MoveForm) and form.query_one("#which").value == "one"
        await type_into(pilot, "#time", "16:30")
        loads = screen.loads
        await pilot.press("ctrl+s")
        await settle(pilot, WeekScreen, after=loads)
        moved = [e for e in screen.view.plan.entries() if e.series_id == entry.appointment_id]
        assert [(e.day, e.time) for e in moved] == [(entry.day, dt.time(16, 30))]
        assert moved[0].appointment_id != entry.appointment_id
    with session(sample_engine) as s:
        override = s.get(m.Appointment, moved[0].appointment_id)
        assert (override.series_id, override.recurrence_date) == (entry.appointment_id, entry.day)


async def outcome_form_of_first_asked(pilot):
    """The week, the catch-up's appointments with no outcome, and `o`'s form for the first of them."""
    screen = await open_week(pilot)
    asked = [e for e in screen.view.plan.catch_up if e.kind == "outcome"]
    assert asked, "the sample has past appointments with no outcome"
    catch = screen.query_one("#catchup")
    catch.focus()
    catch.highlighted = list(screen.view.plan.catch_up).index(asked[0])
    await pilot.pause()
    await pilot.press("o")
    form = pilot.app.screen
    assert isinstance(form, OutcomeForm)
    return screen, asked, form


async def test_o_records_what_happened_from_the_catch_up(make_app, sample_engine):
    app = make_app("N1-02", as_of=date(2026, 12, 9))  # the sample's records end 27 Nov
    async with app.run_test(size=(120, 40)) as pilot:
        screen, asked, form = await outcome_form_of_first_asked(pilot)
        form.query_one("#outcome").value = "missed"
        await type_into(pilot, "#notes", "no answer")
        loads = screen.loads
        await pilot.press("ctrl+s")
        await settle(pilot, WeekScreen, after=loads)
        assert asked[0] not in screen.view.plan.catch_up
    with session(sample_engine) as s:
        rows = s.execute(select(m.Contact.outcome, m.Contact.notes).where(
            m.Contact.contact_date == asked[0].day, m.Contact.notes == "no answer")).all()
        assert rows == [("missed", "no answer")]


async def test_an_attended_outcome_offers_the_check_in_of_that_day(make_app, sample_engine):
    """After `o` records an attended appointment, the optional check-in
    (docs/voice.md) opens for the appointment's case and day, as after a
    contact on the case screen; saved, it is the practitioner's."""
    from tui.screens.forms.checkin_form import CheckinForm

    app = make_app("N1-02", as_of=date(2026, 12, 9))
    async with app.run_test(size=(120, 40)) as pilot:
        screen, asked, form = await outcome_form_of_first_asked(pilot)
        form.query_one("#outcome").value = "attended"
        await pilot.pause()
        await pilot.press("ctrl+s")
        checkin = await settle(pilot, CheckinForm)
        assert checkin.query_one("#date").value == asked[0].day.isoformat()
        for name, value in (("listened", 4), ("goals", 4), ("trust", 5)):
            checkin.query_one(f"#{name}").value = value
            await pilot.pause()
        loads = screen.loads
        await pilot.press("ctrl+s")
        await settle(pilot, WeekScreen, after=loads)
    with session(sample_engine) as s:
        row = s.execute(select(m.Checkin, m.Practitioner.practitioner_id)
                        .join(m.Case, m.Case.id == m.Checkin.case_id)
                        .join(m.Practitioner, m.Practitioner.id == m.Checkin.practitioner_pk)
                        .where(m.Case.case_ref == asked[0].case_ref, m.Checkin.checkin_date == asked[0].day)).one()
        assert (row[0].listened, row[0].goals, row[0].trust, row[1]) == (4, 4, 5, "N1-02")


async def test_space_ticks_a_supervision_action(make_app, sample_engine):
    with session(sample_engine) as s:
        owner, action_id = s.execute(
            select(m.Practitioner.practitioner_id, m.Action.id).join(m.Practitioner, m.Practitioner.id == m.Action.owner_pk)
            .where(m.Action.done.is_(False), m.Action.due >= AS_OF - timedelta(days=60)).order_by(m.Action.id)).first()
    app = make_app(owner)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_week(pilot)
        everything = list(screen.view.plan.entries()) + list(screen.view.plan.catch_up)
        action = next((e for e in everything if e.action_id == action_id), None)
        assert action is not None
        if action in screen.view.plan.catch_up:
            catch = screen.query_one("#catchup")
            catch.focus()
            catch.highlighted = list(screen.view.plan.catch_up).index(action)
            await pilot.pause()
        else:
            await select_entry(pilot, screen, lambda e: e.action_id == action_id)
        assert "☐ action:" in str(screen.query_one(f"#{screen.focused.id}").get_option_at_index(
            screen.focused.highlighted).prompt)
        loads = screen.loads
        await pilot.press("space")
        await settle(pilot, WeekScreen, after=loads)
    with session(sample_engine) as s:
        assert s.get(m.Action, action_id).done


async def test_g_plans_the_week_accept_move_and_book(make_app, sample_engine):
    app = make_app("N1-02", as_of=date(2026, 12, 18))
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_week(pilot, weeks_ahead=1)
        await pilot.press("g")
        plan = app.screen
        assert isinstance(plan, PlanScreen)
        await wait_for(pilot, lambda: plan.loaded)
        assert len(plan.proposals) >= 3
        first, second = plan.proposals[0], plan.proposals[1]
        await pilot.press("space")  # accept the first
        assert plan.accepted == {first.case_ref}
        await pilot.press("down", "m")  # move the second
        form = app.screen
        assert isinstance(form, MoveForm)
        target = date(2027, 1, 6)
        await type_into(pilot, "#date", target.isoformat())
        await type_into(pilot, "#time", "15:00")
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: app.screen is plan)
        moved = next(p for p in plan.proposals if p.case_ref == second.case_ref)
        assert (moved.day, moved.time) == (target, dt.time(15)) and second.case_ref in plan.accepted
        await pilot.press("A")
        assert plan.accepted == {p.case_ref for p in plan.proposals}
        loads = screen.loads
        await pilot.press("b")
        await settle(pilot, WeekScreen, after=loads)
        expected = {(p.case_ref, p.day, p.time) for p in plan.proposals}
    with session(sample_engine) as s:
        booked = set(s.execute(select(m.Case.case_ref, m.Appointment.appointment_date, m.Appointment.time)
                               .join(m.Case, m.Case.id == m.Appointment.case_id)
                               .where(m.Appointment.id.in_(plan.booked))).all())
    assert booked == expected


def one_off_on_4_dec(entry) -> bool:
    return entry.kind == "appointment" and entry.day == date(2026, 12, 4) and entry.series_id is None


async def test_m_a_team_lead_moves_onto_a_bank_holiday_with_an_override_reason(make_app, sample_engine):
    app = make_app("N1-01")  # the team lead of N1, in their own week
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_week(pilot, weeks_ahead=1)
        entry = await select_entry(pilot, screen, one_off_on_4_dec)
        await pilot.press("m")
        form = app.screen
        assert isinstance(form, MoveForm) and form.query("#override")
        await type_into(pilot, "#date", "2026-12-25")
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: not form.saving)
        assert app.screen is form  # refused without a reason: the typing kept
        assert any("Christmas Day" in str(n.message) for n in app._notifications)
        await type_into(pilot, "#override", "court date moved; agreed with the person")
        await pilot.press("ctrl+s")
        await settle(pilot, WeekScreen)
    with session(sample_engine) as s:
        assert s.get(m.Appointment, entry.appointment_id).appointment_date == date(2026, 12, 25)
        event = s.execute(select(m.AuditEvent).where(m.AuditEvent.action == "move",
                                                     m.AuditEvent.entity_key == str(entry.appointment_id))
                          ).scalar_one()
    assert '"override_reason": "court date moved; agreed with the person"' in event.detail
    assert "Christmas Day" in event.detail and event.actor == "N1-01"


async def test_m_a_practitioner_has_no_override(make_app):
    app = make_app("N1-02")
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_week(pilot, weeks_ahead=2)
        await select_entry(pilot, screen, series_at_two)
        await pilot.press("m")
        form = app.screen
        assert isinstance(form, MoveForm) and not form.query("#override")
