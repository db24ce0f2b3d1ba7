"""`caseload warnings`: relationship-risk warnings and the alert burden."""

from __future__ import annotations

import json
from datetime import date

import click

from planner.errors import CaseloadError
from planner.words import plural
from tui.cli.base import DATE, Ctx, csv_text, print_table


@click.command()
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
    from storage.collector import no_collection_at_exit, paused

    no_collection_at_exit()
    with paused():
        _warnings(c, practitioner_id, team_id, as_of, fmt, summary)



def _scope_cases(session, practitioner_id, team_id, as_of, policy, viewer=None):
    from storage.queries import list_practitioners, list_teams, load_cases_for_warnings

    if practitioner_id and team_id:
        raise CaseloadError("give --practitioner or --team, not both")
    if practitioner_id and practitioner_id not in {p.practitioner_id for p in list_practitioners(session)}:
        raise CaseloadError(f"unknown practitioner {practitioner_id}")
    if team_id and team_id not in {t.team_id for t in list_teams(session)}:
        raise CaseloadError(f"unknown team {team_id}")
    # Only the rows the rules can see on as_of: the same warnings from far fewer
    # rows. The look-backs follow the policy, so a longer window loads more.
    return load_cases_for_warnings(session, as_of, practitioner_id=practitioner_id, team_id=team_id, policy=policy,
                                   viewer=viewer)


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
    cases = _scope_cases(reader, practitioner_id, team_id, as_of, policy, viewer=me)
    return cases, load_world(reader)


def _warnings(c: Ctx, practitioner_id, team_id, as_of, fmt, summary=False) -> None:
    from planner.handover import evaluate_as_read

    as_of = as_of or date.today()
    policy = c.policy()
    with c.reader() as reader:
        cases, world = _load_for_warnings(reader, c.actor_id, practitioner_id, team_id, as_of, policy)
    ranked = evaluate_as_read(cases, world, as_of, policy)  # the app's caseload reads the same way
    if summary:
        _print_summary(ranked, world, as_of, fmt)
    else:
        _print_warnings(ranked, as_of, fmt)


def _print_warnings(ranked, as_of: date, fmt: str) -> None:
    from planner.risk import is_warning, warning_to_dict

    if fmt in ("json", "csv"):
        rows = [warning_to_dict(w) for risk in ranked for w in risk.warnings]
    if fmt == "json":
        # No indent: json's C encoder only runs for compact output (7 MB for a region).
        click.echo(json.dumps({"as_of": as_of.isoformat(), "warnings": rows}, ensure_ascii=False))
        return
    if fmt == "csv":
        keys = ["case_ref", "practitioner_id", "rule", "severity", "title", "detail", "action"]
        click.echo(csv_text(keys, [[r[k] for k in keys] for r in rows]), nl=False)
        return
    # The table lists warnings; statuses (info) are for JSON, CSV and the app.
    shown = [w for risk in ranked for w in risk.warnings if is_warning(w)]
    if not shown:
        click.echo(f"No warnings as of {as_of.isoformat()}.")
        return
    print_table(
        ["CASE", "PRACT", "SEVERITY", "RULE", "TITLE / ACTION"],
        [[w.case_ref, w.practitioner_id or "-", w.severity.upper(), w.rule, f"{w.title} → {w.action}"]
         for w in shown],
    )
    warned = len({w.case_ref for w in shown})
    click.echo(f"{plural(len(shown), 'warning')} on {warned} of {plural(len(ranked), 'open case')} as of {as_of.isoformat()}")


_SUMMARY_KEYS = ["practitioner_id", "name", "open_cases", "cases_warned", "high", "medium", "low"]
_SUMMARY_HEADS = ["PRACT", "NAME", "OPEN", "WARNED", "HIGH", "MED", "LOW"]


def _print_summary(ranked, world, as_of: date, fmt: str) -> None:
    """docs/rules.md alert burden: per practitioner and in total, open cases, cases
    with a warning of low or above, warnings by severity (info left out)."""
    from planner.risk import alert_burden

    people, total = alert_burden(ranked)
    if fmt == "json":
        click.echo(json.dumps({"as_of": as_of.isoformat(),
                               "practitioners": [b.as_dict() for b in people], "total": total.as_dict()}))
        return

    def row(b, name):
        return [b.practitioner_id or "-", name, b.open_cases, b.cases_warned, b.high, b.medium, b.low]

    def name_of(pid):
        p = world.practitioners.get(pid or "")
        return p.name if p else ("unallocated" if pid is None else pid)

    rows = [row(b, name_of(b.practitioner_id)) for b in people]
    total_row = ["total", "", *row(total, "")[2:]]
    if fmt == "csv":
        click.echo(csv_text(_SUMMARY_KEYS, [*rows, total_row]), nl=False)
        return
    _print_burden_table([[str(v) for v in r] for r in [*rows, total_row]])
    share = f"{total.cases_warned / total.open_cases:.0%}" if total.open_cases else "-"
    click.echo(f"{total.cases_warned} of {plural(total.open_cases, 'open case')} ({share}) have a warning of low or above "
               f"as of {as_of.isoformat()}; statuses (info) are not counted")


def _print_burden_table(table: list[list[str]]) -> None:
    widths = [max(len(h), *(len(r[i]) for r in table)) for i, h in enumerate(_SUMMARY_KEYS)]
    widths = [max(w, len(h)) for w, h in zip(widths, _SUMMARY_HEADS)]
    line = lambda cells: "  ".join(  # noqa: E731
        cell.ljust(widths[i]) if i < 2 else cell.rjust(widths[i]) for i, cell in enumerate(cells)).rstrip()
    click.echo(line(_SUMMARY_HEADS))
    for r in table:
        click.echo(line(r))


COMMANDS = (warnings,)
