"""CSV import and export (SPEC §7, §8).

Import
------
`import_csv(engine, paths, actor=...)` reads any number of CSV files. Each
file's kind is told by its header (the required columns of `KINDS`); files are
processed in dependency order (practitioners, cases, allocations, contacts,
appointments, absences, handovers) whatever order they were given in, so a
contact may name a case that a cases file of the same call creates.

- UTF-8, with or without a byte-order mark; comma-separated; header row
  required; column order free; unknown columns are rejected.
- Dates are ISO `YYYY-MM-DD` or UK `DD/MM/YYYY`; anything else, or an
  impossible date such as 31/02/2026, is an error.
- Values are checked as the app's forms check them: `planner/validate.py`
  (dates from 1900 to 2999, no contact after `today`, no birth or allocation
  after it, no new handover before it, no control characters in names and
  notes, no open allocation across teams, no team move that strands cases)
  and `planner/recurrence.py` (the RRULEs the app books). A quoted field left
  open, or a cell over the csv module's field limit, is refused on its row.
- Rows are upserted by their natural key (see `KINDS`). Only real changes are
  written, so importing the same rows twice changes nothing (and records no
  audit event the second time).
- The whole call is one transaction. Every row of every file is checked and
  *every* problem is collected as a line `FILE:ROW: column: reason` (ROW is
  the file's line number, the header being line 1; `-` stands for the whole
  row or file). Writing stops at the first problem, the transaction is rolled
  back and `ImportFailed(errors)` is raised: nothing is written.
- `dry_run=True` checks and counts exactly like a real import but writes
  nothing at all.
- Files are streamed: no file is held in memory, keys are resolved with
  dictionaries loaded once, and rows are written with batched executemany.

Side effects of some kinds:

- practitioners: a `team_id` not yet known creates the team (name from
  `team_name`, else the id; nation from `nation`, else england-and-wales).
- cases: `practitioner_id` + `allocated_on` open the case's first allocation.
  When the case is held by someone else since an earlier date, it is a
  reallocation: the open allocation ends on `allocated_on` and a new one
  starts. An allocation that already exists with that practitioner and date
  is left alone (re-importing an old export does not undo later moves), and
  so is a row naming the current practitioner with another date (correct
  allocation dates with an allocations file).
- handovers: a new row plans a handover from the case's current practitioner
  with the SPEC §4 checklist (`planner.checklist.build_checklist`); a case
  has at most one open handover.
- practitioners: `nation` is stored on the practitioner only where it
  differs from the team's (the export writes the effective nation).

Values are matched leniently and stored canonically: enum words in any case
(`Attended`, `po`, `a3`), `youth` as true/false/yes/no/1/0, `flags` sorted.
An optional column left out of the header leaves that field alone on update;
present but blank, it clears the field (or sets the default).

Audit: one event per inserted or changed row (action `import`, the row's
natural key as `entity_key`, the changed field names in `detail`, never
values), plus one `import`/`file` event per file with its counts. A re-import
that changes nothing records nothing.

Formula escaping (SPEC §8)
--------------------------
Spreadsheets run a cell that starts with `=`, `+`, `-` or `@` (or a tab or
carriage return) as a formula. The exporter therefore writes such a cell with
one added leading single quote: `=HYPERLINK("x")` is written
`'=HYPERLINK("x")`. The importer strips exactly that added quote again: a cell
that starts with `'` followed by (any further quotes and then) one of those
characters loses its first quote. To keep this reversible a value that itself
starts with quotes before such a character gets one more quote on export, so
every value round-trips unchanged. A value starting with a quote followed by
anything else (`'tis`) is neither escaped nor stripped.

Export
------
`export_dir(engine, dest, actor=...)` writes one file per kind in exactly the
import formats (all columns, blank for none), rows in natural-key order, so
that importing the export into an empty database gives the same data and a
second export the same bytes. Only open handovers are exported (without
their ticks: a re-import plans them afresh). `fmt="json"` writes one file,
`caseload.json`, with the same records (same column names and text values,
no formula escaping, `null` for blank). Files are created 0600, all of
them or none, never over an existing file unless `force` (storage/files.py).
"""

from __future__ import annotations

import csv
import json
import math
import os
import re
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, and_, bindparam, func, insert, select, update
from sqlalchemy.exc import DBAPIError
from sqlmodel import Session

from planner import validate
from planner.errors import CaseloadError, ConflictError, DatabaseUnavailable, FileProblem
from planner.model import (
    ABSENCE_KINDS,
    CANCELLED_BY,
    CONTACT_KINDS,
    CONTACT_LEVELS,
    FLAGS,
    GRADES,
    NATIONS,
    OPEN_HANDOVER_STATUSES,
    OUTCOMES,
    ROLES,
    STATUSES,
    TIERS,
)
from storage import audit
from storage import models as m
from storage.files import PrivateFiles

__all__ = [
    "KINDS",
    "ORDER",
    "FileReport",
    "ImportFailed",
    "ImportReport",
    "KindSpec",
    "escape_cell",
    "export_dir",
    "import_csv",
    "unescape_cell",
]


# --------------------------------------------------------------------------- kinds


@dataclass(frozen=True, slots=True)
class KindSpec:
    """One kind of CSV file: its columns and its natural key."""

    name: str
    required: tuple[str, ...]
    optional: tuple[str, ...]
    key: tuple[str, ...]
    entity: str

    @property
    def columns(self) -> tuple[str, ...]:
        return self.required + self.optional


KINDS: dict[str, KindSpec] = {
    spec.name: spec
    for spec in (
        KindSpec(
            "practitioners",
            ("practitioner_id", "name", "team_id", "role", "grade"),
            ("team_name", "contracted_hours", "reduction_pct", "leaving_on", "email", "nation"),
            ("practitioner_id",),
            "practitioner",
        ),
        KindSpec(
            "cases",
            ("case_ref", "display_name", "practitioner_id", "allocated_on"),
            ("tier", "contact_level", "youth", "date_of_birth", "flags", "status", "paused_until"),
            ("case_ref",),
            "case",
        ),
        KindSpec(
            "allocations",
            ("case_ref", "practitioner_id", "start_date"),
            ("end_date", "reason"),
            ("case_ref", "practitioner_id", "start_date"),
            "allocation",
        ),
        KindSpec(
            "contacts",
            ("case_ref", "contact_date", "practitioner_id", "kind", "outcome"),
            ("notes", "cancelled_by", "with_practitioner_id"),
            ("case_ref", "contact_date", "practitioner_id", "kind"),
            "contact",
        ),
        KindSpec(
            "appointments",
            ("case_ref", "appointment_date", "practitioner_id"),
            ("time", "kind", "rrule"),
            ("case_ref", "appointment_date", "practitioner_id"),
            "appointment",
        ),
        KindSpec(
            "absences",
            ("practitioner_id", "start_date", "end_date"),
            ("kind", "cover_practitioner_id"),
            ("practitioner_id", "start_date"),
            "absence",
        ),
        KindSpec(
            "handovers",
            ("case_ref", "to_practitioner_id", "planned_on"),
            ("reason",),
            ("case_ref", "planned_on"),
            "handover",
        ),
    )
}
ORDER: tuple[str, ...] = tuple(KINDS)
FILENAMES: dict[str, str] = {kind: f"{kind}.csv" for kind in ORDER}
JSON_FILENAME = "caseload.json"

#: Rows per executemany batch.
BATCH = 5000
#: SQLite page cache for the import's connection, in KiB (restored afterwards).
SQLITE_IMPORT_CACHE_KIB = 256 * 1024

_ESCAPE_START = ("=", "+", "-", "@", "\t", "\r")
_BOM = b"\xef\xbb\xbf"


# --------------------------------------------------------------------------- escaping


def escape_cell(value: str) -> str:
    """The cell as exported: one `'` added before a value that a spreadsheet
    would run as a formula (see the module docstring)."""
    if value and (value[0] in _ESCAPE_START or (value[0] == "'" and value.lstrip("'")[:1] in _ESCAPE_START)):
        return "'" + value
    return value


def unescape_cell(value: str) -> str:
    """The inverse of `escape_cell`: strips exactly the one added quote."""
    if value[:1] == "'" and value[1:].lstrip("'")[:1] in _ESCAPE_START and len(value) > 1:
        return value[1:]
    return value


# --------------------------------------------------------------------------- reports


class ImportFailed(CaseloadError):
    """The import was refused; nothing was written. `errors` holds one
    `FILE:ROW: column: reason` line per problem, in file and row order."""

    def __init__(self, errors: Sequence[str]) -> None:
        self.errors = list(errors)
        super().__init__("\n".join(self.errors))


@dataclass
class FileReport:
    """What one file did (or would do, in a dry run)."""

    path: str
    kind: str | None
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    #: side effects, e.g. {"teams new": 1, "allocations opened": 3}
    also: Counter = field(default_factory=Counter)

    def describe(self) -> str:
        line = (
            f"{self.path} ({self.kind}): {self.inserted} new, "
            f"{self.updated} changed, {self.unchanged} unchanged"
        )
        extras = [f"{n} {what}" for what, n in sorted(self.also.items()) if n]
        if extras:
            line += "; " + ", ".join(extras)
        return line


@dataclass
class ImportReport:
    files: list[FileReport]
    dry_run: bool = False

    def describe(self) -> list[str]:
        """One line per file, e.g. `practitioners.csv (practitioners): 3 new,
        1 changed, 6 unchanged`."""
        return [f.describe() for f in self.files]

    @property
    def inserted(self) -> int:
        return sum(f.inserted for f in self.files)

    @property
    def updated(self) -> int:
        return sum(f.updated for f in self.files)

    @property
    def unchanged(self) -> int:
        return sum(f.unchanged for f in self.files)

    @property
    def changed(self) -> bool:
        return bool(self.inserted or self.updated or any(sum(f.also.values()) for f in self.files))


# --------------------------------------------------------------------------- errors


class _Errors:
    def __init__(self) -> None:
        self._items: list[tuple[Any, int, tuple[int, int], str]] = []

    def add(self, src: _Source, row: int, column: str, reason: str) -> None:
        # within a row, problems are listed in the file's column order
        place = (src.col.get(column, -1), len(self._items))
        self._items.append((src, row, place, f"{src.name}:{row}: {column}: {reason}"))

    def __bool__(self) -> bool:
        return bool(self._items)

    def __len__(self) -> int:
        return len(self._items)

    def lines(self) -> list[str]:
        items = sorted(self._items, key=lambda it: (it[0].order, it[1], it[2]))
        return [it[3] for it in items]


# --------------------------------------------------------------------------- reading


class _Source:
    """One input file: its header, its kind, and a streaming row reader."""

    def __init__(self, path: str | os.PathLike[str], index: int, errors: _Errors) -> None:
        self.path = Path(path)
        self.name = os.fspath(path)
        self.index = index
        self.order = -1_000_000 + index  # files of no kind sort first
        self.errors = errors
        self.kind: KindSpec | None = None
        self.col: dict[str, int] = {}
        self.missing: set[str] = set()
        self.width = 0

    # -- bytes -> text lines, reporting non-UTF-8 bytes with their line and offset
    def _lines(self, report_from: int) -> Iterator[tuple[int, str]]:
        offset = 0
        with open(self.path, "rb") as fh:
            for lineno, raw in enumerate(fh, start=1):
                base = offset
                offset += len(raw)
                if lineno == 1 and raw.startswith(_BOM):
                    raw = raw[len(_BOM):]
                    base += len(_BOM)
                try:
                    text = raw.decode("utf-8")
                except UnicodeDecodeError as exc:
                    if lineno >= report_from:
                        self.errors.add(
                            self, lineno, "-",
                            f"not valid UTF-8 (byte 0x{raw[exc.start]:02x} at offset {base + exc.start})",
                        )
                    text = raw.decode("utf-8", "replace")
                yield lineno, text

    def _records(self, report_from: int = 1) -> Iterator[tuple[int, list[str]]]:
        consumed = 0

        def feed() -> Iterator[str]:
            nonlocal consumed
            for lineno, text in self._lines(report_from):
                consumed = lineno
                yield text

        # strict: a quoted field never closed is an error at the end of the
        # file, not one field swallowing every row after it.
        reader = csv.reader(feed(), strict=True)
        while True:
            start = consumed + 1
            try:
                record = next(reader)
            except StopIteration:
                return
            except csv.Error as exc:
                column, reason = self._csv_problem(start, consumed, str(exc))
                self.errors.add(self, start, column, reason)
                return
            yield start, record

    def _csv_problem(self, row: int, last_line: int, message: str) -> tuple[str, str]:
        """The column and reason for a record (from line `row` to `last_line`)
        the csv module refused: its cells are read again, without the
        module's limits, to find the cell at fault."""
        limit = csv.field_size_limit()
        cells = self._raw_record(row, limit)
        # the cell at fault is the last one read: the reader stops inside it
        index = len(cells) - 1 if cells else 0
        if "field larger than field limit" in message:
            long = [i for i, cell in enumerate(cells) if len(cell) > limit]
            index = long[0] if long else index
            reason = f"longer than {limit} characters (the most a CSV cell may hold)"
        elif "unexpected end of data" in message:
            reason = "unterminated quoted field (its opening quote is never closed)"
        elif "expected after" in message and last_line > row:
            # a quote left open swallows the lines after it up to the next quote
            reason = f"unterminated quoted field (the quote opened on this row runs on to line {last_line})"
        elif "expected after" in message:
            reason = "text after a closing quote (quote the whole cell, doubling any quote inside it)"
        else:
            return "-", f"not valid CSV ({message})"
        names = {i: name for name, i in self.col.items()}
        return names.get(index, f"column {index + 1}"), reason

    def _raw_record(self, row: int, limit: int) -> list[str]:
        """The cells of the record starting on line `row`, read leniently."""
        saved = csv.field_size_limit()
        try:
            csv.field_size_limit(max(limit, 1 << 30))
            with open(self.path, "rb") as fh:
                lines = (raw.decode("utf-8", "replace").removeprefix("\ufeff")
                         for n, raw in enumerate(fh, start=1) if n >= row)
                return next(csv.reader(lines, strict=False), [])
        except (OSError, csv.Error):
            return []
        finally:
            csv.field_size_limit(saved)

    def read_header(self) -> None:
        try:
            first = next(self._records(), None)
        except OSError as exc:
            self.errors.add(self, 1, "-", f"cannot read the file ({exc.strerror or exc})")
            return
        if first is None or not any(c.strip() for c in first[1]):
            self.errors.add(self, 1, "-", "no header row (empty file)")
            return
        names = [c.strip().lower() for c in first[1]]
        self.width = len(names)
        seen: set[str] = set()
        for i, name in enumerate(names):
            if not name:
                self.errors.add(self, 1, f"column {i + 1}", "blank column name in header")
                continue
            if name in seen:
                self.errors.add(self, 1, name, "column appears twice in the header")
                continue
            seen.add(name)
            self.col[name] = i
        self.kind = _kind_for(seen)
        if self.kind is None:
            self.errors.add(
                self, 1, "-",
                "header matches no kind of file; required columns are: "
                + "; ".join(f"{k.name}: {','.join(k.required)}" for k in KINDS.values()),
            )
            return
        allowed = set(self.kind.columns)
        for name in names:
            if name and name not in allowed:
                self.errors.add(self, 1, name, f"unknown column for {self.kind.name} (allowed: {','.join(self.kind.columns)})")
        self.missing = {c for c in self.kind.required if c not in seen}
        for name in self.kind.required:
            if name in self.missing:
                self.errors.add(self, 1, name, f"missing required column for {self.kind.name}")

    def rows(self) -> Iterator[_Row]:
        records = self._records(report_from=2)
        next(records, None)  # the header
        for start, cells in records:
            if not cells or (len(cells) == 1 and not cells[0].strip()):
                continue  # blank line
            row = _Row(self, start, cells)
            if len(cells) != self.width:
                row.error("-", f"{len(cells)} cells, the header has {self.width}")
                continue
            yield row

    def has(self, column: str) -> bool:
        return column in self.col


def _kind_for(columns: set[str]) -> KindSpec | None:
    """The kind whose required columns the header has (the one with no
    unknown columns, if several); else the closest kind, when the header
    has most of its required columns; else None."""
    full = [k for k in KINDS.values() if set(k.required) <= columns]
    if full:
        return min(full, key=lambda k: (len(columns - set(k.columns)), -len(k.required)))

    def score(k: KindSpec) -> tuple[int, int]:
        return (len(columns & set(k.required)), len(columns & set(k.columns)))

    best = max(KINDS.values(), key=score)
    have = len(columns & set(best.required))
    if have >= 2 and have * 2 >= len(best.required):
        return best
    return None


_BAD = object()
_ISO = re.compile(r"(\d{4})-(\d{2})-(\d{2})")
_UK = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})")
_TIME = re.compile(r"([01]?\d|2[0-3]):([0-5]\d)")
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
        try:
            number = float(value)
        except ValueError:
            number = math.nan
        if not math.isfinite(number):
            self.error(column, f"{value!r} is not a number")
            return _BAD
        if number > high or number < low or (low_open and number == low):
            bound = f"more than {low:g}" if low_open else f"at least {low:g}"
            self.error(column, f"{value} is out of range ({bound} and at most {high:g})")
            return _BAD
        return number

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


def _ok(*values: Any) -> bool:
    return _BAD not in values


# --------------------------------------------------------------------------- in-memory state


class _Team:
    __slots__ = ("pk", "team_id", "name", "nation", "new", "defined")

    def __init__(self, pk: int, team_id: str, name: str, nation: str, new: bool) -> None:
        self.pk, self.team_id, self.name, self.nation, self.new = pk, team_id, name, nation, new
        self.defined: dict[str, tuple[str, int]] = {}  # column -> (value, row) set in this call


class _Prac:
    __slots__ = ("pk", "pid", "team_id", "vals")

    def __init__(self, pk: int, pid: str, team_id: str, vals: dict[str, Any] | None) -> None:
        self.pk, self.pid, self.team_id, self.vals = pk, pid, team_id, vals


class _Case:
    __slots__ = ("pk", "ref", "team_id", "vals")

    def __init__(self, pk: int, ref: str, team_id: str | None, vals: dict[str, Any] | None) -> None:
        self.pk, self.ref, self.team_id, self.vals = pk, ref, team_id, vals


PRAC_FIELDS = ("name", "role", "grade", "contracted_hours", "reduction_pct", "leaving_on", "email", "nation")
CASE_FIELDS = ("display_name", "tier", "contact_level", "youth", "date_of_birth", "flags", "status", "paused_until")
_MASK64 = (1 << 64) - 1
_PLAIN_DETAIL: dict[str, str] = {}
_KIND_IDX = {k: i for i, k in enumerate(CONTACT_KINDS)}
_OUTCOME_IDX = {k: i for i, k in enumerate(OUTCOMES)}


def _pack(case_pk: int, day: date, prac_pk: int, kind_idx: int = 0) -> int:
    """An injective int for (case, date, practitioner, kind): small in memory
    for the million-row contact files. Placeholder (negative) pks are fine."""
    return (((case_pk << 23) + day.toordinal()) << 33) + ((prac_pk + (1 << 31)) << 3) + kind_idx


_AUDIT_COLUMNS = ("at", "actor", "action", "entity", "entity_key", "case_ref", "detail", "login")


class _Bulk:
    """A plain INSERT run with the driver's own executemany on tuples: for
    the million-row files, SQLAlchemy's per-row parameter processing costs
    more than the database does. Values must already be in the driver's
    form: `day()` and `moment()` give dates and datetimes as SQLAlchemy
    stores them on SQLite (ISO text) and leave them alone elsewhere."""

    def __init__(self, conn: Any, table: Any, columns: Sequence[str]) -> None:
        self.conn = conn
        self.table = table
        self.columns = tuple(columns)
        self.sqlite = conn.dialect.name == "sqlite"
        self.copy = conn.dialect.name == "postgresql" and conn.dialect.driver == "psycopg"
        mark = {"qmark": "?", "format": "%s", "pyformat": "%s"}.get(conn.dialect.paramstyle)
        quote = conn.dialect.identifier_preparer.quote
        self.sql = None if mark is None else (
            f"INSERT INTO {quote(table.name)} ({', '.join(quote(c) for c in self.columns)}) "
            f"VALUES ({', '.join([mark] * len(self.columns))})"
        )

    def day(self, value: date) -> Any:
        return value.isoformat() if self.sqlite else value

    def moment(self, value: datetime) -> Any:
        return value.strftime("%Y-%m-%d %H:%M:%S.%f") if self.sqlite else value

    def run(self, rows: list[tuple[Any, ...]]) -> None:
        if self.copy:  # PostgreSQL: COPY is several times faster than INSERTs
            quote = self.conn.dialect.identifier_preparer.quote
            sql = (f"COPY {quote(self.table.name)} ({', '.join(quote(c) for c in self.columns)}) "
                   "FROM STDIN")
            with self.conn.connection.driver_connection.cursor() as cur:
                with cur.copy(sql) as copy:
                    for r in rows:
                        copy.write_row(r)
            return
        if self.sql is None:  # another driver: let SQLAlchemy convert
            self.conn.execute(insert(self.table), [dict(zip(self.columns, r)) for r in rows])
            return
        self.conn.exec_driver_sql(self.sql, rows)


class _Importer:
    def __init__(self, session: Session, *, dry_run: bool, actor: str, policy: Any, today: date) -> None:
        self.session = session
        self.today = today
        self.conn = session.connection()
        self.dry_run = dry_run
        self.actor = actor or audit.default_actor()
        # The database login (schema 0004): the OS user on SQLite.
        self.login = (audit.default_actor() if self.conn.dialect.name == "sqlite"
                      else self.conn.exec_driver_sql("SELECT session_user").scalar())
        self.policy = policy
        self.errors = _Errors()
        self.now = m.utcnow()
        self._next_placeholder = -1
        self._audit: list[tuple[Any, ...]] = []
        self.teams: dict[str, _Team] | None = None
        self.pracs: dict[str, _Prac] | None = None
        self.cases: dict[str, _Case] | None = None
        self.cases_full = False
        self.allocs: dict[tuple[str, str, date], list[Any]] | None = None  # key -> [end, reason]
        self.allocs_of: dict[str, list[tuple[str, str, date]]] = {}  # case_ref -> keys
        self.open_alloc: dict[str, tuple[str, date]] = {}
        self.seen: dict[str, dict[Any, Any]] = {k: {} for k in ORDER}
        self.team_moves: dict[str, tuple[_Row, str]] = {}  # practitioner_id -> (row, new team)
        self.sources: dict[int, _Source] = {}
        self._audit_bulk = _Bulk(self.conn, m.AuditEvent.__table__, _AUDIT_COLUMNS)
        self._at = self._audit_bulk.moment(self.now)

    @property
    def writing(self) -> bool:
        return not self.dry_run and not self.errors

    def placeholder(self) -> int:
        self._next_placeholder -= 1
        return self._next_placeholder

    # -- loading, once per call ------------------------------------------------
    def load_teams_pracs(self) -> None:
        if self.teams is not None:
            return
        self.teams = {}
        for pk, team_id, name, nation in self.conn.execute(
            select(m.Team.id, m.Team.team_id, m.Team.name, m.Team.nation)
        ):
            self.teams[team_id] = _Team(pk, team_id, name, nation, new=False)
        by_pk = {t.pk: t.team_id for t in self.teams.values()}
        p = m.Practitioner
        self.pracs = {}
        for r in self.conn.execute(
            select(p.id, p.practitioner_id, p.team_pk, *(getattr(p, f) for f in PRAC_FIELDS))
        ):
            vals = {f: r[3 + i] for i, f in enumerate(PRAC_FIELDS)}
            self.pracs[r[1]] = _Prac(r[0], r[1], by_pk.get(r[2], ""), vals)

    def load_cases(self, full: bool) -> None:
        self.load_teams_pracs()
        if self.cases is not None and (self.cases_full or not full):
            return
        assert self.teams is not None
        by_pk = {t.pk: t.team_id for t in self.teams.values() if t.pk > 0}
        c = m.Case
        cols = [c.id, c.case_ref, c.team_pk] + ([getattr(c, f) for f in CASE_FIELDS] if full else [])
        loaded: dict[str, _Case] = {}
        for r in self.conn.execute(select(*cols)):
            vals = {f: r[3 + i] for i, f in enumerate(CASE_FIELDS)} if full else None
            loaded[r[1]] = _Case(r[0], r[1], by_pk.get(r[2]), vals)
        if self.cases is not None:  # upgrade keys-only records, keeping in-call ones
            for ref, rec in self.cases.items():
                if ref in loaded:
                    loaded[ref].pk = rec.pk
                else:
                    loaded[ref] = rec
        self.cases = loaded
        self.cases_full = full or self.cases_full

    def load_allocs(self) -> None:
        if self.allocs is not None:
            return
        self.load_cases(full=False)
        a, c, p = m.Allocation, m.Case, m.Practitioner
        self.allocs = {}
        rows = self.conn.execute(
            select(c.case_ref, p.practitioner_id, a.start_date, a.end_date, a.reason)
            .join(c, c.id == a.case_id)
            .join(p, p.id == a.practitioner_pk)
            .order_by(a.start_date)
        )
        for ref, pid, start, end, reason in rows:
            self.put_alloc((ref, pid, start), end, reason)
            if end is None:
                self.open_alloc[ref] = (pid, start)

    def put_alloc(self, key: tuple[str, str, date], end: date | None, reason: str | None) -> None:
        assert self.allocs is not None
        if key not in self.allocs:
            self.allocs_of.setdefault(key[0], []).append(key)
        self.allocs[key] = [end, reason]

    # -- shared row checks -----------------------------------------------------
    def prac(self, row: _Row, column: str, pid: Any) -> Any:
        if not isinstance(pid, str):
            return pid if pid is _BAD else None
        assert self.pracs is not None
        rec = self.pracs.get(pid)
        if rec is None:
            row.error(column, f"unknown practitioner {pid!r} (not in the database or this import)")
            return _BAD
        return rec

    def case(self, row: _Row, column: str, ref: Any) -> Any:
        if not isinstance(ref, str):
            return ref
        assert self.cases is not None
        rec = self.cases.get(ref)
        if rec is None:
            row.error(column, f"unknown case {ref!r} (not in the database or this import)")
            return _BAD
        return rec

    def first_seen(self, kind: str, key: Any, row: _Row, column: str, label: str) -> bool:
        """Record `key` for duplicate detection; False (and an error naming
        the earlier row) when the same call already had it."""
        seen = self.seen[kind]
        earlier = seen.get(key)
        if earlier is not None:
            if isinstance(earlier, int):  # packed by do_contacts: source index << 32 | row
                src, num = self.sources[earlier >> 32], earlier & 0xFFFFFFFF
            else:
                src, num = earlier
            where = f"row {num}" if src is row.src else f"{src.name}:{num}"
            row.error(column, f"duplicate {label}: same as {where}")
            return False
        seen[key] = (row.src, row.num)
        return True

    def audit_row(self, entity: str, key: str, op: str, case_ref: str | None = None,
                  fields: Iterable[str] = ()) -> None:
        if not self.writing:
            return
        fields = sorted(fields)
        if fields:
            detail = json.dumps({"fields": fields, "op": op, "source": "csv"}, sort_keys=True)
        else:
            detail = _PLAIN_DETAIL.get(op) or _PLAIN_DETAIL.setdefault(
                op, json.dumps({"op": op, "source": "csv"}, sort_keys=True))
        self._audit.append((self._at, self.actor, "import", entity, key[:128], case_ref, detail, self.login))
        if len(self._audit) >= BATCH:
            self.flush_audit()

    def flush_audit(self) -> None:
        self.bulk(self._audit_bulk, self._audit)
        self._audit = []

    def bulk(self, bulk: _Bulk, rows: list[tuple[Any, ...]]) -> None:
        if rows and self.writing:
            bulk.run(rows)

    def execute(self, stmt: Any, rows: list[dict[str, Any]]) -> None:
        if rows and self.writing:
            for i in range(0, len(rows), BATCH):
                self.conn.execute(stmt, rows[i:i + BATCH])

    def finish(self) -> None:
        """Checks that need every file of the call: a practitioner moved to
        another team may not leave open cases of their old team behind
        (planner.validate.stranded_cases), unless this call moves those
        cases too."""
        if not self.team_moves:
            return
        self.load_allocs()
        assert self.cases is not None
        held: dict[str, list[tuple[str, str | None]]] = {}
        for ref, (pid, _start) in self.open_alloc.items():
            if pid in self.team_moves:
                case = self.cases.get(ref)
                held.setdefault(pid, []).append((ref, case.team_id if case else None))
        for pid, (row, team) in self.team_moves.items():
            problem = validate.stranded_cases(pid, team, held.get(pid, ()))
            if problem is not None:
                row.error("team_id", problem)

    # -- practitioners -----------------------------------------------------------
    def do_practitioners(self, src: _Source, rep: FileReport) -> None:
        self.load_teams_pracs()
        assert self.teams is not None and self.pracs is not None
        present = [f for f in PRAC_FIELDS if src.has(f)]
        new_pracs: list[tuple[_Prac, _Row]] = []
        changed: list[tuple[_Prac, list[str]]] = []
        team_changes: dict[str, set[str]] = {}
        for row in src.rows():
            pid = row.key("practitioner_id")
            team_id = row.key("team_id")
            vals = {
                "name": row.text("name", required=True, max_len=200, check=validate.name),
                "role": row.enum("role", ROLES, required=True),
                "grade": row.enum("grade", GRADES, required=True),
                "contracted_hours": row.number("contracted_hours", 0, 168, low_open=True),
                "reduction_pct": row.number("reduction_pct", 0, 100),
                "leaving_on": row.date("leaving_on"),
                "email": row.email("email"),
                "nation": row.enum("nation", NATIONS),
            }
            team_name = row.text("team_name", max_len=200, check=validate.name)
            if vals["contracted_hours"] is None:
                vals["contracted_hours"] = 37.0
            if vals["reduction_pct"] is None:
                vals["reduction_pct"] = 0.0
            if isinstance(pid, str) and not self.first_seen("practitioners", pid, row, "practitioner_id", "practitioner_id"):
                continue
            # the team: created on first mention, named/nationed consistently within the call
            team = None
            if isinstance(team_id, str):
                team = self.teams.get(team_id)
                if team is None:
                    team = _Team(self.placeholder(), team_id, team_id, "england-and-wales", new=True)
                    self.teams[team_id] = team
                    rep.also["teams new"] += 1
                # team_name names (or renames) the team, consistently within one call;
                # nation sets a new team's nation (the first row naming the team wins)
                # and is otherwise the practitioner's own.
                if isinstance(team_name, str):
                    earlier = team.defined.get("name")
                    if earlier is not None and earlier[0] != team_name:
                        row.error("team_name", f"team {team_id} is named differently on row {earlier[1]}")
                    else:
                        team.defined["name"] = (team_name, row.num)
                        if team.name != team_name:
                            team.name = team_name
                            if not team.new:
                                team_changes.setdefault(team_id, set()).add("name")
                if team.new and isinstance(vals["nation"], str) and "nation" not in team.defined:
                    team.defined["nation"] = (vals["nation"], row.num)
                    team.nation = vals["nation"]
            if row.bad or not _ok(pid, team_id, *vals.values()):
                if isinstance(pid, str) and pid not in self.pracs:  # known to later files all the same
                    self.pracs[pid] = _Prac(self.placeholder(), pid, team_id if isinstance(team_id, str) else "", None)
                continue
            # `nation` is stored on the practitioner only where it differs from
            # their team's, so that exporting (which writes the effective
            # nation) and importing again changes nothing.
            if vals["nation"] == team.nation:
                vals["nation"] = None
            rec = self.pracs.get(pid)
            if rec is None:
                rec = _Prac(self.placeholder(), pid, team_id, dict(vals))
                self.pracs[pid] = rec
                new_pracs.append((rec, row))
                rep.inserted += 1
                continue
            if rec.vals is None:  # a row that failed earlier in this call
                continue
            old_nation = rec.vals.get("nation")
            if old_nation == team.nation:
                old_nation = None
            diff = sorted(f for f in set(present) | {"name", "role", "grade"}
                          if (old_nation if f == "nation" else rec.vals.get(f)) != vals[f])
            if rec.team_id != team_id:
                diff.append("team_id")
                self.team_moves[pid] = (row, team_id)
            if diff:
                for f in diff:
                    if f != "team_id":
                        rec.vals[f] = vals[f]
                rec.team_id = team_id
                changed.append((rec, diff))
                rep.updated += 1
            else:
                rep.unchanged += 1
        # write: new teams, team changes, new practitioners, changed ones
        if not self.writing:
            return
        t = m.Team.__table__
        for team in self.teams.values():
            if team.new and team.pk < 0:
                team.pk = self.conn.execute(
                    insert(t).values(team_id=team.team_id, name=team.name, nation=team.nation, version=1)
                    .returning(t.c.id)
                ).scalar_one()
                self.audit_row("team", team.team_id, "insert")
        for team_id, attrs in team_changes.items():
            team = self.teams[team_id]
            self.conn.execute(
                update(t).where(t.c.team_id == team_id)
                .values(name=team.name, nation=team.nation, version=t.c.version + 1)
            )
            self.audit_row("team", team_id, "update", fields=attrs)
            rep.also["teams changed"] += 1
        p = m.Practitioner.__table__
        if new_pracs:
            rows = [dict(rec.vals, practitioner_id=rec.pid, team_pk=self.teams[rec.team_id].pk, version=1)
                    for rec, _ in new_pracs]
            ids: dict[str, int] = {}
            for i in range(0, len(rows), BATCH):
                for pk, pid in self.conn.execute(insert(p).returning(p.c.id, p.c.practitioner_id), rows[i:i + BATCH]):
                    ids[pid] = pk
            for rec, _ in new_pracs:
                rec.pk = ids[rec.pid]
                self.audit_row("practitioner", rec.pid, "insert")
        if changed:
            cols = sorted({f for _, diff in changed for f in diff if f != "team_id"} | {"name"})
            stmt = (
                update(p).where(p.c.practitioner_id == bindparam("k_pid"))
                .values({**{c: bindparam(c) for c in cols}, "team_pk": bindparam("k_team"),
                         "version": p.c.version + 1})
            )
            self.execute(stmt, [
                {**{c: rec.vals[c] for c in cols}, "k_pid": rec.pid, "k_team": self.teams[rec.team_id].pk}
                for rec, _ in changed
            ])
            for rec, diff in changed:
                self.audit_row("practitioner", rec.pid, "update", fields=diff)

    # -- cases -------------------------------------------------------------------
    def do_cases(self, src: _Source, rep: FileReport) -> None:
        self.load_cases(full=True)
        self.load_allocs()
        assert self.cases is not None and self.pracs is not None and self.allocs is not None
        present = [f for f in CASE_FIELDS if src.has(f)] + ["display_name"]
        status: dict[str, str] = {}  # case_ref -> new | changed | same
        diffs: dict[str, set[str]] = {}
        intents: list[tuple[_Row, str, str, date]] = []
        for row in src.rows():
            ref = row.key("case_ref")
            prac = self.prac(row, "practitioner_id", row.key("practitioner_id"))
            allocated_on = row.checked("allocated_on", row.date("allocated_on", required=True),
                                       validate.allocated_on, self.today)
            vals = {
                "display_name": row.text("display_name", required=True, max_len=200, check=validate.name),
                "tier": row.enum("tier", TIERS),
                "contact_level": row.enum("contact_level", CONTACT_LEVELS),
                "youth": row.boolean("youth"),
                "date_of_birth": row.checked("date_of_birth", row.date("date_of_birth"),
                                             validate.date_of_birth, self.today),
                "flags": row.flags("flags"),
                "status": row.enum("status", STATUSES),
                "paused_until": row.date("paused_until"),
            }
            if vals["youth"] is not _BAD:
                vals["youth"] = bool(vals["youth"])
            if vals["flags"] is not _BAD:
                vals["flags"] = vals["flags"] or ""
            if vals["status"] is not _BAD:
                vals["status"] = vals["status"] or "active"
            if vals["status"] == "paused" and vals["paused_until"] is None:
                row.error("paused_until", "required when status is paused")
            if isinstance(ref, str) and not self.first_seen("cases", ref, row, "case_ref", "case_ref"):
                continue
            rec = self.cases.get(ref) if isinstance(ref, str) else None
            if row.bad or not _ok(ref, prac, allocated_on, *vals.values()):
                if isinstance(ref, str) and rec is None:
                    self.cases[ref] = _Case(self.placeholder(), ref, None, None)
                continue
            if rec is None:
                rec = _Case(self.placeholder(), ref, prac.team_id, dict(vals))
                self.cases[ref] = rec
                status[ref] = "new"
            elif rec.vals is None:
                continue  # a row that failed earlier in this call
            else:
                diff = {f for f in present if rec.vals.get(f) != vals[f]}
                if diff:
                    rec.vals.update({f: vals[f] for f in diff})
                    diffs[ref] = diff
                status[ref] = "changed" if diff else "same"
            intents.append((row, ref, prac.pid, allocated_on))

        # allocations named by the case rows (decided before anything is written)
        alloc_new: list[tuple[str, str, date]] = []
        alloc_close: list[tuple[str, str, date, date]] = []
        team_moves: set[str] = set()
        for row, ref, pid, allocated_on in intents:
            rec = self.cases[ref]
            current = self.open_alloc.get(ref)
            if (ref, pid, allocated_on) in self.allocs:
                continue
            if current is not None and current[0] == pid:
                continue  # still with the same practitioner
            if current is not None and allocated_on <= current[1]:
                row.error("allocated_on", f"case {ref} is with {current[0]} since {current[1].isoformat()}; "
                          f"a move to {pid} must start after that")
                continue
            if current is not None:
                self.allocs[(ref, current[0], current[1])][0] = allocated_on
                alloc_close.append((ref, current[0], current[1], allocated_on))
                rep.also["allocations closed"] += 1
            self.put_alloc((ref, pid, allocated_on), None, None)
            self.open_alloc[ref] = (pid, allocated_on)
            alloc_new.append((ref, pid, allocated_on))
            rep.also["allocations opened"] += 1
            new_team = self.pracs[pid].team_id
            if status.get(ref) != "new":
                if current is not None:
                    diffs.setdefault(ref, set()).add("practitioner_id")
                    status[ref] = "changed"
                if rec.team_id != new_team:
                    team_moves.add(ref)
                    diffs.setdefault(ref, set()).add("team_id")
            rec.team_id = new_team
        counts = Counter(status.values())
        rep.inserted += counts["new"]
        rep.updated += counts["changed"]
        rep.unchanged += counts["same"]
        if not self.writing:
            return

        assert self.teams is not None
        c = m.Case.__table__
        new_refs = [ref for ref, st in status.items() if st == "new"]
        if new_refs:
            rows = []
            for ref in new_refs:
                rec = self.cases[ref]
                rows.append({**rec.vals, "case_ref": ref, "team_pk": self.teams[rec.team_id].pk, "version": 1})
            for i in range(0, len(rows), BATCH):
                for pk, ref in self.conn.execute(insert(c).returning(c.c.id, c.c.case_ref), rows[i:i + BATCH]):
                    self.cases[ref].pk = pk
            for ref in new_refs:
                self.audit_row("case", ref, "insert", case_ref=ref)
        changed_refs = [ref for ref, st in status.items() if st == "changed"]
        if changed_refs:
            cols = sorted(set(present))
            stmt = (
                update(c).where(c.c.case_ref == bindparam("k_ref"))
                .values({**{f: bindparam(f) for f in cols}, "team_pk": bindparam("k_team"),
                         "version": c.c.version + 1})
            )
            rows = []
            for ref in changed_refs:
                rec = self.cases[ref]
                team = self.teams.get(rec.team_id or "")
                rows.append({**{f: rec.vals[f] for f in cols}, "k_ref": ref,
                             "k_team": team.pk if team else None})
            self.execute(stmt, rows)
            for ref in changed_refs:
                self.audit_row("case", ref, "update", case_ref=ref, fields=diffs.get(ref, ()))
        self._write_alloc_changes(alloc_new, alloc_close, reason=None)

    def _write_alloc_changes(self, new: list[tuple[str, str, date]],
                             close: list[tuple[str, str, date, date]], reason: str | None) -> None:
        if not self.writing:
            return
        assert self.cases is not None and self.pracs is not None and self.allocs is not None
        a = m.Allocation.__table__
        if close:
            stmt = (
                update(a).where(and_(a.c.case_id == bindparam("k_case"), a.c.practitioner_pk == bindparam("k_prac"),
                                     a.c.start_date == bindparam("k_start")))
                .values(end_date=bindparam("end_date"), version=a.c.version + 1)
            )
            self.execute(stmt, [
                {"k_case": self.cases[ref].pk, "k_prac": self.pracs[pid].pk, "k_start": start, "end_date": end}
                for ref, pid, start, end in close
            ])
            for ref, pid, start, _ in close:
                self.audit_row("allocation", f"{ref}/{pid}/{start.isoformat()}", "update", case_ref=ref,
                               fields=["end_date"])
        if new:
            self.execute(insert(a), [
                {"case_id": self.cases[ref].pk, "practitioner_pk": self.pracs[pid].pk, "start_date": start,
                 "end_date": self.allocs[(ref, pid, start)][0], "reason": self.allocs[(ref, pid, start)][1],
                 "version": 1}
                for ref, pid, start in new
            ])
            for ref, pid, start in new:
                self.audit_row("allocation", f"{ref}/{pid}/{start.isoformat()}", "insert", case_ref=ref)

    # -- allocations -------------------------------------------------------------
    def do_allocations(self, src: _Source, rep: FileReport) -> None:
        self.load_allocs()
        assert self.allocs is not None
        has_end, has_reason = src.has("end_date"), src.has("reason")
        new: list[tuple[str, str, date]] = []
        changed: list[tuple[str, str, date, list[str]]] = []
        touched: dict[str, list[_Row]] = {}
        for row in src.rows():
            case = self.case(row, "case_ref", row.key("case_ref"))
            prac = self.prac(row, "practitioner_id", row.key("practitioner_id"))
            start = row.checked("start_date", row.date("start_date", required=True), validate.allocated_on, self.today)
            end = row.date("end_date")
            reason = row.text("reason", max_len=400)
            if isinstance(start, date) and isinstance(end, date) and end < start:
                row.error("end_date", f"{end.isoformat()} is before start_date {start.isoformat()}")
            if row.bad or not _ok(case, prac, start, end, reason):
                continue
            key = (case.ref, prac.pid, start)
            if not self.first_seen("allocations", key, row, "start_date", "allocation (case_ref, practitioner_id, start_date)"):
                continue
            if end is None and case.team_id and prac.team_id != case.team_id:
                row.error("practitioner_id", f"{prac.pid} is in team {prac.team_id}, case {case.ref} in team "
                          f"{case.team_id}: an open allocation cannot take a case to another team (give the "
                          "case its new practitioner and allocated_on in a cases file instead)")
                continue
            existing = self.allocs.get(key)
            if existing is None:
                self.put_alloc(key, end, reason)
                new.append(key)
                rep.inserted += 1
            else:
                diff = []
                if has_end and existing[0] != end:
                    diff.append("end_date")
                    existing[0] = end
                if has_reason and existing[1] != reason:
                    diff.append("reason")
                    existing[1] = reason
                if diff:
                    changed.append((*key, diff))
                    rep.updated += 1
                else:
                    rep.unchanged += 1
            touched.setdefault(case.ref, []).append(row)
        # at most one open allocation per case, whatever the row order
        for ref, rows in touched.items():
            open_keys = sorted((k for k in self.allocs_of.get(ref, ()) if self.allocs[k][0] is None),
                               key=lambda k: k[2])
            if len(open_keys) > 1:
                rows[-1].error("end_date", f"case {ref} would have {len(open_keys)} open allocations "
                               f"({', '.join(k[1] + ' from ' + k[2].isoformat() for k in open_keys)})")
            elif open_keys:
                self.open_alloc[ref] = (open_keys[0][1], open_keys[0][2])
            else:
                self.open_alloc.pop(ref, None)
        if not self.writing:
            return
        a = m.Allocation.__table__
        self.execute(insert(a), [
            {"case_id": self.cases[ref].pk, "practitioner_pk": self.pracs[pid].pk, "start_date": start,
             "end_date": self.allocs[(ref, pid, start)][0], "reason": self.allocs[(ref, pid, start)][1],
             "version": 1}
            for ref, pid, start in new
        ])
        for ref, pid, start in new:
            self.audit_row("allocation", f"{ref}/{pid}/{start.isoformat()}", "insert", case_ref=ref)
        if changed:
            stmt = (
                update(a).where(and_(a.c.case_id == bindparam("k_case"), a.c.practitioner_pk == bindparam("k_prac"),
                                     a.c.start_date == bindparam("k_start")))
                .values(end_date=bindparam("end_date"), reason=bindparam("reason"), version=a.c.version + 1)
            )
            self.execute(stmt, [
                {"k_case": self.cases[ref].pk, "k_prac": self.pracs[pid].pk, "k_start": start,
                 "end_date": self.allocs[(ref, pid, start)][0], "reason": self.allocs[(ref, pid, start)][1]}
                for ref, pid, start, _ in changed
            ])
            for ref, pid, start, diff in changed:
                self.audit_row("allocation", f"{ref}/{pid}/{start.isoformat()}", "update", case_ref=ref, fields=diff)

    # -- contacts (the big one: streamed, packed keys, batched) --------------------
    def do_contacts(self, src: _Source, rep: FileReport) -> None:
        self.load_cases(full=False)
        assert self.cases is not None
        if not hasattr(self, "_contacts"):
            # existing contact -> id << 68 | outcome << 64 | hash(notes); the few
            # with cancelled_by or a second practitioner also in _contact_extra
            self._contacts: dict[int, int] = {}
            self._contact_extra: dict[int, tuple[str | None, int | None]] = {}
            t = m.Contact.__table__
            result = self.conn.execute(
                select(t.c.id, t.c.case_id, t.c.contact_date, t.c.practitioner_pk, t.c.kind, t.c.outcome, t.c.notes,
                       t.c.cancelled_by, t.c.with_practitioner_pk)
                .execution_options(yield_per=20_000)
            )
            for cid, case_pk, day, prac_pk, kind, outcome, notes, by, with_pk in result:
                key = _pack(case_pk, day, prac_pk, _KIND_IDX.get(kind, 7))
                self._contacts[key] = (cid << 68) | (_OUTCOME_IDX.get(outcome, 3) << 64) | (hash(notes) & _MASK64)
                if by is not None or with_pk is not None:
                    self._contact_extra[key] = (by, with_pk)
        existing = self._contacts
        extra = self.__dict__.setdefault("_contact_extra", {})
        has_notes = src.has("notes")
        has_by, has_with = src.has("cancelled_by"), src.has("with_practitioner_id")
        t = m.Contact.__table__
        upd_cols = (["outcome"] + (["notes"] if has_notes else []) + (["cancelled_by"] if has_by else [])
                    + (["with_practitioner_pk"] if has_with else []))
        upd_stmt = (update(t).where(t.c.id == bindparam("k_id"))
                    .values({**{c: bindparam(c) for c in upd_cols}, "version": t.c.version + 1}))
        bulk = _Bulk(self.conn, t, ("case_id", "contact_date", "practitioner_pk", "kind", "outcome", "notes",
                                    "cancelled_by", "with_practitioner_pk", "version"))
        ins: list[tuple[Any, ...]] = []
        upd: list[dict[str, Any]] = []
        seen = self.seen["contacts"]
        cases, pracs = self.cases, self.pracs
        assert pracs is not None
        tag = src.index << 32
        i_case, i_day, i_prac, i_kind, i_out = (src.col.get(c, -1) for c in KINDS["contacts"].required)
        i_notes = src.col.get("notes")
        i_by, i_with = src.col.get("cancelled_by"), src.col.get("with_practitioner_id")
        quick = not src.missing
        today, text_control = self.today, validate.TEXT_CONTROL.search
        for row in src.rows():
            by = with_prac = None
            # the quick path takes rows that are already canonical; anything
            # else goes through the full checks, which also word the errors
            case = prac = day = None
            if quick:
                cells = row.cells
                case, prac = cases.get(cells[i_case]), pracs.get(cells[i_prac])
                kind, outcome, text = cells[i_kind], cells[i_out], cells[i_day]
                if (case is not None and prac is not None and kind in _KIND_IDX and outcome in _OUTCOME_IDX
                        and len(text) == 10 and text[4] == "-" == text[7] and text.isascii()
                        and cells[i_case][:1] != "'" and cells[i_prac][:1] != "'"
                        and (i_by is None or not cells[i_by]) and (i_with is None or not cells[i_with])):
                    try:
                        day = date.fromisoformat(text)
                    except ValueError:
                        day = None
                    if day is not None and not validate.EARLIEST <= day <= today:
                        day = None  # the full checks word the error
                    notes = cells[i_notes] if i_notes is not None else None
                    if notes is not None:
                        if notes[:1] == "'":
                            notes = unescape_cell(notes)
                        if not notes.strip():
                            notes = None
                        elif text_control(notes) is not None:
                            day = None
            if day is None:
                case = self.case(row, "case_ref", row.key("case_ref"))
                day = row.checked("contact_date", row.date("contact_date", required=True),
                                  validate.contact_date, self.today)
                prac = self.prac(row, "practitioner_id", row.key("practitioner_id"))
                kind = row.enum("kind", CONTACT_KINDS, required=True)
                outcome = row.enum("outcome", OUTCOMES, required=True)
                notes = row.text("notes", strip=False)
                by = row.enum("cancelled_by", CANCELLED_BY)
                with_prac = self.prac(row, "with_practitioner_id", row.key("with_practitioner_id", required=False))
                if isinstance(by, str) and isinstance(outcome, str) and outcome != "cancelled":
                    row.error("cancelled_by", f"only a cancelled contact says who cancelled it (outcome is {outcome})")
                if isinstance(with_prac, _Prac) and isinstance(prac, _Prac) and with_prac.pid == prac.pid:
                    row.error("with_practitioner_id", "names the practitioner who held the contact; "
                                                      "it is for a second practitioner present")
                if row.bad or not _ok(case, day, prac, kind, outcome, notes, by, with_prac):
                    continue
            key = _pack(case.pk, day, prac.pk, _KIND_IDX[kind])
            if key in seen:
                self.first_seen("contacts", key, row, "contact_date",
                                "contact (case_ref, contact_date, practitioner_id, kind)")
                continue
            seen[key] = tag | row.num
            old = existing.get(key)
            with_pk = with_prac.pk if with_prac is not None else None
            if old is None:
                rep.inserted += 1
                if self.writing:
                    ins.append((case.pk, bulk.day(day), prac.pk, kind, outcome, notes, by, with_pk, 1))
                    self.audit_row("contact", f"{case.ref}/{day.isoformat()}/{prac.pid}/{kind}", "insert",
                                   case_ref=case.ref)
            else:
                diff = []
                if (old >> 64) & 0xF != _OUTCOME_IDX[outcome]:
                    diff.append("outcome")
                if has_notes and old & _MASK64 != hash(notes) & _MASK64:
                    diff.append("notes")
                old_by, old_with = extra.get(key, (None, None))
                if has_by and old_by != by:
                    diff.append("cancelled_by")
                if has_with and old_with != with_pk:
                    diff.append("with_practitioner_id")
                if diff:
                    rep.updated += 1
                    if self.writing:
                        upd.append({"k_id": old >> 68, "outcome": outcome, **({"notes": notes} if has_notes else {}),
                                    **({"cancelled_by": by} if has_by else {}),
                                    **({"with_practitioner_pk": with_pk} if has_with else {})})
                        self.audit_row("contact", f"{case.ref}/{day.isoformat()}/{prac.pid}/{kind}", "update",
                                       case_ref=case.ref, fields=diff)
                else:
                    rep.unchanged += 1
            if len(ins) >= BATCH:
                self.bulk(bulk, ins)
                ins = []
            if len(upd) >= BATCH:
                self.execute(upd_stmt, upd)
                upd = []
        self.bulk(bulk, ins)
        self.execute(upd_stmt, upd)

    # -- appointments --------------------------------------------------------------
    def do_appointments(self, src: _Source, rep: FileReport) -> None:
        from planner.recurrence import RuleError
        from planner.recurrence import check as check_rule

        self.load_cases(full=False)
        assert self.cases is not None
        if not hasattr(self, "_appointments"):
            self._appointments: dict[int, tuple[int, Any, str, str | None]] = {}
            t = m.Appointment.__table__
            result = self.conn.execute(
                select(t.c.id, t.c.case_id, t.c.appointment_date, t.c.practitioner_pk, t.c.time, t.c.kind, t.c.rrule)
                .execution_options(yield_per=20_000)
            )
            for aid, case_pk, day, prac_pk, at, kind, rule in result:
                self._appointments[_pack(case_pk, day, prac_pk)] = (aid, at, kind, rule)
        existing = self._appointments
        present = [c for c in ("time", "kind", "rrule") if src.has(c)]
        t = m.Appointment.__table__
        ins: list[dict[str, Any]] = []
        upd: list[dict[str, Any]] = []
        for row in src.rows():
            case = self.case(row, "case_ref", row.key("case_ref"))
            day = row.date("appointment_date", required=True)
            prac = self.prac(row, "practitioner_id", row.key("practitioner_id"))
            at = row.time("time")
            kind = row.enum("kind", CONTACT_KINDS) or "office"
            rule = row.text("rrule", max_len=400)
            if isinstance(rule, str) and isinstance(day, date):
                try:  # the app's own booking rules (planner.recurrence.check)
                    rule = check_rule(rule, day)
                except RuleError as exc:
                    row.error("rrule", str(exc))
            if row.bad or not _ok(case, day, prac, at, kind, rule):
                continue
            key = _pack(case.pk, day, prac.pk)
            if not self.first_seen("appointments", key, row, "appointment_date",
                                   "appointment (case_ref, appointment_date, practitioner_id)"):
                continue
            vals = {"time": at, "kind": kind, "rrule": rule}
            entity_key = f"{case.ref}/{day.isoformat()}/{prac.pid}"
            old = existing.get(key)
            if old is None:
                rep.inserted += 1
                if self.writing:
                    ins.append({"case_id": case.pk, "appointment_date": day, "practitioner_pk": prac.pk,
                                **vals, "version": 1})
                    self.audit_row("appointment", entity_key, "insert", case_ref=case.ref)
                continue
            before = {"time": old[1], "kind": old[2], "rrule": old[3]}
            diff = [c for c in present if before[c] != vals[c]]
            if not diff:
                rep.unchanged += 1
                continue
            rep.updated += 1
            if self.writing:
                upd.append({"k_id": old[0], **{c: vals[c] if c in present else before[c] for c in vals}})
                self.audit_row("appointment", entity_key, "update", case_ref=case.ref, fields=diff)
        self.execute(insert(t), ins)
        self.execute(update(t).where(t.c.id == bindparam("k_id")).values(
            time=bindparam("time"), kind=bindparam("kind"), rrule=bindparam("rrule"), version=t.c.version + 1), upd)

    # -- absences ----------------------------------------------------------------
    def do_absences(self, src: _Source, rep: FileReport) -> None:
        self.load_teams_pracs()
        if not hasattr(self, "_absences"):
            a, p, cover = m.Absence, m.Practitioner, m.Practitioner.__table__.alias("cover")
            self._absences: dict[tuple[str, date], list[Any]] = {}
            for pid, start, end, kind, cover_id in self.conn.execute(
                select(p.practitioner_id, a.start_date, a.end_date, a.kind, cover.c.practitioner_id)
                .join(p, p.id == a.practitioner_pk)
                .outerjoin(cover, cover.c.id == a.cover_practitioner_pk)
            ):
                self._absences[(pid, start)] = [end, kind, cover_id]
        existing = self._absences
        present = ["end_date"] + [c for c in ("kind", "cover_practitioner_id") if src.has(c)]
        new: list[tuple[str, date]] = []
        changed: list[tuple[str, date, list[str]]] = []
        for row in src.rows():
            prac = self.prac(row, "practitioner_id", row.key("practitioner_id"))
            start = row.date("start_date", required=True)
            end = row.date("end_date")  # blank: open-ended (SPEC §7)
            kind = row.enum("kind", ABSENCE_KINDS) or "leave"
            cover = self.prac(row, "cover_practitioner_id", row.key("cover_practitioner_id", required=False))
            if isinstance(start, date) and isinstance(end, date) and end < start:
                row.error("end_date", f"{end.isoformat()} is before start_date {start.isoformat()}")
            if isinstance(prac, _Prac) and isinstance(cover, _Prac) and prac.pid == cover.pid:
                row.error("cover_practitioner_id", "a practitioner cannot cover their own absence")
            if row.bad or not _ok(prac, start, end, kind, cover):
                continue
            key = (prac.pid, start)
            if not self.first_seen("absences", key, row, "start_date", "absence (practitioner_id, start_date)"):
                continue
            vals = {"end_date": end, "kind": kind, "cover_practitioner_id": cover.pid if cover else None}
            old = existing.get(key)
            if old is None:
                existing[key] = [end, kind, vals["cover_practitioner_id"]]
                new.append(key)
                rep.inserted += 1
                continue
            before = dict(zip(("end_date", "kind", "cover_practitioner_id"), old))
            diff = [c for c in present if before[c] != vals[c]]
            if diff:
                for c in diff:
                    before[c] = vals[c]
                existing[key] = [before["end_date"], before["kind"], before["cover_practitioner_id"]]
                changed.append((*key, diff))
                rep.updated += 1
            else:
                rep.unchanged += 1
        if not self.writing:
            return
        assert self.pracs is not None
        t = m.Absence.__table__

        def values(pid: str, start: date) -> dict[str, Any]:
            end, kind, cover_id = existing[(pid, start)]
            return {"end_date": end, "kind": kind,
                    "cover_practitioner_pk": self.pracs[cover_id].pk if cover_id else None}

        self.execute(insert(t), [
            {"practitioner_pk": self.pracs[pid].pk, "start_date": start, **values(pid, start), "version": 1}
            for pid, start in new
        ])
        for pid, start in new:
            self.audit_row("absence", f"{pid}/{start.isoformat()}", "insert")
        self.execute(
            update(t).where(and_(t.c.practitioner_pk == bindparam("k_prac"), t.c.start_date == bindparam("k_start")))
            .values(end_date=bindparam("end_date"), kind=bindparam("kind"),
                    cover_practitioner_pk=bindparam("cover_practitioner_pk"), version=t.c.version + 1),
            [{"k_prac": self.pracs[pid].pk, "k_start": start, **values(pid, start)} for pid, start, _ in changed],
        )
        for pid, start, diff in changed:
            self.audit_row("absence", f"{pid}/{start.isoformat()}", "update", fields=diff)

    # -- handovers ---------------------------------------------------------------
    def do_handovers(self, src: _Source, rep: FileReport) -> None:
        self.load_cases(full=True)
        self.load_allocs()
        assert self.cases is not None and self.pracs is not None and self.teams is not None
        if not hasattr(self, "_handovers"):
            h, c, p = m.Handover, m.Case, m.Practitioner
            self._handovers: dict[tuple[str, date], list[Any]] = {}
            self._open_handover: dict[str, date] = {}
            for hid, ref, planned_on, to_pid, reason, status in self.conn.execute(
                select(h.id, c.case_ref, h.planned_on, p.practitioner_id, h.reason, h.status)
                .join(c, c.id == h.case_id).join(p, p.id == h.to_practitioner_pk)
            ):
                self._handovers[(ref, planned_on)] = [hid, to_pid, reason, status]
                if status in OPEN_HANDOVER_STATUSES:
                    self._open_handover[ref] = planned_on
        existing, open_by_case = self._handovers, self._open_handover
        has_reason = src.has("reason")
        new: list[tuple[str, date, str, Any]] = []  # ref, planned_on, from_pid, items
        changed: list[tuple[str, date, list[str]]] = []
        for row in src.rows():
            case = self.case(row, "case_ref", row.key("case_ref"))
            to = self.prac(row, "to_practitioner_id", row.key("to_practitioner_id"))
            planned_on = row.date("planned_on", required=True)
            reason = row.text("reason", max_len=400)
            if row.bad or not _ok(case, to, planned_on, reason):
                continue
            key = (case.ref, planned_on)
            if not self.first_seen("handovers", key, row, "planned_on", "handover (case_ref, planned_on)"):
                continue
            current = self.open_alloc.get(case.ref)
            old = existing.get(key)
            if old is not None:
                diff = []
                if old[1] != to.pid:
                    diff.append("to_practitioner_id")
                if has_reason and old[2] != reason:
                    diff.append("reason")
                if not diff:
                    rep.unchanged += 1
                    continue
                if old[3] not in OPEN_HANDOVER_STATUSES:
                    row.error("planned_on", f"the handover of {case.ref} on {planned_on.isoformat()} is {old[3]} "
                              "and can no longer change")
                    continue
                if current is not None and "to_practitioner_id" in diff and current[0] == to.pid:
                    row.error("to_practitioner_id", f"case {case.ref} is already with {to.pid}")
                    continue
                old[1] = to.pid
                if has_reason:
                    old[2] = reason
                changed.append((case.ref, planned_on, diff))
                rep.updated += 1
                continue
            if case.vals is not None and case.vals.get("status") == "closed":
                row.error("case_ref", f"case {case.ref} is closed")
                continue
            if current is None:
                row.error("case_ref", f"case {case.ref} has no current practitioner to hand over from")
                continue
            if current[0] == to.pid:
                row.error("to_practitioner_id", f"case {case.ref} is already with {to.pid}")
                continue
            problem = validate.handover_date(planned_on, self.today)
            if problem is not None:
                row.error("planned_on", problem)
                continue
            if case.ref in open_by_case:
                row.error("planned_on", f"case {case.ref} already has an open handover on "
                          f"{open_by_case[case.ref].isoformat()}")
                continue
            existing[key] = [None, to.pid, reason, "planned"]
            open_by_case[case.ref] = planned_on
            new.append((case.ref, planned_on, current[0], None))
            rep.inserted += 1
        if not self.writing or not (new or changed):
            return
        from planner.calendar import working_days
        from planner.checklist import build_checklist
        from planner.model import Case as PlannerCase
        from planner.model import level_for

        h, hi = m.Handover.__table__, m.HandoverItem.__table__
        for ref, planned_on, from_pid, _ in new:
            rec = self.cases[ref]
            vals = rec.vals or {}
            team = self.teams.get(rec.team_id or "") or self.teams.get(self.pracs[from_pid].team_id)
            nation = (team.nation if team else None) or "england-and-wales"
            pcase = PlannerCase(
                case_ref=ref, display_name=vals.get("display_name") or ref, team_id=rec.team_id,
                tier=vals.get("tier"), contact_level=level_for(vals.get("tier"), vals.get("contact_level")),
                youth=bool(vals.get("youth")), flags=frozenset(f for f in (vals.get("flags") or "").split(";") if f),
                status=vals.get("status") or "active",
            )
            items = build_checklist(pcase, planned_on, working_days(nation), self.policy)
            _, to_pid, reason, _ = existing[(ref, planned_on)]
            hid = self.conn.execute(
                insert(h).values(case_id=rec.pk, from_practitioner_pk=self.pracs[from_pid].pk,
                                 to_practitioner_pk=self.pracs[to_pid].pk, planned_on=planned_on,
                                 status="planned", reason=reason, reviewed=False, created_at=self.now, version=1)
                .returning(h.c.id)
            ).scalar_one()
            existing[(ref, planned_on)][0] = hid
            self.execute(insert(hi), [
                {"handover_id": hid, "item_id": it.item_id, "title": it.title, "required": it.required,
                 "due": it.due, "owner": it.owner, "done": it.done, "done_on": it.done_on, "note": it.note,
                 "auto": False, "version": 1}
                for it in items
            ])
            self.audit_row("handover", f"{ref}/{planned_on.isoformat()}", "insert", case_ref=ref)
        for ref, planned_on, diff in changed:
            hid, to_pid, reason, _ = existing[(ref, planned_on)]
            self.conn.execute(update(h).where(h.c.id == hid).values(
                to_practitioner_pk=self.pracs[to_pid].pk, reason=reason, version=h.c.version + 1))
            self.audit_row("handover", f"{ref}/{planned_on.isoformat()}", "update", case_ref=ref, fields=diff)


# --------------------------------------------------------------------------- import


def _today() -> date:
    """The day an import counts from unless told (`caseload import --on`)."""
    return date.today()


def import_csv(
    engine: Engine,
    paths: Iterable[str | os.PathLike[str]],
    *,
    dry_run: bool = False,
    actor: str,
    policy: Any = None,
    today: date | None = None,
) -> ImportReport:
    """Import CSV files in one transaction (see the module docstring).

    `today` (default: the date today) is the day the checks of
    planner/validate.py count from: no contact after it, no new handover
    before it. Returns what was (or, with `dry_run`, would be) written per
    file; raises `ImportFailed` with every problem found, having written
    nothing."""
    errors = _Errors()
    sources = [_Source(path, i, errors) for i, path in enumerate(paths)]
    for src in sources:
        src.read_header()
    kinded = sorted((s for s in sources if s.kind is not None), key=lambda s: (ORDER.index(s.kind.name), s.index))
    for order, src in enumerate(kinded):
        src.order = order
    by_index = {src.index: src for src in sources}
    reports: list[FileReport] = []
    with Session(engine) as session:
        sqlite = engine.dialect.name == "sqlite"
        if sqlite:  # big imports touch indexes all over: give SQLite room to cache them
            old_cache = session.connection().exec_driver_sql("PRAGMA cache_size").scalar()
            session.connection().exec_driver_sql(f"PRAGMA cache_size=-{SQLITE_IMPORT_CACHE_KIB}")
        from storage.access import actor_for, require_admin

        # People, teams and every team's cases come in here: the administrator's (README "Team server").
        require_admin(actor_for(session, actor), "import CSV files")
        importer = _Importer(session, dry_run=dry_run, actor=actor, policy=policy, today=today or _today())
        importer.errors = errors
        importer.sources = by_index
        try:
            for src in kinded:
                rep = FileReport(src.name, src.kind.name)
                getattr(importer, f"do_{src.kind.name}")(src, rep)
                importer.flush_audit()
                reports.append(rep)
            importer.finish()
            if errors:
                session.rollback()
                raise ImportFailed(errors.lines())
            report = ImportReport(reports, dry_run=dry_run)
            if dry_run:
                session.rollback()
                return report
            for rep in reports:
                if rep.inserted or rep.updated or sum(rep.also.values()):
                    audit.record(session, importer.actor, "import", "file", Path(rep.path).name,
                                 kind=rep.kind,
                                 inserted=rep.inserted, updated=rep.updated, unchanged=rep.unchanged,
                                 **{k.replace(" ", "_"): v for k, v in rep.also.items()})
            session.commit()
            return report
        except (DBAPIError, engine.dialect.loaded_dbapi.Error) as exc:
            from storage.engine import is_busy
            from storage.repo import _is_concurrency_error
            from storage.serverops import is_connection_error

            session.rollback()
            # one line, without the statement's parameters (they hold personal data)
            orig = getattr(exc, "orig", exc)
            reason = (str(orig).strip().splitlines() or [type(orig).__name__])[0]
            if is_busy(exc):
                raise DatabaseUnavailable("import failed, nothing was written: the database is busy "
                                          "(another program holds a lock on it); try again") from None
            if is_connection_error(exc):
                raise DatabaseUnavailable(f"import failed, nothing was written: lost the database ({reason}); "
                                          "try again when it is back") from None
            if _is_concurrency_error(exc) or getattr(orig, "sqlstate", None) in ("23505", "40001", "40P01") \
                    or "UNIQUE constraint failed" in str(orig):  # a row another writer added meanwhile
                raise ConflictError("import failed, nothing was written: someone changed the same records "
                                    f"meanwhile ({reason}); run the import again") from None
            raise CaseloadError(
                f"import failed, nothing was written: the database refused a write ({reason})"
            ) from None
        except BaseException:
            session.rollback()
            raise
        finally:
            if sqlite:  # best effort: the connection goes back to the pool
                try:
                    session.connection().exec_driver_sql(f"PRAGMA cache_size={int(old_cache)}")
                    session.commit()
                except Exception:  # noqa: BLE001 - never hide the import's own outcome
                    session.rollback()


# --------------------------------------------------------------------------- export


def _fmt(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, time):
        return value.strftime("%H:%M")
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    return str(value)


def _export_rows(session: Session) -> dict[str, Iterator[list[Any]]]:
    """Per kind, an iterator of rows (values in `KINDS[kind].columns` order)."""
    conn = session.connection()
    pg = conn.dialect.name == "postgresql"

    def cs(col: Any) -> Any:  # byte-order sorting on both databases
        return col.collate("C") if pg else col

    t, p, c, a = m.Team, m.Practitioner, m.Case, m.Allocation
    pid_of = dict(conn.execute(select(p.id, p.practitioner_id)).all())

    def stream(stmt: Any) -> Iterator[Any]:
        yield from conn.execute(stmt.execution_options(yield_per=10_000))

    def practitioners() -> Iterator[list[Any]]:
        for r in stream(
            select(p.practitioner_id, p.name, t.team_id, p.role, p.grade, t.name, p.contracted_hours,
                   p.reduction_pct, p.leaving_on, p.email, func.coalesce(p.nation, t.nation))
            .join(t, t.id == p.team_pk).order_by(cs(p.practitioner_id))
        ):
            yield list(r)

    def cases() -> Iterator[list[Any]]:
        held: dict[int, tuple[Any, ...]] = {}
        for case_id, prac_pk, start, end in conn.execute(
            select(a.case_id, a.practitioner_pk, a.start_date, a.end_date).order_by(a.case_id, a.start_date, a.id)
        ):
            # the open allocation, else the latest one
            if end is None or case_id not in held or held[case_id][2] is not None:
                held[case_id] = (pid_of[prac_pk], start, end)
        for r in stream(
            select(c.id, c.case_ref, c.display_name, c.tier, c.contact_level, c.youth, c.date_of_birth,
                   c.flags, c.status, c.paused_until).order_by(cs(c.case_ref))
        ):
            pid, start, _ = held.get(r[0], (None, None, None))
            yield [r[1], r[2], pid, start, r[3], r[4], r[5], r[6], r[7] or None, r[8], r[9]]

    def allocations() -> Iterator[list[Any]]:
        for r in stream(
            select(c.case_ref, p.practitioner_id, a.start_date, a.end_date, a.reason)
            .join(c, c.id == a.case_id).join(p, p.id == a.practitioner_pk)
            .order_by(cs(c.case_ref), a.start_date, cs(p.practitioner_id))
        ):
            yield list(r)

    def contacts() -> Iterator[list[Any]]:
        k = m.Contact
        for r in stream(
            select(c.case_ref, k.contact_date, p.practitioner_id, k.kind, k.outcome, k.notes, k.cancelled_by,
                   k.with_practitioner_pk)
            .join(c, c.id == k.case_id).join(p, p.id == k.practitioner_pk)
            .order_by(cs(c.case_ref), k.contact_date, cs(p.practitioner_id), cs(k.kind))
        ):
            yield [*r[:7], pid_of.get(r[7]) if r[7] else None]

    def appointments() -> Iterator[list[Any]]:
        k = m.Appointment
        for r in stream(
            select(c.case_ref, k.appointment_date, p.practitioner_id, k.time, k.kind, k.rrule)
            .join(c, c.id == k.case_id).join(p, p.id == k.practitioner_pk)
            .order_by(cs(c.case_ref), k.appointment_date, cs(p.practitioner_id))
        ):
            yield list(r)

    def absences() -> Iterator[list[Any]]:
        k = m.Absence
        for r in stream(
            select(p.practitioner_id, k.start_date, k.end_date, k.kind, k.cover_practitioner_pk)
            .join(p, p.id == k.practitioner_pk).order_by(cs(p.practitioner_id), k.start_date)
        ):
            yield [r[0], r[1], r[2], r[3], pid_of.get(r[4]) if r[4] else None]

    def handovers() -> Iterator[list[Any]]:
        h = m.Handover
        for r in stream(
            select(c.case_ref, p.practitioner_id, h.planned_on, h.reason)
            .join(c, c.id == h.case_id).join(p, p.id == h.to_practitioner_pk)
            .where(h.status.in_(OPEN_HANDOVER_STATUSES))
            .order_by(cs(c.case_ref), h.planned_on)
        ):
            yield list(r)

    return {
        "practitioners": practitioners(), "cases": cases(), "allocations": allocations(),
        "contacts": contacts(), "appointments": appointments(), "absences": absences(),
        "handovers": handovers(),
    }


def _scoped(session: Session, rows: dict[str, Iterator[list[Any]]], actor: str) -> dict[str, Iterator[list[Any]]]:
    """Only what the actor sees (storage.access): the cases they see and
    what hangs off them, the practitioners they see and their absences."""
    from storage.access import actor_for, visible_case_refs, visible_practitioner_ids

    me = actor_for(session, actor)
    cases, people = visible_case_refs(session, me), visible_practitioner_ids(session, me)
    if cases is None or people is None:
        return rows
    by_person = ("practitioners", "absences")  # keyed by practitioner_id; the rest by case_ref
    return {kind: (r for r in it if r[0] in (people if kind in by_person else cases))
            for kind, it in rows.items()}


def export_dir(
    engine: Engine,
    dest_dir: str | os.PathLike[str],
    fmt: str = "csv",
    *,
    actor: str,
    force: bool = False,
) -> list[Path]:
    """Write every record in the import formats to `dest_dir` (created 0700
    if missing); returns the files written (0600). See the module docstring.

    All or nothing (storage/files.py): each file is written beside its name
    and renamed into place only once every file is whole and the export's
    audit event is committed; an existing file (or a symbolic link) in the
    way is refused unless `force`."""
    if fmt not in ("csv", "json"):
        raise CaseloadError(f"unknown export format {fmt!r} (use csv or json)")
    dest = Path(dest_dir)
    if dest.exists() and not dest.is_dir():
        raise FileProblem(f"{dest} is not a folder")
    names = [FILENAMES[kind] for kind in ORDER] if fmt == "csv" else [JSON_FILENAME]
    if dest.is_dir():
        with PrivateFiles(force=force) as check:  # refuse before reading anything
            for name in names:
                check.claim(dest / name)
    else:
        try:
            dest.mkdir(mode=0o700, parents=True)
        except OSError as exc:
            raise FileProblem(f"cannot make the folder {dest} ({exc.strerror or exc})") from None
    counts: dict[str, int] = {}
    with Session(engine) as session, PrivateFiles(force=force) as out:
        rows = _scoped(session, _export_rows(session), actor)
        try:
            if fmt == "csv":
                for kind in ORDER:
                    n = 0
                    with out.open(out.claim(dest / FILENAMES[kind])) as fh:
                        writer = csv.writer(fh, lineterminator="\r\n")
                        writer.writerow(KINDS[kind].columns)
                        for values in rows[kind]:
                            writer.writerow([escape_cell(_fmt(v)) for v in values])
                            n += 1
                    counts[kind] = n
            else:
                with out.open(out.claim(dest / JSON_FILENAME)) as fh:
                    fh.write('{"format": "caseload-export", "version": 1')
                    for kind in ORDER:
                        cols = KINDS[kind].columns
                        fh.write(f',\n "{kind}": [')
                        n = 0
                        for values in rows[kind]:
                            record = {col: (_fmt(v) or None) for col, v in zip(cols, values)}
                            fh.write(("\n  " if n == 0 else ",\n  ") + json.dumps(record, ensure_ascii=False))
                            n += 1
                        fh.write("\n ]" if n else "]")
                        counts[kind] = n
                    fh.write("\n}\n")
        except OSError as exc:
            raise FileProblem(f"cannot write the export to {dest} ({exc.strerror or exc}); "
                              "nothing was written") from None
        session.rollback()  # end the read transaction before writing the audit event
        audit.record(session, actor, "export", "export", fmt, **counts)
        session.commit()  # an export the audit trail cannot record is not placed
        return out.place()
