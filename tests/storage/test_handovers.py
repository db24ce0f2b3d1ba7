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
SECRET = ("Person C1", "private note words", "summary words", "moved away suddenly", "private view words",
          "review note words")
VIEW = {"view": "agrees", "words": "private view words"}


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
        hid = repo.plan_handover(s, case_ref=case_ref, to_practitioner_id=to, planned_on=on, actor="L1",
                                 as_of=AS_OF)
        repo.commit_or_conflict(s)
    return hid


def tick(s, item_id, *, case_ref="C1", on=AS_OF, actor="P1", **kw):
    """`tick_item` with what the item needs: the person's view on told and
    review, the summary written before summary."""
    if item_id in ("told", "review"):
        kw = {**VIEW, **kw}
    if item_id == "summary":
        view = detail(s, case_ref)
        if not view.summary_editable or not view.summary:
            ho.save_summary(s, case_ref=case_ref, text="summary words", expected_version=None, actor=actor)
    return ho.tick_item(s, case_ref=case_ref, item_id=item_id, on=on, actor=actor, **kw)


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
        # D - 14 is Tue 17 Nov; D - 7 Tue 24 Nov (D is Tue 1 Dec)
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
                            on=AS_OF, actor="P1", view="concerns", words="private view words")
        repo.commit_or_conflict(s)
    told = view.item("told")
    assert view.status == "in_progress"
    assert (told.done, told.done_on, told.done_by, told.auto, told.note) == (
        True, AS_OF, "P1", False, "private note words")
    assert (told.view, told.view_words) == ("concerns", "private view words")
    assert told.to_dict()["view"] == "concerns" and "private view words" not in json.dumps(view.to_dict())
    [event] = events(db, "tick")
    assert (event.actor, event.entity, event.entity_key, event.case_ref) == (
        "P1", "handover_item", f"{hid}:told", "C1")
    data = json.loads(event.detail)
    assert data["item_id"] == "told" and data["has_note"] is True and data["status"] == "in_progress"
    assert data["view"] == "concerns"  # the code, never the words
    no_personal_data(db)


@pytest.mark.parametrize("item_id", ["told", "review"])
def test_told_and_review_are_refused_without_the_persons_view_and_nothing_is_written(db, item_id):
    plan(db)
    with Session(db) as s:
        with pytest.raises(CaseloadError, match=f"{item_id} records the person's view"):
            ho.tick_item(s, case_ref="C1", item_id=item_id, on=AS_OF, actor="P1")
        with pytest.raises(CaseloadError, match="own words"):
            ho.tick_item(s, case_ref="C1", item_id=item_id, on=AS_OF, actor="P1", view="agrees", words=" ")
    with Session(db) as s:
        assert not detail(s).item(item_id).done and not events(db, "tick")


def test_summary_cannot_be_ticked_while_it_is_empty_nor_emptied_once_ticked(db):
    plan(db)
    with Session(db) as s:
        with pytest.raises(CaseloadError, match="summary is empty"):
            ho.tick_item(s, case_ref="C1", item_id="summary", on=AS_OF, actor="P1")
        ho.save_summary(s, case_ref="C1", text="summary words", expected_version=None, actor="P1")
        assert ho.tick_item(s, case_ref="C1", item_id="summary", on=AS_OF, actor="P1").item("summary").done
        with pytest.raises(CaseloadError, match="cannot be emptied"):
            ho.save_summary(s, case_ref="C1", text="  ", expected_version=None, actor="P1")


def test_unticking_told_clears_the_view(db):
    plan(db)
    with Session(db) as s:
        tick(s, "told")
        view = ho.untick_item(s, case_ref="C1", item_id="told", actor="P1")
    assert (view.item("told").view, view.item("told").view_words) == (None, None)


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
        tick(s, "told", expected_version=version)
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
        repo.record_contact(s, case_ref="C1", contact_date=AS_OF, practitioner_id="P2",
                            kind="three_way", outcome="attended", actor="P2")
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
        repo.record_contact(s, case_ref="C1", contact_date=DAY - timedelta(days=3), practitioner_id="P2",
                            kind="three_way", outcome="attended", actor="P2")
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
        repo.record_contact(s, case_ref="C1", contact_date=DAY - timedelta(days=40), practitioner_id="P2",
                            kind="three_way", outcome="attended", actor="P2")
        # P3 is of another team: only the administrator records a contact held by them on C1
        repo.record_contact(s, case_ref="C1", contact_date=DAY - timedelta(days=2), practitioner_id="P3",
                            kind="three_way", outcome="attended", actor="admin")
        assert ho.sync_auto_ticks(s, as_of=DAY, actor="sys") == 0


def test_a_three_way_held_by_the_outgoing_worker_alone_does_not_tick(db):
    plan(db)
    with Session(db) as s:
        repo.record_contact(s, case_ref="C1", contact_date=DAY - timedelta(days=2), practitioner_id="P1",
                            kind="three_way", outcome="attended", actor="P1")
        assert ho.sync_auto_ticks(s, as_of=DAY, actor="sys") == 0
        assert not detail(s, on=DAY).item("three_way").done


def test_booking_the_three_way_meeting_does_not_tick_booked(db):
    plan(db)
    with Session(db) as s:
        repo.book_appointment(s, case_ref="C1", appointment_date=DAY, practitioner_id="P2",
                              kind="three_way", actor="P1")
        repo.book_appointment(s, case_ref="C1", appointment_date=DAY + timedelta(days=1), practitioner_id="P2",
                              kind="three_way", actor="P1")
        assert ho.sync_auto_ticks(s, as_of=AS_OF, actor="sys") == 0
        repo.book_appointment(s, case_ref="C1", appointment_date=DAY + timedelta(days=4), practitioner_id="P2",
                              actor="P1")
        assert ho.sync_auto_ticks(s, as_of=AS_OF, actor="sys") == 1
        assert detail(s).item("booked").done


def test_tick_syncs_the_records_first(db):
    plan(db)
    with Session(db) as s:
        repo.record_contact(s, case_ref="C1", contact_date=AS_OF, practitioner_id="P2",
                            kind="three_way", outcome="attended", actor="P2")
        view = tick(s, "told")
        assert view.item("three_way").done and view.item("three_way").auto


def test_sync_auto_ticks_now_commits_in_its_own_transaction(db):
    plan(db)
    with Session(db) as s:
        repo.record_contact(s, case_ref="C1", contact_date=AS_OF, practitioner_id="P2",
                            kind="three_way", outcome="attended", actor="P2")
        repo.commit_or_conflict(s)
    assert ho.sync_auto_ticks_now(db, as_of=AS_OF, actor="app") == 1
    assert ho.sync_auto_ticks_now(db, as_of=AS_OF, actor="app") == 0
    with Session(db) as s:
        assert detail(s).item("three_way").auto
    assert [e.actor for e in events(db, "auto_tick")] == ["app"]


def test_with_auto_ticks_applies_the_same_ticks_in_memory_only(db):
    plan(db)
    with Session(db) as s:
        repo.record_contact(s, case_ref="C1", contact_date=AS_OF, practitioner_id="P2",
                            kind="three_way", outcome="attended", actor="P2")
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
            tick(s, item_id)
        repo.record_contact(s, case_ref="C1", contact_date=DAY, practitioner_id="P2",
                            kind="three_way", outcome="attended", actor="P2")
        view = ho.complete_handover(s, case_ref="C1", on=DAY, actor="L1", as_of=DAY)
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
            ho.review_handover(s, case_ref="C1", note="review note words", actor="L1", on=DAY)


def test_completing_with_required_items_open_needs_an_override(db):
    plan(db)
    with Session(db) as s:
        with pytest.raises(CaseloadError, match="still to do by 11 Dec 2026: .*Three-way meeting held"):
            ho.complete_handover(s, case_ref="C1", on=DAY, actor="L1", as_of=DAY)
    with Session(db) as s:
        assert load_case(s, "C1").practitioner_id == "P1"
        assert detail(s).status == "planned"


def test_an_override_is_recorded_audited_and_counted_cold_until_reviewed(db):
    hid = plan(db)
    with Session(db) as s:
        tick(s, "told")
        view = ho.complete_handover(s, case_ref="C1", on=DAY, override_reason="moved away suddenly",
                                    actor="L1", as_of=DAY)
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
        view = ho.review_handover(s, case_ref="C1", note="review note words", actor="L1", on=after)
        with pytest.raises(CaseloadError, match="already reviewed by L1 on 2026-12-21"):
            ho.review_handover(s, case_ref="C1", note="again", actor="L1", on=after)
        repo.commit_or_conflict(s)
    assert view.reviewed and (view.reviewed_by, view.reviewed_on, view.review_note) == (
        "L1", after, "review note words")
    [event] = events(db, "review")
    assert event.actor == "L1" and json.loads(event.detail)["has_note"] is True
    no_personal_data(db)
    with Session(db) as s:
        # reviewed: the warning has done its job and no longer fires (planner.rules.cold_handover)
        assert not [w for w in evaluate_case(load_case(s, "C1"), load_world(s), after)
                    if w.rule == "cold_handover"]


def test_a_review_is_for_the_cases_team_lead_with_a_note(db):
    plan(db)
    with Session(db) as s:
        tick(s, "told")
        ho.complete_handover(s, case_ref="C1", on=DAY, override_reason="moved away suddenly", actor="L1",
                             as_of=DAY)
        repo.commit_or_conflict(s)
    after = DAY + timedelta(days=3)
    with Session(db) as s:
        with pytest.raises(CaseloadError, match="P1 is not a team lead: only a team lead may review"):
            ho.review_handover(s, case_ref="C1", note="review note words", actor="P1", on=after)
        with pytest.raises(CaseloadError, match="needs a note"):
            ho.review_handover(s, case_ref="C1", note="  ", actor="L1", on=after)
        assert not detail(s, on=after).reviewed
    assert events(db, "review") == []


def test_a_review_of_an_open_handover_is_refused(db):
    hid = plan(db)
    with Session(db) as s:
        with pytest.raises(CaseloadError, match="no completed handover to review"):
            ho.review_handover(s, case_ref="C1", note="x", actor="L1", on=AS_OF)
        with pytest.raises(CaseloadError, match="only a completed one is reviewed"):
            ho.review_handover(s, case_ref="C1", note="x", actor="L1", on=AS_OF, handover_id=hid)


DUE_BY_DAY_BY_HAND = ("told", "summary", "read", "carers_told", "safeguarding_lead_told")


def complete_warm_on_the_day(s):
    """C1's handover done by the book and completed on D: warm."""
    for item_id in DUE_BY_DAY_BY_HAND:
        tick(s, item_id)
    # the day before D (one on D, held by the incoming practitioner, is their first contact too)
    repo.record_contact(s, case_ref="C1", contact_date=DAY - timedelta(days=1), practitioner_id="P2",
                        kind="three_way", outcome="attended", actor="P2")
    repo.book_appointment(s, case_ref="C1", appointment_date=DAY + timedelta(days=3),
                          practitioner_id="P2", actor="P1")
    view = ho.complete_handover(s, case_ref="C1", on=DAY, actor="L1", as_of=DAY)
    repo.commit_or_conflict(s)
    return view


def test_completing_on_the_date_needs_only_the_items_due_by_then_and_follow_ups_stay_open(db):
    """The rule (planner.handover): on D, first_contact (D + 5 working days) is
    not needed; it stays open on the completed handover, can be ticked by hand
    or from the records, and the handover stays warm."""
    plan(db)
    with Session(db) as s:
        view = complete_warm_on_the_day(s)
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
        view = tick(s, "review", on=after, actor="P2", expected_version=item.version)
        assert view.item("review").done and view.status == "completed_warm"
        view = ho.untick_item(s, case_ref="C1", item_id="review", actor="P2")
        assert not view.item("review").done
        # settled items can't change after completion
        with pytest.raises(CaseloadError, match="cannot tick three_way of a completed handover"):
            ho.tick_item(s, case_ref="C1", item_id="three_way", on=after, actor="P2")
        with pytest.raises(CaseloadError, match="cannot tick summary of a completed handover"):
            ho.tick_item(s, case_ref="C1", item_id="summary", on=after, actor="P2")
        with pytest.raises(CaseloadError, match="cannot untick told"):
            ho.untick_item(s, case_ref="C1", item_id="told", actor="P2")
        repo.commit_or_conflict(s)
    assert [json.loads(e.detail)["item_id"] for e in events(db, "auto_tick")][-1] == "first_contact"


def test_completing_on_the_date_with_three_way_open_needs_an_override_and_is_cold(db):
    plan(db)
    with Session(db) as s:
        for item_id in DUE_BY_DAY_BY_HAND + ("booked",):
            tick(s, item_id)
        repo.commit_or_conflict(s)
    with Session(db) as s:
        with pytest.raises(CaseloadError, match=r"still to do by 11 Dec 2026: Three-way meeting held"):
            ho.complete_handover(s, case_ref="C1", on=DAY, actor="L1", as_of=DAY)
    with Session(db) as s:
        with pytest.raises(CaseloadError, match="P1 is not a team lead"):
            ho.complete_handover(s, case_ref="C1", on=DAY, override_reason="moved away suddenly",
                                 actor="P1", as_of=DAY)
    with Session(db) as s:
        view = ho.complete_handover(s, case_ref="C1", on=DAY, override_reason="moved away suddenly",
                                    actor="L1", as_of=DAY)
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
                                 expected_version=stale, as_of=DAY)
    with Session(db) as s:
        repo.allocate(s, case_ref="C1", practitioner_id="P3", start_date=AS_OF, actor="administrator")
        # C1 is team T2's now, but its handover from T1's P2 is still open: T1 still
        # sees it (README, Team server), and completing it is refused for what it is.
        with pytest.raises(CaseloadError, match="now with P3"):
            ho.complete_handover(s, case_ref="C1", on=DAY, override_reason="x", actor="L1", as_of=DAY)
        with pytest.raises(CaseloadError, match="now with P3"):
            ho.complete_handover(s, case_ref="C1", on=DAY, override_reason="x", actor="administrator",
                                 as_of=DAY)


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
            ho.plan_many(s, [("C1", "P2", DAY, None), ("C2", "NOPE", DAY, None)], actor="L1", as_of=AS_OF)
        s.rollback()
    with Session(db) as s:
        assert ho.open_handovers(s, as_of=AS_OF) == []
        with pytest.raises(CaseloadError, match="twice"):
            ho.plan_many(s, [("C1", "P2", DAY, None), ("C1", "P2", DAY, None)], actor="L1", as_of=AS_OF)


def test_receiver_concerns_name_the_exclusions(db):
    with Session(db) as s:
        assert ho.receiver_concerns(s, case_ref="C1", to_practitioner_id="P2", planned_on=DAY,
                                    as_of=AS_OF) == []
        assert ho.receiver_concerns(s, case_ref="C1", to_practitioner_id="L1", planned_on=DAY,
                                    as_of=AS_OF) == ["L1 is a team lead"]
        assert "in team T2" in ho.receiver_concerns(s, case_ref="C1", to_practitioner_id="P3",
                                                    planned_on=DAY, as_of=AS_OF)[0]


# ------------------------------------------------------------------ planning guards, re-planning (docs/handovers.md)


def test_planning_refuses_a_date_before_as_of_and_writes_nothing(db):
    with Session(db) as s:
        with pytest.raises(CaseloadError, match=r"^cannot plan the handover: the handover date 26 Nov 2026 "
                                                r"is before today \(27 Nov 2026\)$"):
            repo.plan_handover(s, case_ref="C1", to_practitioner_id="P2", planned_on=AS_OF - timedelta(days=1),
                               actor="L1", as_of=AS_OF)
    with Session(db) as s:
        assert s.exec(select(m.Handover)).all() == [] and events(db, "plan") == []


def test_planning_refuses_a_receiver_absent_on_d_or_gone_by_then(db):
    with Session(db) as s:
        p2 = s.exec(select(m.Practitioner).where(m.Practitioner.practitioner_id == "P2")).one()
        s.add(m.Absence(practitioner_pk=p2.id, start_date=DAY - timedelta(days=2), end_date=DAY, kind="training"))
        s.commit()
    with Session(db) as s:
        with pytest.raises(CaseloadError, match="P2 is away on 11 Dec 2026 \\(training"):
            repo.plan_handover(s, case_ref="C1", to_practitioner_id="P2", planned_on=DAY, actor="L1",
                               as_of=AS_OF, override_reason="a lead cannot override an absence")
        p2 = s.exec(select(m.Practitioner).where(m.Practitioner.practitioner_id == "P2")).one()
        p2.leaving_on = DAY + timedelta(days=3)
        s.commit()
    with Session(db) as s:
        with pytest.raises(CaseloadError, match="P2 leaves on 14 Dec 2026, by 14 Dec 2026"):
            repo.plan_handover(s, case_ref="C1", to_practitioner_id="P2", planned_on=DAY + timedelta(days=3),
                               actor="L1", as_of=AS_OF)


def make_pso(engine, pid="P2"):
    with Session(engine) as s:
        p = s.exec(select(m.Practitioner).where(m.Practitioner.practitioner_id == pid)).one()
        p.grade = "PSO"
        s.commit()


def test_a_pso_for_a_tier_b_case_is_refused_unless_a_lead_overrides_with_a_reason_audited(db):
    make_pso(db)
    with Session(db) as s:
        with pytest.raises(CaseloadError, match="P2 is a PSO and the case is tier B2; a team lead may plan it"):
            repo.plan_handover(s, case_ref="C1", to_practitioner_id="P2", planned_on=DAY, actor="P1",
                               as_of=AS_OF)
        with pytest.raises(CaseloadError, match="P1 is not a team lead"):
            repo.plan_handover(s, case_ref="C1", to_practitioner_id="P2", planned_on=DAY, actor="P1",
                               as_of=AS_OF, override_reason="moved away suddenly")
    with Session(db) as s:
        hid = repo.plan_handover(s, case_ref="C1", to_practitioner_id="P2", planned_on=DAY, actor="L1",
                                 as_of=AS_OF, override_reason="moved away suddenly")
        repo.commit_or_conflict(s)
        assert detail(s).plan_override_reason == "moved away suddenly"
    [event] = events(db, "plan")
    assert event.entity_key == str(hid) and json.loads(event.detail)["override"] is True
    no_personal_data(db)
    # the C2 case is tier C: nothing to override, and an override given anyway is not kept
    with Session(db) as s:
        repo.plan_handover(s, case_ref="C2", to_practitioner_id="P2", planned_on=DAY, actor="L1",
                           as_of=AS_OF, override_reason="not needed")
        assert detail(s, "C2").plan_override_reason is None


def test_replanning_changes_the_date_and_keeps_what_is_done(db):
    hid = plan(db)
    new_day = DAY + timedelta(days=7)  # Fri 18 Dec
    with Session(db) as s:
        tick(s, "told")
        repo.record_contact(s, case_ref="C1", contact_date=AS_OF, practitioner_id="P2",
                            kind="three_way", outcome="attended", actor="P2")
        ho.sync_auto_ticks(s, as_of=AS_OF, actor="P1")
        version = detail(s).version
        view = ho.replan_handover(s, case_ref="C1", planned_on=new_day, actor="L1", as_of=AS_OF,
                                  expected_version=version)
        repo.commit_or_conflict(s)
    assert view.id == hid and view.planned_on == new_day and view.status == "in_progress"
    told = view.item("told")
    assert told.done and told.done_on == AS_OF and told.due == DAY - timedelta(days=14)  # kept as it was
    assert view.item("read").due == D("2026-12-15") and not view.item("read").done
    assert view.item("review").due == D("2027-01-15")
    assert view.item("three_way").done and view.item("three_way").auto  # still true of the records
    [event] = events(db, "replan")
    data = json.loads(event.detail)
    assert (data["old_planned_on"], data["planned_on"]) == (DAY.isoformat(), new_day.isoformat())
    with Session(db) as s:
        assert len(s.exec(select(m.Handover)).all()) == 1  # not a new handover


def test_replanning_to_another_receiver_rechecks_the_ticks_from_the_records(db):
    plan(db)
    with Session(db) as s:
        repo.book_appointment(s, case_ref="C1", appointment_date=DAY + timedelta(days=3), practitioner_id="P2",
                              actor="P1")
        ho.sync_auto_ticks(s, as_of=AS_OF, actor="P1")
        assert detail(s).item("booked").done
        with pytest.raises(CaseloadError, match="cannot see case C1"):
            ho.replan_handover(s, case_ref="C1", to_practitioner_id="P3", actor="P3", as_of=AS_OF)
        view = ho.replan_handover(s, case_ref="C1", to_practitioner_id="L1", actor="L1", as_of=AS_OF)
        repo.commit_or_conflict(s)
    assert view.to_id == "L1" and view.planned_on == DAY
    assert not view.item("booked").done  # booked with P2, not with the new receiver
    assert json.loads(events(db, "replan")[0].detail)["auto_ticks_rechecked"] == ["booked"]


def test_replanning_applies_the_planning_guards(db):
    plan(db)
    with Session(db) as s:
        with pytest.raises(CaseloadError, match="before today"):
            ho.replan_handover(s, case_ref="C1", planned_on=AS_OF - timedelta(days=3), actor="L1", as_of=AS_OF)
        with pytest.raises(CaseloadError, match="give a new receiver"):
            ho.replan_handover(s, case_ref="C1", actor="L1", as_of=AS_OF)
        with pytest.raises(CaseloadError, match="already to P2 on 2026-12-11"):
            ho.replan_handover(s, case_ref="C1", planned_on=DAY, actor="L1", as_of=AS_OF)
        with pytest.raises(CaseloadError, match="no open handover to re-plan"):
            ho.replan_handover(s, case_ref="C2", planned_on=DAY, actor="L1", as_of=AS_OF)
    with Session(db) as s:
        assert detail(s).planned_on == DAY and events(db, "replan") == []


def test_completing_is_not_after_today(db):
    plan(db)
    with Session(db) as s:
        with pytest.raises(CaseloadError, match="after today"):
            ho.complete_handover(s, case_ref="C1", on=DAY, override_reason="x", actor="L1", as_of=AS_OF)
        assert detail(s).status == "planned"


def test_completing_early_without_a_summary_is_refused_or_cold_with_a_leads_override(db):
    plan(db)
    early = DAY - timedelta(days=2)
    with Session(db) as s:
        for item_id in ("told", "read", "carers_told", "safeguarding_lead_told"):
            tick(s, item_id)
        repo.record_contact(s, case_ref="C1", contact_date=early, practitioner_id="P2",
                            kind="three_way", outcome="attended", actor="P2")
        with pytest.raises(CaseloadError, match="still to do by 09 Dec 2026: Handover summary"):
            ho.complete_handover(s, case_ref="C1", on=early, actor="L1", as_of=early)
        with pytest.raises(CaseloadError, match="P1 is not a team lead"):
            ho.complete_handover(s, case_ref="C1", on=early, override_reason="moved away suddenly", actor="P1",
                                 as_of=early)
        view = ho.complete_handover(s, case_ref="C1", on=early, override_reason="moved away suddenly",
                                    actor="L1", as_of=early)
        repo.commit_or_conflict(s)
    assert view.status == "completed_cold" and view.cold


def test_the_summary_stays_editable_until_the_review_is_done(db):
    plan(db)
    with Session(db) as s:
        complete_warm_on_the_day(s)
    later = DAY + timedelta(days=10)
    with Session(db) as s:
        view = detail(s, on=later)
        assert view.summary_editable
        view = ho.save_summary(s, case_ref="C1", text="summary words, and more", expected_version=view.version,
                               actor="P1", on=later)
        assert view.summary == "summary words, and more"
        tick(s, "review", on=DAY + timedelta(days=28), actor="L1")
        assert not detail(s, on=later).summary_editable
        with pytest.raises(CaseloadError, match="the four-week review is done"):
            ho.save_summary(s, case_ref="C1", text="too late", expected_version=None, actor="P1", on=later)
