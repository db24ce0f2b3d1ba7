"""Reading the database's schema state, with whatever stops it being read
(no file, not a database, no server) turned into a one-line `CaseloadError`
naming the file or `host:port`, never a password."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import exc as sa_exc
from sqlalchemy import inspect, text
from sqlalchemy.engine import Connection, Engine

from planner.errors import CaseloadError, DatabaseUnavailable
from storage.engine import describe, sqlite_path
from storage.schema import VERSION_TABLE, SchemaState, raise_unless_ready, state_of


def read_state(conn: Connection) -> SchemaState:
    """The schema state of the database behind `conn`."""
    tables = set(inspect(conn).get_table_names())
    heads = None
    if VERSION_TABLE in tables:
        heads = list(conn.execute(text(f"SELECT version_num FROM {VERSION_TABLE}")).scalars().all())
    return state_of(heads, bool(tables))


def first_line(exc: BaseException, engine: Engine) -> str:
    """The first line of a driver error, the password masked."""
    orig = getattr(exc, "orig", None) or exc
    lines = [line.strip() for line in str(orig).splitlines() if line.strip()]
    message = lines[0] if lines else type(orig).__name__
    password = engine.url.password
    if password:
        message = message.replace(str(password), "***")
    return message


def open_error(engine: Engine, exc: BaseException) -> CaseloadError:
    """The one-line message for a database that could not be read at all."""
    reason = first_line(exc, engine)
    path = sqlite_path(engine)
    if path is not None:
        if not path.exists():
            return missing(path)
        lowered = reason.lower()
        if "not a database" in lowered or "malformed" in lowered or "corrupt" in lowered:
            return DatabaseUnavailable(f"{path} is not a SQLite database or is damaged ({reason})")
        if "locked" in lowered or "busy" in lowered:
            return DatabaseUnavailable(f"the database {path} is busy (another program holds a lock on it); "
                                       "try again")
        return DatabaseUnavailable(f"cannot open the database {path} ({reason})")
    url = engine.url
    if isinstance(exc, sa_exc.OperationalError) or is_driver_error(exc):
        return DatabaseUnavailable(
            f"cannot connect to the database server at {url.host or 'localhost'}:{url.port or 5432}"
            f" (database {url.database or '?'}): {reason}"
        )
    return DatabaseUnavailable(f"database error on {describe(engine)}: {reason}")


def is_driver_error(exc: BaseException) -> bool:
    """An error of the SQLite or PostgreSQL driver itself."""
    return isinstance(exc, sqlite3.Error) or type(exc).__module__.startswith("psycopg")


def missing(path: Path) -> CaseloadError:
    """The error for a database file that is not there."""
    return DatabaseUnavailable(f"no database at {path}; run `caseload init`")


@contextmanager
def reading(engine: Engine) -> Iterator[Connection]:
    """A connection, with open/connect failures turned into CaseloadError."""
    path = sqlite_path(engine)
    if path is not None:
        if not path.exists():
            raise missing(path)
        if path.is_dir():
            raise DatabaseUnavailable(f"{path} is a folder, not a database file")
    try:
        conn = engine.connect()
    except (sa_exc.DBAPIError, sqlite3.Error) as exc:
        raise open_error(engine, exc) from exc
    except Exception as exc:
        if is_driver_error(exc):
            raise open_error(engine, exc) from exc
        raise
    with conn:
        try:
            yield conn
        except (sa_exc.DBAPIError, sqlite3.Error) as exc:
            raise open_error(engine, exc) from exc


def schema_state(engine: Engine) -> SchemaState:
    """The database's revision against this code's head. Raises CaseloadError
    when the database cannot be read (missing file, not SQLite, no server)."""
    with reading(engine) as conn:
        return read_state(conn)


def ensure_ready(engine: Engine) -> SchemaState:
    """Check the database can be used by this code, before any command other
    than `init`; raise CaseloadError with a one-line reason if not. Build the
    engine with `make_engine(db, create=False)` so a missing file stays
    missing."""
    return raise_unless_ready(schema_state(engine), describe(engine))
