"""Helpers for the team-server tests (issue 8): the shipped sample on either
database, and make-believe people added to the conftest seed."""

from __future__ import annotations

import shutil
from pathlib import Path

from sqlmodel import Session, select

from storage import models as m

REPO = Path(__file__).resolve().parents[2]
SAMPLE = REPO / "sample.db"


def sample_sqlite_copy(folder: Path) -> Path:
    """A private copy of sample.db (never open the shipped file in place)."""
    folder.mkdir(parents=True, exist_ok=True)
    dest = folder / "sample-copy.db"
    shutil.copyfile(SAMPLE, dest)
    dest.chmod(0o600)
    return dest


def sample_engine(db_url: str, tmp_path: Path):
    """An engine on the sample data: a copy of the file (SQLite) or the file
    copied into the fresh PostgreSQL database `db_url`."""
    from storage.copy import copy_database
    from storage.db import init_db
    from storage.engine import make_engine

    copy = sample_sqlite_copy(tmp_path / "sample")
    if "://" not in db_url:
        return make_engine(str(copy), create=False)
    src = make_engine(str(copy), create=False)
    dst = make_engine(db_url)
    init_db(dst)
    copy_database(src, dst)
    src.dispose()
    return dst


def add_lead(engine, practitioner_id: str = "L1", team_id: str = "T1") -> None:
    """A team lead for a team of the conftest seed (which has none in T1)."""
    with Session(engine) as s:
        team = s.exec(select(m.Team).where(m.Team.team_id == team_id)).one()
        s.add(m.Practitioner(practitioner_id=practitioner_id, name="Lee Madeup", team_pk=team.id,
                             role="team_lead", grade="SPO"))
        s.commit()
