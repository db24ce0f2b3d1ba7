"""The data layer reaches storage through the Gateway's public methods only
(tui/data/gateway.py): a write is `Gateway.write(fn, **kwargs)` or one of its
named writes, never its private helpers, so a change of them stays in one file."""

from __future__ import annotations

import ast
from pathlib import Path

TUI = Path(__file__).resolve().parents[2] / "tui"


def private_uses(path: Path) -> list[str]:
    """`gateway._x` and `<anything>.gateway._x` in a module: file:line: what."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if not (isinstance(node, ast.Attribute) and node.attr.startswith("_")):
            continue
        owner = node.value
        name = owner.id if isinstance(owner, ast.Name) else owner.attr if isinstance(owner, ast.Attribute) else ""
        if name == "gateway":
            found.append(f"{path.name}:{node.lineno}: gateway.{node.attr}")
    return found


def test_nothing_outside_the_gateway_calls_its_private_members():
    modules = sorted(p for p in TUI.rglob("*.py") if p != TUI / "data" / "gateway.py")
    assert len(modules) > 50  # the walk found the app
    assert [use for path in modules for use in private_uses(path)] == []


def test_the_walk_sees_a_private_call(tmp_path):
    """The check above can fail: it finds what it looks for."""
    probe = tmp_path / "probe.py"
    probe.write_text("def f(app, gateway):\n    gateway.write(0)\n    gateway._write(1)\n    app.gateway._write(2)\n")
    assert private_uses(probe) == ["probe.py:3: gateway._write", "probe.py:4: gateway._write"]
