"""Importing allocations.csv: upsert by (case_ref, practitioner_id,
start_date); at most one open allocation per case, none across teams
(docs/csv.md). Also the allocation writes that cases.csv asks for."""

from __future__ import annotations

from datetime import date
from typing import Any

from storage.csvio.base import ALLOC_FIELDS
from storage.csvio.reports import FileReport
from storage.csvio.row import _ok, _Row
from storage.csvio.source import _Source
from storage.csvio.spec import KINDS

__all__ = ["AllocationsImport"]

KIND = KINDS["allocations"]
_Key = tuple[str, str, date]


class AllocationsImport:
    """The `do_allocations` step of storage/csvio/importer.py's `_Importer`."""

    def do_allocations(self, src: _Source, rep: FileReport) -> None:
        self.load_allocs()
        assert self.allocs is not None
        present = [i for i, c in enumerate(KIND.plain) if src.has(c.name)]
        new: list[_Key] = []
        changed: list[tuple[str, str, date, list[str]]] = []
        touched: dict[str, list[_Row]] = {}
        for row in src.rows():
            found = self._allocation_row(row)
            if found is None:
                continue
            key, vals = found
            existing = self.allocs.get(key)
            if existing is None:
                self.put_alloc(key, vals)
                new.append(key)
                rep.inserted += 1
            else:
                diff = [ALLOC_FIELDS[i] for i in present if existing[i] != vals[i]]
                for i in present:
                    existing[i] = vals[i]
                if diff:
                    changed.append((*key, diff))
                    rep.updated += 1
                else:
                    rep.unchanged += 1
            touched.setdefault(key[0], []).append(row)
        self._one_open_allocation(touched)
        self._write_alloc_changes(new, [], changed)

    def _allocation_row(self, row: _Row) -> tuple[_Key, list[Any]] | None:
        parsed = row.parse_all(KIND.specs, self.today)
        case = self.case(row, "case_ref", parsed["case_ref"])
        prac = self.prac(row, "practitioner_id", parsed["practitioner_id"])
        start, end = parsed["start_date"], parsed["end_date"]
        vals = [parsed[c.name] for c in KIND.plain]
        if isinstance(start, date) and isinstance(end, date) and end < start:
            row.error("end_date", f"{end.isoformat()} is before start_date {start.isoformat()}")
        if row.bad or not _ok(case, prac, start, *vals):
            return None
        key = (case.ref, prac.pid, start)
        if not self.first_seen("allocations", key, row, "start_date",
                               "allocation (case_ref, practitioner_id, start_date)"):
            return None
        if end is None and case.team_id and prac.team_id != case.team_id:
            row.error("practitioner_id", f"{prac.pid} is in team {prac.team_id}, case {case.ref} in team "
                      f"{case.team_id}: an open allocation cannot take a case to another team (give the "
                      "case its new practitioner and allocated_on in a cases file instead)")
            return None
        return key, vals

    def _one_open_allocation(self, touched: dict[str, list[_Row]]) -> None:
        """At most one open allocation per case, whatever the row order."""
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

    def _write_alloc_changes(self, new: list[_Key], close: list[tuple[str, str, date, date]],
                             changed: list[tuple[str, str, date, list[str]]] = ()) -> None:
        """Write new allocations, end dates closed by a reallocation
        (`close`) and allocations changed by an allocations file."""
        if not self.writing:
            return
        from sqlalchemy import and_, bindparam, insert, update

        from storage.tables import t as tb

        a = tb.allocation
        where = and_(a.c.case_id == bindparam("k_case"), a.c.practitioner_pk == bindparam("k_prac"),
                     a.c.start_date == bindparam("k_start"))

        def keyed(ref: str, pid: str, start: date) -> dict[str, Any]:
            return {"k_case": self.cases[ref].pk, "k_prac": self.pracs[pid].pk, "k_start": start}

        def stored(key: _Key) -> dict[str, Any]:
            return dict(zip(ALLOC_FIELDS, self.allocs[key]))

        if close:
            self.execute(update(a).where(where).values(end_date=bindparam("end_date"), version=a.c.version + 1),
                         [{**keyed(ref, pid, start), "end_date": end} for ref, pid, start, end in close])
            for ref, pid, start, _ in close:
                self.audit_row("allocation", f"{ref}/{pid}/{start.isoformat()}", "update", case_ref=ref,
                               fields=["end_date"])
        self.execute(insert(a), [
            {"case_id": self.cases[ref].pk, "practitioner_pk": self.pracs[pid].pk, "start_date": start,
             **stored((ref, pid, start)), "version": 1}
            for ref, pid, start in new
        ])
        for ref, pid, start in new:
            self.audit_row("allocation", f"{ref}/{pid}/{start.isoformat()}", "insert", case_ref=ref)
        if changed:
            stmt = (update(a).where(where)
                    .values({**{f: bindparam(f) for f in ALLOC_FIELDS}, "version": a.c.version + 1}))
            self.execute(stmt, [{**keyed(ref, pid, start), **stored((ref, pid, start))}
                                for ref, pid, start, _ in changed])
            for ref, pid, start, diff in changed:
                self.audit_row("allocation", f"{ref}/{pid}/{start.isoformat()}", "update", case_ref=ref,
                               fields=diff)
