"""`caseload team link`: a youth justice team's transition team (SPEC §11,
storage/transition_team.py), the administrator's to set."""

from __future__ import annotations

import click

from planner.errors import CaseloadError
from tui.cli.base import Ctx


@click.group()
def team() -> None:
    """Teams: the transition team of a youth justice team."""


@team.command("link")
@click.argument("team_id")
@click.option("--to", "to_team", metavar="TEAM", help="The adult team its children's cases move to at 18.")
@click.option("--none", "unlink", is_flag=True, help="Take the link away.")
@click.pass_obj
def link(c: Ctx, team_id, to_team, unlink):
    """Name TEAM_ID's transition team: its practitioners and lead may then name
    a practitioner (not the lead) of that team as the receiver of a child's
    handover, the transition at 18; without --to or --none, show the link."""
    from storage.transition_team import set_transition_team, transition_team_of

    if to_team and unlink:
        raise CaseloadError("give --to TEAM or --none, not both")
    if not to_team and not unlink:
        with c.reader() as r:
            linked = transition_team_of(r, team_id)
        click.echo(f"{team_id}'s transition team: {linked or 'none'}")
        return
    c.write(lambda db: set_transition_team(db, team_id=team_id, to_team_id=None if unlink else to_team, actor=c.actor))
    click.echo(f"{team_id}'s transition team: {to_team or 'none'}")


COMMANDS = (team,)
