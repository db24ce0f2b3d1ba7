"""CSV import and export (SPEC §7, §8); the rules are in docs/csv.md.

The package, each module a step:

- spec.py: the declarative column spec, the one home of every column of
  every kind of file (name, parser, required, checks, model field, export);
- cells.py: formula escaping; source.py: reading a file and its header;
  row.py: reading a row's cells as the spec says; reports.py: what an
  import did, or `ImportFailed`;
- base.py: the importer's shared machinery; practitioners.py, cases.py,
  allocations.py, contacts.py, appointments.py, absences.py, handovers.py:
  one importer step per kind; importer.py: `import_csv`;
- export.py: `export_dir`.
"""

from __future__ import annotations

from storage.csvio.cells import escape_cell, unescape_cell
from storage.csvio.export import export_dir
from storage.csvio.importer import SQLITE_IMPORT_CACHE_KIB, _Importer, import_csv
from storage.csvio.reports import FileReport, ImportFailed, ImportReport
from storage.csvio.spec import FILENAMES, JSON_FILENAME, KINDS, ORDER, Column, KindSpec

__all__ = [
    "FILENAMES",
    "JSON_FILENAME",
    "KINDS",
    "ORDER",
    "SQLITE_IMPORT_CACHE_KIB",
    "Column",
    "FileReport",
    "ImportFailed",
    "ImportReport",
    "KindSpec",
    "_Importer",
    "escape_cell",
    "export_dir",
    "import_csv",
    "unescape_cell",
]
