"""Importing a kind keyed by case, (a date,) and practitioner whose other
columns are all plain (storage/csvio/spec.py): appointments, checkins and
not_with. Upsert by the natural key; rows read, compared and written by the
spec alone, with a kind's own check of a row's values (`fix`)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from sqlalchemy import bindparam, insert, select, update

from storage.csvio.base import _pack
from storage.csvio.reports import FileReport
from storage.csvio.row import _ok, _Row
from storage.csvio.source import _Source
from storage.csvio.spec import KINDS

__all__ = ["KeyedImport"]

#: The key's date for a kind keyed by case and practitioner alone.
NO_DAY = date.min

#: A kind's own check of one row: (row, the key's date, the plain values) -> None, errors on the row.
Fix = Callable[[_Row, Any, dict[str, Any]], None]


class KeyedImport:
    """`upsert_keyed`, the body of the `do_<kind>` steps of these kinds."""

    def upsert_keyed(self, src: _Source, rep: FileReport, kind_name: str, day_column: str | None,
                     label: str, fix: Fix | None = None) -> None:
        kind = KINDS[kind_name]
        fields = tuple(c.field for c in kind.plain)
        self.load_cases(full=False)
        assert self.cases is not None
        existing = self._keyed_rows(kind_name, day_column, fields)
        present = [c.field for c in kind.plain if src.has(c.name)]
        ins: list[dict[str, Any]] = []
        upd: list[dict[str, Any]] = []
        for row in src.rows():
            parsed = row.parse_all(kind.specs, self.today)
            case = self.case(row, "case_ref", parsed["case_ref"])
            day = parsed[day_column] if day_column else NO_DAY
            prac = self.prac(row, "practitioner_id", parsed["practitioner_id"])
            vals = {c.field: parsed[c.name] for c in kind.plain}
            if fix is not None and _ok(day) and day is not None:
                fix(row, day, vals)
            if row.bad or not _ok(case, day, prac, *vals.values()):
                continue
            key = _pack(case.pk, day, prac.pk)
            if not self.first_seen(kind_name, key, row, day_column or "practitioner_id", label):
                continue
            entity_key = "/".join([case.ref, *([day.isoformat()] if day_column else []), prac.pid])
            old = existing.get(key)
            if old is None:
                rep.inserted += 1
                if self.writing:
                    ins.append({"case_id": case.pk, **({day_column: day} if day_column else {}),
                                "practitioner_pk": prac.pk, **vals, "version": 1})
                    self.audit_row(kind.entity, entity_key, "insert", case_ref=case.ref)
                continue
            before = dict(zip(fields, old[1:]))
            diff = [f for f in present if before[f] != vals[f]]
            if not diff:
                rep.unchanged += 1
                continue
            rep.updated += 1
            if self.writing:
                upd.append({"k_id": old[0], **{f: vals[f] if f in present else before[f] for f in fields}})
                self.audit_row(kind.entity, entity_key, "update", case_ref=case.ref, fields=diff)
        t = kind.table
        self.execute(insert(t), ins)
        self.execute(update(t).where(t.c.id == bindparam("k_id")).values(
            {**{f: bindparam(f) for f in fields}, "version": t.c.version + 1}), upd)

    def _keyed_rows(self, kind_name: str, day_column: str | None, fields: tuple[str, ...]) -> dict[int, tuple]:
        """Existing rows, once per call: packed key -> (id, *fields)."""
        cache: dict[str, dict[int, tuple]] = self.__dict__.setdefault("_keyed", {})
        if kind_name not in cache:
            found = cache[kind_name] = {}
            t = KINDS[kind_name].table
            day = t.c[day_column] if day_column else None
            result = self.conn.execute(
                select(t.c.id, t.c.case_id, *([day] if day is not None else []), t.c.practitioner_pk,
                       *(t.c[f] for f in fields)).execution_options(yield_per=20_000)
            )
            for rid, case_pk, *rest in result:
                when = rest.pop(0) if day is not None else NO_DAY
                prac_pk, *vals = rest
                found[_pack(case_pk, when, prac_pk)] = (rid, *vals)
        return cache[kind_name]
