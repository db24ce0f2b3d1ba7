"""The PostgreSQL client programs (pg_dump, pg_restore): finding them, and
running them with the password in the environment, never on a command line."""

from __future__ import annotations

import glob
import os
import re
import shutil
import subprocess
from pathlib import Path

from sqlalchemy.engine import URL, Engine

from planner.errors import CaseloadError


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


def pg_dump(engine: Engine, dest: Path) -> None:
    """`pg_dump --format=custom` of `engine`'s database into `dest` (0600)."""
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
