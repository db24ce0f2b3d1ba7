"""The declarative column spec: the one home of every CSV column.

Each kind of file (`KINDS`) lists its columns in file order, each a
`Column` that says everything the import and the export need to know:

- its name, and how a cell is read (`parser`, with `max_len`, `choices`,
  `low`/`high` for numbers) and checked (`check`: a planner/validate.py
  check that counts from the import's `today`);
- whether it is required (in the header and, unless `blank`, in each row)
  and what a blank optional cell stands for (`default`);
- which field of the kind's table it fills (`field`): such a *plain* column
  is read, compared, written and exported by the generic code of
  storage/csvio/ with nothing more to add; a column without `field` is
  resolved by its kind's importer and exporter (`via` says how);
- how it is exported (`fmt`, the plain text of the value).

docs/csv.md is generated from this table (`tests/storage/test_csv_docs.py`
keeps the two the same); its checklist says how to add a column.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Any

from planner import validate
from planner.model import (
    ABSENCE_KINDS,
    CANCELLED_BY,
    CONTACT_KINDS,
    CONTACT_LEVELS,
    GRADES,
    MAPPA_LEVELS,
    NATIONS,
    NOT_WITH_REASONS,
    OUTCOMES,
    ROLES,
    ROSH_LEVELS,
    SENTENCES,
    STATUSES,
    TIERS,
)

__all__ = ["FILENAMES", "JSON_FILENAME", "KINDS", "ORDER", "Column", "KindSpec", "fmt_cell"]


def fmt_cell(value: Any) -> str:
    """A value as the export writes it (before formula escaping)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, time):
        return value.strftime("%H:%M")
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    return str(value)


#: How a cell is read: the `_Row` parser of storage/csvio/row.py and what it accepts (docs/csv.md).
PARSERS: dict[str, str] = {
    "key": "an identifier: no tab, line break or unprintable character, at most `max_len` (64) characters",
    "name": "a name: no control characters (planner/validate.py `name`)",
    "text": "free text: no control characters but line breaks and tabs (planner/validate.py `free_text`)",
    "enum": "one of the listed words, in any case; stored as listed",
    "date": "YYYY-MM-DD or DD/MM/YYYY in ASCII digits, a real date from 1900 to 2999",
    "time": "HH:MM, 24-hour",
    "boolean": "true/false/yes/no/1/0, in any case",
    "number": "a number in the range, in ASCII digits (`37`, `37.5`, `1e2`; not `3_7`, `３７`, `nan` or `inf`)",
    "whole": "a whole number in the range",
    "flags": "words from planner/model.py FLAGS separated by `;`, stored sorted without repeats",
    "email": "an address with one `@`, no spaces, at most 254 characters",
}


@dataclass(frozen=True, slots=True)
class Column:
    """One column of one kind of file (see the module docstring)."""

    name: str
    parser: str
    required: bool = False
    field: str | None = None
    via: str = ""
    blank: bool = False
    max_len: int | None = None
    choices: tuple[str, ...] = ()
    low: float = 0.0
    high: float = 0.0
    low_open: bool = False
    check: Callable[[Any, date], str | None] | None = None
    default: Any = None
    strip: bool = True
    fmt: Callable[[Any], str] = fmt_cell
    doc: str = ""

    def __post_init__(self) -> None:
        assert self.parser in PARSERS, f"{self.name}: unknown parser {self.parser!r}"

    @property
    def value_required(self) -> bool:
        """Whether a row's cell may be blank."""
        return self.required and not self.blank


@dataclass(frozen=True, slots=True)
class KindSpec:
    """One kind of CSV file: its columns (file order) and its natural key."""

    name: str
    specs: tuple[Column, ...]
    key: tuple[str, ...]
    #: the name of the table a row goes to (storage/tables.py; a plain column's
    #: `field` is one of its columns)
    table_name: str
    by: dict[str, Column] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "by", {c.name: c for c in self.specs})

    @property
    def entity(self) -> str:
        """The table's name, as the audit trail names a row of it."""
        return self.table_name

    @property
    def table(self) -> Any:
        """The kind's SQLAlchemy Core table (storage/tables.py), imported when first needed."""
        from storage.tables import t

        return getattr(t, self.table_name)

    @property
    def columns(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.specs)

    @property
    def required(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.specs if c.required)

    @property
    def optional(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.specs if not c.required)

    @property
    def plain(self) -> tuple[Column, ...]:
        """The columns stored as they are in a field of the kind's table,
        outside its natural key: read, compared, written and exported by
        the generic code."""
        return tuple(c for c in self.specs if c.field is not None and c.name not in self.key)


def _kind(name: str, table_name: str, key: tuple[str, ...], *specs: Column) -> KindSpec:
    return KindSpec(name, specs, key, table_name)


C = Column
_PRAC = "Practitioner.practitioner_id"
KINDS: dict[str, KindSpec] = {k.name: k for k in (
    _kind(
        "practitioners", "practitioner", ("practitioner_id",),
        C("practitioner_id", "key", True, via=_PRAC),
        C("name", "name", True, "name", max_len=200),
        C("team_id", "key", True, via="Team.team_id; an id not yet known creates the team"),
        C("role", "enum", True, "role", choices=ROLES),
        C("grade", "enum", True, "grade", choices=GRADES),
        C("team_name", "name", via="Team.name; names (or renames) the team, the same on every row of one import",
          max_len=200),
        C("contracted_hours", "number", field="contracted_hours", low=0, high=168, low_open=True, default=37.0),
        C("reduction_pct", "number", field="reduction_pct", low=0, high=100, default=0.0),
        C("leaving_on", "date", field="leaving_on"),
        C("email", "email", field="email", max_len=254),
        C("nation", "enum", field="nation", choices=NATIONS,
          doc="sets a new team's nation; stored on the practitioner only where it differs from the team's "
              "(the export writes the effective nation)"),
    ),
    _kind(
        "cases", "case", ("case_ref",),
        C("case_ref", "key", True, "case_ref"),
        C("display_name", "name", True, "display_name", max_len=200),
        C("practitioner_id", "key", True, via="the case's open Allocation (a new one is a reallocation)"),
        C("allocated_on", "date", True, via="Allocation.start_date of that allocation",
          check=validate.allocated_on),
        C("tier", "enum", field="tier", choices=TIERS),
        C("contact_level", "enum", field="contact_level", choices=CONTACT_LEVELS),
        C("youth", "boolean", field="youth", default=False),
        C("date_of_birth", "date", field="date_of_birth", check=validate.date_of_birth),
        C("flags", "flags", field="flags", default=""),
        C("status", "enum", field="status", choices=STATUSES, default="active"),
        C("paused_until", "date", field="paused_until", doc="required when status is paused"),
        C("language", "name", field="language", max_len=64, doc="the person's first language (docs/voice.md)"),
        C("interpreter", "boolean", field="interpreter", default=False, doc="the person needs an interpreter"),
        C("sentence", "enum", field="sentence", choices=SENTENCES),
        C("sentence_end", "date", field="sentence_end", doc="the end of the order or licence"),
        C("release_on", "date", field="release_on",
          doc="the release day; only with sentence custody, licence or post_sentence_supervision, "
              "on or before sentence_end"),
        C("rosh", "enum", field="rosh", choices=ROSH_LEVELS, doc="risk of serious harm"),
        C("mappa_level", "whole", field="mappa_level", low=min(MAPPA_LEVELS), high=max(MAPPA_LEVELS),
          doc="blank: not managed under MAPPA"),
        C("restricted", "boolean", field="restricted", default=False,
          doc="restricted access: seen only by the practitioner, a planned receiver and the team's leads"),
    ),
    _kind(
        "allocations", "allocation", ("case_ref", "practitioner_id", "start_date"),
        C("case_ref", "key", True, via="Case.case_ref"),
        C("practitioner_id", "key", True, via=_PRAC),
        C("start_date", "date", True, "start_date", check=validate.allocated_on),
        C("end_date", "date", field="end_date", doc="blank: the open allocation (at most one per case)"),
        C("reason", "text", field="reason", max_len=400),
    ),
    _kind(
        "contacts", "contact", ("case_ref", "contact_date", "practitioner_id", "kind"),
        C("case_ref", "key", True, via="Case.case_ref"),
        C("contact_date", "date", True, "contact_date", check=validate.contact_date,
          doc="a cancelled contact that says who cancelled it may be ahead: an appointment cancelled in "
              "advance (storage/repo/appointments.py)"),
        C("practitioner_id", "key", True, via=_PRAC),
        C("kind", "enum", True, "kind", choices=CONTACT_KINDS),
        C("outcome", "enum", True, "outcome", choices=OUTCOMES),
        C("notes", "text", field="notes", strip=False),
        C("cancelled_by", "enum", field="cancelled_by", choices=CANCELLED_BY,
          doc="only on a cancelled contact"),
        C("with_practitioner_id", "key", via="Contact.with_practitioner_pk: a second practitioner present"),
    ),
    _kind(
        "appointments", "appointment", ("case_ref", "appointment_date", "practitioner_id"),
        C("case_ref", "key", True, via="Case.case_ref"),
        C("appointment_date", "date", True, "appointment_date"),
        C("practitioner_id", "key", True, via=_PRAC),
        C("time", "time", field="time"),
        C("kind", "enum", field="kind", choices=CONTACT_KINDS, default="office"),
        C("rrule", "text", field="rrule", max_len=400,
          doc="a recurrence the app books (planner/recurrence.py), from appointment_date"),
        C("exdates", "text", field="exdates", max_len=4000,
          doc="a series' cancelled occurrences: dates (YYYY-MM-DD) separated by `,`, each a date of the "
              "series; stored sorted without repeats"),
        C("series_date", "date", via="Appointment.series_id: a moved occurrence names its series, the "
                                     "appointment of the same case and practitioner on this date"),
        C("recurrence_date", "date", field="recurrence_date",
          doc="with series_date: the date of the series' occurrence this row replaces"),
        C("cancelled_by", "enum", field="cancelled_by", choices=CANCELLED_BY,
          doc="a cancelled appointment, moved occurrence or series: who cancelled it"),
    ),
    _kind(
        "absences", "absence", ("practitioner_id", "start_date"),
        C("practitioner_id", "key", True, via=_PRAC),
        C("start_date", "date", True, "start_date"),
        C("end_date", "date", True, "end_date", blank=True, doc="blank: open-ended"),
        C("kind", "enum", field="kind", choices=ABSENCE_KINDS, default="leave"),
        C("cover_practitioner_id", "key", via="Absence.cover_practitioner_pk; not the absent practitioner"),
    ),
    _kind(
        "handovers", "handover", ("case_ref", "planned_on"),
        C("case_ref", "key", True, via="Case.case_ref"),
        C("to_practitioner_id", "key", True, via="Handover.to_practitioner_pk"),
        C("planned_on", "date", True, "planned_on", doc="a new handover: not before today"),
        C("reason", "text", field="reason", max_len=400),
    ),
    _kind(
        "checkins", "checkin", ("case_ref", "checkin_date", "practitioner_id"),
        C("case_ref", "key", True, via="Case.case_ref"),
        C("checkin_date", "date", True, "checkin_date", check=validate.checkin_date),
        C("practitioner_id", "key", True, via=_PRAC),
        C("listened", "whole", True, "listened", low=1, high=5, doc='"I feel listened to and respected", 1 to 5'),
        C("goals", "whole", True, "goals", low=1, high=5, doc='"We work on what matters to me", 1 to 5'),
        C("trust", "whole", True, "trust", low=1, high=5, doc='"I trust my worker to help me", 1 to 5'),
        C("words", "text", field="words", doc="the person's own words (docs/voice.md)"),
    ),
    _kind(
        "not_with", "not_with", ("case_ref", "practitioner_id"),
        C("case_ref", "key", True, via="Case.case_ref"),
        C("practitioner_id", "key", True, via=_PRAC),
        C("reason", "enum", True, "reason", choices=NOT_WITH_REASONS, doc="a reason code: no free text about staff"),
    ),
)}
ORDER: tuple[str, ...] = tuple(KINDS)
FILENAMES: dict[str, str] = {kind: f"{kind}.csv" for kind in ORDER}
JSON_FILENAME = "caseload.json"
