"""Backing the database up while others may be using it: SQLite's backup
API (the copy and its source checked), or pg_dump (its archive read back)."""

from __future__ import annotations

import os
import sqlite3
import subprocess
from datetime import datetime, timezone
from pathlib import Path

from sqlalchemy.engine import Engine

from planner.errors import CaseloadError, DatabaseUnavailable, FileProblem
from storage.db.pgtools import pg_dump, pg_tool
from storage.db.state import schema_state
from storage.engine import describe


def backup_db(engine: Engine, dest: str | os.PathLike[str], *, actor: str | None = None) -> Path:
    """Copy the whole database to `dest` (0600), taken online while others
    may be using it. SQLite: a single self-contained file (SQLite's backup
    API), its source checked with `PRAGMA integrity_check` before and the
    copy after: a damaged database is not backed up as if it were sound.
    PostgreSQL: `pg_dump --format=custom` (restore with pg_restore), its
    archive read back with `pg_restore --list`.
    `dest` may be an existing folder (a timestamped name is chosen in it, a
    new one for every backup; a name ending in a slash must be one); an existing file is never overwritten, nor a
    symbolic link followed. The copy is written beside its name and takes it
    only once checked and, with `actor`, once its audit event is committed
    (storage/files.py). Returns the file written."""
    from storage.files import PrivateFiles

    target = Path(dest).expanduser()
    if str(dest).endswith(("/", os.sep)) and not target.is_dir():  # a folder was meant: Path drops the slash
        raise FileProblem(f"{target}: no such folder (give an existing folder, or a file name)")
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
            sqlite_backup(engine, part)
            problems = _file_integrity(part)
            if problems:
                raise FileProblem(f"the backup copy failed its integrity check ({integrity_summary(problems)}); "
                                      "nothing was kept: try again")
        else:
            pg_dump(engine, part)
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
    """`PRAGMA integrity_check` on a sqlite3 connection: [] when sound."""
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


def sqlite_backup(engine: Engine, dest: Path) -> None:
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
