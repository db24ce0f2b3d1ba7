"""Starting the app: `caseload` with no command, and `caseload demo`'s app.

`open_app` checks the database and who signs in, starts the first caseload's
read in a thread (tui.data.FirstRead) and runs the app; `tui.cli.interactive`
runs it for the command line and for `demo`.

`caseload` with only the app's own options (`--db`, `--as`, `--config`,
`--on`, `--privacy`, each once, nothing else) is the app's start and nothing
more: `tui.startup` hands such a command line to `start` here, which reads it
without click and starts the app, as the command line would. Click and the
command line's modules (about 15 ms of every start: bench/README.md,
"Start-up") are then never imported. Anything else (a command, `--help`,
`--version`, an option twice, a value that is not a date, a folder as
`--config`) goes to the command line, which says what is wrong in its own
words. A failure once the options are read is reported by the command line's
`report_error` (tui/cli/errors.py), in the same line and status as there.
`CASELOAD_CLI=click` in the environment sends every start through the command
line.
"""

from __future__ import annotations

import os
import sys
from contextlib import contextmanager
from datetime import date

SWITCH = "CASELOAD_CLI"  # "click": every start through the command line (tui.cli)

# The root group's options (tui/cli/root.py) that take a value, by the name
# `open_app` gives them, and its one flag.
_VALUED = {"--db": "db", "--as": "actor_id", "--config": "config", "--on": "as_of"}
_FLAG = "--privacy"


def app_options(argv: list[str]) -> dict | None:
    """The app's options from `argv` when it holds only those, each once,
    with values the command line would take as they are; else None (the
    command line reads it)."""
    if os.environ.get(SWITCH) == "click":
        return None
    found: dict = {}
    args = iter(argv)
    for arg in args:
        if arg == _FLAG and "privacy" not in found:
            found["privacy"] = True
            continue
        name, eq, value = arg.partition("=")
        key = _VALUED.get(name)
        if key is None or key in found:
            return None
        if not eq:
            value = next(args, None)
            if value is None or value.startswith("-"):
                return None
        if not value:
            return None
        found[key] = value
    if "as_of" in found:
        found["as_of"] = _date(found["as_of"])
        if found["as_of"] is None:
            return None
    if "config" in found and os.path.isdir(found["config"]):
        return None
    return found


def _date(value: str) -> date | None:
    """The date the command line's `--on` takes from `value`
    (planner.validate.iso_date), else None (the command line then says why)."""
    from planner.validate import iso_date

    try:
        return iso_date(value)
    except ValueError:
        return None


def start(options: dict) -> None:
    """Run the app with `options` (from `app_options`), failing as the command
    line fails: one line on stderr and the README's status, before Textual
    starts (tui/cli/base.py, CaseloadGroup)."""
    try:
        open_app(options.get("db"), options.get("actor_id"), options.get("config"),
                 as_of=options.get("as_of"), privacy=options.get("privacy", False))
    except KeyboardInterrupt:
        sys.stderr.write("\nAborted!\n")
        sys.exit(1)
    except Exception as error:  # noqa: BLE001 - the last line of defence, as the command line's
        if os.environ.get("CASELOAD_DEBUG"):
            raise
        from tui.cli.errors import report_error

        sys.exit(report_error(error))


def open_app(db: str | None, actor_id: str | None, config: str | None, *, as_of: date | None = None,
             privacy: bool = False, remember_as: str | None = None) -> None:
    """The app on the database `db`. An unknown `--as` (or login) ends here, in
    one line and status 2 as every command, before Textual starts. The
    practitioner chosen in the app is remembered per database (tui/state.py;
    `remember_as` names the database there instead of its location)."""
    from planner.policy import load_policy
    from storage.access import sign_in
    from storage.reader import Database

    from tui import state
    from tui.data import FirstRead, Gateway

    policy = load_policy(config)
    database = Database(db)
    state_file = state.state_path(remember_as or database_label(database))
    with database.reader() as reader:  # checked as `engine()` checks, without importing SQLAlchemy
        database.check_ready(reader)
        # `--as`, or on PostgreSQL the practitioner of the login (storage.access.sign_in)
        actor_id = sign_in(reader, actor_id).practitioner_id
        remembered = None if actor_id else state.saved_practitioner(state_file)
        if remembered and not _known(reader, remembered):  # gone since, or a file copied over
            state.save_practitioner(None, state_file)
            remembered = None
    # The first caseload (who signed in, else the remembered choice) is read in a
    # thread while Textual is imported and set up (tui.data.FirstRead).
    as_of = as_of or date.today()
    first = actor_id or remembered
    first_read = FirstRead.start(Gateway(database, policy, actor_id=first, fixed=bool(actor_id)), first, as_of,
                                 fork=True)
    from tui.app import CaseloadApp

    app = CaseloadApp(database, practitioner_id=actor_id, as_of=as_of, policy=policy, privacy=privacy,
                      first_read=first_read, state_file=state_file)
    # bench/bench_startup.py times this command with no terminal attached.
    with ended_by_signals(app):
        app.run(headless=bool(os.environ.get("CASELOAD_BENCH_OUT")))
    if app.return_code:
        sys.exit(app.return_code)


def database_label(database) -> str:
    """What names `database` in the remembered state: its file, or its
    server and database (never a password)."""
    return database.target if database.kind == "other" else f"{database.kind}:{database.describe()}"


def _known(reader, practitioner_id: str) -> bool:
    from planner.errors import CaseloadError
    from storage.access import resolve_actor

    try:
        resolve_actor(reader, practitioner_id)
    except CaseloadError:
        return False
    return True


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
