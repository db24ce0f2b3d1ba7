"""storage.repo: audited writes, clear errors for unknown keys, and optimistic
locking that refuses a stale edit without overwriting anything. Runs on SQLite
and, when CASELOAD_TEST_PG_URL is set, on PostgreSQL (the `engine` fixture)."""

from __future__ import annotations

import datetime as dt
import json
from datetime import date

import pytest
from sqlmodel import Session, select

from planner.calendar import working_days
from planner.checklist import build_checklist
from planner.errors import CaseloadError, ConflictError
from storage import models as m
from storage import repo
from storage.queries import (
    appointment_version,
    case_versions,
    load_case,
    load_case_notes,
)

D = date.fromisoformat
PERSONAL = ("Person C1", "Avery Test", "Blake Test", "private words", "a private note")


# ------------------------------------------------------------------ test data (make-believe)


@pytest.fixture
def db(engine):
    """Team T1 (P1, P2, lead L1), team T2 (P3); case C1 held by P1 since
    2026-07-01 (P2 before), safeguarding; case C2 closed."""
    with Session(engine) as s:
        t1 = m.Team(team_id="T1", name="North Team")
        t2 = m.Team(team_id="T2", name="Glen Team", nation="scotland")
        s.add_all([t1, t2])
        s.flush()
        people = {
            pid: m.Practitioner(practitioner_id=pid, name=name, team_pk=team.id, role=role)
            for pid, name, team, role in [
                ("P1", "Avery Test", t1, "practitioner"),
                ("P2", "Blake Test", t1, "practitioner"),
                ("P3", "Casey Test", t2, "practitioner"),
                ("L1", "Drew Lead", t1, "team_lead"),
            ]
        }
        s.add_all(people.values())
        s.flush()
        c1 = m.Case(case_ref="C1", display_name="Person C1", team_pk=t1.id, tier="B2",
                    flags="safeguarding")
        c2 = m.Case(case_ref="C2", display_name="Person C2", team_pk=t1.id, status="closed")
        s.add_all([c1, c2])
        s.flush()
        s.add_all([
            m.Allocation(case_id=c1.id, practitioner_pk=people["P2"].id, start_date=D("2026-01-05"),
                         end_date=D("2026-06-30")),
            m.Allocation(case_id=c1.id, practitioner_pk=people["P1"].id, start_date=D("2026-07-01")),
            m.Allocation(case_id=c2.id, practitioner_pk=people["P1"].id, start_date=D("2026-02-01")),
        ])
        s.commit()
    return engine


def audit_events(engine, action=None):
    with Session(engine) as s:
        stmt = select(m.AuditEvent).order_by(m.AuditEvent.id)
        if action:
            stmt = stmt.where(m.AuditEvent.action == action)
        return s.exec(stmt).all()


def book(s, **kw):
    args = dict(case_ref="C1", appointment_date=D("2026-12-03"), practitioner_id="P1", actor="P1")
    args.update(kw)
    return repo.book_appointment(s, **args)


# ------------------------------------------------------------------ every write is audited


WRITES = {
    "record_contact": lambda s: repo.record_contact(
        s, case_ref="C1", contact_date=D("2026-11-20"), practitioner_id="P1", kind="office",
        outcome="attended", notes="private words", actor="clerk"),
    "book_appointment": lambda s: book(s, time="10:15", rrule="FREQ=WEEKLY;COUNT=3", actor="clerk"),
    "move_appointment": lambda s: repo.move_appointment(
        s, appointment_id=book(s), new_date=D("2026-12-04"), expected_version=1, actor="clerk"),
    "cancel_appointment": lambda s: repo.cancel_appointment(
        s, appointment_id=book(s), expected_version=1, actor="clerk"),
    "add_case_note": lambda s: repo.add_case_note(
        s, case_ref="C1", text="a private note", author_id="P1", written_on=D("2026-11-20"),
        actor="clerk"),
    "update_case": lambda s: repo.update_case(
        s, case_ref="C1", expected_version=1, actor="clerk", display_name="Person C1 renamed",
        tier="A1"),
    "allocate": lambda s: repo.allocate(
        s, case_ref="C1", practitioner_id="P2", start_date=D("2026-12-01"), reason="Avery Test leaving",
        actor="clerk"),
    "plan_handover": lambda s: repo.plan_handover(
        s, case_ref="C1", to_practitioner_id="P2", planned_on=D("2026-12-14"),
        reason="Avery Test leaving", actor="clerk"),
}


@pytest.mark.parametrize("write", sorted(WRITES))
def test_every_write_is_audited_with_the_actor_and_no_personal_data(db, write):
    with Session(db) as s:
        WRITES[write](s)
        assert audit_events(db) == []  # nothing committed yet: the caller commits
        repo.commit_or_conflict(s)
    events = [e for e in audit_events(db) if e.actor == "clerk"]
    assert events, f"{write} left no audit event by its actor"
    for event in events:
        assert event.case_ref == "C1"
        assert event.at is not None
        text = json.dumps([event.action, event.entity, event.entity_key, event.detail])
        for personal in PERSONAL + ("Person C1 renamed",):
            assert personal not in text


def test_a_failed_write_leaves_nothing(db):
    with Session(db) as s:
        with pytest.raises(CaseloadError):
            repo.record_contact(s, case_ref="C1", contact_date=D("2026-11-20"), practitioner_id="P1",
                                kind="smoke_signal", outcome="attended", actor="P1")
        s.rollback()
    assert audit_events(db) == []


# ------------------------------------------------------------------ unknown keys and bad values


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda s: repo.record_contact(s, case_ref="NOPE", contact_date=D("2026-11-20"),
                                       practitioner_id="P1", kind="office", outcome="attended",
                                       actor="P1"), "unknown case NOPE"),
        (lambda s: repo.record_contact(s, case_ref="C1", contact_date=D("2026-11-20"),
                                       practitioner_id="P404", kind="office", outcome="attended",
                                       actor="P1"), "unknown practitioner P404"),
        (lambda s: repo.record_contact(s, case_ref="C1", contact_date=D("2026-11-20"),
                                       practitioner_id="P1", kind="office", outcome="vanished",
                                       actor="P1"), "unknown outcome 'vanished'"),
        (lambda s: book(s, case_ref="NOPE"), "unknown case NOPE"),
        (lambda s: book(s, practitioner_id="P404"), "unknown practitioner P404"),
        (lambda s: book(s, rrule="FREQ=SOMETIMES"), "rrule: FREQ=SOMETIMES is not one of DAILY, WEEKLY, MONTHLY, YEARLY"),
        (lambda s: book(s, rrule="FREQ=HOURLY;COUNT=3"), "rrule: appointments repeat daily at most"),
        (lambda s: book(s, rrule="DTSTART:20260101T000000\nRRULE:FREQ=WEEKLY"), "rrule: give one RRULE only"),
        (lambda s: book(s, time="25:99"), "time: '25:99' is not a time"),
        (lambda s: book(s, case_ref="C2"), "case C2 is closed"),
        (lambda s: repo.move_appointment(s, appointment_id=999999, new_date=D("2026-12-04"),
                                         expected_version=1, actor="P1"), "unknown appointment 999999"),
        (lambda s: repo.cancel_appointment(s, appointment_id=999999, actor="P1"),
         "unknown appointment 999999"),
        (lambda s: repo.add_case_note(s, case_ref="NOPE", text="x", author_id="P1",
                                      written_on=D("2026-11-20"), actor="P1"), "unknown case NOPE"),
        (lambda s: repo.add_case_note(s, case_ref="C1", text="x", author_id="P404",
                                      written_on=D("2026-11-20"), actor="P1"), "unknown practitioner P404"),
        (lambda s: repo.update_case(s, case_ref="NOPE", expected_version=1, actor="P1", tier="A1"),
         "unknown case NOPE"),
        (lambda s: repo.update_case(s, case_ref="C1", expected_version=1, actor="P1", version=7),
         "cannot edit case field version"),
        (lambda s: repo.update_case(s, case_ref="C1", expected_version=1, actor="P1", tier="Z9"),
         "unknown tier 'Z9'"),
        (lambda s: repo.update_case(s, case_ref="C1", expected_version=1, actor="P1", flags="vip"),
         "unknown flag 'vip'"),
        (lambda s: repo.update_case(s, case_ref="C1", expected_version=1, actor="P1", team_id="T404"),
         "unknown team T404"),
        (lambda s: repo.update_case(s, case_ref="C1", expected_version=1, actor="P1", status="paused"),
         "a paused case needs paused_until"),
        (lambda s: repo.update_case(s, case_ref="C1", expected_version=1, actor="P1", sentence="licence",
                                    sentence_end=D("2027-01-10"), release_on=D("2027-02-01")),
         "release_on 2027-02-01 is after the sentence ends"),
        (lambda s: repo.update_case(s, case_ref="C1", expected_version=1, actor="P1", release_on=D("2027-02-01")),
         "release_on only for sentence custody"),
        (lambda s: repo.allocate(s, case_ref="NOPE", practitioner_id="P2", start_date=D("2026-12-01"),
                                 actor="P1"), "unknown case NOPE"),
        (lambda s: repo.allocate(s, case_ref="C1", practitioner_id="P404", start_date=D("2026-12-01"),
                                 actor="P1"), "unknown practitioner P404"),
        (lambda s: repo.allocate(s, case_ref="C1", practitioner_id="P1", start_date=D("2026-12-01"),
                                 actor="P1"), "already allocated to P1"),
        (lambda s: repo.allocate(s, case_ref="C1", practitioner_id="P2", start_date=D("2026-06-01"),
                                 actor="P1"), "the current allocation began on 2026-07-01"),
        (lambda s: repo.plan_handover(s, case_ref="NOPE", to_practitioner_id="P2",
                                      planned_on=D("2026-12-14"), actor="P1"), "unknown case NOPE"),
        (lambda s: repo.plan_handover(s, case_ref="C1", to_practitioner_id="P404",
                                      planned_on=D("2026-12-14"), actor="P1"), "unknown practitioner P404"),
        (lambda s: repo.plan_handover(s, case_ref="C1", to_practitioner_id="P1",
                                      planned_on=D("2026-12-14"), actor="P1"), "already with P1"),
    ],
)
def test_unknown_keys_and_bad_values_are_caseload_errors(db, call, message):
    with Session(db) as s:
        with pytest.raises(CaseloadError, match=message) as caught:
            call(s)
        assert not isinstance(caught.value, ConflictError)


# ------------------------------------------------------------------ what each write stores


def test_record_contact_stores_it_and_refuses_a_duplicate(db):
    with Session(db) as s:
        cid = repo.record_contact(s, case_ref="C1", contact_date=D("2026-11-20"), practitioner_id="P1",
                                  kind="home_visit", outcome="missed", notes="private words", actor="P1")
        repo.commit_or_conflict(s)
        contact = load_case(s, "C1").contacts[-1]
        assert (contact.id, contact.contact_date, contact.practitioner_id, contact.kind, contact.outcome) == (
            cid, D("2026-11-20"), "P1", "home_visit", "missed")
        assert s.get(m.Contact, cid).notes == "private words"
        with pytest.raises(CaseloadError, match="already has a home_visit contact on 2026-11-20"):
            repo.record_contact(s, case_ref="C1", contact_date=D("2026-11-20"), practitioner_id="P1",
                                kind="home_visit", outcome="attended", actor="P1")
    (event,) = audit_events(db, "record")
    assert (event.actor, event.entity, event.entity_key) == ("P1", "contact", str(cid))
    assert json.loads(event.detail) == {
        "contact_date": "2026-11-20", "practitioner_id": "P1", "kind": "home_visit",
        "outcome": "missed", "has_notes": True}


def test_book_appointment_with_time_and_series(db):
    with Session(db) as s:
        aid = book(s, time="09:30", kind="video", rrule="RRULE:FREQ=WEEKLY;INTERVAL=2;COUNT=4")
        repo.commit_or_conflict(s)
        (appointment,) = load_case(s, "C1").appointments
        assert (appointment.id, appointment.time, appointment.kind, appointment.rrule) == (
            aid, dt.time(9, 30), "video", "FREQ=WEEKLY;INTERVAL=2;COUNT=4")
        with pytest.raises(CaseloadError, match="already has an appointment on 2026-12-03"):
            book(s)


def test_move_and_cancel_appointment(db):
    with Session(db) as s:
        aid = book(s)
        repo.commit_or_conflict(s)
        assert appointment_version(s, aid) == 1
        assert repo.move_appointment(s, appointment_id=aid, new_date=D("2026-12-08"),
                                     expected_version=1, actor="P1") == (aid, 2)
        repo.commit_or_conflict(s)
        assert load_case(s, "C1").appointments[0].appointment_date == D("2026-12-08")
        assert repo.cancel_appointment(s, appointment_id=aid, expected_version=2, actor="P1") == aid
        repo.commit_or_conflict(s)
        assert load_case(s, "C1").appointments == ()
    moved, cancelled = audit_events(db, "move"), audit_events(db, "cancel")
    assert json.loads(moved[0].detail) == {"from_date": "2026-12-03", "to_date": "2026-12-08", "version": 2}
    assert json.loads(cancelled[0].detail)["appointment_date"] == "2026-12-08"


def test_add_case_note(db):
    with Session(db) as s:
        nid = repo.add_case_note(s, case_ref="C1", text="a private note", author_id="P1",
                                 written_on=D("2026-11-20"), actor="P1")
        repo.commit_or_conflict(s)
        (note,) = load_case_notes(s, "C1")
        assert (note.id, note.author_id, note.text) == (nid, "P1", "a private note")
        with pytest.raises(CaseloadError, match="needs some text"):
            repo.add_case_note(s, case_ref="C1", text="  ", author_id="P1",
                               written_on=D("2026-11-20"), actor="P1")


def test_update_case_edits_known_fields_and_bumps_the_version(db):
    with Session(db) as s:
        assert repo.update_case(s, case_ref="C1", expected_version=1, actor="L1", tier="a1",
                                flags=["opd", "safeguarding", "opd"], status="paused",
                                paused_until=D("2027-01-10")) == (s.exec(select(m.Case.id).where(
                                    m.Case.case_ref == "C1")).one(), 2)
        repo.commit_or_conflict(s)
        case = load_case(s, "C1")
        assert (case.tier, case.contact_level, case.flags, case.status, case.paused_until) == (
            "A1", "intensive", frozenset({"opd", "safeguarding"}), "paused", D("2027-01-10"))
        # leaving `paused` ends the pause
        _, version = repo.update_case(s, case_ref="C1", expected_version=2, actor="L1", status="active")
        repo.commit_or_conflict(s)
        assert version == 3 and load_case(s, "C1").paused_until is None
        # no actual change: nothing written, version unchanged
        assert repo.update_case(s, case_ref="C1", expected_version=3, actor="L1", tier="A1")[1] == 3
        repo.commit_or_conflict(s)
    updates = audit_events(db, "update")
    assert [json.loads(e.detail)["fields"] for e in updates] == [
        ["flags", "paused_until", "status", "tier"], ["paused_until", "status"]]


def test_allocate_closes_the_open_allocation_and_opens_a_new_one(db):
    with Session(db) as s:
        # the administrator: T1's lead does not see T2's P3 (storage.access.check_allocate)
        repo.allocate(s, case_ref="C1", practitioner_id="P3", start_date=D("2026-12-01"),
                      reason="moved area", actor="administrator")
        repo.commit_or_conflict(s)
        case = load_case(s, "C1")
        assert [(a.practitioner_id, a.start_date, a.end_date) for a in case.allocations] == [
            ("P2", D("2026-01-05"), D("2026-06-30")),
            ("P1", D("2026-07-01"), D("2026-11-30")),
            ("P3", D("2026-12-01"), None),
        ]
        assert case.practitioner_id == "P3"
        assert case.team_id == "T2"  # the case follows its practitioner's team
    (event,) = audit_events(db, "allocate")
    assert json.loads(event.detail) == {"from_practitioner_id": "P1", "to_practitioner_id": "P3",
                                        "start_date": "2026-12-01"}


def test_allocate_on_the_day_the_allocation_began(db):
    with Session(db) as s:
        repo.allocate(s, case_ref="C1", practitioner_id="P2", start_date=D("2026-07-01"), actor="L1")
        repo.commit_or_conflict(s)
        allocations = load_case(s, "C1").allocations
        assert [(a.practitioner_id, a.end_date) for a in allocations[1:]] == [
            ("P1", D("2026-07-01")), ("P2", None)]


def test_plan_handover_builds_the_checklist_and_refuses_a_second(db):
    with Session(db) as s:
        hid = repo.plan_handover(s, case_ref="C1", to_practitioner_id="P2", planned_on=D("2026-12-14"),
                                 reason="leaving", actor="L1")
        repo.commit_or_conflict(s)
        case = load_case(s, "C1")
        handover = case.open_handover
        assert handover is not None and handover.id == hid
        assert (handover.from_practitioner_id, handover.to_practitioner_id, handover.status) == (
            "P1", "P2", "planned")
        expected = build_checklist(case, D("2026-12-14"), working_days("england-and-wales"), None)
        assert handover.items == expected  # same items, same order (by due date)
        assert "safeguarding_lead_told" in {i.item_id for i in handover.items}
        with pytest.raises(CaseloadError, match="already has an open handover to P2 on 2026-12-14"):
            repo.plan_handover(s, case_ref="C1", to_practitioner_id="P3", planned_on=D("2026-12-21"),
                               actor="L1")
    (event,) = audit_events(db, "plan")
    detail = json.loads(event.detail)
    assert (detail["from_practitioner_id"], detail["to_practitioner_id"], detail["planned_on"]) == (
        "P1", "P2", "2026-12-14")


# ------------------------------------------------------------------ optimistic locking


def test_two_people_edit_the_same_case_the_second_is_refused(db):
    with Session(db) as first, Session(db) as second:
        v_first = case_versions(first, "C1")
        v_second = case_versions(second, "C1")
        load_case(second, "C1")  # the second person has the case open too
        assert v_first == v_second == 1

        repo.update_case(first, case_ref="C1", expected_version=v_first, actor="P1", tier="A1")
        repo.commit_or_conflict(first)

        with pytest.raises(ConflictError) as caught:
            repo.update_case(second, case_ref="C1", expected_version=v_second, actor="P2", tier="D0")
            repo.commit_or_conflict(second)
        assert str(caught.value) == (
            "case C1 was changed by someone else since you opened it; "
            "reload to see their change — nothing was saved")
        assert caught.value.exit_code == 3

    with Session(db) as s:
        assert load_case(s, "C1").tier == "A1"  # the first edit stands
        assert case_versions(s, "C1") == 2
    assert [e.actor for e in audit_events(db, "update")] == ["P1"]


def test_a_stale_row_found_at_commit_is_a_conflict(db):
    """The ORM's own check: the second session holds the row at version 1 and
    edits it; the UPDATE matches no row, StaleDataError becomes ConflictError."""
    with Session(db) as first, Session(db) as second:
        held = second.exec(select(m.Case).where(m.Case.case_ref == "C1")).one()
        repo.update_case(first, case_ref="C1", expected_version=1, actor="P1", display_name="First")
        repo.commit_or_conflict(first)

        held.display_name = "Second"
        with pytest.raises(ConflictError, match="was changed by someone else"):
            repo.commit_or_conflict(second)
    with Session(db) as s:
        assert s.exec(select(m.Case.display_name).where(m.Case.case_ref == "C1")).one() == "First"


def test_moving_an_appointment_with_a_stale_version_is_refused(db):
    with Session(db) as s:
        aid = book(s)
        repo.commit_or_conflict(s)

    with Session(db) as first, Session(db) as second:
        v_first = appointment_version(first, aid)
        v_second = appointment_version(second, aid)
        repo.move_appointment(first, appointment_id=aid, new_date=D("2026-12-04"),
                              expected_version=v_first, actor="P1")
        repo.commit_or_conflict(first)

        with pytest.raises(ConflictError, match=rf"appointment {aid} of case C1 was changed by someone else"):
            repo.move_appointment(second, appointment_id=aid, new_date=D("2026-12-10"),
                                  expected_version=v_second, actor="P2")
            repo.commit_or_conflict(second)

    with Session(db) as s:
        assert load_case(s, "C1").appointments[0].appointment_date == D("2026-12-04")
        assert appointment_version(s, aid) == 2
    assert [e.actor for e in audit_events(db, "move")] == ["P1"]


def test_a_conflict_rolls_back_the_whole_transaction(db):
    """One command is one transaction: a refused edit takes its earlier writes with it."""
    with Session(db) as s:
        repo.record_contact(s, case_ref="C1", contact_date=D("2026-11-20"), practitioner_id="P1",
                            kind="office", outcome="attended", actor="P1")
        with pytest.raises(ConflictError):
            repo.update_case(s, case_ref="C1", expected_version=99, actor="P1", tier="A1")
        repo.commit_or_conflict(s)  # nothing left to commit
    with Session(db) as s:
        assert load_case(s, "C1").contacts == ()
    assert audit_events(db) == []
