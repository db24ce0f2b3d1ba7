"""Dataclasses built without compiling the methods that start-up never calls.

Python 3.11's `dataclasses` compiles each generated method (`__init__`,
`__repr__`, `__eq__`, `__hash__`, a frozen class's `__setattr__` and
`__delattr__`) from source text with its own `exec` as the class is made:
the app's start-up makes about sixty dataclasses of `planner`, `storage` and
`tui` (the policy's sections, the model, the views) and forty of Textual
and Rich before its first frame, and those compiles are some 30 ms of it
(bench/README.md, "Start-up").

`install()` (called by the `caseload` entry point, tui/startup.py, before
anything else is imported) makes the dataclasses of this project's packages
(`planner`, `storage`, `tui`) and of Textual and Rich (both pinned exactly,
pyproject.toml) compile every generated method but `__init__` when it is
first called instead. The stand-in compiles the method exactly as
`dataclasses` would have, puts it on the class in its own place, and calls
it: from the second call on, the class holds the method `dataclasses` would
have made (a `__repr__` stays behind reprlib's recursion guard, as it always
is, and calls through). `__init__`, and with it `inspect.signature` of a
class, is never deferred. Classes of other packages are left alone.

It reaches into `dataclasses._create_fn`, a private function, so:

- `CASELOAD_DATACLASSES=plain` in the environment turns it off (read when
  `install` runs), and so does a Python whose `dataclasses` has no
  `_create_fn` of the expected signature (3.13 builds methods another way,
  and in one `exec` per class already);
- tests/tui/test_lazy_methods.py builds classes both ways and compares
  what they do, on every run.
"""

from __future__ import annotations

import dataclasses
import inspect
import os
from typing import Any, Callable

SWITCH = "CASELOAD_DATACLASSES"  # "plain": dataclasses as Python builds them
PACKAGES = ("planner", "storage", "tui", "textual", "rich")  # whose dataclasses are built this way
EAGER = frozenset({"__init__"})

_original: Callable[..., Any] | None = None


def _supported() -> bool:
    create = getattr(dataclasses, "_create_fn", None)
    if create is None:
        return False
    try:
        params = inspect.signature(create).parameters
    except (TypeError, ValueError):
        return False
    return list(params)[:3] == ["name", "args", "body"] and {"globals", "locals", "return_type"} <= set(params)


def _ours(module_globals: dict | None) -> bool:
    name = (module_globals or {}).get("__name__") or ""
    return name.split(".", 1)[0] in PACKAGES


def _deferred(create: Callable[..., Any]) -> Callable[..., Any]:
    def create_fn(name, args, body, *, globals=None, locals=None, return_type=dataclasses.MISSING):
        if name in EAGER or not _ours(globals):
            return create(name, args, body, globals=globals, locals=locals, return_type=return_type)
        made = None

        def stand_in(self, *rest, **kwargs):
            nonlocal made
            if made is None:
                made = create(name, args, body, globals=globals, locals=locals, return_type=return_type)
                made.__qualname__ = stand_in.__qualname__  # as dataclasses names it on the class
                for klass in type(self).__mro__:  # the class holding this stand-in gets the method itself
                    if klass.__dict__.get(name) is stand_in:
                        setattr(klass, name, made)
                        break
            return made(self, *rest, **kwargs)

        stand_in.__name__ = name
        return stand_in

    create_fn.deferring = True  # type: ignore[attr-defined]
    return create_fn


def install() -> bool:
    """Defer the methods of the project's dataclasses made from now on
    (True), unless switched off or unsupported (False)."""
    global _original
    if _original is not None:
        return True
    if os.environ.get(SWITCH, "lazy") == "plain" or not _supported():
        return False
    _original = dataclasses._create_fn  # type: ignore[attr-defined]
    dataclasses._create_fn = _deferred(_original)  # type: ignore[attr-defined]
    return True


def uninstall() -> None:
    """Dataclasses made from now on are built as Python builds them (those
    made before keep their stand-ins, which work as before)."""
    global _original
    if _original is not None:
        dataclasses._create_fn = _original  # type: ignore[attr-defined]
        _original = None
