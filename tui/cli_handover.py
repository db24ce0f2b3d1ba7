"""`caseload handover` commands (SPEC §4, §6).

    caseload handover plan CASE_REF --to ID --on DATE [--reason TEXT]
    caseload handover list [--team ID|--practitioner ID] [--on DATE] [--format table|json]
    caseload handover show CASE_REF [--on DATE] [--format table|json]
    caseload handover tick CASE_REF ITEM_ID [--note TEXT] [--on DATE]
    caseload handover complete CASE_REF [--on DATE] [--override-reason TEXT]
    caseload handover departures PRACTITIONER_ID [--on DATE] [--apply] [--format table|json]

Every command is one transaction, and each starts by writing the checklist
ticks that the records give (`storage.handovers.sync_auto_ticks`, as of the
command's date), so what it shows and what the warnings see follow the data.
`--on` is the as-of date everywhere except `plan`, where it is the handover
date (SPEC §6); it defaults to today. The actor of every change is `--as`.
"""

from __future__ import annotations

import json
from datetime import date
from typing import TYPE_CHECKING

import click

from planner.errors import CaseloadError
from tui.cli_types import DATE

if TYPE_CHECKING:
    from tui.cli import Ctx



def _print_table(header, rows) -> None:
    from tui.cli import _print_table as print_table

    print_table(header, rows)


def _echo_json(data) -> None:
    click.echo(json.dumps(data, indent=2, ensure_ascii=False))


def _ahead(days: int) -> str:
    if days == 0:
        return "today"
    if days > 0:
        return f"in {days} day{'s' if days != 1 else ''}"
    return f"{-days} day{'s' if days != -1 else ''} ago"


def _sync_visible(s, me, *, as_of: date, actor: str, policy) -> int:
    """`sync_auto_ticks` over the cases `me` can see: everything for the
    administrator, the own team's cases (and those they receive) for a
    practitioner. A command never writes ticks into another team's cases."""
    from storage.access import can_see_case
    from storage.handovers import sync_auto_ticks, syncable_case_refs

    refs = None if me.is_admin else [
        ref for ref in syncable_case_refs(s, as_of) if can_see_case(s, me, ref)]
    return sync_auto_ticks(s, as_of=as_of, case_refs=refs, actor=actor, policy=policy)


@click.group()
def handover():
    """Plan warm handovers and work through their checklists."""


@handover.command("plan")
@click.argument("case_ref")
@click.option("--to", "to_id", required=True, metavar="ID", help="The incoming practitioner.")
@click.option("--on", "planned_on", type=DATE, required=True, help="The handover date D.")
@click.option("--reason", metavar="TEXT", help="Why the case moves (no personal details).")
@click.pass_obj
def plan(c: Ctx, case_ref, to_id, planned_on, reason):
    """Plan a handover of CASE_REF to another practitioner, with its checklist."""
    from storage.engine import session as open_session
    from storage.handovers import handover_detail, receiver_concerns, sync_auto_ticks
    from storage.repo import commit_or_conflict, plan_handover

    today = date.today()
    policy = c.policy()
    engine = c.engine()
    with open_session(engine) as s:
        concerns = receiver_concerns(s, case_ref=case_ref, to_practitioner_id=to_id,
                                     planned_on=planned_on, as_of=today, policy=policy)
        plan_handover(s, case_ref=case_ref, to_practitioner_id=to_id, planned_on=planned_on,
                      reason=reason, actor=c.actor, policy=policy)
        sync_auto_ticks(s, as_of=today, case_refs=[case_ref], actor=c.actor, policy=policy)
        view = handover_detail(s, case_ref, as_of=today)
        commit_or_conflict(s)
    click.echo(
        f"planned handover {view.id} of {case_ref}: {view.from_id} -> {view.to_id} on "
        f"{view.planned_on.isoformat()} ({_ahead(view.days_away)}), "
        f"{view.total} checklist items, {view.done} already done"
    )
    for concern in concerns:
        click.echo(f"note: {concern}")


@handover.command("list")
@click.option("--team", "team_id", metavar="ID")
@click.option("--practitioner", "practitioner_id", metavar="ID", help="Outgoing or incoming.")
@click.option("--on", "as_of", type=DATE, help="As-of date (default: today).")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
@click.pass_obj
def list_(c: Ctx, team_id, practitioner_id, as_of, fmt):
    """Open handovers with their progress and the next item due."""
    from storage.engine import session as open_session
    from storage.handovers import open_handovers
    from storage.repo import commit_or_conflict

    if team_id and practitioner_id:
        raise CaseloadError("give --team or --practitioner, not both")
    as_of = as_of or date.today()
    policy = c.policy()
    engine = c.engine()
    with open_session(engine) as s:
        from storage.access import check_practitioner_visible, check_team_visible, resolve_actor, visible_team

        me = resolve_actor(s, c.actor_id)
        if team_id:
            check_team_visible(me, team_id)
        if practitioner_id:
            check_practitioner_visible(s, me, practitioner_id)
        team_id = team_id or (None if practitioner_id else visible_team(me))
        _sync_visible(s, me, as_of=as_of, actor=c.actor, policy=policy)
        views = open_handovers(s, team_id=team_id, practitioner_id=practitioner_id, as_of=as_of)
        commit_or_conflict(s)
    if fmt == "json":
        _echo_json({"as_of": as_of.isoformat(), "handovers": [v.summary_dict() for v in views]})
        return
    if not views:
        click.echo(f"No open handovers as of {as_of.isoformat()}.")
        return
    rows = []
    for v in views:
        nxt = v.next_item
        rows.append([
            v.case_ref, v.from_id, v.to_id, v.planned_on.isoformat(), _ahead(v.days_away), v.status,
            f"{v.done}/{v.total}", str(v.overdue) if v.overdue else "-",
            f"{nxt.item_id} due {nxt.due.isoformat()}" + (" OVERDUE" if nxt.overdue else "") if nxt else "all done",
        ])
    _print_table(["CASE", "FROM", "TO", "DATE", "WHEN", "STATUS", "DONE", "OVERDUE", "NEXT"], rows)
    click.echo(f"{len(views)} open handover(s) as of {as_of.isoformat()}")


@handover.command("show")
@click.argument("case_ref")
@click.option("--on", "as_of", type=DATE, help="As-of date (default: today).")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
@click.pass_obj
def show(c: Ctx, case_ref, as_of, fmt):
    """The case's open (or latest) handover and its checklist."""
    from storage.engine import session as open_session
    from storage.handovers import handover_detail, sync_auto_ticks
    from storage.repo import commit_or_conflict

    as_of = as_of or date.today()
    policy = c.policy()
    engine = c.engine()
    with open_session(engine) as s:
        from storage.access import check_case_access, resolve_actor

        check_case_access(s, resolve_actor(s, c.actor_id), case_ref)
        sync_auto_ticks(s, as_of=as_of, case_refs=[case_ref], actor=c.actor, policy=policy)
        view = handover_detail(s, case_ref, as_of=as_of)
        commit_or_conflict(s)
    if fmt == "json":
        _echo_json(view.to_dict())
        return
    click.echo(
        f"Handover {view.id} of {view.case_ref}: {view.from_id} ({view.from_name}) -> "
        f"{view.to_id} ({view.to_name}) on {view.planned_on.isoformat()} ({_ahead(view.days_away)})"
    )
    status = view.status + (" (reviewed)" if view.cold and view.reviewed else
                            " (cold, not yet reviewed)" if view.cold else "")
    click.echo(f"Status: {status}; {view.done}/{view.total} done, {view.overdue} overdue")
    if view.reason:
        click.echo(f"Reason: {view.reason}")
    if view.completed_on:
        click.echo(f"Completed: {view.completed_on.isoformat()}")
    if view.override_reason:
        click.echo(f"Override: {view.override_reason}")
    click.echo(f"Summary: {'written' if view.summary and view.summary.strip() else 'not written yet'}")
    rows = []
    for item in view.items:
        if item.done:
            state = f"done {item.done_on.isoformat() if item.done_on else ''}" + (
                " (from records)" if item.auto else f" ({item.done_by})" if item.done_by else "")
        else:
            state = "OVERDUE" if item.overdue else "open"
        rows.append([
            "[x]" if item.done else "[ ]", item.item_id, "required" if item.required else "optional",
            item.due.isoformat(), item.owner, state, item.title,
        ])
    _print_table(["", "ITEM", "", "DUE", "WHO", "STATE", "WHAT"], rows)


@handover.command("tick")
@click.argument("case_ref")
@click.argument("item_id")
@click.option("--note", metavar="TEXT", help="A note on the item.")
@click.option("--on", "as_of", type=DATE, help="The date it was done (default: today).")
@click.pass_obj
def tick(c: Ctx, case_ref, item_id, note, as_of):
    """Tick ITEM_ID of the case's open handover as done."""
    from storage.engine import session as open_session
    from storage.handovers import tick_item
    from storage.repo import commit_or_conflict

    as_of = as_of or date.today()
    policy = c.policy()
    engine = c.engine()
    with open_session(engine) as s:
        view = tick_item(s, case_ref=case_ref, item_id=item_id, note=note, on=as_of,
                         actor=c.actor, policy=policy)
        commit_or_conflict(s)
    open_required = view.required_open
    click.echo(
        f"ticked {item_id} of {case_ref}: {view.done}/{view.total} done; "
        + (f"required still open: {', '.join(open_required)}" if open_required
           else "every required item is done")
    )


@handover.command("complete")
@click.argument("case_ref")
@click.option("--on", "on", type=DATE, help="Completion date: the receiver holds the case from it (default: today).")
@click.option("--override-reason", metavar="TEXT", help="Needed when required items are still open (the handover then counts as cold).")
@click.pass_obj
def complete(c: Ctx, case_ref, on, override_reason):
    """Complete the case's open handover: the receiver takes the case on that date."""
    from storage.engine import session as open_session
    from storage.handovers import complete_handover
    from storage.repo import commit_or_conflict

    on = on or date.today()
    policy = c.policy()
    engine = c.engine()
    with open_session(engine) as s:
        view = complete_handover(s, case_ref=case_ref, on=on, override_reason=override_reason,
                                 actor=c.actor, policy=policy)
        commit_or_conflict(s)
    kind = "COLD" if view.cold else "warm"
    click.echo(
        f"completed handover {view.id} of {case_ref} ({kind}): {view.to_id} holds the case from "
        f"{on.isoformat()}"
    )
    if view.override_reason:
        click.echo(f"override recorded; items left open: {', '.join(view.required_open) or '-'}")
    if view.cold:
        click.echo("cold: it is flagged (cold_handover) for review in supervision")


@handover.command("departures")
@click.argument("practitioner_id")
@click.option("--on", "as_of", type=DATE, help="As-of date (default: today).")
@click.option("--apply", "apply_", is_flag=True, help="Plan every suggested handover, with checklists, in one go.")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
@click.pass_obj
def departures(c: Ctx, practitioner_id, as_of, apply_, fmt):
    """Planning list for a practitioner who leaves or goes away: a receiver for
    every case (or named cover for a short absence)."""
    from planner.departures import cover_suggestions, departure_events, departure_plan
    from storage.engine import session as open_session
    from storage.handovers import plan_many
    from storage.queries import load_cases, load_world
    from storage.repo import commit_or_conflict

    as_of = as_of or date.today()
    policy = c.policy()
    engine = c.engine()
    planned: list[int] = []
    with open_session(engine) as s:
        from storage.access import check_practitioner_visible, practitioner_team_id, require_lead, resolve_actor

        me = resolve_actor(s, c.actor_id)
        check_practitioner_visible(s, me, practitioner_id)  # unknown ids are refused here too
        if apply_:
            require_lead(me, practitioner_team_id(s, practitioner_id),
                         f"plan the handovers of {practitioner_id}'s cases")
        _sync_visible(s, me, as_of=as_of, actor=c.actor, policy=policy)
        s.flush()
        world = load_world(s)
        person = world.practitioners.get(practitioner_id)
        if person is None:
            raise CaseloadError(f"unknown practitioner {practitioner_id}")
        cases = load_cases(s, team_id=person.team_id)
        events = departure_events(practitioner_id, world, as_of, policy)
        long_event = next((e for e in events if e.needs_handover), None)
        event = long_event or next((e for e in events if e.kind == "short_absence"), None)
        items = departure_plan(practitioner_id, cases, world, as_of, policy)
        covers = [] if long_event else cover_suggestions(practitioner_id, cases, world, as_of, policy)
        ready = [item for item in items if item.to_practitioner_id is not None]
        if apply_ and ready:
            planned = plan_many(s, ready, actor=c.actor, policy=policy, as_of=as_of)
        commit_or_conflict(s)
    if fmt == "json":
        _echo_json({
            "practitioner_id": practitioner_id,
            "as_of": as_of.isoformat(),
            "event": None if event is None else {
                "kind": event.kind,
                "starts_on": event.starts_on.isoformat(),
                "ends_on": event.ends_on.isoformat() if event.ends_on else None,
            },
            "cases": [_item_dict(item) for item in items],
            "cover": [_cover_dict(cover) for cover in covers],
            "planned": planned,
        })
        return
    if event is None:
        click.echo(
            f"{practitioner_id} is not leaving and has no absence in the next "
            f"{policy.handover_unplanned.horizon_days} days: nothing to plan."
        )
        return
    click.echo(f"{event.describe()}.")
    if items:
        _print_table(
            ["CASE", "TIER", "TO", "DATE", "WHY"],
            [[i.case_ref, i.tier or "-", i.to_practitioner_id or "NONE", i.planned_on.isoformat(),
              i.reason + "".join(f" [{n}]" for n in i.notes)] for i in items],
        )
        missing = len(items) - len(ready)
        if apply_:
            click.echo(f"planned {len(planned)} handover(s), each with its checklist")
        else:
            click.echo(f"{len(items)} case(s) need a handover; add --apply to plan the {len(ready)} suggested")
        if missing:
            click.echo(f"{missing} case(s) have no eligible receiver: plan them with `caseload handover plan`")
    elif covers:
        _print_table(
            ["CASE", "COVER", "WHY"],
            [[cv.case_ref, cv.cover_id or "NONE", cv.reason] for cv in covers],
        )
        click.echo("a short absence needs cover, not a handover: name the cover on the absence")
    else:
        click.echo("every case already has a handover planned.")


def _item_dict(item) -> dict:
    return {
        "case_ref": item.case_ref,
        "from": item.from_practitioner_id,
        "to": item.to_practitioner_id,
        "planned_on": item.planned_on.isoformat(),
        "reason": item.reason,
        "tier": item.tier,
        "points": item.points,
        "knows": item.knows,
        "over_target": item.over_target,
        "capacity_pct_after": None if item.capacity_pct_after is None else round(item.capacity_pct_after, 1),
        "candidates": [
            {"practitioner_id": cand.practitioner_id, "capacity_pct_after": round(cand.capacity_pct_after, 1),
             "knows": cand.knows, "reason": cand.reason}
            for cand in item.candidates
        ],
        "notes": list(item.notes),
    }


def _cover_dict(cover) -> dict:
    return {
        "case_ref": cover.case_ref,
        "cover": cover.cover_id,
        "reason": cover.reason,
        "knows": cover.knows,
        "absence": {"starts_on": cover.absence.start_date.isoformat(),
                    "ends_on": cover.absence.end_date.isoformat()},
    }
