"""Where the database is, and how to open it.

`resolve_db` turns what the user gave (`--db`, `CASELOAD_DB`, or nothing)
into a SQLAlchemy URL; `make_engine` builds the engine for it. Nothing here
opens a database at import time: the engine is built by the command line and
handed down.

SQLite files hold personal data, so a new file is created 0600 inside a 0700
folder before SQLite ever touches it, and every connection is opened under
umask 077 so SQLite's `-wal` and `-shm` files are private too. Every
connection gets the same PRAGMAs: WAL, `synchronous=FULL`, foreign keys on,
and a busy timeout so two processes on one machine wait rather than fail.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import create_engine, event
from sqlalchemy.engine import URL, Engine, make_url
from sqlalchemy.exc import ArgumentError

from planner.errors import CaseloadError
if TYPE_CHECKING:  # imported where a session opens: a Core write (storage.audit.record_now) needs no ORM
    from sqlmodel import Session

from storage.reader import (  # one definition for both ways of opening
    BUSY_TIMEOUT_MS,
    DB_FILENAME,
    ENV_VAR,
    PG_CONNECT_TIMEOUT_S,
    default_db_path,
)

SQLITE_PRAGMAS = (
    "PRAGMA journal_mode=WAL",
    "PRAGMA synchronous=FULL",
    "PRAGMA foreign_keys=ON",
    f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}",
)

_PG_SCHEMES = ("postgresql", "postgres")
# SQLite's "busy" and "locked" result codes (and the extended busy ones but
# SQLITE_BUSY_SNAPSHOT, 517, which is a concurrent write: storage.repo).
_SQLITE_BUSY_CODES = (5, 6, 261, 773)
BUSY_MESSAGE = "the database is busy (another program holds a lock on it); nothing was saved: try again"


# How long a write on the team server waits for a lock another session holds
# (PostgreSQL's lock_timeout) before giving up with BUSY_MESSAGE: the same
# wait as SQLite's busy timeout, so neither database leaves a command hanging.
PG_LOCK_TIMEOUT_MS = BUSY_TIMEOUT_MS


def pg_options(given: str | tuple[str, ...] | None = None) -> str:
    """libpq's `options` for every connection: the URL's own, then the lock
    timeout (read when an engine is made, so a test may shorten it)."""
    if isinstance(given, tuple):
        given = " ".join(given)
    return " ".join(filter(None, (given, f"-c lock_timeout={int(PG_LOCK_TIMEOUT_MS)}")))


def is_busy(exc: BaseException) -> bool:
    """The write waited for a lock held by another connection and gave up
    (SQLite's busy timeout, PostgreSQL's lock_not_available): not a conflict
    with someone's change, and nothing to fix but to try again."""
    orig = getattr(exc, "orig", None) or exc
    code = getattr(orig, "sqlite_errorcode", None)
    if code is not None:
        return code in _SQLITE_BUSY_CODES
    if getattr(orig, "sqlstate", None) == "55P03":
        return True
    text = str(orig).lower()
    return "database is locked" in text or "database table is locked" in text


def resolve_db(db: str | os.PathLike[str] | None = None) -> str:
    """The SQLAlchemy URL to use: `db` if given, else `$CASELOAD_DB`, else
    the user data dir's caseload.db (README, Using it). Plain paths become
    `sqlite:///` URLs with an absolute path; `postgresql://` and
    `postgres://` become `postgresql+psycopg://` (psycopg 3)."""
    raw = os.fspath(db) if db is not None else None
    if not raw:
        raw = os.environ.get(ENV_VAR) or None
    if not raw:
        return _sqlite_url(default_db_path())
    if "://" not in raw:
        return _sqlite_url(Path(raw))
    scheme, rest = raw.split("://", 1)
    if scheme.lower() in _PG_SCHEMES:
        return f"postgresql+psycopg://{rest}"
    return raw


def _sqlite_url(path: Path) -> str:
    return URL.create("sqlite", database=str(path.expanduser().resolve())).render_as_string()


def sqlite_path(engine_or_url: Engine | URL | str) -> Path | None:
    """The file behind a SQLite engine or URL; None for other databases and
    for in-memory SQLite."""
    url = engine_or_url.url if isinstance(engine_or_url, Engine) else make_url(engine_or_url)
    if url.get_backend_name() != "sqlite":
        return None
    database = url.database or ""
    if database in ("", ":memory:") or database.startswith("file:"):
        return None
    return Path(database)


def describe(engine: Engine) -> str:
    """A label for messages: the file path, or host:port/database; never a
    password."""
    path = sqlite_path(engine)
    if path is not None:
        return str(path)
    url = engine.url
    if url.get_backend_name() == "sqlite":
        return "in-memory SQLite"
    return f"{url.host or 'localhost'}:{url.port or 5432}/{url.database or ''}"


def make_engine(db: str | os.PathLike[str] | None = None, *, create: bool = True) -> Engine:
    """An engine for `db` (see `resolve_db`).

    SQLite: with `create=True` a missing file (and folder) is created with
    0600 (0700); with `create=False` nothing is created, not even by SQLite
    on connect (the file is opened read-write only) - `storage.db.ensure_ready`
    then reports the missing file. PostgreSQL: psycopg 3, `pool_pre_ping`.
    """
    url_text = resolve_db(db)
    try:
        url = make_url(url_text)
    except ArgumentError as exc:
        raise CaseloadError(f"not a database path or URL: {_redact(url_text)}") from exc
    backend = url.get_backend_name()
    if backend == "sqlite":
        return _sqlite_engine(url, create=create)
    if backend == "postgresql":
        return create_engine(
            url,
            pool_pre_ping=True,
            connect_args={"connect_timeout": PG_CONNECT_TIMEOUT_S, "options": pg_options(url.query.get("options"))},
        )
    raise CaseloadError(
        f"unsupported database {backend!r}: give a file path or a postgresql:// URL"
    )


def _redact(text: str) -> str:
    try:
        return make_url(text).render_as_string(hide_password=True)
    except ArgumentError:
        return text.split("@")[-1] if "@" in text else text


def _sqlite_engine(url: URL, *, create: bool) -> Engine:
    path = sqlite_path(url)
    if path is not None and create:
        create_db_file(path)
    engine = create_engine(url)

    @event.listens_for(engine, "do_connect")
    def _connect(dialect, conn_rec, cargs, cparams):  # noqa: ANN001 - SQLAlchemy hook
        if path is not None and not create:
            # Read-write, never create: a missing file stays missing.
            cargs[:] = [path.absolute().as_uri() + "?mode=rw"]
            cparams["uri"] = True
        old = os.umask(0o077)
        try:
            return dialect.loaded_dbapi.connect(*cargs, **cparams)
        finally:
            os.umask(old)

    @event.listens_for(engine, "connect")
    def _pragmas(dbapi_conn, conn_rec):  # noqa: ANN001 - SQLAlchemy hook
        old = os.umask(0o077)
        try:
            cur = dbapi_conn.cursor()
            try:
                for pragma in SQLITE_PRAGMAS:
                    cur.execute(pragma)
            finally:
                cur.close()
        finally:
            os.umask(old)
        if path is not None:
            _tighten_sidecars(path)

    return engine


def create_private_dir(folder: Path) -> None:
    """Create `folder` and any missing parents with mode 0700; folders that
    already exist are left as they are."""
    missing: list[Path] = []
    while not folder.exists():
        missing.append(folder)
        folder = folder.parent
    for new in reversed(missing):
        try:
            new.mkdir(mode=0o700)
        except FileExistsError:
            continue
        os.chmod(new, 0o700)  # mkdir's mode is filtered by the umask


def create_db_file(path: Path) -> None:
    """Create the folder (0700) and an empty file (0600) if they are missing;
    existing ones are left as they are."""
    create_private_dir(path.parent)
    if path.exists():
        return
    old = os.umask(0o077)
    try:
        fd = os.open(path, os.O_CREAT | os.O_WRONLY | os.O_EXCL, 0o600)
    except FileExistsError:
        return
    finally:
        os.umask(old)
    os.close(fd)


def _tighten_sidecars(path: Path) -> None:
    for suffix in ("-wal", "-shm", "-journal"):
        side = path.with_name(path.name + suffix)
        try:
            if side.stat().st_mode & 0o077:
                os.chmod(side, 0o600)
        except OSError:  # absent, or someone else's file: leave it
            pass


@contextmanager
def session(engine: Engine) -> Iterator[Session]:
    """A sqlmodel Session for one unit of work: committed when the block ends
    normally, rolled back if it raises, closed either way. Objects stay
    readable after the block (`expire_on_commit=False`)."""
    from sqlmodel import Session

    with Session(engine, expire_on_commit=False) as s:
        try:
            yield s
        except BaseException:
            s.rollback()
            raise
        else:
            s.commit()
