"""What every `caseload` command module shares: the context (`Ctx`: the
database, who acts, the policy), the date type, the group that turns every
known failure into one line on stderr, and the table and file helpers.

Imports nothing heavier than click at the top: `caseload --help` and an
argument error load this module and the root group only.
"""

from __future__ import annotations

import io
import json
import os
import sys
from collections.abc import Callable, Iterable
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import click

from planner.errors import CaseloadError

# --------------------------------------------------------------------------- dates


class DateType(click.ParamType):
    """An ISO date (YYYY-MM-DD) from 1900 to 2999; anything else is a usage
    error naming the option."""

    name = "DATE"

    def convert(self, value, param, ctx):
        from planner.validate import iso_date

        if isinstance(value, date):
            return value
        try:
            return iso_date(value)
        except ValueError as exc:
            self.fail(str(exc), param, ctx)


DATE = DateType()


class LazyChoice(click.Choice):
    """A `click.Choice` whose choices come from `source()`, called when they
    are first needed (the option is used or its help shown): a command's
    choices can live in a module that is costly to import."""

    def __init__(self, source: Callable[[], Iterable[str]], case_sensitive: bool = True) -> None:
        self._source = source
        self._choices: tuple[str, ...] | None = None
        self.case_sensitive = case_sensitive

    @property
    def choices(self) -> tuple[str, ...]:  # type: ignore[override]
        if self._choices is None:
            self._choices = tuple(self._source())
        return self._choices


class FilePath(click.Path):
    """A `click.Path` whose file-or-folder mismatch is a file problem (README:
    exit status 5, "a folder"), said as the importer says it, not click's
    usage error (status 2). `FilePath()` is a file, `FilePath(folder=True)` a
    folder; whether it exists is the command's to check."""

    def __init__(self, folder: bool = False) -> None:
        super().__init__(file_okay=not folder, dir_okay=folder)

    def convert(self, value, param, ctx):
        from planner.errors import FileProblem

        path = Path(value)
        if not self.dir_okay and path.is_dir():
            raise FileProblem(f"{value}: is a folder, not a file")
        if not self.file_okay and path.exists() and not path.is_dir():
            raise FileProblem(f"{value}: is a file, not a folder")
        return super().convert(value, param, ctx)


def parse_date(value: str | None, option: str) -> date | None:
    from planner.validate import iso_date

    if value is None:
        return None
    try:
        return iso_date(value)
    except ValueError as exc:
        raise CaseloadError(f"{option}: {exc}") from None


# --------------------------------------------------------------------------- context


@dataclass
class Ctx:
    db: str | None
    actor_id: str | None  # `--as`; once signed in, who acts (storage.access.sign_in)
    config: str | None
    signed_in: bool = False

    @property
    def actor(self) -> str:
        from storage.audit import default_actor

        return self.actor_id or default_actor()

    def sign_in(self, source) -> None:
        """Who acts comes from signing in (storage.access.sign_in): on
        PostgreSQL a practitioner's login is that practitioner, with or
        without `--as`, and refuses any other `--as`. Done once, when the
        database is first opened."""
        if self.signed_in:
            return
        from storage.access import sign_in

        self.actor_id = sign_in(source, self.actor_id).practitioner_id
        self.signed_in = True

    def refuse_practitioner(self, what: str) -> None:
        """Whole-database operations are the administrator's (no --as)."""
        if self.actor_id:
            raise CaseloadError(f"only the administrator may {what}: run it without --as")

    def require_admin(self, what: str) -> None:
        """Refuse unless the administrator acts (call after `engine()`)."""
        if self.actor_id:
            from storage.access import Actor, require_admin

            require_admin(Actor(self.actor_id, None, ""), what)

    def policy(self):
        from planner.policy import load_policy

        return load_policy(self.config)

    @contextmanager
    def reader(self):
        """A lean read (`storage.reader`: no SQLAlchemy import) of a database
        checked as `engine()` checks it."""
        from storage.reader import Database

        database = Database(self.db)
        with database.reader() as reader:
            database.check_ready(reader)
            self.sign_in(reader)
            yield reader

    def audit_engine(self):
        """Where an export's audit event is written (`storage.audit.record_now`)
        after `reader()` has checked the database and signed in: the driver's
        own connection (`storage.reader.Database.writer`), not checked twice,
        and no SQLAlchemy imported."""
        if not self.signed_in:
            return self.engine()
        from storage.reader import Database

        return Database(self.db)

    def engine(self, *, create: bool = False, ready: bool = True):
        from storage.db import ensure_ready
        from storage.engine import make_engine

        engine = make_engine(self.db, create=create)
        if ready:
            ensure_ready(engine)
            if not self.signed_in:
                with engine.connect() as connection:  # SQLAlchemy Core: no ORM for signing in
                    self.sign_in(connection)
        return engine

    def write(self, fn):
        """`fn(connection)` in one SQLAlchemy Core transaction (storage/repo/transactions.py;
        no ORM: README "Every command"), committed; its result. The engine's
        connections are closed when it is done (SQLite's log folded into the
        file then), so the process's exit has nothing left for the cyclic
        collector, whose last walk over SQLAlchemy's objects it skips
        (`storage.collector.no_collection_at_exit`)."""
        from storage.collector import no_collection_at_exit
        from storage.repo.transactions import commit_or_conflict, transaction

        engine = self.engine()
        try:
            with transaction(engine) as connection:
                result = fn(connection)
                commit_or_conflict(connection)
        finally:
            engine.dispose()
        no_collection_at_exit()
        return result


# --------------------------------------------------------------------------- the group


class CaseloadGroup(click.Group):
    """Turns every known failure into one line on stderr and an exit code.
    Its commands are those of `tui.cli.registry`, each loaded on first use."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        from tui.cli.registry import COMMANDS

        return sorted({*self.commands, *COMMANDS})

    def get_command(self, ctx: click.Context, cmd_name: str):
        from tui.cli.registry import COMMANDS, load_command

        if cmd_name not in self.commands and cmd_name in COMMANDS:
            self.add_command(accept_as_after(load_command(cmd_name)))
        return super().get_command(ctx, cmd_name)

    def main(self, args=None, prog_name=None, complete_var=None, standalone_mode=True, **extra):
        """As click's, but a usage error (an unknown option, a date out of
        range) is one line on stderr too, like every other refusal."""
        if not standalone_mode:
            return super().main(args, prog_name, complete_var, standalone_mode, **extra)
        try:
            code = super().main(args, prog_name, complete_var, False, **extra)
            sys.stdout.flush()
        except BrokenPipeError:  # the reader went away while the last lines were flushed
            _reader_gone()
            sys.exit(0)
        except click.UsageError as error:
            where = f" (see {error.ctx.command_path} --help)" if error.ctx is not None else ""
            click.echo(f"caseload: {error.format_message()}{where}", err=True)
            sys.exit(error.exit_code)
        except click.ClickException as error:
            error.show()
            sys.exit(error.exit_code)
        except click.exceptions.Abort:
            click.echo("Aborted!", err=True)
            sys.exit(1)
        sys.exit(code if isinstance(code, int) else 0)

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except (click.exceptions.Exit, click.exceptions.Abort, click.ClickException):
            raise
        except BrokenPipeError:  # `caseload warnings | head`: the reader has what it wanted
            _reader_gone()
            ctx.exit(0)
        except Exception as error:  # noqa: BLE001 - the last line of defence
            if os.environ.get("CASELOAD_DEBUG"):
                raise
            from tui.cli.errors import report_error

            ctx.exit(report_error(error))


def _as_after(ctx: click.Context, _param, value: str | None) -> None:
    """`caseload warnings --as N1-01`: the same as `caseload --as N1-01
    warnings` (README "Using it"); two different ids are refused."""
    if value is None:
        return
    c = ctx.find_object(Ctx)
    if c is None:  # parsed only, not run (the root group's callback makes the Ctx)
        return
    if c.actor_id and c.actor_id != value:
        raise click.BadParameter(f"{value} differs from --as {c.actor_id} before the command", ctx, _param)
    c.actor_id = value


def accept_as_after(command: click.Command) -> click.Command:
    """`command` and, in a group, every command under it, taking `--as` after
    the command's name as well as before it: a group takes it between its
    name and its subcommand's (`caseload supervision --as N1-01 start N1-02`)."""
    if isinstance(command, click.Group):
        for sub in command.commands.values():
            accept_as_after(sub)
    if not any("--as" in p.opts for p in command.params):
        command.params.append(click.Option(
            ["--as", "as_after"], metavar="PRACTITIONER_ID", expose_value=False, callback=_as_after,
            help="Who you are, as `caseload --as ID` before the command."))
    return command


def _reader_gone() -> None:
    """Standard output's reader went away (`caseload warnings | head`): the
    command ends quietly with status 0, and whatever is still buffered goes
    to os.devnull, so Python's own flush at exit has nothing to complain of."""
    try:
        fd = sys.stdout.fileno()
    except (OSError, ValueError, AttributeError):
        return  # not a real file (a test's runner)
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, fd)
        os.close(devnull)
    except OSError:
        pass


# --------------------------------------------------------------------------- output


class _Printable:
    """A text stream passing on what is written without terminal escape
    sequences or control characters (tui.text.plain): a name holding
    `ESC [2J` must not clear the terminal of whoever runs `caseload warnings`."""

    def __init__(self, stream) -> None:
        self._stream = stream

    def write(self, text: str) -> int:
        if not isinstance(text, str):  # a text stream refuses bytes (click asks)
            raise TypeError(f"write() argument must be str, not {type(text).__name__}")
        from tui.text import plain

        self._stream.write(plain(text))
        return len(text)

    def writelines(self, lines) -> None:
        for line in lines:
            self.write(line)

    def __getattr__(self, name: str):
        return getattr(self._stream, name)


def printable_output(ctx: click.Context) -> None:
    """Standard output and error through `_Printable` until the command ends."""
    saved = sys.stdout, sys.stderr
    sys.stdout, sys.stderr = _Printable(sys.stdout), _Printable(sys.stderr)

    def restore() -> None:
        sys.stdout, sys.stderr = saved

    ctx.call_on_close(restore)


def print_table(header: list[str], rows: list[list[str]]) -> None:
    """Columns padded to their widest cell; the last one as it is."""
    widths = [len(h) for h in header]
    for row in rows:
        for i, cell in enumerate(row[:-1]):
            widths[i] = max(widths[i], len(str(cell)))
    fmt_row = lambda row: "  ".join(  # noqa: E731
        [str(cell).ljust(widths[i]) for i, cell in enumerate(row[:-1])] + [str(row[-1])]
    )
    click.echo(fmt_row(header))
    for row in rows:
        click.echo(fmt_row(row))


def echo_json(data) -> None:
    click.echo(json.dumps(data, indent=2, ensure_ascii=False))


def write_csv_rows(out, header: list[str], rows: list[list[object]]) -> None:
    import csv

    from storage.csvio.cells import escape_cell

    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow([escape_cell("" if v is None else str(v)) for v in row])


def csv_text(header: list[str], rows: list[list[object]]) -> str:
    buf = io.StringIO()
    write_csv_rows(buf, header, rows)
    return buf.getvalue()


def write_audited(engine, path: Path, data: bytes, *, force: bool, actor: str, entity: str, key: str,
                  **detail) -> Path:
    """A file of personal data written as exports are (storage/files.py:
    whole or not at all, 0600, no link followed, nothing replaced without
    --force) with an `export` audit event recorded before it takes its name."""
    from storage.audit import record_now
    from storage.files import write_private

    return write_private(path, data, force=force, before_placing=lambda: record_now(
        engine, actor, "export", entity, key, file=path.name, **detail))
