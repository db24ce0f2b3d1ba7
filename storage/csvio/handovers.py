"""Importing handovers.csv: a new row plans a handover from the case's
current practitioner with the docs/handovers.md checklist; a case has at most one
open handover; a closed one no longer changes (docs/csv.md)."""

from __future__ import annotations

from datetime import date
from typing import Any

from planner import validate
from planner.model import OPEN_HANDOVER_STATUSES
from storage.csvio.reports import FileReport
from storage.csvio.row import _ok, _Row
from storage.csvio.source import _Source
from storage.csvio.spec import KINDS

__all__ = ["HandoversImport"]

KIND = KINDS["handovers"]
_Key = tuple[str, date]


class HandoversImport:
    """The `do_handovers` step of storage/csvio/importer.py's `_Importer`."""

    def do_handovers(self, src: _Source, rep: FileReport) -> None:
        self.load_cases(full=True)
        self.load_allocs()
        assert self.cases is not None and self.pracs is not None and self.teams is not None
        existing, open_by_case = self._load_handovers()
        has_reason = src.has("reason")
        new: list[tuple[str, date, str]] = []  # ref, planned_on, from_pid
        changed: list[tuple[str, date, list[str]]] = []
        for row in src.rows():
            parsed = row.parse_all(KIND.specs, self.today)
            case = self.case(row, "case_ref", parsed["case_ref"])
            to = self.prac(row, "to_practitioner_id", parsed["to_practitioner_id"])
            planned_on, reason = parsed["planned_on"], parsed["reason"]
            if row.bad or not _ok(case, to, planned_on, reason):
                continue
            key = (case.ref, planned_on)
            if not self.first_seen("handovers", key, row, "planned_on", "handover (case_ref, planned_on)"):
                continue
            old = existing.get(key)
            if old is not None:
                diff = self._handover_change(row, case, to, planned_on, reason if has_reason else old[2], old)
                if diff is None:
                    continue
                if diff:
                    changed.append((case.ref, planned_on, diff))
                    rep.updated += 1
                else:
                    rep.unchanged += 1
                continue
            from_pid = self._new_handover(row, case, to, planned_on, open_by_case)
            if from_pid is not None:
                existing[key] = [None, to.pid, reason, "planned"]
                open_by_case[case.ref] = planned_on
                new.append((case.ref, planned_on, from_pid))
                rep.inserted += 1
        if self.writing and (new or changed):
            self._write_handovers(new, changed)

    def _load_handovers(self) -> tuple[dict[_Key, list[Any]], dict[str, date]]:
        """Existing handovers, once per call: (case_ref, planned_on) -> [id,
        to_practitioner_id, reason, status]; and each case's open one."""
        if not hasattr(self, "_handovers"):
            self._handovers: dict[_Key, list[Any]] = {}
            self._open_handover: dict[str, date] = {}
            for hid, ref, planned_on, to_pid, reason, status in self.select(
                'SELECT h.id, c.case_ref, h.planned_on, p.practitioner_id, h.reason, h.status FROM handover h '
                'JOIN "case" c ON c.id = h.case_id JOIN practitioner p ON p.id = h.to_practitioner_pk',
                [None, None, ("handover", "planned_on"), None, None, None],
            ):
                self._handovers[(ref, planned_on)] = [hid, to_pid, reason, status]
                if status in OPEN_HANDOVER_STATUSES:
                    self._open_handover[ref] = planned_on
        return self._handovers, self._open_handover

    def _handover_change(self, row: _Row, case: Any, to: Any, planned_on: date, reason: Any,
                         old: list[Any]) -> list[str] | None:
        """The fields a row changes on an existing handover (noted on
        `old`); None, with the row's error, when it may not change."""
        diff = []
        if old[1] != to.pid:
            diff.append("to_practitioner_id")
        if old[2] != reason:
            diff.append("reason")
        if not diff:
            return diff
        if old[3] not in OPEN_HANDOVER_STATUSES:
            row.error("planned_on", f"the handover of {case.ref} on {planned_on.isoformat()} is {old[3]} "
                      "and can no longer change")
            return None
        current = self.open_alloc.get(case.ref)
        if current is not None and "to_practitioner_id" in diff and current[0] == to.pid:
            row.error("to_practitioner_id", f"case {case.ref} is already with {to.pid}")
            return None
        old[1], old[2] = to.pid, reason
        return diff

    def _new_handover(self, row: _Row, case: Any, to: Any, planned_on: date,
                      open_by_case: dict[str, date]) -> str | None:
        """The practitioner a new handover is from; None, with the row's error, when it cannot be planned."""
        current = self.open_alloc.get(case.ref)
        if case.vals is not None and case.vals.get("status") == "closed":
            row.error("case_ref", f"case {case.ref} is closed")
        elif current is None:
            row.error("case_ref", f"case {case.ref} has no current practitioner to hand over from")
        elif current[0] == to.pid:
            row.error("to_practitioner_id", f"case {case.ref} is already with {to.pid}")
        elif (problem := validate.handover_date(planned_on, self.today)) is not None:
            row.error("planned_on", problem)
        elif case.ref in open_by_case:
            row.error("planned_on", f"case {case.ref} already has an open handover on "
                      f"{open_by_case[case.ref].isoformat()}")
        else:
            return current[0]
        return None

    def _write_handovers(self, new: list[tuple[str, date, str]], changed: list[tuple[str, date, list[str]]]) -> None:
        from sqlalchemy import insert, update

        from storage.tables import t as tb

        h = tb.handover
        existing = self._handovers
        for ref, planned_on, from_pid in new:
            _, to_pid, reason, _ = existing[(ref, planned_on)]
            hid = self.conn.execute(
                insert(h).values(case_id=self.cases[ref].pk, from_practitioner_pk=self.pracs[from_pid].pk,
                                 to_practitioner_pk=self.pracs[to_pid].pk, planned_on=planned_on,
                                 status="planned", reason=reason, reviewed=False, created_at=self.now, version=1)
                .returning(h.c.id)
            ).scalar_one()
            existing[(ref, planned_on)][0] = hid
            self.execute(insert(tb.handover_item), [
                {"handover_id": hid, "item_id": it.item_id, "title": it.title, "required": it.required,
                 "due": it.due, "owner": it.owner, "done": it.done, "done_on": it.done_on, "note": it.note,
                 "auto": False, "version": 1}
                for it in self._checklist(ref, planned_on, from_pid)
            ])
            self.audit_row("handover", f"{ref}/{planned_on.isoformat()}", "insert", case_ref=ref)
        for ref, planned_on, diff in changed:
            hid, to_pid, reason, _ = existing[(ref, planned_on)]
            self.conn.execute(update(h).where(h.c.id == hid).values(
                to_practitioner_pk=self.pracs[to_pid].pk, reason=reason, version=h.c.version + 1))
            self.audit_row("handover", f"{ref}/{planned_on.isoformat()}", "update", case_ref=ref, fields=diff)

    def _checklist(self, ref: str, planned_on: date, from_pid: str) -> list[Any]:
        """The docs/handovers.md checklist of a new handover (planner.checklist.build_checklist)."""
        from planner.calendar import working_days
        from planner.checklist import build_checklist
        from planner.model import Case as PlannerCase
        from planner.model import level_for

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
        return build_checklist(pcase, planned_on, working_days(nation), self.policy)
