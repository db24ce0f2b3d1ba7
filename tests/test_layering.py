"""The arrows point down only: tui -> storage -> planner (pyproject.toml's import-linter contracts).

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


# --- every import statement, inside functions too ------------------------------

LAYERS = ("planner", "storage", "tui")  # lowest first: a module imports its own layer or lower
FRAMEWORKS = {"textual", "rich", "sqlalchemy", "sqlmodel", "alembic", "psycopg", "click"}


def imports_of(path: Path) -> list[tuple[int, str]]:
    """(line, top-level module) of every import statement in the file, at any
    depth: in functions, methods, `if TYPE_CHECKING:` and `try:` blocks alike."""
    import ast

    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name.split(".")[0]) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.append((node.lineno, node.module.split(".")[0]))
    return sorted(found)


def upward_imports(root: Path) -> list[str]:
    """'file:line imports X' for every import that points up a layer, or from
    planner to a framework."""
    bad = []
    for layer_index, layer in enumerate(LAYERS):
        for path in sorted((root / layer).rglob("*.py")):
            if "migrations" in path.parts:
                continue
            for line, top in imports_of(path):
                above = top in LAYERS and LAYERS.index(top) > layer_index
                framework = layer == "planner" and top in FRAMEWORKS
                if above or framework:
                    bad.append(f"{path.relative_to(root)}:{line} imports {top}")
    return bad


def test_no_import_statement_anywhere_points_up_a_layer():
    assert upward_imports(REPO) == []


def test_the_scan_sees_an_import_hidden_in_a_function(tmp_path):
    (tmp_path / "planner").mkdir()
    (tmp_path / "storage").mkdir()
    (tmp_path / "tui").mkdir()
    (tmp_path / "planner" / "x.py").write_text(
        "def f():\n    if True:\n        from storage import db\n    import textual.app\n"
    )
    (tmp_path / "storage" / "y.py").write_text("class C:\n    def m(self):\n        import tui.app\n")
    assert upward_imports(tmp_path) == [
        "planner/x.py:3 imports storage",
        "planner/x.py:4 imports textual",
        "storage/y.py:3 imports tui",
    ]


def test_the_import_contracts_hold():
    """import-linter's contracts in pyproject.toml: the layers, planner free of
    frameworks, screens and widgets reaching storage only through the data layer."""
    result = subprocess.run(
        [sys.executable, "-c", "import sys; from importlinter.cli import lint_imports_command; "
         "sys.argv = ['lint-imports']; lint_imports_command()"],
        cwd=REPO, capture_output=True, text=True, check=False,
        env={**os.environ, "PYTHONPATH": str(REPO)},
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]
    assert "BROKEN" not in result.stdout and "KEPT" in result.stdout
