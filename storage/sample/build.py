"""Writing the sample file: `build_sample`."""

from __future__ import annotations

import os
import shutil
import sqlite3
import tempfile
from datetime import date
from pathlib import Path

from sqlmodel import SQLModel

from storage.sample.builder import DEFAULT_BUILT_FOR, GENERATOR_VERSION, SEED, _Builder, _tables
from storage.sample.caseloads import _fillers, _leave_planning, _supervision
from storage.sample.continuity import continuity_history
from storage.sample.roster import _E1, _N1, LEAVING, _absences
from storage.sample.scenarios import _scenarios
from storage.sample.voice import _voice
from storage.sample.sentences import sentences
from storage.sample.transitions import transitions


def _build_rows(built_for: date, seed: int = SEED) -> _Builder:
    b = _Builder(built_for, seed)
    b.team("NPS-N1", "Northgate Probation")
    b.team("YJS-E1", "Eastbrook Youth Justice")
    for pid, name, role, grade, hours, red, *_ in _N1:
        leaving = b.d(LEAVING[pid]) if pid in LEAVING else None
        b.practitioner(pid, name, "NPS-N1", role, grade, hours, red, leaving)
    for pid, name, role, grade, hours, red, *_ in _E1:
        b.practitioner(pid, name, "YJS-E1", role, grade, hours, red)
    _absences(b)
    _scenarios(b)
    _fillers(b)
    _leave_planning(b)
    _supervision(b)
    continuity_history(b)
    _voice(b)
    sentences(b)
    transitions(b)
    b.rows["meta"] = [
        dict(key="built_for", value=built_for.isoformat()),
        dict(key="generator_version", value=GENERATOR_VERSION),
        dict(key="seed", value=str(seed)),
        dict(key="about", value="Made-up sample data: every person and case is fictional."),
    ]
    return b



def _init_engine(path: Path):
    from storage.db import init_db
    from storage.engine import make_engine

    engine = make_engine(str(path))
    init_db(engine)
    return engine


def _write(engine, rows: dict[str, list[dict]]) -> None:
    tables = _tables()
    with engine.begin() as conn:
        for table in SQLModel.metadata.sorted_tables:
            batch = rows.get(table.name)
            if not batch:
                continue
            if table.name in ("contact", "appointment"):
                key = "contact_date" if table.name == "contact" else "appointment_date"
                batch.sort(key=lambda r: (r[key], r["case_id"], r["practitioner_pk"], r.get("kind", "")))
                for i, row in enumerate(batch, start=1):
                    row["id"] = i
            conn.execute(tables[table.name].insert(), batch)


def build_sample(path: str | os.PathLike[str], built_for: date = DEFAULT_BUILT_FOR) -> Path:
    """Write the sample database to `path` (replacing it), deterministically
    from `built_for`. Created through `init_db`, so the file is at Alembic head."""
    dest = Path(path)
    builder = _build_rows(built_for)
    with tempfile.TemporaryDirectory(prefix="caseload-sample-") as tmp:
        work = Path(tmp) / "sample.db"
        engine = _init_engine(work)
        try:
            _write(engine, builder.rows)
        finally:
            engine.dispose()
        con = sqlite3.connect(work)
        try:
            con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            con.execute("PRAGMA journal_mode=DELETE")
            con.execute("VACUUM")
        finally:
            con.close()
        dest.parent.mkdir(parents=True, exist_ok=True)
        partial = dest.with_name(dest.name + ".partial")
        shutil.copyfile(work, partial)
        os.replace(partial, dest)
    return dest

