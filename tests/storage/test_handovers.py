"""storage.handovers: every change to a handover is written, audited (without
personal data) and refused when stale; the records tick items themselves;
completing switches the allocation and an override counts as cold. Runs on
SQLite and, with CASELOAD_TEST_PG_URL, on PostgreSQL (the `engine` fixture)."""

from __future__ import annotations

import json
from datetime import date, timedelta

import pytest
from sqlmodel import Session, select

from planner.errors import CaseloadError, ConflictError
from planner.risk import evaluate_case
from storage import handovers as ho
from storage import models as m
from storage import repo
from storage.queries import load_case, load_cases, load_world

D = date.fromisoformat
AS_OF = D("2026-11-27")  # Friday
DAY = D("2026-12-11")  # the handover date, a Friday
SECRET = ("Person C1", "private note words", "summary words", "moved away suddenly")


@pytest.fixture
def db(engine):
    """Team T1: P1 holds C1 (youth, safeguarding, tier B2) and C2 (tier C1,
    no flags); P2 receives; L1 leads. Team T2: P3. All make-believe."""
    with Session(engine) as s:
        t1, t2 = m.Team(team_id="T1", name="North"), m.Team(team_id="T2", name="South")
        s.add_all([t1, t2])
        s.flush()
        p = {
            pid: m.Practitioner(practitioner_id=pid, name=name, team_pk=team.id, role=role, grade=grade)
            for pid, name, team, role, grade in [
                ("P1", "Avery Test", t1, "practitioner", "PO"),
                ("P2", "Blake Test", t1, "practitioner", "PO"),
                ("L1", "Drew Lead", t1, "team_lead", "SPO"),
                ("P3", "Casey Test", t2, "practitioner", "PO"),
            ]
        }
        s.add_all(p.values())
        s.flush()
        c1 = m.Case(case_ref="C1", display_name="Person C1", team_pk=t1.id, tier="B2", youth=True,
                    flags="safeguarding")
        c2 = m.Case(case_ref="C2", display_name="Person C2", team_pk=t1.id, tier="C1")
        s.add_all([c1, c2])
        s.flush()
        s.add_all([
            m.Allocation(case_id=c1.id, practitioner_pk=p["P1"].id, start_date=D("2026-03-02")),
            m.Allocation(case_id=c2.id, practitioner_pk=p["P1"].id, start_date=D("2026-03-02")),
        ])
        s.commit()
    return engine


def plan(engine, case_ref="C1", to="P2", on=DAY):
    with Session(engine) as s:
        hid = repo.plan_handover(s, case_ref=case_ref, to_practitioner_id=to, planned_on=on, actor="L1")
        repo.commit_or_conflict(s)
    return hid


def events(engine, action):
    with Session(engine) as s:
        return s.exec(select(m.AuditEvent).where(m.AuditEvent.action == action)
                      .order_by(m.AuditEvent.id)).all()


def no_personal_data(engine):
    with Session(engine) as s:
        details = " ".join(e.detail or "" for e in s.exec(select(m.AuditEvent)).all())
    for words in SECRET:
        assert words not in details


def detail(s, case_ref="C1", on=AS_OF):
    return ho.handover_detail(s, case_ref, as_of=on)


# ------------------------------------------------------------------ checklist and views


FLAG_ITEMS = {
    "care_experienced": "social_worker_told",
    "safeguarding": "safeguarding_lead_told",
    "victim_contact": "vlo_told",
    "approved_premises": "ap_keyworker_told",
    "opd": "opd_consulted",
    "restorative_justice": "rj_facilitator_told",
}


@pytest.mark.parametrize("flag", sorted(FLAG_ITEMS))
def test_each_flag_adds_its_group_item_due_a_week_before(db, flag):
    with Session(db) as s:
        repo.update_case(s, case_ref="C2", expected_version=1, actor="L1", flags=[flag])
        repo.commit_or_conflict(s)
    plan(db, "C2")
    with Session(db) as s:
        view = detail(s, "C2")
    ids = [i.item_id for i in view.items]
    assert FLAG_ITEMS[flag] in ids
    assert set(ids) - {FLAG_ITEMS[flag]} == {
        "told", "summary", "read", "three_way", "booked", "reachable", "first_contact", "review"
    }
    group = view.item(FLAG_ITEMS[flag])
    assert group.required and group.due == DAY - timedelta(days=7)


def test_a_youth_case_with_safeguarding_gets_both_group_items(db):
    plan(db)
    with Session(db) as s:
        ids = {i.item_id for i in detail(s).items}
    assert {"carers_told", "safeguarding_lead_told"} <= ids


def test_views_give_progress_next_item_overdue_and_names(db):
    plan(db)
    plan(db, "C2", on=D("2026-12-01"))
    with Session(db) as s:
        views = ho.open_handovers(s, as_of=AS_OF)
        assert [v.case_ref for v in views] == ["C2", "C1"]  # by date
        c2 = views[0]
        assert (c2.from_id, c2.from_name, c2.to_id, c2.to_name) == ("P1", "Avery Test", "P2", "Blake Test")
        assert (c2.done, c2.total) == (0, 8)
        assert c2.next_item.item_id == "told" and c2.next_item.due == D("2026-11-17")
        assert c2.overdue == 2  # told (17 Nov) and summary (24 Nov) are past
        assert [v.case_ref for v in ho.open_handovers(s, team_id="T1", as_of=AS_OF)] == ["C2", "C1"]
        assert ho.open_handovers(s, team_id="T2", as_of=AS_OF) == []
        assert len(ho.open_handovers(s, practitioner_id="P2", as_of=AS_OF)) == 2
        assert ho.open_handovers(s, practitioner_id="L1", as_of=AS_OF) == []
        with pytest.raises(CaseloadError, match="unknown team T9"):
            ho.open_handovers(s, team_id="T9")


def test_detail_refuses_an_unknown_case_and_a_case_without_handover(db):
    with Session(db) as s:
        with pytest.raises(CaseloadError, match="unknown case NOPE"):
            ho.handover_detail(s, "NOPE")
        with pytest.raises(CaseloadError, match="case C2 has no handover"):
            ho.handover_detail(s, "C2")


# ------------------------------------------------------------------ ticking


def test_tick_records_who_when_and_a_note_starts_the_handover_and_audits(db):
    hid = plan(db)
    with Session(db) as s:
        view = ho.tick_item(s, case_ref="C1", item_id="told", note="private note words",
                            on=AS_OF, actor="P1")
        repo.commit_or_conflict(s)
    told = view.item("told")
    assert view.status == "in_progress"
    assert (told.done, told.done_on, told.done_by, told.auto, told.note) == (
        True, AS_OF, "P1", False, "private note words")
    [event] = events(db, "tick")
    assert (event.actor, event.entity, event.entity_key, event.case_ref) == (
        "P1", "handover_item", f"{hid}:told", "C1")
    data = json.loads(event.detail)
    assert data["item_id"] == "told" and data["has_note"] is True and data["status"] == "in_progress"
    no_personal_data(db)


def test_ticking_an_unknown_item_or_a_case_without_open_handover_is_refused(db):
    plan(db)
    with Session(db) as s:
        with pytest.raises(CaseloadError, match="unknown checklist item 'tea'.*told"):
            ho.tick_item(s, case_ref="C1", item_id="tea", on=AS_OF, actor="P1")
        with pytest.raises(CaseloadError, match="case C2 has no open handover"):
            ho.tick_item(s, case_ref="C2", item_id="told", on=AS_OF, actor="P1")


def test_a_stale_item_version_is_refused_and_nothing_is_written(db):
    plan(db)
    with Session(db) as s:
        version = detail(s).item("told").version
        ho.tick_item(s, case_ref="C1", item_id="told", on=AS_OF, actor="P1", expected_version=version)
        repo.commit_or_conflict(s)
    with Session(db) as s:
        with pytest.raises(ConflictError, match="handover item told of case C1"):
            ho.set_item_note(s, case_ref="C1", item_id="told", note="x", actor="P2",
                             expected_version=version)
    with Session(db) as s:
        assert detail(s).item("told").note is None


def test_untick_and_note_are_audited_and_an_auto_tick_cannot_be_unticked(db):
    plan(db)
    with Session(db) as s:
        ho.tick_item(s, case_ref="C1", item_id="read", on=AS_OF, actor="P2")
        view = ho.set_item_note(s, case_ref="C1", item_id="read", note="private note words", actor="P2")
        assert view.item("read").note == "private note words"
        view = ho.untick_item(s, case_ref="C1", item_id="read", actor="P2")
        assert not view.item("read").done and view.item("read").done_on is None
        with pytest.raises(CaseloadError, match="is not ticked"):
            ho.untick_item(s, case_ref="C1", item_id="read", actor="P2")
        repo.record_contact(s, case_ref="C1", contact_date=AS_OF, practitioner_id="P1",
                            kind="three_way", outcome="attended", actor="P1")
        assert ho.sync_auto_ticks(s, as_of=AS_OF, actor="P1") == 1
        with pytest.raises(CaseloadError, match="ticked from the records"):
            ho.untick_item(s, case_ref="C1", item_id="three_way", actor="P1")
        repo.commit_or_conflict(s)
    assert [json.loads(e.detail)["has_note"] for e in events(db, "note")] == [True]
    assert [json.loads(e.detail)["item_id"] for e in events(db, "untick")] == ["read"]
    no_personal_data(db)


def test_summary_is_saved_audited_by_length_only_and_refused_when_stale(db):
    plan(db)
    with Session(db) as s:
        version = detail(s).version
        view = ho.save_summary(s, case_ref="C1", text="summary words", expected_version=version, actor="P1")
        repo.commit_or_conflict(s)
    assert view.summary == "summary words" and view.version == version + 1
    [event] = events(db, "summary")
    assert json.loads(event.detail)["chars"] == len("summary words")
    with Session(db) as s:
        with pytest.raises(ConflictError, match="the handover of case C1"):
            ho.save_summary(s, case_ref="C1", text="other", expected_version=version, actor="P2")
    with Session(db) as s:
        assert detail(s).summary == "summary words"
    no_personal_data(db)


# ------------------------------------------------------------------ auto-ticks


def test_the_records_tick_three_way_booked_and_first_contact_and_it_is_persisted(db):
    hid = plan(db)
    with Session(db) as s:
        repo.record_contact(s, case_ref="C1", contact_date=DAY - timedelta(days=3), practitioner_id="P1",
                            kind="three_way", outcome="attended", actor="P1")
        repo.book_appointment(s, case_ref="C1", appointment_date=DAY + timedelta(days=3),
                              practitioner_id="P2", actor="P2")
        repo.record_contact(s, case_ref="C1", contact_date=DAY + timedelta(days=3), practitioner_id="P2",
                            kind="office", outcome="attended", actor="P2")
        repo.commit_or_conflict(s)
    later = DAY + timedelta(days=4)
    with Session(db) as s:
        # the day before D: the meeting was held and the appointment is booked
        assert ho.sync_auto_ticks(s, as_of=DAY - timedelta(days=1), actor="sys") == 2
        assert ho.sync_auto_ticks(s, as_of=later, actor="sys") == 1  # the first contact
        assert ho.sync_auto_ticks(s, as_of=later, actor="sys") == 0  # up to date: writes nothing
        repo.commit_or_conflict(s)
    with Session(db) as s:
        view = ho.handover_detail(s, "C1", as_of=later)
    for item_id, done_on in [("three_way", DAY - timedelta(days=3)), ("booked", DAY - timedelta(days=1)),
                             ("first_contact", DAY + timedelta(days=3))]:
        item = view.item(item_id)
        assert (item.done, item.auto, item.done_on, item.done_by) == (True, True, done_on, ho.AUTO_ACTOR)
    assert view.status == "in_progress"
    audited = events(db, "auto_tick")
    assert sorted(json.loads(e.detail)["item_id"] for e in audited) == ["booked", "first_contact", "three_way"]
    assert {e.entity_key for e in audited} == {f"{hid}:three_way", f"{hid}:booked", f"{hid}:first_contact"}
    # the planner sees the persisted ticks: no more `three_way` among the open items
    with Session(db) as s:
        case = load_case(s, "C1")
        warnings = evaluate_case(case, load_world(s), DAY - timedelta(days=1))
    upcoming = next(w for w in warnings if w.rule == "handover_upcoming")
    assert "three_way" not in upcoming.facts["open_items"]


def test_a_three_way_meeting_with_someone_else_or_long_before_does_not_count(db):
    plan(db)
    with Session(db) as s:
        repo.record_contact(s, case_ref="C1", contact_date=DAY - timedelta(days=40), practitioner_id="P1",
                            kind="three_way", outcome="attended", actor="P1")
        # P3 is of another team: only the administrator records a contact held by them on C1
        repo.record_contact(s, case_ref="C1", contact_date=DAY - timedelta(days=2), practitioner_id="P3",
                            kind="three_way", outcome="attended", actor="admin")
        assert ho.sync_auto_ticks(s, as_of=DAY, actor="sys") == 0


def test_tick_syncs_the_records_first(db):
    plan(db)
    with Session(db) as s:
        repo.record_contact(s, case_ref="C1", contact_date=AS_OF, practitioner_id="P2",
                            kind="three_way", outcome="attended", actor="P2")
        view = ho.tick_item(s, case_ref="C1", item_id="told", on=AS_OF, actor="P1")
        assert view.item("three_way").done and view.item("three_way").auto


def test_sync_auto_ticks_now_commits_in_its_own_transaction(db):
    plan(db)
    with Session(db) as s:
        repo.record_contact(s, case_ref="C1", contact_date=AS_OF, practitioner_id="P1",
                            kind="three_way", outcome="attended", actor="P1")
        repo.commit_or_conflict(s)
    assert ho.sync_auto_ticks_now(db, as_of=AS_OF, actor="app") == 1
    assert ho.sync_auto_ticks_now(db, as_of=AS_OF, actor="app") == 0
    with Session(db) as s:
        assert detail(s).item("three_way").auto
    assert [e.actor for e in events(db, "auto_tick")] == ["app"]


def test_with_auto_ticks_applies_the_same_ticks_in_memory_only(db):
    plan(db)
    with Session(db) as s:
        repo.record_contact(s, case_ref="C1", contact_date=AS_OF, practitioner_id="P1",
                            kind="three_way", outcome="attended", actor="P1")
        repo.commit_or_conflict(s)
    with Session(db) as s:
        cases = load_cases(s)
        ticked = ho.with_auto_ticks(cases, load_world(s), AS_OF)
        assert not detail(s).item("three_way").done  # nothing written
    c1 = next(c for c in ticked if c.case_ref == "C1")
    assert next(i for i in c1.open_handover.items if i.item_id == "three_way").done


# ------------------------------------------------------------------ completing, cancelling, reviewing


REQUIRED_BY_HAND = ("told", "summary", "read", "carers_told", "safeguarding_lead_told", "booked",
                    "first_contact")


def test_a_complete_checklist_completes_warm_and_switches_the_allocation_on_that_date(db):
    hid = plan(db)
    with Session(db) as s:
        for item_id in REQUIRED_BY_HAND:
            ho.tick_item(s, case_ref="C1", item_id=item_id, on=AS_OF, actor="P1")
        repo.record_contact(s, case_ref="C1", contact_date=DAY, practitioner_id="P1",
                            kind="three_way", outcome="attended", actor="P1")
        view = ho.complete_handover(s, case_ref="C1", on=DAY, actor="L1")
        repo.commit_or_conflict(s)
    assert (view.status, view.completed_on, view.override_reason, view.cold) == (
        "completed_warm", DAY, None, False)
    with Session(db) as s:
        case = load_case(s, "C1")
    assert case.practitioner_id == "P2"
    assert case.current_allocation.start_date == DAY
    assert [(a.practitioner_id, a.end_date) for a in case.allocations] == [
        ("P1", DAY - timedelta(days=1)), ("P2", None)]
    [event] = events(db, "complete")
    data = json.loads(event.detail)
    assert (event.entity_key, data["status"], data["override"], data["open_items"]) == (
        str(hid), "completed_warm", False, [])
    assert events(db, "allocate")
    with Session(db) as s:
        with pytest.raises(CaseloadError, match="was warm"):
            ho.mark_reviewed(s, case_ref="C1", actor="L1")


def test_completing_with_required_items_open_needs_an_override(db):
    plan(db)
    with Session(db) as s:
        with pytest.raises(CaseloadError, match="required items still open .*three_way"):
            ho.complete_handover(s, case_ref="C1", on=DAY, actor="L1")
    with Session(db) as s:
        assert load_case(s, "C1").practitioner_id == "P1"
        assert detail(s).status == "planned"


def test_an_override_is_recorded_audited_and_counted_cold_until_reviewed(db):
    hid = plan(db)
    with Session(db) as s:
        ho.tick_item(s, case_ref="C1", item_id="told", on=AS_OF, actor="P1")
        view = ho.complete_handover(s, case_ref="C1", on=DAY, override_reason="moved away suddenly",
                                    actor="L1")
        repo.commit_or_conflict(s)
    assert view.status == "completed_cold" and view.cold
    assert view.override_reason == "moved away suddenly"
    [event] = events(db, "complete")
    data = json.loads(event.detail)
    assert data["override"] is True and "three_way" in data["open_items"]
    no_personal_data(db)
    after = DAY + timedelta(days=10)
    with Session(db) as s:
        case, world = load_case(s, "C1"), load_world(s)
        assert case.practitioner_id == "P2"
        [cold] = [w for w in evaluate_case(case, world, after) if w.rule == "cold_handover"]
        assert cold.severity == "medium" and cold.facts["override"] and not cold.facts["reviewed"]
        # the latest handover is shown by `show` even when none is open
        assert ho.handover_detail(s, "C1", as_of=after).id == hid
        view = ho.mark_reviewed(s, case_ref="C1", actor="L1")
        ho.mark_reviewed(s, case_ref="C1", actor="L1")  # twice changes nothing
        repo.commit_or_conflict(s)
    assert view.reviewed
    assert len(events(db, "review")) == 1
    with Session(db) as s:
        # reviewed: the warning has done its job and no longer fires (planner.rules.cold_handover)
        assert not [w for w in evaluate_case(load_case(s, "C1"), load_world(s), after)
                    if w.rule == "cold_handover"]


DUE_BY_DAY_BY_HAND = ("told", "summary", "read", "carers_told", "safeguarding_lead_told")


def test_completing_on_the_date_needs_only_the_items_due_by_then_and_follow_ups_stay_open(db):
    """The rule (planner.handover): on D, first_contact (D + 5 working days) is
    not needed; it stays open on the completed handover, can be ticked by hand
    or from the records, and the handover stays warm."""
    plan(db)
    with Session(db) as s:
        for item_id in DUE_BY_DAY_BY_HAND:
            ho.tick_item(s, case_ref="C1", item_id=item_id, on=AS_OF, actor="P1")
        repo.record_contact(s, case_ref="C1", contact_date=DAY, practitioner_id="P1",
                            kind="three_way", outcome="attended", actor="P1")
        repo.book_appointment(s, case_ref="C1", appointment_date=DAY + timedelta(days=3),
                              practitioner_id="P2", actor="P1")
        view = ho.complete_handover(s, case_ref="C1", on=DAY, actor="L1")
        repo.commit_or_conflict(s)
    assert (view.status, view.override_reason, view.cold) == ("completed_warm", None, False)
    assert view.follow_ups_open == ("first_contact", "reachable", "review")  # by due date
    assert view.item("first_contact").follow_up and not view.item("three_way").follow_up
    [event] = events(db, "complete")
    data = json.loads(event.detail)
    assert data["open_items"] == [] and set(data["follow_up"]) == {"reachable", "first_contact", "review"}
    # the first contact is held three days later: the sync ticks it on the completed handover
    after = DAY + timedelta(days=3)
    with Session(db) as s:
        repo.record_contact(s, case_ref="C1", contact_date=after, practitioner_id="P2", kind="office",
                            outcome="attended", actor="P2")
        repo.commit_or_conflict(s)
    assert ho.sync_auto_ticks_now(db, as_of=after, actor="P2") == 1
    assert ho.sync_auto_ticks_now(db, as_of=after, actor="P2") == 0
    with Session(db) as s:
        view = ho.handover_detail(s, "C1", as_of=after)
        assert view.status == "completed_warm"
        assert view.item("first_contact").done and view.item("first_contact").auto
        # by hand: the review item, with a note; then untick it again
        item = view.item("review")
        view = ho.tick_item(s, case_ref="C1", item_id="review", on=after, actor="P2",
                            expected_version=item.version)
        assert view.item("review").done and view.status == "completed_warm"
        view = ho.untick_item(s, case_ref="C1", item_id="review", actor="P2")
        assert not view.item("review").done
        # settled items can't change after completion
        with pytest.raises(CaseloadError, match="cannot tick three_way of a completed handover"):
            ho.tick_item(s, case_ref="C1", item_id="three_way", on=after, actor="P2")
        with pytest.raises(CaseloadError, match="cannot untick told"):
            ho.untick_item(s, case_ref="C1", item_id="told", actor="P2")
        repo.commit_or_conflict(s)
    assert [json.loads(e.detail)["item_id"] for e in events(db, "auto_tick")][-1] == "first_contact"


def test_completing_on_the_date_with_three_way_open_needs_an_override_and_is_cold(db):
    plan(db)
    with Session(db) as s:
        for item_id in DUE_BY_DAY_BY_HAND + ("booked",):
            ho.tick_item(s, case_ref="C1", item_id=item_id, on=AS_OF, actor="P1")
        repo.commit_or_conflict(s)
    with Session(db) as s:
        with pytest.raises(CaseloadError, match=r"due by 11 Dec 2026\): three_way;"):
            ho.complete_handover(s, case_ref="C1", on=DAY, actor="L1")
    with Session(db) as s:
        view = ho.complete_handover(s, case_ref="C1", on=DAY, override_reason="moved away suddenly",
                                    actor="L1")
        repo.commit_or_conflict(s)
    assert view.status == "completed_cold" and view.cold
    assert json.loads(events(db, "complete")[0].detail)["open_items"] == ["three_way"]


def test_completing_refuses_a_stale_version_and_a_case_that_moved_meanwhile(db):
    plan(db)
    with Session(db) as s:
        stale = detail(s).version
        ho.save_summary(s, case_ref="C1", text="summary words", expected_version=stale, actor="P1")
        repo.commit_or_conflict(s)
    with Session(db) as s:
        with pytest.raises(ConflictError):
            ho.complete_handover(s, case_ref="C1", on=DAY, override_reason="x", actor="L1",
                                 expected_version=stale)
    with Session(db) as s:
        repo.allocate(s, case_ref="C1", practitioner_id="P3", start_date=AS_OF, actor="L1")
        # C1 is team T2's now, but its handover from T1's P2 is still open: T1 still
        # sees it (SPEC §9), and completing it is refused for what it is.
        with pytest.raises(CaseloadError, match="now with P3"):
            ho.complete_handover(s, case_ref="C1", on=DAY, override_reason="x", actor="L1")
        with pytest.raises(CaseloadError, match="now with P3"):
            ho.complete_handover(s, case_ref="C1", on=DAY, override_reason="x", actor="administrator")


def test_cancel_is_audited_and_ends_the_life_cycle(db):
    hid = plan(db)
    with Session(db) as s:
        view = ho.cancel_handover(s, case_ref="C1", actor="L1")
        repo.commit_or_conflict(s)
    assert view.status == "cancelled"
    [event] = events(db, "cancel")
    assert event.entity_key == str(hid) and json.loads(event.detail)["from_status"] == "planned"
    with Session(db) as s:
        with pytest.raises(CaseloadError, match="no open handover"):
            ho.tick_item(s, case_ref="C1", item_id="told", on=AS_OF, actor="P1")
        assert ho.open_handovers(s, as_of=AS_OF) == []
    plan(db)  # a new one may be planned after a cancel


# ------------------------------------------------------------------ planning many


def test_plan_many_plans_all_in_one_transaction_or_nothing(db):
    with Session(db) as s:
        ids = ho.plan_many(s, [("C1", "P2", DAY, "practitioner leaving"), ("C2", "P2", DAY, None)],
                           actor="L1", as_of=AS_OF)
        repo.commit_or_conflict(s)
    assert len(ids) == 2
    assert len(events(db, "plan")) == 2
    with Session(db) as s:
        ho.cancel_handover(s, case_ref="C1", actor="L1")
        ho.cancel_handover(s, case_ref="C2", actor="L1")
        repo.commit_or_conflict(s)
    with Session(db) as s:
        with pytest.raises(CaseloadError, match="unknown practitioner NOPE"):
            ho.plan_many(s, [("C1", "P2", DAY, None), ("C2", "NOPE", DAY, None)], actor="L1")
        s.rollback()
    with Session(db) as s:
        assert ho.open_handovers(s, as_of=AS_OF) == []
        with pytest.raises(CaseloadError, match="twice"):
            ho.plan_many(s, [("C1", "P2", DAY, None), ("C1", "P2", DAY, None)], actor="L1")


def test_receiver_concerns_name_the_exclusions(db):
    with Session(db) as s:
        assert ho.receiver_concerns(s, case_ref="C1", to_practitioner_id="P2", planned_on=DAY,
                                    as_of=AS_OF) == []
        assert ho.receiver_concerns(s, case_ref="C1", to_practitioner_id="L1", planned_on=DAY,
                                    as_of=AS_OF) == ["L1 is a team lead"]
        assert "in team T2" in ho.receiver_concerns(s, case_ref="C1", to_practitioner_id="P3",
                                                    planned_on=DAY, as_of=AS_OF)[0]
