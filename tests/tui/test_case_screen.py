"""The case screen and its forms, driven by keys, checked in the database."""

from __future__ import annotations

import io
from datetime import timedelta

from sqlalchemy import func, select
from sqlalchemy.exc import OperationalError

from storage import models as m
from storage.engine import session
from tests.tui.helpers import AS_OF, find_absence, find_case, palette_pick, settle, type_into, wait_for
from tui.screens.case import CaseScreen
from tui.screens.caseload import CaseloadScreen
from tui.screens.forms.appointment_form import AppointmentForm
from tui.screens.forms.checkin_form import CheckinForm
from tui.screens.forms.contact_form import ContactForm
from tui.screens.forms.handover_form import HandoverForm
from tui.screens.forms.note_form import NoteForm
from tui.widgets.case_table import CaseTable


async def open_case(pilot, ref: str | None = None) -> CaseScreen:
    """Find the case with `/` and open it with enter, as a user would
    (the top row when no ref is given)."""
    if ref is not None:
        await pilot.press("slash", *ref.lower(), "enter")
    await pilot.press("enter")
    return await settle(pilot, CaseScreen)


def error_of(form, name: str) -> str:
    return str(form.query_one(f"#field-{name} .field--error").render())


async def test_shows_who_continuity_timeline_and_warnings(make_app, sample_engine):
    pid, ref = find_case(sample_engine, AS_OF, "practitioner_churn")
    app = make_app(pid)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot, CaseloadScreen)
        screen = await open_case(pilot, ref)
        view = screen.view
        assert view.case.case_ref == ref
        who = str(screen.query_one("#who").render())
        assert ref in who and "Contact level" in who
        assert view.churn.count >= 3
        assert any(w.rule == "practitioner_churn" for w in view.warnings)
        timeline = str(screen.query_one("#timeline").render())
        strip = timeline.splitlines()[1]
        assert sum(strip.count(sym) for sym in "●✕○·") == 26
        assert "longest run without being seen" in timeline


async def test_recording_a_contact_today_clears_contact_overdue(make_app, sample_engine):
    pid, ref = find_case(sample_engine, AS_OF, "contact_overdue")
    app = make_app(pid)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot, CaseloadScreen)
        screen = await open_case(pilot, ref)
        assert any(w.rule == "contact_overdue" for w in screen.view.warnings)
        loads = screen.loads
        await pilot.press("c")
        assert isinstance(app.screen, ContactForm)
        assert app.screen.query_one("#date").value == AS_OF.isoformat()
        await pilot.press("ctrl+s")
        await settle(pilot, CheckinForm)  # offered after an attended contact (docs/voice.md)
        await pilot.press("escape")
        await settle(pilot, CaseScreen, after=loads)
        assert not any(w.rule == "contact_overdue" for w in screen.view.warnings)
        await pilot.press("escape")
        home = await settle(pilot, CaseloadScreen, after=1)
        row = next(r for r in home.view.rows if r.case_ref == ref)
        assert not any(w.rule == "contact_overdue" for w in row.warnings)
        assert row.last_seen == AS_OF
    with session(sample_engine) as s:
        case_id = s.execute(select(m.Case.id).where(m.Case.case_ref == ref)).scalar_one()
        contact = s.execute(select(m.Contact).where(m.Contact.case_id == case_id,
                                                    m.Contact.contact_date == AS_OF)).scalar_one()
        assert (contact.kind, contact.outcome) == ("office", "attended")
        event = s.execute(select(m.AuditEvent).where(m.AuditEvent.entity == "contact",
                                                     m.AuditEvent.entity_key == str(contact.id))).scalar_one()
        assert event.action == "record" and event.case_ref == ref and event.actor == pid


async def test_each_warning_shows_what_to_do_and_statuses_are_not_counted(make_app, sample_engine):
    pid, ref = find_case(sample_engine, AS_OF, "early_break")
    app = make_app(pid)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot, CaseloadScreen)
        screen = await open_case(pilot, ref)
        from rich.console import Console

        console = Console(width=200, record=True, color_system=None, file=io.StringIO())
        console.print(screen.query_one("#warnings").render_view(screen.view))  # what the #warnings part shows
        text = console.export_text()
        counted = [w for w in screen.view.warnings if w.severity != "info"]
        assert f"Warnings ({len(counted)})" in text
        for w in counted:
            assert f"→ {w.action}" in text
        status = next(w for w in screen.view.warnings if w.rule == "early_window")
        assert f"INFO {status.facts['tag']}" in text and status.action in " ".join(text.split())
        assert status.facts["tag"] in str(screen.query_one("#who").render())


async def test_recording_a_contact_cancelled_by_us_with_a_colleague_there(make_app, sample_engine):
    """The contact form's who-cancelled and second-practitioner fields: refused
    next to the field on an attended contact, saved on a cancelled one."""
    from textual.widgets import Select

    app = make_app("E1-02")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot, CaseloadScreen)
        screen = await open_case(pilot)
        ref, loads = screen.case_ref, screen.loads
        await pilot.press("c")
        form = app.screen
        assert isinstance(form, ContactForm) and form.others
        form.query_one("#cancelled_by", Select).value = "practitioner"
        await pilot.press("ctrl+s")
        assert app.screen is form and "Only a cancelled contact" in error_of(form, "cancelled_by")
        form.query_one("#outcome", Select).value = "cancelled"
        colleague = form.others[0][1]
        form.query_one("#with", Select).value = colleague
        await pilot.press("ctrl+s")
        await settle(pilot, CaseScreen, after=loads)
    with session(sample_engine) as s:
        case_id = s.execute(select(m.Case.id).where(m.Case.case_ref == ref)).scalar_one()
        row = s.execute(select(m.Contact).where(m.Contact.case_id == case_id,
                                                m.Contact.contact_date == AS_OF)).scalar_one()
        colleague_pk = s.execute(select(m.Practitioner.id).where(
            m.Practitioner.practitioner_id == colleague)).scalar_one()
    assert (row.outcome, row.cancelled_by, row.with_practitioner_pk) == ("cancelled", "practitioner", colleague_pk)


async def test_a_contact_in_the_future_is_refused_next_to_the_field(make_app, sample_engine):
    app = make_app("E1-02")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot, CaseloadScreen)
        await open_case(pilot)
        await pilot.press("c")
        form = app.screen
        tomorrow = (AS_OF + timedelta(days=1)).isoformat()
        await type_into(pilot, "#date", tomorrow)
        await pilot.press("enter")
        assert app.screen is form  # still open, typing kept
        assert form.query_one("#date").value == tomorrow
        assert "future" in error_of(form, "date")
        await type_into(pilot, "#date", "31/02/2026")
        await pilot.pause()
        assert error_of(form, "date") == ""  # corrected: the stale error goes
        await pilot.press("enter")
        assert error_of(form, "date") == "✕ '31/02/2026' is not a real date."
        await type_into(pilot, "#date", "soon")
        await pilot.press("enter")
        assert "YYYY-MM-DD" in error_of(form, "date")
        await pilot.press("escape")
        assert isinstance(app.screen, CaseScreen)
    with session(sample_engine) as s:
        assert s.execute(select(m.Contact).where(m.Contact.contact_date > AS_OF)).first() is None


async def test_book_a_fortnightly_series_with_an_end_date(make_app, sample_engine):
    app = make_app("E1-02")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot, CaseloadScreen)
        screen = await open_case(pilot)
        loads = screen.loads
        await pilot.press("a")
        form = app.screen
        assert isinstance(form, AppointmentForm)
        start = AS_OF + timedelta(days=39)  # Tue 5 Jan 2027: clear of the sample's own bookings
        await type_into(pilot, "#date", start.isoformat())
        await type_into(pilot, "#time", "10:30")
        # repeat: open the select and pick "fortnightly" with the keys
        form.query_one("#repeat").focus()
        await pilot.press("enter", "down", "down", "enter")
        assert form.query_one("#repeat").value == "fortnightly"
        # an end before the start is refused next to the field
        await type_into(pilot, "#until", (start - timedelta(days=1)).isoformat())
        await pilot.press("enter")
        assert app.screen is form and "before it starts" in error_of(form, "until")
        await type_into(pilot, "#until", "2027-02-23")
        await pilot.press("enter")
        await settle(pilot, CaseScreen, after=loads)
        assert any(o.appointment.rrule for o in screen.view.upcoming)
        ref = screen.case_ref
    with session(sample_engine) as s:
        case_id = s.execute(select(m.Case.id).where(m.Case.case_ref == ref)).scalar_one()
        row = s.execute(select(m.Appointment).where(m.Appointment.case_id == case_id,
                                                    m.Appointment.appointment_date == start)).scalar_one()
        assert row.rrule == "FREQ=WEEKLY;INTERVAL=2;UNTIL=20270223"
        assert row.time.strftime("%H:%M") == "10:30"
        assert s.execute(select(m.AuditEvent).where(m.AuditEvent.entity == "appointment",
                                                    m.AuditEvent.entity_key == str(row.id))).first()


async def test_booking_on_an_absence_warns_first_and_is_refused(make_app, sample_engine):
    """Booking on a day the practitioner is away: the form says so, and a
    second save is refused with the reason (a team lead may override:
    tests/storage/test_appointment_exceptions.py); nothing is booked."""
    pid, day = find_absence(sample_engine, AS_OF)
    with session(sample_engine) as s:
        before = len(s.execute(select(m.Appointment.id)).all())
    app = make_app(pid)
    async with app.run_test(size=(120, 40)) as pilot:
        home = await settle(pilot, CaseloadScreen)
        ref = home.view.rows[0].case_ref
        screen = await open_case(pilot, ref)
        loads = screen.loads
        await pilot.press("a")
        form = app.screen
        await type_into(pilot, "#date", day.isoformat())
        await pilot.press("enter")
        assert app.screen is form
        assert "absent" in error_of(form, "date") and "refused unless a team lead" in error_of(form, "date")
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: not form.saving)
        assert app.screen is form
        assert any("is away on" in n.message for n in app._notifications)
        assert screen.loads == loads
    with session(sample_engine) as s:
        assert len(s.execute(select(m.Appointment.id)).all()) == before


async def test_a_series_over_an_absence_warns_of_its_later_dates_then_books_without_them(make_app, sample_engine):
    """A weekly series whose first date is free but a later one falls in the
    practitioner's absence: the form names that date first (the booking
    form and storage read the same planner.appointments.booking_refusals),
    and saving again books the series with the absence's dates left out."""
    from planner.calendar import working_days
    from storage.queries import load_world

    pid, _day = find_absence(sample_engine, AS_OF)
    with session(sample_engine) as s:
        absences = load_world(s).absences[pid]
        booked = set(s.execute(select(m.Appointment.appointment_date).join(
            m.Practitioner, m.Practitioner.id == m.Appointment.practitioner_pk).where(
            m.Practitioner.practitioner_id == pid)).scalars())  # a case has one appointment a day
    holidays = working_days("england-and-wales")

    def away(d):
        return any(a.covers(d) for a in absences)

    def later_absent(start):
        return [start + timedelta(weeks=k) for k in range(1, 12) if away(start + timedelta(weeks=k))]

    start = next(d for d in (AS_OF + timedelta(days=n) for n in range(1, 60))
                 if d.weekday() < 5 and d not in booked and not away(d) and not holidays.holiday_name(d)
                 and later_absent(d) and not any(holidays.holiday_name(x) for x in
                                                 (d + timedelta(weeks=k) for k in range(12))))
    skipped = later_absent(start)
    app = make_app(pid)
    async with app.run_test(size=(120, 40)) as pilot:
        home = await settle(pilot, CaseloadScreen)
        ref = home.view.rows[0].case_ref
        screen = await open_case(pilot, ref)
        await pilot.press("a")
        form = app.screen
        assert isinstance(form, AppointmentForm)
        await type_into(pilot, "#date", start.isoformat())
        form.query_one("#repeat").value = "weekly"
        await pilot.press("ctrl+s")
        warning = error_of(form, "date")
        assert app.screen is form and "the series leaves out those dates" in warning
        assert f"on {skipped[0]:%a %d %b %Y}" in warning
        loads = screen.loads
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: app.screen is screen and screen.loads > loads)
    with session(sample_engine) as s:
        case_id = s.execute(select(m.Case.id).where(m.Case.case_ref == ref)).scalar_one()
        row = s.execute(select(m.Appointment).where(m.Appointment.case_id == case_id,
                                                    m.Appointment.appointment_date == start)).scalar_one()
    assert row.rrule and row.exdates == ",".join(d.isoformat() for d in skipped)


async def test_plan_a_handover(make_app, sample_engine):
    pid, ref = find_case(sample_engine, AS_OF, without_handover=True)
    app = make_app(pid)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot, CaseloadScreen)
        screen = await open_case(pilot, ref)
        loads = screen.loads
        await pilot.press("h")
        form = app.screen
        assert isinstance(form, HandoverForm)
        await pilot.press("ctrl+s")  # nobody chosen yet
        assert app.screen is form and "Choose who" in error_of(form, "to")
        form.query_one("#to").focus()
        await pilot.press("enter", "down", "enter")
        receiver = form.query_one("#to").value
        await type_into(pilot, "#reason", "moving teams")
        await pilot.press("enter")
        # planning opens the handover screen (tui/screens/handover/screen.py); esc comes back
        from tui.screens.handover.screen import HandoverScreen

        await settle(pilot, HandoverScreen)
        await pilot.press("escape")
        await settle(pilot, CaseScreen, after=loads)
        assert screen.view.case.open_handover.to_practitioner_id == receiver
        assert "Handover to" in str(screen.query_one("#continuity").render()) or screen.view.case.open_handover
    with session(sample_engine) as s:
        case_id = s.execute(select(m.Case.id).where(m.Case.case_ref == ref)).scalar_one()
        handover = s.execute(select(m.Handover).where(m.Handover.case_id == case_id,
                                                      m.Handover.status == "planned")).scalar_one()
        assert handover.planned_on == AS_OF + timedelta(days=14)
        assert s.execute(select(m.HandoverItem).where(m.HandoverItem.handover_id == handover.id)).first()


async def test_add_a_note(make_app, sample_engine):
    app = make_app("E1-02")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot, CaseloadScreen)
        screen = await open_case(pilot)
        loads = screen.loads
        await pilot.press("n")
        assert isinstance(app.screen, NoteForm)
        await pilot.press(*"Talked about college")
        await pilot.press("ctrl+s")
        await settle(pilot, CaseScreen, after=loads)
        assert screen.view.notes[-1].text == "Talked about college"
    with session(sample_engine) as s:
        event = s.execute(select(m.AuditEvent).where(m.AuditEvent.entity == "case_note")).scalars().all()[-1]
        assert "college" not in (event.detail or "")  # no personal data in the audit trail


async def test_lost_connection_keeps_the_form_open_with_the_typing(make_app, monkeypatch, sample_engine):
    import storage.repo

    def unreachable(*args, **kwargs):
        raise OperationalError("INSERT", {}, Exception("server closed the connection"))

    monkeypatch.setattr(storage.repo, "record_contact", unreachable)
    app = make_app("E1-02")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot, CaseloadScreen)
        await open_case(pilot)
        await pilot.press("c")
        form = app.screen
        await type_into(pilot, "#notes", "left a message")
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: not form.saving)
        assert app.screen is form
        assert form.query_one("#notes").value == "left a message"
        notices = [n for n in app._notifications]
        assert any(n.severity == "error" and "connection" in n.message.lower() for n in notices)
    with session(sample_engine) as s:
        assert s.execute(select(m.Contact).where(m.Contact.contact_date == AS_OF)).first() is None


async def test_palette_jumps_to_a_case_and_a_practitioner(make_app):
    app = make_app("E1-02")
    async with app.run_test(size=(120, 40)) as pilot:
        home = await settle(pilot, CaseloadScreen)
        mine = {r.case_ref for r in home.view.rows}
        entries = app.gateway.search_index()
        other = next(e.key for e in entries if e.kind == "case" and e.key not in mine)
        someone = next(e.key for e in entries if e.kind == "practitioner" and e.key != "E1-02")
        chosen = await palette_pick(pilot, other)
        assert other in chosen
        screen = await settle(pilot, CaseScreen)
        assert screen.case_ref == other  # not one of E1-02's own: any case
        chosen = await palette_pick(pilot, someone)
        assert someone in chosen
        # signed in (--as): the colleague's caseload opens as a view; E1-02 stays who acts (README, Team server)
        theirs = await settle(pilot, CaseloadScreen)
        await wait_for(pilot, lambda: theirs.view is not None and theirs.view.practitioner is not None)
        assert theirs.view.practitioner.practitioner_id == someone and theirs is not home
        assert app.practitioner_id == "E1-02" and app.actor == "E1-02"
        assert isinstance(app.focused, CaseTable) or app.focused is None


async def test_at_80x24_who_the_person_is_and_the_caseload_rows_facts_stay_in_view(make_app):
    """At 80x24 the top of the case screen, never scrolled away, shows every
    fact the caseload's row shows of the case (its name whole, level,
    status, flags, worker, relationship, last seen, next booked, handover)
    while the body scrolls through the warnings and the rest."""
    from tui.data import handover_label
    from tui.widgets.case_table import CaseTable

    app = make_app("N1-03")  # leaving: handovers planned, long names
    async with app.run_test(size=(80, 24)) as pilot:
        home = await settle(pilot, CaseloadScreen)
        row = next(r for r in home.view.rows if r.handover and len(r.display_name) > 18)
        screen = await open_case(pilot, row.case_ref)
        who = screen.query_one("#who")
        shown = str(who.render())
        case = screen.view.case
        assert f"{case.case_ref} · {case.display_name}" in shown  # the name whole
        seen = row.last_seen
        for fact in (f"Contact level {case.contact_level}", f"status {case.status}", "flags: ",
                     f"With {case.practitioner_id} ", *screen.view.relationship.split(" · "),
                     f"Seen {seen:%d %b}" if seen else "Never seen", f"handover {handover_label(case)}"):
            assert fact in shown, fact
        assert ("next " if screen.view.upcoming else "nothing booked") in shown
        assert all(len(line) <= who.content_region.width for line in shown.splitlines())
        body = screen.query_one("#body")
        assert body.max_scroll_y > 0
        await pilot.press("end")  # scrolls after the next refresh (Widget.scroll_end): wait for it
        await wait_for(pilot, lambda: body.scroll_y == body.max_scroll_y)
        assert body.scroll_y == body.max_scroll_y and who.region.y == 1 and who.region.height >= 5
        for part in screen.PARTS:
            assert str(screen.query_one(f"#{part.ID}").render()).strip(), part  # every part drawn


async def test_every_contact_is_listed_with_its_note_and_home_goes_to_the_top(make_app, sample_engine):
    """No "… older": all of a case's contacts, newest first, each with its
    note (hidden in privacy mode); Home scrolls back to the top."""
    from storage.repo import commit_or_conflict, record_contact

    with session(sample_engine) as s:
        case_ref, pid, n = s.execute(
            select(m.Case.case_ref, m.Practitioner.practitioner_id, func.count(m.Contact.id))
            .join(m.Contact, m.Contact.case_id == m.Case.id)
            .join(m.Practitioner, m.Practitioner.id == m.Contact.practitioner_pk)
            .group_by(m.Case.case_ref, m.Practitioner.practitioner_id).order_by(func.count(m.Contact.id).desc())
        ).first()
        assert n > 13
        record_contact(s, case_ref=case_ref, contact_date=AS_OF, practitioner_id=pid, kind="phone",
                       outcome="attended", notes="talked about the new job", actor=pid)
        commit_or_conflict(s)
    app = make_app(pid, privacy=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot, CaseloadScreen)
        screen = await open_case(pilot, case_ref)
        shown = screen.query_one("#contacts").text
        assert "older" not in shown and "talked about the new job" in shown
        assert shown.count(" attended ") + shown.count(" missed ") + shown.count(" cancelled") >= n + 1
        body = screen.query_one("#body")
        await pilot.press("end")  # scrolls after the next refresh: wait for it
        await wait_for(pilot, lambda: body.scroll_y > 0)
        assert body.scroll_y > 0
        await pilot.press("home")
        await wait_for(pilot, lambda: body.scroll_y == 0)
        assert body.scroll_y == 0
        await pilot.press("p")  # privacy mode: the note is not shown (the privacy watcher redraws)
        note = "talked about the new job"
        await wait_for(pilot, lambda: app.privacy and note not in screen.query_one("#contacts").text)
        assert "talked about the new job" not in screen.query_one("#contacts").text


async def test_a_lead_books_on_a_bank_holiday_with_an_override_reason(make_app, sample_engine):
    """The form of a team lead has an override field: Christmas Day is
    refused without a reason and booked with one (audited)."""
    from tui.screens.forms.appointment_form import AppointmentForm

    app = make_app("N1-01")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot, CaseloadScreen)
        screen = await open_case(pilot, "NG1002")
        assert screen.view.viewer_leads
        loads = screen.loads
        await pilot.press("a")
        form = app.screen
        assert isinstance(form, AppointmentForm) and form.query("#override")
        await type_into(pilot, "#date", "2026-12-25")
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: not form.saving)
        assert app.screen is form and any("Christmas Day" in n.message for n in app._notifications)
        await type_into(pilot, "#override", "the court asked for that day")
        await pilot.press("ctrl+s")
        await settle(pilot, CaseScreen, after=loads)
    with session(sample_engine) as s:
        event = s.execute(select(m.AuditEvent).where(m.AuditEvent.action == "book")
                          .order_by(m.AuditEvent.id.desc())).scalars().first()
        assert "the court asked for that day" in event.detail and "Christmas Day" in event.detail
