"""`caseload appointment`: what happens to a booked appointment (README,
Using it; storage/repo/appointments.py).

    caseload appointment cancel ID --by person|practitioner [--occurrence DATE | --series]
    caseload appointment move ID --to DATE [--time HH:MM|none] [--occurrence DATE] [--series] [--override-reason TEXT]
    caseload appointment outcome ID --outcome attended|missed|cancelled [--by WHO] [--occurrence DATE]
                                    [--kind KIND] [--note TEXT]

ID is the appointment's id (`caseload week --format json` gives it as
`appointment_id`; the week's table shows it as `#ID`). For a series,
`--occurrence` names the date of the one occurrence meant, `--series` the
whole series. Each command is one transaction with its audit event, on
SQLAlchemy Core (storage/repo: no ORM imported); the actor is `--as`.
"""

from __future__ import annotations

from datetime import date

import click

from planner.errors import CaseloadError
from tui.cli.base import DATE, Ctx

_WHO = click.Choice(["person", "practitioner"])


def _time(value: str | None):
    """--time: HH:MM, or `none` for no time."""
    if value is None:
        return None
    if value.strip().lower() == "none":
        return "none"
    from storage.repo.lookups import as_time

    return as_time(value)


@click.group()
def appointment():
    """Cancel or move a booked appointment, or record what happened at it."""


@appointment.command("cancel")
@click.argument("appointment_id", type=int)
@click.option("--by", "cancelled_by", type=_WHO, required=True, help="Who cancelled it.")
@click.option("--occurrence", type=DATE, help="A series: the date of the occurrence cancelled.")
@click.option("--series", is_flag=True, help="A series: cancel the whole series (from --occurrence, or today).")
@click.option("--on", "as_of", type=DATE, hidden=True, help="Today's date (default: today).")
@click.pass_obj
def cancel(c: Ctx, appointment_id, cancelled_by, occurrence, series, as_of):
    """Cancel an appointment (one occurrence of a series, or the whole series);
    the cancelled contact of its day is recorded with who cancelled it."""
    from storage.repo import cancel_appointment

    c.write(lambda s: cancel_appointment(s, appointment_id=appointment_id, cancelled_by=cancelled_by,
                                         occurrence=occurrence, series=series, actor=c.actor, as_of=as_of))
    what = "the series" if series else (f"the occurrence of {occurrence}" if occurrence else "it")
    click.echo(f"cancelled {what} of appointment {appointment_id} (by the {cancelled_by})")


@appointment.command("move")
@click.argument("appointment_id", type=int)
@click.option("--to", "new_date", type=DATE, required=True, help="The new date.")
@click.option("--time", "new_time", metavar="HH:MM", help="The new time (`none`: no time; default: as it is).")
@click.option("--occurrence", type=DATE, help="A series: the date of the occurrence moved (or, with --series, "
              "the one the series moves with).")
@click.option("--series", is_flag=True, help="A series: move the whole series.")
@click.option("--override-reason", metavar="TEXT",
              help="Team leads: move it onto a bank holiday or a day the practitioner is away.")
@click.pass_obj
def move(c: Ctx, appointment_id, new_date, new_time, occurrence, series, override_reason):
    """Move an appointment (one occurrence of a series, or the whole series) to
    another date and time; says so when the practitioner has another
    appointment at that time."""
    from storage.repo import move_appointment, same_time
    from storage.repo.lookups import appointment_row, practitioner_by_pk

    time = _time(new_time)
    kwargs = {} if time is None else {"new_time": None if time == "none" else time}

    def write(s):
        moved_id, _version = move_appointment(s, appointment_id=appointment_id, new_date=new_date,
                                              expected_version=None, actor=c.actor, occurrence=occurrence,
                                              series=series, override_reason=override_reason, **kwargs)
        row = appointment_row(s, moved_id)
        holder = practitioner_by_pk(s, row.practitioner_pk).practitioner_id
        return moved_id, row, holder, same_time(s, holder, new_date, row.time, not_id=moved_id)

    moved_id, row, holder, clash = c.write(write)
    click.echo(f"moved appointment {appointment_id} to {new_date}"
               + (f" {row.time:%H:%M}" if row.time else "") + (f" (as appointment {moved_id})"
                                                             if moved_id != appointment_id else ""))
    if clash:
        click.echo(f"note: {holder} has another appointment at {row.time:%H:%M} that day ({', '.join(clash)})",
                   err=True)


@appointment.command("outcome")
@click.argument("appointment_id", type=int)
@click.option("--outcome", type=click.Choice(["attended", "missed", "cancelled"]), required=True)
@click.option("--by", "cancelled_by", type=_WHO, help="A cancelled one: who cancelled it.")
@click.option("--occurrence", type=DATE, help="A series: the date of the occurrence.")
@click.option("--kind", metavar="KIND", help="The contact's kind (default: the appointment's).")
@click.option("--note", metavar="TEXT", help="A note of the contact.")
@click.option("--on", "as_of", type=DATE, hidden=True, help="Today's date (default: today).")
@click.pass_obj
def outcome(c: Ctx, appointment_id, outcome, cancelled_by, occurrence, kind, note, as_of):
    """Record what happened at a past appointment: its contact, in one step."""
    from storage.repo import record_outcome

    if cancelled_by and outcome != "cancelled":
        raise CaseloadError(f"--by: only a cancelled appointment says who cancelled it (outcome is {outcome})")
    contact_id = c.write(lambda s: record_outcome(
        s, appointment_id=appointment_id, outcome=outcome, cancelled_by=cancelled_by, occurrence=occurrence,
        kind=kind, notes=note, actor=c.actor, as_of=as_of or date.today()))
    click.echo(f"recorded contact {contact_id}: {outcome} at appointment {appointment_id}")


COMMANDS = (appointment,)
