"""`caseload check` lists a series' damaged exdates (storage/db/checks.py):
a piece that is not a date, a date the series does not have, exdates on an
appointment that is no series; a healthy series' exdates pass. SQLite and,
with CASELOAD_TEST_PG_URL, PostgreSQL."""

from __future__ import annotations

from datetime import date

from sqlalchemy import update
from sqlmodel import Session, select

from storage import models as m
from storage import repo
from storage.csvio import import_csv
from storage.db import check_db

try:
    from .csv_helpers import EXAMPLES
except ImportError:  # tests/storage is not a package
    from csv_helpers import EXAMPLES


def ids(engine) -> dict[str, int]:
    with Session(engine) as s:
        return dict(s.execute(select(m.Case.case_ref, m.Appointment.id).join(
            m.Case, m.Case.id == m.Appointment.case_id)).all())


def set_exdates(engine, appointment_id: int, value: str) -> None:
    with Session(engine) as s:
        s.execute(update(m.Appointment).where(m.Appointment.id == appointment_id).values(exdates=value))
        s.commit()


def test_a_series_cancelled_occurrence_is_healthy(engine):
    import_csv(engine, EXAMPLES, actor="tester")
    with Session(engine) as s:
        repo.cancel_appointment(s, appointment_id=ids(engine)["C1002"], occurrence=date(2026, 12, 10),
                                cancelled_by="person", actor="tester")
        repo.commit_or_conflict(s)
    assert check_db(engine) == []


def test_damaged_exdates_are_listed(engine):
    import_csv(engine, EXAMPLES, actor="tester")
    found = ids(engine)
    set_exdates(engine, found["C1002"], "2026-12-10,2026-12-11,2026-13-45")  # Thursdays from 3 Dec
    set_exdates(engine, found["C1001"], "2026-12-01")  # a one-off
    series, one_off = f"appointment {found['C1002']} of case C1002", f"appointment {found['C1001']} of case C1001"
    assert check_db(engine) == [
        f"{one_off}: exdates: only a series (rrule) has cancelled occurrences; "
        "the occurrence it meant is not cancelled: correct it",
        f"{series}: exdates: 2026-12-11 is not a date of the series (FREQ=WEEKLY;COUNT=4 from 2026-12-03); "
        "the occurrence it meant is not cancelled: correct it",
        f"{series}: exdates: '2026-13-45' is not a date (YYYY-MM-DD); "
        "the occurrence it meant is not cancelled: correct it",
    ]


def test_the_check_command_fails_on_them(tmp_path):
    from click.testing import CliRunner

    from tui.cli import main

    db = str(tmp_path / "c.db")
    run = CliRunner().invoke
    assert run(main, ["--db", db, "init"]).exit_code == 0
    assert run(main, ["--db", db, "import", *map(str, EXAMPLES)]).exit_code == 0
    assert run(main, ["--db", db, "check"]).exit_code == 0
    from storage.engine import make_engine

    engine = make_engine(db)
    set_exdates(engine, ids(engine)["C1002"], "2026-12-11")
    engine.dispose()
    result = run(main, ["--db", db, "check"])
    assert result.exit_code == 2, result.output
    assert "exdates: 2026-12-11 is not a date of the series" in result.stderr
