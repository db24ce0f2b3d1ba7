"""The PostgreSQL team server's logins (README "Team server").

    caseload server add-login PRACTITIONER_ID --login NAME [--password-env VAR]
    caseload server logins
"""

from __future__ import annotations

import click

from planner.errors import CaseloadError
from tui.cli.base import Ctx, print_table


@click.group("server")
def server():
    """PostgreSQL team server: practitioner logins (row-level security by team)."""


@server.command("add-login")
@click.argument("practitioner_id")
@click.option("--login", "login", required=True, metavar="NAME", help="The PostgreSQL login to create or update.")
@click.option("--password-env", "password_env", metavar="VAR",
              help="Read the login's password from this environment variable (never from the command line).")
@click.pass_obj
def add_login_cmd(c: Ctx, practitioner_id, login, password_env):
    """Give a practitioner their own database login; it sees their team's cases only."""
    import os

    from storage.serverops import add_login

    c.refuse_practitioner("create logins")
    engine = c.engine()
    c.require_admin("create logins")
    password = None
    if password_env:
        password = os.environ.get(password_env)
        if not password:
            raise CaseloadError(f"--password-env {password_env}: that environment variable is not set or empty")
    click.echo(add_login(engine, practitioner_id=practitioner_id, login=login, password=password, actor=c.actor))


@server.command("logins")
@click.pass_obj
def logins_cmd(c: Ctx):
    """List the database logins and whose they are."""
    from storage.serverops import list_logins

    engine = c.engine()
    c.require_admin("list the logins")
    if engine.dialect.name != "postgresql":
        raise CaseloadError("server logins is for a PostgreSQL team server; this database is SQLite")
    rows = list_logins(engine)
    if not rows:
        click.echo("No logins.")
        return
    print_table(["LOGIN", "PRACTITIONER", "TEAM"], [list(r) for r in rows])


COMMANDS = (server,)
