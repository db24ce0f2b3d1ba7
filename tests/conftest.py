"""Database fixtures shared by every test package.

`db_url` is a fresh, empty database: a SQLite file in a temporary folder,
and, when CASELOAD_TEST_PG_URL names a PostgreSQL server (as `.ci/run` sets
it), a new database on that server too. An unreachable server makes the
PostgreSQL tests error; they never skip.

`engine` is that database opened with `storage.engine.make_engine` and
initialised to the newest schema with `storage.db.init_db`.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

PG_URL = os.environ.get("CASELOAD_TEST_PG_URL")
BACKENDS = ["sqlite"] + (["postgresql"] if PG_URL else [])


def _admin_engine():
    return create_engine(PG_URL, isolation_level="AUTOCOMMIT")


@pytest.fixture
def new_pg_database() -> Iterator[Callable[..., str]]:
    """A factory: each call creates a new PostgreSQL database and returns its
    URL: empty, or a copy of the database named by `template` (which must
    have no open connections); all of them are dropped after the test."""
    assert PG_URL, "CASELOAD_TEST_PG_URL is not set"
    admin = _admin_engine()
    created: list[str] = []

    def create(template: str | None = None) -> str:
        name = "t_" + uuid.uuid4().hex[:16]
        clause = f' TEMPLATE "{template}"' if template else ""
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"{clause}'))
        created.append(name)
        return make_url(PG_URL).set(database=name).render_as_string(hide_password=False)

    try:
        yield create
    finally:
        with admin.connect() as conn:
            for name in created:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture
def pg_database(new_pg_database) -> str:
    """A new PostgreSQL database, dropped afterwards; its URL."""
    return new_pg_database()


@pytest.fixture(params=BACKENDS)
def db_url(request, tmp_path):
    if request.param == "sqlite":
        yield str(tmp_path / "data" / "caseload.db")
    else:
        yield request.getfixturevalue("pg_database")


@pytest.fixture
def engine(db_url):
    from storage.db import init_db
    from storage.engine import make_engine

    eng = make_engine(db_url)
    init_db(eng)
    try:
        yield eng
    finally:
        eng.dispose()


# ------------------------------------------------------------------ data helpers


def _seed_people_and_cases(engine) -> dict[str, int]:
    """Make-believe rows in the tables that exist since schema 0001: two
    teams, three practitioners, three cases with allocations (one handed
    over), contacts, an appointment and an absence with cover. Returns
    row counts by table."""
    import datetime as dt
    from types import SimpleNamespace


    from sqlalchemy import column, select, table
    from sqlmodel import Session

    from storage import models as m

    d = dt.date.fromisoformat
    with Session(engine) as s:
        # Core, naming the columns of schema 0001 only (the model has later ones).
        s.execute(table("team", *(column(n) for n in ("team_id", "name", "nation", "version"))).insert(), [
            dict(team_id="T1", name="North Team", nation="england-and-wales", version=1),
            dict(team_id="T2", name="Glen Team", nation="scotland", version=1)])
        teams = dict(s.execute(select(m.Team.__table__.c.team_id, m.Team.__table__.c.id)).all())
        north, glen = SimpleNamespace(id=teams["T1"]), SimpleNamespace(id=teams["T2"])
        ada = m.Practitioner(practitioner_id="P1", name="Ada Brightwater", team_pk=north.id)
        ben = m.Practitioner(
            practitioner_id="P2", name="Ben Quillfeather", team_pk=north.id, grade="PSO",
            contracted_hours=22.5, reduction_pct=10.0, leaving_on=d("2027-01-29"),
        )
        cai = m.Practitioner(
            practitioner_id="P3", name="Cai Moorland", team_pk=glen.id, role="team_lead", grade="SPO"
        )
        s.add_all([ada, ben, cai])
        s.flush()
        # Core, naming the columns of schema 0001 only (the model has later ones).
        base = dict(version=1, tier=None, contact_level=None, youth=False, date_of_birth=None, flags="",
                    status="active", paused_until=None)
        case_rows = [
            {**base, "case_ref": "C1", "display_name": "Dana Example", "team_pk": north.id, "tier": "B2",
             "flags": "do_not_move;safeguarding"},
            {**base, "case_ref": "C2", "display_name": "Eli Sample", "team_pk": north.id, "youth": True,
             "date_of_birth": d("2009-04-01"), "contact_level": "intensive"},
            {**base, "case_ref": "C3", "display_name": "Fay Placeholder", "team_pk": glen.id, "status": "paused",
             "paused_until": d("2026-12-14")},
        ]
        s.execute(table("case", *(column(name) for name in case_rows[0])).insert(), case_rows)
        ids = dict(s.execute(select(m.Case.__table__.c.case_ref, m.Case.__table__.c.id)).all())
        c1, c2, c3 = (SimpleNamespace(id=ids[ref]) for ref in ("C1", "C2", "C3"))
        s.add_all([
            m.Allocation(case_id=c1.id, practitioner_pk=ada.id, start_date=d("2025-02-03"),
                         end_date=d("2026-06-30"), reason="moved teams"),
            m.Allocation(case_id=c1.id, practitioner_pk=ben.id, start_date=d("2026-07-01")),
            m.Allocation(case_id=c2.id, practitioner_pk=ada.id, start_date=d("2026-09-14")),
            m.Allocation(case_id=c3.id, practitioner_pk=cai.id, start_date=d("2026-01-05")),
        ])
        # Core, naming the columns of schema 0001 only (the model has later ones).
        contact = m.Contact.__table__
        s.execute(contact.insert(), [
            dict(case_id=c1.id, contact_date=d("2026-06-20"), practitioner_pk=ada.id,
                 kind="three_way", outcome="attended", notes="made-up note", version=1),
            dict(case_id=c1.id, contact_date=d("2026-10-02"), practitioner_pk=ben.id, kind="phone",
                 outcome="attended", notes=None, version=1),
            dict(case_id=c1.id, contact_date=d("2026-11-02"), practitioner_pk=ben.id, kind="office",
                 outcome="missed", notes=None, version=1),
            dict(case_id=c2.id, contact_date=d("2026-09-16"), practitioner_pk=ada.id,
                 kind="home_visit", outcome="attended", notes=None, version=1),
            dict(case_id=c3.id, contact_date=d("2026-03-01"), practitioner_pk=cai.id, kind="office",
                 outcome="cancelled", notes=None, version=1),
        ])
        s.execute(m.Appointment.__table__.insert(), [
            dict(case_id=c2.id, appointment_date=d("2026-12-01"), practitioner_pk=ada.id,
                 time=dt.time(10, 30), kind="office", rrule="FREQ=WEEKLY;COUNT=4", version=1)])
        s.add(m.Absence(practitioner_pk=ada.id, start_date=d("2026-12-21"), end_date=d("2027-01-08"),
                        cover_practitioner_pk=ben.id))
        s.commit()
    return {"team": 2, "practitioner": 3, "case": 3, "allocation": 4, "contact": 5,
            "appointment": 1, "absence": 1}


def _table_rows(engine) -> dict[str, list[tuple]]:
    """Every row of every table (alembic_version included), ordered by
    primary key: for comparing a database before and after something."""
    from sqlalchemy import MetaData, select

    meta = MetaData()
    with engine.connect() as conn:
        meta.reflect(conn)
        out = {}
        for table in meta.sorted_tables:
            order = list(table.primary_key.columns) or list(table.columns)
            out[table.name] = [tuple(r) for r in conn.execute(select(table).order_by(*order))]
    return out


@pytest.fixture
def seed_cases():
    """`seed_cases(engine) -> {table: rows added}` (works from schema 0001 on)."""
    return _seed_people_and_cases


@pytest.fixture
def table_rows():
    """`table_rows(engine) -> {table: [row tuples]}`."""
    return _table_rows


@pytest.fixture(autouse=True)
def _imports_count_from_the_examples_season(monkeypatch):
    """The example CSV files (tests/data/csv) were written for December 2026:
    an import's checks that count from today (planner/validate.py: no contact
    after it, no new handover before it) count from 2026-12-07 in every test,
    as `caseload import --on 2026-12-07` would, so that the suite does not
    start failing as the calendar moves on. A test passes `today` to choose."""
    from datetime import date

    monkeypatch.setattr("storage.csvio.importer._today", lambda: date(2026, 12, 7))
