"""Creating, filling and emptying a database: `init`, `import`, `export`."""

from __future__ import annotations

from pathlib import Path

import click

from planner.errors import FileProblem
from tui.cli.base import DATE, Ctx, FilePath
from tui.cli.progress import shown


@click.command()
@click.pass_obj
def init(c: Ctx):
    """Create the database, or upgrade it to this version (backing it up first)."""
    from storage.db import init_db, schema_state

    if c.actor_id:
        c.require_admin("create or upgrade the database")
    engine = c.engine(create=True, ready=False)
    if schema_state(engine).is_current:  # a practitioner's own login is refused too (README "Team server")
        with engine.connect() as connection:
            c.sign_in(connection)
        c.require_admin("create or upgrade the database")
    click.echo(init_db(engine))


@click.command("import")
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
    paths = [Path(f) for f in files]
    with shown() as progress:
        if dry_run:  # the import's own checks on the Reader: no SQLAlchemy (README "Every command")
            with c.reader() as reader:
                report = import_csv(reader, paths, dry_run=True, actor=c.actor, policy=policy, today=today,
                                    progress=progress)
        else:
            report = import_csv(c.engine(), paths, actor=c.actor, policy=policy, today=today, progress=progress)
    for line in report.describe():
        click.echo(line)
    if dry_run:
        click.echo("dry run: nothing was written")


@click.command()
@click.argument("dest", type=FilePath(folder=True))
@click.option("--format", "fmt", type=click.Choice(["csv", "json"]), default="csv", show_default=True)
@click.option("--force", is_flag=True, help="Replace files of an earlier export in DEST.")
@click.pass_obj
def export(c: Ctx, dest, fmt, force):
    """Export every record in the import formats (round trip)."""
    from storage.csvio import export_dir

    engine = c.engine()
    with shown() as progress:
        written = export_dir(engine, Path(dest), fmt, actor=c.actor, force=force, progress=progress)
    for path in written:
        click.echo(str(path))


COMMANDS = (init, import_, export)
