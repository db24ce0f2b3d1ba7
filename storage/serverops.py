"""PostgreSQL team-server operations: practitioner logins, restore.

Schema 0003 creates the NOLOGIN role `caseload_practitioner` (its grants:
read and write the caseload tables, only append to `audit_event`) and turns
on row-level security keyed on `current_user` -> `db_login` ->
practitioner -> team. `add_login` gives a practitioner their own LOGIN role,
a member of `caseload_practitioner`, and the `db_login` row that maps it.
Connected with that login - through the app or any other client - they see
their team's cases only. The login that ran `caseload init` owns the tables
and is not restricted (it is the administrator's).

These need a connection that may create roles (a superuser, or the owner
with CREATEROLE). Passwords are never logged, echoed or put in the audit.
"""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

from sqlalchemy import select, text
from sqlalchemy.engine import Engine
from sqlmodel import Session

from planner.errors import CaseloadError, DatabaseUnavailable, FileProblem
from storage import audit
from storage import models as m

PRACTITIONER_ROLE = "caseload_practitioner"
_LOGIN_NAME = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")


def _require_pg(engine: Engine, what: str) -> None:
    if engine.dialect.name != "postgresql":
        raise CaseloadError(f"{what} is for a PostgreSQL team server; this database is SQLite")


def ensure_practitioner_role(conn) -> None:
    """Create the NOLOGIN group role if this server lacks it (it is one per
    server; migration 0003 creates it too)."""
    conn.execute(text(f"""
        DO $$ BEGIN
            IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '{PRACTITIONER_ROLE}') THEN
                CREATE ROLE {PRACTITIONER_ROLE} NOLOGIN;
            END IF;
        EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL;
        END $$"""))


def add_login(
    engine: Engine, *, practitioner_id: str, login: str, password: str | None, actor: str
) -> str:
    """Create (or update) the LOGIN role `login` for a practitioner, member
    of `caseload_practitioner`, and map it in `db_login`. An existing role
    gets the new password (if one is given) and the membership; an existing
    mapping is moved to this practitioner. Audited (no password). Returns a
    one-line description."""
    import psycopg
    from psycopg import sql

    _require_pg(engine, "server add-login")
    if not _LOGIN_NAME.match(login):
        raise CaseloadError(
            f"login {login!r}: use lower-case letters, digits and _ (up to 63, not starting with a digit)"
        )
    with Session(engine) as s:
        practitioner = s.execute(
            select(m.Practitioner).where(m.Practitioner.practitioner_id == practitioner_id)
        ).scalar_one_or_none()
        if practitioner is None:
            raise CaseloadError(f"unknown practitioner {practitioner_id}")
        conn = s.connection()
        raw = conn.connection.driver_connection
        owner = conn.execute(text("SELECT tableowner FROM pg_tables WHERE tablename = 'case' "
                                  "AND schemaname = current_schema()")).scalar_one_or_none()
        if login in {owner, conn.execute(text("SELECT current_user")).scalar_one()}:
            raise CaseloadError(f"{login} owns the caseload tables; give the practitioner a login of their own")
        _refuse_powerful_role(conn, login, owner)
        super_ = conn.execute(text("SELECT rolsuper FROM pg_roles WHERE rolname = :r"), {"r": login}).first()
        ensure_practitioner_role(conn)
        ident = sql.Identifier(login)
        try:
            with raw.cursor() as cur:
                created = super_ is None
                if created:
                    cur.execute(sql.SQL("CREATE ROLE {} LOGIN").format(ident))
                # INHERIT: the login uses the group's grants directly.
                cur.execute(sql.SQL("ALTER ROLE {} LOGIN INHERIT").format(ident))
                if password:
                    cur.execute(sql.SQL("ALTER ROLE {} LOGIN PASSWORD {}").format(ident, sql.Literal(password)))
                cur.execute(sql.SQL("GRANT {} TO {}").format(sql.Identifier(PRACTITIONER_ROLE), ident))
        except psycopg.errors.InsufficientPrivilege as exc:
            raise CaseloadError(
                f"cannot create login {login}: this connection may not create roles "
                "(run it as a superuser or a login with CREATEROLE)"
            ) from exc
        row = s.get(m.DbLogin, login)
        if row is None:
            s.add(m.DbLogin(login_name=login, practitioner_pk=practitioner.id))
        else:
            row.practitioner_pk = practitioner.id
        audit.record(s, actor, "add_login", "db_login", login, practitioner_id=practitioner_id,
                     created=created, password_set=bool(password))
        s.commit()
    team = _team_of(engine, practitioner_id)
    verb = "created" if created else "updated"
    return f"{verb} login {login} for {practitioner_id} (team {team}); it sees team {team}'s cases only"


def _refuse_powerful_role(conn, login: str, owner: str | None) -> None:
    """An existing role becomes a practitioner's login only if row-level
    security can hold it: not the group role itself, no SUPERUSER, BYPASSRLS
    or CREATEROLE (which could grant itself anything), not a member of the
    tables' owner (it would act as the owner)."""
    if login == PRACTITIONER_ROLE:
        raise CaseloadError(
            f"{login} is the group role every practitioner login belongs to; give the practitioner a "
            "login of their own (e.g. --login n1_02)"
        )
    row = conn.execute(text(
        "SELECT rolsuper, rolbypassrls, rolcreaterole,"
        " CASE WHEN CAST(:owner AS text) IS NULL THEN false"
        " ELSE pg_has_role(rolname, CAST(:owner AS text), 'MEMBER') END"
        " FROM pg_roles WHERE rolname = :r"), {"r": login, "owner": owner}).first()
    if row is None:
        return
    powers = [name for name, has in zip(("SUPERUSER", "BYPASSRLS", "CREATEROLE"), row[:3]) if has]
    if powers:
        raise CaseloadError(
            f"{login} has {', '.join(powers)}: row-level security would not hold it; give the practitioner "
            "a login of their own without those attributes"
        )
    if row[3]:
        raise CaseloadError(f"{login} is a member of {owner}, which owns the caseload tables: it would see "
                            "every team; give the practitioner a login of their own")


def _team_of(engine: Engine, practitioner_id: str) -> str:
    with Session(engine) as s:
        return s.execute(
            select(m.Team.team_id).join(m.Practitioner, m.Practitioner.team_pk == m.Team.id)
            .where(m.Practitioner.practitioner_id == practitioner_id)
        ).scalar_one()


def list_logins(engine: Engine) -> list[tuple[str, str, str]]:
    """(login, practitioner_id, team_id) for every mapped login."""
    with Session(engine) as s:
        rows = s.execute(
            select(m.DbLogin.login_name, m.Practitioner.practitioner_id, m.Team.team_id)
            .join(m.Practitioner, m.Practitioner.id == m.DbLogin.practitioner_pk)
            .join(m.Team, m.Team.id == m.Practitioner.team_pk)
            .order_by(m.DbLogin.login_name)
        ).all()
    return [tuple(r) for r in rows]


# --------------------------------------------------------------------------- restore


def restore_db(engine: Engine, src: str | os.PathLike[str], *, force: bool = False) -> str:
    """Restore a backup made by `storage.db.backup_db` into `engine`'s database.

    SQLite: `src` is a backup file; the target file is replaced page by page
    with SQLite's backup API. An existing database with any rows is refused
    unless `force`. PostgreSQL: `src` is a pg_dump custom-format file; the
    target database must be empty (no tables), and `pg_restore` runs in one
    transaction, stopping at the first error (nothing restored then).
    Returns a one-line description."""
    from storage.db import schema_state

    source = Path(src).expanduser()
    if not source.is_file():
        raise FileProblem(f"{source}: no such backup file")
    if engine.dialect.name == "sqlite":
        return _restore_sqlite(engine, source, force=force)
    _require_pg(engine, "restore from a pg_dump file")
    state = schema_state(engine)  # clear error for an unreachable server
    if not state.empty:
        raise CaseloadError(
            "the target database is not empty; pg_restore restores into a new, empty database "
            "(createdb NAME, then caseload --db postgresql+psycopg://.../NAME restore FILE)"
        )
    return _restore_pg(engine, source)


def _restore_sqlite(engine: Engine, source: Path, *, force: bool) -> str:
    import sqlite3

    from storage.db import integrity_summary
    from storage.engine import create_db_file, describe, sqlite_path

    target = sqlite_path(engine)
    if target is None:
        raise CaseloadError("restore needs a database file (not an in-memory database)")
    try:
        src = sqlite3.connect(f"{source.absolute().as_uri()}?mode=ro", uri=True)
        try:
            tables = [r[0] for r in src.execute("SELECT name FROM sqlite_master WHERE type='table'")]
            version = src.execute("SELECT version_num FROM alembic_version").fetchone() \
                if "alembic_version" in tables else None
        except sqlite3.DatabaseError as exc:
            src.close()
            raise FileProblem(f"{source} is not a SQLite database or is damaged ({exc})") from exc
    except sqlite3.Error as exc:
        raise FileProblem(f"cannot open {source} ({exc})") from exc
    try:
        if version is None:
            raise FileProblem(f"{source} is not a caseload backup (no schema revision)")
        damage = _integrity(src)
        if damage:
            raise FileProblem(f"{source} is damaged ({integrity_summary(damage)}); not restoring it: "
                              "choose another backup (nothing was changed)")
        if target.exists() and not force and _sqlite_has_rows(target):
            raise CaseloadError(
                f"{target} already holds data; give --force to replace it with {source.name}"
            )
        create_db_file(target)
        engine.dispose()  # no pooled connection may keep the old pages
        old = os.umask(0o077)
        try:
            dest = sqlite3.connect(target)
            try:
                src.backup(dest)
                dest.execute("PRAGMA journal_mode=WAL").fetchall()
                damage = _integrity(dest)
            finally:
                dest.close()
            if damage:
                raise FileProblem(f"the restored {target} fails its integrity check ({integrity_summary(damage)}); "
                                  "restore again, or from another backup")
        finally:
            os.umask(old)
    finally:
        src.close()
    os.chmod(target, 0o600)
    return f"restored {source} into {describe(engine)} (schema {version[0]})"


def _integrity(con) -> list[str]:
    """`PRAGMA integrity_check` of an open sqlite3 connection: [] when sound."""
    import sqlite3

    try:
        rows = [str(r[0]) for r in con.execute("PRAGMA integrity_check").fetchall()]
    except sqlite3.DatabaseError as exc:
        return [str(exc)]
    return [] if rows == ["ok"] else rows


def _sqlite_has_rows(path: Path) -> bool:
    import sqlite3

    con = sqlite3.connect(f"{path.absolute().as_uri()}?mode=ro", uri=True)
    try:
        names = [r[0] for r in con.execute(
            "SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%' "
            "AND name <> 'alembic_version'")]
        return any(con.execute(f'SELECT 1 FROM "{n}" LIMIT 1').fetchone() for n in names)
    except sqlite3.DatabaseError:
        return True  # not a database we understand: do not overwrite it silently
    finally:
        con.close()


def _restore_pg(engine: Engine, source: Path) -> str:
    from storage.db import pg_environment, pg_tool
    from storage.engine import describe

    exe = pg_tool("pg_restore")
    if exe is None:
        raise CaseloadError("pg_restore was not found (install the PostgreSQL client tools)")
    with engine.begin() as conn:  # the grants in the dump name this role
        ensure_practitioner_role(conn)
    conninfo, env = pg_environment(engine)
    result = subprocess.run(
        [exe, "--no-owner", "--exit-on-error", "--single-transaction", "--dbname", conninfo, str(source)],
        env=env, capture_output=True, text=True, check=False,
    )
    if result.returncode != 0:
        lines = [ln.strip() for ln in result.stderr.splitlines() if ln.strip()]
        reason = lines[0] if lines else f"exit status {result.returncode}"
        if engine.url.password:
            reason = reason.replace(str(engine.url.password), "***")
        raise CaseloadError(f"pg_restore failed, nothing was restored: {reason}")
    return f"restored {source} into {describe(engine)}"


# --------------------------------------------------------------------------- the server going away


class ServerUnavailable(DatabaseUnavailable):
    """The database server could not be reached, or the connection broke.
    Nothing of the interrupted change was saved unless `maybe_saved` (the
    connection broke during COMMIT itself: reload to see)."""

    def __init__(self, message: str, *, maybe_saved: bool = False):
        super().__init__(message)
        self.maybe_saved = maybe_saved


def is_connection_error(exc: BaseException) -> bool:
    """A lost or refused connection (not a bad statement or a conflict)."""
    from sqlalchemy.exc import DBAPIError, OperationalError

    if isinstance(exc, DBAPIError):
        if exc.connection_invalidated:
            return True
        if isinstance(exc, OperationalError):
            return True
        sqlstate = getattr(exc.orig, "sqlstate", None) or ""
        return sqlstate.startswith("08") or sqlstate in ("57P01", "57P02", "57P03")
    return type(exc).__module__.startswith("psycopg") and type(exc).__name__ in (
        "OperationalError", "InterfaceError")


def unavailable(engine: Engine, exc: BaseException, *, during_commit: bool = False) -> ServerUnavailable:
    """The one-line message for a server that went away."""
    from storage.engine import describe

    orig = getattr(exc, "orig", None) or exc
    lines = [ln.strip() for ln in str(orig).splitlines() if ln.strip()]
    reason = lines[0] if lines else type(orig).__name__
    if engine.url.password:
        reason = reason.replace(str(engine.url.password), "***")
    if during_commit:
        return ServerUnavailable(
            f"lost the database server at {describe(engine)} while saving ({reason}); "
            "the change may or may not have been saved: reload to check, then try again",
            maybe_saved=True,
        )
    return ServerUnavailable(
        f"the database server at {describe(engine)} is not answering ({reason}); "
        "nothing was saved: try again when it is back"
    )


def run_unit(engine: Engine, work, *, attempts: int = 1):
    """Run `work(session)` as one transaction and commit it
    (`storage.repo.commit_or_conflict`); return what `work` returned.

    A connection that broke or could not be made becomes `ServerUnavailable`
    (one line, the session rolled back) instead of a traceback; with
    `attempts` > 1 a failure *before* the commit is retried straight away on a
    new connection (the pool's pre-ping throws the dead ones away), which is
    what a person pressing "retry" does. A failure during the commit is never
    retried blindly: the change may have been saved."""
    from storage.repo import commit_or_conflict

    last: ServerUnavailable | None = None
    for _ in range(max(1, attempts)):
        with Session(engine, expire_on_commit=False) as s:
            try:
                result = work(s)
            except Exception as exc:
                if not is_connection_error(exc):
                    raise
                last = unavailable(engine, exc)
                continue
            try:
                commit_or_conflict(s)
            except Exception as exc:
                if is_connection_error(exc):
                    raise unavailable(engine, exc, during_commit=True) from None
                raise
            return result
    assert last is not None
    raise last


__all__ = [
    "PRACTITIONER_ROLE",
    "ServerUnavailable",
    "add_login",
    "ensure_practitioner_role",
    "is_connection_error",
    "list_logins",
    "restore_db",
    "run_unit",
    "unavailable",
]
