"""storage.copy.copy_database: every row of every table arrives unchanged,
into SQLite and (with CASELOAD_TEST_PG_URL) PostgreSQL; a non-empty or
unready destination is refused and left as it was; new rows get fresh ids."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlmodel import Session, SQLModel

from planner.errors import CaseloadError
from storage import models as m
from storage.copy import copy_database
from storage.db import init_db
from storage.engine import make_engine
from storage.queries import load_cases, load_world

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def sample_engine(tmp_path):
    copy = tmp_path / "sample" / "sample.db"
    copy.parent.mkdir()
    shutil.copy(ROOT / "storage" / "sample.db", copy)
    engine = make_engine(str(copy))
    init_db(engine, backup_dir=tmp_path / "backups")  # up to this code's schema if the file lags
    yield engine
    engine.dispose()


def table_rows(engine) -> dict[str, list[tuple]]:
    with engine.connect() as conn:
        return {
            table.name: [tuple(row) for row in conn.execute(select(table).order_by(*table.primary_key.columns))]
            for table in SQLModel.metadata.sorted_tables
        }


def test_copy_carries_every_row(sample_engine, engine):
    report = copy_database(sample_engine, engine, batch_rows=7)  # many small batches
    source = table_rows(sample_engine)
    assert table_rows(engine) == source
    assert report.rows == {name: len(rows) for name, rows in source.items()}
    assert report.rows["contact"] > 100 and report.total == sum(report.rows.values())
    assert report.describe()[-1] == f"total: {report.total} rows"
    with Session(sample_engine) as a, Session(engine) as b:
        assert load_cases(a, include_closed=True) == load_cases(b, include_closed=True)
        assert load_world(a) == load_world(b)


def test_new_rows_after_a_copy_get_fresh_ids(sample_engine, engine):
    copy_database(sample_engine, engine)
    with Session(engine) as s:
        top = s.exec(select(func.max(m.Team.id))).one()[0]
        team = m.Team(team_id="TNEW", name="New Test Team")
        s.add(team)
        s.commit()
        assert team.id > top


def test_a_destination_with_rows_is_refused_and_untouched(sample_engine, engine):
    with Session(engine) as s:
        s.add(m.Team(team_id="T9", name="Already Here Team"))
        s.commit()
    before = table_rows(engine)
    with pytest.raises(CaseloadError, match="already has team rows"):
        copy_database(sample_engine, engine)
    assert table_rows(engine) == before


def test_unready_or_same_databases_are_refused(sample_engine, tmp_path):
    empty = make_engine(str(tmp_path / "empty.db"))
    try:
        with pytest.raises(CaseloadError, match="empty"):
            copy_database(sample_engine, empty)
        with pytest.raises(CaseloadError, match="same database"):
            copy_database(sample_engine, sample_engine)
        init_db(empty)
        with pytest.raises(ValueError):
            copy_database(sample_engine, empty, batch_rows=0)
    finally:
        empty.dispose()


def test_copy_of_an_empty_database_copies_nothing(tmp_path, engine):
    src = make_engine(str(tmp_path / "src.db"))
    try:
        init_db(src)
        report = copy_database(src, engine)
    finally:
        src.dispose()
    assert report.total == 0
    assert set(report.rows) == {t.name for t in SQLModel.metadata.sorted_tables}


def test_dates_survive_the_copy(sample_engine, engine):
    copy_database(sample_engine, engine)
    with engine.connect() as conn:
        first = conn.execute(select(func.min(m.Contact.contact_date))).scalar_one()
    assert isinstance(first, date)
