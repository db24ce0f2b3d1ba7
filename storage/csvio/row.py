"""One data row and its cell parsers: each records its problem on the row
and returns `_BAD`; `parse_all` reads cells as their `Column`s say
(storage/csvio/spec.py)."""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from datetime import date, time
from typing import TYPE_CHECKING, Any

from planner import validate
from planner.model import FLAGS
from storage.csvio.cells import unescape_cell

if TYPE_CHECKING:
    from storage.csvio.source import _Source
    from storage.csvio.spec import Column

__all__ = ["_BAD", "_Row", "_ok"]

_BAD = object()
# ASCII digits only: Python's \d and float() also take other scripts' digits
# ('２０２６-１１-２０', '３７') and float() takes '3_7' as 37 (docs/csv.md: numbers and dates).
_ISO = re.compile(r"(\d{4})-(\d{2})-(\d{2})", re.ASCII)
_UK = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})", re.ASCII)
_TIME = re.compile(r"([01]?\d|2[0-3]):([0-5]\d)", re.ASCII)
_NUMBER = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?", re.ASCII)
_LOOKUPS: dict[int, dict[str, str]] = {}  # id(constant tuple) -> lower -> canonical
_YES = {"true": True, "yes": True, "1": True, "false": False, "no": False, "0": False}


class _Row:
    """One data row; its parsers record problems and return `_BAD`."""

    __slots__ = ("src", "num", "cells", "bad")

    def __init__(self, src: _Source, num: int, cells: list[str]) -> None:
        self.src = src
        self.num = num
        self.cells = cells
        self.bad = False

    def error(self, column: str, reason: str) -> None:
        self.src.errors.add(self.src, self.num, column, reason)
        self.bad = True

    def raw(self, column: str) -> str | None:
        idx = self.src.col.get(column)
        if idx is None:
            return None
        value = self.cells[idx]
        return unescape_cell(value) if value[:1] == "'" else value

    def _value(self, column: str, required: bool) -> Any:
        raw = self.raw(column)
        if raw is None:
            if column in self.src.missing:
                self.bad = True  # reported once, on the header
                return _BAD
            return None
        value = raw.strip()
        if not value:
            if required:
                self.error(column, "required, but blank")
                return _BAD
            return None
        return value

    def key(self, column: str, required: bool = True, max_len: int = 64) -> Any:
        value = self._value(column, required)
        if isinstance(value, str):
            if len(value) > max_len:
                self.error(column, f"too long (at most {max_len} characters)")
                return _BAD
            if not value.isprintable():
                self.error(column, "contains a tab, line break or other unprintable character")
                return _BAD
        return value

    def text(self, column: str, required: bool = False, max_len: int | None = None, strip: bool = True,
             check: Any = validate.free_text) -> Any:
        """Free text (`check` = planner.validate.free_text), or a name with
        `check=validate.name`."""
        if strip:
            value = self._value(column, required)
        else:
            raw = self.raw(column)
            if raw is None:
                return _BAD if column in self.src.missing else None
            value = raw if raw.strip() else None
            if value is None and required:
                self.error(column, "required, but blank")
                return _BAD
        if isinstance(value, str) and max_len is not None and len(value) > max_len:
            self.error(column, f"too long (at most {max_len} characters)")
            return _BAD
        if isinstance(value, str):
            problem = check(value)
            if problem is not None:
                self.error(column, problem)
                return _BAD
        return value

    def enum(self, column: str, allowed: Sequence[str], required: bool = False) -> Any:
        value = self._value(column, required)
        if not isinstance(value, str):
            return value
        lookup = _LOOKUPS.get(id(allowed))
        if lookup is None:
            lookup = _LOOKUPS[id(allowed)] = {a.lower(): a for a in allowed}
        found = lookup.get(value.lower())
        if found is None:
            self.error(column, f"{value!r} is not one of {', '.join(allowed)}")
            return _BAD
        return found

    def date(self, column: str, required: bool = False) -> Any:
        value = self._value(column, required)
        if not isinstance(value, str):
            return value
        if len(value) == 10 and value[4] == "-" == value[7] and value.isascii():
            try:  # the common case, quickly
                day = date.fromisoformat(value)
            except ValueError:
                pass
            else:
                return day if validate.EARLIEST <= day <= validate.LATEST else self._in_range(column, day)
        iso = _ISO.fullmatch(value)
        uk = None if iso else _UK.fullmatch(value)
        if iso:
            y, mo, d = (int(g) for g in iso.groups())
        elif uk:
            d, mo, y = (int(g) for g in uk.groups())
        else:
            self.error(column, f"{value!r} is not a date (use YYYY-MM-DD or DD/MM/YYYY)")
            return _BAD
        try:
            day = date(y, mo, d)
        except ValueError:
            self.error(column, f"{value!r} is not a real date")
            return _BAD
        return self._in_range(column, day)

    def _in_range(self, column: str, day: date) -> Any:
        problem = validate.in_range(day)
        if problem is not None:
            self.error(column, problem)
            return _BAD
        return day

    def checked(self, column: str, value: Any, check: Any, *args: Any) -> Any:
        """`value` if `check(value, *args)` (planner.validate) finds nothing
        wrong, else the row error and _BAD; values already bad pass through."""
        if value is None or value is _BAD:
            return value
        problem = check(value, *args)
        if problem is not None:
            self.error(column, problem)
            return _BAD
        return value

    def time(self, column: str) -> Any:
        value = self._value(column, False)
        if not isinstance(value, str):
            return value
        match = _TIME.fullmatch(value)
        if not match:
            self.error(column, f"{value!r} is not a time (use HH:MM, 24-hour)")
            return _BAD
        return time(int(match.group(1)), int(match.group(2)))

    def boolean(self, column: str) -> Any:
        value = self._value(column, False)
        if not isinstance(value, str):
            return value
        found = _YES.get(value.lower())
        if found is None:
            self.error(column, f"{value!r} is not one of true, false, yes, no, 1, 0")
            return _BAD
        return found

    def number(self, column: str, low: float, high: float, *, low_open: bool = False) -> Any:
        value = self._value(column, False)
        if not isinstance(value, str):
            return value
        number = float(value) if _NUMBER.fullmatch(value) else math.nan
        if not math.isfinite(number):
            self.error(column, f"{value!r} is not a number")
            return _BAD
        if number > high or number < low or (low_open and number == low):
            bound = f"more than {low:g}" if low_open else f"at least {low:g}"
            self.error(column, f"{value} is out of range ({bound} and at most {high:g})")
            return _BAD
        return number

    def whole(self, column: str, low: float, high: float, required: bool) -> Any:
        """A whole number in the range (a check-in's answer, docs/voice.md)."""
        if required and self._value(column, True) is _BAD:
            return _BAD
        value = self.number(column, low, high)
        if value is _BAD or not isinstance(value, float):
            return value
        if not value.is_integer():
            self.error(column, f"{value:g} is not a whole number")
            return _BAD
        return int(value)

    def flags(self, column: str) -> Any:
        value = self._value(column, False)
        if not isinstance(value, str):
            return value
        parts = [p.strip().lower() for p in value.split(";") if p.strip()]
        unknown = [p for p in parts if p not in FLAGS]
        if unknown:
            self.error(column, f"unknown flag {unknown[0]!r} (flags: {', '.join(FLAGS)})")
            return _BAD
        return ";".join(sorted(set(parts)))

    def email(self, column: str) -> Any:
        value = self.key(column, required=False, max_len=254)
        if isinstance(value, str) and (" " in value or value.count("@") != 1 or value.startswith("@") or value.endswith("@")):
            self.error(column, "not an email address")
            return _BAD
        return value

    # -- the spec's way -------------------------------------------------------
    def parse_all(self, cols: Sequence[Column], today: date) -> dict[str, Any]:
        """Each column's cell read, checked and defaulted as the spec says:
        the value, None for a blank (or absent) optional cell, or `_BAD`."""
        out: dict[str, Any] = {}
        for col in cols:
            value = _PARSE[col.parser](self, col)
            if col.check is not None:
                value = self.checked(col.name, value, col.check, today)
            if value is None and col.default is not None:
                value = col.default
            out[col.name] = value
        return out


_PARSE: dict[str, Any] = {
    "key": lambda r, c: r.key(c.name, c.value_required, c.max_len or 64),
    "name": lambda r, c: r.text(c.name, c.value_required, c.max_len, c.strip, check=validate.name),
    "text": lambda r, c: r.text(c.name, c.value_required, c.max_len, c.strip),
    "enum": lambda r, c: r.enum(c.name, c.choices, c.value_required),
    "date": lambda r, c: r.date(c.name, c.value_required),
    "time": lambda r, c: r.time(c.name),
    "boolean": lambda r, c: r.boolean(c.name),
    "number": lambda r, c: r.number(c.name, c.low, c.high, low_open=c.low_open),
    "whole": lambda r, c: r.whole(c.name, c.low, c.high, c.value_required),
    "flags": lambda r, c: r.flags(c.name),
    "email": lambda r, c: r.email(c.name),
}


def _ok(*values: Any) -> bool:
    return _BAD not in values

