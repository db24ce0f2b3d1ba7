"""The read path: SQL text over a DB-API connection.

`storage.queries` and the read checks of `storage.access` run their
statements through a `Reader`: SQL with `?` markers, rows as the driver
returns them (plain tuples: ISO date text and 0/1 on SQLite, `date`s and
booleans on PostgreSQL). A Reader comes from either

- `reader_of(session)`: the connection of a SQLAlchemy session (its
  transaction, its statement events: tests count statements), or
- `Database.reader()`: a connection opened with `sqlite3` or `psycopg`
  directly, without importing SQLAlchemy or SQLModel at all. Those imports
  cost about 0.3 s, more than a whole caseload's read: `caseload warnings`
  and the app's first paint read this way, and the app builds its
  SQLAlchemy engine (for writes and the other screens) only when first
  needed.

Both open the database the same way as `storage.engine.make_engine`: SQLite
read-write but never created (`mode=rw`), with the same busy timeout and
foreign keys on; PostgreSQL with the same connect timeout. A Reader only
reads: `Database.reader()` opens one transaction (a consistent snapshot for
every statement of a load) and rolls it back. The one write on this path is
an export's audit event (`Database.writer()`, `storage.audit.record_now`).
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Any, Callable
from urllib.parse import unquote

from planner.errors import CaseloadError, DatabaseUnavailable

# storage.engine (the SQLAlchemy side) opens databases with these too.
ENV_VAR = "CASELOAD_DB"
DB_FILENAME = "caseload.db"
BUSY_TIMEOUT_MS = 5000
PG_CONNECT_TIMEOUT_S = 10
_PG_SCHEMES = ("postgresql", "postgres", "postgresql+psycopg")


def default_db_path() -> Path:
    """The per-user database file (platformdirs' user data dir)."""
    from platformdirs import user_data_dir

    return Path(user_data_dir("caseload", appauthor=False)) / DB_FILENAME


class Reader:
    """Runs SQL text (`?` markers) and yields the driver's rows.

    `run(sql, params)` returns an iterable cursor; `close(cursor)` releases
    it. Dates among the parameters go to SQLite as ISO text (as SQLAlchemy
    stores them), to PostgreSQL as dates."""

    __slots__ = ("dialect", "_run", "_sql", "info")

    def __init__(self, dialect: str, run: Callable[[str, tuple], Any]) -> None:
        self.dialect = dialect
        self._run = run
        self._sql: dict[str, str] = {}
        self.info: dict = {}  # per-connection caches (storage.access)

    def _text(self, sql: str) -> str:
        if self.dialect == "sqlite":
            return sql
        out = self._sql.get(sql)
        if out is None:  # psycopg's markers; no statement here holds a literal % or ?
            out = self._sql[sql] = sql.replace("?", "%s")
        return out

    def _params(self, params) -> tuple:
        if self.dialect == "sqlite":
            return tuple(p.isoformat() if isinstance(p, date) else p for p in params)
        return tuple(params)

    def rows(self, sql: str, params=()) -> Iterator[tuple]:
        """The rows, streamed: iterate once, fully."""
        cursor = self._run(self._text(sql), self._params(params))
        try:
            yield from cursor
        finally:
            cursor.close()

    def all(self, sql: str, params=()) -> list[tuple]:
        return list(self.rows(sql, params))

    def first(self, sql: str, params=()) -> tuple | None:
        for row in self.rows(sql, params):
            return row
        return None

    def scalar(self, sql: str, params=()):
        row = self.first(sql, params)
        return None if row is None else row[0]

    def execute(self, sql: str, params=()) -> None:
        """A statement with no rows (`SET LOCAL ...`)."""
        self._run(self._text(sql), self._params(params)).close()

    def placeholders(self, n: int) -> str:
        """`?, ?, ?` for an IN list of n values."""
        return ", ".join("?" * n)

    def date_literal(self, day: date) -> str:
        return f"'{day.isoformat()}'" if self.dialect == "sqlite" else f"DATE '{day.isoformat()}'"

    def days_between(self, first: str, last: str) -> str:
        """Whole days from date expression `first` to `last`."""
        if self.dialect == "sqlite":
            return f"CAST(julianday({last}) - julianday({first}) AS INTEGER)"
        return f"({last} - {first})"

    def least(self, *exprs: str) -> str:
        """The earliest of date expressions, NULLs ignored (NULL when all are)."""
        if self.dialect == "sqlite":
            far = "'9999-12-31'"
            inner = ", ".join(f"coalesce({e}, {far})" for e in exprs)
            return f"nullif(min({inner}), {far})"
        return f"LEAST({', '.join(exprs)})"

    def days_before(self, expr: str, days: int) -> str:
        """`expr - days` for a date expression; NULL stays NULL."""
        if self.dialect == "sqlite":
            return f"date({expr}, '-{int(days)} days')"
        return f"({expr} - {int(days)})"


class _SessionCursor:
    """A SQLAlchemy CursorResult's raw DB-API cursor, closed through the result."""

    __slots__ = ("_result",)

    def __init__(self, result) -> None:
        self._result = result

    def __iter__(self):
        return iter(self._result.cursor) if self._result.cursor is not None else iter(())

    def close(self) -> None:
        self._result.close()


def reader_of(source) -> Reader:
    """A Reader over a SQLAlchemy Session (or Connection), or `source` itself
    if it already is one. Statements go through `exec_driver_sql`, so they
    run in the session's transaction and fire its events; rows skip
    SQLAlchemy's result layer."""
    if isinstance(source, Reader):
        return source
    if hasattr(source, "get_bind"):  # a Session: its connection can change after a commit
        def run(sql: str, params: tuple):
            return _SessionCursor(source.connection().exec_driver_sql(sql, params))

        dialect = source.get_bind().dialect.name
    else:
        def run(sql: str, params: tuple):
            return _SessionCursor(source.exec_driver_sql(sql, params))

        dialect = source.dialect.name
    return Reader(dialect, run)


# ----------------------------------------------------------------------------- opening


def resolve_target(db: str | os.PathLike[str] | None = None) -> tuple[str, str]:
    """(`"sqlite"`, absolute file path) or (`"postgresql"`, a libpq URL) for
    `db`, `$CASELOAD_DB` or the user data folder's file, as
    `storage.engine.resolve_db` resolves them; (`"other"`, text) for anything
    else (in-memory SQLite, URL options): only SQLAlchemy opens those."""
    raw = os.fspath(db) if db is not None else None
    if not raw:
        raw = os.environ.get(ENV_VAR) or None
    if not raw:
        return "sqlite", str(default_db_path())
    if "://" not in raw:
        return "sqlite", str(Path(raw).expanduser().resolve())
    scheme, rest = raw.split("://", 1)
    scheme = scheme.lower()
    if scheme in _PG_SCHEMES:
        return "postgresql", f"postgresql://{rest}"
    if scheme == "sqlite" and rest.startswith("/") and "?" not in rest and len(rest) > 1:
        return "sqlite", str(Path(unquote(rest[1:])))
    return "other", raw


def _redacted(url: str) -> str:
    """host:port/database of a libpq URL, never a password."""
    from urllib.parse import urlsplit

    try:
        parts = urlsplit(url)
        return f"{parts.hostname or 'localhost'}:{parts.port or 5432}/{parts.path.lstrip('/')}"
    except ValueError:
        return "the database server"


class Database:
    """A database by location: lean reads (`reader()`) without SQLAlchemy,
    and the SQLAlchemy engine (`engine`) built on first use.

    `Database(engine=e)` wraps an engine someone already built (tests, the
    commands that write): its reads then go through a session of it."""

    def __init__(self, db: str | os.PathLike[str] | None = None, *, engine=None) -> None:
        self._engine = engine
        self._db = db
        self.kind, self.target = ("engine", "") if engine is not None else resolve_target(db)

    @property
    def engine(self):
        if self._engine is None:
            from storage.engine import make_engine

            self._engine = make_engine(self._db, create=False)
        return self._engine

    @property
    def has_engine(self) -> bool:
        return self._engine is not None

    def describe(self) -> str:
        if self.kind == "sqlite":
            return self.target
        if self.kind == "postgresql":
            return _redacted(self.target)
        from storage.engine import describe

        return describe(self.engine)

    def dispose(self) -> None:
        if self._engine is not None:
            self._engine.dispose()

    @contextmanager
    def reader(self) -> Iterator[Reader]:
        """One read-only transaction. Open/connect failures and driver errors
        become a one-line CaseloadError naming the file or server."""
        with self._transaction(write=False) as reader:
            yield reader

    @contextmanager
    def writer(self) -> Iterator[Reader]:
        """One short write transaction on the driver's connection, committed
        when the block ends without an error: how a lean read records its
        export in the audit trail (storage.audit.record_now) without
        importing SQLAlchemy. Errors as `reader()`'s."""
        with self._transaction(write=True) as writer:
            yield writer

    @contextmanager
    def _transaction(self, *, write: bool) -> Iterator[Reader]:
        if self.kind == "sqlite":
            with self._sqlite(write) as reader:
                yield reader
        elif self.kind == "postgresql":
            with self._postgresql(write) as reader:
                yield reader
        else:
            from storage.engine import session

            with session(self.engine) as s:
                yield reader_of(s)

    def check_ready(self, reader: Reader) -> None:
        """`storage.db.ensure_ready` through a Reader."""
        from storage.schema import raise_unless_ready

        raise_unless_ready(schema_state(reader), self.describe())

    @contextmanager
    def _sqlite(self, write: bool = False) -> Iterator[Reader]:
        path = Path(self.target)
        if not path.exists():
            raise DatabaseUnavailable(f"no database at {path}; run `caseload init`")
        if path.is_dir():
            raise DatabaseUnavailable(f"{path} is a folder, not a database file")
        try:
            conn = sqlite3.connect(path.absolute().as_uri() + "?mode=rw", uri=True,
                                   timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None,
                                   check_same_thread=False)
        except sqlite3.Error as exc:
            raise _sqlite_error(path, exc) from exc
        try:
            conn.execute("PRAGMA foreign_keys=ON")
            if not write:
                conn.execute("PRAGMA query_only=ON")  # a Reader only reads
            conn.execute("BEGIN")  # one snapshot for every statement of the load
            yield Reader("sqlite", conn.execute)
            if write:
                conn.execute("COMMIT")
        except sqlite3.Error as exc:
            raise _sqlite_error(path, exc) from exc
        finally:
            conn.close()

    @contextmanager
    def _postgresql(self, write: bool = False) -> Iterator[Reader]:
        import psycopg

        try:
            conn = psycopg.connect(self.target, connect_timeout=PG_CONNECT_TIMEOUT_S)
        except psycopg.Error as exc:
            raise DatabaseUnavailable(f"cannot connect to the database server at {_redacted(self.target)}: "
                                f"{_first_line(exc)}") from exc
        try:
            conn.read_only = not write
            yield Reader("postgresql", conn.execute)
            if write:
                conn.commit()
        except psycopg.Error as exc:
            raise DatabaseUnavailable(f"database error on {_redacted(self.target)}: {_first_line(exc)}") from exc
        finally:
            try:
                conn.rollback()
            finally:
                conn.close()


def schema_state(reader: Reader):
    """The database's `storage.schema.SchemaState`, read through `reader`."""
    from storage.schema import VERSION_TABLE, state_of

    if reader.dialect == "sqlite":
        tables = {name for (name,) in reader.rows(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")}
    else:
        tables = {name for (name,) in reader.rows(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema()")}
    heads = None
    if VERSION_TABLE in tables:
        heads = [v for (v,) in reader.rows(f"SELECT version_num FROM {VERSION_TABLE}")]
    return state_of(heads, bool(tables))


def _first_line(exc: BaseException) -> str:
    lines = [line.strip() for line in str(exc).splitlines() if line.strip()]
    return lines[0] if lines else type(exc).__name__


def _sqlite_error(path: Path, exc: BaseException) -> CaseloadError:
    reason = _first_line(exc)
    lowered = reason.lower()
    if "not a database" in lowered or "malformed" in lowered or "corrupt" in lowered:
        return DatabaseUnavailable(f"{path} is not a SQLite database or is damaged ({reason})")
    if "locked" in lowered or "busy" in lowered:
        return DatabaseUnavailable(f"the database {path} is busy (another program holds a lock on it); try again")
    return DatabaseUnavailable(f"cannot open the database {path} ({reason})")
