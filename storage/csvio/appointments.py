"""Importing appointments.csv: upsert by (case_ref, appointment_date,
practitioner_id); a recurrence only as the app books it (docs/csv.md).
Every column beyond the key is plain (storage/csvio/spec.py): read,
compared and written by the spec alone."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import bindparam, insert, select, update

from storage import models as m
from storage.csvio.base import _pack
from storage.csvio.reports import FileReport
from storage.csvio.row import _ok, _Row
from storage.csvio.source import _Source
from storage.csvio.spec import KINDS

__all__ = ["AppointmentsImport"]

KIND = KINDS["appointments"]
FIELDS = tuple(c.field for c in KIND.plain)


class AppointmentsImport:
    """The `do_appointments` step of storage/csvio/importer.py's `_Importer`."""

    def do_appointments(self, src: _Source, rep: FileReport) -> None:
        self.load_cases(full=False)
        assert self.cases is not None
        existing = self._load_appointments()
        present = [c.field for c in KIND.plain if src.has(c.name)]
        ins: list[dict[str, Any]] = []
        upd: list[dict[str, Any]] = []
        for row in src.rows():
            found = self._appointment_row(row)
            if found is None:
                continue
            case, day, prac, vals = found
            entity_key = f"{case.ref}/{day.isoformat()}/{prac.pid}"
            old = existing.get(_pack(case.pk, day, prac.pk))
            if old is None:
                rep.inserted += 1
                if self.writing:
                    ins.append({"case_id": case.pk, "appointment_date": day, "practitioner_pk": prac.pk,
                                **vals, "version": 1})
                    self.audit_row("appointment", entity_key, "insert", case_ref=case.ref)
                continue
            before = dict(zip(FIELDS, old[1:]))
            diff = [f for f in present if before[f] != vals[f]]
            if not diff:
                rep.unchanged += 1
                continue
            rep.updated += 1
            if self.writing:
                upd.append({"k_id": old[0], **{f: vals[f] if f in present else before[f] for f in FIELDS}})
                self.audit_row("appointment", entity_key, "update", case_ref=case.ref, fields=diff)
        t = m.Appointment.__table__
        self.execute(insert(t), ins)
        self.execute(update(t).where(t.c.id == bindparam("k_id")).values(
            {**{f: bindparam(f) for f in FIELDS}, "version": t.c.version + 1}), upd)

    def _load_appointments(self) -> dict[int, tuple[Any, ...]]:
        """Existing appointments, once per call: packed key -> (id, *FIELDS)."""
        if not hasattr(self, "_appointments"):
            self._appointments: dict[int, tuple[Any, ...]] = {}
            t = m.Appointment.__table__
            result = self.conn.execute(
                select(t.c.id, t.c.case_id, t.c.appointment_date, t.c.practitioner_pk, *(t.c[f] for f in FIELDS))
                .execution_options(yield_per=20_000)
            )
            for aid, case_pk, day, prac_pk, *vals in result:
                self._appointments[_pack(case_pk, day, prac_pk)] = (aid, *vals)
        return self._appointments

    def _appointment_row(self, row: _Row) -> tuple[Any, date, Any, dict[str, Any]] | None:
        from planner.recurrence import RuleError
        from planner.recurrence import check as check_rule

        parsed = row.parse_all(KIND.specs, self.today)
        case = self.case(row, "case_ref", parsed["case_ref"])
        day = parsed["appointment_date"]
        prac = self.prac(row, "practitioner_id", parsed["practitioner_id"])
        vals = {c.field: parsed[c.name] for c in KIND.plain}
        if isinstance(vals["rrule"], str) and isinstance(day, date):
            try:  # the app's own booking rules (planner.recurrence.check)
                vals["rrule"] = check_rule(vals["rrule"], day)
            except RuleError as exc:
                row.error("rrule", str(exc))
        if row.bad or not _ok(case, day, prac, *vals.values()):
            return None
        key = _pack(case.pk, day, prac.pk)
        if not self.first_seen("appointments", key, row, "appointment_date",
                               "appointment (case_ref, appointment_date, practitioner_id)"):
            return None
        return case, day, prac, vals
