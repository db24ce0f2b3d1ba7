"""Libraries imported without the standard-library packages they load only
for what caseload never does, in one place, with one switch.

`import sqlalchemy` imports `asyncio` (for its async engines and drivers),
`importlib.metadata` (to find third-party dialects by their entry points;
caseload's SQLite and PostgreSQL dialects are SQLAlchemy's own) and
`hashlib` (to shorten over-long constraint names): about a fifth of its
import, paid by every write command (README, "Every command";
bench/README.md, "Every command"). `platformdirs`, which finds the policy
file's folder for every command, imports `tempfile` (with `shutil`,
`random`, `bz2`, `lzma`) for a runtime folder caseload never asks for.

While one of `WRAPPED` is being imported, each package of `DEFERRED` not
imported yet is a stand-in in `sys.modules`: the first attribute anyone
asks of it imports the real package and answers from it, so whatever does
use them (SQLAlchemy's asyncio support, a dialect found by entry point,
psycopg) works as before and only pays the import then. The stand-ins
leave `sys.modules` as soon as that import is done: a later `import
asyncio` anywhere gets the real package. The few functions the wrapped
modules take from them at import time (`asyncio.iscoroutine`, kept in a
module of SQLAlchemy's own; `from tempfile import gettempdir`) the stand-in
has: functions that import the real package when they are called. Should a
new release take something else at import time, the stand-in imports the
real package there and then: slower, never wrong
(tests/storage/test_lean_import.py notices).

Installed by the `caseload` entry point (tui/startup.py) before anything
else is imported; `CASELOAD_IMPORTS=plain` in the environment (read when
installed) leaves every import as Python does it.
"""

from __future__ import annotations

import importlib
import importlib.machinery
import os
import sys
import threading
import types
from contextlib import contextmanager
from typing import Any, Iterator

SWITCH = "CASELOAD_IMPORTS"  # "plain": import SQLAlchemy as it imports itself
#: the modules whose import runs with the stand-ins in place
WRAPPED = frozenset({"sqlalchemy", "sqlalchemy.dialects.sqlite", "platformdirs"})
#: the packages stood in for, and the functions the wrapped modules take from them at import time
DEFERRED: dict[str, tuple[str, ...]] = {
    "asyncio": ("iscoroutine",),
    "importlib.metadata": (),
    "hashlib": (),
    "tempfile": ("TemporaryFile", "gettempdir"),
}


def _real(name: str) -> types.ModuleType:
    """The real package `name`, imported now if it was not."""
    if isinstance(sys.modules.get(name), _StandIn):
        sys.modules.pop(name, None)
    return importlib.import_module(name)


class _StandIn(types.ModuleType):
    """A package not imported yet: any attribute it lacks is the real one's."""

    def __getattr__(self, attr: str) -> Any:
        if attr == "__path__" and not _is_package(self.__name__):
            raise AttributeError(attr)  # `from tempfile import x` asks: a plain module has none
        return getattr(_real(self.__name__), attr)


def _is_package(name: str) -> bool:
    """Whether `name` is a package (has submodules), found without importing it."""
    parent = name.rpartition(".")[0]
    spec = importlib.machinery.PathFinder.find_spec(name, sys.modules[parent].__path__ if parent else None)
    return spec is None or spec.submodule_search_locations is not None


def _deferred_function(name: str, attr: str):
    def call(*args: Any, **kwargs: Any) -> Any:
        return getattr(_real(name), attr)(*args, **kwargs)

    call.__name__ = call.__qualname__ = attr
    return call


def _stand_in(name: str) -> _StandIn:
    module = _StandIn(name)
    for attr in DEFERRED[name]:
        setattr(module, attr, _deferred_function(name, attr))
    return module


_depth = 0  # imports of WRAPPED running (one inside another)


@contextmanager
def standing_in() -> Iterator[None]:
    """The stand-ins in `sys.modules` (for each package not imported yet)
    while the block runs; gone after it, unless the block made them real.
    On the main thread only (as storage/collector.py toggles the collector):
    an import on another thread, the app's workers', is left as it is."""
    global _depth
    placed: list[tuple[str, _StandIn]] = []
    if _depth == 0 and threading.current_thread() is threading.main_thread():
        for name in DEFERRED:
            if name not in sys.modules:
                placed.append((name, _stand_in(name)))
                sys.modules[name] = placed[-1][1]
                parent, _, child = name.rpartition(".")
                if parent and not hasattr(sys.modules[parent], child):
                    # `import importlib.metadata` then `importlib.metadata.x`: the
                    # attribute stays the stand-in until the real one replaces it
                    setattr(sys.modules[parent], child, placed[-1][1])
    _depth += 1
    try:
        yield
    finally:
        _depth -= 1
        for name, module in placed:
            if sys.modules.get(name) is module:
                del sys.modules[name]


class _Loader:
    """The module's own loader, run with the stand-ins in place."""

    def __init__(self, loader) -> None:
        self.loader = loader

    def create_module(self, spec):
        return self.loader.create_module(spec)

    def exec_module(self, module: types.ModuleType) -> None:
        module.__loader__ = module.__spec__.loader = self.loader  # nothing of this module stays behind
        with standing_in():
            self.loader.exec_module(module)


class _Finder:
    """Finds WRAPPED as the other finders do, and wraps their loader."""

    @classmethod
    def find_spec(cls, name: str, path=None, target=None):
        if name not in WRAPPED:
            return None
        for finder in sys.meta_path:
            find = getattr(finder, "find_spec", None) if finder is not cls else None
            spec = find(name, path, target) if find is not None else None
            if spec is not None:
                if spec.loader is not None and hasattr(spec.loader, "exec_module"):
                    spec.loader = _Loader(spec.loader)
                return spec
        return None


def enabled() -> bool:
    return os.environ.get(SWITCH, "lean") != "plain"


def install() -> None:
    """Import `WRAPPED` with the stand-ins from now on (not if the switch
    says plain)."""
    if enabled() and _Finder not in sys.meta_path:
        sys.meta_path.insert(0, _Finder)


def uninstall() -> None:
    """Python's own imports again (tests only)."""
    while _Finder in sys.meta_path:
        sys.meta_path.remove(_Finder)


__all__ = ["DEFERRED", "SWITCH", "WRAPPED", "enabled", "install", "standing_in", "uninstall"]
