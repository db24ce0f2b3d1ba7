"""Importing appointments.csv: upsert by (case_ref, appointment_date,
practitioner_id); a recurrence only as the app books it (docs/csv.md).
A series' exceptions come with it as RFC 5545 has them (docs/ARCHITECTURE.md,
"Appointments"): its cancelled occurrences (`exdates`, each a date of the
series), its moved ones (a row naming the series by `series_date` and the
occurrence it replaces by `recurrence_date`) and who cancelled
(`cancelled_by`). Every column but `series_date` is plain
(storage/csvio/spec.py): read, compared and written by the spec alone; a
moved occurrence's series is resolved after the series rows are written,
so a series and its exceptions may come in one file."""

from __future__ import annotations

from datetime import date
from typing import Any

from storage.csvio.base import _pack
from storage.csvio.keyed import Keyed, KeyedImport
from storage.csvio.reports import FileReport
from storage.csvio.row import _Row
from storage.csvio.source import _Source
from storage.csvio.spec import KINDS

__all__ = ["AppointmentsImport"]

KIND = KINDS["appointments"]
#: an appointment's stored values: the plain fields, and the series a moved occurrence replaces one of
FIELDS = (*(c.field for c in KIND.plain), "series_id")
# positions in an existing row's values (FIELDS)
_RRULE, _RECURRENCE, _SERIES = FIELDS.index("rrule"), FIELDS.index("recurrence_date"), FIELDS.index("series_id")
_LABEL = "appointment (case_ref, appointment_date, practitioner_id)"
#: a series' id in a dry run, when the series is new in the file (no stored row names it)
_NEW_SERIES = -1


class AppointmentsImport(KeyedImport):
    """The `do_appointments` step of storage/csvio/importer.py's `_Importer`:
    the shared keyed upsert (storage/csvio/keyed.py), in two passes: the
    series and one-offs first, then the moved occurrences that name them."""

    def do_appointments(self, src: _Source, rep: FileReport) -> None:
        existing = self.keyed_existing("appointments", "appointment_date", FIELDS)
        present = self.present(src, "appointments") + (["series_id"] if src.has("series_date") else [])
        rows = self.keyed_rows(src, "appointments", "appointment_date", _LABEL, fix=_check_appointment)
        self._check_overrides(rows, existing)
        for overrides in (False, True):  # a series is written before the rows that name it
            items = [(k, {**k.vals, "series_id": self._series_of(k, existing) if overrides else None})
                     for k in rows if (k.parsed["series_date"] is not None) == overrides and not k.row.bad]
            self.write_keyed("appointments", "appointment_date", FIELDS, items, existing, present, rep)

    def _check_overrides(self, rows: list[Keyed], existing: dict[int, tuple[Any, ...]]) -> None:
        """Each moved occurrence names a series and an occurrence of it (`_check_override`)."""
        # the rows of the database and this file: packed key -> (rrule, the series it replaces
        # an occurrence of, if any: its id or series_date)
        series: dict[int, tuple[str | None, Any]] = {
            key: (vals[_RRULE], vals[_SERIES]) for key, (aid, *vals) in existing.items()}
        series.update({k.key: (k.vals["rrule"], k.parsed["series_date"]) for k in rows})
        key_of = {aid: key for key, (aid, *_vals) in existing.items()}
        # an occurrence is replaced by one row: (series key, occurrence) -> row number, or the
        # packed key of the database's row that replaces it
        replaced: dict[tuple[int, date], int] = {
            (key_of[vals[_SERIES]], vals[_RECURRENCE]): -key for key, (aid, *vals) in existing.items()
            if vals[_SERIES] is not None and vals[_SERIES] in key_of}
        for k in rows:
            if k.parsed["series_date"] is not None:
                self._check_override(k.row, k.case, k.day, k.prac, k.vals, k.parsed["series_date"], series,
                                     replaced)

    def _series_of(self, k: Keyed, existing: dict[int, tuple[Any, ...]]) -> int:
        """The id of the series a moved occurrence names (written by now; in
        a dry run, a series new in the file has none yet)."""
        key = _pack(k.case.pk, k.parsed["series_date"], k.prac.pk)
        if not self.writing:
            known = existing.get(key)
            return known[0] if known is not None else _NEW_SERIES
        return self.reader.scalar(
            "SELECT id FROM appointment WHERE case_id = ? AND appointment_date = ? AND practitioner_pk = ?",
            (k.case.pk, k.parsed["series_date"], k.prac.pk))

    def _check_override(self, row: _Row, case: Any, day: date, prac: Any, vals: dict[str, Any], series_date: date,
                        series: dict[int, tuple[str | None, Any]],
                        replaced: dict[tuple[int, date], int]) -> None:
        """A moved occurrence names a series of its own case and practitioner,
        and an occurrence of it that no other row of the call replaces."""
        from planner import recurrence

        key = _pack(case.pk, series_date, prac.pk)
        rule, own_series = series.get(key, (None, None))
        if key not in series or not rule or own_series is not None:
            row.error("series_date", f"case {case.ref} has no series with {prac.pid} starting {series_date} "
                                     "(in the database or this import)")
            return
        occurrence = vals["recurrence_date"]
        if not recurrence.dates(rule, series_date, occurrence, occurrence):
            row.error("recurrence_date", f"{occurrence} is not a date of the series of {series_date} ({rule})")
            return
        earlier = replaced.setdefault((key, occurrence), row.num)
        if earlier < 0 and -earlier != _pack(case.pk, day, prac.pk):
            row.error("recurrence_date", f"the occurrence of {occurrence} is already moved by another "
                                         "appointment in the database")
        elif 0 < earlier != row.num:
            row.error("recurrence_date", f"the occurrence of {occurrence} is already moved by row {earlier}")


def _check_appointment(row: _Row, day: date, vals: dict[str, Any], parsed: dict[str, Any]) -> None:
    """An appointment row's own checks: its recurrence as the app books it
    (planner.recurrence.check), its exdates, and a moved occurrence's
    series_date and recurrence_date given together, without a rule of its own."""
    from planner.recurrence import RuleError
    from planner.recurrence import check as check_rule

    series_date = parsed["series_date"]
    if isinstance(vals["rrule"], str):
        try:  # the app's own booking rules (planner.recurrence.check)
            vals["rrule"] = check_rule(vals["rrule"], day)
        except RuleError as exc:
            row.error("rrule", str(exc))
    if isinstance(vals["exdates"], str) and not row.bad:
        vals["exdates"] = _exdates(row, vals["exdates"], vals["rrule"], day)
    if (series_date is None) != (vals["recurrence_date"] is None):
        row.error("series_date" if series_date is None else "recurrence_date",
                  "a moved occurrence gives both series_date and recurrence_date")
    elif series_date is not None and (vals["rrule"] or vals["exdates"]):
        row.error("rrule" if vals["rrule"] else "exdates",
                  "a moved occurrence (series_date) is one appointment: no rrule or exdates")


def _exdates(row: _Row, text: str, rule: str | None, start: date) -> str | None:
    """A series' exdates cell checked (planner.appointments.exdate_problems)
    and in its stored form."""
    from planner.appointments import exdate_problems, format_exdates, parse_exdates

    problems = exdate_problems(text, rule, start)
    if problems:
        row.error("exdates", problems[0])
        return None
    return format_exdates(parse_exdates(text))
