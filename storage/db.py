"""Creating, upgrading, checking and backing up the database.

Schema changes go through the Alembic migrations in `storage/migrations/`,
configured here in code (no alembic.ini needed), so they run the same from the
repo and from an installed package. Every function takes an engine built by
`storage.engine.make_engine` and turns what can go wrong into a
`CaseloadError` with a one-line message a person can act on: no file, not a
database, a schema that is empty, behind or newer than this code, a server
that cannot be reached. Messages name the file or `host:port`, never a
password.
"""

from __future__ import annotations

import glob
import os
import re
import shutil
import sqlite3
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import exc as sa_exc
from sqlalchemy import inspect, text
from sqlalchemy.engine import URL, Connection, Engine
from sqlmodel import SQLModel

import storage.models  # noqa: F401 - fills SQLModel.metadata
from planner.errors import CaseloadError, DatabaseUnavailable, FileProblem
from storage.engine import create_db_file, create_private_dir, describe, sqlite_path
from storage.schema import (  # noqa: F401 - re-exported
    SCHEMA_REVISIONS,
    VERSION_TABLE,
    SchemaState,
    head_revision,
    known_revisions,
    raise_unless_ready,
    state_of,
)

MIGRATIONS_DIR = Path(__file__).resolve().with_name("migrations")
if TYPE_CHECKING:  # Alembic is imported only where it is used: every command
    from alembic.config import Config  # checks the schema, few migrate it


# Any fixed number: serialises `caseload init` runs against one PostgreSQL database.
_PG_MIGRATION_LOCK = 0x6361_7365  # "case"


# --------------------------------------------------------------------------
# Alembic plumbing


def alembic_config(engine: Engine | None = None) -> Config:
    """An Alembic Config for our migrations; `engine`, if given, is the one
    env.py migrates (otherwise env.py resolves the database like the app)."""
    from alembic.config import Config

    cfg = Config()
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
                    raise CaseloadError(
                        "migration left rows pointing at missing records ("
                        + "; ".join(_fk_problem(row) for row in broken[:5])
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


def _fk_problem(row: tuple) -> str:
    table, rowid, parent = row[0], row[1], row[2]
    return f"{table} row {rowid} points to a missing {parent} row"


# --------------------------------------------------------------------------
# State


def _read_state(conn: Connection) -> SchemaState:
    tables = set(inspect(conn).get_table_names())
    heads = None
    if VERSION_TABLE in tables:
        heads = list(conn.execute(text(f"SELECT version_num FROM {VERSION_TABLE}")).scalars().all())
    return state_of(heads, bool(tables))


def _first_line(exc: BaseException, engine: Engine) -> str:
    orig = getattr(exc, "orig", None) or exc
    lines = [line.strip() for line in str(orig).splitlines() if line.strip()]
    message = lines[0] if lines else type(orig).__name__
    password = engine.url.password
    if password:
        message = message.replace(str(password), "***")
    return message


def _open_error(engine: Engine, exc: BaseException) -> CaseloadError:
    """The one-line message for a database that could not be read at all."""
    reason = _first_line(exc, engine)
    path = sqlite_path(engine)
    if path is not None:
        if not path.exists():
            return _missing(path)
        lowered = reason.lower()
        if "not a database" in lowered or "malformed" in lowered or "corrupt" in lowered:
            return DatabaseUnavailable(f"{path} is not a SQLite database or is damaged ({reason})")
        if "locked" in lowered or "busy" in lowered:
            return DatabaseUnavailable(f"the database {path} is busy (another program holds a lock on it); "
                                       "try again")
        return DatabaseUnavailable(f"cannot open the database {path} ({reason})")
    url = engine.url
    if isinstance(exc, sa_exc.OperationalError) or _is_driver_error(exc):
        return DatabaseUnavailable(
            f"cannot connect to the database server at {url.host or 'localhost'}:{url.port or 5432}"
            f" (database {url.database or '?'}): {reason}"
        )
    return DatabaseUnavailable(f"database error on {describe(engine)}: {reason}")


def _is_driver_error(exc: BaseException) -> bool:
    return isinstance(exc, sqlite3.Error) or type(exc).__module__.startswith("psycopg")


def _missing(path: Path) -> CaseloadError:
    return DatabaseUnavailable(f"no database at {path}; run `caseload init`")


@contextmanager
def _reading(engine: Engine) -> Iterator[Connection]:
    """A connection, with open/connect failures turned into CaseloadError."""
    path = sqlite_path(engine)
    if path is not None:
        if not path.exists():
            raise _missing(path)
        if path.is_dir():
            raise DatabaseUnavailable(f"{path} is a folder, not a database file")
    try:
        conn = engine.connect()
    except (sa_exc.DBAPIError, sqlite3.Error) as exc:
        raise _open_error(engine, exc) from exc
    except Exception as exc:
        if _is_driver_error(exc):
            raise _open_error(engine, exc) from exc
        raise
    with conn:
        try:
            yield conn
        except (sa_exc.DBAPIError, sqlite3.Error) as exc:
            raise _open_error(engine, exc) from exc


def schema_state(engine: Engine) -> SchemaState:
    """The database's revision against this code's head. Raises CaseloadError
    when the database cannot be read (missing file, not SQLite, no server)."""
    with _reading(engine) as conn:
        return _read_state(conn)


def ensure_ready(engine: Engine) -> SchemaState:
    """Check the database can be used by this code, before any command other
    than `init`; raise CaseloadError with a one-line reason if not. Build the
    engine with `make_engine(db, create=False)` so a missing file stays
    missing."""
    return raise_unless_ready(schema_state(engine), describe(engine))


# --------------------------------------------------------------------------
# Create / upgrade


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
            f"could not update the schema of {where}: {_first_line(exc, engine)}; "
            f"nothing was changed{kept}"
        ) from exc
    if state.current is None:
        return f"created database at {where} (schema {state.head})"
    taken = f"backup: {backup}" if backup else "no backup taken: pg_dump was not found"
    return f"upgraded database at {where} from schema {state.current} to {state.head} ({taken})"


def _backup_before_upgrade(
    engine: Engine, revision: str, backup_dir: str | os.PathLike[str] | None
) -> Path | None:
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
            _sqlite_backup(engine, dest)
        else:
            _pg_dump(engine, dest)
    except CaseloadError as exc:
        raise CaseloadError(f"not upgrading: the backup before the upgrade failed ({exc})") from exc
    return dest


def _default_backup_dir() -> Path:
    from platformdirs import user_data_dir

    return Path(user_data_dir("caseload", appauthor=False)) / "backups"


# --------------------------------------------------------------------------
# Check


def check_db(engine: Engine) -> list[str]:
    """Problems found in the database (an empty list means it is healthy):
    SQLite integrity_check and foreign_key_check, schema revision against
    head, drift between the tables and storage/models.py, and a SQLite file
    readable by others. Raises CaseloadError if it cannot be read at all."""
    problems: list[str] = []
    path = sqlite_path(engine)
    with _reading(engine) as conn:
        state = _read_state(conn)
        if engine.dialect.name == "sqlite":
            rows = [r[0] for r in conn.exec_driver_sql("PRAGMA integrity_check").fetchall()]
            if rows != ["ok"]:
                problems += [f"integrity: {r}" for r in rows[:20]]
            problems += [
                f"foreign key: {_fk_problem(row)}"
                for row in conn.exec_driver_sql("PRAGMA foreign_key_check").fetchall()[:20]
            ]
        if state.current is None:
            problems.append(
                "schema: the database is empty; run `caseload init`"
                if state.empty
                else "schema: tables but no schema revision (not a caseload database)"
            )
        elif state.newer:
            problems.append(
                f"schema: revision {state.current} is newer than this version of caseload knows "
                f"(up to {state.head}); upgrade caseload"
            )
        elif state.behind:
            problems.append(
                f"schema: revision {state.current}, this version needs {state.head}; "
                "run `caseload init` to upgrade"
            )
        else:
            problems += [f"schema drift: {d}" for d in schema_drift(conn)]
            problems += _series_problems(conn)
            problems += _date_problems(conn)
        conn.rollback()
    if path is not None:
        mode = path.stat().st_mode & 0o777
        if mode & 0o077:
            problems.append(f"permissions: {path} has mode {mode:o}, others can read it; run chmod 600")
    return problems


def _date_problems(conn: Connection) -> list[str]:
    """Dates outside planner.validate's range (stored before the importer
    checked them): the rules read them as the nearer end of the range."""
    from sqlalchemy import Date, or_, select

    from planner.validate import EARLIEST, LATEST

    problems = []
    for table in SQLModel.metadata.sorted_tables:
        for column in table.columns:
            if not isinstance(column.type, Date):
                continue
            stmt = (select(table.c.id, column).where(or_(column < EARLIEST, column > LATEST))
                    .order_by(table.c.id).limit(5))
            for row_id, day in conn.execute(stmt):
                problems.append(f"{table.name} {row_id}: {column.name} {day} is outside {EARLIEST} to {LATEST}; "
                                "rules read it as the nearer of the two: correct it")
    return problems[:20]


def _series_problems(conn: Connection) -> list[str]:
    """Appointments whose RRULE the app would not book today (stored before
    planner.recurrence checked them): they are read within their window, an
    unreadable one as a single appointment, but say so."""
    from planner.recurrence import RuleError, check

    problems = []
    rows = conn.execute(text(
        'SELECT a.id, c.case_ref, a.appointment_date, a.rrule FROM appointment a '
        'JOIN "case" c ON c.id = a.case_id WHERE a.rrule IS NOT NULL ORDER BY a.id'))
    for aid, case_ref, day, rule in rows:
        if isinstance(day, str):
            day = date.fromisoformat(day)
        try:
            check(rule, day)
        except RuleError as exc:
            problems.append(f"appointment {aid} of case {case_ref}: rrule {rule[:60]!r}: {exc}; "
                            "cancel it and book it again")
    return problems[:20]


def schema_drift(conn: Connection) -> list[str]:
    """Differences between the database's tables and storage/models.py
    (what `alembic check` reports), one line each; empty = none."""
    from alembic.autogenerate import compare_metadata
    from alembic.runtime.migration import MigrationContext

    context = MigrationContext.configure(conn, opts={"compare_type": True})
    return [_describe_diff(d) for d in compare_metadata(context, SQLModel.metadata)]


def _describe_diff(diff: object) -> str:
    if isinstance(diff, list):
        return "; ".join(_describe_diff(d) for d in diff)
    if not isinstance(diff, tuple) or not diff:
        return str(diff)
    op, *rest = diff
    parts = []
    for item in rest:
        if item is None or isinstance(item, dict):
            continue
        name = getattr(item, "name", None)
        parts.append(str(name) if name is not None else repr(item))
    return f"{op} " + " ".join(parts)


# --------------------------------------------------------------------------
# Backup


def backup_db(engine: Engine, dest: str | os.PathLike[str], *, actor: str | None = None) -> Path:
    """Copy the whole database to `dest` (0600), taken online while others
    may be using it. SQLite: a single self-contained file (SQLite's backup
    API), its source checked with `PRAGMA integrity_check` before and the
    copy after: a damaged database is not backed up as if it were sound.
    PostgreSQL: `pg_dump --format=custom` (restore with pg_restore), its
    archive read back with `pg_restore --list`.
    `dest` may be an existing folder (a timestamped name is chosen in it, a
    new one for every backup); an existing file is never overwritten, nor a
    symbolic link followed. The copy is written beside its name and takes it
    only once checked and, with `actor`, once its audit event is committed
    (storage/files.py). Returns the file written."""
    from storage.files import PrivateFiles

    target = Path(dest).expanduser()
    sqlite = engine.dialect.name == "sqlite"
    if not sqlite and engine.dialect.name != "postgresql":
        raise CaseloadError(f"backup is not supported for {engine.dialect.name}")
    schema_state(engine)  # a clear error for a missing file or unreachable server
    if target.is_dir() and not target.is_symlink():
        target = _new_backup_name(target, "db" if sqlite else "dump")
    with PrivateFiles() as out:
        out.claim(target)
        part = out.new_path(target)
        if sqlite:
            problems = _sqlite_integrity(engine)
            if problems:
                raise DatabaseUnavailable(f"{describe(engine)} is damaged ({integrity_summary(problems)}); "
                                          "not backing it up: "
                                      "restore the latest good backup, or see `caseload check`")
            _sqlite_backup(engine, part)
            problems = _file_integrity(part)
            if problems:
                raise FileProblem(f"the backup copy failed its integrity check ({integrity_summary(problems)}); "
                                      "nothing was kept: try again")
        else:
            _pg_dump(engine, part)
            _pg_archive_check(part)
        if actor is not None:
            from storage.audit import record_now

            record_now(engine, actor, "backup", "database", target.name)
        out.place()
    return target


def _new_backup_name(folder: Path, suffix: str) -> Path:
    """`caseload-<UTC second>.<suffix>` in `folder`, with `-1`, `-2`... when
    that second already has one (two backups in a second never collide)."""
    stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    target, n = folder / f"caseload-{stamp}.{suffix}", 1
    while target.exists() or target.is_symlink():
        target, n = folder / f"caseload-{stamp}-{n}.{suffix}", n + 1
    return target


def _integrity_rows(conn) -> list[str]:
    rows = [str(r[0]) for r in conn.execute("PRAGMA integrity_check").fetchall()]
    return [] if rows == ["ok"] else rows


def integrity_summary(problems: list[str]) -> str:
    """One line for what `PRAGMA integrity_check` found (it can list hundreds)."""
    lines = [ln.strip() for row in problems for ln in str(row).splitlines()
             if ln.strip() and not ln.strip().startswith("***")]
    if not lines:
        return "integrity check failed"
    return lines[0] + (f"; {len(lines) - 1} more problem(s)" if len(lines) > 1 else "")


def _sqlite_integrity(engine: Engine) -> list[str]:
    """`PRAGMA integrity_check` of `engine`'s SQLite database: [] when sound."""
    raw = engine.raw_connection()
    try:
        return _integrity_rows(raw.driver_connection)
    except sqlite3.DatabaseError as exc:
        return [str(exc)]
    finally:
        raw.close()


def _file_integrity(path: Path) -> list[str]:
    """`PRAGMA integrity_check` of a SQLite file opened read-only: [] when sound."""
    try:
        con = sqlite3.connect(f"{path.absolute().as_uri()}?mode=ro", uri=True)
    except sqlite3.Error as exc:
        return [str(exc)]
    try:
        return _integrity_rows(con)
    except sqlite3.DatabaseError as exc:
        return [str(exc)]
    finally:
        con.close()


def _pg_archive_check(path: Path) -> None:
    """Read a pg_dump archive's table of contents back (pg_restore --list)."""
    exe = pg_tool("pg_restore")
    if exe is None:
        return
    result = subprocess.run([exe, "--list", str(path)], capture_output=True, text=True, check=False)
    if result.returncode != 0:
        lines = [ln.strip() for ln in result.stderr.splitlines() if ln.strip()]
        raise FileProblem(f"the backup archive cannot be read back ({lines[-1] if lines else result.returncode}); "
                              "nothing was kept: try again")


def _sqlite_backup(engine: Engine, dest: Path) -> None:
    """SQLite online backup of `engine`'s database into `dest`: a new file,
    or an empty one made 0600 for it (storage/files.py)."""
    if not dest.exists():
        fd = os.open(dest, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
        os.close(fd)
    ok = False
    raw = engine.raw_connection()
    old_umask = os.umask(0o077)
    try:
        target = sqlite3.connect(dest)
        try:
            raw.driver_connection.backup(target)
            # The copy carries the WAL flag; make it one self-contained file.
            target.execute("PRAGMA journal_mode=DELETE").fetchall()
        finally:
            target.close()
        ok = True
    except sqlite3.Error as exc:
        raise CaseloadError(f"backup to {dest} failed: {exc}") from exc
    finally:
        os.umask(old_umask)
        raw.close()
        if not ok:
            for leftover in (dest, Path(f"{dest}-wal"), Path(f"{dest}-shm"), Path(f"{dest}-journal")):
                leftover.unlink(missing_ok=True)


def pg_tool(name: str) -> str | None:
    """Path of a PostgreSQL client program (`pg_dump`, `pg_restore`): on PATH,
    else the newest /usr/lib/postgresql/*/bin; None if not installed."""
    found = shutil.which(name)
    if found:
        return found

    def version(p: str) -> tuple[int, ...]:
        m = re.search(r"/postgresql/([\d.]+)/", p)
        return tuple(int(x) for x in m.group(1).split(".")) if m else (0,)

    candidates = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"), key=version, reverse=True)
    return next((c for c in candidates if os.access(c, os.X_OK)), None)


def pg_environment(engine: Engine) -> tuple[str, dict[str, str]]:
    """A libpq connection URL without the password, and an environment that
    carries it (PGPASSWORD), for running pg_dump / pg_restore: the password
    never appears on a command line."""
    url = engine.url
    conninfo = URL.create(  # URL.set(password=None) would keep the password
        "postgresql",
        username=url.username,
        host=url.host,
        port=url.port,
        database=url.database,
        query=url.query,
    ).render_as_string(hide_password=False)
    env = dict(os.environ)
    if url.password:
        env["PGPASSWORD"] = str(url.password)
    env.setdefault("PGCONNECT_TIMEOUT", "10")
    return conninfo, env


def _pg_dump(engine: Engine, dest: Path) -> None:
    exe = pg_tool("pg_dump")
    if exe is None:
        raise CaseloadError(
            "pg_dump was not found (install the PostgreSQL client tools); nothing was written"
        )
    conninfo, env = pg_environment(engine)
    if not dest.exists():
        fd = os.open(dest, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
        os.close(fd)
    result = subprocess.run(
        [exe, "--format=custom", "--file", str(dest), "--dbname", conninfo],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        dest.unlink(missing_ok=True)
        lines = [ln.strip() for ln in result.stderr.splitlines() if ln.strip()]
        reason = lines[-1] if lines else f"exit status {result.returncode}"
        if engine.url.password:
            reason = reason.replace(str(engine.url.password), "***")
        raise CaseloadError(f"pg_dump failed: {reason}")
