"""Importing checkins.csv and not_with.csv (docs/voice.md, docs/csv.md):
upsert by (case_ref, checkin_date, practitioner_id) and by (case_ref,
practitioner_id); every other column plain (storage/csvio/keyed.py)."""

from __future__ import annotations

from storage.csvio.keyed import KeyedImport
from storage.csvio.reports import FileReport
from storage.csvio.source import _Source

__all__ = ["VoiceImport"]


class VoiceImport(KeyedImport):
    """The `do_checkins` and `do_not_with` steps of storage/csvio/importer.py's `_Importer`."""

    def do_checkins(self, src: _Source, rep: FileReport) -> None:
        self.upsert_keyed(src, rep, "checkins", "checkin_date", "check-in (case_ref, checkin_date, practitioner_id)")

    def do_not_with(self, src: _Source, rep: FileReport) -> None:
        self.upsert_keyed(src, rep, "not_with", None, "not_with entry (case_ref, practitioner_id)")
