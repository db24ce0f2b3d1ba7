"""The handover screens by keys, checked in the database: the checklist of one
case (tick, note, summary, three-way, complete, cancel), the team view of
open handovers, and departures planning with one key."""

from __future__ import annotations

import json
from datetime import date, timedelta

from sqlalchemy import select

from storage import models as m
from storage.engine import session
from tests.tui.helpers import AS_OF, palette_pick, settle, wait_for
from tui.screens.case import CaseScreen
from tui.screens.caseload import CaseloadScreen
from tui.screens.confirm import ConfirmScreen
from tui.screens.handover.complete_form import CompleteForm
from tui.screens.handover.item_note_form import ItemNoteForm
from tui.screens.handover.review_form import ReviewForm
from tui.screens.handover.screen import HandoverScreen
from tui.screens.handover.three_way_form import ThreeWayForm
from tui.screens.handover.view_form import ViewForm
from tui.widgets.case_table import CaseTable

REF = "NG1007"  # N1-03 -> N1-09 on Mon 7 Dec 2026 in the sample, `told` done


def audit(engine, action: str, case_ref: str = REF) -> list[dict]:
    with session(engine) as s:
        rows = s.execute(select(m.AuditEvent.detail).where(m.AuditEvent.action == action,
                                                           m.AuditEvent.case_ref == case_ref)
                         .order_by(m.AuditEvent.id)).scalars().all()
    return [json.loads(d or "{}") for d in rows]


def item_row(engine, item_id: str, case_ref: str = REF):
    with session(engine) as s:
        return s.execute(
            select(m.HandoverItem).join(m.Handover, m.Handover.id == m.HandoverItem.handover_id)
            .join(m.Case, m.Case.id == m.Handover.case_id)
            .where(m.Case.case_ref == case_ref, m.HandoverItem.item_id == item_id)
            .order_by(m.Handover.id.desc())
        ).scalars().first()


def handover_row(engine, case_ref: str = REF):
    with session(engine) as s:
        return s.execute(select(m.Handover).join(m.Case, m.Case.id == m.Handover.case_id)
                         .where(m.Case.case_ref == case_ref).order_by(m.Handover.id.desc())).scalars().first()


async def press_h_on(pilot, ref: str = REF) -> None:
    """From the caseload: find the case with /, open it, press h."""
    await settle(pilot, CaseloadScreen)
    await pilot.press("slash", *ref.lower(), "enter")
    await pilot.press("enter")
    await settle(pilot, CaseScreen)
    await pilot.press("h")


async def open_handover(pilot, ref: str = REF) -> HandoverScreen:
    await press_h_on(pilot, ref)
    return await settle(pilot, HandoverScreen)


async def highlight(pilot, screen: HandoverScreen, item_id: str) -> None:
    ol = screen.query_one("#items")
    ol.focus()
    ids = [ol.get_option_at_index(i).id for i in range(ol.option_count)]
    ol.highlighted = ids.index(item_id)
    await pilot.pause()


async def written(pilot, screen: HandoverScreen, before: int) -> None:
    await wait_for(pilot, lambda: screen.writes > before)


async def test_space_ticks_the_highlighted_item_and_writes_it_with_an_audit_event(make_app, sample_engine):
    app = make_app("N1-03")
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_handover(pilot)
        h = screen.view.handover
        assert (h.case_ref, h.from_id, h.to_id) == (REF, "N1-03", "N1-09")
        # every item by due date: `told` (done) first; titles, never ids
        ol = screen.query_one("#items")
        rows = [str(ol.get_option_at_index(i).prompt) for i in range(ol.option_count)]
        assert rows[0].startswith("[x] Person told about the change")
        assert not any(item_id in " ".join(rows) for item_id in ("three_way", "vlo_told", "first_contact"))
        progress = str(screen.query_one("#progress").render())
        assert progress.startswith("1 of 9 done · next: Handover summary: what works, goa…, due 30 Nov")
        await highlight(pilot, screen, "vlo_told")
        before = screen.writes
        await pilot.press("space")
        await written(pilot, screen, before)
        row = item_row(sample_engine, "vlo_told")
        assert (row.done, row.done_on, row.done_by, row.auto) == (True, AS_OF, "N1-03", False)
        [event] = audit(sample_engine, "tick")[-1:]
        assert event["item_id"] == "vlo_told" and event["done_on"] == AS_OF.isoformat()
        assert str(screen.query_one("#progress").render()).startswith("2 of 9 done · next: Handover summary")
        # the ticked item does not jump away: the cursor is still on it, on the same row
        assert screen.current_item.item_id == "vlo_told"
        assert [ol.get_option_at_index(i).id for i in range(ol.option_count)].index("vlo_told") == ol.highlighted
        # space again on the same item unticks it (a mistake undone), audited too
        before = screen.writes
        await pilot.press("space")
        await written(pilot, screen, before)
        assert not item_row(sample_engine, "vlo_told").done
        assert audit(sample_engine, "untick")[-1]["item_id"] == "vlo_told"
        assert screen.current_item.item_id == "vlo_told"


async def test_told_asks_for_the_persons_view_and_their_words(make_app, sample_engine):
    app = make_app("N1-03")
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_handover(pilot)
        await highlight(pilot, screen, "told")
        before = screen.writes
        await pilot.press("space")  # untick: told was done in the sample
        await written(pilot, screen, before)
        await pilot.press("space")
        form = app.screen
        assert isinstance(form, ViewForm)
        await pilot.press("ctrl+s")  # nothing chosen: refused next to the fields
        await pilot.pause()
        assert app.screen is form
        assert "Choose what the person thinks" in str(form.query_one("#field-view .field--error").render())
        form.query_one("#view").value = "asks_for_other"
        form.query_one("#words").load_text("I'd like someone who knows the estate")
        before = screen.writes
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: app.screen is screen and screen.writes > before)
        row = item_row(sample_engine, "told")
        assert (row.done, row.view, row.view_words) == (True, "asks_for_other", "I'd like someone who knows the estate")
        assert audit(sample_engine, "tick")[-1]["view"] == "asks_for_other"
        assert "estate" not in json.dumps(audit(sample_engine, "tick"))
        detail = str(screen.query_one("#item-detail").render())
        assert "the person asks for someone else: “I'd like someone who knows the estate”" in detail
        # and on the handover's progress line, whichever item is highlighted (docs/voice.md)
        await wait_for(pilot, lambda: "the person's view: told asks for someone else"
                       in str(screen.query_one("#progress").render()))


async def test_summary_is_not_ticked_while_it_is_empty(make_app, sample_engine):
    app = make_app("N1-03")
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_handover(pilot)
        await highlight(pilot, screen, "summary")
        writes = screen.writes
        await pilot.press("space")
        await pilot.pause()
        assert screen.writes == writes and not item_row(sample_engine, "summary").done
        assert any("save it (ctrl+s) before ticking it" in str(n.message) for n in app._notifications)


async def test_enter_opens_the_item_note_and_saves_it_without_the_text_in_the_audit(make_app, sample_engine):
    app = make_app("N1-03")
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_handover(pilot)
        await highlight(pilot, screen, "vlo_told")
        await pilot.press("enter")
        form = app.screen
        assert isinstance(form, ItemNoteForm)
        await pilot.press(*"left a message for the VLO")
        before = screen.writes
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: app.screen is screen and screen.writes > before)
        assert item_row(sample_engine, "vlo_told").note == "left a message for the VLO"
        event = audit(sample_engine, "note")[-1]
        assert event == {**event, "item_id": "vlo_told", "has_note": True}
        assert "VLO" not in json.dumps(audit(sample_engine, "note"))
        assert screen.current_item.item_id == "vlo_told"
        assert "left a message" in str(screen.query_one("#item-detail").render())


async def test_the_summary_shows_the_prompts_saves_with_ctrl_s_and_survives_a_conflict(make_app, sample_engine):
    from planner.checklist import HANDOVER_PROMPTS
    from storage.handovers import handover_detail, save_summary
    from storage.repo import commit_or_conflict

    app = make_app("N1-03")
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_handover(pilot)
        area = screen.query_one("#summary")
        assert area.text == ""
        assert all(prompt in str(area.placeholder) for prompt in HANDOVER_PROMPTS)
        area.focus()
        await pilot.press(*"Likes texts the day before.")
        before = screen.writes
        await pilot.press("ctrl+s")
        await written(pilot, screen, before)
        assert handover_row(sample_engine).summary == "Likes texts the day before."
        assert audit(sample_engine, "summary")[-1]["chars"] == len("Likes texts the day before.")
        # someone else saves meanwhile: ours is refused, the words typed stay in the box
        with session(sample_engine) as s:
            view = handover_detail(s, REF, as_of=AS_OF)
            save_summary(s, case_ref=REF, text="their words", expected_version=view.version, actor="N1-01")
            commit_or_conflict(s)
        await pilot.press(*" Goals: work.")
        loads, before = screen.loads, screen.writes
        await pilot.press("ctrl+s")
        await written(pilot, screen, before)
        await wait_for(pilot, lambda: screen.loads > loads)
        assert handover_row(sample_engine).summary == "their words"
        assert area.text == "Likes texts the day before. Goals: work."
        assert any("changed this handover" in str(n.message) for n in app._notifications)
        before = screen.writes
        await pilot.press("ctrl+s")  # saved over, knowingly, with the new version
        await written(pilot, screen, before)
        assert handover_row(sample_engine).summary == "Likes texts the day before. Goals: work."


async def test_b_books_the_three_way_meeting_with_the_incoming_practitioner(make_app, sample_engine):
    app = make_app("N1-03")
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_handover(pilot)
        await pilot.press("b")
        form = app.screen
        assert isinstance(form, ThreeWayForm)
        assert form.query_one("#date").value == "2026-12-07"  # the handover date
        form.query_one("#time").value = "10:30"
        before = screen.loads
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: app.screen is screen and screen.loads > before)
        with session(sample_engine) as s:
            rows = s.execute(
                select(m.Appointment.appointment_date, m.Appointment.kind, m.Practitioner.practitioner_id)
                .join(m.Case, m.Case.id == m.Appointment.case_id)
                .join(m.Practitioner, m.Practitioner.id == m.Appointment.practitioner_pk)
                .where(m.Case.case_ref == REF, m.Appointment.kind == "three_way")).all()
        assert rows == [(date(2026, 12, 7), "three_way", "N1-09")]
        assert audit(sample_engine, "book")


async def test_completing_with_an_override_is_cold_and_the_new_holder_sees_cold_handover(make_app, sample_engine):
    ref = "NG1008"  # N1-06 -> N1-05 on Mon 30 Nov; the RJ facilitator (due 23 Nov) not told, `read` due today
    app = make_app("N1-01")  # the team lead: only a lead completes with an override
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_handover(pilot, ref)
        ol = screen.query_one("#items")
        overdue = [ol.get_option_at_index(i) for i in range(ol.option_count)
                   if "⚠ OVERDUE" in str(ol.get_option_at_index(i).prompt)]
        assert [o.id for o in overdue] == ["rj_facilitator_told"]
        await pilot.press("C")
        form = app.screen
        assert isinstance(form, CompleteForm)
        state = str(form.query_one("#due-state").render())
        assert ("still open: Restorative justice facilitator told; Incoming practitioner has read the record "
                "and the summary; Three-way") in state
        assert "COLD" in state
        await pilot.press("ctrl+s")  # no reason yet: refused, naming the items
        await pilot.pause()
        assert app.screen is form
        assert "has read the record" in str(form.query_one("#field-override .field--error").render())
        form.query_one("#override").value = "person moved out of area at short notice"
        before = screen.writes
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: app.screen is screen and screen.writes > before)
        h = handover_row(sample_engine, ref)
        assert (h.status, h.completed_on) == ("completed_cold", AS_OF)
        event = audit(sample_engine, "complete", ref)[-1]
        assert event["override"] is True and "read" in event["open_items"]
        assert "COLD" in str(screen.query_one("#who").render())
        assert "not yet reviewed" in str(screen.query_one("#who").render())
        # the new holder's caseload shows the cold handover (the lead views it, staying signed in)
        app.view_caseload("N1-05")
        caseload = await settle(pilot, CaseloadScreen)
        await wait_for(pilot, lambda: caseload.view is not None and caseload.view.practitioner is not None
                       and caseload.view.practitioner.practitioner_id == "N1-05")
        row = next(r for r in caseload.view.rows if r.case_ref == ref)
        assert row.practitioner_id == "N1-05"
        assert any(w.rule == "cold_handover" for w in row.warnings)
        table = caseload.query_one(CaseTable)
        cells = " ".join(str(c) for c in table.get_row(ref))
        assert "cold" in cells.lower()


async def test_x_cancels_after_confirmation(make_app, sample_engine):
    app = make_app("N1-03")
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_handover(pilot)
        await pilot.press("X")
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("n")  # kept
        assert app.screen is screen and handover_row(sample_engine).status == "in_progress"
        await pilot.press("X")
        before = screen.writes
        await pilot.press("y")
        await written(pilot, screen, before)
        assert handover_row(sample_engine).status == "cancelled"
        assert audit(sample_engine, "cancel")[-1]["from_status"] == "in_progress"


async def test_completing_on_the_date_with_every_item_due_by_then_done_is_warm(make_app, sample_engine):
    """The rule of planner.handover: on D, first_contact (due later) is not
    needed; it stays open as a follow-up and can still be ticked here."""
    from storage import repo
    from storage.handovers import tick_item

    from storage.handovers import save_summary

    day = date(2026, 12, 7)  # NG1007's handover date
    with session(sample_engine) as s:
        save_summary(s, case_ref=REF, text="Texts the day before.", expected_version=None, actor="N1-03")
        for item_id in ("summary", "vlo_told", "read", "booked"):
            tick_item(s, case_ref=REF, item_id=item_id, on=AS_OF, actor="N1-03")
        repo.record_contact(s, case_ref=REF, contact_date=day - timedelta(days=1), practitioner_id="N1-09",
                            kind="three_way", outcome="attended", actor="N1-09")
        repo.commit_or_conflict(s)
    app = make_app("N1-03", as_of=day)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_handover(pilot)
        assert item_row(sample_engine, "three_way").auto  # ticked from the records on the way in
        await pilot.press("C")
        form = app.screen
        assert "completes WARM" in str(form.query_one("#due-state").render())
        assert not form.query_one("#field-override").display
        before = screen.writes
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: app.screen is screen and screen.writes > before)
        h = handover_row(sample_engine)
        assert (h.status, h.completed_on, h.override_reason) == ("completed_warm", day, None)
        assert "3 follow-ups still to do" in str(screen.query_one("#progress").render())
        # the summary can still be written until the review is done
        assert not screen.query_one("#summary").read_only
        # the follow-up is still ticked by hand on the completed handover
        await highlight(pilot, screen, "reachable")
        before = screen.writes
        await pilot.press("space")
        await written(pilot, screen, before)
        assert item_row(sample_engine, "reachable").done
        assert handover_row(sample_engine).status == "completed_warm"
        # settled items are not
        await highlight(pilot, screen, "told")
        before = screen.writes
        await pilot.press("space")
        await pilot.pause()
        assert screen.writes == before
    # back on the case screen, h opens the completed handover while required follow-ups are open
    app = make_app("N1-09", as_of=day)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_handover(pilot)
        assert screen.view.handover.status == "completed_warm"


async def test_the_team_view_lists_open_handovers_and_enter_opens_one(make_app, sample_engine):
    from tui.screens.handovers import HandoversScreen

    app = make_app("N1-01")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot, CaseloadScreen)
        await pilot.press("H")
        screen = await settle(pilot, HandoversScreen)
        refs = [r.case_ref for r in screen.view.rows]
        assert {"NG1007", "NG1008", "NG1009"} <= set(refs)
        first = screen.view.rows[0]
        open_rows = [r for r in screen.view.rows if not r.follow_up]
        assert first.planned_on == min(r.planned_on for r in open_rows)
        assert all(r.follow_up for r in screen.view.rows[len(open_rows):])  # completed ones last
        table = screen.query_one("#handovers")
        ng1008 = next(r for r in screen.view.rows if r.case_ref == "NG1008")
        cells = [str(c) for c in table.get_row(str(ng1008.handover_id))]
        assert "N1-06→N1-05" in cells and "30 Nov in 3d" in cells and "⚠ 1" in cells
        assert "Restorative justi… 23 Nov" in cells  # the next item due, by its title
        assert "leaves on 18 Dec 2026" in str(screen.query_one("#departures").render())
        await pilot.press("enter")
        handover = await settle(pilot, HandoverScreen)
        assert handover.case_ref == first.case_ref
        await pilot.press("escape")
        await settle(pilot, HandoversScreen)
        # and from the command palette
        await pilot.press("escape")
        await settle(pilot, CaseloadScreen)
        chosen = await palette_pick(pilot, "open handovers")
        assert chosen.startswith("Open handovers")
        await settle(pilot, HandoversScreen)


def unplanned_refs(engine, practitioner_id: str) -> set[str]:
    from planner.risk import evaluate
    from storage.queries import load_cases, load_world

    with session(engine) as s:
        world = load_world(s)
        cases = load_cases(s, practitioner_id=practitioner_id)
    return {r.case.case_ref for r in evaluate(cases, world, AS_OF)
            if any(w.rule == "handover_unplanned" for w in r.warnings)}


async def test_departures_are_staggered_edited_and_planned_only_after_confirming(make_app, sample_engine):
    from tui.screens.departures.date_form import DateForm
    from tui.screens.departures.screen import DeparturesScreen
    from tui.screens.handovers import HandoversScreen
    from tui.screens.picker.screen import PickerScreen

    before_unplanned = unplanned_refs(sample_engine, "N1-03")
    assert len(before_unplanned) >= 4
    app = make_app("N1-01")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot, CaseloadScreen)
        await pilot.press("H")
        await settle(pilot, HandoversScreen)
        await pilot.press("D")
        if isinstance(app.screen, PickerScreen):  # more than one departure in the team
            options = app.screen.query_one("#choices")
            options.highlighted = options.get_option_index("N1-03")
            await pilot.press("enter")
        screen = await settle(pilot, DeparturesScreen)
        rows = screen.rows
        assert {r.case_ref for r in rows} == before_unplanned
        without = [r.case_ref for r in rows if not r.to_id]
        assert all(r.reason for r in rows)
        # a tier A or B case with no suggestion: no PO has room under 110 %, and the PSOs may not hold it
        assert [r for r in rows if not r.to_id and (r.tier or " ")[0] in "AB" and not r.item.candidates]
        # staggered: never more than two a day, counting what N1-03 already has planned, in date order
        assert [r.planned_on for r in rows] == sorted(r.planned_on for r in rows)
        planned = dict(screen.view.planned)
        assert sum(planned.values()) >= 20  # the lead's earlier planning of N1-03's other cases
        per_day = dict(planned)
        for r in rows:
            per_day[r.planned_on] = per_day.get(r.planned_on, 0) + 1
        assert max(per_day.values()) <= 2
        event = str(screen.query_one("#event").render())
        assert "leaves on 18 Dec 2026" in event and f"from {rows[0].planned_on:%a %d %b}" in event
        assert "at most 2 a day" in event
        # the lead changes one receiver with the picker, one date, and drops another row
        first = rows[0]
        assert first.short_notice  # the riskiest, on the one day left 7 to 14 days ahead
        await pilot.press("r")
        picker = app.screen
        assert isinstance(picker, PickerScreen)
        choices = picker.query_one("#choices")
        choices.highlighted = choices.get_option_index("N1-09")
        await pilot.press("enter")
        await pilot.pause()
        assert screen.rows[0].to_id == "N1-09" and screen.rows[0].changed
        # with a receiver it is one to plan, at short notice, and the line above the list says so
        assert "⚠ 1 with under 14 days' notice" in str(screen.query_one("#event").render())
        late = next(r for r in screen.rows if r.item.late and r.to_id)  # dated after N1-03 goes
        screen.query_one("#plan").move_cursor(row=[r.case_ref for r in screen.rows].index(late.case_ref))
        await pilot.press("t")
        form = app.screen
        assert isinstance(form, DateForm)
        form.query_one("#date").value = "2026-12-16"
        await pilot.press("ctrl+s")
        await pilot.pause()
        moved = next(r for r in screen.rows if r.case_ref == late.case_ref)
        assert moved.planned_on == date(2026, 12, 16) and not moved.short_notice and not moved.item.late
        assert screen.current_row.case_ref == late.case_ref  # the cursor followed the row
        second = next(r for r in screen.rows if r.case_ref not in (first.case_ref, late.case_ref) and r.to_id)
        screen.query_one("#plan").move_cursor(row=[r.case_ref for r in screen.rows].index(second.case_ref))
        await pilot.press("d")
        assert second.case_ref not in {r.case_ref for r in screen.rows}
        # A asks first: no, and nothing is written
        await pilot.press("A")
        confirm = app.screen
        assert isinstance(confirm, ConfirmScreen)
        ready = [r for r in screen.rows if r.to_id]
        without = [r.case_ref for r in screen.rows if not r.to_id]
        first_day = min(r.planned_on for r in ready)
        assert confirm.question.startswith(f"Plan {len(ready)} warm handovers of N1-03's cases from "
                                           f"{first_day:%a %d %b} to ")
        # 16 Dec already has two of N1-03's handovers: the lead's date makes a third, and the question says so
        assert planned[date(2026, 12, 16)] == 2
        assert "At most 3 on one day, with those already planned (more than the 2 suggested)." in confirm.question
        assert f"Under 14 days' notice: {first.case_ref}." in confirm.question
        assert f"Left out, no receiver yet: {', '.join(without)}" in confirm.question
        await pilot.press("n")
        assert app.screen is screen and screen.plans == 0
        assert unplanned_refs(sample_engine, "N1-03") == before_unplanned
        loads = screen.loads
        await pilot.press("A")
        await pilot.press("y")
        await wait_for(pilot, lambda: screen.plans == 1 and screen.loads > loads)
        assert {r.case_ref for r in screen.rows} == {second.case_ref, *without}  # dropped, or no receiver
        verb = "still needs" if len(without) == 1 else "still need"
        assert any(f"{', '.join(without)} {verb} a receiver." in str(n.message) for n in app._notifications)
        # dropping the other row again leaves cases with no receiver: nothing to plan, and no "at most 0 a day"
        screen.query_one("#plan").move_cursor(row=[r.case_ref for r in screen.rows].index(second.case_ref))
        await pilot.press("d")
        event = str(screen.query_one("#event").render())
        days = sorted({r.planned_on for r in screen.rows})
        assert "A plans 0 after you confirm" in event and "at most" not in event
        assert (f"on {days[0]:%a %d %b}" if len(days) == 1 else f"from {days[0]:%a %d %b} to") in event
    planned = before_unplanned - {second.case_ref, *without}
    with session(sample_engine) as s:
        got = {ref: (to, on) for ref, to, on in s.execute(
            select(m.Case.case_ref, m.Practitioner.practitioner_id, m.Handover.planned_on)
            .join(m.Handover, m.Handover.case_id == m.Case.id)
            .join(m.Practitioner, m.Practitioner.id == m.Handover.to_practitioner_pk)
            .where(m.Handover.status == "planned", m.Case.case_ref.in_(planned))).all()}
        items = s.execute(
            select(m.Case.case_ref).join(m.Handover, m.Handover.case_id == m.Case.id)
            .join(m.HandoverItem, m.HandoverItem.handover_id == m.Handover.id)
            .where(m.Case.case_ref.in_(planned), m.HandoverItem.item_id == "three_way")).scalars().all()
    assert set(got) == planned and got[first.case_ref] == ("N1-09", first.planned_on)
    assert got[late.case_ref] == (late.to_id, date(2026, 12, 16))
    assert set(items) == planned  # each with its checklist
    assert unplanned_refs(sample_engine, "N1-03") == {second.case_ref, *without}
    with session(sample_engine) as s:
        audited = s.execute(select(m.AuditEvent.case_ref).where(m.AuditEvent.action == "plan")
                            .where(m.AuditEvent.case_ref.in_(planned))).scalars().all()
    assert set(audited) == planned


async def test_departures_from_the_palette_for_a_team_lead(make_app):
    from tui.screens.departures.screen import DeparturesScreen

    app = make_app("N1-01")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot, CaseloadScreen)
        chosen = await palette_pick(pilot, "plan departures N1-03")
        assert chosen.startswith("Plan departures: N1-03")
        screen = await settle(pilot, DeparturesScreen)
        assert screen.rows and screen.practitioner_id == "N1-03"


def test_snapshot_of_the_handover_screen(snap_compare, make_app):
    """NG1008 (N1-06 → N1-05 in 3 days) at 120x40: an overdue item marked in
    words, items by due date with their titles, who does what, the summary."""

    async def ready(pilot):
        await open_handover(pilot, "NG1008")

    assert snap_compare(make_app("N1-06"), terminal_size=(120, 40), run_before=ready)


async def test_privacy_mode_shows_initials_and_hides_item_notes(make_app, sample_engine):
    from storage import repo
    from storage.handovers import set_item_note

    with session(sample_engine) as s:
        set_item_note(s, case_ref=REF, item_id="vlo_told", note="private words", actor="N1-03")
        repo.commit_or_conflict(s)
    from sqlalchemy import select

    from storage import models as m
    from tui.data import initials

    with session(sample_engine) as s:
        name = s.execute(select(m.Case.display_name).where(m.Case.case_ref == REF)).scalar_one()
    app = make_app("N1-03", privacy=True)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_handover(pilot)
        who = str(screen.query_one("#who").render())
        assert initials(name) in who and name.split()[-1] not in who
        assert "Castellane" not in str(screen.query_one("#roles").render())
        await highlight(pilot, screen, "vlo_told")
        detail = str(screen.query_one("#item-detail").render())
        assert "hidden in privacy mode" in detail and "private words" not in detail


async def test_a_short_absence_shows_named_cover_instead_of_a_plan(make_app):
    from tui.screens.departures.screen import DeparturesScreen, open_departures

    app = make_app("N1-01")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot, CaseloadScreen)
        open_departures(app, "N1-08")  # away 25 Nov to 1 Dec in the sample
        screen = await settle(pilot, DeparturesScreen)
        assert screen.rows == [] and screen.view.covers
        assert all(c.cover_id not in (None, "N1-08", "N1-01") for c in screen.view.covers)
        text = str(screen.query_one("#covers").render())
        assert text.startswith("Cover: N1-08 is away") and screen.view.covers[0].case_ref in text
        assert "named cover, not a handover" in str(screen.query_one("#event").render())
        assert app.screen.check_action("plan_all", ()) is False


def cold_warnings(engine, case_ref: str = "NG1010") -> list:
    from planner.risk import evaluate_case
    from storage.queries import load_case, load_world

    with session(engine) as s:
        return [w for w in evaluate_case(load_case(s, case_ref), load_world(s), AS_OF) if w.rule == "cold_handover"]


async def test_v_reviews_a_cold_handover_for_a_team_lead_and_it_leaves_the_caseload(make_app, sample_engine):
    ref = "NG1010"  # completed cold 30 days ago, N1-02 -> N1-07
    assert cold_warnings(sample_engine)
    app = make_app("N1-07")  # not a lead: no review key
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_handover(pilot, ref)
        assert screen.view.handover.cold and app.screen.check_action("review", ()) is False
    app = make_app("N1-01")
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_handover(pilot, ref)
        assert app.screen.check_action("review", ()) is True
        await pilot.press("v")
        form = app.screen
        assert isinstance(form, ReviewForm)
        assert "with an override: Court date moved" in str(form.query_one(".form--hint").render())
        await pilot.press("ctrl+s")  # no note: refused next to the field
        await pilot.pause()
        assert app.screen is form
        form.query_one("#note").load_text("Court moved the date; the first contact was held on time.")
        before = screen.writes
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: app.screen is screen and screen.writes > before)
        h = handover_row(sample_engine, ref)
        assert (h.reviewed, h.reviewed_by, h.reviewed_on) == (True, "N1-01", AS_OF)
        assert h.review_note.startswith("Court moved the date")
        assert "reviewed by N1-01" in str(screen.query_one("#who").render())
        assert app.screen.check_action("review", ()) is False
    assert cold_warnings(sample_engine) == []


async def test_p_replans_the_date_keeping_what_is_done(make_app, sample_engine):
    from tui.screens.forms.handover_form import HandoverForm

    app = make_app("N1-03")
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_handover(pilot)
        await pilot.press("p")
        form = app.screen
        assert isinstance(form, HandoverForm) and form.current == ("N1-09", date(2026, 12, 7))
        assert form.query_one("#to").value == "N1-09"
        form.query_one("#date").value = "2026-12-14"
        before = screen.writes
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: app.screen is screen and screen.writes > before)
        h = handover_row(sample_engine)
        assert h.planned_on == date(2026, 12, 14) and h.to_practitioner_pk
        told, read = item_row(sample_engine, "told"), item_row(sample_engine, "read")
        assert told.done and told.due == date(2026, 11, 23)  # kept as it was
        assert read.due == date(2026, 12, 11) and not read.done  # re-dated
        assert audit(sample_engine, "replan")


async def test_planning_to_a_pso_is_refused_in_one_line_next_to_the_receiver(make_app, sample_engine):
    from tui.screens.forms.handover_form import HandoverForm

    from storage.queries import load_cases

    with session(sample_engine) as s:  # one of N1-03's cases with nothing planned, tier A or B
        ref, tier = next((c.case_ref, c.tier) for c in load_cases(s, practitioner_id="N1-03")
                         if c.open_handover is None and c.tier and c.tier[0] in "AB")
    app = make_app("N1-03")  # not a lead: no override field
    async with app.run_test(size=(120, 40)) as pilot:
        await press_h_on(pilot, ref)
        form = app.screen
        assert isinstance(form, HandoverForm) and not form.query("#override")
        form.query_one("#to").value = "N1-05"  # a PSO
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: not form.saving)
        assert app.screen is form
        error = str(form.query_one("#field-to .field--error").render())
        assert f"N1-05 is a PSO and the case is tier {tier}; a team lead may plan it anyway" in error
    assert handover_row(sample_engine, ref) is None


async def test_h_plans_a_new_handover_when_only_optional_follow_ups_are_open(make_app, sample_engine):
    from tui.screens.forms.handover_form import HandoverForm

    with session(sample_engine) as s:  # a completed warm handover with only `reachable` (optional) open
        ref = s.execute(
            select(m.Case.case_ref).join(m.Handover, m.Handover.case_id == m.Case.id)
            .join(m.HandoverItem, m.HandoverItem.handover_id == m.Handover.id)
            .where(m.Handover.status == "completed_warm", m.HandoverItem.item_id == "review",
                   m.HandoverItem.done.is_(True))
            .order_by(m.Handover.completed_on.desc())).scalars().first()
        holder = s.execute(
            select(m.Practitioner.practitioner_id).join(m.Allocation, m.Allocation.practitioner_pk == m.Practitioner.id)
            .join(m.Case, m.Case.id == m.Allocation.case_id)
            .where(m.Case.case_ref == ref, m.Allocation.end_date.is_(None))).scalar_one()
    assert not item_row(sample_engine, "reachable", ref).done
    app = make_app(holder)
    async with app.run_test(size=(120, 40)) as pilot:
        await press_h_on(pilot, ref)
        assert isinstance(app.screen, HandoverForm)


async def test_h_offers_a_working_day_when_two_weeks_ahead_is_a_bank_holiday(make_app, sample_engine):
    """As of Fri 11 Dec 2026 two weeks ahead is Christmas Day (then Saturday,
    Sunday and the Boxing Day holiday on Monday): the form offers Tue 29 Dec."""
    from tui.screens.forms.handover_form import HandoverForm

    from storage.queries import load_cases

    day = date(2026, 12, 11)
    with session(sample_engine) as s:
        ref = next(c.case_ref for c in load_cases(s, practitioner_id="N1-03") if c.open_handover is None)
    app = make_app("N1-03", as_of=day)
    async with app.run_test(size=(120, 40)) as pilot:
        await press_h_on(pilot, ref)
        await wait_for(pilot, lambda: isinstance(app.screen, HandoverForm))
        assert app.screen.query_one("#date").value == "2026-12-29"


async def test_the_team_view_shows_from_and_to_within_80_columns(make_app, sample_engine):
    """At 80x24 the From→to column is on screen whole (only the names, last,
    run off to the right); a completed handover's row says when it was done."""
    from tui.screens.handovers import HandoversScreen

    app = make_app("N1-01")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot, CaseloadScreen)
        await pilot.press("H")
        screen = await settle(pilot, HandoversScreen)
        table = screen.query_one("#handovers")
        keys = [str(column.key.value) for column in table.ordered_columns]
        widths = [column.get_render_width(table) for column in table.ordered_columns]
        end_of_who = sum(widths[: keys.index("who") + 1])
        assert end_of_who <= table.scrollable_content_region.width
        follow = next(r for r in screen.view.rows if r.follow_up)
        assert f"{follow.planned_on:%d %b} done" in [str(c) for c in table.get_row(str(follow.handover_id))]


async def test_the_team_view_shows_a_case_with_a_follow_up_and_a_new_handover_as_two_rows(make_app, sample_engine):
    """A case whose completed handover still has follow-ups open may get a
    new one (planning refuses only a second *open* handover: storage.repo's
    check_plan, the CSV import): both are rows of the team view, each keyed by
    its handover's id, and enter on either opens the case's handover screen."""
    from storage import repo
    from storage.queries import load_case
    from tui.screens.handovers import HandoversScreen

    app = make_app("N1-01")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot, CaseloadScreen)
        await pilot.press("H")
        screen = await settle(pilot, HandoversScreen)
        ref = next(r.case_ref for r in screen.view.rows if r.follow_up)
    with session(sample_engine) as s:
        holder = load_case(s, ref).practitioner_id
        to = next(pid for pid in ("N1-09", "N1-07", "N1-02") if pid != holder)
        repo.plan_handover(s, case_ref=ref, to_practitioner_id=to, planned_on=date(2026, 12, 14), actor="admin",
                           as_of=AS_OF)
        repo.commit_or_conflict(s)
    app = make_app("N1-01")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot, CaseloadScreen)
        await pilot.press("H")
        screen = await settle(pilot, HandoversScreen)
        rows = [r for r in screen.view.rows if r.case_ref == ref]
        assert sorted(r.follow_up for r in rows) == [False, True]
        table = screen.query_one("#handovers")
        assert table.row_count == len(screen.view.rows)
        for row in rows:
            assert str(table.get_row(str(row.handover_id))[0]) == ref
        table.move_cursor(row=screen.view.rows.index(rows[1]))
        await pilot.press("enter")
        handover = await settle(pilot, HandoverScreen)
        assert handover.case_ref == ref
