"""storage/repo on SQLAlchemy Core connections (storage/repo/transactions.py),
on SQLite and PostgreSQL: two writers of the same row, the second refused
with ConflictError and nothing of its transaction saved, whether the stale
version is caught before the UPDATE (`expected_version`) or by the UPDATE
itself (`... WHERE id = :id AND version = :v` changing no row); and a
Session's own copy of a row changed through Core kept true."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select
from sqlmodel import Session

from planner.errors import ConflictError
from storage import models as m
from storage import repo
from storage.repo.lookups import appointment_row, case_row
from storage.repo.transactions import transaction, update_versioned
from storage.tables import t

D = date.fromisoformat


@pytest.fixture
def db(engine, seed_cases):
    seed_cases(engine)
    return engine


def _appointment(engine) -> int:
    with transaction(engine) as conn:
        new_id = repo.book_appointment(conn, case_ref="C1", appointment_date=D("2026-12-02"), practitioner_id="P2",
                                       time="10:00", actor="P2")
        repo.commit_or_conflict(conn)
    return new_id


def _count(engine, table, **where) -> int:
    with engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(table)
                            .where(*(table.c[k] == v for k, v in where.items()))).scalar_one()


def test_two_writers_move_one_appointment_the_second_is_refused(db):
    appointment_id = _appointment(db)
    with transaction(db) as alice, transaction(db) as bob:
        seen = appointment_row(bob, appointment_id).version  # Bob opens it
        bob.rollback()
        repo.move_appointment(alice, appointment_id=appointment_id, new_date=D("2026-12-03"), expected_version=seen,
                              actor="P2")
        repo.commit_or_conflict(alice)
        with pytest.raises(ConflictError, match=f"appointment {appointment_id} of case C1 was changed"):
            repo.move_appointment(bob, appointment_id=appointment_id, new_date=D("2026-12-04"),
                                  expected_version=seen, actor="P2")
    with transaction(db) as conn:
        row = appointment_row(conn, appointment_id)
    assert (row.appointment_date, row.version) == (D("2026-12-03"), seen + 1)


def test_a_row_changed_after_it_was_read_is_refused_by_the_update(db):
    """The UPDATE's WHERE names the version read: someone else's change in
    between leaves it no row to change, and the whole transaction (the
    contact written before it too) rolls back."""
    with transaction(db) as bob:
        stale = case_row(bob, "C1")
        bob.rollback()
        with transaction(db) as alice:
            repo.update_case(alice, case_ref="C1", expected_version=stale.version, actor="P2", tier="A1")
            repo.commit_or_conflict(alice)
        repo.record_contact(bob, case_ref="C1", contact_date=D("2026-11-20"), practitioner_id="P2", kind="office",
                            outcome="attended", actor="P2")
        with pytest.raises(ConflictError, match="case C1 was changed by someone else"):
            update_versioned(bob, t.case, stale, "case C1", tier="D2")
        assert not bob.in_transaction()
    with transaction(db) as conn:
        assert case_row(conn, "C1").tier == "A1"
    assert _count(db, t.contact, contact_date=D("2026-11-20"), practitioner_pk=2) == 0


def test_a_session_sees_what_repo_changed_through_its_connection(db):
    """storage/handovers and storage/supervision pass a Session: the
    statements run in its transaction, and its copy of the row takes the
    new values, so a later ORM change of it is not refused as stale."""
    appointment_id = _appointment(db)
    with Session(db) as s:
        held = s.get(m.Appointment, appointment_id)
        _id, version = repo.move_appointment(s, appointment_id=appointment_id, new_date=D("2026-12-03"),
                                             expected_version=held.version, actor="P2")
        assert (held.appointment_date, held.version) == (D("2026-12-03"), version)
        held.kind = "home"
        s.flush()  # the ORM's own version check passes: the copy is current
        repo.commit_or_conflict(s)
    with transaction(db) as conn:
        row = appointment_row(conn, appointment_id)
    assert (row.appointment_date, row.kind, row.version) == (D("2026-12-03"), "home", version + 1)


def test_each_core_write_is_audited_in_its_transaction(db):
    """A refused write leaves no audit event; a committed one leaves one."""
    appointment_id = _appointment(db)
    before = _count(db, t.audit_event, action="cancel")
    with transaction(db) as conn:
        with pytest.raises(ConflictError):
            repo.cancel_appointment(conn, appointment_id=appointment_id, expected_version=7, actor="P2",
                                    cancelled_by="person")
    assert _count(db, t.audit_event, action="cancel") == before
    with transaction(db) as conn:
        repo.cancel_appointment(conn, appointment_id=appointment_id, expected_version=1, actor="P2",
                                cancelled_by="person")
        repo.commit_or_conflict(conn)
    assert _count(db, t.audit_event, action="cancel") == before + 1
    assert _count(db, t.contact, outcome="cancelled", contact_date=D("2026-12-02")) == 1
