"""Reading an input file: its header, its kind, and a streaming row reader
that words every problem as `FILE:ROW: column: reason` (docs/csv.md)."""

from __future__ import annotations

import csv
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from storage.csvio.row import _Row
from storage.csvio.spec import KINDS, KindSpec
from storage.progress import NO_PROGRESS, Progress, told

__all__ = ["_Errors", "_Source", "_kind_for"]

_BOM = b"\xef\xbb\xbf"


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
        self.progress: Progress = NO_PROGRESS

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
        """The rows after the header, told to `self.progress` as they are read."""
        rows = None if self.progress is NO_PROGRESS else self._line_count() - 1
        records = self._records(report_from=2)
        next(records, None)  # the header
        for start, cells in told(records, self.progress.task(f"{self.path.name} ({self.kind.name})", rows)):
            if not cells or (len(cells) == 1 and not cells[0].strip()):
                continue  # blank line
            row = _Row(self, start, cells)
            if len(cells) != self.width:
                row.error("-", f"{len(cells)} cells, the header has {self.width}")
                continue
            yield row

    def _line_count(self) -> int:
        """Lines in the file (records, unless a quoted cell spans lines): with
        the header's taken off, the progress bar's length, counted only when
        it is shown."""
        count, last = 0, b"\n"
        with open(self.path, "rb") as fh:
            while chunk := fh.read(1 << 20):
                count += chunk.count(b"\n")
                last = chunk[-1:]
        return count + (last != b"\n")

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

