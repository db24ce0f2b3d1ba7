"""CSV import of careless or hostile files: nothing lost, nothing wrongly
accepted (README "Where data lives and how it is protected").

An unclosed quote is refused where it opens instead of swallowing the rest
of the file; a cell over the CSV field limit names its column; values the
app's forms refuse (planner/validate.py) are row errors here too. Every test
runs on SQLite and, when CASELOAD_TEST_PG_URL is set, on PostgreSQL."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select
from sqlmodel import Session

from storage import models as m
from storage.csvio import ImportFailed, import_csv

try:
    from .csv_helpers import DATA, write
except ImportError:  # tests/storage is not a package
    from csv_helpers import DATA, write

CONTACTS_HEADER = "case_ref,contact_date,practitioner_id,kind,outcome,notes"


def base(tmp_path):
    """The example practitioners and cases, to hang rows on."""
    return [write(tmp_path, n, (DATA / n).read_bytes()) for n in ("practitioners.csv", "cases.csv")]


def refused(engine, paths, **kwargs) -> list[str]:
    with pytest.raises(ImportFailed) as info:
        import_csv(engine, paths, actor="tester", **kwargs)
    return info.value.errors


def count(engine, model) -> int:
    with Session(engine) as s:
        return s.execute(select(func.count()).select_from(model)).scalar_one()


def contact_rows(n: int, broken_at: int, broken: str) -> str:
    rows = [CONTACTS_HEADER]
    for i in range(1, n + 1):
        day = f"2026-{(i % 10) + 1:02d}-{(i % 27) + 1:02d}"
        kind = ("office", "phone", "video", "home_visit")[i % 4]
        rows.append(broken if i == broken_at else f"C1001,{day},P1,{kind},attended,note {i}")
    return "\n".join(rows) + "\n"


# --------------------------------------------------------------------------- quotes and cell sizes


def test_an_unclosed_quote_is_refused_where_it_opens_and_nothing_is_written(engine, tmp_path):
    # 200 rows; row 12 (line 12 of the file) opens a quote it never closes
    text = contact_rows(200, 11, "C1001,2026-03-03,P1,office,attended,\"Said \"\"I'll be late")
    paths = base(tmp_path) + [write(tmp_path, "contacts.csv", text)]
    errors = refused(engine, paths)
    assert errors == [f"{tmp_path}/contacts.csv:12: notes: unterminated quoted field "
                      "(its opening quote is never closed)"]
    assert count(engine, m.Contact) == 0 and count(engine, m.Case) == 0


def test_an_unclosed_quote_before_later_quoted_cells_is_still_named_as_such(engine, tmp_path):
    rows = [CONTACTS_HEADER, "C1001,2026-01-05,P1,office,attended,\"fine, quoted\"",
            "C1001,2026-01-06,P1,office,attended,\"never closed",
            "C1001,2026-01-07,P1,office,attended,plain",
            "C1001,2026-01-08,P1,office,attended,\"quoted again\""]
    paths = base(tmp_path) + [write(tmp_path, "contacts.csv", "\n".join(rows) + "\n")]
    [error] = refused(engine, paths)
    assert error.startswith(f"{tmp_path}/contacts.csv:3: notes: unterminated quoted field")
    assert count(engine, m.Contact) == 0


def test_text_after_a_closing_quote_is_refused(engine, tmp_path):
    rows = [CONTACTS_HEADER, 'C1001,2026-01-05,P1,office,attended,"half"quoted']
    paths = base(tmp_path) + [write(tmp_path, "contacts.csv", "\n".join(rows) + "\n")]
    [error] = refused(engine, paths)
    assert error.startswith(f"{tmp_path}/contacts.csv:2: notes: text after a closing quote")


def test_a_cell_over_the_csv_field_limit_names_its_column(engine, tmp_path):
    import csv

    huge = "x" * (csv.field_size_limit() + 1)
    rows = [CONTACTS_HEADER, "C1001,2026-01-05,P1,office,attended,short", f"C1001,2026-01-06,P1,office,attended,{huge}"]
    paths = base(tmp_path) + [write(tmp_path, "contacts.csv", "\n".join(rows) + "\n")]
    errors = refused(engine, paths)
    assert errors == [f"{tmp_path}/contacts.csv:3: notes: longer than {csv.field_size_limit()} characters "
                      "(the most a CSV cell may hold)"]
    assert count(engine, m.Contact) == 0


# --------------------------------------------------------------------------- what the app refuses, the importer refuses

TODAY = date(2026, 12, 7)


def rows_file(tmp_path, name: str, header: str, *rows: str):
    return write(tmp_path, name, "\n".join((header, *rows)) + "\n")


@pytest.mark.parametrize(("cell", "reason"), [
    ("2099-01-01", "2099-01-01 is in the future (after 2026-12-07); a contact is recorded once it has happened"),
    ("2026-12-08", "2026-12-08 is in the future (after 2026-12-07)"),
    ("1899-12-31", "1899-12-31 is before 1900-01-01"),
    ("01/01/0001", "0001-01-01 is before 1900-01-01"),
])
def test_contacts_in_the_future_or_before_1900_are_row_errors(engine, tmp_path, cell, reason):
    contacts = rows_file(tmp_path, "contacts.csv", CONTACTS_HEADER, "C1001,2026-01-05,P1,office,attended,ok",
                         f"C1001,{cell},P1,phone,attended,later")
    [error] = refused(engine, base(tmp_path) + [contacts], today=TODAY)
    assert error.startswith(f"{tmp_path}/contacts.csv:3: contact_date: {reason}")
    assert count(engine, m.Contact) == 0


def test_a_contact_today_is_fine(engine, tmp_path):
    contacts = rows_file(tmp_path, "contacts.csv", CONTACTS_HEADER, "C1001,2026-12-07,P1,office,attended,today")
    import_csv(engine, base(tmp_path) + [contacts], actor="tester", today=TODAY)
    assert count(engine, m.Contact) == 1


def test_future_births_and_allocations_are_row_errors(engine, tmp_path):
    cases = rows_file(tmp_path, "cases.csv", "case_ref,display_name,practitioner_id,allocated_on,date_of_birth",
                      "C2001,Kit Future,P1,2026-12-01,2031-05-05",
                      "C2002,Lee Ahead,P1,2027-01-04,1990-01-01",
                      "C2003,Max Ancient,P1,2026-01-04,1850-01-01")
    practitioners = write(tmp_path, "practitioners.csv", (DATA / "practitioners.csv").read_bytes())
    errors = refused(engine, [practitioners, cases], today=TODAY)
    assert [e.replace(f"{tmp_path}/", "") for e in errors] == [
        "cases.csv:2: date_of_birth: 2031-05-05 is in the future (after 2026-12-07); a date of birth has happened",
        "cases.csv:3: allocated_on: 2027-01-04 is in the future (after 2026-12-07); plan a handover for a change ahead",
        "cases.csv:4: date_of_birth: 1850-01-01 is before 1900-01-01",
    ]
    allocations = rows_file(tmp_path, "allocations.csv", "case_ref,practitioner_id,start_date",
                            "C1001,P4,2027-02-01")
    [error] = refused(engine, base(tmp_path) + [allocations], today=TODAY)
    assert "allocations.csv:2: start_date: 2027-02-01 is in the future" in error
    assert count(engine, m.Case) == 0


def test_a_new_handover_planned_in_the_past_is_a_row_error(engine, tmp_path):
    handovers = rows_file(tmp_path, "handovers.csv", "case_ref,to_practitioner_id,planned_on",
                          "C1002,P2,2026-12-01", "C1004,P1,2026-12-07")
    [error] = refused(engine, base(tmp_path) + [handovers], today=TODAY)
    assert error == (f"{tmp_path}/handovers.csv:2: planned_on: 2026-12-01 is in the past (before 2026-12-07); "
                     "a handover is planned for today or later")
    assert count(engine, m.Handover) == 0


def test_an_open_handover_gone_past_its_date_re_imports_unchanged(engine, tmp_path):
    handovers = rows_file(tmp_path, "handovers.csv", "case_ref,to_practitioner_id,planned_on", "C1002,P2,2026-12-10")
    import_csv(engine, base(tmp_path) + [handovers], actor="tester", today=TODAY)
    report = import_csv(engine, [handovers], actor="tester", today=date(2026, 12, 20))
    assert report.unchanged == 1 and count(engine, m.Handover) == 1


@pytest.mark.parametrize(("text", "shown"), [("Jo\x00Null", "NUL"), ("Esc\x1b[31mRed", "ESC"),
                                             ("Tab\there", "a tab"), ("Right\u202eleft", "U+202E"),
                                             ("Zero\u200bwidth", "U+200B"), ("Word\u2060joined", "U+2060")])
def test_control_characters_in_names_are_row_errors(engine, tmp_path, text, shown):
    cases = rows_file(tmp_path, "cases.csv", "case_ref,display_name,practitioner_id,allocated_on",
                      f'C2001,"{text}",P1,2026-12-01')
    practitioners = rows_file(tmp_path, "practitioners.csv", "practitioner_id,name,team_id,role,grade,team_name",
                              f'P1,"{text}",T1,practitioner,PO,North Hill', f'P2,Sam Okafor,T2,practitioner,PO,"{text}"')
    errors = [e.replace(f"{tmp_path}/", "") for e in refused(engine, [practitioners, cases], today=TODAY)]
    reason = f"contains a control character ({shown}); a name is one line of plain text"
    assert errors == [f"practitioners.csv:2: name: {reason}", f"practitioners.csv:3: team_name: {reason}",
                      f"cases.csv:2: display_name: {reason}"]
    assert count(engine, m.Practitioner) == 0


@pytest.mark.parametrize("notes", ["before\x00after", "bell\x07", "csi\x9b2J"])
def test_control_characters_in_notes_are_row_errors_but_line_breaks_are_kept(engine, tmp_path, notes):
    contacts = rows_file(tmp_path, "contacts.csv", CONTACTS_HEADER,
                         'C1001,2026-01-05,P1,office,attended,"two\nlines\tand a tab"',
                         f'C1001,2026-01-06,P1,office,attended,"{notes}"')
    handovers = rows_file(tmp_path, "handovers.csv", "case_ref,to_practitioner_id,planned_on,reason",
                          f'C1002,P2,2026-12-20,"{notes}"')
    errors = [e.replace(f"{tmp_path}/", "") for e in refused(engine, base(tmp_path) + [contacts, handovers],
                                                            today=TODAY)]
    assert [e.split(": contains a control character")[0] for e in errors] == [
        "contacts.csv:4: notes", "handovers.csv:2: reason"]
    assert count(engine, m.Contact) == 0
    contacts = rows_file(tmp_path, "contacts.csv", CONTACTS_HEADER,
                         'C1001,2026-01-05,P1,office,attended,"two\nlines\tand a tab"')
    import_csv(engine, base(tmp_path) + [contacts], actor="tester", today=TODAY)
    with Session(engine) as s:
        assert s.execute(select(m.Contact.notes)).scalar_one() == "two\nlines\tand a tab"


def test_the_importer_and_the_app_refuse_with_the_same_words(engine, tmp_path):
    """One check (planner.validate) behind both: the storage function the
    app's forms save through, and the importer."""
    from planner.errors import CaseloadError
    from storage.engine import session as open_session
    from storage.repo import record_contact

    import_csv(engine, base(tmp_path), actor="tester", today=TODAY)
    contacts = rows_file(tmp_path, "contacts.csv", CONTACTS_HEADER, 'C1001,2026-01-06,P1,office,attended,"a\x00b"')
    [error] = refused(engine, [contacts], today=TODAY)
    with open_session(engine) as s, pytest.raises(CaseloadError) as info:
        record_contact(s, case_ref="C1001", contact_date=date(2026, 1, 6), practitioner_id="P1", kind="office",
                       outcome="attended", notes="a\x00b", actor="tester")
    assert str(info.value) == "notes: contains a control character (NUL)"
    assert error.endswith(": " + str(info.value))


def test_an_open_allocation_to_a_practitioner_of_another_team_is_a_row_error(engine, tmp_path):
    allocations = rows_file(tmp_path, "allocations.csv", "case_ref,practitioner_id,start_date,end_date",
                            "C1001,P1,2026-03-02,2026-11-01", "C1001,P5,2026-11-01,",
                            "C1002,P5,2025-01-01,2025-06-01")  # history with another team is fine
    [error] = refused(engine, base(tmp_path) + [allocations], today=TODAY)
    assert error.startswith(f"{tmp_path}/allocations.csv:3: practitioner_id: P5 is in team T2, case C1001 in "
                            "team T1: an open allocation cannot take a case to another team")
    allocations = rows_file(tmp_path, "allocations.csv", "case_ref,practitioner_id,start_date,end_date",
                            "C1002,P5,2025-01-01,2025-06-01")
    import_csv(engine, base(tmp_path) + [allocations], actor="tester", today=TODAY)


def test_moving_a_practitioner_to_another_team_is_refused_while_it_strands_their_cases(engine, tmp_path):
    import_csv(engine, base(tmp_path), actor="tester", today=TODAY)
    text = (DATA / "practitioners.csv").read_text().replace("P1,Alex Morgan,T1", "P1,Alex Morgan,T2")
    text = text.replace("North Hill Probation,37,0,,alex", ",37,0,,alex")
    moved = write(tmp_path, "moved.csv", text)
    [error] = refused(engine, [moved], today=TODAY)
    assert error == (f"{tmp_path}/moved.csv:2: team_id: moving P1 to team T2 would strand the 2 open cases "
                     "they hold outside it: C1001, C1002; hand them over first "
                     "(caseload handover departures P1)")
    with Session(engine) as s:
        team = s.execute(select(m.Team.team_id).join(m.Practitioner, m.Practitioner.team_pk == m.Team.id)
                         .where(m.Practitioner.practitioner_id == "P1")).scalar_one()
    assert team == "T1"
    # P3 holds no case: moving them is fine
    text = (DATA / "practitioners.csv").read_text().replace("P3,Jordan Reyes,T1", "P3,Jordan Reyes,T2")
    text = text.replace("North Hill Probation,37,50", ",37,50")
    import_csv(engine, [write(tmp_path, "moved.csv", text)], actor="tester", today=TODAY)


# --------------------------------------------------------------------------- repeating appointments

APPOINTMENTS_HEADER = "case_ref,appointment_date,practitioner_id,rrule"


@pytest.mark.parametrize(("rule", "reason"), [
    ("FREQ=SECONDLY", "appointments repeat daily at most"),
    ("FREQ=MINUTELY;BYMONTH=2;BYMONTHDAY=30", "appointments repeat daily at most"),
    ("FREQ=DAILY;BYMONTH=2;BYMONTHDAY=30", "the rule gives no date in the 10 years from 2026-12-08"),
    ("FREQ=DAILY;BYHOUR=9", "BYHOUR is not used for appointments"),
    ("FREQ=WEEKLY;DTSTART=20200101", "give one RRULE only; the series starts on the appointment date"),
    ("FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=29", "a series repeats at least once a year"),
])
def test_the_importer_applies_the_apps_booking_rules_to_rrules(engine, tmp_path, rule, reason):
    appointments = rows_file(tmp_path, "appointments.csv", APPOINTMENTS_HEADER, f"C1001,2026-12-08,P1,{rule}")
    [error] = refused(engine, base(tmp_path) + [appointments], today=TODAY)
    assert error.startswith(f"{tmp_path}/appointments.csv:2: rrule: {reason}")
    assert count(engine, m.Appointment) == 0


def test_an_accepted_rrule_is_stored_tidied(engine, tmp_path):
    appointments = rows_file(tmp_path, "appointments.csv", APPOINTMENTS_HEADER,
                             "C1001,2026-12-08,P1, RRULE:FREQ=WEEKLY;COUNT=6 ")
    import_csv(engine, base(tmp_path) + [appointments], actor="tester", today=TODAY)
    with Session(engine) as s:
        assert s.execute(select(m.Appointment.rrule)).scalar_one() == "FREQ=WEEKLY;COUNT=6"
