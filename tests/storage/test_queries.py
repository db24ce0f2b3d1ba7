"""storage.queries: rows become the right planner dataclasses, in a fixed
number of statements whatever the number of cases. Runs on SQLite and, when
CASELOAD_TEST_PG_URL is set, on PostgreSQL (the `engine` fixture)."""

from __future__ import annotations

import datetime as dt
from datetime import date

import pytest
from sqlalchemy import event
from sqlmodel import Session, select

from planner.errors import CaseloadError
from planner.model import Absence, Allocation, Contact
from storage import models as m
from storage import queries
from storage.queries import (
    CaseNoteView,
    appointment_version,
    case_versions,
    list_practitioners,
    list_teams,
    load_actions,
    load_case,
    load_case_notes,
    load_cases,
    load_world,
)

D = date.fromisoformat


# ------------------------------------------------------------------ test data (make-believe)


def seed_people(s: Session) -> dict[str, int]:
    """Two teams, four practitioners; returns practitioner_id -> pk."""
    t1 = m.Team(team_id="T1", name="North Team")
    t2 = m.Team(team_id="T2", name="Glen Team", nation="scotland")
    s.add_all([t1, t2])
    s.flush()
    people = [
        m.Practitioner(practitioner_id="P1", name="Avery Test", team_pk=t1.id, grade="PO"),
        m.Practitioner(practitioner_id="P2", name="Blake Test", team_pk=t1.id, grade="PSO",
                       contracted_hours=22.5, reduction_pct=10.0, leaving_on=D("2027-01-31")),
        m.Practitioner(practitioner_id="P3", name="Casey Test", team_pk=t2.id),
        m.Practitioner(practitioner_id="L1", name="Drew Lead", team_pk=t1.id, role="team_lead",
                       grade="SPO", email="lead@example.invalid"),
    ]
    s.add_all(people)
    s.flush()
    return {p.practitioner_id: p.id for p in people}


def add_case(s: Session, pk: dict[str, int], ref: str, *, holder: str = "P1",
             previous: str | None = "P2", tier: str | None = "C2", team: str = "T1",
             status: str = "active", **fields) -> int:
    """A case with a past and a current allocation, contacts and an appointment
    (inserted out of date order on purpose)."""
    team_pk = s.exec(select(m.Team.id).where(m.Team.team_id == team)).one()
    case = m.Case(case_ref=ref, display_name=f"Person {ref}", team_pk=team_pk, tier=tier,
                  status=status, **fields)
    s.add(case)
    s.flush()
    if previous:
        s.add(m.Allocation(case_id=case.id, practitioner_pk=pk[previous],
                           start_date=D("2026-01-05"), end_date=D("2026-06-30")))
    s.add(m.Allocation(case_id=case.id, practitioner_pk=pk[holder], start_date=D("2026-07-01"),
                       reason="caseload balance"))
    s.add_all([
        m.Contact(case_id=case.id, contact_date=D("2026-10-01"), practitioner_pk=pk[holder],
                  kind="office", outcome="attended", notes="private words"),
        m.Contact(case_id=case.id, contact_date=D("2026-03-02"), practitioner_pk=pk[previous or holder],
                  kind="home_visit", outcome="missed"),
        m.Contact(case_id=case.id, contact_date=D("2026-08-15"), practitioner_pk=pk[holder],
                  kind="phone", outcome="attended"),
    ])
    s.add_all([
        m.Appointment(case_id=case.id, appointment_date=D("2026-12-10"), practitioner_pk=pk[holder],
                      time=dt.time(14, 30), kind="office"),
        m.Appointment(case_id=case.id, appointment_date=D("2026-12-03"), practitioner_pk=pk[holder],
                      rrule="FREQ=WEEKLY;COUNT=4"),
    ])
    s.flush()
    return case.id


def add_handover(s: Session, pk: dict[str, int], case_id: int, *, to: str = "P2",
                 status: str = "planned") -> int:
    handover = m.Handover(case_id=case_id, from_practitioner_pk=pk["P1"],
                          to_practitioner_pk=pk[to], planned_on=D("2026-12-14"), status=status,
                          reason="leaving")
    s.add(handover)
    s.flush()
    s.add_all([  # out of due-date order on purpose
        m.HandoverItem(handover_id=handover.id, item_id="three_way", title="Three-way",
                       due=D("2026-12-14")),
        m.HandoverItem(handover_id=handover.id, item_id="told", title="Told", due=D("2026-11-30"),
                       done=True, done_on=D("2026-11-25"), owner="outgoing"),
        m.HandoverItem(handover_id=handover.id, item_id="review", title="Review", required=False,
                       due=D("2027-01-11"), owner="lead"),
    ])
    s.flush()
    return handover.id


@pytest.fixture
def seeded(engine):
    """C1 in detail (tier A2, flags, a handover); C2 with P3 in team T2; C3 closed."""
    with Session(engine) as s:
        pk = seed_people(s)
        c1 = add_case(s, pk, "C1", tier="A2", flags="opd;safeguarding", youth=True)
        add_handover(s, pk, c1)
        add_case(s, pk, "C2", holder="P3", previous=None, tier=None, team="T2",
                 contact_level="low")
        add_case(s, pk, "C3", status="closed", tier="D1")
        s.commit()
    return engine


def count_statements(engine):
    """A list that grows by one per statement the engine sends."""
    seen: list[str] = []

    def before(conn, cursor, statement, parameters, context, executemany):
        seen.append(statement)

    event.listen(engine, "before_cursor_execute", before)
    return seen, lambda: event.remove(engine, "before_cursor_execute", before)


# ------------------------------------------------------------------ load_cases


def test_load_cases_builds_the_case_dataclasses(seeded):
    with Session(seeded) as s:
        cases = load_cases(s)
    assert [c.case_ref for c in cases] == ["C1", "C2"]  # closed C3 left out, ordered by ref
    c1 = cases[0]
    assert c1.display_name == "Person C1"
    assert c1.team_id == "T1"
    assert c1.tier == "A2"
    assert c1.contact_level == "intensive"  # resolved from tier A
    assert c1.flags == frozenset({"opd", "safeguarding"})
    assert c1.youth is True
    assert c1.status == "active"
    assert c1.allocations == (
        Allocation("P2", D("2026-01-05"), D("2026-06-30")),
        Allocation("P1", D("2026-07-01"), None, "caseload balance"),
    )
    assert c1.current_allocation == c1.allocations[-1]
    assert c1.practitioner_id == "P1"
    assert [(c.contact_date, c.practitioner_id, c.kind, c.outcome) for c in c1.contacts] == [
        (D("2026-03-02"), "P2", "home_visit", "missed"),
        (D("2026-08-15"), "P1", "phone", "attended"),
        (D("2026-10-01"), "P1", "office", "attended"),
    ]
    assert all(isinstance(c, Contact) and c.id is not None for c in c1.contacts)
    assert [(a.appointment_date, a.time, a.rrule) for a in c1.appointments] == [
        (D("2026-12-03"), None, "FREQ=WEEKLY;COUNT=4"),
        (D("2026-12-10"), dt.time(14, 30), None),
    ]
    (handover,) = c1.handovers
    assert (handover.from_practitioner_id, handover.to_practitioner_id) == ("P1", "P2")
    assert handover.planned_on == D("2026-12-14") and handover.is_open
    assert c1.open_handover == handover
    assert [i.item_id for i in handover.items] == ["told", "three_way", "review"]  # by due date
    told = handover.items[0]
    assert told.done is True and told.done_on == D("2026-11-25") and told.required is True
    assert handover.items[2].required is False and handover.items[2].owner == "lead"

    c2 = cases[1]
    assert c2.tier is None and c2.contact_level == "low"  # explicit level kept
    assert c2.flags == frozenset() and c2.handovers == ()
    assert c2.team_id == "T2" and c2.practitioner_id == "P3"


def test_contact_level_defaults_to_standard_without_tier_or_level(engine):
    with Session(engine) as s:
        pk = seed_people(s)
        add_case(s, pk, "C9", tier=None)
        s.commit()
        assert load_case(s, "C9").contact_level == "standard"


def test_load_cases_filters(seeded):
    with Session(seeded) as s:
        # P1 holds C1 now; P2 held it before, which does not count
        assert [c.case_ref for c in load_cases(s, practitioner_id="P1")] == ["C1"]
        assert load_cases(s, practitioner_id="P2") == []
        assert [c.case_ref for c in load_cases(s, practitioner_id="P1", include_closed=True)] == ["C1", "C3"]
        # team = the current practitioner's team
        assert [c.case_ref for c in load_cases(s, team_id="T2")] == ["C2"]
        assert [c.case_ref for c in load_cases(s, team_id="T1")] == ["C1"]
        assert [c.case_ref for c in load_cases(s, case_refs=["C2", "C3", "NOPE"])] == ["C2"]
        assert [c.case_ref for c in load_cases(s, case_refs=["C3"], include_closed=True)] == ["C3"]
        recent = load_cases(s, case_refs=["C1"], contacts_since=D("2026-08-15"))[0]
        assert [c.contact_date for c in recent.contacts] == [D("2026-08-15"), D("2026-10-01")]
        assert len(recent.allocations) == 2  # only contacts are cut


def test_load_cases_unknown_filter_ids_are_errors(seeded):
    with Session(seeded) as s:
        with pytest.raises(CaseloadError, match="unknown practitioner P404"):
            load_cases(s, practitioner_id="P404")
        with pytest.raises(CaseloadError, match="unknown team T404"):
            load_cases(s, team_id="T404")


def test_load_case_and_unknown_case(seeded):
    with Session(seeded) as s:
        assert load_case(s, "C3").status == "closed"  # closed cases stay readable
        with pytest.raises(CaseloadError, match="unknown case NOPE"):
            load_case(s, "NOPE")


def test_statement_count_does_not_grow_with_cases(engine, monkeypatch):
    """5 cases and 50 cases: the same number of statements. Above
    ID_LIST_LIMIT (SQLITE_ID_LIST_LIMIT on SQLite) the child tables are
    filtered by a subquery instead of an id list; still the same count and
    the same result."""
    with Session(engine) as s:
        pk = seed_people(s)
        for n in range(50):
            cid = add_case(s, pk, f"A{n:03d}", holder="P1")
            if n % 2:
                add_handover(s, pk, cid)
        for n in range(5):
            cid = add_case(s, pk, f"B{n:03d}", holder="P3", previous="P1", team="T2")
            add_handover(s, pk, cid, to="P1")
        s.commit()

    seen, stop = count_statements(engine)
    try:
        with Session(engine) as s:
            before = len(seen)
            five = load_cases(s, practitioner_id="P3")
            five_count = len(seen) - before

            before = len(seen)
            fifty = load_cases(s, practitioner_id="P1")
            fifty_count = len(seen) - before

            before = len(seen)
            team = load_cases(s, team_id="T1")
            team_count = len(seen) - before

            monkeypatch.setattr(queries.cases, "ID_LIST_LIMIT", 10)  # read where _load_cases looks it up
            monkeypatch.setattr(queries.cases, "SQLITE_ID_LIST_LIMIT", 10)
            before = len(seen)
            fifty_by_subquery = load_cases(s, practitioner_id="P1")
            subquery_count = len(seen) - before
    finally:
        stop()

    assert len(five) == 5 and len(fifty) == 50
    assert all(len(c.contacts) == 3 and len(c.allocations) == 2 for c in five + fifty)
    assert five_count == fifty_count
    assert team_count == five_count + 1  # one more: the team id lookup
    assert subquery_count == fifty_count
    assert fifty_by_subquery == fifty
    assert fifty_count <= 9  # two of them the check-ins and not_with lists (docs/voice.md)


# ------------------------------------------------------------------ world and lists


def test_load_world(seeded):
    with Session(seeded) as s:
        pk = dict(s.exec(select(m.Practitioner.practitioner_id, m.Practitioner.id)).all())
        s.add_all([
            m.Absence(practitioner_pk=pk["P1"], start_date=D("2026-12-21"), end_date=D("2027-01-01"),
                      cover_practitioner_pk=pk["P2"]),
            m.Absence(practitioner_pk=pk["P1"], start_date=D("2026-11-02"), end_date=D("2026-11-03"),
                      kind="training"),
            m.Absence(practitioner_pk=pk["P3"], start_date=D("2026-12-01"), end_date=D("2026-12-01"),
                      kind="sickness"),
        ])
        s.commit()
        world = load_world(s)

    assert set(world.teams) == {"T1", "T2"}
    assert world.teams["T2"].nation == "scotland"
    assert set(world.practitioners) == {"P1", "P2", "P3", "L1"}
    p2 = world.practitioners["P2"]
    assert (p2.team_id, p2.grade, p2.contracted_hours, p2.reduction_pct, p2.leaving_on) == (
        "T1", "PSO", 22.5, 10.0, D("2027-01-31"))
    assert world.practitioners["L1"].is_lead
    assert world.practitioners["P3"].nation == "scotland"  # from the team when not set
    assert world.nation_of("P3") == "scotland"
    p1_absences = world.absences_of("P1")
    assert [a.start_date for a in p1_absences] == [D("2026-11-02"), D("2026-12-21")]
    assert p1_absences[1].cover_practitioner_id == "P2"
    assert p1_absences[0].kind == "training" and p1_absences[0].cover_practitioner_id is None
    assert world.absences_of("P3") == (Absence("P3", D("2026-12-01"), D("2026-12-01"), "sickness",
                                               None, world.absences_of("P3")[0].id),)
    assert world.absences_of("P2") == ()


def test_list_practitioners_and_teams(seeded):
    with Session(seeded) as s:
        assert [t.team_id for t in list_teams(s)] == ["T1", "T2"]
        assert [p.practitioner_id for p in list_practitioners(s)] == ["L1", "P1", "P2", "P3"]
        assert [p.practitioner_id for p in list_practitioners(s, team_id="T2")] == ["P3"]
        with pytest.raises(CaseloadError, match="unknown team T9"):
            list_practitioners(s, team_id="T9")


def test_case_and_appointment_versions(seeded):
    with Session(seeded) as s:
        assert case_versions(s, "C1") == 1
        appointment = load_case(s, "C1").appointments[0]
        assert appointment_version(s, appointment.id) == 1
        with pytest.raises(CaseloadError, match="unknown case NOPE"):
            case_versions(s, "NOPE")
        with pytest.raises(CaseloadError, match="unknown appointment 999999"):
            appointment_version(s, 999999)


# ------------------------------------------------------------------ actions and notes


def test_load_actions(seeded):
    with Session(seeded) as s:
        pk = dict(s.exec(select(m.Practitioner.practitioner_id, m.Practitioner.id)).all())
        c1 = s.exec(select(m.Case.id).where(m.Case.case_ref == "C1")).one()
        session_row = m.SupervisionSession(practitioner_pk=pk["P1"], lead_pk=pk["L1"],
                                           session_date=D("2026-11-20"))
        s.add(session_row)
        s.flush()
        s.add_all([
            m.Action(session_id=session_row.id, case_id=c1, owner_pk=pk["P1"], text="Book three-way",
                     due=D("2026-12-04")),
            m.Action(session_id=session_row.id, owner_pk=pk["P1"], text="Read policy",
                     due=D("2026-11-27"), done=True, done_on=D("2026-11-26")),
            m.Action(owner_pk=pk["P2"], text="Call back", due=D("2026-11-30")),
        ])
        s.commit()

        open_actions = load_actions(s)
        assert [(a.owner_id, a.due, a.case_ref) for a in open_actions] == [
            ("P2", D("2026-11-30"), None),
            ("P1", D("2026-12-04"), "C1"),
        ]
        assert open_actions[1].session_id == session_row.id and open_actions[1].done is False
        p1_all = load_actions(s, owner_id="P1", open_only=False)
        assert [a.text for a in p1_all] == ["Read policy", "Book three-way"]
        assert p1_all[0].done is True
        assert [a.text for a in load_actions(s, case_ref="C1")] == ["Book three-way"]
        with pytest.raises(CaseloadError, match="unknown practitioner P404"):
            load_actions(s, owner_id="P404")
        with pytest.raises(CaseloadError, match="unknown case NOPE"):
            load_actions(s, case_ref="NOPE")


def test_load_case_notes(seeded):
    with Session(seeded) as s:
        pk = dict(s.exec(select(m.Practitioner.practitioner_id, m.Practitioner.id)).all())
        c1 = s.exec(select(m.Case.id).where(m.Case.case_ref == "C1")).one()
        s.add_all([
            m.CaseNote(case_id=c1, author_pk=pk["P1"], written_on=D("2026-11-20"), text="second"),
            m.CaseNote(case_id=c1, author_pk=None, written_on=D("2026-10-01"), text="first"),
        ])
        s.commit()
        notes = load_case_notes(s, "C1")
        assert [(n.written_on, n.author_id, n.text) for n in notes] == [
            (D("2026-10-01"), None, "first"),
            (D("2026-11-20"), "P1", "second"),
        ]
        assert all(isinstance(n, CaseNoteView) and n.case_ref == "C1" for n in notes)
        assert load_case_notes(s, "C2") == []
        with pytest.raises(CaseloadError, match="unknown case NOPE"):
            load_case_notes(s, "NOPE")


def test_who_cancelled_a_second_practitioner_and_open_ended_absences_are_read_by_every_path(seeded, tmp_path):
    """Schema 0006's columns reach the rules through load_cases, the bounded
    warnings read and load_world, through a session and, on a database by
    location, the bare-driver Reader (storage/reader.py)."""
    from storage.engine import session
    from storage.queries import load_cases_for_warnings
    from storage.reader import Database

    with Session(seeded) as s:
        pk = dict(s.exec(select(m.Practitioner.practitioner_id, m.Practitioner.id)).all())
        c1 = s.exec(select(m.Case.id).where(m.Case.case_ref == "C1")).one()
        s.add_all([
            m.Contact(case_id=c1, contact_date=D("2026-11-20"), practitioner_pk=pk["P1"], kind="three_way",
                      outcome="attended", with_practitioner_pk=pk["P2"]),
            m.Contact(case_id=c1, contact_date=D("2026-11-24"), practitioner_pk=pk["P1"], kind="office",
                      outcome="cancelled", cancelled_by="practitioner"),
            m.Absence(practitioner_pk=pk["P1"], start_date=D("2026-11-25"), end_date=None, kind="sickness"),
        ])
        s.commit()

    def check(reader) -> None:
        as_of = D("2026-11-27")
        for cases in (load_cases(reader, case_refs=["C1"]),
                      load_cases_for_warnings(reader, as_of, case_refs=["C1"])):
            contacts = {c.contact_date: c for c in cases[0].contacts}
            assert contacts[D("2026-11-20")].with_practitioner_id == "P2"
            assert contacts[D("2026-11-20")].involves("P2")
            assert contacts[D("2026-11-24")].cancelled_by == "practitioner"
            assert contacts[D("2026-11-20")].cancelled_by is None
        sick = [a for a in load_world(reader).absences_of("P1") if a.kind == "sickness"]
        assert [(a.start_date, a.end_date, a.open_ended) for a in sick] == [(D("2026-11-25"), None, True)]

    with session(seeded) as s:
        check(s)
    url = seeded.url.render_as_string(hide_password=False)
    target = url if seeded.dialect.name == "postgresql" else seeded.url.database
    database = Database(target)
    if database.kind in ("sqlite", "postgresql"):
        with database.reader() as reader:
            assert type(reader).__name__ == "Reader"
            check(reader)


# ------------------------------------------------------------------ meaningful contact, one definition


def test_the_sql_meaningful_filter_agrees_with_the_planners_definition(engine):
    """planner.model.is_meaningful and the SQL condition storage filters
    contacts by (storage.queries._MEANINGFUL, from planner.model.meaningful_sql)
    pick the same contacts, on every kind x outcome (x cancelled_by for a
    cancelled one), stored and read back on this backend."""
    from itertools import product

    from sqlalchemy import text

    from planner.model import CANCELLED_BY, CONTACT_KINDS, OUTCOMES, is_meaningful

    # cancelled_by goes with a cancelled contact only (a CHECK on PostgreSQL)
    combos = [(kind, outcome, by) for kind, outcome, by in product(CONTACT_KINDS, OUTCOMES, (None, *CANCELLED_BY))
              if by is None or outcome == "cancelled"]
    with Session(engine) as s:
        pk = seed_people(s)
        team_pk = s.exec(select(m.Team.id).where(m.Team.team_id == "T1")).one()
        case = m.Case(case_ref="M1", display_name="Person M1", team_pk=team_pk)
        s.add(case)
        s.flush()
        for n, (kind, outcome, by) in enumerate(combos):
            s.add(m.Contact(case_id=case.id, contact_date=date(2026, 1, 1) + dt.timedelta(days=n),
                            practitioner_pk=pk["P1"], kind=kind, outcome=outcome, cancelled_by=by))
        s.commit()
        rows = s.connection().execute(text("SELECT k.kind, k.outcome, k.cancelled_by FROM contact k")).all()
        picked = s.connection().execute(
            text(f"SELECT k.kind, k.outcome, k.cancelled_by FROM contact k WHERE {queries._MEANINGFUL}")).all()
        loaded = load_case(s, "M1").contacts
    assert len(rows) == len(combos) == len(loaded)
    expected = {tuple(row) for row in rows if is_meaningful(row.outcome, row.kind)}
    assert {tuple(row) for row in picked} == expected
    assert expected and len(expected) < len(rows)  # both kinds of contact are there
    # the planner's Contact, as storage builds it, says the same of each
    assert {(c.kind, c.outcome, c.cancelled_by) for c in loaded if c.meaningful} == expected
