"""Alembic plumbing: the configuration of our migrations (in code, no
alembic.ini) and the one transaction a migration runs in."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import text
from sqlalchemy.engine import Connection, Engine

from planner.errors import CaseloadError

MIGRATIONS_DIR = Path(__file__).resolve().parent.parent / "migrations"
if TYPE_CHECKING:  # Alembic is imported only where it is used: every command
    from alembic.config import Config  # checks the schema, few migrate it


# Any fixed number: serialises `caseload init` runs against one PostgreSQL database.
_PG_MIGRATION_LOCK = 0x6361_7365  # "case"


def alembic_config(engine: Engine | None = None) -> Config:
    """An Alembic Config for our migrations; `engine`, if given, is the one
    env.py migrates (otherwise env.py resolves the database like the app)."""
    import sys

    from alembic.config import Config

    # Alembic's default stream is the sys.stdout of when alembic was first
    # imported, which may be a stream closed since (a captured command's):
    # the stream of now.
    cfg = Config(stdout=sys.stdout)
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR).replace("%", "%%"))
    if engine is not None:
        cfg.attributes["engine"] = engine
    return cfg


@contextmanager
def migration_connection(engine: Engine) -> Iterator[Connection]:
    """A connection inside one transaction for running migrations.

    SQLite: `PRAGMA foreign_keys=OFF` is set before the transaction (SQLite
    ignores it inside one), so batch mode can recreate a parent table without
    its children's rows failing or cascading; the transaction is a real
    `BEGIN IMMEDIATE` (pysqlite would otherwise commit each DDL statement on
    its own), and `PRAGMA foreign_key_check` must return no rows before it
    commits. Foreign keys are switched back on afterwards.
    PostgreSQL: one transaction holding an advisory lock, so two `caseload
    init` runs cannot migrate at the same time.
    """
    if engine.dialect.name != "sqlite":
        with engine.begin() as conn:
            if engine.dialect.name == "postgresql":
                conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _PG_MIGRATION_LOCK})
            yield conn
        return

    with engine.connect() as conn:
        conn.exec_driver_sql("PRAGMA foreign_keys=OFF")
        conn.commit()
        dbapi = conn.connection.driver_connection
        saved_isolation = dbapi.isolation_level
        dbapi.isolation_level = None  # we say BEGIN and COMMIT ourselves
        try:
            conn.exec_driver_sql("BEGIN IMMEDIATE")
            try:
                yield conn
                broken = conn.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
                if broken:
                    from storage.db.drift import fk_problem

                    raise CaseloadError(
                        "migration left rows pointing at missing records ("
                        + "; ".join(fk_problem(row) for row in broken[:5])
                        + "); nothing was changed"
                    )
            except BaseException:
                conn.rollback()
                raise
            conn.commit()
        finally:
            try:
                dbapi.isolation_level = saved_isolation
                conn.exec_driver_sql("PRAGMA foreign_keys=ON")
                conn.commit()
            except Exception:
                # Never hand a connection with foreign keys off back to the pool.
                conn.invalidate()
