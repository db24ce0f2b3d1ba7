"""`risk_plan_shared` on a handover planned before its case became high risk
(SPEC §11, docs/handovers.md "Risk after planning",
storage/handovers/risk_item.py): the sync adds it to the open handover,
required and due D−7, audited, once; read-only paths see it in memory before
any sync; it stays when the risk drops again. Runs on SQLite and, with
CASELOAD_TEST_PG_URL, on PostgreSQL (the `engine` fixture)."""

from __future__ import annotations

from datetime import date

import pytest
from sqlmodel import Session, select

from planner.handover import with_auto_ticks
from planner.risk import evaluate_case
from storage import handovers as ho
from storage import models as m
from storage import repo
from storage.queries import load_case, load_cases, load_world

AS_OF = date(2026, 11, 27)  # Friday
DAY = date(2026, 12, 14)  # the handover date, a Monday: D−7 is Mon 7 Dec
RISK = "risk_plan_shared"


@pytest.fixture
def planned(engine, seed_cases):
    """C1 (T1, P2's, no risk recorded) handed over to P1 on DAY."""
    seed_cases(engine)
    with Session(engine) as s:
        repo.plan_handover(s, case_ref="C1", to_practitioner_id="P1", planned_on=DAY, actor="admin", as_of=AS_OF)
        repo.commit_or_conflict(s)
    return engine


def items(engine) -> dict[str, m.HandoverItem]:
    with Session(engine) as s:
        handover = load_case(s, "C1").open_handover
        return {i.item_id: i for i in handover.items}


def set_risk(engine, **values) -> None:
    with Session(engine) as s:
        version = s.exec(select(m.Case.version).where(m.Case.case_ref == "C1")).one()
        repo.update_case(s, case_ref="C1", expected_version=version, actor="admin", **values)
        repo.commit_or_conflict(s)


def sync(engine) -> int:
    with Session(engine) as s:
        n = ho.sync_auto_ticks(s, as_of=AS_OF, case_refs=["C1"], actor="admin")
        repo.commit_or_conflict(s)
    return n


def test_a_handover_planned_before_the_risk_has_no_item(planned):
    assert RISK not in items(planned)
    assert sync(planned) == 0


@pytest.mark.parametrize("risk", [{"rosh": "high"}, {"rosh": "very_high"}, {"mappa_level": 1}])
def test_the_sync_adds_it_when_the_case_becomes_high_risk(planned, risk):
    set_risk(planned, **risk)
    assert sync(planned) == 1
    item = items(planned)[RISK]
    assert (item.required, item.due, item.owner, item.done) == (True, date(2026, 12, 7), "outgoing", False)
    assert sync(planned) == 0  # once
    with Session(planned) as s:
        events = s.exec(select(m.AuditEvent).where(m.AuditEvent.action == "add_item")).all()
    assert [(e.case_ref, e.entity_key.endswith(f":{RISK}")) for e in events] == [("C1", True)]


def test_a_medium_rosh_adds_nothing(planned):
    set_risk(planned, rosh="medium")
    assert sync(planned) == 0 and RISK not in items(planned)


def test_read_only_paths_see_it_before_any_sync(planned):
    """`caseload warnings` and the app's caseload (with_auto_ticks): the same
    checklist either way."""
    set_risk(planned, rosh="high")
    with Session(planned) as s:
        world, cases = load_world(s), load_cases(s, case_refs=["C1"])
    (case,) = with_auto_ticks(cases, world, AS_OF)
    assert RISK in {i.item_id for i in case.open_handover.items}
    assert RISK not in items(planned)  # nothing written
    sync(planned)
    with Session(planned) as s:
        stored = load_cases(s, case_refs=["C1"])
    assert [i.item_id for i in with_auto_ticks(stored, world, AS_OF)[0].open_handover.items] == \
        [i.item_id for i in case.open_handover.items]


def test_it_stays_when_the_risk_drops_again(planned):
    """Decided in docs/handovers.md: the plan of a risk that was high during
    the handover is still what the incoming practitioner needs to read."""
    set_risk(planned, rosh="high")
    sync(planned)
    set_risk(planned, rosh="low")
    assert sync(planned) == 0
    assert items(planned)[RISK].required
    with Session(planned) as s:
        world, case = load_world(s), load_case(s, "C1")
    assert RISK in {i.item_id for i in case.open_handover.items}
    evaluate_case(case, world, AS_OF)  # evaluates with the item in place


def test_a_cancelled_handover_gains_nothing(planned):
    with Session(planned) as s:
        ho.cancel_handover(s, case_ref="C1", actor="admin", on=AS_OF)
        repo.commit_or_conflict(s)
    set_risk(planned, rosh="high")
    assert sync(planned) == 0
