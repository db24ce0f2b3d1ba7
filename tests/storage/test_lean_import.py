"""SQLAlchemy and platformdirs imported without the standard-library
packages they load for what caseload never does (storage/lean_import.py):
a write command from the `caseload` entry point loads none of them, and
writes and prints the same as with `CASELOAD_IMPORTS=plain`, which loads
them all; whatever asks the stand-ins for something gets the real
packages' answer."""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DEFERRED = ("asyncio", "importlib.metadata", "hashlib", "tempfile")

ENTRY = """
import atexit, json, os, sys
atexit.register(lambda: open(os.environ["PROBE_OUT"], "w").write(json.dumps(sorted(sys.modules))))
from tui.startup import main
main(sys.argv[1:])
"""

BOOKING = ("--as", "N1-02", "week", "--suggest", "--week-of", "2026-12-21", "--on", "2026-12-18", "--apply")


def _run(code: str, args: tuple[str, ...], tmp_path: Path, **env: str) -> tuple[subprocess.CompletedProcess, set]:
    out = tmp_path / "modules.json"
    full_env = {**os.environ, "PROBE_OUT": str(out), "HOME": str(tmp_path), "NO_COLOR": "1", **env}
    full_env.pop("CASELOAD_DB", None)
    full_env.pop("CASELOAD_IMPORTS", None)
    full_env.update(env)
    done = subprocess.run([sys.executable, "-c", code, *args], env=full_env, capture_output=True, text=True,
                          cwd=ROOT, check=False)
    return done, set(json.loads(out.read_text())) if out.exists() else set()


def _printed(code: str, tmp_path: Path, **env: str) -> list[str]:
    """What `code` prints, run in a fresh process that must succeed."""
    done, _ = _run(code, (), tmp_path, **env)
    assert done.returncode == 0, done.stderr
    return done.stdout.split()


def _written(db: Path) -> dict[str, list[tuple]]:
    """Every table's rows, less the clock's columns (DATETIME: when written) and the transaction id."""
    con = sqlite3.connect(db)
    try:
        found = {}
        for (table,) in con.execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name"):
            columns = [name for _cid, name, kind, *_ in con.execute(f'PRAGMA table_info("{table}")')
                       if kind.upper() != "DATETIME" and name != "xact"]
            found[table] = con.execute(f'SELECT {", ".join(f"{chr(34)}{c}{chr(34)}" for c in columns)} '
                                       f'FROM "{table}" ORDER BY 1').fetchall()
        return found
    finally:
        con.close()


def test_a_write_from_the_entry_point_imports_neither_and_writes_the_same(tmp_path):
    results = {}
    for mode in ("lean", "plain"):
        db = tmp_path / f"{mode}.db"
        shutil.copyfile(ROOT / "sample.db", db)
        db.chmod(0o600)
        done, modules = _run(ENTRY, ("--db", str(db), *BOOKING), tmp_path,
                             **({"CASELOAD_IMPORTS": "plain"} if mode == "plain" else {}))
        assert done.returncode == 0, done.stderr
        assert "booked " in done.stdout
        assert "sqlalchemy" in modules
        results[mode] = (done.stdout, modules & set(DEFERRED), _written(db))
    assert results["lean"][1] == set()
    assert results["plain"][1] == set(DEFERRED)  # the switch back, and the check can fail
    assert results["lean"][0] == results["plain"][0]
    assert results["lean"][2] == results["plain"][2]


PROBE_STAND_INS = """
import sys, types
from storage.lean_import import install
install()
import sqlalchemy
from sqlalchemy import create_engine
engine = create_engine("sqlite://")
with engine.connect() as connection:
    assert connection.exec_driver_sql("select 1").scalar() == 1
assert "asyncio" not in sys.modules and "importlib.metadata" not in sys.modules, "imported"
import platformdirs, platformdirs.unix
assert "tempfile" not in sys.modules
import os
assert platformdirs.unix.gettempdir() == os.environ["EXPECT_TMP"]  # `from tempfile import gettempdir`: the real one
assert type(sys.modules["tempfile"]) is types.ModuleType
from sqlalchemy.util import compat, concurrency

async def job():
    return 1

coroutine = job()
assert concurrency.iscoroutine(coroutine) and not concurrency.iscoroutine(1)
coroutine.close()
assert type(sys.modules["asyncio"]) is types.ModuleType  # the real package, imported when asked
import asyncio
assert asyncio.run(job()) == 1
assert compat.importlib_metadata.version("sqlalchemy") == sqlalchemy.__version__
import importlib.metadata
assert importlib.metadata is sys.modules["importlib.metadata"] and type(importlib.metadata) is types.ModuleType
assert compat.md5_not_for_security().hexdigest() == "d41d8cd98f00b204e9800998ecf8427e"  # hashlib's, when asked
print("ok")
"""


def test_the_stand_ins_answer_as_the_real_packages(tmp_path):
    import tempfile

    assert _printed(PROBE_STAND_INS, tmp_path, EXPECT_TMP=tempfile.gettempdir()) == ["ok"]


def test_an_import_of_asyncio_after_sqlalchemy_gets_the_real_package(tmp_path):
    code = ("import sys, types\nfrom storage.lean_import import install\ninstall()\nimport sqlalchemy\n"
            "import asyncio, importlib.metadata\n"
            "print(type(asyncio) is types.ModuleType, hasattr(asyncio, 'get_running_loop'),"
            " type(importlib.metadata) is types.ModuleType)")
    assert _printed(code, tmp_path) == ["True", "True", "True"]


def test_what_is_asked_for_while_standing_in_is_the_real_one(tmp_path):
    code = ("import sys, types\nfrom storage.lean_import import standing_in\n"
            "with standing_in():\n"
            "    from tempfile import gettempdir\n"  # a plain module: no import yet
            "    lazy = 'tempfile' in sys.modules and type(sys.modules['tempfile']) is not types.ModuleType\n"
            "    import asyncio\n"
            "    stood_in = type(asyncio) is not types.ModuleType\n"
            "    from asyncio import events\n"  # a package's submodule: the real package now
            "print(lazy, stood_in, events is sys.modules['asyncio.events'],"
            " type(sys.modules['asyncio']) is types.ModuleType, bool(gettempdir()),"
            " type(sys.modules['tempfile']) is types.ModuleType)")
    assert _printed(code, tmp_path) == ["True"] * 6


def test_another_thread_imports_as_python_does(tmp_path):
    code = ("import sys, threading\nfrom storage.lean_import import install\ninstall()\n"
            "seen = []\n"
            "thread = threading.Thread(target=lambda: (__import__('sqlalchemy'), seen.append('asyncio' in sys.modules)))\n"
            "thread.start(); thread.join()\nprint(seen)")
    assert _printed(code, tmp_path) == ["[True]"]
