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

from sqlalchemy import bindparam, insert, select, update

from storage.tables import t as tb
from storage.csvio.base import _pack
from storage.csvio.reports import FileReport
from storage.csvio.row import _ok, _Row
from storage.csvio.source import _Source
from storage.csvio.spec import KINDS

__all__ = ["AppointmentsImport"]

KIND = KINDS["appointments"]
FIELDS = tuple(c.field for c in KIND.plain)
# positions in an existing row's values (*FIELDS, series_id)
_RRULE, _RECURRENCE, _SERIES = FIELDS.index("rrule"), FIELDS.index("recurrence_date"), len(FIELDS)


class AppointmentsImport:
    """The `do_appointments` step of storage/csvio/importer.py's `_Importer`."""

    def do_appointments(self, src: _Source, rep: FileReport) -> None:
        self.load_cases(full=False)
        assert self.cases is not None
        existing = self._load_appointments()
        present = [c.field for c in KIND.plain if src.has(c.name)]
        if src.has("series_date"):
            present.append("series_id")
        parsed = [found for row in src.rows() if (found := self._appointment_row(row)) is not None]
        # the rows of the database and this file: packed key -> (rrule, the series it replaces
        # an occurrence of, if any: its id or series_date)
        series: dict[int, tuple[str | None, Any]] = {
            key: (vals[_RRULE], vals[_SERIES]) for key, (aid, *vals) in existing.items()}
        series.update({_pack(case.pk, day, prac.pk): (vals["rrule"], sd)
                       for _row, case, day, prac, vals, sd in parsed})
        # an occurrence is replaced by one row: (series key, occurrence) -> row number, or the
        # packed key of the database's row that replaces it
        replaced: dict[tuple[int, date], int] = {
            (self._key_of[vals[_SERIES]], vals[_RECURRENCE]): -key for key, (aid, *vals) in existing.items()
            if vals[_SERIES] is not None and vals[_SERIES] in self._key_of}
        for row, case, day, prac, vals, series_date in parsed:
            if series_date is not None:
                self._check_override(row, case, day, prac, vals, series_date, series, replaced)
        t = tb.appointment
        for overrides in (False, True):  # a series is written before the rows that name it
            ins: list[dict[str, Any]] = []
            upd: list[dict[str, Any]] = []
            for row, case, day, prac, vals, series_date in parsed:
                if (series_date is not None) != overrides or row.bad:
                    continue
                vals = {**vals, "series_id": None}
                if series_date is not None and self.writing:
                    vals["series_id"] = self._series_id(case.pk, series_date, prac.pk)
                entity_key = f"{case.ref}/{day.isoformat()}/{prac.pid}"
                old = existing.get(_pack(case.pk, day, prac.pk))
                if old is None:
                    rep.inserted += 1
                    if self.writing:
                        ins.append({"case_id": case.pk, "appointment_date": day, "practitioner_pk": prac.pk,
                                    **vals, "version": 1})
                        self.audit_row("appointment", entity_key, "insert", case_ref=case.ref)
                    continue
                before = dict(zip((*FIELDS, "series_id"), old[1:]))
                if series_date is not None and not self.writing:  # dry run: compare by the series' date
                    before["series_id"] = self._series_dates.get(before["series_id"])
                    vals["series_id"] = series_date
                diff = [f for f in present if before[f] != vals[f]]
                if not diff:
                    rep.unchanged += 1
                    continue
                rep.updated += 1
                if self.writing:
                    upd.append({"k_id": old[0], **{f: vals[f] if f in present else before[f]
                                                   for f in (*FIELDS, "series_id")}})
                    self.audit_row("appointment", entity_key, "update", case_ref=case.ref, fields=diff)
            self.execute(insert(t), ins)
            self.execute(update(t).where(t.c.id == bindparam("k_id")).values(
                {**{f: bindparam(f) for f in (*FIELDS, "series_id")}, "version": t.c.version + 1}), upd)

    def _load_appointments(self) -> dict[int, tuple[Any, ...]]:
        """Existing appointments, once per call: packed key -> (id, *FIELDS, series_id);
        `_series_dates`: id -> date of every series a row names."""
        if not hasattr(self, "_appointments"):
            self._appointments: dict[int, tuple[Any, ...]] = {}
            self._series_dates: dict[int, date] = {}
            self._key_of: dict[int, int] = {}  # id -> packed key
            t = tb.appointment
            result = self.conn.execute(
                select(t.c.id, t.c.case_id, t.c.appointment_date, t.c.practitioner_pk,
                       *(t.c[f] for f in FIELDS), t.c.series_id)
                .execution_options(yield_per=20_000)
            )
            named: set[int] = set()
            dates: dict[int, date] = {}
            for aid, case_pk, day, prac_pk, *vals in result:
                self._appointments[key := _pack(case_pk, day, prac_pk)] = (aid, *vals)
                self._key_of[aid] = key
                dates[aid] = day
                if vals[_SERIES] is not None:
                    named.add(vals[_SERIES])
            self._series_dates = {aid: dates[aid] for aid in named if aid in dates}
        return self._appointments

    def _series_id(self, case_pk: int, series_date: date, prac_pk: int) -> int:
        """The id of the series a moved occurrence names (written by now)."""
        t = tb.appointment
        return self.conn.execute(select(t.c.id).where(
            t.c.case_id == case_pk, t.c.appointment_date == series_date,
            t.c.practitioner_pk == prac_pk)).scalar_one()

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

    def _appointment_row(self, row: _Row) -> tuple[_Row, Any, date, Any, dict[str, Any], date | None] | None:
        from planner.recurrence import RuleError
        from planner.recurrence import check as check_rule

        parsed = row.parse_all(KIND.specs, self.today)
        case = self.case(row, "case_ref", parsed["case_ref"])
        day = parsed["appointment_date"]
        prac = self.prac(row, "practitioner_id", parsed["practitioner_id"])
        vals = {c.field: parsed[c.name] for c in KIND.plain}
        series_date = parsed["series_date"]
        if isinstance(vals["rrule"], str) and isinstance(day, date):
            try:  # the app's own booking rules (planner.recurrence.check)
                vals["rrule"] = check_rule(vals["rrule"], day)
            except RuleError as exc:
                row.error("rrule", str(exc))
        if isinstance(vals["exdates"], str) and isinstance(day, date) and not row.bad:
            vals["exdates"] = _exdates(row, vals["exdates"], vals["rrule"], day)
        if (series_date is None) != (vals["recurrence_date"] is None):
            row.error("series_date" if series_date is None else "recurrence_date",
                      "a moved occurrence gives both series_date and recurrence_date")
        elif series_date is not None and (vals["rrule"] or vals["exdates"]):
            row.error("rrule" if vals["rrule"] else "exdates",
                      "a moved occurrence (series_date) is one appointment: no rrule or exdates")
        if row.bad or not _ok(case, day, prac, series_date, *vals.values()):
            return None
        key = _pack(case.pk, day, prac.pk)
        if not self.first_seen("appointments", key, row, "appointment_date",
                               "appointment (case_ref, appointment_date, practitioner_id)"):
            return None
        return row, case, day, prac, vals, series_date



def _exdates(row: _Row, text: str, rule: str | None, start: date) -> str | None:
    """A series' exdates cell checked (planner.appointments.exdate_problems)
    and in its stored form."""
    from planner.appointments import exdate_problems, format_exdates, parse_exdates

    problems = exdate_problems(text, rule, start)
    if problems:
        row.error("exdates", problems[0])
        return None
    return format_exdates(parse_exdates(text))
