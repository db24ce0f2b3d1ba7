"""Appointments' exceptions in storage (storage/repo/appointments.py):
cancel one occurrence of a series (an EXDATE), move one (a row of its own
replacing it), move the whole series, cancel with who cancelled (a
cancelled contact that `practitioner_cancelled` counts), bank holidays and
absence days refused unless a lead overrides, a clash at the same time
found, and an appointment's outcome recorded as its contact. SQLite and,
with CASELOAD_TEST_PG_URL, PostgreSQL (the `engine` fixture)."""

from __future__ import annotations

import datetime as dt
import json
import re
from datetime import date

import pytest
from sqlmodel import Session, select

from planner.appointments import appointment_dates
from planner.errors import CaseloadError
from planner.risk import evaluate_case
from storage import models as m
from storage import repo
from storage.queries import load_case, load_world

D = date.fromisoformat
WEEKLY = "FREQ=WEEKLY;COUNT=6"  # Tuesdays from 2026-12-01: 1, 8, 15, 22, 29 Dec, 5 Jan


@pytest.fixture
def db(engine):
    """Team T1 (P1, P2, lead L1); case C1 held by P1; P2 away 14-18 Dec 2026."""
    with Session(engine) as s:
        t1 = m.Team(team_id="T1", name="North Team")
        s.add(t1)
        s.flush()
        people = {pid: m.Practitioner(practitioner_id=pid, name=f"Name {pid}", team_pk=t1.id, role=role)
                  for pid, role in (("P1", "practitioner"), ("P2", "practitioner"), ("L1", "team_lead"))}
        s.add_all(people.values())
        s.flush()
        c1 = m.Case(case_ref="C1", display_name="Person C1", team_pk=t1.id, tier="B2")
        c2 = m.Case(case_ref="C2", display_name="Person C2", team_pk=t1.id, tier="B2")
        s.add_all([c1, c2])
        s.flush()
        s.add_all([m.Allocation(case_id=c.id, practitioner_pk=people["P1"].id, start_date=D("2026-01-05"))
                   for c in (c1, c2)])
        s.add(m.Absence(practitioner_pk=people["P2"].id, start_date=D("2026-12-14"), end_date=D("2026-12-18")))
        s.commit()
    return engine


def series(s, **kw):
    args = dict(case_ref="C1", appointment_date=D("2026-12-01"), practitioner_id="P1", time="10:00",
                rrule=WEEKLY, actor="P1")
    args.update(kw)
    aid = repo.book_appointment(s, **args)
    repo.commit_or_conflict(s)
    return aid


def dates(s, case_ref="C1"):
    return sorted(day for a in load_case(s, case_ref).appointments
                  for day in appointment_dates(a, D("2026-11-01"), D("2027-02-01")))


def test_cancel_one_occurrence_leaves_the_rest_and_records_who_cancelled(db):
    with Session(db) as s:
        aid = series(s)
        repo.cancel_appointment(s, appointment_id=aid, occurrence=D("2026-12-15"), cancelled_by="practitioner",
                                actor="P1")
        repo.commit_or_conflict(s)
        assert dates(s) == [D("2026-12-01"), D("2026-12-08"), D("2026-12-22"), D("2026-12-29"), D("2027-01-05")]
        (appointment,) = load_case(s, "C1").appointments
        assert appointment.exdates == (D("2026-12-15"),)
        (contact,) = load_case(s, "C1").contacts
        assert (contact.contact_date, contact.outcome, contact.cancelled_by) == (
            D("2026-12-15"), "cancelled", "practitioner")
        with pytest.raises(CaseloadError, match="no occurrence on 2026-12-15"):
            repo.cancel_appointment(s, appointment_id=aid, occurrence=D("2026-12-15"), cancelled_by="person",
                                    actor="P1")
        with pytest.raises(CaseloadError, match="give the occurrence's date"):
            repo.cancel_appointment(s, appointment_id=aid, cancelled_by="person", actor="P1")


def test_two_practitioner_cancellations_feed_the_rule(db):
    with Session(db) as s:
        aid = series(s)
        for day in ("2026-12-01", "2026-12-08"):
            repo.cancel_appointment(s, appointment_id=aid, occurrence=D(day), cancelled_by="practitioner",
                                    actor="P1")
        repo.commit_or_conflict(s)
        warnings = evaluate_case(load_case(s, "C1"), load_world(s), D("2026-12-09"))
        fired = [w for w in warnings if w.rule == "practitioner_cancelled"]
        assert fired and fired[0].severity == "medium"


def test_move_one_occurrence_keeps_the_series_and_moves_back_never_twice(db):
    with Session(db) as s:
        aid = series(s)
        moved_id, _version = repo.move_appointment(s, appointment_id=aid, occurrence=D("2026-12-08"),
                                                   new_date=D("2026-12-10"), new_time="14:30",
                                                   expected_version=1, actor="P1")
        repo.commit_or_conflict(s)
        assert moved_id != aid
        assert dates(s) == [D("2026-12-01"), D("2026-12-10"), D("2026-12-15"), D("2026-12-22"), D("2026-12-29"),
                            D("2027-01-05")]
        by_id = {a.id: a for a in load_case(s, "C1").appointments}
        assert by_id[aid].moved == (D("2026-12-08"),)
        assert (by_id[moved_id].series_id, by_id[moved_id].recurrence_date, by_id[moved_id].time) == (
            aid, D("2026-12-08"), dt.time(14, 30))
        # the moved occurrence is changed through its own row, not again through the series
        with pytest.raises(CaseloadError, match="was moved"):
            repo.move_appointment(s, appointment_id=aid, occurrence=D("2026-12-08"), new_date=D("2026-12-11"),
                                  expected_version=None, actor="P1")
        repo.move_appointment(s, appointment_id=moved_id, new_date=D("2026-12-11"), expected_version=None,
                              actor="P1")
        repo.commit_or_conflict(s)
        assert D("2026-12-11") in dates(s) and D("2026-12-10") not in dates(s)


def test_move_the_series_moves_every_date_and_its_exceptions(db):
    with Session(db) as s:
        aid = series(s)
        repo.cancel_appointment(s, appointment_id=aid, occurrence=D("2026-12-22"), cancelled_by="person",
                                actor="P1")
        repo.commit_or_conflict(s)
        repo.move_appointment(s, appointment_id=aid, series=True, occurrence=D("2026-12-08"),
                              new_date=D("2026-12-09"), new_time="09:00", expected_version=None, actor="P1")
        repo.commit_or_conflict(s)
        assert dates(s) == [D("2026-12-02"), D("2026-12-09"), D("2026-12-16"), D("2026-12-30"), D("2027-01-06")]
        (appointment,) = load_case(s, "C1").appointments
        assert appointment.time == dt.time(9) and appointment.exdates == (D("2026-12-23"),)


def test_cancel_the_whole_series_and_a_one_off(db):
    with Session(db) as s:
        aid = series(s)
        one = repo.book_appointment(s, case_ref="C2", appointment_date=D("2026-12-03"), practitioner_id="P1",
                                    actor="P1")
        repo.commit_or_conflict(s)
        repo.cancel_appointment(s, appointment_id=aid, series=True, cancelled_by="person", actor="P1",
                                as_of=D("2026-12-09"))
        repo.cancel_appointment(s, appointment_id=one, cancelled_by="practitioner", actor="P1")
        repo.commit_or_conflict(s)
        assert dates(s) == [] and dates(s, "C2") == []
        assert [c.contact_date for c in load_case(s, "C1").contacts] == [D("2026-12-15")]
        # booking that day again takes the cancelled row back (the same calendar event)
        assert repo.book_appointment(s, case_ref="C2", appointment_date=D("2026-12-03"), practitioner_id="P1",
                                     actor="P1") == one
        repo.commit_or_conflict(s)
        assert dates(s, "C2") == [D("2026-12-03")]
    events = [json.loads(e.detail) for e in _audit(db, "cancel")]
    assert {"cancelled_by": "person", "whole_series": True}.items() <= events[0].items()


def _audit(engine, action):
    with Session(engine) as s:
        return s.exec(select(m.AuditEvent).where(m.AuditEvent.action == action).order_by(m.AuditEvent.id)).all()


@pytest.mark.parametrize(("day", "who", "reason"), [
    ("2026-12-25", "P1", r"Fri 25 Dec 2026 is a bank holiday \(Christmas Day\)"),
    ("2026-12-28", "P1", r"bank holiday \(Boxing Day"),
    ("2026-12-16", "P2", r"P2 is away on Wed 16 Dec 2026 \(leave"),
])
def test_booking_refuses_a_bank_holiday_or_absence_day_unless_a_lead_overrides(db, day, who, reason):
    with Session(db) as s:
        with pytest.raises(CaseloadError, match=reason):
            repo.book_appointment(s, case_ref="C1", appointment_date=D(day), practitioner_id=who, actor="P1")
        with pytest.raises(CaseloadError, match="not a team lead"):
            repo.book_appointment(s, case_ref="C1", appointment_date=D(day), practitioner_id=who, actor="P1",
                                  override_reason="court order")
        aid = repo.book_appointment(s, case_ref="C1", appointment_date=D(day), practitioner_id=who, actor="L1",
                                    override_reason="court order")
        repo.commit_or_conflict(s)
        assert aid
    (event,) = [json.loads(e.detail) for e in _audit(db, "book")]
    assert event["override_reason"] == "court order" and re.search(reason, event["overridden"])


@pytest.mark.parametrize(("start", "rule", "who", "left_out", "reason"), [
    # Fridays from 18 Dec: the second is Christmas Day, the third New Year's Day
    ("2026-12-18", "FREQ=WEEKLY;COUNT=4", "P1", "2026-12-25,2027-01-01",
     r"^Fri 25 Dec 2026 is a bank holiday \(Christmas Day\)"),
    # Tuesdays from 1 Dec: P2 is away 14-18 Dec
    ("2026-12-01", "FREQ=WEEKLY;COUNT=6", "P2", "2026-12-15",
     r"^P2 is away on Tue 15 Dec 2026 \(leave, Mon 14 Dec to Fri 18 Dec\)"),
    # fortnightly Mondays from 14 Dec 2026 (P1): the second is the Boxing Day holiday of 28 Dec
    ("2026-12-14", "FREQ=WEEKLY;INTERVAL=2;COUNT=3", "P1", "2026-12-28", r"^Mon 28 Dec 2026 is a bank holiday \(Boxing Day"),
])
def test_a_series_leaves_out_its_later_bank_holidays_and_absences_unless_a_lead_books_them(db, start, rule, who,
                                                                                          left_out, reason):
    """A weekly series booked in December would cross Christmas: its later
    dates on a bank holiday or an absence are left out as exceptions (EXDATE,
    named in the audit event), so a practitioner can book it; a team lead's
    override reason books them too."""
    with Session(db) as s:
        aid = repo.book_appointment(s, case_ref="C1", appointment_date=D(start), practitioner_id=who, actor="P1",
                                    rrule=rule)
        repo.commit_or_conflict(s)
        row = s.get(m.Appointment, aid)
        assert (row.rrule, row.exdates) == (rule, left_out)
        with pytest.raises(CaseloadError, match="not a team lead"):
            repo.book_appointment(s, case_ref="C2", appointment_date=D(start), practitioner_id=who, actor="P1",
                                  rrule=rule, override_reason="agreed with the court")
        s.rollback()
        whole = repo.book_appointment(s, case_ref="C2", appointment_date=D(start), practitioner_id=who, actor="L1",
                                      rrule=rule, override_reason="agreed with the court")
        repo.commit_or_conflict(s)
        assert (s.get(m.Appointment, whole).rrule, s.get(m.Appointment, whole).exdates) == (rule, None)
    skipped, overridden = [json.loads(e.detail) for e in _audit(db, "book")]
    assert re.search(reason, skipped["skipped"][0]) and "override_reason" not in skipped
    assert len(skipped["skipped"]) == len(left_out.split(","))
    assert overridden["override_reason"] == "agreed with the court" and "skipped" not in overridden
    assert re.search(reason.lstrip("^"), overridden["overridden"])


def test_a_series_clear_of_bank_holidays_and_absences_books_without_an_override(db):
    with Session(db) as s:  # Tuesdays 1 Dec - 5 Jan for P1: no holiday, no absence
        assert series(s)
        # P2's Tuesdays from 22 Dec, after the absence of 14-18 Dec
        assert repo.book_appointment(s, case_ref="C2", appointment_date=D("2026-12-22"), practitioner_id="P2",
                                     rrule="FREQ=WEEKLY;COUNT=3", actor="P1")


def test_moving_onto_a_bank_holiday_is_refused_too(db):
    with Session(db) as s:
        aid = series(s)
        one = repo.book_appointment(s, case_ref="C2", appointment_date=D("2026-12-23"), practitioner_id="P1",
                                    actor="P1")
        repo.commit_or_conflict(s)
        with pytest.raises(CaseloadError, match="Christmas Day"):
            repo.move_appointment(s, appointment_id=one, new_date=D("2026-12-25"), expected_version=None, actor="P1")
        with pytest.raises(CaseloadError, match="Boxing Day"):
            repo.move_appointment(s, appointment_id=aid, occurrence=D("2026-12-29"), new_date=D("2026-12-28"),
                                  expected_version=None, actor="P1")


def test_same_time_finds_a_clash_through_the_series(db):
    with Session(db) as s:
        series(s)
        assert repo.same_time(s, "P1", D("2026-12-15"), "10:00") == ["C1"]
        assert repo.same_time(s, "P1", D("2026-12-15"), "11:00") == []
        assert repo.same_time(s, "P1", D("2026-12-16"), "10:00") == []
        assert repo.same_time(s, "P1", D("2026-12-15"), None) == []


def test_outcome_records_the_contact_of_the_occurrence(db):
    with Session(db) as s:
        aid = series(s)
        cid = repo.record_outcome(s, appointment_id=aid, occurrence=D("2026-12-08"), outcome="attended",
                                  notes="talked about work", actor="P1", as_of=D("2026-12-09"))
        repo.commit_or_conflict(s)
        (contact,) = s.exec(select(m.Contact)).all()
        assert (contact.id, contact.contact_date, contact.kind, contact.outcome, contact.notes) == (
            cid, D("2026-12-08"), "office", "attended", "talked about work")
        with pytest.raises(CaseloadError, match="has not happened yet"):
            repo.record_outcome(s, appointment_id=aid, occurrence=D("2026-12-15"), outcome="missed", actor="P1",
                                as_of=D("2026-12-09"))
        with pytest.raises(CaseloadError, match="says who cancelled"):
            repo.record_outcome(s, appointment_id=aid, occurrence=D("2026-12-01"), outcome="cancelled", actor="P1",
                                as_of=D("2026-12-09"))
