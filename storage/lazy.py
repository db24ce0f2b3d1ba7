"""A package's names loaded from their modules when first asked for (PEP 562).

    __getattr__, __dir__ = lazy_names(__name__, {"load_actions": "notes", ...})

`from package import name` and `package.name` work as if the package had
imported the name itself; the module is imported on first use and the value
kept in the package's namespace, so later look-ups cost nothing. For names a
command or the app's start-up would otherwise load without needing them
(storage.queries, storage.db, storage.csvio).
"""

from __future__ import annotations

import sys
from importlib import import_module
from typing import Any, Callable


def lazy_names(package: str, homes: dict[str, str]) -> tuple[Callable[[str], Any], Callable[[], list[str]]]:
    """(`__getattr__`, `__dir__`) for `package`, whose names in `homes` live
    in `package.<module>`."""

    def __getattr__(name: str) -> Any:
        home = homes.get(name)
        if home is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        value = getattr(import_module(f"{package}.{home}"), name)
        setattr(sys.modules[package], name, value)
        return value

    def __dir__() -> list[str]:
        return sorted({*vars(sys.modules[package]), *homes})

    return __getattr__, __dir__
