"""Importing a kind keyed by case, (a date,) and practitioner whose other
columns are all plain (storage/csvio/spec.py): appointments, checkins and
not_with. Upsert by the natural key; rows read, compared and written by the
spec alone, with a kind's own check of a row's values (`fix`). A kind with
more to it (appointments: a series' moved occurrences) reads its rows with
`keyed_rows` and writes them with `write_keyed` in passes of its own."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date
from typing import Any, NamedTuple

from storage.csvio.base import _pack, cols, q
from storage.csvio.reports import FileReport
from storage.csvio.row import _ok, _Row
from storage.csvio.source import _Source
from storage.csvio.spec import KINDS

__all__ = ["NO_DAY", "Keyed", "KeyedImport"]

#: The key's date for a kind keyed by case and practitioner alone.
NO_DAY = date.min

#: A kind's own check of one row: (row, the key's date, the plain values, every
#: parsed cell) -> None, errors on the row.
Fix = Callable[[_Row, Any, dict[str, Any], dict[str, Any]], None]


class Keyed(NamedTuple):
    """One row of a keyed file, read and checked: its case, its key's date,
    its practitioner, its plain values (by field) and every parsed cell."""

    row: _Row
    case: Any
    day: Any
    prac: Any
    vals: dict[str, Any]
    parsed: dict[str, Any]

    @property
    def key(self) -> int:
        return _pack(self.case.pk, self.day, self.prac.pk)


class KeyedImport:
    """`upsert_keyed`, the body of the `do_<kind>` steps of these kinds."""

    def upsert_keyed(self, src: _Source, rep: FileReport, kind_name: str, day_column: str | None,
                     label: str, fix: Fix | None = None) -> None:
        fields = tuple(c.field for c in KINDS[kind_name].plain)
        existing = self.keyed_existing(kind_name, day_column, fields)
        rows = self.keyed_rows(src, kind_name, day_column, label, fix)
        self.write_keyed(kind_name, day_column, fields, [(k, k.vals) for k in rows], existing,
                         self.present(src, kind_name), rep)

    def present(self, src: _Source, kind_name: str) -> list[str]:
        """The plain fields whose column the file has (the others keep their stored values)."""
        return [c.field for c in KINDS[kind_name].plain if src.has(c.name)]

    def keyed_rows(self, src: _Source, kind_name: str, day_column: str | None, label: str,
                   fix: Fix | None = None) -> list[Keyed]:
        """The file's rows that read and check well, each key once (a repeat is an error)."""
        kind = KINDS[kind_name]
        self.load_cases(full=False)
        assert self.cases is not None
        out: list[Keyed] = []
        for row in src.rows():
            parsed = row.parse_all(kind.specs, self.today)
            case = self.case(row, "case_ref", parsed["case_ref"])
            day = parsed[day_column] if day_column else NO_DAY
            prac = self.prac(row, "practitioner_id", parsed["practitioner_id"])
            vals = {c.field: parsed[c.name] for c in kind.plain}
            if fix is not None and _ok(day) and day is not None:
                fix(row, day, vals, parsed)
            if row.bad or not _ok(case, day, prac, *vals.values()):
                continue
            if self.first_seen(kind_name, _pack(case.pk, day, prac.pk), row, day_column or "practitioner_id", label):
                out.append(Keyed(row, case, day, prac, vals, parsed))
        return out

    def write_keyed(self, kind_name: str, day_column: str | None, fields: tuple[str, ...],
                    items: Iterable[tuple[Keyed, dict[str, Any]]], existing: dict[int, tuple],
                    present: list[str], rep: FileReport) -> None:
        """Insert the rows new to the database, update the changed ones (each
        audited), count the unchanged; `items` pairs a row with its values of `fields`."""
        kind = KINDS[kind_name]
        ins: list[dict[str, Any]] = []
        upd: list[dict[str, Any]] = []
        for k, vals in items:
            entity_key = "/".join([k.case.ref, *([k.day.isoformat()] if day_column else []), k.prac.pid])
            old = existing.get(k.key)
            if old is None:
                rep.inserted += 1
                if self.writing:
                    ins.append({"case_id": k.case.pk, **({day_column: k.day} if day_column else {}),
                                "practitioner_pk": k.prac.pk, **vals, "version": 1})
                    self.audit_row(kind.entity, entity_key, "insert", case_ref=k.case.ref)
                continue
            before = dict(zip(fields, old[1:]))
            diff = [f for f in present if before[f] != vals[f]]
            if not diff:
                rep.unchanged += 1
                continue
            rep.updated += 1
            if self.writing:
                upd.append({"k_id": old[0], **{f: vals[f] if f in present else before[f] for f in fields}})
                self.audit_row(kind.entity, entity_key, "update", case_ref=k.case.ref, fields=diff)
        if not self.writing:
            return
        from sqlalchemy import bindparam, insert, update

        t = kind.table
        self.execute(insert(t), ins)
        self.execute(update(t).where(t.c.id == bindparam("k_id")).values(
            {**{f: bindparam(f) for f in fields}, "version": t.c.version + 1}), upd)

    def keyed_existing(self, kind_name: str, day_column: str | None, fields: tuple[str, ...]) -> dict[int, tuple]:
        """Existing rows, once per call: packed key -> (id, *fields)."""
        cache: dict[str, dict[int, tuple]] = self.__dict__.setdefault("_keyed", {})
        if kind_name not in cache:
            found = cache[kind_name] = {}
            table = KINDS[kind_name].table_name
            names = ["id", "case_id", *([day_column] if day_column else []), "practitioner_pk", *fields]
            selected, types = cols("t", table, names)
            result = self.select(f"SELECT {selected} FROM {q(table)} t", types)
            for rid, case_pk, *rest in result:
                when = rest.pop(0) if day_column else NO_DAY
                prac_pk, *vals = rest
                found[_pack(case_pk, when, prac_pk)] = (rid, *vals)
        return cache[kind_name]
