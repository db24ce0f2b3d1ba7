"""How a failure is told: one line on stderr and the README's exit status
(`tui.cli.base.CaseloadGroup` calls `report_error` for anything a command
raises). SQLAlchemy's errors are only looked at if SQLAlchemy is loaded: a
command that never imported it cannot have raised one.
"""

from __future__ import annotations

import sys

import click

from planner.errors import CaseloadError
from planner.words import plural


def report_error(error: BaseException) -> int:
    """Print `error` as one line (or the import's list of errors) and return
    the exit status."""
    if _is_import_refusal(error):
        for line in error.errors:
            click.echo(line, err=True)
        click.echo(f"caseload: import refused: {plural(len(error.errors), 'error')}; nothing was written", err=True)
        return 1
    if isinstance(error, CaseloadError):
        click.echo(f"caseload: {error}", err=True)
        return error.exit_code
    from tui.data.refusal import refused_by_the_database

    refused = refused_by_the_database(error)
    if refused:  # README "Team server": the database's own access rules
        click.echo(f"caseload: refused by the database: {refused}", err=True)
        return 2
    if "sqlalchemy" in sys.modules:
        code = _database_error(error)
        if code is not None:
            return code
    if isinstance(error, UnicodeEncodeError) and _undecoded_byte(error) is not None:
        # an argument of bytes that are not UTF-8: Python keeps them as lone surrogates (surrogateescape)
        click.echo(f"caseload: an argument is not valid UTF-8 (byte 0x{_undecoded_byte(error):02x}); "
                   "give text in UTF-8", err=True)
        return 2
    if isinstance(error, OverflowError):  # a safety net: dates are kept within 1900-2999 (planner/validate.py)
        click.echo("caseload: a date is too far in the past or future to count from; "
                   "`caseload check` lists stored dates outside 1900-01-01 to 2999-12-31", err=True)
        return 2
    if isinstance(error, OSError):
        click.echo(f"caseload: {error.strerror or error}: {error.filename or ''}".rstrip(": "), err=True)
        return 5
    click.echo(f"caseload: unexpected error ({type(error).__name__}: {error})", err=True)
    return 70


def _undecoded_byte(error: UnicodeEncodeError) -> int | None:
    """The byte a lone surrogate U+DC80..U+DCFF stands for (surrogateescape), else None."""
    found = error.object[error.start] if isinstance(error.object, str) else ""
    return ord(found) - 0xDC00 if "\udc80" <= found <= "\udcff" else None


def _is_import_refusal(error: BaseException) -> bool:
    reports = sys.modules.get("storage.csvio.reports")  # only an import raises it, and that loads it
    return reports is not None and isinstance(error, reports.ImportFailed)


def _database_error(error: BaseException) -> int | None:
    from sqlalchemy.exc import OperationalError, SQLAlchemyError

    if isinstance(error, OperationalError):
        from storage.engine import BUSY_MESSAGE, is_busy

        if is_busy(error):
            click.echo(f"caseload: {BUSY_MESSAGE}", err=True)
            return 4
        reason = str(error.orig).strip().splitlines()[0] if error.orig else "database error"
        click.echo(f"caseload: database unavailable: {reason}", err=True)
        return 4
    if isinstance(error, SQLAlchemyError):
        click.echo(f"caseload: database error: {type(error).__name__}", err=True)
        return 4
    return None
