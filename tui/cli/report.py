"""`caseload report` (SPEC §12, docs/continuity.md; README, Using it): is
relationship continuity getting better? Every measure by calendar month for
a team and each of its practitioners, as a table, a Markdown pack, CSV or
JSON. Team leads (their own team) and the administrator only."""

from __future__ import annotations

import json
from datetime import date

import click

from tui.cli.base import DATE, Ctx, csv_text, print_table

# Short column heads for the terminal table (80 columns), in MEASURE_NAMES order.
_HEADS = ("CHG/PY", "MANY", "WARM", "DAYS1", "BREAKS", "INDEX", "KEPT", "CAP", "MISSED", "PCANC")


@click.command()
@click.option("--team", "team_id", metavar="ID", required=True, help="The team to report on.")
@click.option("--from", "first", type=DATE, help="First month: the month holding this date (default: 11 months before --to's).")
@click.option("--to", "last", type=DATE, help="Last month: the month holding this date (default: the as-of date's).")
@click.option("--on", "as_of", type=DATE, help="As-of date (default: today).")
@click.option("--format", "fmt", type=click.Choice(["table", "md", "csv", "json"]), default="table", show_default=True)
@click.pass_obj
def report(c: Ctx, team_id, first, last, as_of, fmt):
    """Relationship continuity by month for a team and its practitioners (team leads)."""
    from planner.continuity import continuity_report, report_months
    from storage.access import require_lead, resolve_actor
    from storage.queries import list_teams, load_continuity_input

    from tui.cli.progress import shown

    as_of = as_of or date.today()
    months = report_months(as_of, first, last)  # a bad range is refused before anything is read
    policy = c.policy()
    with c.reader() as reader:
        require_lead(resolve_actor(reader, c.actor_id), team_id, "see a team's continuity report")
        teams = {t.team_id: t for t in list_teams(reader)}
        cases, world = load_continuity_input(reader, team_id, months[0].first, months[-1].last)
    with shown() as progress:
        advance = progress.task(f"continuity of team {team_id}, month by month", len(months))
        result = continuity_report(cases, world, team_id, as_of, first=first, last=last, policy=policy,
                                   on_month=lambda: advance(1))
    names = {pid: world.practitioners[pid].name for pid in result.practitioner_ids}
    _show(result, teams[team_id].name, names, fmt)


def _show(result, team_name: str, names: dict[str, str], fmt: str) -> None:
    from planner.continuity import MEASURE_NAMES, MEASURE_TITLES
    from planner.continuity.markdown import report_markdown
    from planner.continuity.text import format_value, sparkline, trend

    if fmt == "json":
        click.echo(json.dumps(result.to_dict(), indent=2, ensure_ascii=False))
        return
    if fmt == "csv":
        rows = [[m.month.label, scope, *(figures.as_dict()[n] for n in MEASURE_NAMES)]
                for m in result.months
                for scope, figures in (("team", m.team), *((pid, m.practitioners[pid]) for pid in result.practitioner_ids))]
        click.echo(csv_text(["month", "scope", *MEASURE_NAMES], rows), nl=False)
        return
    if fmt == "md":
        click.echo(report_markdown(result, team_name, names), nl=False)
        return
    click.echo(f"Relationship continuity of team {result.team_id} as of {result.as_of.isoformat()}")
    click.echo("")
    print_table(["MONTH", *_HEADS], [[m.month.label, *(format_value(n, getattr(m.team, n)) for n in MEASURE_NAMES)]
                                     for m in result.months])
    click.echo("")
    if result.months:
        last = result.months[-1]
        click.echo(f"Practitioners in {last.month.label}:")
        print_table(["PRACT", *_HEADS], [[pid, *(format_value(n, getattr(last.practitioners[pid], n)) for n in MEASURE_NAMES)]
                                         for pid in result.practitioner_ids])
        click.echo("")
    width = max(len(MEASURE_TITLES[n]) for n in MEASURE_NAMES)
    for head, name in zip(_HEADS, MEASURE_NAMES):
        values = result.series(name)
        click.echo(f"{head:<7} {MEASURE_TITLES[name].ljust(width)}  {sparkline(name, values)}  {trend(name, values)}")
    click.echo("-: nothing to count. Shares in %; the index from 0 to 1 (1: one practitioner saw the person).")


COMMANDS = (report,)
