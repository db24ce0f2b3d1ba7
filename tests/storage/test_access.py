"""Access by team, in the application, on SQLite and PostgreSQL
(storage.access, wired into storage.repo's writes).

Seed (tests/conftest.py) plus a lead and a practitioner: team T1 = P1, P2,
lead L1, cases C1 (held by P2) and C2 (P1); team T2 = P3 (lead), P4, case
C3. The OS user (an actor that names no practitioner) is the administrator
of the file."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func
from sqlmodel import Session, select

from planner.errors import CaseloadError
from storage import access, repo
from storage import models as m
from storage.queries import load_case
from tests.storage.team_helpers import add_lead, add_person, sample_engine

D = date.fromisoformat


@pytest.fixture
def db(engine, seed_cases):
    seed_cases(engine)
    add_lead(engine)
    add_person(engine, "P4", "T2")
    with Session(engine) as s:
        c3 = s.exec(select(m.Case).where(m.Case.case_ref == "C3")).one()
        p3 = s.exec(select(m.Practitioner).where(m.Practitioner.practitioner_id == "P3")).one()
        s.add(m.Appointment(case_id=c3.id, appointment_date=D("2026-12-03"), practitioner_pk=p3.id))
        s.commit()
    return engine


def audit_count(engine) -> int:
    with Session(engine) as s:
        return s.exec(select(func.count()).select_from(m.AuditEvent)).one()


def c3_appointment(s) -> m.Appointment:
    return s.exec(select(m.Appointment).join(m.Case).where(m.Case.case_ref == "C3")).one()


# --------------------------------------------------------------------------- who is acting


def test_resolve_actor(db):
    with Session(db) as s:
        assert access.resolve_actor(s, None) == access.ADMIN and access.ADMIN.is_admin
        p1 = access.resolve_actor(s, "P1")
        assert (p1.practitioner_id, p1.team_id, p1.role, p1.is_lead) == ("P1", "T1", "practitioner", False)
        assert access.resolve_actor(s, "P3").is_lead
        with pytest.raises(CaseloadError, match="--as NOBODY: no such practitioner"):
            access.resolve_actor(s, "NOBODY")
        # Lenient form used by the writes: an OS user name is the administrator.
        assert access.actor_for(s, "someone-on-this-machine") == access.ADMIN
        assert access.visible_team(p1) == "T1" and access.visible_team(access.ADMIN) is None


def test_the_refusal_names_practitioner_teams_and_case(tmp_path, db_url):
    engine = sample_engine(db_url, tmp_path)
    try:
        with Session(engine) as s:
            actor = access.resolve_actor(s, "N1-02")
            with pytest.raises(CaseloadError) as caught:
                access.check_case_access(s, actor, "EB2008")
            assert str(caught.value) == "N1-02 is in team NPS-N1 and cannot see case EB2008 of team YJS-E1"
            access.check_case_access(s, access.resolve_actor(s, "E1-01"), "EB2008")
    finally:
        engine.dispose()


# --------------------------------------------------------------------------- writes


WRITES = {
    "record_contact": lambda s, who: repo.record_contact(
        s, case_ref="C3", contact_date=D("2026-11-20"), practitioner_id="P3", kind="office",
        outcome="attended", actor=who),
    "book_appointment": lambda s, who: repo.book_appointment(
        s, case_ref="C3", appointment_date=D("2026-12-10"), practitioner_id="P3", actor=who),
    "move_appointment": lambda s, who: repo.move_appointment(
        s, appointment_id=c3_appointment(s).id, new_date=D("2026-12-04"), expected_version=1, actor=who),
    "cancel_appointment": lambda s, who: repo.cancel_appointment(
        s, appointment_id=c3_appointment(s).id, actor=who),
    "add_case_note": lambda s, who: repo.add_case_note(
        s, case_ref="C3", text="made-up", author_id=None, written_on=D("2026-11-20"), actor=who),
    "update_case": lambda s, who: repo.update_case(
        s, case_ref="C3", expected_version=1, actor=who, tier="A1"),
    "allocate": lambda s, who: repo.allocate(
        s, case_ref="C3", practitioner_id="P4", start_date=D("2026-12-01"), actor=who),
    "plan_handover": lambda s, who: repo.plan_handover(
        s, case_ref="C3", to_practitioner_id="P4", planned_on=D("2026-12-14"), actor=who),
}


@pytest.mark.parametrize("write", sorted(WRITES))
def test_a_practitioner_cannot_write_to_another_teams_case(db, write):
    before = audit_count(db)
    with Session(db) as s, pytest.raises(CaseloadError, match="P1 is in team T1 and cannot see case C3 of team T2"):
        WRITES[write](s, "P1")
    assert audit_count(db) == before


@pytest.mark.parametrize("write", sorted(WRITES))
def test_the_cases_own_team_and_the_administrator_may(db, write):
    for who in ("P3", "os-user"):
        with Session(db) as s:
            WRITES[write](s, who)
            s.rollback()  # only the permission is under test


def allocate(s, case_ref: str, to: str, who: str) -> int:
    return repo.allocate(s, case_ref=case_ref, practitioner_id=to, start_date=D("2026-12-01"), actor=who)


def refused(engine, case_ref: str, to: str, who: str, match: str) -> None:
    """`who` may not allocate the case to `to`: refused as `match` says, nothing written."""
    before = audit_count(engine)
    with Session(engine) as s, pytest.raises(CaseloadError, match=match):
        allocate(s, case_ref, to, who)
    assert audit_count(engine) == before


def case_team_and_holder(engine, case_ref: str) -> tuple[str | None, str | None]:
    with Session(engine) as s:
        return access.case_team_id(s, case_ref), load_case(s, case_ref).practitioner_id


def test_a_lead_allocates_to_someone_they_see_while_their_team_still_sees_the_case(db):
    """SPEC §9, as the database holds a lead's login (schemas 0004 and 0010;
    tests/storage/test_pg_transition.py compares the two on every case and
    practitioner): T1's lead does not see T2's P3 nor P4, so allocates no case
    to them; once C1's handover to P3 is planned, L1 sees P3 and allocates C1
    to them (T1 sees C1 until the handover completes), but not C2, which
    would leave T1's sight. The refusals write nothing; the administrator
    allocates to anyone. (The app once let a lead allocate to anyone.)"""
    refused(db, "C1", "P3", "L1", r"^L1 cannot allocate case C1 to P3: team T1 does not see them \(plan a handover")
    with Session(db) as s:
        repo.plan_handover(s, case_ref="C1", to_practitioner_id="P3", planned_on=D("2026-12-14"), actor="os-user",
                           as_of=D("2026-12-01"))
        repo.commit_or_conflict(s)
    refused(db, "C2", "P3", "L1", r"^L1 cannot allocate case C2 to P3 of team T2: team T1 would no longer see the"
                                  r" case \(plan a handover to P3 instead")
    refused(db, "C1", "P4", "L1", "^L1 cannot allocate case C1 to P4: team T1 does not")
    assert case_team_and_holder(db, "C2")[0] == "T1"
    with Session(db) as s:
        allocate(s, "C1", "P3", "L1")
        allocate(s, "C2", "P4", "os-user")
        repo.commit_or_conflict(s)
    assert case_team_and_holder(db, "C1") == ("T2", "P3")
    assert case_team_and_holder(db, "C2") == ("T2", "P4")


def test_a_restricted_case_is_not_allocated_out_of_its_practitioner_s_sight(db):
    """§11: a restricted case is seen by its practitioner, not by their
    predecessor: P1 allocating their restricted C2 to P2 would lose it, as
    the database refuses P1's login (tests/storage/test_pg_transition.py);
    T1's lead allocates it."""
    with Session(db) as s:
        s.exec(select(m.Case).where(m.Case.case_ref == "C2")).one().restricted = True
        s.commit()
    refused(db, "C2", "P2", "P1", "^case C2 is restricted: P1 would no longer see it once allocated to P2")
    with Session(db) as s:
        allocate(s, "C2", "P2", "L1")
        repo.commit_or_conflict(s)
    assert case_team_and_holder(db, "C2") == ("T1", "P2")


def test_a_second_practitioner_at_a_contact_is_of_one_of_the_cases_teams(db):
    """A contact's second practitioner (schema 0006) follows the rule of its
    first (`check_case_practitioner`): naming someone of another team would
    show them a case of a team they are not in (README, Team server) on the other side's
    screens, so it is refused; within the team, or by the administrator, it is kept."""
    def record(s, actor, second):
        return repo.record_contact(s, case_ref="C2", contact_date=D("2026-11-20"), practitioner_id="P1",
                                   kind="three_way", outcome="attended", with_practitioner_id=second, actor=actor)

    before = audit_count(db)
    with Session(db) as s, pytest.raises(CaseloadError, match="P3 is in team T2, not a team of case C2"):
        record(s, "P1", "P3")
    assert audit_count(db) == before
    for actor, second in (("P1", "P2"), ("os-user", "P3")):
        with Session(db) as s:
            assert record(s, actor, second)
            s.rollback()


def test_a_case_with_no_team_belongs_to_its_practitioners_team(db):
    with Session(db) as s:
        s.exec(select(m.Case).where(m.Case.case_ref == "C3")).one().team_pk = None
        s.commit()
    with Session(db) as s:
        assert access.case_team_id(s, "C3") == "T2"
        with pytest.raises(CaseloadError, match="cannot see case C3 of team T2"):
            access.guard_case(s, "P1", "C3")


def test_both_teams_of_a_cross_team_handover_see_the_case_until_it_completes(db):
    """README, Team server: a case handed to another team is seen by both teams until the
    handover completes; then by its new team only. T2's lead does not see P1 (T1),
    so may not name them (storage.access.check_receiver, as the server holds the
    lead's login): the administrator plans it."""
    from storage.handovers import complete_handover

    with Session(db) as s, pytest.raises(CaseloadError, match="P3 cannot name P1 as the receiver of case C3"):
        repo.plan_handover(s, case_ref="C3", to_practitioner_id="P1", planned_on=D("2026-12-14"), actor="P3",
                           as_of=D("2026-12-01"))
    with Session(db) as s:
        repo.plan_handover(s, case_ref="C3", to_practitioner_id="P1", planned_on=D("2026-12-14"), actor="os-user",
                           as_of=D("2026-12-01"))
        repo.commit_or_conflict(s)
    with Session(db) as s:
        repo.record_contact(s, case_ref="C3", contact_date=D("2026-12-01"), practitioner_id="P1",
                            kind="three_way", outcome="attended", actor="P1")
        repo.commit_or_conflict(s)
        access.guard_case(s, "P2", "C3")  # the receiver's colleague too
        assert "C3" in access.visible_case_refs(s, access.resolve_actor(s, "P2"))
        assert access.visible_case_refs(s, access.resolve_actor(s, "P3")) == {"C3"}
    with Session(db) as s:
        complete_handover(s, case_ref="C3", on=D("2026-12-14"), override_reason="moved at short notice",
                          actor="P3", as_of=D("2026-12-14"))
        repo.commit_or_conflict(s)
    with Session(db) as s:
        assert access.case_team_id(s, "C3") == "T1"
        with pytest.raises(CaseloadError, match="P3 is in team T2 and cannot see case C3 of team T1"):
            access.guard_case(s, "P3", "C3")
        access.guard_case(s, "P2", "C3")


def test_moving_a_case_to_another_team_needs_a_lead(db):
    with Session(db) as s, pytest.raises(CaseloadError, match="P2 is not a team lead: only a team lead may move case C1"):
        repo.update_case(s, case_ref="C1", expected_version=1, actor="P2", team_id="T2")
    with Session(db) as s:
        repo.update_case(s, case_ref="C1", expected_version=1, actor="L1", team_id="T2")
        repo.commit_or_conflict(s)
        assert access.case_team_id(s, "C1") == "T2"


# --------------------------------------------------------------------------- lead-only


def test_only_the_teams_lead_passes_require_lead(db):
    with Session(db) as s:
        p1, l1, p3 = (access.resolve_actor(s, x) for x in ("P1", "L1", "P3"))
        access.require_lead(l1, "T1", "apply a rebalance")
        access.require_lead(access.ADMIN, "T1", "apply a rebalance")
        with pytest.raises(CaseloadError, match="^P1 is not a team lead: only a team lead may apply a rebalance$"):
            access.require_lead(p1, "T1", "apply a rebalance")
        with pytest.raises(CaseloadError, match="^P3 leads team T2, not T1: only its lead may apply a rebalance$"):
            access.require_lead(p3, "T1", "apply a rebalance")


def test_supervision_records_are_their_own_or_their_leads(db):
    with Session(db) as s:
        p1, p2, l1, p3 = (access.resolve_actor(s, x) for x in ("P1", "P2", "L1", "P3"))
        access.check_supervision_access(s, p1, "P1")
        access.check_supervision_access(s, l1, "P1")
        access.check_supervision_access(s, access.ADMIN, "P1")
        with pytest.raises(CaseloadError, match="P2 is not a team lead: only a team lead may read the supervision records of P1"):
            access.check_supervision_access(s, p2, "P1")
        with pytest.raises(CaseloadError, match="P3 leads team T2, not T1"):
            access.check_supervision_access(s, p3, "P1")


def test_an_override_is_for_the_cases_team_lead(db):
    with Session(db) as s:
        p2, l1, p3 = (access.resolve_actor(s, x) for x in ("P2", "L1", "P3"))
        access.check_override(s, l1, "C1")
        with pytest.raises(CaseloadError, match="only a team lead may complete the handover of case C1 with an override"):
            access.check_override(s, p2, "C1")
        with pytest.raises(CaseloadError, match="P3 leads team T2, not T1"):
            access.check_override(s, p3, "C1")


def test_a_practitioner_sees_their_own_teams_people_only(db):
    with Session(db) as s:
        p1 = access.resolve_actor(s, "P1")
        access.check_practitioner_visible(s, p1, "P2")
        with pytest.raises(CaseloadError, match="P1 is in team T1 and cannot see P3 of team T2"):
            access.check_practitioner_visible(s, p1, "P3")


def test_a_practitioner_cannot_view_another_team_as_a_whole(db):
    with Session(db) as s:
        access.check_team_visible(access.resolve_actor(s, "P1"), "T1")
        access.check_team_visible(access.ADMIN, "T2")
        with pytest.raises(CaseloadError, match="^P1 is in team T1 and cannot see team T2$"):
            access.check_team_visible(access.resolve_actor(s, "P1"), "T2")


def test_database_logins_are_for_the_team_server_only(tmp_path):
    from click.testing import CliRunner

    from tui.cli import main
    db = str(tmp_path / "personal.db")
    assert CliRunner().invoke(main, ["--db", db, "init"]).exit_code == 0
    for args in (["server", "add-login", "P1", "--login", "p1"], ["server", "logins"]):
        result = CliRunner().invoke(main, ["--db", db, *args])
        assert result.exit_code == 2
        assert result.output.strip().endswith("is for a PostgreSQL team server; this database is SQLite")
