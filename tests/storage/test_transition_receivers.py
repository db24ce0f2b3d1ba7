"""Who a handover may name as its receiver (storage.access.check_receiver,
SPEC §11 and §9): someone the actor sees, or for a child's case a non-lead
of their team's transition team (`team.transition_team_pk`, schema 0011);
a team lead too (as the database holds a lead's login); the
administrator anyone; the same in the app, `handover plan --to` and the `t` picker
(tui/sentence_data.py). The database's policies are tested on real logins
in tests/storage/test_pg_transition.py.

Seed (tests/conftest.py) plus lead L1 in T1 and P4 in T2: C2 is T1's child
(P1's), C1 T1's adult (P2's); T2's lead is P3."""

from __future__ import annotations

from datetime import date

import pytest
from click.testing import CliRunner
from sqlalchemy import text
from sqlmodel import Session

from planner.errors import CaseloadError
from storage import repo
from storage.access import ADMIN, check_receiver, resolve_actor, transition_receiver_ids
from tests.storage.team_helpers import add_lead, add_person

AS_OF = date(2026, 11, 27)
ON = date(2026, 12, 14)


@pytest.fixture
def linked(tmp_path, seed_cases):
    from storage.db import init_db
    from storage.engine import make_engine

    path = tmp_path / "caseload.db"
    engine = make_engine(str(path))
    init_db(engine)
    seed_cases(engine)
    add_lead(engine, "L1", "T1")
    add_person(engine, "P4", "T2")
    with engine.begin() as conn:
        conn.execute(text("UPDATE team SET transition_team_pk = (SELECT id FROM team WHERE team_id = 'T2')"
                          " WHERE team_id = 'T1'"))
    yield engine, path
    engine.dispose()


def receivers(engine, who: str, case_ref: str | None = None):
    with Session(engine) as s:
        return transition_receiver_ids(s, resolve_actor(s, who) if who != "admin" else ADMIN, case_ref)


def test_the_transition_team_s_non_leads(linked):
    engine, _path = linked
    assert receivers(engine, "L1") == receivers(engine, "P1") == {"P4"}
    assert receivers(engine, "P1", "C2") == {"P4"}
    assert receivers(engine, "P1", "C1") == set()  # an adult's case: no transition
    assert receivers(engine, "P4") == set()  # the link goes one way
    assert receivers(engine, "admin") is None


@pytest.mark.parametrize(("who", "case_ref", "to", "allowed"), [
    ("L1", "C2", "P4", True),  # the YJ lead, a child, the adult team's practitioner
    ("P1", "C2", "P4", True),  # the child's practitioner too
    ("P1", "C2", "P3", False),  # the adult team's lead is no receiver
    ("P1", "C1", "P4", False),  # an adult's case does not go to another team
    ("L1", "C1", "P3", False),  # a lead is held to the same rule as the server holds their login:
    ("L1", "C1", "P4", False),  # nobody of another team for an adult's case,
    ("L1", "C2", "P3", False),  # nor the transition team's lead,
    ("L1", "C1", "P2", True),  # their own team's people, as before
    ("P1", "C2", "P2", True),  # a colleague of the team, as before
    ("admin", "C1", "P3", True),
])
def test_check_receiver(linked, who, case_ref, to, allowed):
    engine, _path = linked
    with Session(engine) as s:
        if allowed:
            check_receiver(s, who, case_ref, to)
        else:
            with pytest.raises(CaseloadError, match=f"cannot name {to} as the receiver of case {case_ref}"):
                check_receiver(s, who, case_ref, to)


def test_plan_handover_refuses_and_writes_nothing(linked):
    engine, _path = linked
    with Session(engine) as s, pytest.raises(CaseloadError, match="transition team"):
        repo.plan_handover(s, case_ref="C1", to_practitioner_id="P4", planned_on=ON, actor="P1", as_of=AS_OF)
    with Session(engine) as s:
        assert s.execute(text("SELECT count(*) FROM handover")).scalar_one() == 0


def test_without_the_link_no_one_of_another_team(linked):
    engine, _path = linked
    with engine.begin() as conn:
        conn.execute(text("UPDATE team SET transition_team_pk = NULL"))
    with Session(engine) as s, pytest.raises(CaseloadError):
        check_receiver(s, "P1", "C2", "P4")


@pytest.mark.parametrize("who", ["P1", "L1"])  # the lead as the practitioner: what the server holds them to
def test_handover_plan_to_on_the_command_line(linked, who):
    from tui.cli import main

    engine, path = linked
    base = ["--db", str(path), "--as", who, "handover", "plan"]
    tail = ["--on", ON.isoformat(), "--as-of", AS_OF.isoformat()]
    for ref, to in (("C1", "P4"), ("C1", "P3"), ("C2", "P3")):
        refused = CliRunner().invoke(main, [*base, ref, "--to", to, *tail])
        assert refused.exit_code == 2 and f"cannot name {to}" in refused.output, refused.output
        assert "Traceback" not in refused.output
    with Session(engine) as s:
        assert s.execute(text("SELECT count(*) FROM handover")).scalar_one() == 0
    planned = CliRunner().invoke(main, [*base, "C2", "--to", "P4", *tail])
    assert planned.exit_code == 0, planned.output
