"""The `caseload` command line (SPEC §6).

Every command resolves the database the same way (`--db`, `CASELOAD_DB`, the
user data folder), runs in one transaction where it writes, and on any
problem prints one line on stderr and exits non-zero: never a traceback
(set CASELOAD_DEBUG=1 to see one while developing).
"""

from __future__ import annotations

import atexit
import gc
import io
import json
import os
import sys
import tempfile
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from pathlib import Path

import click

from planner.errors import CaseloadError, FileProblem
from tui.cli_types import DATE, DateType, iso_date  # noqa: F401 - DateType re-exported for command modules

if __name__ == "__main__":  # `python -m tui.cli`: let the command modules find this one
    sys.modules.setdefault("tui.cli", sys.modules[__name__])


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

    def engine(self, *, create: bool = False, ready: bool = True):
        from storage.db import ensure_ready
        from storage.engine import make_engine

        engine = make_engine(self.db, create=create)
        if ready:
            ensure_ready(engine)
            if not self.signed_in:
                from sqlmodel import Session

                with Session(engine) as s:
                    self.sign_in(s)
        return engine


def parse_date(value: str | None, option: str) -> date | None:
    if value is None:
        return None
    try:
        return iso_date(value)
    except ValueError as exc:
        raise CaseloadError(f"{option}: {exc}") from None



class CaseloadGroup(click.Group):
    """Turns every known failure into one line on stderr and an exit code.
    Commands of `_LAZY_COMMANDS` (bottom of this module) load on first use."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*self.commands, *_LAZY_COMMANDS})

    def get_command(self, ctx: click.Context, cmd_name: str):
        if cmd_name not in self.commands and cmd_name in _LAZY_COMMANDS:
            from importlib import import_module

            self.add_command(getattr(import_module(_LAZY_COMMANDS[cmd_name]), cmd_name))
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
            code = report_error(error)
            ctx.exit(code)


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


def report_error(error: BaseException) -> int:
    from sqlalchemy.exc import OperationalError, SQLAlchemyError

    try:
        from storage.csvio import ImportFailed
    except ImportError:  # pragma: no cover - csvio always ships
        ImportFailed = ()  # type: ignore[assignment]

    if ImportFailed and isinstance(error, ImportFailed):
        for line in error.errors:
            click.echo(line, err=True)
        click.echo(f"caseload: import refused: {len(error.errors)} error(s); nothing was written", err=True)
        return 1
    if isinstance(error, CaseloadError):
        click.echo(f"caseload: {error}", err=True)
        return error.exit_code
    if isinstance(error, SQLAlchemyError) and getattr(getattr(error, "orig", None), "sqlstate", None) == "42501":
        # insufficient_privilege: the database's own access rules (README "Team server")
        reason = str(error.orig).strip().splitlines()[0]
        click.echo(f"caseload: refused by the database: {reason}", err=True)
        return 2
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
    if isinstance(error, OverflowError):  # a safety net: dates are kept within 1900-2999 (planner/validate.py)
        click.echo("caseload: a date is too far in the past or future to count from; "
                   "`caseload check` lists stored dates outside 1900-01-01 to 2999-12-31", err=True)
        return 2
    if isinstance(error, OSError):
        click.echo(f"caseload: {error.strerror or error}: {error.filename or ''}".rstrip(": "), err=True)
        return 5
    click.echo(f"caseload: unexpected error ({type(error).__name__}: {error})", err=True)
    return 70


@click.group(cls=CaseloadGroup, invoke_without_command=True, context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--db", "db", metavar="DB", help="SQLite file path or SQLAlchemy URL (default: $CASELOAD_DB, then the user data folder).")
@click.option("--as", "actor_id", metavar="PRACTITIONER_ID", help="Who you are: signs the app in and names the actor of every change.")
@click.option("--config", "config", metavar="FILE", type=click.Path(dir_okay=False), help="Policy file (TOML) overriding the default thresholds.")
@click.option("--on", "as_of", type=DATE, hidden=True, help="Run the app as of this date.")
@click.option("--privacy", is_flag=True, help="Start in privacy mode (initials only).")
@click.version_option(package_name="caseload")
@click.pass_context
def main(ctx: click.Context, db, actor_id, config, as_of, privacy):
    """Caseload planner: relationship-risk warnings and warm handovers."""
    ctx.obj = Ctx(db=db, actor_id=actor_id, config=config)
    if ctx.invoked_subcommand is None:
        run_app(ctx.obj, as_of=as_of, privacy=privacy)  # the app resumes collection once painted
    else:
        from tui.startup import resume_gc

        resume_gc()
        if ctx.invoked_subcommand != "demo":  # the app itself writes escape sequences
            printable_output(ctx)


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


def run_app(c: Ctx, *, as_of: date | None = None, privacy: bool = False) -> None:
    from storage.reader import Database

    from tui import state
    from tui.data import FirstRead, Gateway

    policy = c.policy()
    database = Database(c.db)
    with database.reader() as reader:  # checked as `engine()` checks, without importing SQLAlchemy
        database.check_ready(reader)
        c.sign_in(reader)  # `--as`, or on PostgreSQL the practitioner of the login
    # The first caseload (who signed in, else the remembered choice) is read in a
    # thread while Textual is imported and set up (tui.data.FirstRead).
    as_of = as_of or date.today()
    first = c.actor_id or state.saved_practitioner()
    first_read = FirstRead.start(Gateway(database, policy, actor_id=first, fixed=bool(c.actor_id)),
                                 first, as_of, fork=True)
    from tui.app import CaseloadApp

    app = CaseloadApp(database, practitioner_id=c.actor_id, as_of=as_of, policy=policy, privacy=privacy,
                      first_read=first_read)
    # bench/bench_startup.py times this command with no terminal attached.
    with ended_by_signals(app):
        app.run(headless=bool(os.environ.get("CASELOAD_BENCH_OUT")))
    if app.return_code:
        sys.exit(app.return_code)


@main.command()
@click.option("--on", "today", type=DATE, help="Pretend today is this date (default: today).")
@click.option("--keep", type=click.Path(file_okay=False), help="Folder to keep the demo copy in (default: a temporary folder).")
@click.pass_obj
def demo(c: Ctx, today, keep):
    """Open the app on a fresh copy of the sample data, dates moved to today."""
    from storage.sample import demo_copy, shipped_sample_path

    today = today or date.today()
    if keep:
        folder = Path(keep)
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        path = demo_copy(shipped_sample_path(), folder, today)
        run_app(Ctx(db=str(path), actor_id=c.actor_id, config=c.config), as_of=today)
        return
    # The copy goes when the demo ends, whatever ends it: q, a closed terminal
    # (SIGHUP) or a kill (SIGTERM), during start-up too.
    with tempfile.TemporaryDirectory(prefix="caseload-demo-") as tmp, ended_by_signals():
        path = demo_copy(shipped_sample_path(), Path(tmp), today)
        run_app(Ctx(db=str(path), actor_id=c.actor_id, config=c.config), as_of=today)


@contextmanager
def ended_by_signals(app=None):
    """While inside, SIGTERM and SIGHUP end things as `q` does, so that `with`
    blocks around them let go of what they hold (the demo's copy) and the
    terminal is restored: the running `app` is asked to exit (from its event
    loop, as signal handlers may); with none running, SystemExit is raised
    where the program is. The exit status is 128 + the signal's number."""
    import asyncio
    import signal
    from functools import partial

    def leave(signum, _frame):
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            loop = None
        if app is None or loop is None:
            raise SystemExit(128 + signum)
        loop.call_soon_threadsafe(partial(app.exit, return_code=128 + signum))

    saved = {sig: signal.signal(sig, leave) for sig in (signal.SIGTERM, signal.SIGHUP)}
    try:
        yield
    finally:
        for sig, handler in saved.items():
            signal.signal(sig, handler)


@main.command()
@click.pass_obj
def init(c: Ctx):
    """Create the database, or upgrade it to this version (backing it up first)."""
    from storage.db import init_db, schema_state

    if c.actor_id:
        c.require_admin("create or upgrade the database")
    engine = c.engine(create=True, ready=False)
    if schema_state(engine).is_current:  # a practitioner's own login is refused too (README "Team server")
        from sqlmodel import Session

        with Session(engine) as s:
            c.sign_in(s)
        c.require_admin("create or upgrade the database")
    click.echo(init_db(engine))


@main.command("import")
@click.argument("files", nargs=-1, required=True, type=click.Path())
@click.option("--dry-run", is_flag=True, help="Report what would change; write nothing.")
@click.option("--on", "today", type=DATE, help="Count today as this date (no contact after it, no new handover before it).")
@click.pass_obj
def import_(c: Ctx, files, dry_run, today):
    """Import CSV files; the kind of each is told by its header."""
    from storage.csvio import import_csv

    for name in files:
        if not Path(name).is_file():
            raise FileProblem(f"{name}: {'a folder, not a file' if Path(name).is_dir() else 'no such file'}")
    policy = c.policy()  # handover checklists follow --config, as `handover plan` does
    engine = c.engine()
    report = import_csv(engine, [Path(f) for f in files], dry_run=dry_run, actor=c.actor, policy=policy,
                        today=today)
    for line in report.describe():
        click.echo(line)
    if dry_run:
        click.echo("dry run: nothing was written")


@main.command()
@click.argument("dest", type=click.Path(file_okay=False))
@click.option("--format", "fmt", type=click.Choice(["csv", "json"]), default="csv", show_default=True)
@click.option("--force", is_flag=True, help="Replace files of an earlier export in DEST.")
@click.pass_obj
def export(c: Ctx, dest, fmt, force):
    """Export every record in the import formats (round trip)."""
    from storage.csvio import export_dir

    engine = c.engine()
    for path in export_dir(engine, Path(dest), fmt, actor=c.actor, force=force):
        click.echo(str(path))


@main.command()
@click.argument("dest", type=click.Path())
@click.pass_obj
def backup(c: Ctx, dest):
    """Take an online backup (SQLite) or a pg_dump (PostgreSQL) to DEST (a new file, or a folder)."""
    from storage.db import backup_db

    engine = c.engine()
    c.require_admin("take a backup")
    written = backup_db(engine, Path(dest), actor=c.actor)
    click.echo(f"backup written to {written}")


@main.command()
@click.pass_obj
def check(c: Ctx):
    """Integrity and schema check."""
    from storage.db import check_db

    engine = c.engine(ready=False)
    problems = check_db(engine)
    if problems:
        for problem in problems:
            click.echo(f"problem: {problem}", err=True)
        raise CaseloadError(f"check failed: {len(problems)} problem(s)")
    click.echo("ok: integrity, foreign keys and schema version are fine")


# --------------------------------------------------------------------------- warnings


def _scope_cases(session, practitioner_id, team_id, as_of, policy):
    from storage.queries import list_practitioners, list_teams, load_cases_for_warnings

    if practitioner_id and team_id:
        raise CaseloadError("give --practitioner or --team, not both")
    if practitioner_id and practitioner_id not in {p.practitioner_id for p in list_practitioners(session)}:
        raise CaseloadError(f"unknown practitioner {practitioner_id}")
    if team_id and team_id not in {t.team_id for t in list_teams(session)}:
        raise CaseloadError(f"unknown team {team_id}")
    # Only the rows the rules can see on as_of: the same warnings from far fewer
    # rows. The look-backs follow the policy, so a longer window loads more.
    return load_cases_for_warnings(session, as_of, practitioner_id=practitioner_id, team_id=team_id, policy=policy)


def write_csv_rows(out, header: list[str], rows: list[list[object]]) -> None:
    import csv

    from storage.csvio import escape_cell

    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow([escape_cell("" if v is None else str(v)) for v in row])


@main.command()
@click.option("--practitioner", "practitioner_id", metavar="ID")
@click.option("--team", "team_id", metavar="ID")
@click.option("--on", "as_of", type=DATE, help="As-of date (default: today).")
@click.option("--format", "fmt", type=click.Choice(["table", "json", "csv"]), default="table", show_default=True)
@click.option("--summary", is_flag=True,
              help="Alert burden per practitioner and in total: open cases, cases warned, warnings by severity.")
@click.pass_obj
def warnings(c: Ctx, practitioner_id, team_id, as_of, fmt, summary):
    """Relationship-risk warnings, highest risk first (statuses such as "new:
    week 3 of 12" too, as severity info, in JSON and CSV)."""
    # One short pass that builds a few hundred thousand objects and frees them
    # when it returns: the cyclic collector (run every few hundred allocations,
    # and over everything as the heap grows) finds nothing to free here. Nor at
    # exit, where it would walk every object of the libraries once more.
    _no_collection_at_exit()
    from storage.queries import gc_paused

    with gc_paused():
        _warnings(c, practitioner_id, team_id, as_of, fmt, summary)


@lru_cache(maxsize=None)
def _no_collection_at_exit() -> None:
    """Skip the interpreter's last garbage collections (a tenth of a second
    after SQLAlchemy and pydantic are loaded): at exit, `gc.freeze()` leaves
    whatever is still alive to the operating system. Runs as an atexit hook,
    so it only ever applies to a process that is ending (and an in-process
    caller, CliRunner, keeps its collector until then). Nothing relies on it:
    the command closes its database connections itself."""
    atexit.register(gc.freeze)


def _load_for_warnings(reader, actor_id, practitioner_id, team_id, as_of, policy):
    from storage.access import check_practitioner_visible, check_team_visible, resolve_actor, visible_team
    from storage.queries import load_world

    me = resolve_actor(reader, actor_id)
    if team_id:
        check_team_visible(me, team_id)
    if practitioner_id:
        check_practitioner_visible(reader, me, practitioner_id)
    if not (team_id or practitioner_id):
        team_id = visible_team(me)  # a practitioner: their own team's cases only
    cases = _scope_cases(reader, practitioner_id, team_id, as_of, policy)
    return cases, load_world(reader)


def _warnings(c: Ctx, practitioner_id, team_id, as_of, fmt, summary=False) -> None:
    from planner.handover import evaluate_as_read
    from planner.risk import is_warning, warning_to_dict

    as_of = as_of or date.today()
    policy = c.policy()
    with c.reader() as reader:
        cases, world = _load_for_warnings(reader, c.actor_id, practitioner_id, team_id, as_of, policy)
    ranked = evaluate_as_read(cases, world, as_of, policy)  # the app's caseload reads the same way
    if summary:
        _print_summary(ranked, world, as_of, fmt)
        return
    rows = [warning_to_dict(w) for risk in ranked for w in risk.warnings]
    if fmt == "json":
        # No indent: json's C encoder only runs for compact output (7 MB for a region).
        click.echo(json.dumps({"as_of": as_of.isoformat(), "warnings": rows}, ensure_ascii=False))
    elif fmt == "csv":
        buf = io.StringIO()
        keys = ["case_ref", "practitioner_id", "rule", "severity", "title", "detail", "action"]
        write_csv_rows(buf, keys, [[r[k] for k in keys] for r in rows])
        click.echo(buf.getvalue(), nl=False)
    else:
        # The table lists warnings; statuses (info) are for JSON, CSV and the app.
        shown = [w for risk in ranked for w in risk.warnings if is_warning(w)]
        if not shown:
            click.echo(f"No warnings as of {as_of.isoformat()}.")
            return
        _print_table(
            ["CASE", "PRACT", "SEVERITY", "RULE", "TITLE / ACTION"],
            [[w.case_ref, w.practitioner_id or "-", w.severity.upper(), w.rule, f"{w.title} → {w.action}"]
             for w in shown],
        )
        warned = len({w.case_ref for w in shown})
        click.echo(f"{len(shown)} warning(s) on {warned} of {len(ranked)} open case(s) as of {as_of.isoformat()}")


def _print_summary(ranked, world, as_of: date, fmt: str) -> None:
    """SPEC §3 alert burden: per practitioner and in total, open cases, cases
    with a warning of low or above, warnings by severity (info left out)."""
    from planner.risk import alert_burden

    people, total = alert_burden(ranked)
    if fmt == "json":
        click.echo(json.dumps({"as_of": as_of.isoformat(),
                               "practitioners": [b.as_dict() for b in people], "total": total.as_dict()}))
        return
    header = ["practitioner_id", "name", "open_cases", "cases_warned", "high", "medium", "low"]

    def row(b, name):
        return [b.practitioner_id or "-", name, b.open_cases, b.cases_warned, b.high, b.medium, b.low]

    def name_of(pid):
        p = world.practitioners.get(pid or "")
        return p.name if p else ("unallocated" if pid is None else pid)

    rows = [row(b, name_of(b.practitioner_id)) for b in people]
    total_row = ["total", "", *row(total, "")[2:]]
    if fmt == "csv":
        buf = io.StringIO()
        write_csv_rows(buf, header, [*rows, total_row])
        click.echo(buf.getvalue(), nl=False)
        return
    table = [[str(v) for v in r] for r in [*rows, total_row]]
    widths = [max(len(h), *(len(r[i]) for r in table)) for i, h in enumerate(header)]
    heads = ["PRACT", "NAME", "OPEN", "WARNED", "HIGH", "MED", "LOW"]
    widths = [max(w, len(h)) for w, h in zip(widths, heads)]
    line = lambda cells: "  ".join(  # noqa: E731
        cell.ljust(widths[i]) if i < 2 else cell.rjust(widths[i]) for i, cell in enumerate(cells)).rstrip()
    click.echo(line(heads))
    for r in table:
        click.echo(line(r))
    share = f"{total.cases_warned / total.open_cases:.0%}" if total.open_cases else "-"
    click.echo(f"{total.cases_warned} of {total.open_cases} open case(s) ({share}) have a warning of low or above "
               f"as of {as_of.isoformat()}; statuses (info) are not counted")


def _print_table(header: list[str], rows: list[list[str]]) -> None:
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


# --------------------------------------------------------------------------- week


@main.command()
@click.option("--practitioner", "practitioner_id", metavar="ID", help="Whose week (default: --as).")
@click.option("--week-of", "week_of", type=DATE, help="Any date in the week (default: today).")
@click.option("--on", "as_of", type=DATE, hidden=True, help="As-of date for what is overdue (default: --week-of or today).")
@click.option("--format", "fmt", type=click.Choice(["table", "json", "ics"]), default="table", show_default=True)
@click.option("--output", type=click.Path(dir_okay=False), help="Write to this file (0600) instead of standard output.")
@click.option("--force", is_flag=True, help="Replace the --output file if it exists.")
@click.option("--names", is_flag=True, help="Put people's names in the .ics (default: case refs only).")
@click.pass_obj
def week(c: Ctx, practitioner_id, week_of, as_of, fmt, output, force, names):
    """A practitioner's week: appointments, contacts due, handover tasks, actions, catch-up."""
    from planner.ics import week_to_ics
    from planner.week import week_plan, week_to_dict
    from storage.engine import session as open_session
    from storage.queries import list_practitioners, load_actions, load_cases, load_world

    practitioner_id = practitioner_id or c.actor_id
    if not practitioner_id:
        raise CaseloadError("whose week? give --practitioner ID (or --as ID)")
    week_of = week_of or date.today()
    as_of = as_of or (week_of if week_of < date.today() else date.today())
    policy = c.policy()
    engine = c.engine()
    with open_session(engine) as s:
        people = {p.practitioner_id: p for p in list_practitioners(s)}
        if practitioner_id not in people:
            raise CaseloadError(f"unknown practitioner {practitioner_id}")
        from storage.access import check_practitioner_visible, resolve_actor

        check_practitioner_visible(s, resolve_actor(s, c.actor_id), practitioner_id)
        world = load_world(s)
        cases = load_cases(s)
        actions = load_actions(s, owner_id=practitioner_id)
    plan = week_plan(practitioner_id, week_of, cases, world, actions, as_of, policy)
    if fmt == "ics":
        data = week_to_ics(plan, people[practitioner_id].name, privacy=not names)
        if not output:
            sys.stdout.buffer.write(data)
            return
    else:
        text = (json.dumps(week_to_dict(plan), indent=2, ensure_ascii=False) + "\n" if fmt == "json"
                else _week_table(plan, people))
        if not output:
            click.echo(text, nl=False)
            return
        data = text.encode()
    write_audited(engine, Path(output), data, force=force, actor=c.actor, entity="week",
                  key=f"{practitioner_id}/{plan.week_start.isoformat()}", format=fmt, names=names)
    click.echo(f"wrote {output}")


def write_audited(engine, path: Path, data: bytes, *, force: bool, actor: str, entity: str, key: str,
                  **detail) -> Path:
    """A file of personal data written as exports are (storage/files.py:
    whole or not at all, 0600, no link followed, nothing replaced without
    --force) with an `export` audit event recorded before it takes its name."""
    from storage.audit import record_now
    from storage.files import write_private

    return write_private(path, data, force=force, before_placing=lambda: record_now(
        engine, actor, "export", entity, key, file=path.name, **detail))


def _week_table(plan, people) -> str:
    from tui.data import absence_span

    out = io.StringIO()
    who = people.get(plan.practitioner_id)
    out.write(f"Week of {plan.week_start:%a %d %b %Y} for {plan.practitioner_id}" + (f" ({who.name})" if who else "") + "\n")
    for absence in plan.absences:
        cover = f", cover {absence.cover_practitioner_id}" if absence.cover_practitioner_id else ", NO COVER NAMED"
        out.write(f"  away {absence_span(absence, sep=' to ')} ({absence.kind}{cover})\n")
    for day in plan.days:
        out.write(f"\n{day.day:%a %d %b}" + ("  [absent]" if day.absent else "") + "\n")
        if not day.entries:
            out.write("  -\n")
        for entry in day.entries:
            when = f"{entry.time:%H:%M} " if getattr(entry, "time", None) else ""
            out.write(f"  {when}{entry.kind:<14} {entry.case_ref or '':<10} {entry.title}\n")
    out.write("\nCatch-up (already overdue)\n")
    if not plan.catch_up:
        out.write("  nothing overdue\n")
    for entry in plan.catch_up:
        out.write(f"  {entry.kind:<14} {entry.case_ref or '':<10} {entry.title}\n")
    return out.getvalue()


# --------------------------------------------------------------------------- more commands
# Each family of commands lives in its own module (using Ctx, DATE and the
# table helpers above), registered by name here and imported by
# CaseloadGroup.get_command when one of its commands is asked for or listed:
# `caseload warnings` does not pay for building every other command.
_LAZY_COMMANDS = {
    "handover": "tui.cli_handover",
    "rebalance": "tui.cli_rebalance",
    "supervision": "tui.cli_supervision",
    "audit": "tui.cli_admin",
    "restore": "tui.cli_admin",
    "copy": "tui.cli_admin",
    "server": "tui.cli_admin",
}


if __name__ == "__main__":  # pragma: no cover
    main()
