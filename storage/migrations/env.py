"""Alembic environment for caseload.

Used two ways:
- by `storage.db` (init_db, check_db), which passes its engine in
  `config.attributes["engine"]`; no alembic.ini needed, so it works from an
  installed package;
- by a developer running the Alembic CLI from the repo, e.g.
  `alembic -c storage/alembic.ini -x db=/tmp/x.db revision --autogenerate -m "..."`
  (`-x db=` takes a path or URL; without it, `CASELOAD_DB` or the user's
  default database is used, as for the app).

Every migration runs in one transaction on a connection from
`storage.db.migration_connection`: on SQLite, foreign keys are switched off
around it (batch mode recreates tables, which must not cascade or fail on
child rows) and `PRAGMA foreign_key_check` must come back empty before it
commits.
"""

from __future__ import annotations

from alembic import context
from sqlmodel import SQLModel

import storage.models  # noqa: F401 - fills SQLModel.metadata
from storage.db import migration_connection
from storage.engine import make_engine, resolve_db

config = context.config
target_metadata = SQLModel.metadata

if config.config_file_name is not None and "engine" not in config.attributes:
    # The Alembic CLI: log "Running upgrade ..." lines as the ini says.
    from logging.config import fileConfig

    fileConfig(config.config_file_name, disable_existing_loggers=False)


def _db_argument() -> str | None:
    return context.get_x_argument(as_dictionary=True).get("db") or config.get_main_option(
        "sqlalchemy.url"
    ) or None


def run_migrations_offline() -> None:
    context.configure(
        url=resolve_db(_db_argument()),
        target_metadata=target_metadata,
        literal_binds=True,
        render_as_batch=True,
        dialect_opts={"paramstyle": "named"},
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    engine = config.attributes.get("engine")
    owned = engine is None
    if owned:
        engine = make_engine(_db_argument())
    try:
        with migration_connection(engine) as connection:
            context.configure(
                connection=connection,
                target_metadata=target_metadata,
                render_as_batch=True,
                compare_type=True,
                transactional_ddl=True,  # migration_connection holds one transaction
            )
            with context.begin_transaction():
                context.run_migrations()
    finally:
        if owned:
            engine.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
