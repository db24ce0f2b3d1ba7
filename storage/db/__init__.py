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
(`backup_db`), `pgtools` (the PostgreSQL client programs).
"""

from __future__ import annotations

import storage.models  # noqa: F401 - fills SQLModel.metadata
from storage.db.backups import backup_db, integrity_summary
from storage.db.checks import check_db, schema_drift
from storage.db.migration import MIGRATIONS_DIR, alembic_config, migration_connection
from storage.db.pgtools import pg_environment, pg_tool
from storage.db.state import ensure_ready, schema_state
from storage.db.upgrade import init_db
from storage.schema import (  # noqa: F401 - re-exported
    SCHEMA_REVISIONS,
    VERSION_TABLE,
    SchemaState,
    head_revision,
    known_revisions,
    raise_unless_ready,
    state_of,
)

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
