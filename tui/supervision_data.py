"""The supervision screen's side of the database (issue 7).

Like `tui.data`, every function here is called from a thread worker, opens
one short session through the app's `Gateway` (so a lost connection becomes
`ConnectionLost`), and returns plain frozen views; nothing here touches a
widget. The rules live in `storage.supervision` and `planner.supervision`:

    who = candidates(gateway, lead_id)                    # NotALead if lead_id is no team lead
    view = open_session(gateway, "N1-05", "N1-01", as_of) # start, or resume the open session
    state = save_note(gateway, view.session_id, ref, written, expected_version=v, actor="N1-01")
    state = pin(gateway, ...) / flag(...) / review(...)   # each -> the note's fresh NoteState
    add_action(gateway, ...); export(gateway, sid, path); end(gateway, sid, actor)

A ConflictError from `save_note` carries the note as it now stands
(`NoteConflict.latest`), so the screen can keep the typed text and show what
changed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

from planner.errors import CaseloadError, ConflictError, NotALead
from planner.model import Absence, Practitioner

__all__ = [
    "Candidates",
    "NoteConflict",
    "NotALead",
    "SessionView",
    "action_text_limit",
    "add_action",
    "candidates",
    "default_export_path",
    "earlier_sessions",
    "end",
    "export",
    "flag",
    "open_session",
    "pin",
    "record_markdown",
    "review",
    "save_note",
    "session_actions",
]


class NoteConflict(ConflictError):
    """The note was changed elsewhere since it was read; `latest` is how it stands now."""

    def __init__(self, message: str, latest) -> None:
        super().__init__(message)
        self.latest = latest  # storage.supervision.NoteState | None


@dataclass(frozen=True)
class Candidates:
    """Whom a lead can supervise: the other (non-lead) practitioners of the team."""

    lead: Practitioner
    team: tuple[Practitioner, ...]
    open_cases: dict = field(default_factory=dict)  # practitioner_id -> open case count
    open_sessions: frozenset = frozenset()  # practitioner_ids with a session not ended


@dataclass(frozen=True)
class SessionView:
    """Everything the screen shows for one session, read in one go."""

    session_id: int
    session_date: date
    resumed: bool  # True when an open session was picked up again
    as_of: date
    practitioner: Practitioner
    lead: Practitioner
    session_lead_id: str | None  # who leads the session (differs from `lead` on a resumed one)
    queue: tuple  # planner.supervision.QueueItem, in review order
    notes: dict  # case_ref -> storage.supervision.NoteState
    names: dict  # practitioner_id -> name (staff names, for the continuity chain)
    booked: dict  # case_ref -> tuple of booked dates from as_of on
    churn: dict  # case_ref -> practitioner_churn's count of workers in 12 months
    absences: tuple[Absence, ...]
    carried: tuple  # planner.supervision.ActionRecord agreed earlier, open when this began
    actions: tuple  # ActionRecord agreed in this session so far
    prompts: object  # planner.supervision.PromptSet
    ended_at: datetime | None = None


def action_text_limit() -> int:
    """How long an agreed action's text may be (the column's width, storage.supervision)."""
    from storage.supervision import MAX_ACTION_TEXT

    return MAX_ACTION_TEXT


def candidates(gateway, lead_id: str | None) -> Candidates:
    """The lead and the team they can supervise. NotALead when `lead_id` is
    nobody or not a team lead (the message says what to do)."""
    from storage.lookups import in_supervision, open_case_counts
    from storage.queries import list_practitioners

    if not lead_id:
        raise NotALead("Supervision is led by a team lead: choose who you are first (P), or start "
                       "the app with --as and a team lead's id.")
    with gateway.session() as s:
        people = {p.practitioner_id: p for p in list_practitioners(s)}
        lead = people.get(lead_id)
        if lead is None:
            raise NotALead(f"Unknown practitioner {lead_id}; supervision is led by a team lead.")
        _may_act_as(gateway, s, lead_id)
        if not lead.is_lead:
            leads = sorted(p.practitioner_id for p in people.values() if p.is_lead and p.team_id == lead.team_id)
            hint = f" (--as {leads[0]})" if leads else ""
            raise NotALead(f"Supervision is led by a team lead; {lead_id} is a {lead.role.replace('_', ' ')}. "
                           f"Open the app as the team lead{hint} to run a session.")
        team = tuple(sorted((p for p in people.values() if p.team_id == lead.team_id and not p.is_lead),
                            key=lambda p: p.practitioner_id))
        counts, open_ids = open_case_counts(s), in_supervision(s)
    return Candidates(lead, team, counts, open_ids)


def open_session(gateway, practitioner_id: str, lead_id: str, as_of: date) -> SessionView:
    """Resume the practitioner's open session, or start one led by `lead_id`
    on `as_of`; then read the queue, notes, actions and prompts."""
    from storage.repo import commit_or_conflict
    from storage.supervision import open_session_id, start_session

    with gateway.connection() as s:
        _may_act_as(gateway, s, lead_id)
        sid = open_session_id(s, practitioner_id)
        resumed = sid is not None
        if sid is None:
            sid = start_session(s, practitioner_id=practitioner_id, lead_id=lead_id, on=as_of, actor=lead_id)
            commit_or_conflict(s)
    return read_session(gateway, sid, lead_id, as_of, resumed=resumed)


def _may_read(gateway, s, practitioner_id: str) -> None:
    """Refuse (CaseloadError) another practitioner's supervision records unless
    the signed-in actor leads their team (storage.access)."""
    from storage.access import check_supervision_access

    check_supervision_access(s, gateway.me(s), practitioner_id)


def _may_act_as(gateway, s, practitioner_id: str) -> None:
    """The screen leads as `practitioner_id`: it must be who acts (a signed-in
    practitioner cannot run someone else's sessions)."""
    me = gateway.me(s)
    if not me.is_admin and me.practitioner_id != practitioner_id:
        raise CaseloadError(f"{me.practitioner_id} is signed in and cannot act as {practitioner_id}")


def _may_read_session(gateway, s, session_id: int) -> None:
    from storage.supervision import get_session

    _may_read(gateway, s, get_session(s, session_id).practitioner_id)


def read_session(gateway, session_id: int, lead_id: str, as_of: date, *, resumed: bool = True) -> SessionView:
    from planner.supervision import load_prompts
    from storage.queries import load_world
    from storage.supervision import get_session, previous_open_actions, session_notes, session_queue
    from planner.rules import churn
    from tui.data import upcoming

    prompts = load_prompts()  # the user's own set, else the default (ConfigError names a bad key)
    with gateway.session() as s:
        summary = get_session(s, session_id)
        _may_read(gateway, s, summary.practitioner_id)
        queue, _progress = session_queue(s, session_id, as_of=as_of, policy=gateway.policy)
        notes = session_notes(s, session_id)
        world = load_world(s)
        carried = tuple(previous_open_actions(s, summary.practitioner_id, session_id))
        actions = tuple(_session_actions(s, session_id))
    practitioner = world.practitioners[summary.practitioner_id]
    lead = world.practitioners[lead_id]
    return SessionView(
        session_id=session_id,
        session_date=summary.session_date,
        resumed=resumed,
        as_of=as_of,
        practitioner=practitioner,
        lead=lead,
        session_lead_id=summary.lead_id,
        queue=tuple(queue),
        notes=notes,
        names={pid: p.name for pid, p in world.practitioners.items()},
        booked={item.case_ref: tuple(o.day for o in upcoming(item.case, as_of)) for item in queue},
        churn={item.case_ref: churn(item.case, as_of, gateway.policy, world=world).count for item in queue},
        absences=tuple(world.absences_of(practitioner.practitioner_id)),
        carried=carried,
        actions=actions,
        prompts=prompts,
        ended_at=summary.ended_at,
    )


def _session_actions(s, session_id: int):
    from storage.supervision import session_actions

    return session_actions(s, session_id)


def session_actions(gateway, session_id: int) -> tuple:
    with gateway.session() as s:
        _may_read_session(gateway, s, session_id)
        return tuple(_session_actions(s, session_id))


# ----------------------------------------------------------------------------- writes (one transaction each)


def _note_now(s, session_id: int, case_ref: str):
    from storage.supervision import NoteState, session_notes

    return session_notes(s, session_id).get(case_ref) or NoteState(case_ref, "", 0, False, False)


def _write_then_read(gateway, session_id: int, case_ref: str, fn):
    """Run fn(connection) in one Core transaction, commit, and return the note as stored."""
    gateway.write(fn)
    with gateway.session() as s:
        return _note_now(s, session_id, case_ref)


def full_note(written: str, pins) -> str:
    """The stored note: the written text, then one line per pinned prompt."""
    from planner.supervision import pin_line

    lines = [written.rstrip()] if written.strip() else []
    lines += [pin_line(p) for p in pins]
    return "\n".join(lines)


def save_note(gateway, session_id: int, case_ref: str, written: str, *, pins=(), expected_version: int,
              actor: str):
    """Store the note's written text (pinned prompts kept) if nobody changed
    it since `expected_version` (0: no note yet); NoteConflict otherwise."""
    from storage.supervision import save_note as store

    try:
        return _write_then_read(gateway, session_id, case_ref, lambda s: store(
            s, session_id=session_id, case_ref=case_ref, text=full_note(written, pins),
            expected_version=expected_version, actor=actor))
    except ConflictError as exc:
        with gateway.session() as s:
            latest = _note_now(s, session_id, case_ref)
        raise NoteConflict(str(exc), latest) from None


def pin(gateway, session_id: int, case_ref: str, prompt_text: str, *, actor: str):
    from storage.supervision import pin_prompt

    return _write_then_read(gateway, session_id, case_ref, lambda s: pin_prompt(
        s, session_id=session_id, case_ref=case_ref, prompt_text=prompt_text, actor=actor))


def flag(gateway, session_id: int, case_ref: str, flagged: bool, *, actor: str):
    from storage.supervision import flag_case

    return _write_then_read(gateway, session_id, case_ref, lambda s: flag_case(
        s, session_id=session_id, case_ref=case_ref, flagged=flagged, actor=actor))


def review(gateway, session_id: int, case_ref: str, reviewed: bool, *, as_of: date, actor: str):
    """Mark reviewed (storing the warnings as of `as_of`) or take the mark back."""
    from storage.supervision import mark_reviewed

    return _write_then_read(gateway, session_id, case_ref, lambda s: mark_reviewed(
        s, session_id=session_id, case_ref=case_ref, reviewed=reviewed, policy=gateway.policy, as_of=as_of,
        actor=actor))


def add_action(gateway, session_id: int, *, case_ref: str | None, owner_id: str, text: str, due: date,
               actor: str) -> tuple:
    """Agree an action in the session; returns the session's actions so far."""
    from storage.supervision import add_action as store

    gateway.write(store, session_id=session_id, case_ref=case_ref, owner_id=owner_id, text=text, due=due,
                  actor=actor)
    return session_actions(gateway, session_id)


def end(gateway, session_id: int, *, actor: str) -> datetime:
    from storage.supervision import end_session

    return gateway.write(end_session, session_id=session_id, actor=actor)


def default_export_path(practitioner_id: str, session_date: date, session_id: int) -> Path:
    """Where a record goes unless the lead says otherwise: the user data
    folder's `supervision/` (created 0700), one file per session."""
    from platformdirs import user_data_dir

    folder = Path(user_data_dir("caseload")) / "supervision"
    return folder / f"supervision-{practitioner_id}-{session_date.isoformat()}-session{session_id}.md"


def export(gateway, session_id: int, path: Path, *, privacy: bool = False) -> Path:
    """Write the session's Markdown record to `path` (0600, replacing an
    earlier export of it, never through a link; audited); returns the path."""
    from planner.supervision import session_record_markdown
    from storage.supervision import session_record

    with gateway.session() as s:
        _may_read_session(gateway, s, session_id)
        record = session_record(s, session_id, privacy=privacy)
    path = Path(path).expanduser()
    if not path.parent.exists():
        path.parent.mkdir(parents=True, mode=0o700)
    return gateway.write_export(path, session_record_markdown(record).encode("utf-8"), force=True,
                                entity="supervision_session", key=str(session_id), format="md", privacy=privacy)


def earlier_sessions(gateway, practitioner_id: str) -> tuple:
    """The practitioner's sessions, newest first (storage.supervision.SessionSummary)."""
    from storage.supervision import list_sessions

    with gateway.session() as s:
        _may_read(gateway, s, practitioner_id)
        return tuple(list_sessions(s, practitioner_id))


def record_markdown(gateway, session_id: int, *, privacy: bool = False) -> str:
    """A session's record as Markdown, to read on screen."""
    from planner.supervision import session_record_markdown
    from storage.supervision import session_record

    with gateway.session() as s:
        _may_read_session(gateway, s, session_id)
        return session_record_markdown(session_record(s, session_id, privacy=privacy))
