"""The app: `caseload` with no command, and `caseload demo`."""

from __future__ import annotations

import os
import sys
import tempfile
from contextlib import contextmanager
from datetime import date
from pathlib import Path

import click

from tui.cli.base import DATE, Ctx


def run_app(c: Ctx, *, as_of: date | None = None, privacy: bool = False, remember_as: str | None = None) -> None:
    """The app on `c`'s database. An unknown `--as` (or login) ends here, in
    one line and status 2 as every command, before Textual starts. The
    practitioner chosen in the app is remembered per database (tui/state.py;
    `remember_as` names the database there instead of its location)."""
    from storage.reader import Database

    from tui import state
    from tui.data import FirstRead, Gateway

    policy = c.policy()
    database = Database(c.db)
    state_file = state.state_path(remember_as or database_label(database))
    with database.reader() as reader:  # checked as `engine()` checks, without importing SQLAlchemy
        database.check_ready(reader)
        c.sign_in(reader)  # `--as`, or on PostgreSQL the practitioner of the login
        remembered = None if c.actor_id else state.saved_practitioner(state_file)
        if remembered and not _known(reader, remembered):  # gone since, or a file copied over
            state.save_practitioner(None, state_file)
            remembered = None
    # The first caseload (who signed in, else the remembered choice) is read in a
    # thread while Textual is imported and set up (tui.data.FirstRead).
    as_of = as_of or date.today()
    first = c.actor_id or remembered
    first_read = FirstRead.start(Gateway(database, policy, actor_id=first, fixed=bool(c.actor_id)), first, as_of)
    from tui.app import CaseloadApp

    app = CaseloadApp(database, practitioner_id=c.actor_id, as_of=as_of, policy=policy, privacy=privacy,
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


@click.command()
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
        run_app(Ctx(db=str(path), actor_id=c.actor_id, config=c.config), as_of=today, remember_as="demo")
        return
    # The copy goes when the demo ends, whatever ends it: q, a closed terminal
    # (SIGHUP) or a kill (SIGTERM), during start-up too.
    with tempfile.TemporaryDirectory(prefix="caseload-demo-") as tmp, ended_by_signals():
        path = demo_copy(shipped_sample_path(), Path(tmp), today)
        run_app(Ctx(db=str(path), actor_id=c.actor_id, config=c.config), as_of=today, remember_as="demo")


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


COMMANDS = (demo,)
