"""tui/lazy_methods.py: a dataclass of the project built with its methods
compiled on first call does what the same class built as Python builds it does."""

from __future__ import annotations

import dataclasses
import pickle
import sys
import types

import pytest

from tui import lazy_methods

FIELDS = [("ref", str), ("days", int), ("tags", tuple, dataclasses.field(default=()))]


def build(module: str, **options):
    """The same class, made in a module called `module` (its name decides
    whether the class is the project's), where pickle finds it."""
    home = sys.modules.setdefault(module, types.ModuleType(module))
    cls = dataclasses.make_dataclass("Probe", FIELDS, namespace={"__module__": module}, **options)
    home.Probe = cls
    return cls


@pytest.fixture
def deferring():
    assert lazy_methods.install()
    try:
        yield
    finally:
        lazy_methods.uninstall()


def method_name(cls, name: str) -> str:
    return cls.__dict__[name].__code__.co_name


@pytest.mark.parametrize("options", [
    {"frozen": True},
    {"frozen": True, "slots": True},
    {"frozen": True, "order": True},
    {"eq": True},
    {"unsafe_hash": True},
])
def test_a_deferred_class_does_what_the_plain_one_does(deferring, options):
    lazy = build("tui._probe_lazy", **options)
    lazy_methods.uninstall()
    plain = build("tui._probe_plain", **options)

    def behaviour(cls):
        a, b, c = cls("X1", 3, ("t",)), cls("X1", 3, ("t",)), cls("X2", 1)
        out = {"repr": repr(a), "eq": (a == b, a == c, a != c, a == "X1"), "hashable": cls.__hash__ is not None}
        if out["hashable"]:
            out["hash"] = (hash(a) == hash(b), len({a, b, c}))
        if options.get("order"):
            out["order"] = (a < c, c > a, a <= b, sorted([c, a]) == [a, c])
        for act in (lambda: setattr(a, "days", 9), lambda: delattr(a, "days")):
            try:
                act()
                out.setdefault("changed", []).append(a.days if hasattr(a, "days") else None)
            except Exception as exc:  # noqa: BLE001 - the error is what is compared
                out.setdefault("refused", []).append((type(exc).__name__, str(exc)))
        out["pickled"] = pickle.loads(pickle.dumps(b)) == b
        out["fields"] = [f.name for f in dataclasses.fields(cls)]
        return out

    assert behaviour(lazy) == behaviour(plain)


def test_methods_are_compiled_when_first_called_then_held_by_the_class(deferring):
    cls = build("tui._probe", frozen=True)
    assert method_name(cls, "__init__") == "__init__"  # never deferred: signatures stay true
    assert method_name(cls, "__eq__") == "stand_in"
    assert method_name(cls, "__hash__") == "stand_in"
    a = cls("X1", 3)
    assert a == cls("X1", 3) and hash(a) == hash(cls("X1", 3))
    assert method_name(cls, "__eq__") == "__eq__"  # the method dataclasses makes, from now on
    assert method_name(cls, "__hash__") == "__hash__"
    assert cls.__eq__.__qualname__ == "Probe.__eq__"
    assert repr(a) == "Probe(ref='X1', days=3, tags=())"


def test_other_packages_classes_are_built_as_python_builds_them(deferring):
    cls = build("elsewhere._probe", frozen=True)
    assert method_name(cls, "__eq__") == "__eq__"


def test_the_switch_leaves_dataclasses_alone(monkeypatch):
    monkeypatch.setenv(lazy_methods.SWITCH, "plain")
    original = dataclasses._create_fn
    assert lazy_methods.install() is False
    assert dataclasses._create_fn is original
    assert method_name(build("tui._probe", frozen=True), "__eq__") == "__eq__"
