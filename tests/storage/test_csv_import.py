"""CSV import (docs/csv.md): kinds told by headers, dependency order, one
transaction, every problem reported as `FILE:ROW: column: reason`, upsert by
natural key with nothing written when nothing changed. Every test runs on
SQLite and, when CASELOAD_TEST_PG_URL is set, on PostgreSQL."""

from __future__ import annotations

import json
from datetime import date

import pytest
from sqlalchemy import select
from sqlmodel import Session

from storage import models as m
from storage.csvio import ImportFailed, escape_cell, import_csv, unescape_cell

try:
    from .csv_helpers import DATA, EXAMPLES, dump, second_engine, write
except ImportError:  # tests/storage is not a package
    from csv_helpers import DATA, EXAMPLES, dump, second_engine, write

EXPECTED = [
    "practitioners.csv (practitioners): 5 new, 0 changed, 0 unchanged; 2 teams new",
    "cases.csv (cases): 6 new, 0 changed, 0 unchanged; 6 allocations opened",
    "allocations.csv (allocations): 1 new, 1 changed, 1 unchanged",
    "contacts.csv (contacts): 11 new, 0 changed, 0 unchanged",
    "appointments.csv (appointments): 3 new, 0 changed, 0 unchanged",
    "absences.csv (absences): 3 new, 0 changed, 0 unchanged",
    "handovers.csv (handovers): 1 new, 0 changed, 0 unchanged",
    "checkins.csv (checkins): 3 new, 0 changed, 0 unchanged",
    "not_with.csv (not_with): 1 new, 0 changed, 0 unchanged",
]


def examples(tmp_path, order=sorted):
    """Copies of the example files under plain names, so report lines are short."""
    paths = [write(tmp_path, p.name, p.read_bytes()) for p in EXAMPLES]
    return order(paths)


def describe(report, tmp_path) -> list[str]:
    return [line.replace(f"{tmp_path}/", "") for line in report.describe()]


def failure(engine, paths) -> list[str]:
    with pytest.raises(ImportFailed) as info:
        import_csv(engine, paths, actor="tester")
    return info.value.errors


# --------------------------------------------------------------------------- the happy path


def test_examples_import_in_dependency_order_whatever_the_argument_order(engine, tmp_path):
    report = import_csv(engine, examples(tmp_path, order=lambda ps: list(reversed(ps))), actor="tester")
    assert describe(report, tmp_path) == EXPECTED
    with Session(engine) as s:
        assert s.execute(select(m.Case.case_ref).order_by(m.Case.case_ref)).scalars().all() == [
            "C1001", "C1002", "C1003", "C1004", "C1005", "C1006"]
        team = s.execute(select(m.Team).where(m.Team.team_id == "T2")).scalar_one()
        assert (team.name, team.nation) == ("Glen Valley Justice", "scotland")
        flags = s.execute(select(m.Case.flags).where(m.Case.case_ref == "C1003")).scalar_one()
        assert flags == "approved_premises;victim_contact"


def test_argument_order_gives_the_same_database(engine, tmp_path, db_url):
    import_csv(engine, examples(tmp_path), actor="tester")
    with second_engine(db_url, tmp_path) as other:
        import_csv(other, examples(tmp_path, order=lambda ps: list(reversed(ps))), actor="tester")
        assert _content(engine) == _content(other)


def _content(engine) -> dict[str, list[tuple]]:
    """The tables' rows without surrogate ids and timestamps."""
    with Session(engine) as s:
        refs = dict(s.execute(select(m.Case.id, m.Case.case_ref)).all())
        pids = dict(s.execute(select(m.Practitioner.id, m.Practitioner.practitioner_id)).all())
        return {
            "allocations": sorted((refs[a.case_id], pids[a.practitioner_pk], a.start_date, a.end_date, a.reason)
                                  for a in s.execute(select(m.Allocation)).scalars()),
            "contacts": sorted((refs[c.case_id], c.contact_date, pids[c.practitioner_pk], c.kind, c.outcome,
                                c.notes or "", c.cancelled_by or "", pids.get(c.with_practitioner_pk, ""))
                               for c in s.execute(select(m.Contact)).scalars()),
            "items": sorted((refs[h.case_id], i.item_id, i.due, i.required)
                            for h, i in s.execute(select(m.Handover, m.HandoverItem)
                                                  .join(m.HandoverItem, m.HandoverItem.handover_id == m.Handover.id))),
        }


def test_reimport_changes_nothing_and_audits_nothing(engine, tmp_path):
    paths = examples(tmp_path)
    import_csv(engine, paths, actor="tester")
    before = dump(engine)
    report = import_csv(engine, paths, actor="tester")
    assert report.inserted == report.updated == 0
    assert [f.unchanged for f in report.files] == [5, 6, 3, 11, 3, 3, 1, 3, 1]
    assert dump(engine) == before  # audit_event included: no new events


def test_dry_run_counts_like_a_real_import_and_writes_nothing(engine, tmp_path):
    paths = examples(tmp_path)
    before = dump(engine)
    report = import_csv(engine, paths, dry_run=True, actor="tester")
    assert report.dry_run
    assert describe(report, tmp_path) == EXPECTED
    assert dump(engine) == before


def test_dry_run_of_changes_on_a_full_database(engine, tmp_path):
    import_csv(engine, examples(tmp_path), actor="tester")
    before = dump(engine)
    path = write(tmp_path, "more.csv",
                 "case_ref,contact_date,practitioner_id,kind,outcome\n"
                 "C1001,2026-11-02,P1,phone,missed\n"      # changed outcome
                 "C1001,2026-11-20,P1,office,attended\n"   # new
                 "C1002,2026-09-21,P1,office,attended\n")  # unchanged (notes column absent: kept)
    report = import_csv(engine, [path], dry_run=True, actor="tester")
    assert describe(report, tmp_path) == ["more.csv (contacts): 1 new, 1 changed, 1 unchanged"]
    assert dump(engine) == before


def test_changes_are_upserted_and_audited_per_row_without_personal_data(engine, tmp_path):
    import_csv(engine, examples(tmp_path), actor="tester")
    path = write(tmp_path, "practitioners.csv",
                 "practitioner_id,name,team_id,role,grade\n"
                 "P1,Alexandra Morgan,T1,practitioner,PO\n"
                 "P2,Sam Okafor,T1,practitioner,PSO\n")
    report = import_csv(engine, [path], actor="lead")
    assert (report.files[0].updated, report.files[0].unchanged) == (1, 1)
    with Session(engine) as s:
        p1 = s.execute(select(m.Practitioner).where(m.Practitioner.practitioner_id == "P1")).scalar_one()
        assert p1.name == "Alexandra Morgan"
        assert p1.version == 2  # optimistic locking sees the change
        assert p1.contracted_hours == 37.0  # columns absent from the file are kept
        events = s.execute(select(m.AuditEvent).where(m.AuditEvent.actor == "lead")
                           .order_by(m.AuditEvent.id)).scalars().all()
    assert [(e.action, e.entity, e.entity_key) for e in events] == [
        ("import", "practitioner", "P1"), ("import", "file", "practitioners.csv")]
    assert json.loads(events[0].detail) == {"fields": ["name"], "op": "update", "source": "csv"}
    assert "Alexandra" not in (events[1].detail or "")


def test_every_inserted_case_and_contact_is_traceable(engine, tmp_path):
    import_csv(engine, examples(tmp_path), actor="tester")
    with Session(engine) as s:
        keys = {(e.entity, e.entity_key) for e in s.execute(select(m.AuditEvent)).scalars()}
        details = " ".join(e.detail or "" for e in s.execute(select(m.AuditEvent)).scalars())
    assert ("case", "C1001") in keys
    assert ("contact", "C1001/2026-11-02/P1/phone") in keys
    assert ("allocation", "C1001/P2/2025-06-02") in keys
    assert ("handover", "C1003/2027-01-18") in keys
    assert sum(1 for entity, _ in keys if entity == "contact") == 11
    for personal in ("Casey", "Alex Morgan", "work placement", "example.org"):
        assert personal not in details


def test_bom_and_uk_dates_are_accepted(engine, tmp_path):
    import_csv(engine, [p for p in examples(tmp_path) if p.stem in ("cases", "practitioners")], actor="tester")
    path = write(tmp_path, "bom.csv", b"\xef\xbb\xbfcase_ref,contact_date,practitioner_id,kind,outcome\r\n"
                                      b"C1001,05/11/2026,P1,office,attended\r\n"
                                      b"C1001,6/11/2026,P1,phone,attended\r\n"
                                      b"C1001,2026-11-07,P1,video,attended\r\n")
    report = import_csv(engine, [path], actor="tester")
    assert report.files[0].kind == "contacts" and report.files[0].inserted == 3
    with Session(engine) as s:
        days = s.execute(select(m.Contact.contact_date).order_by(m.Contact.contact_date)).scalars().all()
    assert days == [date(2026, 11, 5), date(2026, 11, 6), date(2026, 11, 7)]


def test_cases_file_reallocates_to_a_later_practitioner(engine, tmp_path):
    import_csv(engine, examples(tmp_path), actor="tester")
    path = write(tmp_path, "move.csv", "case_ref,display_name,practitioner_id,allocated_on\n"
                                       "C1002,Drew Sample,P4,2026-11-30\n")
    report = import_csv(engine, [path], actor="tester")
    assert describe(report, tmp_path) == [
        "move.csv (cases): 0 new, 1 changed, 0 unchanged; 1 allocation closed, 1 allocation opened"]
    with Session(engine) as s:
        rows = s.execute(
            select(m.Practitioner.practitioner_id, m.Allocation.start_date, m.Allocation.end_date)
            .join(m.Practitioner, m.Practitioner.id == m.Allocation.practitioner_pk)
            .join(m.Case, m.Case.id == m.Allocation.case_id).where(m.Case.case_ref == "C1002")
            .order_by(m.Allocation.start_date)).all()
    assert [tuple(r) for r in rows] == [("P1", date(2026, 9, 14), date(2026, 11, 30)), ("P4", date(2026, 11, 30), None)]
    # the same row again changes nothing; an older export's row does not undo the move
    assert import_csv(engine, [path], actor="tester").files[0].unchanged == 1
    assert import_csv(engine, [tmp_path / "cases.csv"], actor="tester").files[0].unchanged == 6


def test_handover_import_plans_the_checklist_with_flag_items(engine, tmp_path):
    import_csv(engine, examples(tmp_path), actor="tester")
    with Session(engine) as s:
        handover = s.execute(select(m.Handover)).scalar_one()
        items = s.execute(select(m.HandoverItem).where(m.HandoverItem.handover_id == handover.id)).scalars().all()
    assert handover.status == "planned" and handover.planned_on == date(2027, 1, 18)
    ids = {i.item_id for i in items}
    assert {"told", "summary", "read", "three_way", "booked", "first_contact"} <= ids
    assert {"vlo_told", "ap_keyworker_told"} <= ids  # C1003 is flagged victim_contact and approved_premises
    assert not any(i.done for i in items)


def test_a_failed_write_rolls_everything_back(engine, tmp_path, monkeypatch):
    from storage import csvio

    def boom(self, src, rep):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(csvio._Importer, "do_handovers", boom)
    before = dump(engine)
    with pytest.raises(RuntimeError):
        import_csv(engine, examples(tmp_path), actor="tester")
    assert dump(engine) == before


def test_who_cancelled_a_second_practitioner_and_open_ended_absences(engine, tmp_path):
    """docs/csv.md: contacts' cancelled_by and with_practitioner_id, an absence
    with a blank end date; changing them is an update, re-importing is not."""
    import_csv(engine, examples(tmp_path), actor="tester")
    with Session(engine) as s:
        pids = dict(s.execute(select(m.Practitioner.id, m.Practitioner.practitioner_id)).all())
        three_way = s.execute(select(m.Contact).where(m.Contact.kind == "three_way")).scalar_one()
        assert pids[three_way.with_practitioner_pk] == "P1"
        cancelled = s.execute(select(m.Contact).where(m.Contact.outcome == "cancelled")).scalar_one()
        assert cancelled.cancelled_by == "person"
        sick = s.execute(select(m.Absence).where(m.Absence.kind == "sickness")).scalar_one()
        assert (sick.start_date.isoformat(), sick.end_date) == ("2026-11-16", None)
    changed = write(tmp_path, "contacts.csv", (tmp_path / "contacts.csv").read_text().replace(
        "Clash with a college class,person,", "Clash with a college class,practitioner,").replace(
        "incoming officer,,P1", "incoming officer,,P4"))
    ended = write(tmp_path, "absences.csv", (tmp_path / "absences.csv").read_text().replace(
        "P5,2026-11-16,,sickness", "P5,2026-11-16,2026-12-18,sickness"))
    report = import_csv(engine, [changed, ended], actor="tester")
    assert describe(report, tmp_path) == [
        "contacts.csv (contacts): 0 new, 2 changed, 9 unchanged",
        "absences.csv (absences): 0 new, 1 changed, 2 unchanged",
    ]
    with Session(engine) as s:
        assert s.execute(select(m.Contact.cancelled_by).where(m.Contact.outcome == "cancelled")).scalar_one() == \
            "practitioner"
        details = [json.loads(e.detail) for e in s.execute(
            select(m.AuditEvent).where(m.AuditEvent.entity == "contact")).scalars()]
        fields = [d["fields"] for d in details if d["op"] == "update"]
        assert sorted(map(tuple, fields)) == [("cancelled_by",), ("with_practitioner_id",)]
    again = import_csv(engine, [changed, ended], actor="tester")
    assert again.inserted == again.updated == 0


# --------------------------------------------------------------------------- broken input

CONTACT_HEADER = "case_ref,contact_date,practitioner_id,kind,outcome,notes\n"
BROKEN = {
    "bad date": (
        CONTACT_HEADER + "C1001,2026/11/01,P1,office,attended,\n",
        "bad.csv:2: contact_date: '2026/11/01' is not a date (use YYYY-MM-DD or DD/MM/YYYY)",
    ),
    "impossible date": (
        CONTACT_HEADER + "C1001,2026-11-01,P1,office,attended,\nC1001,31/02/2026,P1,office,attended,\n",
        "bad.csv:3: contact_date: '31/02/2026' is not a real date",
    ),
    "unknown practitioner": (
        CONTACT_HEADER + "C1001,2026-11-01,P99,office,attended,\n",
        "bad.csv:2: practitioner_id: unknown practitioner 'P99' (not in the database or this import)",
    ),
    "unknown case": (
        CONTACT_HEADER + "C4242,2026-11-01,P1,office,attended,\n",
        "bad.csv:2: case_ref: unknown case 'C4242' (not in the database or this import)",
    ),
    "unknown column": (
        "case_ref,contact_date,practitioner_id,kind,outcome,mood\nC1001,2026-11-01,P1,office,attended,ok\n",
        "bad.csv:1: mood: unknown column for contacts (allowed: case_ref,contact_date,practitioner_id,kind,outcome,notes,cancelled_by,with_practitioner_id)",
    ),
    "missing required column": (
        "case_ref,contact_date,practitioner_id,kind,notes\nC1001,2026-11-01,P1,office,\n",
        "bad.csv:1: outcome: missing required column for contacts",
    ),
    "no kind": (
        "who,when\nC1001,2026-11-01\n",
        "bad.csv:1: -: header matches no kind of file; required columns are: practitioners: "
        "practitioner_id,name,team_id,role,grade; cases: case_ref,display_name,practitioner_id,allocated_on; "
        "allocations: case_ref,practitioner_id,start_date; contacts: case_ref,contact_date,practitioner_id,kind,"
        "outcome; appointments: case_ref,appointment_date,practitioner_id; absences: practitioner_id,start_date,"
        "end_date; handovers: case_ref,to_practitioner_id,planned_on; checkins: case_ref,checkin_date,"
        "practitioner_id,listened,goals,trust; not_with: case_ref,practitioner_id,reason",
    ),
    "duplicate key": (
        CONTACT_HEADER + "C1001,2026-11-20,P1,office,attended,\nC1002,2026-11-20,P1,office,attended,\n"
        "C1001,20/11/2026,P1,office,missed,\n",
        "bad.csv:4: contact_date: duplicate contact (case_ref, contact_date, practitioner_id, kind): same as row 2",
    ),
    "non-UTF-8 bytes": (
        CONTACT_HEADER.encode() + b"C1001,2026-11-20,P1,office,attended,Caf\xe9 meeting\n",
        f"bad.csv:2: -: not valid UTF-8 (byte 0xe9 at offset {len(CONTACT_HEADER) + 39})",
    ),
    "who cancelled, on an attended contact": (
        "case_ref,contact_date,practitioner_id,kind,outcome,cancelled_by\nC1001,2026-11-20,P1,office,attended,person\n",
        "bad.csv:2: cancelled_by: only a cancelled contact says who cancelled it (outcome is attended)",
    ),
    "who cancelled, not a known word": (
        "case_ref,contact_date,practitioner_id,kind,outcome,cancelled_by\nC1001,2026-11-20,P1,office,cancelled,us\n",
        "bad.csv:2: cancelled_by: 'us' is not one of person, practitioner",
    ),
    "second practitioner unknown": (
        "case_ref,contact_date,practitioner_id,kind,outcome,with_practitioner_id\n"
        "C1001,2026-11-20,P1,three_way,attended,P77\n",
        "bad.csv:2: with_practitioner_id: unknown practitioner 'P77' (not in the database or this import)",
    ),
    "second practitioner is the first": (
        "case_ref,contact_date,practitioner_id,kind,outcome,with_practitioner_id\n"
        "C1001,2026-11-20,P1,three_way,attended,P1\n",
        "bad.csv:2: with_practitioner_id: names the practitioner who held the contact; "
        "it is for a second practitioner present",
    ),
    "absence end before start": (
        "practitioner_id,start_date,end_date\nP1,2026-12-10,2026-12-01\n",
        "bad.csv:2: end_date: 2026-12-01 is before start_date 2026-12-10",
    ),
    "bad enum": (
        CONTACT_HEADER + "C1001,2026-11-20,P1,office,attend,\n",
        "bad.csv:2: outcome: 'attend' is not one of attended, missed, cancelled",
    ),
    "bad tier": (
        "case_ref,display_name,practitioner_id,allocated_on,tier\nC2001,Pat Fictional,P1,2026-11-02,E1\n",
        "bad.csv:2: tier: 'E1' is not one of A3, A2, A1, A0, B3, B2, B1, B0, C3, C2, C1, C0, D3, D2, D1, D0",
    ),
    "bad youth": (
        "case_ref,display_name,practitioner_id,allocated_on,youth\nC2001,Pat Fictional,P1,2026-11-02,maybe\n",
        "bad.csv:2: youth: 'maybe' is not one of true, false, yes, no, 1, 0",
    ),
    "bad flag": (
        "case_ref,display_name,practitioner_id,allocated_on,flags\nC2001,Pat Fictional,P1,2026-11-02,opd;vip\n",
        "bad.csv:2: flags: unknown flag 'vip' (flags: safeguarding, care_experienced, approved_premises, "
        "restorative_justice, opd, victim_contact, do_not_move)",
    ),
    "paused without date": (
        "case_ref,display_name,practitioner_id,allocated_on,status\nC2001,Pat Fictional,P1,2026-11-02,paused\n",
        "bad.csv:2: paused_until: required when status is paused",
    ),
    "end before start": (
        "practitioner_id,start_date,end_date\nP1,2026-12-10,2026-12-01\n",
        "bad.csv:2: end_date: 2026-12-01 is before start_date 2026-12-10",
    ),
    "bad number": (
        "practitioner_id,name,team_id,role,grade,reduction_pct\nP9,Kim Madeup,T1,practitioner,PO,120\n",
        "bad.csv:2: reduction_pct: 120 is out of range (at least 0 and at most 100)",
    ),
    "number with an underscore": (
        "practitioner_id,name,team_id,role,grade,contracted_hours\nP9,Kim Madeup,T1,practitioner,PO,3_7\n",
        "bad.csv:2: contracted_hours: '3_7' is not a number",
    ),
    "number in full-width digits": (
        "practitioner_id,name,team_id,role,grade,reduction_pct\nP9,Kim Madeup,T1,practitioner,PO,\uff11\uff10\n",
        "bad.csv:2: reduction_pct: '\uff11\uff10' is not a number",
    ),
    "date in full-width digits": (
        CONTACT_HEADER + "C1001,\uff12\uff10\uff12\uff16-11-20,P1,office,attended,\n",
        "bad.csv:2: contact_date: '\uff12\uff10\uff12\uff16-11-20' is not a date (use YYYY-MM-DD or DD/MM/YYYY)",
    ),
    "time in Arabic-Indic digits": (
        "case_ref,appointment_date,practitioner_id,time\nC1001,2026-12-08,P1,\u0669:30\n",
        "bad.csv:2: time: '\u0669:30' is not a time (use HH:MM, 24-hour)",
    ),
    "bad role": (
        "practitioner_id,name,team_id,role,grade\nP9,Kim Madeup,T1,boss,PO\n",
        "bad.csv:2: role: 'boss' is not one of practitioner, team_lead",
    ),
    "bad time": (
        "case_ref,appointment_date,practitioner_id,time\nC1001,2026-12-08,P1,9.30\n",
        "bad.csv:2: time: '9.30' is not a time (use HH:MM, 24-hour)",
    ),
    "bad rrule": (
        "case_ref,appointment_date,practitioner_id,rrule\nC1001,2026-12-08,P1,FREQ=FORTNIGHTLY\n",
        "bad.csv:2: rrule: FREQ=FORTNIGHTLY is not one of DAILY, WEEKLY, MONTHLY, YEARLY",
    ),
    "earlier reallocation": (
        "case_ref,display_name,practitioner_id,allocated_on\nC1001,Casey Example,P4,2026-01-05\n",
        "bad.csv:2: allocated_on: case C1001 is with P1 since 2026-03-02; a move to P4 must start after that",
    ),
    "handover to the holder": (
        "case_ref,to_practitioner_id,planned_on\nC1001,P1,2027-02-01\n",
        "bad.csv:2: to_practitioner_id: case C1001 is already with P1",
    ),
    "second open handover": (
        "case_ref,to_practitioner_id,planned_on\nC1003,P4,2027-02-01\n",
        "bad.csv:2: planned_on: case C1003 already has an open handover on 2027-01-18",
    ),
    "empty file": ("", "bad.csv:1: -: no header row (empty file)"),
    "blank required cell": (
        CONTACT_HEADER + "C1001,2026-11-20,,office,attended,\n",
        "bad.csv:2: practitioner_id: required, but blank",
    ),
    "key with a tab": (
        "practitioner_id,name,team_id,role,grade\nP\t9,Kim Madeup,T1,practitioner,PO\n",
        "bad.csv:2: practitioner_id: contains a tab, line break or other unprintable character",
    ),
    "row width": (
        CONTACT_HEADER + "C1001,2026-11-20,P1,office,attended,,extra\n",
        "bad.csv:2: -: 7 cells, the header has 6",
    ),
}


@pytest.mark.parametrize("name", list(BROKEN))
def test_broken_input_is_reported_and_nothing_is_written(engine, tmp_path, name):
    content, expected = BROKEN[name]
    import_csv(engine, examples(tmp_path), actor="tester")
    before = dump(engine)
    bad = write(tmp_path, "bad.csv", content)
    errors = failure(engine, [bad])
    assert [line.replace(f"{tmp_path}/", "") for line in errors] == [expected]
    assert dump(engine) == before


def test_one_bad_file_stops_the_good_ones_too(engine, tmp_path):
    before = dump(engine)
    bad = write(tmp_path, "bad.csv", CONTACT_HEADER + "C1001,2026-11-20,P1,office,attend,\n")
    errors = failure(engine, examples(tmp_path) + [bad])
    assert [e.replace(f"{tmp_path}/", "") for e in errors] == [
        "bad.csv:2: outcome: 'attend' is not one of attended, missed, cancelled"]
    assert dump(engine) == before  # not even the practitioners


def test_every_error_is_collected_in_file_then_row_order(engine, tmp_path):
    cases = write(tmp_path, "a_cases.csv",
                  "case_ref,display_name,practitioner_id,allocated_on\n"
                  "C1,Pat Fictional,P404,2026-01-01\n"
                  "C2,,P1,2026-02-30\n")
    contacts = write(tmp_path, "z_contacts.csv",
                     CONTACT_HEADER +
                     'C1,2026-11-01,P1,office,attended,"a note\nover two lines"\n'
                     "C1,2026-11-02,P1,chat,attended,\n"
                     "C3,2026-11-02,P1,office,attended,\n")
    practitioners = write(tmp_path, "practitioners.csv",
                          "practitioner_id,name,team_id,role,grade\nP1,Kim Madeup,T1,practitioner,PO\n")
    errors = failure(engine, [contacts, cases, practitioners])
    assert [e.replace(f"{tmp_path}/", "") for e in errors] == [
        "a_cases.csv:2: practitioner_id: unknown practitioner 'P404' (not in the database or this import)",
        "a_cases.csv:3: display_name: required, but blank",
        "a_cases.csv:3: allocated_on: '2026-02-30' is not a real date",
        # C1 and C2 exist "in this import" even though their rows failed: no cascade
        "z_contacts.csv:4: kind: 'chat' is not one of office, home_visit, phone, video, three_way, other",
        "z_contacts.csv:5: case_ref: unknown case 'C3' (not in the database or this import)",
    ]
    assert dump(engine)["practitioner"] == []


def test_duplicates_across_two_files_name_both(engine, tmp_path):
    import_csv(engine, examples(tmp_path), actor="tester")
    one = write(tmp_path, "one.csv", "practitioner_id,start_date,end_date\nP1,2027-02-01,2027-02-05\n")
    two = write(tmp_path, "two.csv", "practitioner_id,start_date,end_date\nP1,01/02/2027,2027-02-06\n")
    errors = failure(engine, [one, two])
    assert [e.replace(f"{tmp_path}/", "") for e in errors] == [
        "two.csv:2: start_date: duplicate absence (practitioner_id, start_date): same as one.csv:2"]


def test_the_importer_strips_exactly_the_added_quote(engine, tmp_path):
    import_csv(engine, examples(tmp_path), actor="tester")
    path = write(tmp_path, "q.csv", "case_ref,display_name,practitioner_id,allocated_on\n"
                                    "C3001,'=1+2,P1,2026-11-02\n"
                                    "C3002,'tis Fictional,P1,2026-11-02\n"
                                    "C3003,''@handle,P1,2026-11-02\n")
    import_csv(engine, [path], actor="tester")
    with Session(engine) as s:
        names = dict(s.execute(select(m.Case.case_ref, m.Case.display_name)
                               .where(m.Case.case_ref.in_(["C3001", "C3002", "C3003"]))).all())
    assert names == {"C3001": "=1+2", "C3002": "'tis Fictional", "C3003": "'@handle"}


@pytest.mark.parametrize("value", ["=SUM(A1)", "+1", "-1", "@x", "\tx", "\rx", "'=x", "''-x", "'x", "x", "", "'"])
def test_escape_round_trips(value):
    escaped = escape_cell(value)
    assert unescape_cell(escaped) == value
    assert escaped[:1] not in ("=", "+", "-", "@", "\t", "\r")


def test_example_files_are_the_documented_kinds():
    from storage.csvio import KINDS

    for path in EXAMPLES:
        header = path.read_text(encoding="utf-8").splitlines()[0].split(",")
        assert tuple(header) == KINDS[path.stem].columns, path.name
    assert {p.stem for p in EXAMPLES} == set(KINDS)
    assert DATA.is_dir()


def test_a_write_the_database_refuses_is_one_line_and_rolls_back(engine, tmp_path, monkeypatch):
    """As if someone else added the same contacts between our read and our write."""
    from planner.errors import ConflictError
    from storage import csvio

    paths = examples(tmp_path)
    import_csv(engine, paths, actor="tester")
    original = csvio._Importer.do_contacts

    def forgetful(self, src, rep):
        self._contacts = {}  # "loaded" before the other writer's commit
        return original(self, src, rep)

    monkeypatch.setattr(csvio._Importer, "do_contacts", forgetful)
    changed = write(tmp_path, "practitioners.csv", (tmp_path / "practitioners.csv").read_text().replace(
        "Alex Morgan", "Alexandra Morgan"))
    before = dump(engine)
    with pytest.raises(ConflictError) as info:  # exit status 3
        import_csv(engine, [changed, tmp_path / "contacts.csv"], actor="tester")
    message = str(info.value)
    assert message.startswith("import failed, nothing was written: someone changed the same records meanwhile (")
    assert "\n" not in message and "work placement" not in message
    assert dump(engine) == before
