"""`caseload supervision` commands (README, Using it, issue 7).

The whole supervision flow can be scripted; the supervision screen drives
the same storage functions (storage.supervision):

    caseload --as L1 supervision start P1 [--on DATE]          # prints the session id
    caseload --as L1 supervision queue SESSION [--format json] # review order and progress
    caseload --as L1 supervision prompts [CASE_REF]            # reflective prompts and their keys
    caseload --as L1 supervision note SESSION CASE_REF TEXT    # TEXT "-" reads standard input
    caseload --as L1 supervision pin SESSION CASE_REF alliance.goals
    caseload --as L1 supervision flag SESSION CASE_REF [--clear]
    caseload --as L1 supervision review SESSION CASE_REF [--undo]
    caseload --as L1 supervision action add TEXT --due DATE [--owner ID] [--session S] [--case REF]
    caseload --as P1 supervision action done ACTION_ID [--on DATE] [--undo]
    caseload --as L1 supervision end SESSION
    caseload supervision list P1 [--format table|json]
    caseload supervision export P1 [--session ID] [--output FILE] [--privacy]
"""

from __future__ import annotations

import json
import sys
from datetime import date
from pathlib import Path

import click

from planner.errors import CaseloadError
from tui.cli.base import DATE, Ctx, FilePath, print_table


def _read(c: Ctx, fn):
    """fn(reader) through `storage.reader` (no SQLAlchemy import): every
    read here needs only `storage.queries` and `storage.access`."""
    with c.reader() as r:
        return fn(r)


def _may_read(c: Ctx, s, practitioner_id: str) -> None:
    """Refuse another practitioner's supervision records unless --as is the lead of their team."""
    from storage.access import check_supervision_access, resolve_actor

    check_supervision_access(s, resolve_actor(s, c.actor_id), practitioner_id)


def _need_actor(c: Ctx, doing: str) -> str:
    if not c.actor_id:
        raise CaseloadError(f"who is {doing}? give --as ID before 'supervision'")
    return c.actor_id


def _load_prompts(path: str | None):
    from planner.supervision import load_prompts

    return load_prompts(path)


@click.group()
def supervision():
    """Supervision: walk a caseload with a team lead, agree actions, keep a record."""


# --------------------------------------------------------------------------- sessions


@supervision.command("start")
@click.argument("practitioner_id")
@click.option("--on", "on", type=DATE, help="Session date (default: today).")
@click.pass_obj
def start(c: Ctx, practitioner_id, on):
    """Start a session for PRACTITIONER_ID led by the team lead given as --as; prints its id."""
    from storage.supervision import start_session

    lead_id = _need_actor(c, "leading the session")
    sid = c.write(lambda s: start_session(
        s, practitioner_id=practitioner_id, lead_id=lead_id, on=on or date.today(), actor=c.actor))
    click.echo(sid)


@supervision.command("end")
@click.argument("session_id", type=int)
@click.pass_obj
def end(c: Ctx, session_id):
    """End a session: its notes, flags and reviewed marks are then fixed."""
    from storage.supervision import end_session

    c.write(lambda s: end_session(s, session_id=session_id, actor=c.actor))
    click.echo(f"session {session_id} ended")


def _summary_dict(summary) -> dict:
    return {
        "session_id": summary.id,
        "session_date": summary.session_date.isoformat(),
        "practitioner_id": summary.practitioner_id,
        "lead_id": summary.lead_id,
        "lead_name": summary.lead_name,
        "started_at": summary.started_at.isoformat() if summary.started_at else None,
        "ended_at": summary.ended_at.isoformat() if summary.ended_at else None,
        "cases_discussed": summary.cases_discussed,
        "reviewed": summary.reviewed,
        "flagged": summary.flagged,
        "actions": summary.actions,
        "open_actions": summary.open_actions,
    }


@supervision.command("list")
@click.argument("practitioner_id")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
@click.pass_obj
def list_(c: Ctx, practitioner_id, fmt):
    """A practitioner's supervision sessions, newest first."""
    from storage.queries.supervision import list_sessions

    sessions = _read(c, lambda r: (_may_read(c, r, practitioner_id), list_sessions(r, practitioner_id))[1])
    if fmt == "json":
        click.echo(json.dumps({"practitioner_id": practitioner_id,
                               "sessions": [_summary_dict(x) for x in sessions]}, indent=2, ensure_ascii=False))
        return
    if not sessions:
        click.echo(f"No supervision sessions for {practitioner_id} yet.")
        return
    print_table(
        ["SESSION", "DATE", "LEAD", "STATE", "CASES", "REVIEWED", "FLAGGED", "ACTIONS"],
        [[str(x.id), x.session_date.isoformat(), x.lead_id or "-", "open" if x.is_open else "ended",
          str(x.cases_discussed), str(x.reviewed), str(x.flagged),
          f"{x.actions} ({x.open_actions} open)"] for x in sessions],
    )


@supervision.command("queue")
@click.argument("session_id", type=int)
@click.option("--on", "as_of", type=DATE, help="As-of date for the warnings (default: the session date).")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
@click.option("--privacy", is_flag=True, help="Initials instead of names.")
@click.pass_obj
def queue(c: Ctx, session_id, as_of, fmt, privacy):
    """The session's review queue (flagged, cold handovers, new, then by risk) and progress."""
    from planner.supervision import initials
    from storage.queries.supervision import get_session, session_notes, session_queue

    policy = c.policy()

    def read(r):
        _may_read(c, r, get_session(r, session_id).practitioner_id)
        items, done = session_queue(r, session_id, as_of=as_of, policy=policy)
        return items, done, session_notes(r, session_id)

    items, done, notes = _read(c, read)
    name = (lambda n: initials(n)) if privacy else (lambda n: n)
    if fmt == "json":
        click.echo(json.dumps({
            "session_id": session_id,
            "progress": {"total": done.total, "reviewed": done.reviewed,
                         "high_risk_left": done.high_risk_left, "text": done.text},
            "queue": [{
                "position": item.position + 1, "case_ref": item.case_ref,
                "display_name": name(item.display_name), "band": item.band, "reason": item.reason,
                "risk_score": item.score, "high_risk": item.high_risk,
                "reviewed": bool(notes.get(item.case_ref) and notes[item.case_ref].reviewed),
                "flagged": bool(notes.get(item.case_ref) and notes[item.case_ref].flagged),
            } for item in items],
        }, indent=2, ensure_ascii=False))
        return
    print_table(
        ["#", "CASE", "NAME", "SCORE", "TOP", "REVIEWED", "WHY"],
        [[str(item.position + 1), item.case_ref, name(item.display_name), str(item.score),
          (item.top_severity or "-").upper(),
          "yes" if notes.get(item.case_ref) and notes[item.case_ref].reviewed else "-",
          item.reason or "-"] for item in items],
    )
    click.echo(done.text)


# --------------------------------------------------------------------------- prompts and notes


@supervision.command("prompts")
@click.argument("case_ref", required=False)
@click.option("--prompts", "prompts_file", type=FilePath(),
              help="A service's own prompts file (TOML; default: the built-in set).")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
@click.pass_obj
def prompts(c: Ctx, case_ref, prompts_file, fmt):
    """Reflective prompts (all of them, or those for CASE_REF) and the keys to pin them by."""
    prompt_set = _load_prompts(prompts_file)
    case = None
    if case_ref:
        from storage.access import check_case_access, resolve_actor
        from storage.queries import load_case

        def read(s):
            check_case_access(s, resolve_actor(s, c.actor_id), case_ref)
            return load_case(s, case_ref)

        case = _read(c, read)
    if case is not None:
        from planner.supervision import choosing_rules

        groups = prompt_set.for_case(case, choosing_rules(case, date.today(), c.policy()))
    else:
        groups = prompt_set.groups
    if fmt == "json":
        click.echo(json.dumps({"groups": [{
            "id": g.id, "title": g.title, "source": g.source, "applies_to": g.applies_to,
            "prompts": [{"key": p.key, "title": p.title, "text": p.text} for p in g.prompts],
        } for g in groups]}, indent=2, ensure_ascii=False))
        return
    for group in groups:
        scope = "" if group.applies_to == "all" else f" [{group.applies_to} only]"
        click.echo(f"{group.title}{scope}")
        click.echo(f"  source: {group.source}")
        for prompt in group.prompts:
            click.echo(f"  {prompt.key}: {prompt.text}")
        click.echo("")


@supervision.command("note")
@click.argument("session_id", type=int)
@click.argument("case_ref")
@click.argument("text")
@click.option("--expected-version", type=int, help="Refuse if the note changed since this version.")
@click.pass_obj
def note(c: Ctx, session_id, case_ref, text, expected_version):
    """Write the case's note in the session (TEXT '-' reads standard input)."""
    from storage.supervision import save_note

    if text == "-":
        text = sys.stdin.read()
    version = c.write(lambda s: save_note(
        s, session_id=session_id, case_ref=case_ref, text=text,
        expected_version=expected_version, actor=c.actor))
    click.echo(f"note on {case_ref} saved (version {version})")


@supervision.command("pin")
@click.argument("session_id", type=int)
@click.argument("case_ref")
@click.argument("prompt_key")
@click.option("--prompts", "prompts_file", type=FilePath(),
              help="A service's own prompts file (TOML; default: the built-in set).")
@click.pass_obj
def pin(c: Ctx, session_id, case_ref, prompt_key, prompts_file):
    """Pin a reflective prompt (a key from `supervision prompts`) to the case's note."""
    from storage.supervision import pin_prompt

    prompt = _load_prompts(prompts_file).find(prompt_key)
    c.write(lambda s: pin_prompt(
        s, session_id=session_id, case_ref=case_ref, prompt_text=prompt.pin_text, actor=c.actor))
    click.echo(f"pinned {prompt.key} to {case_ref}")


@supervision.command("flag")
@click.argument("session_id", type=int)
@click.argument("case_ref")
@click.option("--clear", is_flag=True, help="Clear the flag instead.")
@click.pass_obj
def flag(c: Ctx, session_id, case_ref, clear):
    """Flag a case for discussion (it moves to the front of the queue)."""
    from storage.supervision import flag_case

    c.write(lambda s: flag_case(s, session_id=session_id, case_ref=case_ref,
                                  flagged=not clear, actor=c.actor))
    click.echo(f"{case_ref} {'unflagged' if clear else 'flagged for discussion'}")


@supervision.command("review")
@click.argument("session_id", type=int)
@click.argument("case_ref")
@click.option("--undo", is_flag=True, help="Mark it not reviewed.")
@click.option("--on", "as_of", type=DATE, help="As-of date for the warnings stored (default: the session date).")
@click.pass_obj
def review(c: Ctx, session_id, case_ref, undo, as_of):
    """Mark a case reviewed; its warnings at this moment go into the record."""
    from storage.supervision import mark_reviewed

    policy = c.policy()
    c.write(lambda s: mark_reviewed(s, session_id=session_id, case_ref=case_ref, reviewed=not undo,
                                      policy=policy, as_of=as_of, actor=c.actor))
    click.echo(f"{case_ref} {'not reviewed' if undo else 'reviewed'}")


# --------------------------------------------------------------------------- actions


@supervision.group("action")
def action():
    """Actions agreed in supervision: they show in `caseload week` until done."""


@action.command("add")
@click.argument("text")
@click.option("--due", type=DATE, required=True, help="Due date.")
@click.option("--owner", "owner_id", metavar="ID", help="Who does it (default: the session's practitioner).")
@click.option("--session", "session_id", type=int, help="The session it was agreed in.")
@click.option("--case", "case_ref", metavar="CASE_REF", help="The case it is about.")
@click.pass_obj
def action_add(c: Ctx, text, due, owner_id, session_id, case_ref):
    """Agree an action; prints its id."""
    from storage.supervision import add_action

    def write(s):
        owner = owner_id
        if owner is None:
            if session_id is None:
                raise CaseloadError("whose action? give --owner ID (or --session ID for its practitioner)")
            from storage.queries.supervision import get_session

            owner = get_session(s, session_id).practitioner_id
        return add_action(s, session_id=session_id, case_ref=case_ref, owner_id=owner,
                          text=text, due=due, actor=c.actor)

    click.echo(c.write(write))


@action.command("done")
@click.argument("action_id", type=int)
@click.option("--on", "on", type=DATE, help="Done on (default: today).")
@click.option("--undo", is_flag=True, help="Reopen it instead.")
@click.pass_obj
def action_done(c: Ctx, action_id, on, undo):
    """Tick an action off (or reopen it with --undo)."""
    from storage.supervision import tick_action

    c.write(lambda s: tick_action(s, action_id=action_id, done=not undo, on=on or date.today(),
                                    actor=c.actor))
    click.echo(f"action {action_id} {'reopened' if undo else 'done'}")


@action.command("list")
@click.argument("owner_id")
@click.option("--all", "show_all", is_flag=True, help="Done ones too.")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
@click.pass_obj
def action_list(c: Ctx, owner_id, show_all, fmt):
    """A practitioner's actions by due date (open ones unless --all)."""
    from storage.access import check_practitioner_visible, check_supervision_access, resolve_actor
    from storage.queries import load_actions

    def read(s):
        # the owner's supervision record: theirs and their team lead's (schema 0012's `action` policy)
        me = resolve_actor(s, c.actor_id)
        check_practitioner_visible(s, me, owner_id)
        check_supervision_access(s, me, owner_id)
        return load_actions(s, owner_id=owner_id, open_only=not show_all)

    actions = _read(c, read)
    if fmt == "json":
        click.echo(json.dumps({"owner_id": owner_id, "actions": [{
            "action_id": a.id, "text": a.text, "due": a.due.isoformat(), "case_ref": a.case_ref,
            "done": a.done, "session_id": a.session_id,
        } for a in actions]}, indent=2, ensure_ascii=False))
        return
    if not actions:
        click.echo(f"No {'' if show_all else 'open '}actions for {owner_id}.")
        return
    print_table(
        ["ID", "DUE", "CASE", "DONE", "ACTION"],
        [[str(a.id), a.due.isoformat(), a.case_ref or "-", "yes" if a.done else "-", a.text]
         for a in actions],
    )


# --------------------------------------------------------------------------- the record


@supervision.command("export")
@click.argument("practitioner_id")
@click.option("--session", "session_id", type=int, help="Which session (default: the latest).")
@click.option("--format", "fmt", type=click.Choice(["md"]), default="md", show_default=True)
@click.option("--output", type=FilePath(), help="Write to this file (made 0600) instead of standard output.")
@click.option("--force", is_flag=True, help="Replace the --output file if it exists.")
@click.option("--privacy", is_flag=True, help="Initials instead of names.")
@click.pass_obj
def export(c: Ctx, practitioner_id, session_id, fmt, output, force, privacy):
    """Write a session as a Markdown supervision record."""
    from planner.supervision import session_record_markdown
    from storage.queries.supervision import get_session, latest_session_id, session_record

    def read(r):
        _may_read(c, r, practitioner_id)
        sid = session_id if session_id is not None else latest_session_id(r, practitioner_id)
        summary = get_session(r, sid)
        if summary.practitioner_id != practitioner_id:
            raise CaseloadError(f"supervision session {sid} is not {practitioner_id}'s "
                                f"(see caseload supervision list {practitioner_id})")
        return sid, session_record(r, sid, privacy=privacy)

    sid, record = _read(c, read)
    text = session_record_markdown(record)
    detail = {"entity": "supervision_session", "key": str(sid), "format": fmt, "privacy": privacy}
    if output:
        from tui.cli.base import write_audited

        write_audited(c.audit_engine(), Path(output), text.encode("utf-8"), force=force, actor=c.actor, **detail)
        click.echo(f"wrote {output}")
    else:
        from storage.audit import record_now

        record_now(c.audit_engine(), c.actor, "export", detail.pop("entity"), detail.pop("key"), **detail)
        click.echo(text, nl=False)


COMMANDS = (supervision,)
