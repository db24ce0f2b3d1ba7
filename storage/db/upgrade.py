"""Creating the schema in a new database, or upgrading one to head with a
backup taken first."""

from __future__ import annotations

import os
import re
import sqlite3
from datetime import datetime, timezone
from pathlib import Path

from sqlalchemy import exc as sa_exc
from sqlalchemy.engine import Engine

from planner.errors import CaseloadError
from storage.db.backups import sqlite_backup
from storage.db.migration import alembic_config
from storage.db.pgtools import pg_dump, pg_tool
from storage.db.state import first_line, schema_state
from storage.engine import create_db_file, create_private_dir, describe, sqlite_path


def init_db(engine: Engine, *, backup_dir: str | os.PathLike[str] | None = None) -> str:
    """Create the schema in a new (empty) database, or upgrade an existing one
    to head; returns one line saying what was done.

    Before an existing database that is behind head is upgraded, a backup is
    taken: a SQLite file is copied next to itself as `<file>.before-<rev>.<UTC
    timestamp>.bak` (0600); a PostgreSQL database is dumped with pg_dump to
    `backup_dir` (default: the user data dir's `backups/`, 0700) as
    `<host>-<port>-<db>.before-<rev>.<timestamp>.dump`, or, where pg_dump is
    not installed, the returned line says no backup was taken. A failed
    backup stops the upgrade. The upgrade runs in one transaction: if it
    fails, the database is left as it was."""
    path = sqlite_path(engine)
    if path is not None and not path.exists():
        create_db_file(path)
    state = schema_state(engine)
    where = describe(engine)
    if state.current is None and not state.empty:
        raise CaseloadError(
            f"{where} is not a caseload database (it has tables but no schema revision); "
            "give a new file or an empty database"
        )
    if state.newer:
        raise CaseloadError(
            f"the database at {where} has schema revision {state.current}, newer than this "
            f"version of caseload knows (up to {state.head}); upgrade caseload"
        )
    if state.is_current:
        return f"database at {where} is up to date (schema {state.head})"

    backup: Path | None = None
    if state.current is not None:
        backup = _backup_before_upgrade(engine, state.current, backup_dir)
    try:
        from alembic import command

        command.upgrade(alembic_config(engine), "head")
    except CaseloadError:
        raise
    except (sa_exc.DBAPIError, sqlite3.Error) as exc:
        kept = f"; a copy from before is at {backup}" if backup else ""
        raise CaseloadError(
            f"could not update the schema of {where}: {first_line(exc, engine)}; "
            f"nothing was changed{kept}"
        ) from exc
    if state.current is None:
        return f"created database at {where} (schema {state.head})"
    taken = f"backup: {backup}" if backup else "no backup taken: pg_dump was not found"
    return f"upgraded database at {where} from schema {state.current} to {state.head} ({taken})"


def _backup_before_upgrade(
    engine: Engine, revision: str, backup_dir: str | os.PathLike[str] | None
) -> Path | None:
    """The backup taken before an upgrade (None: in memory, or no pg_dump)."""
    stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    path = sqlite_path(engine)
    if path is not None:
        folder, stem, suffix = path.parent, path.name, "bak"
    elif engine.dialect.name == "sqlite":
        return None  # in-memory: nothing to keep
    else:
        if pg_tool("pg_dump") is None:
            return None
        folder = Path(backup_dir) if backup_dir is not None else _default_backup_dir()
        create_private_dir(folder)
        url = engine.url
        stem = re.sub(r"[^A-Za-z0-9_.-]", "_", f"{url.host or 'localhost'}-{url.port or 5432}-{url.database}")
        suffix = "dump"
    dest = folder / f"{stem}.before-{revision}.{stamp}.{suffix}"
    n = 1
    while dest.exists():
        dest = folder / f"{stem}.before-{revision}.{stamp}-{n}.{suffix}"
        n += 1
    try:
        if path is not None:
            sqlite_backup(engine, dest)
        else:
            pg_dump(engine, dest)
    except CaseloadError as exc:
        raise CaseloadError(f"not upgrading: the backup before the upgrade failed ({exc})") from exc
    return dest


def _default_backup_dir() -> Path:
    """The user data dir's `backups/`."""
    from platformdirs import user_data_dir

    return Path(user_data_dir("caseload", appauthor=False)) / "backups"
