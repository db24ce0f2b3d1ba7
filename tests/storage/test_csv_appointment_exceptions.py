"""appointments.csv carries a series' exceptions (docs/csv.md, appointments):
cancelled occurrences (`exdates`), moved ones (`series_date`,
`recurrence_date`) and who cancelled (`cancelled_by`), so export, import
into an empty database and export again give the same file and the same
calendar; a bad value is refused naming file, row and field, nothing
written. SQLite and, with CASELOAD_TEST_PG_URL, PostgreSQL."""

from __future__ import annotations

import csv
from datetime import date

import pytest
from sqlmodel import Session

from planner.appointments import appointment_dates
from storage import repo
from storage.csvio import export_dir, import_csv
from storage.csvio.reports import ImportFailed
from storage.queries import load_case

try:
    from .csv_helpers import EXAMPLES, dump, file_bytes, second_engine, write
except ImportError:  # tests/storage is not a package
    from csv_helpers import EXAMPLES, dump, file_bytes, second_engine, write

D = date.fromisoformat
HEADER = "case_ref,appointment_date,practitioner_id,time,kind,rrule,exdates,series_date,recurrence_date,cancelled_by\n"


def calendar(engine) -> dict[str, list[tuple]]:
    """Each example case's appointment dates (series expanded, exceptions applied)."""
    with Session(engine) as s:
        out = {}
        for ref in ("C1001", "C1002", "C1004"):
            out[ref] = sorted((day, a.time, a.cancelled_by) for a in load_case(s, ref).appointments
                              for day in appointment_dates(a, D("2026-11-01"), D("2027-03-01")))
        return out


def with_exceptions(engine) -> None:
    """C1002's weekly series (Thursdays 3-24 Dec 2026): 10 Dec cancelled by the
    person, 17 Dec moved to Fri 18 Dec, 24 Dec moved to Wed 23 Dec and then
    cancelled by the practitioner; C1001's one-off cancelled by the person."""
    import_csv(engine, EXAMPLES, actor="tester")
    with Session(engine) as s:
        (series,) = [a.id for a in load_case(s, "C1002").appointments]
        (one_off,) = [a.id for a in load_case(s, "C1001").appointments]
        repo.cancel_appointment(s, appointment_id=series, occurrence=D("2026-12-10"), cancelled_by="person",
                                actor="tester")
        repo.move_appointment(s, appointment_id=series, occurrence=D("2026-12-17"), new_date=D("2026-12-18"),
                              new_time="09:30", expected_version=None, actor="tester")
        moved, _v = repo.move_appointment(s, appointment_id=series, occurrence=D("2026-12-24"),
                                          new_date=D("2026-12-23"), expected_version=None, actor="tester")
        repo.cancel_appointment(s, appointment_id=moved, cancelled_by="practitioner", actor="tester")
        repo.cancel_appointment(s, appointment_id=one_off, cancelled_by="person", actor="tester")
        repo.commit_or_conflict(s)


def rows(folder) -> list[dict[str, str]]:
    with open(folder / "appointments.csv", newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def test_exceptions_round_trip_through_an_empty_database(engine, tmp_path, db_url):
    with_exceptions(engine)
    expected = calendar(engine)
    assert expected["C1002"] == [(D("2026-12-03"), *expected["C1002"][0][1:]),
                                 (D("2026-12-18"), expected["C1002"][1][1], None)]
    first = tmp_path / "first"
    export_dir(engine, first, actor="tester")
    exported = {(r["case_ref"], r["appointment_date"]): r for r in rows(first)}
    assert exported[("C1002", "2026-12-03")]["exdates"] == "2026-12-10"
    assert {k: (r["series_date"], r["recurrence_date"], r["cancelled_by"]) for k, r in exported.items()} == {
        ("C1001", "2026-12-01"): ("", "", "person"),
        ("C1002", "2026-12-03"): ("", "", ""),
        ("C1002", "2026-12-18"): ("2026-12-03", "2026-12-17", ""),
        ("C1002", "2026-12-23"): ("2026-12-03", "2026-12-24", "practitioner"),
        ("C1004", "2026-12-02"): ("", "", ""),
    }
    with second_engine(db_url, tmp_path) as fresh:
        report = import_csv(fresh, sorted(first.glob("*.csv")), actor="tester")
        assert report.files[4].inserted == 5  # appointments
        assert calendar(fresh) == expected
        export_dir(fresh, tmp_path / "second", actor="tester")
    assert file_bytes(first) == file_bytes(tmp_path / "second")
    before = dump(engine)  # and its own export changes nothing
    again = import_csv(engine, sorted(first.glob("*.csv")), actor="tester")
    assert again.inserted == again.updated == 0
    assert dump(engine) == before


def test_an_import_changes_a_series_exceptions(engine, tmp_path):
    import_csv(engine, EXAMPLES, actor="tester")
    path = write(tmp_path, "appointments.csv", HEADER +
                 'C1002,2026-12-03,P1,14:00,office,FREQ=WEEKLY;COUNT=4,"2026-12-24, 2026-12-10",,,\n'
                 "C1002,2026-12-16,P1,15:00,office,,,2026-12-03,2026-12-17,\n")
    dry = import_csv(engine, [path], actor="tester", dry_run=True)
    assert (dry.inserted, dry.updated) == (1, 1)
    report = import_csv(engine, [path], actor="tester")
    assert (report.inserted, report.updated) == (1, 1)
    with Session(engine) as s:
        series = next(a for a in load_case(s, "C1002").appointments if a.rrule)
        assert series.exdates == (D("2026-12-10"), D("2026-12-24"))
    assert [day for day, *_ in calendar(engine)["C1002"]] == [D("2026-12-03"), D("2026-12-16")]
    again = import_csv(engine, [path], actor="tester", dry_run=True)
    assert again.inserted == again.updated == 0


@pytest.mark.parametrize(("line", "where"), [
    ('C1002,2026-12-03,P1,14:00,office,FREQ=WEEKLY;COUNT=4,2026-12-11,,,',
     "appointments.csv:2: exdates: 2026-12-11 is not a date of the series"),
    ('C1002,2026-12-03,P1,14:00,office,FREQ=WEEKLY;COUNT=4,"2026-12-10,soon",,,',
     "appointments.csv:2: exdates: 'soon' is not a date"),
    ("C1001,2026-12-01,P1,10:30,office,,2026-12-01,,,", "appointments.csv:2: exdates: only a series"),
    ("C1002,2026-12-18,P1,,office,,,2026-12-03,9999-12-17,", "appointments.csv:2: recurrence_date: 9999-12-17 is after 2999-12-31"),
    ("C1002,2026-12-18,P1,,office,,,2026-12-03,2026-12-18,",
     "appointments.csv:2: recurrence_date: 2026-12-18 is not a date of the series"),
    ("C1002,2026-12-18,P1,,office,,,2026-12-03,,", "appointments.csv:2: recurrence_date: a moved occurrence gives both"),
    # C1004's appointment of 2 Dec is a one-off; C1002's series is another case's
    ("C1004,2026-12-18,P4,,office,,,2026-12-03,2026-12-17,", "appointments.csv:2: series_date: case C1004 has no series"),
    ("C1002,2026-12-18,P1,,office,,,2026-12-01,2026-12-17,", "appointments.csv:2: series_date: case C1002 has no series"),
    ("C1002,2026-12-18,P1,,office,FREQ=WEEKLY;COUNT=2,,2026-12-03,2026-12-17,", "appointments.csv:2: rrule: a moved occurrence"),
    ('C1002,2026-12-18,P1,,office,,,2026-12-03,"2026-12-17,',
     "appointments.csv:2: recurrence_date: unterminated quoted field"),
])
def test_bad_exceptions_are_refused_naming_the_cell(engine, tmp_path, line, where):
    import_csv(engine, EXAMPLES, actor="tester")
    before = dump(engine)
    path = write(tmp_path, "appointments.csv", HEADER + line + "\n")
    with pytest.raises(ImportFailed) as info:
        import_csv(engine, [path], actor="tester")
    assert any(where in e for e in info.value.errors), info.value.errors
    assert dump(engine) == before


def test_one_occurrence_moved_by_two_rows_is_refused(engine, tmp_path):
    import_csv(engine, EXAMPLES, actor="tester")
    before = dump(engine)
    path = write(tmp_path, "appointments.csv", HEADER +
                 "C1002,2026-12-16,P1,,office,,,2026-12-03,2026-12-17,\n"
                 "C1002,2026-12-18,P1,,office,,,2026-12-03,2026-12-17,\n")
    with pytest.raises(ImportFailed) as info:
        import_csv(engine, [path], actor="tester")
    assert any("appointments.csv:3: recurrence_date: the occurrence of 2026-12-17 is already moved by row 2" in e
               for e in info.value.errors), info.value.errors
    assert dump(engine) == before


def test_the_command_line_refuses_with_status_1_and_writes_nothing(tmp_path):
    from click.testing import CliRunner

    from tui.cli import main

    db = str(tmp_path / "c.db")
    run = CliRunner().invoke
    assert run(main, ["--db", db, "init"]).exit_code == 0
    assert run(main, ["--db", db, "import", *map(str, EXAMPLES)]).exit_code == 0
    path = write(tmp_path, "appointments.csv", HEADER + "C1002,2026-12-03,P1,14:00,office,FREQ=WEEKLY;COUNT=4,"
                 "2026-12-11,,,\n")
    result = run(main, ["--db", db, "import", str(path)])
    assert result.exit_code == 1
    assert "appointments.csv" in result.stderr and "exdates" in result.stderr
    assert "nothing was written" in result.stderr


def test_an_occurrence_the_database_already_moved_is_not_moved_again(engine, tmp_path):
    with_exceptions(engine)  # 17 Dec is moved to 18 Dec
    before = dump(engine)
    path = write(tmp_path, "appointments.csv", HEADER +
                 "C1002,2026-12-16,P1,,office,,,2026-12-03,2026-12-17,\n"
                 "C1002,2026-12-18,P1,11:00,office,,,2026-12-03,2026-12-17,\n")  # the moved row itself: fine
    with pytest.raises(ImportFailed) as info:
        import_csv(engine, [path], actor="tester")
    assert [e.split("/")[-1] for e in info.value.errors] == [
        "appointments.csv:2: recurrence_date: the occurrence of 2026-12-17 is already moved by another "
        "appointment in the database"]
    assert dump(engine) == before
