"""Helpers shared by the CSV import and export tests."""

from __future__ import annotations

import os
import uuid
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import create_engine, select, text
from sqlalchemy.engine import make_url
from sqlmodel import SQLModel

DATA = Path(__file__).resolve().parents[1] / "data" / "csv"
EXAMPLES = sorted(DATA.glob("*.csv"))


def dump(engine) -> dict[str, list[tuple]]:
    """Every row of every table, in primary-key order: equal dumps, equal databases."""
    import storage.models  # noqa: F401 - registers the tables

    out: dict[str, list[tuple]] = {}
    with engine.connect() as conn:
        for table in SQLModel.metadata.sorted_tables:
            out[table.name] = [tuple(r) for r in conn.execute(select(table).order_by(*table.primary_key.columns))]
    return out


def write(folder: Path, name: str, content: str | bytes) -> Path:
    path = folder / name
    path.write_bytes(content.encode("utf-8") if isinstance(content, str) else content)
    return path


@contextmanager
def second_engine(db_url: str, tmp_path: Path):
    """Another fresh, initialised database on the same backend as `db_url`."""
    from storage.db import init_db
    from storage.engine import make_engine

    if "://" not in db_url:
        eng = make_engine(str(tmp_path / "second-db" / "caseload.db"))
        init_db(eng)
        try:
            yield eng
        finally:
            eng.dispose()
        return
    admin = create_engine(os.environ["CASELOAD_TEST_PG_URL"], isolation_level="AUTOCOMMIT")
    name = "t_" + uuid.uuid4().hex[:16]
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    eng = make_engine(make_url(db_url).set(database=name).render_as_string(hide_password=False))
    try:
        init_db(eng)
        yield eng
    finally:
        eng.dispose()
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def file_bytes(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}
