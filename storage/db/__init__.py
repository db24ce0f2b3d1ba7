"""Creating, upgrading, checking and backing up the database.

Schema changes go through the Alembic migrations in `storage/migrations/`,
configured here in code (no alembic.ini needed), so they run the same from the
repo and from an installed package. Every function takes an engine built by
`storage.engine.make_engine` and turns what can go wrong into a
`CaseloadError` with a one-line message a person can act on: no file, not a
database, a schema that is empty, behind or newer than this code, a server
that cannot be reached. Messages name the file or `host:port`, never a
password.

The package, by seam: `migration` (Alembic plumbing), `state` (reading the
schema state), `upgrade` (`init_db`), `checks` (`check_db`), `backups`
(`backup_db`), `pgtools` (the PostgreSQL client programs). Each name is
imported from its module when first asked for, so a command that backs up
or checks the schema's readiness loads neither the ORM's table classes nor
Alembic (`checks` and the migrations import `storage.models` themselves).
"""

from __future__ import annotations

from storage.lazy import lazy_names

from storage.schema import (  # noqa: F401 - re-exported
    SCHEMA_REVISIONS,
    VERSION_TABLE,
    SchemaState,
    head_revision,
    known_revisions,
    raise_unless_ready,
    state_of,
)

_HOMES = {
    "backup_db": "backups", "integrity_summary": "backups",
    "check_db": "checks", "schema_drift": "checks",
    "MIGRATIONS_DIR": "migration", "alembic_config": "migration", "migration_connection": "migration",
    "pg_environment": "pgtools", "pg_tool": "pgtools",
    "ensure_ready": "state", "schema_state": "state",
    "init_db": "upgrade",
}


__getattr__, __dir__ = lazy_names(__name__, _HOMES)


__all__ = [
    "MIGRATIONS_DIR",
    "SCHEMA_REVISIONS",
    "VERSION_TABLE",
    "SchemaState",
    "alembic_config",
    "backup_db",
    "check_db",
    "ensure_ready",
    "head_revision",
    "init_db",
    "integrity_summary",
    "known_revisions",
    "migration_connection",
    "pg_environment",
    "pg_tool",
    "raise_unless_ready",
    "schema_drift",
    "schema_state",
    "state_of",
]
