"""`import_csv`: every file of one call checked, then written in one
transaction, or nothing written at all (docs/csv.md "Import rules")."""

from __future__ import annotations

import os
from collections.abc import Iterable
from datetime import date
from pathlib import Path
from typing import Any, NoReturn

from sqlalchemy import Connection, Engine
from sqlalchemy.exc import DBAPIError

from planner.errors import CaseloadError, ConflictError, DatabaseUnavailable
from storage import audit
from storage.csvio.absences import AbsencesImport
from storage.csvio.allocations import AllocationsImport
from storage.csvio.appointments import AppointmentsImport
from storage.csvio.base import _ImporterBase
from storage.csvio.cases import CasesImport
from storage.csvio.contacts import ContactsImport
from storage.csvio.handovers import HandoversImport
from storage.csvio.practitioners import PractitionersImport
from storage.csvio.reports import FileReport, ImportFailed, ImportReport
from storage.csvio.source import _Errors, _Source
from storage.csvio.voice import VoiceImport
from storage.csvio.spec import ORDER
from storage.progress import NO_PROGRESS, Progress

__all__ = ["SQLITE_IMPORT_CACHE_KIB", "_Importer", "_today", "import_csv"]

#: SQLite page cache for the import's connection, in KiB (restored afterwards).
SQLITE_IMPORT_CACHE_KIB = 256 * 1024


class _Importer(PractitionersImport, CasesImport, AllocationsImport, ContactsImport, AppointmentsImport,
                AbsencesImport, HandoversImport, VoiceImport, _ImporterBase):
    """One call's importer: a `do_<kind>` step per kind of file, run in ORDER."""


def _today() -> date:
    """The day an import counts from unless told (`caseload import --on`)."""
    return date.today()


def import_csv(
    engine: Engine,
    paths: Iterable[str | os.PathLike[str]],
    *,
    dry_run: bool = False,
    actor: str,
    policy: Any = None,
    today: date | None = None,
    progress: Progress = NO_PROGRESS,
) -> ImportReport:
    """Import CSV files in one transaction (docs/csv.md).

    `today` (default: the date today) is the day the checks of
    planner/validate.py count from: no contact after it, no new handover
    before it. Returns what was (or, with `dry_run`, would be) written per
    file; raises `ImportFailed` with every problem found, having written
    nothing. Each file's rows are told to `progress` as they are read."""
    errors = _Errors()
    sources = [_Source(path, i, errors) for i, path in enumerate(paths)]
    for src in sources:
        src.read_header()
        src.progress = progress
    kinded = sorted((s for s in sources if s.kind is not None), key=lambda s: (ORDER.index(s.kind.name), s.index))
    for order, src in enumerate(kinded):
        src.order = order
    with engine.connect() as conn:  # SQLAlchemy Core: the import imports no ORM (README "Every command")
        sqlite = engine.dialect.name == "sqlite"
        if sqlite:  # big imports touch indexes all over: give SQLite room to cache them
            old_cache = conn.exec_driver_sql("PRAGMA cache_size").scalar()
            conn.exec_driver_sql(f"PRAGMA cache_size=-{SQLITE_IMPORT_CACHE_KIB}")
        from storage.access import actor_for, require_admin

        # People, teams and every team's cases come in here: the administrator's (README "Team server").
        require_admin(actor_for(conn, actor), "import CSV files")
        importer = _Importer(conn, dry_run=dry_run, actor=actor, policy=policy, today=today or _today())
        importer.errors = errors
        importer.sources = {src.index: src for src in sources}
        try:
            return _run(conn, importer, kinded, dry_run)
        except (DBAPIError, engine.dialect.loaded_dbapi.Error) as exc:
            conn.rollback()
            _refused(exc)
        except BaseException:
            conn.rollback()
            raise
        finally:
            if sqlite:  # best effort: the connection goes back to the pool
                try:
                    conn.exec_driver_sql(f"PRAGMA cache_size={int(old_cache)}")
                    conn.commit()
                except Exception:  # noqa: BLE001 - never hide the import's own outcome
                    conn.rollback()


def _run(conn: Connection, importer: _Importer, kinded: list[_Source], dry_run: bool) -> ImportReport:
    """Every file in ORDER, then the checks across files; then commit (or,
    on any problem or in a dry run, roll back)."""
    reports: list[FileReport] = []
    for src in kinded:
        rep = FileReport(src.name, src.kind.name)
        getattr(importer, f"do_{src.kind.name}")(src, rep)
        importer.flush_audit()
        reports.append(rep)
    importer.finish()
    if importer.errors:
        conn.rollback()
        raise ImportFailed(importer.errors.lines())
    report = ImportReport(reports, dry_run=dry_run)
    if dry_run:
        conn.rollback()
        return report
    for rep in reports:
        if rep.inserted or rep.updated or sum(rep.also.values()):
            audit.record(conn, importer.actor, "import", "file", Path(rep.path).name,
                         kind=rep.kind,
                         inserted=rep.inserted, updated=rep.updated, unchanged=rep.unchanged,
                         **{k.replace(" ", "_"): v for k, v in rep.also.items()})
    conn.commit()
    return report


def _refused(exc: BaseException) -> NoReturn:
    """The database refused a write: one line saying why, without the
    statement's parameters (they hold personal data)."""
    from storage.engine import is_busy
    from storage.repo.transactions import is_concurrency_error
    from storage.serverops import is_connection_error

    orig = getattr(exc, "orig", exc)
    reason = (str(orig).strip().splitlines() or [type(orig).__name__])[0]
    if is_busy(exc):
        raise DatabaseUnavailable("import failed, nothing was written: the database is busy "
                                  "(another program holds a lock on it); try again") from None
    if is_connection_error(exc):
        raise DatabaseUnavailable(f"import failed, nothing was written: lost the database ({reason}); "
                                  "try again when it is back") from None
    if is_concurrency_error(exc) or getattr(orig, "sqlstate", None) in ("23505", "40001", "40P01") \
            or "UNIQUE constraint failed" in str(orig):  # a row another writer added meanwhile
        raise ConflictError("import failed, nothing was written: someone changed the same records "
                            f"meanwhile ({reason}); run the import again") from None
    raise CaseloadError(
        f"import failed, nothing was written: the database refused a write ({reason})"
    ) from None
