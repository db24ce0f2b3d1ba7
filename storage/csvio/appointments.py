"""Importing appointments.csv: upsert by (case_ref, appointment_date,
practitioner_id); a recurrence only as the app books it (docs/csv.md).
Every column beyond the key is plain (storage/csvio/spec.py): read,
compared and written by the spec alone (storage/csvio/keyed.py)."""

from __future__ import annotations

from typing import Any

from storage.csvio.keyed import KeyedImport
from storage.csvio.reports import FileReport
from storage.csvio.row import _Row
from storage.csvio.source import _Source

__all__ = ["AppointmentsImport"]


class AppointmentsImport(KeyedImport):
    """The `do_appointments` step of storage/csvio/importer.py's `_Importer`."""

    def do_appointments(self, src: _Source, rep: FileReport) -> None:
        self.upsert_keyed(src, rep, "appointments", "appointment_date",
                          "appointment (case_ref, appointment_date, practitioner_id)", _check_rrule)


def _check_rrule(row: _Row, day: Any, vals: dict[str, Any]) -> None:
    """The app's own booking rules (planner.recurrence.check)."""
    from planner.recurrence import RuleError
    from planner.recurrence import check as check_rule

    if isinstance(vals["rrule"], str):
        try:
            vals["rrule"] = check_rule(vals["rrule"], day)
        except RuleError as exc:
            row.error("rrule", str(exc))
