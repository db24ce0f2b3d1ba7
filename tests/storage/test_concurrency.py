"""Two people, two sessions, the same record, on SQLite and PostgreSQL: the
first save wins, the second gets ConflictError with a clear message, nothing
of the second transaction is saved, and a reload (a new read) then works.

Sessions are interleaved by hand (read, read, save, save), so the tests are
deterministic: no threads, no sleeps."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func
from sqlmodel import Session, select

from planner.errors import ConflictError
from storage import handovers as ho
from storage import models as m
from storage import repo

D = date.fromisoformat
ON = D("2026-11-27")


@pytest.fixture
def db(engine, seed_cases):
    """Seed data with a planned handover of C2 (P1 -> P2)."""
    seed_cases(engine)
    with Session(engine) as s:
        repo.plan_handover(s, case_ref="C2", to_practitioner_id="P2", planned_on=D("2026-12-14"), actor="P1",
                           as_of=ON)
        repo.commit_or_conflict(s)
    return engine


def audit_count(engine, action: str) -> int:
    with Session(engine) as s:
        return s.exec(select(func.count()).select_from(m.AuditEvent).where(m.AuditEvent.action == action)).one()


def test_two_people_tick_the_same_handover_item_the_second_is_refused(db):
    alice, bob = Session(db), Session(db)
    try:
        # Both open the handover screen: the item's version as each read it.
        seen_a = ho.handover_detail(alice, "C2", as_of=ON).item("read").version
        seen_b = ho.handover_detail(bob, "C2", as_of=ON).item("read").version
        alice.commit(), bob.commit()  # end the read transactions, as the app does
        assert seen_a == seen_b

        view = ho.tick_item(alice, case_ref="C2", item_id="read", note="rang them", on=ON, actor="P1",
                            expected_version=seen_a)
        repo.commit_or_conflict(alice)
        assert view.item("read").done

        with pytest.raises(ConflictError) as caught:
            ho.tick_item(bob, case_ref="C2", item_id="read", note="my note", on=ON, actor="P2",
                         expected_version=seen_b)
        assert str(caught.value) == (
            "handover item read of case C2 was changed by someone else since you opened it; "
            "reload to see their change — nothing was saved"
        )
        # Reload: Bob sees Alice's tick and note, and can add to it with the new version.
        fresh = ho.handover_detail(bob, "C2", as_of=ON).item("read")
        assert fresh.done and fresh.note == "rang them" and fresh.done_by == "P1"
        ho.set_item_note(bob, case_ref="C2", item_id="read", note="rang them; letter sent", actor="P2",
                         expected_version=fresh.version)
        repo.commit_or_conflict(bob)
    finally:
        alice.close(), bob.close()
    assert audit_count(db, "tick") == 1 and audit_count(db, "note") == 1


def test_a_stale_item_row_found_at_save_is_a_conflict_and_saves_nothing(db):
    """The optimistic lock itself (version column): Bob's session holds the
    row as it was; Alice's save bumps the version under him."""
    alice, bob = Session(db), Session(db, expire_on_commit=False)  # as storage.engine.session
    try:
        bobs_item = bob.exec(select(m.HandoverItem).where(m.HandoverItem.item_id == "read")).one()
        bobs_case = bob.exec(select(m.Case).where(m.Case.case_ref == "C2")).one()
        bob.commit()  # his copies stay as read
        ho.tick_item(alice, case_ref="C2", item_id="read", on=ON, actor="P1")
        repo.commit_or_conflict(alice)

        bobs_case.tier = "A1"  # part of the same transaction: must not be saved either
        bobs_item.note = "typed while Alice ticked"
        bob.add(bobs_item)
        with pytest.raises(ConflictError, match="changed by someone else"):
            repo.commit_or_conflict(bob)
    finally:
        alice.close(), bob.close()
    with Session(db) as s:
        item = s.exec(select(m.HandoverItem).where(m.HandoverItem.item_id == "read")).one()
        assert item.done and item.note is None and item.version == 2
        assert s.exec(select(m.Case.tier).where(m.Case.case_ref == "C2")).one() is None


def test_two_people_save_the_handover_summary_the_second_is_refused(db):
    alice, bob = Session(db), Session(db)
    try:
        version = ho.handover_detail(alice, "C2", as_of=ON).version
        assert ho.handover_detail(bob, "C2", as_of=ON).version == version
        alice.commit(), bob.commit()
        ho.save_summary(alice, case_ref="C2", text="made-up summary A", expected_version=version, actor="P1")
        repo.commit_or_conflict(alice)
        with pytest.raises(ConflictError, match="the handover of case C2 was changed by someone else"):
            ho.save_summary(bob, case_ref="C2", text="made-up summary B", expected_version=version, actor="P2")
    finally:
        alice.close(), bob.close()
    with Session(db) as s:
        assert ho.handover_detail(s, "C2", as_of=ON).summary == "made-up summary A"


def test_two_people_edit_the_same_case_the_second_is_refused(db):
    alice, bob = Session(db), Session(db)
    try:
        repo.update_case(alice, case_ref="C1", expected_version=1, actor="P1", tier="A1")
        repo.commit_or_conflict(alice)
        with pytest.raises(ConflictError, match="case C1 was changed by someone else"):
            repo.update_case(bob, case_ref="C1", expected_version=1, actor="P2", tier="D2")
        # Reload and save again: the retry works.
        case = bob.exec(select(m.Case).where(m.Case.case_ref == "C1")).one()
        repo.update_case(bob, case_ref="C1", expected_version=case.version, actor="P2", tier="D2")
        repo.commit_or_conflict(bob)
    finally:
        alice.close(), bob.close()
    assert audit_count(db, "update") == 2
