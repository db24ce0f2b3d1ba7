"""Importing contacts.csv, the big one: upsert by (case_ref, contact_date,
practitioner_id, kind), streamed, with packed keys and batched writes
(docs/csv.md). Its columns are read by the spec (storage/csvio/spec.py);
rows already in canonical form take a quick path that checks the same
things, and anything else goes through the spec's parsers, which also word
the errors. A new contacts column also needs `_ContactWrites` and the
quick path taught about it (docs/csv.md "Adding a column")."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import date
from typing import Any

from planner import validate
from planner.model import CONTACT_KINDS, OUTCOMES
from storage.csvio.base import BATCH, _Bulk, _pack, _Prac, cols
from storage.csvio.cells import unescape_cell
from storage.csvio.reports import FileReport
from storage.csvio.row import _ok, _Row
from storage.csvio.source import _Source
from storage.csvio.spec import KINDS

__all__ = ["ContactsImport"]

KIND = KINDS["contacts"]
#: a cancelled contact that says who cancelled it: its date may be ahead (docs/csv.md, contact_date)
_CANCELLED_AHEAD = tuple(replace(c, check=None) if c.name == "contact_date" else c for c in KIND.specs)
_MASK64 = (1 << 64) - 1
_KIND_IDX = {k: i for i, k in enumerate(CONTACT_KINDS)}
_OUTCOME_IDX = {k: i for i, k in enumerate(OUTCOMES)}
#: case, day, practitioner, kind, outcome, notes, cancelled_by, second practitioner
_Contact = tuple[Any, date, Any, str, str, Any, Any, Any]


class _ContactWrites:
    """The batched inserts and updates of one contacts file."""

    def __init__(self, importer: Any, src: _Source) -> None:
        self.imp = importer
        self.has_notes = src.has("notes")
        self.has_by, self.has_with = src.has("cancelled_by"), src.has("with_practitioner_id")
        if not importer.writing:  # a dry run (or a call already refused) writes nothing
            return
        from sqlalchemy import bindparam, update

        from storage.tables import t as tb

        t = tb.contact
        columns = (["outcome"] + (["notes"] if self.has_notes else []) + (["cancelled_by"] if self.has_by else [])
                + (["with_practitioner_pk"] if self.has_with else []))
        self.upd_stmt = (update(t).where(t.c.id == bindparam("k_id"))
                         .values({**{c: bindparam(c) for c in columns}, "version": t.c.version + 1}))
        self.bulk = _Bulk(importer.conn, t, ("case_id", "contact_date", "practitioner_pk", "kind", "outcome",
                                             "notes", "cancelled_by", "with_practitioner_pk", "version"))
        self.ins: list[tuple[Any, ...]] = []
        self.upd: list[dict[str, Any]] = []

    def insert(self, c: _Contact, with_pk: int | None) -> None:
        case, day, prac, kind, outcome, notes, by, _ = c
        self.ins.append((case.pk, self.bulk.day(day), prac.pk, kind, outcome, notes, by, with_pk, 1))
        if len(self.ins) >= BATCH:
            self.imp.bulk(self.bulk, self.ins)
            self.ins = []

    def update(self, old_id: int, c: _Contact, with_pk: int | None) -> None:
        _, _, _, _, outcome, notes, by, _ = c
        self.upd.append({"k_id": old_id, "outcome": outcome, **({"notes": notes} if self.has_notes else {}),
                         **({"cancelled_by": by} if self.has_by else {}),
                         **({"with_practitioner_pk": with_pk} if self.has_with else {})})
        if len(self.upd) >= BATCH:
            self.imp.execute(self.upd_stmt, self.upd)
            self.upd = []

    def flush(self) -> None:
        if not self.imp.writing:
            return
        self.imp.bulk(self.bulk, self.ins)
        self.imp.execute(self.upd_stmt, self.upd)


def _quick_reader(src: _Source, cases: dict[str, Any], pracs: dict[str, Any],
                  today: date) -> Callable[[_Row], _Contact | None] | None:
    """A reader for rows already in canonical form (None: the file lacks a
    required column); it gives None for any other row."""
    if src.missing:
        return None
    i_case, i_day, i_prac, i_kind, i_out = (src.col.get(c, -1) for c in KIND.required)
    i_notes = src.col.get("notes")
    i_by, i_with = src.col.get("cancelled_by"), src.col.get("with_practitioner_id")
    text_control = validate.TEXT_CONTROL.search

    def read(row: _Row) -> _Contact | None:
        cells = row.cells
        case, prac = cases.get(cells[i_case]), pracs.get(cells[i_prac])
        kind, outcome, text = cells[i_kind], cells[i_out], cells[i_day]
        if not (case is not None and prac is not None and kind in _KIND_IDX and outcome in _OUTCOME_IDX
                and len(text) == 10 and text[4] == "-" == text[7] and text.isascii()
                and cells[i_case][:1] != "'" and cells[i_prac][:1] != "'"
                and (i_by is None or not cells[i_by]) and (i_with is None or not cells[i_with])):
            return None
        try:
            day = date.fromisoformat(text)
        except ValueError:
            return None
        if not validate.EARLIEST <= day <= today:
            return None  # the full checks word the error
        notes = cells[i_notes] if i_notes is not None else None
        if notes is not None:
            if notes[:1] == "'":
                notes = unescape_cell(notes)
            if not notes.strip():
                notes = None
            elif text_control(notes) is not None:
                return None
        return case, day, prac, kind, outcome, notes, None, None

    return read


class ContactsImport:
    """The `do_contacts` step of storage/csvio/importer.py's `_Importer`."""

    def do_contacts(self, src: _Source, rep: FileReport) -> None:
        self.load_cases(full=False)
        assert self.cases is not None and self.pracs is not None
        existing, extra = self._load_contacts()
        writes = _ContactWrites(self, src)
        seen = self.seen["contacts"]
        tag = src.index << 32
        quick = _quick_reader(src, self.cases, self.pracs, self.today)
        for row in src.rows():
            contact = quick(row) if quick is not None else None
            if contact is None:
                contact = self._contact_row(row)
                if contact is None:
                    continue
            case, day, prac, kind = contact[:4]
            key = _pack(case.pk, day, prac.pk, _KIND_IDX[kind])
            if key in seen:
                self.first_seen("contacts", key, row, "contact_date",
                                "contact (case_ref, contact_date, practitioner_id, kind)")
                continue
            seen[key] = tag | row.num
            old = existing.get(key)
            if old is None:
                rep.inserted += 1
                if self.writing:
                    writes.insert(contact, with_prac.pk if (with_prac := contact[7]) is not None else None)
                    self.audit_row("contact", _entity_key(contact), "insert", case_ref=case.ref)
            else:
                self._contact_update(contact, old, extra.get(key, (None, None)), writes, rep)
        writes.flush()

    def _load_contacts(self) -> tuple[dict[int, int], dict[int, tuple[str | None, int | None]]]:
        """Existing contacts, once per call: packed key -> id << 68 |
        outcome << 64 | hash(notes); the few with cancelled_by or a second
        practitioner also in the second dictionary."""
        if not hasattr(self, "_contacts"):
            self._contacts: dict[int, int] = {}
            self._contact_extra: dict[int, tuple[str | None, int | None]] = {}
            selected, types = cols("t", "contact", ("id", "case_id", "contact_date", "practitioner_pk", "kind",
                                                    "outcome", "notes", "cancelled_by", "with_practitioner_pk"))
            result = self.select(f"SELECT {selected} FROM contact t", types)
            for cid, case_pk, day, prac_pk, kind, outcome, notes, by, with_pk in result:
                key = _pack(case_pk, day, prac_pk, _KIND_IDX.get(kind, 7))
                self._contacts[key] = (cid << 68) | (_OUTCOME_IDX.get(outcome, 3) << 64) | (hash(notes) & _MASK64)
                if by is not None or with_pk is not None:
                    self._contact_extra[key] = (by, with_pk)
        return self._contacts, self.__dict__.setdefault("_contact_extra", {})

    def _contact_row(self, row: _Row) -> _Contact | None:
        """A row read by the spec's parsers, every problem worded."""
        ahead = ((row.raw("outcome") or "").strip().lower() == "cancelled"
                 and bool((row.raw("cancelled_by") or "").strip()))
        parsed = row.parse_all(_CANCELLED_AHEAD if ahead else KIND.specs, self.today)
        case = self.case(row, "case_ref", parsed["case_ref"])
        prac = self.prac(row, "practitioner_id", parsed["practitioner_id"])
        outcome, by = parsed["outcome"], parsed["cancelled_by"]
        with_prac = self.prac(row, "with_practitioner_id", parsed["with_practitioner_id"])
        if isinstance(by, str) and isinstance(outcome, str) and outcome != "cancelled":
            row.error("cancelled_by", f"only a cancelled contact says who cancelled it (outcome is {outcome})")
        if isinstance(with_prac, _Prac) and isinstance(prac, _Prac) and with_prac.pid == prac.pid:
            row.error("with_practitioner_id", "names the practitioner who held the contact; "
                                              "it is for a second practitioner present")
        contact = (case, parsed["contact_date"], prac, parsed["kind"], outcome, parsed["notes"], by, with_prac)
        if row.bad or not _ok(*contact):
            return None
        return contact

    def _contact_update(self, contact: _Contact, old: int, old_extra: tuple[Any, Any],
                        writes: _ContactWrites, rep: FileReport) -> None:
        case, _, _, _, outcome, notes, by, with_prac = contact
        with_pk = with_prac.pk if with_prac is not None else None
        diff = []
        if (old >> 64) & 0xF != _OUTCOME_IDX[outcome]:
            diff.append("outcome")
        if writes.has_notes and old & _MASK64 != hash(notes) & _MASK64:
            diff.append("notes")
        if writes.has_by and old_extra[0] != by:
            diff.append("cancelled_by")
        if writes.has_with and old_extra[1] != with_pk:
            diff.append("with_practitioner_id")
        if not diff:
            rep.unchanged += 1
            return
        rep.updated += 1
        if self.writing:
            writes.update(old >> 68, contact, with_pk)
            self.audit_row("contact", _entity_key(contact), "update", case_ref=case.ref, fields=diff)


def _entity_key(contact: _Contact) -> str:
    case, day, prac, kind = contact[:4]
    return f"{case.ref}/{day.isoformat()}/{prac.pid}/{kind}"
