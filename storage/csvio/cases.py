"""Importing cases.csv: upsert by case_ref; `practitioner_id` +
`allocated_on` open the first allocation or reallocate (docs/csv.md)."""

from __future__ import annotations

from collections import Counter
from datetime import date
from typing import Any

from storage.csvio.base import BATCH, _Case
from storage.csvio.reports import FileReport
from storage.csvio.row import _BAD, _ok, _Row
from storage.csvio.source import _Source
from storage.csvio.spec import KINDS
from planner.validate import sentence_dates

__all__ = ["CasesImport"]

KIND = KINDS["cases"]
_Intent = tuple[_Row, str, str, date]  # row, case_ref, practitioner_id, allocated_on


class CasesImport:
    """The `do_cases` step of storage/csvio/importer.py's `_Importer`."""

    def do_cases(self, src: _Source, rep: FileReport) -> None:
        self.load_cases(full=True)
        self.load_allocs()
        assert self.cases is not None and self.pracs is not None and self.allocs is not None
        present = {c.field for c in KIND.plain if src.has(c.name)}
        status: dict[str, str] = {}  # case_ref -> new | changed | same
        diffs: dict[str, set[str]] = {}
        intents: list[_Intent] = []
        for row in src.rows():
            intent = self._case_row(row, present, status, diffs)
            if intent is not None:
                intents.append(intent)
        alloc_new, alloc_close = self._case_allocations(intents, status, diffs, rep)
        counts = Counter(status.values())
        rep.inserted += counts["new"]
        rep.updated += counts["changed"]
        rep.unchanged += counts["same"]
        if not self.writing:
            return
        self._write_cases(status, diffs, present)
        self._write_alloc_changes(alloc_new, alloc_close)

    def _case_row(self, row: _Row, present: set[str], status: dict[str, str],
                  diffs: dict[str, set[str]]) -> _Intent | None:
        parsed = row.parse_all(KIND.specs, self.today)
        ref = parsed["case_ref"]
        prac = self.prac(row, "practitioner_id", parsed["practitioner_id"])
        allocated_on = parsed["allocated_on"]
        vals = {c.field: parsed[c.name] for c in KIND.plain}
        if vals["status"] == "paused" and vals["paused_until"] is None:
            row.error("paused_until", "required when status is paused")
        if _BAD not in (vals["sentence"], vals["sentence_end"], vals["release_on"]):
            wrong = sentence_dates(vals["sentence"], vals["sentence_end"], vals["release_on"])
            if wrong:
                row.error(*wrong)
        if isinstance(ref, str) and not self.first_seen("cases", ref, row, "case_ref", "case_ref"):
            return None
        rec = self.cases.get(ref) if isinstance(ref, str) else None
        if row.bad or not _ok(ref, prac, allocated_on, *vals.values()):
            if isinstance(ref, str) and rec is None:
                self.cases[ref] = _Case(self.placeholder(), ref, None, None)
            return None
        if rec is None:
            self.cases[ref] = _Case(self.placeholder(), ref, prac.team_id, dict(vals))
            status[ref] = "new"
        elif rec.vals is None:
            return None  # a row that failed earlier in this call
        else:
            diff = {f for f in present if rec.vals.get(f) != vals[f]}
            if diff:
                rec.vals.update({f: vals[f] for f in diff})
                diffs[ref] = diff
            status[ref] = "changed" if diff else "same"
        return row, ref, prac.pid, allocated_on

    def _case_allocations(self, intents: list[_Intent], status: dict[str, str], diffs: dict[str, set[str]],
                          rep: FileReport) -> tuple[list[Any], list[Any]]:
        """The allocations the case rows name, decided before anything is written."""
        alloc_new: list[tuple[str, str, date]] = []
        alloc_close: list[tuple[str, str, date, date]] = []
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
            self.put_alloc((ref, pid, allocated_on))
            self.open_alloc[ref] = (pid, allocated_on)
            alloc_new.append((ref, pid, allocated_on))
            rep.also["allocations opened"] += 1
            new_team = self.pracs[pid].team_id
            if status.get(ref) != "new":
                if current is not None:
                    diffs.setdefault(ref, set()).add("practitioner_id")
                    status[ref] = "changed"
                if rec.team_id != new_team:
                    diffs.setdefault(ref, set()).add("team_id")
            rec.team_id = new_team
        return alloc_new, alloc_close

    def _write_cases(self, status: dict[str, str], diffs: dict[str, set[str]], present: set[str]) -> None:
        from sqlalchemy import bindparam, insert, update

        from storage.tables import t as tb

        assert self.teams is not None
        c = tb.case
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
            cols = sorted(present | {"display_name"})
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
