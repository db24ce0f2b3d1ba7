"""`storage.repo.book_appointments` (`caseload week --suggest --apply`):
several bookings in one transaction, each checked, written and audited as
`book_appointment` does it, a practitioner's days off read once for all."""

from __future__ import annotations

import shutil
import sqlite3
from datetime import date, time
from pathlib import Path

import pytest

from planner.errors import CaseloadError
from storage.engine import make_engine
from storage.repo import book_appointment, book_appointments, commit_or_conflict, transaction

SAMPLE = Path(__file__).resolve().parents[2] / "sample.db"


def copy(tmp_path: Path, name: str) -> Path:
    db = tmp_path / name
    shutil.copyfile(SAMPLE, db)
    return db


def cases_of(db: Path, practitioner_id: str, n: int) -> list[str]:
    with sqlite3.connect(db) as con:
        return [ref for (ref,) in con.execute(
            'SELECT c.case_ref FROM "case" c JOIN allocation a ON a.case_id = c.id AND a.end_date IS NULL '
            "JOIN practitioner p ON p.id = a.practitioner_pk WHERE p.practitioner_id = ? AND c.status = 'active' "
            "ORDER BY c.case_ref LIMIT ?", (practitioner_id, n))]


def written(db: Path) -> list[list[tuple]]:
    """The appointments, and the audit events but for their time."""
    with sqlite3.connect(db) as con:
        return [con.execute("SELECT * FROM appointment ORDER BY id").fetchall(),
                con.execute("SELECT actor, action, entity, entity_key, case_ref, detail, login FROM audit_event "
                            "ORDER BY id").fetchall()]


def bookings(refs: list[str]) -> list[dict]:
    """One-offs on working days, and a weekly series over Christmas Day (left out of it)."""
    days = [date(2027, 1, 5), date(2027, 1, 6), date(2027, 1, 7)]
    out = [{"case_ref": ref, "appointment_date": days[i % 3], "practitioner_id": "N1-02",
            "time": time(9 + i, 0), "kind": "office"} for i, ref in enumerate(refs[:-1])]
    out.append({"case_ref": refs[-1], "appointment_date": date(2026, 12, 18), "practitioner_id": "N1-02",
                "time": time(15, 0), "rrule": "FREQ=WEEKLY;COUNT=4"})
    return out


def book(db: Path, fn) -> list[int]:
    engine = make_engine(db, create=False)
    try:
        with transaction(engine) as connection:
            ids = fn(connection)
            commit_or_conflict(connection)
        return ids
    finally:
        engine.dispose()


def test_several_bookings_write_what_one_at_a_time_writes(tmp_path):
    one, many = copy(tmp_path, "one.db"), copy(tmp_path, "many.db")
    todo = bookings(cases_of(one, "N1-02", 5))
    ids_one = book(one, lambda s: [book_appointment(s, actor="N1-02", **b) for b in todo])
    ids_many = book(many, lambda s: book_appointments(s, todo, actor="N1-02"))
    assert ids_many == ids_one and len(ids_many) == len(todo)
    assert written(many) == written(one)
    series = written(many)[0][-1]
    assert "2026-12-25,2027-01-01" in series  # Christmas Day (and New Year's Day) left out of the series


def test_a_refused_booking_books_none_of_them(tmp_path):
    db = copy(tmp_path, "db.db")
    todo = bookings(cases_of(db, "N1-02", 4))
    todo.insert(1, {**todo[0], "case_ref": todo[2]["case_ref"], "appointment_date": date(2026, 12, 25)})
    before = written(db)
    with pytest.raises(CaseloadError, match="bank holiday"):
        book(db, lambda s: book_appointments(s, todo, actor="N1-02"))
    assert written(db) == before
