"""`caseload handover` commands (docs/handovers.md; README, Using it).

    caseload handover plan CASE_REF --to ID --on DATE [--reason TEXT] [--override-reason TEXT] [--as-of DATE]
    caseload handover replan CASE_REF [--to ID] [--on DATE] [--override-reason TEXT] [--as-of DATE]
    caseload handover list [--team ID|--practitioner ID] [--on DATE] [--format table|json]
    caseload handover show CASE_REF [--on DATE] [--format table|json]
    caseload handover tick CASE_REF ITEM [--view VIEW --words TEXT] [--note TEXT] [--on DATE]
    caseload handover summary CASE_REF (--text TEXT | --file FILE)
    caseload handover complete CASE_REF [--on DATE] [--override-reason TEXT] [--as-of DATE]
    caseload handover review CASE_REF --note TEXT [--on DATE]
    caseload handover departures PRACTITIONER_ID [--on DATE] [--receiver REF=ID] [--date REF=DATE]
                                 [--apply] [--format table|json]

Every command is one transaction, and each starts by writing the checklist
ticks that the records give (`storage.handovers.sync_auto_ticks`, as of the
command's date), so what it shows and what the warnings see follow the data.
`--on` is the as-of date everywhere except `plan` and `replan` (the handover
date D, README, Using it), `complete` (the completion date) and `review` (the
review's date); `--as-of` is then the date the checks count from. Both
default to today. The actor of every change is `--as`.

Tables show each checklist item's title, never its id (docs/handovers.md), numbered:
`tick` takes the number `show` prints, or the id the JSON carries.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import click

from planner.errors import CaseloadError
from planner.words import plural
from tui.cli.base import DATE, Ctx, FilePath, LazyChoice, parse_date, print_table
from tui.cli.base import echo_json as _echo_json


def _checklist():
    """planner.checklist (its VIEWS and VIEW_WORDS), imported when needed."""
    import planner.checklist

    return planner.checklist


def _ahead(days: int) -> str:
    if days == 0:
        return "today"
    if days > 0:
        return f"in {days} day{'s' if days != 1 else ''}"
    return f"{-days} day{'s' if days != -1 else ''} ago"


def _visible_refs(source, me, as_of: date) -> list[str] | None:
    """The cases whose auto-ticks a command brings up to date: every one for
    the administrator (None), the own team's cases (and those they receive)
    for a practitioner. A command never writes ticks into another team's cases."""
    from storage.access import can_see_case
    from storage.queries.handovers import syncable_case_refs

    return None if me.is_admin else [
        ref for ref in syncable_case_refs(source, as_of) if can_see_case(source, me, ref)]


def _synced(c: Ctx, *, as_of: date, policy, check, read, write: bool = False):
    """`read(source, me)` once the checklist ticks the records give are
    written for the cases `check(source, me)` names (None: every case;
    `check` also refuses what `me` may not see). On the Reader, importing no
    ORM, when there is no tick left to write (the usual case: whoever ran
    last wrote them) and `read` writes nothing (not `write`); else in one
    transaction that writes them first (`storage.handovers.sync_auto_ticks`),
    as every handover command does."""
    from storage.access import resolve_actor
    from storage.queries.handovers import due_ticks, syncable_case_refs

    if not write:
        with c.reader() as r:
            me = resolve_actor(r, c.actor_id)
            refs = check(r, me)
            if not due_ticks(r, syncable_case_refs(r, as_of, refs), as_of, policy):
                return read(r, me)
    from storage.handovers import sync_auto_ticks

    def write(s):
        me = resolve_actor(s, c.actor_id)
        sync_auto_ticks(s, as_of=as_of, case_refs=check(s, me), actor=c.actor, policy=policy)
        return read(s, me)

    return c.write(write)


@click.group()
def handover():
    """Plan warm handovers and work through their checklists."""


@handover.command("plan")
@click.argument("case_ref")
@click.option("--to", "to_id", required=True, metavar="ID", help="The incoming practitioner.")
@click.option("--on", "planned_on", type=DATE, required=True, help="The handover date D.")
@click.option("--reason", metavar="TEXT", help="Why the case moves (no personal details).")
@click.option("--override-reason", metavar="TEXT",
              help="Team leads: plan it although the receiver's grade or the person's not_with list bars it.")
@click.option("--as-of", "as_of", type=DATE, help="The date the checks count from (default: today).")
@click.pass_obj
def plan(c: Ctx, case_ref, to_id, planned_on, reason, override_reason, as_of):
    """Plan a handover of CASE_REF to another practitioner, with its checklist."""
    from storage.handovers import handover_detail, receiver_concerns, sync_auto_ticks
    from storage.repo import plan_handover

    today = as_of or date.today()
    policy = c.policy()

    def write(s):
        plan_handover(s, case_ref=case_ref, to_practitioner_id=to_id, planned_on=planned_on,
                      reason=reason, actor=c.actor, policy=policy, as_of=today,
                      override_reason=override_reason)
        concerns = receiver_concerns(s, case_ref=case_ref, to_practitioner_id=to_id,
                                     planned_on=planned_on, as_of=today, policy=policy)
        sync_auto_ticks(s, as_of=today, case_refs=[case_ref], actor=c.actor, policy=policy)
        return concerns, handover_detail(s, case_ref, as_of=today)

    concerns, view = c.write(write)
    click.echo(
        f"planned handover {view.id} of {case_ref}: {view.from_id} -> {view.to_id} on "
        f"{view.planned_on.isoformat()} ({_ahead(view.days_away)}), "
        f"{view.total} checklist items, {view.done} already done"
        + ("; planned with a lead's override (recorded)" if view.plan_override_reason else "")
    )
    for concern in concerns:
        click.echo(f"note: {concern}")


@handover.command("replan")
@click.argument("case_ref")
@click.option("--to", "to_id", metavar="ID", help="A new incoming practitioner.")
@click.option("--on", "planned_on", type=DATE, help="A new handover date D.")
@click.option("--override-reason", metavar="TEXT",
              help="Team leads: re-plan it although the receiver's grade or the person's not_with list bars it.")
@click.option("--as-of", "as_of", type=DATE, help="The date the checks count from (default: today).")
@click.pass_obj
def replan(c: Ctx, case_ref, to_id, planned_on, override_reason, as_of):
    """Change the date or the receiver of CASE_REF's open handover, keeping what is done."""
    from storage.handovers import replan_handover

    today = as_of or date.today()
    view = c.write(lambda s: replan_handover(s, case_ref=case_ref, to_practitioner_id=to_id, planned_on=planned_on,
                                             actor=c.actor, as_of=today, override_reason=override_reason,
                                             policy=c.policy()))
    click.echo(
        f"re-planned handover {view.id} of {case_ref}: {view.from_id} -> {view.to_id} on "
        f"{view.planned_on.isoformat()} ({_ahead(view.days_away)}); {view.done} of {view.total} "
        "items done, the others dated from the new date"
    )


@handover.command("list")
@click.option("--team", "team_id", metavar="ID")
@click.option("--practitioner", "practitioner_id", metavar="ID", help="Outgoing or incoming.")
@click.option("--on", "as_of", type=DATE, help="As-of date (default: today).")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
@click.pass_obj
def list_(c: Ctx, team_id, practitioner_id, as_of, fmt):
    """Open handovers with their progress and the next item due."""
    from storage.access import check_practitioner_visible, check_team_visible, visible_team
    from storage.queries.handovers import open_handovers

    if team_id and practitioner_id:
        raise CaseloadError("give --team or --practitioner, not both")
    as_of = as_of or date.today()

    def check(source, me):
        if team_id:
            check_team_visible(me, team_id)
        if practitioner_id:
            check_practitioner_visible(source, me, practitioner_id)
        return _visible_refs(source, me, as_of)

    def read(source, me):
        from storage.access import visible_case_refs

        team = team_id or (None if practitioner_id else visible_team(me))
        views = open_handovers(source, team_id=team, practitioner_id=practitioner_id, as_of=as_of)
        seen = visible_case_refs(source, me)  # a colleague's restricted case is left out (§11)
        return views if seen is None else [v for v in views if v.case_ref in seen]

    views = _synced(c, as_of=as_of, policy=c.policy(), check=check, read=read)
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
            f"{nxt.title} (due {nxt.due.isoformat()})" + (" OVERDUE" if nxt.overdue else "") if nxt else "all done",
        ])
    print_table(["CASE", "FROM", "TO", "DATE", "WHEN", "STATUS", "DONE", "OVERDUE", "NEXT"], rows)
    click.echo(f"{plural(len(views), 'open handover')} as of {as_of.isoformat()}")


@handover.command("show")
@click.argument("case_ref")
@click.option("--on", "as_of", type=DATE, help="As-of date (default: today).")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
@click.pass_obj
def show(c: Ctx, case_ref, as_of, fmt):
    """The case's open (or latest) handover and its checklist."""
    from storage.access import check_case_access
    from storage.queries.handovers import handover_detail

    as_of = as_of or date.today()

    def check(source, me):
        check_case_access(source, me, case_ref)
        return [case_ref]

    view = _synced(c, as_of=as_of, policy=c.policy(), check=check,
                   read=lambda source, _me: handover_detail(source, case_ref, as_of=as_of))
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
    if view.plan_override_reason:
        click.echo(f"Planned with a lead's override: {view.plan_override_reason}")
    if view.reviewed:
        click.echo(f"Reviewed: by {view.reviewed_by or '?'} on "
                   f"{view.reviewed_on.isoformat() if view.reviewed_on else '?'}: {view.review_note or ''}")
    click.echo(f"Summary: {'written' if view.summary and view.summary.strip() else 'not written yet'}")
    rows = []
    for number, item in enumerate(view.items, 1):
        if item.done:
            state = f"done {item.done_on.isoformat() if item.done_on else ''}" + (
                " (from records)" if item.auto else f" ({item.done_by})" if item.done_by else "")
        else:
            state = "OVERDUE" if item.overdue else "open"
        what = item.title
        if item.view:
            what += f" [the person {_checklist().VIEW_WORDS.get(item.view, item.view)}]"
        rows.append([
            str(number), "[x]" if item.done else "[ ]", "required" if item.required else "optional",
            item.due.isoformat(), item.owner, state, what,
        ])
    print_table(["#", "", "", "DUE", "WHO", "STATE", "WHAT"], rows)
    click.echo("tick an item by its number: caseload handover tick " + view.case_ref + " N")


@handover.command("tick")
@click.argument("case_ref")
@click.argument("item")
@click.option("--view", type=LazyChoice(lambda: _checklist().VIEWS), help="told and review: the person's view of the change.")
@click.option("--words", metavar="TEXT", help="told and review: the person's own words.")
@click.option("--note", metavar="TEXT", help="A note on the item.")
@click.option("--on", "as_of", type=DATE, help="The date it was done (default: today).")
@click.pass_obj
def tick(c: Ctx, case_ref, item, view, words, note, as_of):
    """Tick ITEM (its number in `show`, or its id) of the case's open handover as done."""
    from storage.handovers import handover_detail, tick_item

    as_of = as_of or date.today()
    policy = c.policy()

    def write(s):
        item_id = _item_id(handover_detail(s, case_ref, as_of=as_of), item) if item.isdigit() else item
        return item_id, tick_item(s, case_ref=case_ref, item_id=item_id, note=note, on=as_of, actor=c.actor,
                                  policy=policy, view=view, words=words)

    item_id, view_ = c.write(write)
    open_required = view_.required_open
    click.echo(
        f"ticked {view_.title_of(item_id)!r} of {case_ref}: {view_.done}/{view_.total} done; "
        + (f"required still open: {view_.titles(open_required)}" if open_required
           else "every required item is done")
    )


def _item_id(view, item: str) -> str:
    """The item id for ITEM: the row number `show` prints, or the id itself
    (unknown ids are refused later, naming the valid ones)."""
    if item.isdigit():
        number = int(item)
        if not 1 <= number <= len(view.items):
            raise CaseloadError(f"no item {number} on the checklist of case {view.case_ref}; "
                                f"`caseload handover show {view.case_ref}` numbers them 1 to {len(view.items)}")
        return view.items[number - 1].item_id
    return item


@handover.command("summary")
@click.argument("case_ref")
@click.option("--text", metavar="TEXT", help="The summary (replaces what is there).")
@click.option("--file", "file", type=FilePath(), help="Read the summary from this UTF-8 file.")
@click.pass_obj
def summary(c: Ctx, case_ref, text, file):
    """Write the outgoing practitioner's handover summary: what works in the
    relationship, goals, risks, what the person does not want to repeat.
    Editable until the four-week review is done."""
    from pathlib import Path

    from storage.handovers import save_summary

    if (text is None) == (file is None):
        raise CaseloadError("give the summary with --text or --file (one of them)")
    if file is not None:
        try:
            text = Path(file).read_text(encoding="utf-8-sig")
        except UnicodeDecodeError:
            raise CaseloadError(f"{file}: not UTF-8 text") from None
    view = c.write(lambda s: save_summary(s, case_ref=case_ref, text=text, expected_version=None, actor=c.actor))
    written = bool(view.summary and view.summary.strip())
    click.echo(f"summary of {case_ref}'s handover {'saved' if written else 'cleared'} "
               f"({len(view.summary or '')} characters)"
               + ("; tick it when it is finished: caseload handover tick " + case_ref + " summary"
                  if written and not view.item("summary").done else ""))


@handover.command("complete")
@click.argument("case_ref")
@click.option("--on", "on", type=DATE, help="Completion date: the receiver holds the case from it (default: today).")
@click.option("--override-reason", metavar="TEXT",
              help="Team leads: complete with items still open (the handover then counts as cold).")
@click.option("--as-of", "as_of", type=DATE, help="Today's date for the checks (default: today).")
@click.pass_obj
def complete(c: Ctx, case_ref, on, override_reason, as_of):
    """Complete the case's open handover: the receiver takes the case on that date."""
    from storage.handovers import complete_handover

    today = as_of or date.today()
    on = on or today
    view = c.write(lambda s: complete_handover(s, case_ref=case_ref, on=on, override_reason=override_reason,
                                               actor=c.actor, policy=c.policy(), as_of=today))
    kind = "COLD" if view.cold else "warm"
    click.echo(
        f"completed handover {view.id} of {case_ref} ({kind}): {view.to_id} holds the case from "
        f"{on.isoformat()}"
    )
    if view.override_reason:
        click.echo(f"override recorded; left open: {view.titles(view.required_open) or '-'}")
    if view.cold:
        click.echo("cold: it shows as a cold handover (cold_handover) until a team lead reviews it "
                   f"(caseload handover review {case_ref} --note ...)")


@handover.command("review")
@click.argument("case_ref")
@click.option("--note", required=True, metavar="TEXT", help="What was learnt and what is done for the person now.")
@click.option("--on", "on", type=DATE, help="The review's date (default: today).")
@click.pass_obj
def review(c: Ctx, case_ref, note, on):
    """A team lead reviews CASE_REF's cold handover: it then leaves the warnings."""
    from storage.handovers import review_handover

    view = c.write(lambda s: review_handover(s, case_ref=case_ref, note=note, actor=c.actor, on=on or date.today()))
    click.echo(f"reviewed the cold handover {view.id} of {case_ref} ({view.from_id} -> {view.to_id}, "
               f"completed {view.completed_on.isoformat() if view.completed_on else '?'}): "
               f"by {view.reviewed_by} on {view.reviewed_on.isoformat()}")


@handover.command("departures")
@click.argument("practitioner_id")
@click.option("--on", "as_of", type=DATE, help="As-of date (default: today).")
@click.option("--receiver", "receivers", multiple=True, metavar="CASE_REF=ID",
              help="Give this case to another receiver than the one suggested (repeatable).")
@click.option("--date", "dates", multiple=True, metavar="CASE_REF=DATE",
              help="Hand this case over on another date than the one suggested (repeatable).")
@click.option("--apply", "apply_", is_flag=True,
              help="Plan the handovers shown (with the changes given), with checklists, in one go.")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
@click.pass_obj
def departures(c: Ctx, practitioner_id, as_of, receivers, dates, apply_, fmt):
    """Planning list for a practitioner who leaves or goes away: every case
    dated (at most 2 a working day, riskiest first) with a suggested
    receiver, or named cover for a short absence. Nothing is written without
    --apply; the list is printed first either way."""
    from storage.access import check_practitioner_visible, practitioner_team_id, require_lead

    as_of = as_of or date.today()
    policy = c.policy()

    def check(source, me):
        check_practitioner_visible(source, me, practitioner_id)  # unknown ids are refused here too
        if apply_:
            require_lead(me, practitioner_team_id(source, practitioner_id),
                         f"plan the handovers of {practitioner_id}'s cases")
        return _visible_refs(source, me, as_of)

    def read(source, _me):
        found = _departure_list(source, practitioner_id, as_of, receivers, dates, policy)
        if apply_ and found.ready:
            from storage.handovers import plan_many

            found.planned = plan_many(source, found.ready, actor=c.actor, policy=policy, as_of=as_of)
        return found

    found = _synced(c, as_of=as_of, policy=policy, check=check, read=read, write=apply_)
    if fmt == "json":
        _echo_json(_departures_dict(found, practitioner_id, as_of))
    elif found.event is None:
        click.echo(
            f"{practitioner_id} is not leaving and has no absence in the next "
            f"{policy.handover_unplanned.horizon_days} days: nothing to plan."
        )
    else:
        _print_departures(found, practitioner_id, apply_, policy)


@dataclass
class _Departures:
    event: object  # planner.departures' event that needs planning, or None
    items: list  # DepartureItem, by date
    covers: list  # cover suggestions for a short absence
    ready: list  # items with a receiver
    cases: list  # the team's cases
    planned: list[int]  # handovers planned by --apply


def _departure_list(source, practitioner_id, as_of: date, receivers, dates, policy) -> _Departures:
    """The dated list with the lead's changes (`planned` is --apply's to fill)."""
    from planner.departures import cover_suggestions, departure_events, departure_plan
    from storage.queries import load_world
    from tui.cli.plan_reads import own_cases_in_full

    world = load_world(source)
    person = world.practitioners.get(practitioner_id)
    if person is None:
        raise CaseloadError(f"unknown practitioner {practitioner_id}")
    cases = own_cases_in_full(source, practitioner_id, team_id=person.team_id)
    events = departure_events(practitioner_id, world, as_of, policy)
    long_event = next((e for e in events if e.needs_handover), None)
    event = long_event or next((e for e in events if e.kind == "short_absence"), None)
    items = _with_changes(departure_plan(practitioner_id, cases, world, as_of, policy), receivers, dates,
                          world, as_of, policy)
    covers = [] if long_event else cover_suggestions(practitioner_id, cases, world, as_of, policy)
    ready = [item for item in items if item.to_practitioner_id is not None]
    return _Departures(event, items, covers, ready, cases, [])


def _with_changes(items, receivers, dates, world, as_of: date, policy) -> list:
    """The list with `--receiver` and `--date` applied, by date then risk."""
    from planner.departures import with_choice

    by_ref = {item.case_ref: item for item in items}
    for ref, value in _pairs(receivers, "--receiver", by_ref):
        if value not in world.practitioners:
            raise CaseloadError(f"--receiver {ref}={value}: unknown practitioner {value}")
        by_ref[ref] = with_choice(by_ref[ref], as_of=as_of, to_id=value, policy=policy)
    for ref, value in _pairs(dates, "--date", by_ref):
        day = parse_date(value, f"--date {ref}")
        by_ref[ref] = with_choice(by_ref[ref], as_of=as_of, planned_on=day, policy=policy)
    return sorted(by_ref.values(), key=lambda i: (i.planned_on, -i.score, i.case_ref))


def _departures_dict(found: _Departures, practitioner_id: str, as_of: date) -> dict:
    event, items = found.event, found.items
    return {
        "practitioner_id": practitioner_id,
        "as_of": as_of.isoformat(),
        "event": None if event is None else {
            "kind": event.kind,
            "starts_on": event.starts_on.isoformat(),
            "ends_on": event.ends_on.isoformat() if event.ends_on else None,
        },
        "cases": [_item_dict(item) for item in items],
        "short_notice": [item.case_ref for item in items if item.short_notice],
        "late": [item.case_ref for item in items if item.late],
        "cover": [_cover_dict(cover) for cover in found.covers],
        "planned": found.planned,
    }


def _print_departures(found: _Departures, practitioner_id: str, apply_: bool, policy) -> None:
    click.echo(f"{found.event.describe()}.")
    items = found.items
    if items:
        print_table(
            ["DATE", "CASE", "TIER", "RISK", "TO", "WHY"],
            [[f"{i.planned_on:%a} {i.planned_on.isoformat()}", i.case_ref, i.tier or "-", str(i.score),
              i.to_practitioner_id or "NONE", i.reason + "".join(f" [{n}]" for n in i.notes)] for i in items],
        )
        _print_departure_notes(found, practitioner_id, apply_, policy)
    elif found.covers:
        print_table(
            ["CASE", "COVER", "WHY"],
            [[cv.case_ref, cv.cover_id or "NONE", cv.reason] for cv in found.covers],
        )
        click.echo("a short absence needs cover, not a handover: name the cover on the absence")
    else:
        click.echo("every case already has a handover planned.")


def _print_departure_notes(found: _Departures, practitioner_id: str, apply_: bool, policy) -> None:
    from planner.departures import busiest_day, planned_per_day

    items, ready = found.items, found.ready
    days = sorted({i.planned_on for i in items})
    per_day = policy.handover.per_day
    busiest, most = busiest_day(items, planned_per_day(practitioner_id, found.cases))
    if most > per_day:  # the lead's dates: said, not refused
        click.echo(f"{plural(len(items), 'case')} from {days[0]:%a %d %b} to {days[-1]:%a %d %b}, riskiest first; "
                   f"{most} handovers for {practitioner_id} on {busiest:%a %d %b} counting those already "
                   f"planned: more than the {per_day} a working day suggested")
    else:
        click.echo(f"{plural(len(items), 'case')} from {days[0]:%a %d %b} to {days[-1]:%a %d %b}, "
                   f"at most {per_day} a working day for {practitioner_id}, riskiest first")
    short = [i.case_ref for i in items if i.short_notice]
    if short:
        click.echo(f"under {policy.handover.default_days_ahead} days' notice: {', '.join(short)}")
    late = [i.case_ref for i in items if i.late]
    if late:
        click.echo(f"no working day left before {practitioner_id} goes: {', '.join(late)}")
    if apply_:
        click.echo(f"planned {plural(len(found.planned), 'handover')}, each with its checklist")
    else:
        click.echo(f"nothing is planned yet: check the list (change it with --receiver CASE_REF=ID and "
                   f"--date CASE_REF=DATE), then add --apply to plan the {len(ready)} with a receiver")
    missing = len(items) - len(ready)
    if missing:
        click.echo(f"{plural(missing, 'case')} {'has' if missing == 1 else 'have'} no suggested receiver: "
                   "choose one with --receiver, "
                   "or plan them with `caseload handover plan`")


def _pairs(values, option: str, known: dict) -> list[tuple[str, str]]:
    """`CASE_REF=VALUE` options, checked against the cases of the list."""
    out = []
    for raw in values:
        ref, sep, value = raw.partition("=")
        ref, value = ref.strip(), value.strip()
        if not sep or not ref or not value:
            raise CaseloadError(f"{option} {raw!r}: expected CASE_REF=VALUE")
        if ref not in known:
            raise CaseloadError(f"{option} {raw}: {ref} is not on this departure's list")
        out.append((ref, value))
    return out


def _item_dict(item) -> dict:
    return {
        "case_ref": item.case_ref,
        "from": item.from_practitioner_id,
        "to": item.to_practitioner_id,
        "planned_on": item.planned_on.isoformat(),
        "notice_days": item.notice_days,
        "short_notice": item.short_notice,
        "late": item.late,
        "risk_score": item.score,
        "cost": item.cost,
        "reason": item.reason,
        "tier": item.tier,
        "points": item.points,
        "knows": item.knows,
        "over_target": item.over_target,
        "capacity_pct_after": None if item.capacity_pct_after is None else round(item.capacity_pct_after, 1),
        "candidates": [
            {"practitioner_id": cand.practitioner_id, "capacity_pct_after": round(cand.capacity_pct_after, 1),
             "knows": cand.knows, "cost": cand.cost, "reason": cand.reason}
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


COMMANDS = (handover,)
