"""`caseload checkin`: the person's check-in at a contact (docs/voice.md), or,
without answers, the case's check-ins so far.

Recording is one SQLAlchemy Core transaction (audited, no ORM); listing
reads through `storage.reader` (no SQLAlchemy), as docs/ARCHITECTURE.md's
read path says.
"""

from __future__ import annotations

from datetime import date

import click

from planner.errors import CaseloadError
from tui.cli.base import DATE, Ctx, echo_json, print_table

_ANSWER = click.IntRange(1, 5)


@click.command()
@click.argument("case_ref")
@click.option("--listened", type=_ANSWER, metavar="N", help='1-5: "I feel listened to and respected".')
@click.option("--goals", type=_ANSWER, metavar="N", help='1-5: "We work on what matters to me".')
@click.option("--trust", type=_ANSWER, metavar="N", help='1-5: "I trust my worker to help me".')
@click.option("--words", metavar="TEXT", help="The person's own words (optional).")
@click.option("--on", "on", type=DATE, help="The date of the check-in (default: today).")
@click.option("--practitioner", "practitioner_id", metavar="ID",
              help="Who asked (default: --as, else the case's practitioner).")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True,
              help="How to list the check-ins (without answers).")
@click.pass_obj
def checkin(c: Ctx, case_ref, listened, goals, trust, words, on, practitioner_id, fmt):
    """Record the person's check-in on CASE_REF (all three answers, 1 not at all
    to 5 completely), or list its check-ins. Prompts for a conversation, not a
    validated instrument."""
    answers = {"--listened": listened, "--goals": goals, "--trust": trust}
    given = [name for name, value in answers.items() if value is not None]
    if not given:
        if words is not None:
            raise CaseloadError("--words goes with the three answers (--listened, --goals, --trust)")
        _list(c, case_ref, fmt)
        return
    missing = [name for name in answers if name not in given]
    if missing:
        raise CaseloadError(f"a check-in has all three answers: give {', '.join(missing)} too")
    _record(c, case_ref, listened, goals, trust, words, on or date.today(), practitioner_id)


def _record(c: Ctx, case_ref, listened, goals, trust, words, on: date, practitioner_id) -> None:
    from storage.queries import load_case
    from storage.repo import record_checkin

    def write(s) -> str:
        who = practitioner_id or c.actor_id or load_case(s, case_ref).practitioner_id
        if not who:
            raise CaseloadError(f"case {case_ref} has no practitioner: give --practitioner ID")
        record_checkin(s, case_ref=case_ref, checkin_date=on, practitioner_id=who, listened=listened,
                       goals=goals, trust=trust, words=words, actor=c.actor)
        return who

    who = c.write(write)
    click.echo(f"recorded the check-in on {case_ref} of {on.isoformat()} with {who}: "
               f"listened {listened}, goals {goals}, trust {trust}" + (", with their words" if words else ""))


def _list(c: Ctx, case_ref: str, fmt: str) -> None:
    from storage.access import check_case_access, resolve_actor
    from storage.queries import load_case

    with c.reader() as r:
        check_case_access(r, resolve_actor(r, c.actor_id), case_ref)
        case = load_case(r, case_ref)
    if fmt == "json":
        echo_json({"case_ref": case_ref, "checkins": [
            {"checkin_date": k.checkin_date.isoformat(), "practitioner_id": k.practitioner_id,
             "listened": k.listened, "goals": k.goals, "trust": k.trust, "total": k.total, "words": k.words}
            for k in case.checkins]})
        return
    if not case.checkins:
        click.echo(f"no check-ins on {case_ref} yet")
        return
    print_table(["DATE", "WHO", "LISTENED", "GOALS", "TRUST", "TOTAL", "WORDS"],
                [[k.checkin_date.isoformat(), k.practitioner_id, str(k.listened), str(k.goals), str(k.trust),
                  str(k.total), k.words or ""] for k in case.checkins])


COMMANDS = (checkin,)
