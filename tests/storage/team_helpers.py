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
    add_person(engine, practitioner_id, team_id, role="team_lead")


def add_person(engine, practitioner_id: str, team_id: str, *, role: str = "practitioner") -> None:
    """A made-up practitioner (or lead) in a team of the conftest seed."""
    with Session(engine) as s:
        team = s.exec(select(m.Team).where(m.Team.team_id == team_id)).one()
        s.add(m.Practitioner(practitioner_id=practitioner_id, name="Lee Madeup", team_pk=team.id,
                             role=role, grade="SPO" if role == "team_lead" else "PO"))
        s.commit()


# ---------------------------------------------------------------- PostgreSQL logins

PASSWORD = "made-up-secret-1"  # the CI server trusts 127.0.0.1; the password is set all the same


def login_url(url: str, login: str) -> str:
    """`url` (the owner's) with another login."""
    from sqlalchemy.engine import make_url

    return make_url(url).set(username=login, password=PASSWORD).render_as_string(hide_password=False)


def connect_as(url: str, login: str):
    """A plain psycopg connection as `login`: no SQLAlchemy, no caseload code."""
    import psycopg
    from sqlalchemy.engine import make_url

    u = make_url(url)
    return psycopg.connect(host=u.host, port=u.port, dbname=u.database, user=login,
                           password=PASSWORD, autocommit=True)


def rows(conn, sql: str, *args) -> list[tuple]:
    with conn.cursor() as cur:
        cur.execute(sql, args or None)
        return cur.fetchall()


def drop_logins(url: str, logins) -> None:
    """Drop the test's login roles (they are per server, not per database)."""
    from sqlalchemy import create_engine, text

    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = ANY(:u)"),
                         {"u": list(logins)})
            for login in logins:
                if conn.execute(text("SELECT 1 FROM pg_roles WHERE rolname = :r"), {"r": login}).first():
                    conn.execute(text(f'DROP OWNED BY "{login}"'))
                    conn.execute(text(f'DROP ROLE "{login}"'))
    finally:
        admin.dispose()
