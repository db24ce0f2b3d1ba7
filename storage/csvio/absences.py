"""Importing absences.csv: upsert by (practitioner_id, start_date); a blank
end date is open-ended; the cover is another practitioner (docs/csv.md).
The columns beyond the key are the plain ones of the spec
(storage/csvio/spec.py) and `cover_practitioner_id`."""

from __future__ import annotations

from datetime import date
from typing import Any

from storage.csvio.base import _Prac, cols
from storage.csvio.reports import FileReport
from storage.csvio.row import _ok, _Row
from storage.csvio.source import _Source
from storage.csvio.spec import KINDS

__all__ = ["AbsencesImport"]

KIND = KINDS["absences"]
#: The compared values of an absence, in the order of the importer's lists.
COMPARED = (*(c.field for c in KIND.plain), "cover_practitioner_id")
_Key = tuple[str, date]


class AbsencesImport:
    """The `do_absences` step of storage/csvio/importer.py's `_Importer`."""

    def do_absences(self, src: _Source, rep: FileReport) -> None:
        self.load_teams_pracs()
        existing = self._load_absences()
        present = [c for c in COMPARED if src.has(c)]
        new: list[_Key] = []
        changed: list[tuple[str, date, list[str]]] = []
        for row in src.rows():
            found = self._absence_row(row)
            if found is None:
                continue
            key, vals = found
            old = existing.get(key)
            if old is None:
                existing[key] = [vals[c] for c in COMPARED]
                new.append(key)
                rep.inserted += 1
                continue
            before = dict(zip(COMPARED, old))
            diff = [c for c in present if before[c] != vals[c]]
            if diff:
                before.update({c: vals[c] for c in diff})
                existing[key] = [before[c] for c in COMPARED]
                changed.append((*key, diff))
                rep.updated += 1
            else:
                rep.unchanged += 1
        if self.writing:
            self._write_absences(existing, new, changed)

    def _load_absences(self) -> dict[_Key, list[Any]]:
        """Existing absences, once per call: (practitioner_id, start_date) -> COMPARED values."""
        if not hasattr(self, "_absences"):
            fields, types = cols("a", "absence", (c.field for c in KIND.plain))
            self._absences: dict[_Key, list[Any]] = {}
            for pid, start, *vals in self.select(
                f"SELECT p.practitioner_id, a.start_date, {fields}, cover.practitioner_id FROM absence a "
                "JOIN practitioner p ON p.id = a.practitioner_pk "
                "LEFT JOIN practitioner cover ON cover.id = a.cover_practitioner_pk",
                [None, ("absence", "start_date"), *types, None],
            ):
                self._absences[(pid, start)] = vals
        return self._absences

    def _absence_row(self, row: _Row) -> tuple[_Key, dict[str, Any]] | None:
        parsed = row.parse_all(KIND.specs, self.today)
        prac = self.prac(row, "practitioner_id", parsed["practitioner_id"])
        start, end = parsed["start_date"], parsed["end_date"]
        cover = self.prac(row, "cover_practitioner_id", parsed["cover_practitioner_id"])
        vals = {c.field: parsed[c.name] for c in KIND.plain}
        if isinstance(start, date) and isinstance(end, date) and end < start:
            row.error("end_date", f"{end.isoformat()} is before start_date {start.isoformat()}")
        if isinstance(prac, _Prac) and isinstance(cover, _Prac) and prac.pid == cover.pid:
            row.error("cover_practitioner_id", "a practitioner cannot cover their own absence")
        if row.bad or not _ok(prac, start, cover, *vals.values()):
            return None
        key = (prac.pid, start)
        if not self.first_seen("absences", key, row, "start_date", "absence (practitioner_id, start_date)"):
            return None
        return key, {**vals, "cover_practitioner_id": cover.pid if cover else None}

    def _write_absences(self, existing: dict[_Key, list[Any]], new: list[_Key],
                        changed: list[tuple[str, date, list[str]]]) -> None:
        from sqlalchemy import and_, bindparam, insert, update

        from storage.tables import t as tb

        assert self.pracs is not None
        t = tb.absence
        fields = [c.field for c in KIND.plain]

        def values(pid: str, start: date) -> dict[str, Any]:
            *vals, cover_id = existing[(pid, start)]
            return {**dict(zip(fields, vals)),
                    "cover_practitioner_pk": self.pracs[cover_id].pk if cover_id else None}

        self.execute(insert(t), [
            {"practitioner_pk": self.pracs[pid].pk, "start_date": start, **values(pid, start), "version": 1}
            for pid, start in new
        ])
        for pid, start in new:
            self.audit_row("absence", f"{pid}/{start.isoformat()}", "insert")
        self.execute(
            update(t).where(and_(t.c.practitioner_pk == bindparam("k_prac"), t.c.start_date == bindparam("k_start")))
            .values({**{f: bindparam(f) for f in fields}, "cover_practitioner_pk": bindparam("cover_practitioner_pk"),
                     "version": t.c.version + 1}),
            [{"k_prac": self.pracs[pid].pk, "k_start": start, **values(pid, start)} for pid, start, _ in changed],
        )
        for pid, start, diff in changed:
            self.audit_row("absence", f"{pid}/{start.isoformat()}", "update", fields=diff)
