"""The arrows point down only: tui -> storage -> planner (STYLE.md).

Each check runs in a fresh interpreter, imports every module of one package,
and looks at what ended up in sys.modules. Importing storage must also not
open or create a database (nothing touches a database at import time).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]

PROBE = r"""
import importlib, json, pkgutil, sys
package = importlib.import_module(sys.argv[1])
imported = [package.__name__]
for info in pkgutil.walk_packages(package.__path__, package.__name__ + "."):
    if ".migrations" in info.name:  # Alembic scripts run inside Alembic, not on import
        continue
    importlib.import_module(info.name)
    imported.append(info.name)
top = sorted({name.split(".")[0] for name in sys.modules})
print(json.dumps({"imported": imported, "top": top}))
"""


def import_everything(package: str, tmp_path: Path) -> tuple[list[str], set[str]]:
    env = dict(os.environ)
    env["PYTHONPATH"] = str(REPO)
    env["CASELOAD_DB"] = str(tmp_path / "should-not-exist" / "caseload.db")
    env["HOME"] = str(tmp_path / "home")  # the platformdirs default is not touched either
    env["XDG_DATA_HOME"] = str(tmp_path / "home" / "data")
    result = subprocess.run(
        [sys.executable, "-c", PROBE, package],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout.strip().splitlines()[-1])
    return data["imported"], set(data["top"])


def test_planner_imports_no_storage_ui_or_database_library(tmp_path):
    imported, loaded = import_everything("planner", tmp_path)
    assert len(imported) > 1, imported
    forbidden = {"storage", "tui", "textual", "sqlmodel", "sqlalchemy"}
    assert loaded & forbidden == set(), f"planner pulled in {sorted(loaded & forbidden)}"


def test_storage_imports_no_ui_and_opens_no_database(tmp_path):
    imported, loaded = import_everything("storage", tmp_path)
    assert {"storage.engine", "storage.db", "storage.models"} <= set(imported)
    assert loaded & {"textual", "tui"} == set(), f"storage pulled in {sorted(loaded & {'textual', 'tui'})}"
    assert not (tmp_path / "should-not-exist").exists()
    assert not (tmp_path / "home").exists()
