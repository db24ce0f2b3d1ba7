"""The `caseload` group: its options, and with no command the app."""

from __future__ import annotations

import click

from tui.cli.base import DATE, CaseloadGroup, Ctx, printable_output


@click.group(cls=CaseloadGroup, invoke_without_command=True, context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--db", "db", metavar="DB", help="SQLite file path or SQLAlchemy URL (default: $CASELOAD_DB, then the user data folder).")
@click.option("--as", "actor_id", metavar="PRACTITIONER_ID", help="Who you are: signs the app in and names the actor of every change.")
@click.option("--config", "config", metavar="FILE", type=click.Path(), help="Policy file (TOML) overriding the default thresholds.")
@click.option("--on", "as_of", type=DATE, hidden=True, help="Run the app as of this date.")
@click.option("--privacy", is_flag=True, help="Start in privacy mode (initials only).")
@click.version_option(package_name="caseload")
@click.pass_context
def main(ctx: click.Context, db, actor_id, config, as_of, privacy):
    """Caseload planner: relationship-risk warnings and warm handovers."""
    ctx.obj = Ctx(db=db, actor_id=actor_id, config=config)
    if ctx.invoked_subcommand is None:
        from tui.cli.interactive import run_app

        run_app(ctx.obj, as_of=as_of, privacy=privacy)  # the app resumes collection once painted
    else:
        from storage.collector import resume

        resume()
        if ctx.invoked_subcommand != "demo":  # the app itself writes escape sequences
            printable_output(ctx)
