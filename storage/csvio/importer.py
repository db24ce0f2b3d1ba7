"""`import_csv`: every file of one call checked, then written in one
transaction, or nothing written at all (docs/csv.md "Import rules")."""

from __future__ import annotations

import os
from collections.abc import Iterable
from datetime import date
from functools import partial
from pathlib import Path
from typing import Any, NoReturn

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
from storage.reader import Reader

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
    database: Any,
    paths: Iterable[str | os.PathLike[str]],
    *,
    dry_run: bool = False,
    actor: str,
    policy: Any = None,
    today: date | None = None,
    progress: Progress = NO_PROGRESS,
) -> ImportReport:
    """Import CSV files in one transaction (docs/csv.md).

    `database` is the SQLAlchemy Engine the import writes through, or, for
    a dry run only, a `storage.reader.Reader` (the driver's own connection:
    `caseload import --dry-run` imports no SQLAlchemy). Either way the
    same importer reads and checks every row, so a dry run reports exactly
    what the import would do, or refuse. `today` (default: the date today)
    is the day the checks of planner/validate.py count from: no contact
    after it, no new handover before it. Returns what was (or, with
    `dry_run`, would be) written per file; raises `ImportFailed` with every
    problem found, having written nothing. Each file's rows are told to
    `progress` as they are read."""
    errors = _Errors()
    sources = [_Source(path, i, errors) for i, path in enumerate(paths)]
    for src in sources:
        src.read_header()
        src.progress = progress
    kinded = sorted((s for s in sources if s.kind is not None), key=lambda s: (ORDER.index(s.kind.name), s.index))
    for order, src in enumerate(kinded):
        src.order = order
    importer = partial(_Importer, dry_run=dry_run, actor=actor, policy=policy, today=today or _today())
    if isinstance(database, Reader):
        if not dry_run:
            raise ValueError("a Reader only reads: an import that writes goes through the SQLAlchemy engine")
        _big_cache(database)  # the connection is the Reader's own, closed after it
        return _run(importer(database, None), None, errors, sources, kinded)
    from sqlalchemy.exc import DBAPIError

    with database.connect() as conn:  # SQLAlchemy Core: the import imports no ORM (README "Every command")
        reader = _core_reader(conn)
        old_cache = _big_cache(reader)
        try:
            return _run(importer(reader, conn), conn, errors, sources, kinded)
        except (DBAPIError, database.dialect.loaded_dbapi.Error) as exc:
            conn.rollback()
            _refused(exc)
        except BaseException:
            conn.rollback()
            raise
        finally:
            if old_cache is not None:  # best effort: the connection goes back to the pool
                try:
                    reader.execute(f"PRAGMA cache_size={int(old_cache)}")
                    conn.commit()
                except Exception:  # noqa: BLE001 - never hide the import's own outcome
                    conn.rollback()


def _big_cache(reader: Reader) -> Any:
    """Big imports touch indexes all over: give SQLite room to cache them.
    The cache size it had (None: not SQLite)."""
    if reader.dialect != "sqlite":
        return None
    old_cache = reader.scalar("PRAGMA cache_size")
    reader.execute(f"PRAGMA cache_size=-{SQLITE_IMPORT_CACHE_KIB}")
    return old_cache


class _Streamed:
    """A Core result as a Reader's cursor: rows as the driver gives them,
    fetched in batches (a million-row table's rows are not all held at once)."""

    __slots__ = ("result",)

    def __init__(self, result: Any) -> None:
        self.result = result

    def __iter__(self) -> Any:
        return iter(self.result)

    def close(self) -> None:
        self.result.close()


def _core_reader(conn: Any) -> Reader:
    """The import's reads on its own Core connection, in its transaction."""
    def run(sql: str, params: tuple) -> _Streamed:
        return _Streamed(conn.exec_driver_sql(sql, params, execution_options={"yield_per": 20_000}))

    return Reader(conn.dialect.name, run)


def _run(importer: _Importer, conn: Any, errors: _Errors, sources: list[_Source],
         kinded: list[_Source]) -> ImportReport:
    """Every file in ORDER, then the checks across files; then commit (or,
    on any problem or in a dry run, roll back). `conn` is None in a dry run
    on a Reader, which only reads."""
    from storage.access import actor_for, require_admin

    # People, teams and every team's cases come in here: the administrator's (README "Team server").
    require_admin(actor_for(importer.reader, importer.actor), "import CSV files")
    importer.errors = errors
    importer.sources = {src.index: src for src in sources}
    reports: list[FileReport] = []
    for src in kinded:
        rep = FileReport(src.name, src.kind.name)
        getattr(importer, f"do_{src.kind.name}")(src, rep)
        importer.flush_audit()
        reports.append(rep)
    importer.finish()
    if importer.errors:
        if conn is not None:
            conn.rollback()
        raise ImportFailed(importer.errors.lines())
    report = ImportReport(reports, dry_run=importer.dry_run)
    if importer.dry_run:
        if conn is not None:
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
