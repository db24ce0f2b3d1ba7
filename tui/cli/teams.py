"""`caseload teams`: every team (throwaway)."""

from __future__ import annotations

import click

from tui.cli.base import Ctx, print_table


@click.command("teams")
@click.pass_obj
def teams(c: Ctx) -> None:
    """Every team, its id, name and nation (the administrator's)."""
    from storage.queries import list_teams

    with c.reader() as r:
        c.require_admin("list every team")
        rows = [[t.team_id, t.name, t.nation] for t in list_teams(r)]
    print_table(["team", "name", "nation"], rows)


COMMANDS = (teams,)
