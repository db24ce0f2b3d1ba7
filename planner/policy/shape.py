"""How a policy section is declared and read: its keys, their defaults and checks.

A section is a frozen dataclass. A leaf key is declared with `setting`
(its default and the check a value from a file must pass), a nested table
with `section`; a section keyed by a domain word (a contact level, a tier,
a severity) is built by `keyed_section` from one table of defaults. `shape`
is the one reader of that shape: loading a file (planner/policy/loading.py)
and listing the keys a file may set both go through it.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable, Iterator
from dataclasses import Field, dataclass, field, fields, make_dataclass
from operator import attrgetter
from typing import Any

from planner.model import CONTACT_KINDS, NATIONS


class Bad(Exception):
    """A value from a file that its check refuses (the reason, without the key)."""


Check = Callable[[Any], Any]

# --------------------------------------------------------------------------
# Value checks. Each returns the value to store, or raises Bad(reason).


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def int_check(minimum: int, maximum: int, reason: str) -> Callable[[Any], int]:
    def check(value: Any) -> int:
        if not _is_int(value) or value < minimum:
            raise Bad(reason)
        if value > maximum:
            raise Bad(f"must be at most {maximum}")
        return value

    return check


def number_check(minimum: float, strict: bool, maximum: float, reason: str) -> Callable[[Any], float]:
    def check(value: Any) -> float:
        if _is_number(value) and not math.isfinite(value):  # TOML has nan and inf
            raise Bad("must be a finite number")
        if not _is_number(value) or value < minimum or (strict and value == minimum):
            raise Bad(reason)
        if value > maximum:
            raise Bad(f"must be at most {maximum:g}")
        return float(value)

    return check


def nation_check(value: Any) -> str:
    if not isinstance(value, str) or value not in NATIONS:
        raise Bad("must be one of " + ", ".join(NATIONS))
    return value


# The upper bounds keep every count inside what the rules can reckon with:
# day counts within ten years (dates stay in the calendar whatever the as-of
# date: planner/validate.py), numbers the solver can take exactly.
MAX_DAYS = 3660
DAYS = int_check(1, MAX_DAYS, "must be a positive whole number of days")
DAYS_OR_ZERO = int_check(0, MAX_DAYS, "must be a whole number of days, 0 or more")
WORKING_DAYS = int_check(1, 260, "must be a positive whole number of working days")
COUNT = int_check(1, 1000, "must be a positive whole number")
WEIGHT = int_check(0, 1_000_000, "must be a whole number, 0 or more")
ANSWER = int_check(1, 5, "must be a whole number from 1 to 5 (a check-in answer)")
MULTIPLIER = number_check(0, True, 1000, "must be a positive number")
POINTS = number_check(0, False, 100_000, "must be a number, 0 or more")
FULL_TIME_POINTS = number_check(0, True, 100_000, "must be a positive number")
HOURS = number_check(0, True, 168, "must be a positive number of hours")
PERCENT = number_check(0, True, 1000, "must be a positive percentage")


def clock_check(value: Any) -> str:
    """A time of day as HH:MM (24-hour)."""
    if not isinstance(value, str):
        raise Bad("must be a time of day as \"HH:MM\"")
    try:
        dt.time.fromisoformat(value)
    except ValueError:
        raise Bad("must be a time of day as \"HH:MM\"") from None
    if len(value) != 5:
        raise Bad("must be a time of day as \"HH:MM\"")
    return value


def contact_kind_check(value: Any) -> str:
    if value not in CONTACT_KINDS:
        raise Bad(f"must be one of {', '.join(CONTACT_KINDS)}")
    return value


# --------------------------------------------------------------------------
# Declaring a section


def setting(default: Any, check: Check) -> Any:
    """A leaf key: its default and how a value from a file is checked."""
    return field(default=default, metadata={"check": check})


def section(cls: type, factory: Callable[[], Any] | None = None) -> Any:
    """A nested table of type `cls` (its defaults, or what `factory` makes)."""
    return field(default_factory=factory or cls, metadata={"section": cls})


def shape(section_value: Any) -> Iterator[tuple[str, Check | None, type | None]]:
    """Each key of a section: its name, and either its check (a leaf) or the
    type of its nested section."""
    for spec in fields(section_value):
        yield spec.name, spec.metadata.get("check"), spec.metadata.get("section")


class Section:
    """The base of every section (`@frozen_section`): `repr`, `==` and `hash`
    as a frozen dataclass's own, by the fields in order, written here once
    instead of generated and compiled for each of the thirty-odd sections
    when the policy is imported, on every start-up (bench/README.md,
    "Start-up"). The rules look sections up by hash (their caches), so the
    values are read by one `attrgetter` a class (`_values_of`)."""

    __slots__ = ()
    _values_of: Callable[[Any], tuple]

    def __repr__(self) -> str:
        inner = ", ".join(f"{spec.name}={getattr(self, spec.name)!r}" for spec in fields(self)  # type: ignore[arg-type]
                          if spec.repr)
        return f"{type(self).__qualname__}({inner})"

    def __eq__(self, other: object) -> bool:
        if other.__class__ is self.__class__:
            return self._values_of(self) == other._values_of(other)  # type: ignore[attr-defined]
        return NotImplemented

    def __hash__(self) -> int:
        return hash(self._values_of(self))


def _section_values(cls: type) -> None:
    """`cls._values_of(section)`: its fields' values, as a tuple, in order."""
    names = tuple(spec.name for spec in fields(cls))
    if len(names) == 1:
        one = attrgetter(names[0])
        cls._values_of = staticmethod(lambda section: (one(section),))  # type: ignore[attr-defined]
    else:
        cls._values_of = staticmethod(attrgetter(*names))  # type: ignore[attr-defined]


def frozen_section(cls: type) -> type:
    """`@dataclass(frozen=True)` for a `Section` subclass: its `repr`, `==` and
    `hash` are Section's."""
    cls = dataclass(frozen=True, repr=False, eq=False)(cls)
    _section_values(cls)
    return cls


class _Keyed(Section):
    """Sections keyed by a domain word (a level or a tier) read like a dict too."""

    def __getitem__(self, key: str) -> Any:
        if key not in self.__dataclass_fields__:  # type: ignore[attr-defined]
            raise KeyError(key)
        return getattr(self, key)

    def __contains__(self, key: object) -> bool:
        return key in self.__dataclass_fields__  # type: ignore[attr-defined]

    def get(self, key: str, default: Any = None) -> Any:
        if key in self.__dataclass_fields__:  # type: ignore[attr-defined]
            return getattr(self, key)
        return default

    def keys(self) -> tuple[str, ...]:
        return tuple(self.__dataclass_fields__)  # type: ignore[attr-defined]

    def as_dict(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in self.keys()}


def keyed_section(name: str, doc: str, module: str, entries: dict[str, tuple[type, Field]]) -> type:
    """A frozen section whose keys are domain words, read like a dict too:
    `entries` maps each key to its type and its `setting` or `section`."""
    cls = make_dataclass(
        name,
        [(key, kind, spec) for key, (kind, spec) in entries.items()],
        bases=(_Keyed,),
        frozen=True,
        repr=False,  # Section's
        eq=False,
        namespace={"__doc__": doc},  # with a docstring, dataclass does not work one out (planner/policy/rules.py)
    )
    cls.__module__ = module
    _section_values(cls)
    return cls


def same_check(kind: type, check: Check, defaults: dict[str, Any]) -> dict[str, tuple[type, Field]]:
    """`keyed_section` entries that share one type and one check."""
    return {key: (kind, setting(default, check)) for key, default in defaults.items()}
