"""`caseload rebalance` (docs/rebalancing.md; README, Using it): least-disruption moves that bring a
team to its target capacity; `--apply` plans them as warm handovers."""

from __future__ import annotations

import json
from datetime import date

import click

from planner.errors import CaseloadError
from planner.words import plural
from tui.cli.base import DATE, Ctx, print_table


def _pct_band(points: float, available: float, policy) -> str:
    from planner.workload import BAND_SHORT, band, capacity_pct, format_pct

    pct = capacity_pct(points, available)
    return f"{format_pct(pct)} {BAND_SHORT[band(pct, policy)]}"


def _num(x: float) -> str:
    return f"{x:g}" if float(x).is_integer() else f"{x:.1f}"


def _print_plan(plan, policy, dates: dict | None = None) -> None:
    from planner.workload import BAND_WORDS

    click.echo(
        f"Rebalance of team {plan.team_id} as of {plan.as_of.isoformat()}, "
        f"target {plan.target_pct:g}% of available points"
    )
    click.echo("")
    rows = []
    for p in plan.practitioners:
        note = []
        if p.receiver_exclusion:
            note.append(f"receives nothing: {p.receiver_exclusion}")
        if p.points_after > p.target_points + 1e-6:
            note.append("still over target")
        rows.append(
            [
                p.practitioner_id,
                f"{p.available_points:.0f}",
                f"{p.points_before:.0f}",
                _pct_band(p.points_before, p.available_points, policy),
                f"{p.points_after:.0f}",
                _pct_band(p.points_after, p.available_points, policy),
                "; ".join(note) or "-",
            ]
        )
    print_table(["PRACT", "AVAILABLE", "BEFORE", "CAPACITY", "AFTER", "CAPACITY", "NOTE"], rows)
    click.echo(
        "Bands: " + ", ".join(f"{short} = {BAND_WORDS[name]}" for name, short in
                              (("green", "OK"), ("amber", "FULL"), ("red", "OVER")))
    )
    click.echo("")
    if plan.moves:
        dates = dates or {}
        print_table(
            ["CASE", "FROM", "TO", "POINTS", "COST", "HANDOVER", "REASON"],
            [[m.case_ref, m.from_id, m.to_id, _num(m.points), _num(m.cost),
              dates[m.case_ref].isoformat() if m.case_ref in dates else "planned", m.reason]
             for m in plan.moves],
        )
    else:
        click.echo("No moves needed." if plan.overload_points == 0 else "No move can help.")
    click.echo("")
    gap = plan.solver.gap
    gap_text = "unknown" if gap is None else f"{gap * 100:.2f}%"
    click.echo(
        f"{plural(len(plan.moves), 'move')}, total disruption cost {_num(plan.total_cost)}, "
        f"points above target {_num(plan.overload_points)}; "
        f"solver {plan.solver.name}: {plan.solver.status}, gap {gap_text}, {plan.solver.seconds:.2f} s"
    )
    still = plan.over_target
    if still:
        click.echo(
            "Target not reachable for " + ", ".join(still)
            + ": the plan takes off as many points as the exclusions allow."
        )


@click.command()
@click.option("--team", "team_id", metavar="ID", required=True, help="The team to rebalance.")
@click.option("--target", "target_pct", type=float, metavar="PCT", help="Target capacity % (default: the policy's, 110).")
@click.option("--max-moves", "max_moves", type=click.IntRange(min=0), metavar="N", help="At most this many moves.")
@click.option("--on", "as_of", type=DATE, help="As-of date (default: today).")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
@click.option("--apply", "apply_", is_flag=True, help="Plan a warm handover for every move (team leads only).")
@click.option("--handover-on", "handover_on", type=DATE,
              help="First date of the planned handovers, staggered from it (default: as-of + 28 days).")
@click.option("--keep", "keep_cases", multiple=True, metavar="CASE_REF", help="Leave this case where it is (repeatable).")
@click.option("--keep-practitioner", "keep_practitioners", multiple=True, metavar="ID",
              help="Neither take cases from nor give cases to this practitioner (repeatable).")
@click.option("--time-limit", "time_limit", type=float, default=10.0, show_default=True, metavar="S",
              help="Solver time limit in seconds.")
@click.pass_obj
def rebalance(c: Ctx, team_id, target_pct, max_moves, as_of, fmt, apply_, handover_on, keep_cases,
              keep_practitioners, time_limit):
    """Least-disruption moves that bring every practitioner of a team under the target capacity."""
    if target_pct is not None and not target_pct > 0:
        raise CaseloadError(f"--target must be a positive percentage, got {target_pct:g}")
    if not time_limit > 0:
        raise CaseloadError(f"--time-limit must be a positive number of seconds, got {time_limit:g}")
    if handover_on is not None and not apply_:
        raise CaseloadError("--handover-on only makes sense with --apply")
    as_of = as_of or date.today()
    policy = c.policy()
    options = dict(target_pct=target_pct, max_moves=max_moves, keep_cases=keep_cases,
                   keep_practitioners=keep_practitioners, time_limit=time_limit)
    if not apply_:  # a preview reads through storage.reader, without SQLAlchemy
        with c.reader() as r:
            plan, dates = _plan(r, c, team_id, as_of, policy, handover_on, options)
        _show(plan, policy, dates, fmt, applying=False)
        return
    from storage.team import apply_plan, check_may_apply

    def write(s):
        check_may_apply(s, c.actor, team_id)  # refuse before solving
        plan, dates = _plan(s, c, team_id, as_of, policy, handover_on, options)
        _show(plan, policy, dates, fmt, applying=True)
        return apply_plan(s, plan, dates=dates, actor=c.actor, policy=policy)

    applied = c.write(write)
    span = (f"on {applied.planned_on.isoformat()}" if applied.last_on == applied.planned_on
            else f"from {applied.planned_on.isoformat()} to {applied.last_on.isoformat()}")
    message = f"Planned {plural(len(applied.handover_ids), 'handover')} {span} with their checklists"
    if applied.already_planned:
        message += f"; {len(applied.already_planned)} already planned"
    click.echo(message + ".", err=fmt == "json")


def _plan(source, c: Ctx, team_id: str, as_of: date, policy, handover_on, options: dict):
    """The plan and its handover dates, read through `source` (a session or
    a Reader) once the actor is known to see the team."""
    from planner.rebalance import plan_rebalance
    from storage.access import check_team_visible, resolve_actor
    from storage.team import plan_dates, rebalance_input

    from tui.cli.progress import searching

    check_team_visible(resolve_actor(source, c.actor_id), team_id)  # a preview: own team only
    inp = rebalance_input(source, team_id, as_of, policy)
    unknown = sorted(set(options["keep_cases"]) - {case.case_ref for case in inp.cases})
    if unknown:
        raise CaseloadError(f"--keep: no open case of team {team_id}: {', '.join(unknown)}")
    with searching(f"searching for moves in team {team_id}", options["time_limit"]):
        plan = plan_rebalance(inp, **options)
    return plan, plan_dates(source, plan, first=handover_on, policy=policy, read=inp)


def _show(plan, policy, dates: dict, fmt: str, *, applying: bool) -> None:
    if fmt == "json":
        from planner.rebalance import plan_to_dict

        click.echo(json.dumps(plan_to_dict(plan), indent=2, ensure_ascii=False))
        return
    _print_plan(plan, policy, dates)
    if plan.moves and not applying:
        click.echo(f"Nothing is planned yet: --apply plans these handovers on the dates shown "
                   f"(at most {policy.handover.per_day} a working day for each practitioner, "
                   "riskiest first).")


COMMANDS = (rebalance,)
