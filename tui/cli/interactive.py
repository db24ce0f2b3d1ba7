"""The app: `caseload` with no command, and `caseload demo`."""

from __future__ import annotations

import tempfile
from datetime import date
from pathlib import Path

import click

from tui.cli.base import DATE, Ctx, FilePath
from tui.launch import database_label, ended_by_signals, open_app

__all__ = ["COMMANDS", "database_label", "demo", "run_app"]


def run_app(c: Ctx, *, as_of: date | None = None, privacy: bool = False, remember_as: str | None = None) -> None:
    """The app on `c`'s database (tui/launch.py, `open_app`): an unknown `--as`
    ends in one line and status 2 before Textual starts."""
    open_app(c.db, c.actor_id, c.config, as_of=as_of, privacy=privacy, remember_as=remember_as)


@click.command()
@click.option("--on", "today", type=DATE, help="Pretend today is this date (default: today).")
@click.option("--keep", type=FilePath(folder=True), help="Folder to keep the demo copy in (default: a temporary folder).")
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


COMMANDS = (demo,)
