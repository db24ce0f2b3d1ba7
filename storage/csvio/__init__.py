"""CSV import and export (docs/csv.md; README, Where data lives); the rules are in docs/csv.md.

The package, each module a step:

- spec.py: the declarative column spec, the one home of every column of
  every kind of file (name, parser, required, checks, model field, export);
- cells.py: formula escaping; source.py: reading a file and its header;
  row.py: reading a row's cells as the spec says; reports.py: what an
  import did, or `ImportFailed`;
- base.py: the importer's shared machinery; practitioners.py, cases.py,
  allocations.py, contacts.py, appointments.py, absences.py, handovers.py,
  voice.py (checkins, not_with): one importer step per kind, keyed.py the
  shared upsert of the kinds keyed by case and practitioner; importer.py: `import_csv`;
- export.py: `export_dir`.
"""

from __future__ import annotations

from storage.lazy import lazy_names

#: Where each public name lives. The package imports a module only when one of
#: its names is first used, so that `from storage.csvio.cells import
#: escape_cell` (what `caseload warnings --format csv` needs) does not load the
#: importer and with it SQLAlchemy.
_HOMES = {
    "escape_cell": "cells", "unescape_cell": "cells",
    "export_dir": "export",
    "SQLITE_IMPORT_CACHE_KIB": "importer", "_Importer": "importer", "import_csv": "importer",
    "FileReport": "reports", "ImportFailed": "reports", "ImportReport": "reports",
    "FILENAMES": "spec", "JSON_FILENAME": "spec", "KINDS": "spec", "ORDER": "spec", "Column": "spec",
    "KindSpec": "spec",
}


__getattr__, __dir__ = lazy_names(__name__, _HOMES)


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
