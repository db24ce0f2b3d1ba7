"""No module of planner, storage or tui over 600 lines and no function over
60 (issue 17's measure; docs/ARCHITECTURE.md), by an AST walk. Alembic's
revisions (storage/migrations/versions/) and generated data
(storage/schema_data.py, written by `python -m storage.schema_gen`) are left
out. A function's lines run from its `def` to its last line (decorators not
counted), nested functions counted in the one that holds them too."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LAYERS = ("planner", "storage", "tui")
LEFT_OUT = ("storage/migrations/versions/", "storage/schema_data.py")
MODULE_LINES = 600
FUNCTION_LINES = 60


def modules() -> list[Path]:
    found = [p for layer in LAYERS for p in sorted((ROOT / layer).rglob("*.py"))
             if not p.relative_to(ROOT).as_posix().startswith(LEFT_OUT)]
    assert len(found) > 200, "the walk found the code"
    return found


def long_modules(paths, limit: int = MODULE_LINES) -> list[str]:
    out = []
    for path in paths:
        lines = len(path.read_text(encoding="utf-8").splitlines())
        if lines > limit:
            out.append(f"{path.relative_to(ROOT)}: {lines} lines")
    return out


def long_functions(paths, limit: int = FUNCTION_LINES) -> list[str]:
    out = []
    for path in paths:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                lines = node.end_lineno - node.lineno + 1
                if lines > limit:
                    out.append(f"{path.relative_to(ROOT)}:{node.lineno} {node.name}: {lines} lines")
    return out


def test_no_module_over_600_lines():
    assert long_modules(modules()) == []


def test_no_function_over_60_lines():
    assert long_functions(modules()) == []


def test_the_walk_sees_long_code_where_there_is_some():
    """The measure itself can fail: the longest module and function are found
    with a limit just under their length."""
    paths = modules()
    longest = max(len(p.read_text(encoding="utf-8").splitlines()) for p in paths)
    assert len(long_modules(paths, longest - 1)) >= 1
    assert long_functions(paths, 20)
