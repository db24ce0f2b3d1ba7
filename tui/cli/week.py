"""`caseload week`: a practitioner's week, as a table, JSON or an .ics file.

It reads through `storage.reader` (no SQLAlchemy); only `--output`, which
records an `export` audit event, opens the SQLAlchemy engine to write it.
"""

from __future__ import annotations

import io
import json
import sys
from datetime import date
from pathlib import Path

import click

from planner.errors import CaseloadError
from tui.cli.base import DATE, Ctx, FilePath, write_audited


@click.command()
@click.option("--practitioner", "practitioner_id", metavar="ID", help="Whose week (default: --as).")
@click.option("--week-of", "week_of", type=DATE, help="Any date in the week (default: today).")
@click.option("--on", "as_of", type=DATE, hidden=True, help="As-of date for what is overdue (default: --week-of or today).")
@click.option("--format", "fmt", type=click.Choice(["table", "json", "ics"]), default="table", show_default=True)
@click.option("--output", type=FilePath(), help="Write to this file (0600) instead of standard output.")
@click.option("--force", is_flag=True, help="Replace the --output file if it exists.")
@click.option("--names", is_flag=True, help="Put people's names in the .ics (default: case refs only).")
@click.option("--suggest", is_flag=True,
              help="Propose a slot for every case whose contact falls due by the end of next week with nothing booked.")
@click.option("--apply", is_flag=True, help="With --suggest: book the proposals.")
@click.pass_obj
def week(c: Ctx, practitioner_id, week_of, as_of, fmt, output, force, names, suggest, apply):
    """A practitioner's week: appointments, contacts due, handover tasks, actions, catch-up."""
    practitioner_id = practitioner_id or c.actor_id
    if not practitioner_id:
        raise CaseloadError("whose week? give --practitioner ID (or --as ID)")
    if apply and not suggest:
        raise CaseloadError("--apply books the proposals of --suggest: give both")
    if suggest and (fmt == "ics" or output):
        raise CaseloadError("--suggest prints a table or JSON (no --format ics, no --output)")
    week_of = week_of or date.today()
    as_of = as_of or (week_of if week_of < date.today() else date.today())
    policy = c.policy()
    people, cases, world, actions = _read_week(c, practitioner_id, suggest)
    if suggest:
        _suggest(c, practitioner_id, week_of, cases, world, as_of, policy, fmt, apply)
        return
    from planner.week import week_plan

    plan = week_plan(practitioner_id, week_of, cases, world, actions, as_of, policy)
    data = _render(plan, people, fmt, names)
    if not output:
        if isinstance(data, bytes):
            sys.stdout.buffer.write(data)
        else:
            click.echo(data, nl=False)
        return
    write_audited(c.audit_engine(), Path(output), data if isinstance(data, bytes) else data.encode(), force=force,
                  actor=c.actor, entity="week", key=f"{practitioner_id}/{plan.week_start.isoformat()}",
                  format=fmt, names=names)
    click.echo(f"wrote {output}")


def _suggest(c: Ctx, practitioner_id, week_of, cases, world, as_of, policy, fmt, apply) -> None:
    """`week --suggest`: the proposals (planner/suggest.py), booked with --apply."""
    from planner.suggest import proposals_to_dict, suggest

    proposals = suggest(practitioner_id, week_of, cases, world, as_of, policy)
    booked = []
    if apply and proposals:
        from storage.repo import book_appointments

        booked = c.write(lambda s: book_appointments(s, [
            {"case_ref": p.case_ref, "appointment_date": p.day, "practitioner_id": practitioner_id,
             "time": p.time, "kind": p.kind} for p in proposals], actor=c.actor))
    if fmt == "json":
        data = proposals_to_dict(practitioner_id, week_of, proposals)
        if apply:
            for item, aid in zip(data["proposals"], booked):
                item["appointment_id"] = aid
        click.echo(json.dumps(data, indent=2, ensure_ascii=False))
        return
    click.echo(f"Proposed for {practitioner_id}, week of {week_of:%a %d %b %Y} and the next, riskiest first:")
    if not proposals:
        click.echo("  nothing: every contact falling due has an appointment booked")
    for p in proposals:
        click.echo(f"  {p.day:%a %d %b} {p.time:%H:%M}  {p.case_ref:<10} {p.reason}")
    if apply:
        click.echo(f"booked {len(booked)}")


def _read_week(c: Ctx, practitioner_id: str, suggest: bool = False):
    """Everyone, the cases, the world and the practitioner's actions (when the
    actor may read them), once the signed-in actor is known to see that
    practitioner's week. For
    `--suggest`, no actions, and only the practitioner's own cases with their
    contacts (tui/cli/plan_reads.py)."""
    from storage.access import check_practitioner_visible, resolve_actor
    from storage.queries import list_practitioners, load_cases, load_week_actions, load_world
    from tui.cli.plan_reads import own_cases_in_full

    with c.reader() as r:
        people = {p.practitioner_id: p for p in list_practitioners(r)}
        if practitioner_id not in people:
            raise CaseloadError(f"unknown practitioner {practitioner_id}")
        me = resolve_actor(r, c.actor_id)
        check_practitioner_visible(r, me, practitioner_id)
        if suggest:
            return people, own_cases_in_full(r, practitioner_id, viewer=me), load_world(r), ()
        return people, load_cases(r, viewer=me), load_world(r), load_week_actions(r, me, practitioner_id)


def _render(plan, people, fmt: str, names: bool) -> str | bytes:
    """The week as text (table, JSON) or bytes (.ics)."""
    if fmt == "ics":
        from planner.ics import week_to_ics

        return week_to_ics(plan, people[plan.practitioner_id].name, privacy=not names)
    if fmt == "json":
        from planner.week import week_to_dict

        return json.dumps(week_to_dict(plan), indent=2, ensure_ascii=False) + "\n"
    return _week_table(plan, people)


def _week_table(plan, people) -> str:
    from tui.data import absence_span

    out = io.StringIO()
    who = people.get(plan.practitioner_id)
    out.write(f"Week of {plan.week_start:%a %d %b %Y} for {plan.practitioner_id}" + (f" ({who.name})" if who else "") + "\n")
    for absence in plan.absences:
        cover = f", cover {absence.cover_practitioner_id}" if absence.cover_practitioner_id else ", NO COVER NAMED"
        out.write(f"  away {absence_span(absence, sep=' to ')} ({absence.kind}{cover})\n")
    for day in plan.days:
        out.write(f"\n{day.day:%a %d %b}" + ("  [absent]" if day.absent else "")
                  + (f"  [bank holiday: {day.holiday}]" if day.holiday else "") + "\n")
        if not day.entries:
            out.write("  -\n")
        for entry in day.entries:
            when = f"{entry.time:%H:%M} " if getattr(entry, "time", None) else ""
            ident = f"  #{entry.appointment_id}" if entry.kind == "appointment" and entry.appointment_id else ""
            out.write(f"  {when}{entry.kind:<14} {entry.case_ref or '':<10} {entry.title}{ident}\n")
    out.write("\nCatch-up (already overdue)\n")
    if not plan.catch_up:
        out.write("  nothing overdue\n")
    for entry in plan.catch_up:
        ident = f"  #{entry.appointment_id} {entry.day:%a %d %b}" if entry.kind == "outcome" else ""
        out.write(f"  {entry.kind:<14} {entry.case_ref or '':<10} {entry.title}{ident}\n")
    return out.getvalue()


COMMANDS = (week,)
