"""Editing a case's own row (storage.access.check_case_edit): a practitioner
of the case's team or a team lead; the receiving side of an open handover
sees the case but does not edit it until the handover completes, as the
team server's `case` policy refuses it (tests/storage/test_pg_transition.py
compares the two on real logins). Refused in one line naming the case,
nothing written. Conftest seed: C2 is T1's (P1's); P3 is T2's."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import text
from sqlmodel import Session

from planner.errors import CaseloadError
from storage import repo
from storage.db import init_db
from storage.engine import make_engine
from tests.storage.team_helpers import add_lead, add_person

DAY = date(2026, 11, 27)


@pytest.fixture
def engine(tmp_path, seed_cases):
    engine = make_engine(str(tmp_path / "caseload.db"))
    init_db(engine)
    seed_cases(engine)
    add_lead(engine, "L2", "T2")
    add_person(engine, "P4", "T2")
    with Session(engine) as s:
        repo.plan_handover(s, case_ref="C2", to_practitioner_id="P4", planned_on=date(2026, 12, 14),
                           actor="admin", as_of=DAY)
        repo.commit_or_conflict(s)
    yield engine
    engine.dispose()


def case_row(engine) -> tuple:
    with engine.connect() as conn:
        return conn.execute(text('SELECT tier, language, version FROM "case" WHERE case_ref = \'C2\'')).one()


def edit(engine, who: str, **fields) -> None:
    with Session(engine) as s:
        version = s.execute(text('SELECT version FROM "case" WHERE case_ref = \'C2\'')).scalar_one()
        repo.update_case(s, case_ref="C2", expected_version=version, actor=who, **fields)
        repo.commit_or_conflict(s)


def set_language(engine, who: str, language: str) -> None:
    with Session(engine) as s:
        repo.set_preferences(s, case_ref="C2", language=language, interpreter=False, actor=who)
        repo.commit_or_conflict(s)


@pytest.mark.parametrize("write", [lambda e, who: edit(e, who, tier="A1"),
                                   lambda e, who: set_language(e, who, "Polish")], ids=["field", "language"])
def test_the_receiving_side_is_refused_the_case_s_own_team_and_a_lead_are_not(engine, write):
    before = case_row(engine)
    with pytest.raises(CaseloadError, match=r"P4 cannot edit case C2: it is team T1's until its handover completes"):
        write(engine, "P4")
    assert case_row(engine) == before
    write(engine, "P1")  # the case's practitioner, of its team
    after = case_row(engine)
    assert after[2] == before[2] + 1
    with Session(engine) as s:
        version = case_row(engine)[2]
        repo.update_case(s, case_ref="C2", expected_version=version, actor="L2", tier="B2")
        repo.commit_or_conflict(s)
    assert case_row(engine)[0] == "B2"
