"""Supervision sessions: start, notes, pinned prompts, flags, reviewed marks,
agreed actions, and the record (issue 7).

Writes follow storage.repo's rules: keyword arguments, `actor` always, one
audit event per change (ids, dates and counts only: never note or action
text, never names), flush but no commit (the caller commits once with
`storage.repo.commit_or_conflict`), CaseloadError for unknown keys and
refused edits, ConflictError for a stale `expected_version`.

    sid = start_session(s, practitioner_id="P1", lead_id="L1", on=today, actor="L1")
    queue, done = session_queue(s, sid, policy=policy)          # for the screen
    v = save_note(s, session_id=sid, case_ref="C1", text="...", expected_version=None, actor="L1")
    pin_prompt(s, session_id=sid, case_ref="C1", prompt_text=prompt.pin_text, actor="L1")
    mark_reviewed(s, session_id=sid, case_ref="C1", actor="L1")  # stores the warnings then
    aid = add_action(s, session_id=sid, case_ref="C1", owner_id="P1", text="...", due=d, actor="L1")
    commit_or_conflict(s)
    record = session_record(s, sid)                              # -> planner.supervision

A session's notes, flags and reviewed marks can only change while it is
open (not ended); actions can be ticked off at any time.
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import aliased
from sqlmodel import Session

from planner import validate
from planner.errors import CaseloadError
from planner.policy import DEFAULT_POLICY, Policy
from planner.supervision import (
    ActionRecord,
    CaseRecord,
    PersonRef,
    Progress,
    QueueItem,
    SessionRecord,
    pin_line,
    progress,
    redact,
    review_queue,
    split_note,
)
from storage import audit
from storage import models as m
from storage.models import utcnow
from storage.repo.lookups import as_date, case_row, practitioner_row
from storage.repo.transactions import check_version, conflict, flush

__all__ = [
    "MAX_ACTION_TEXT",
    "NoteState",
    "SessionSummary",
    "add_action",
    "end_session",
    "flag_case",
    "get_session",
    "latest_session_id",
    "list_sessions",
    "mark_reviewed",
    "open_session_id",
    "pin_prompt",
    "previous_open_actions",
    "save_note",
    "session_notes",
    "session_queue",
    "session_record",
    "start_session",
    "tick_action",
]

MAX_ACTION_TEXT = 1000  # the action.text column


@dataclass(frozen=True, slots=True)
class SessionSummary:
    """One session in a list. `lead_name` is a staff name (not case data)."""

    id: int
    session_date: date
    practitioner_id: str
    lead_id: str | None
    lead_name: str | None
    started_at: datetime | None
    ended_at: datetime | None
    cases_discussed: int = 0
    reviewed: int = 0
    flagged: int = 0
    actions: int = 0
    open_actions: int = 0
    version: int = 1

    @property
    def is_open(self) -> bool:
        return self.ended_at is None


@dataclass(frozen=True, slots=True)
class NoteState:
    """A case's supervision note as the screen edits it. `text` is the whole
    stored note (pinned prompt lines included); pass `version` back as
    `expected_version`."""

    case_ref: str
    text: str
    version: int
    reviewed: bool
    flagged: bool

    @property
    def written(self) -> str:
        return split_note(self.text)[0]

    @property
    def pinned(self) -> tuple[str, ...]:
        return split_note(self.text)[1]


# ---------------------------------------------------------------- lookups


def _session_row(session: Session, session_id: int) -> m.SupervisionSession:
    row = session.execute(
        select(m.SupervisionSession)
        .where(m.SupervisionSession.id == session_id)
        .execution_options(populate_existing=True)
    ).scalar_one_or_none()
    if row is None:
        raise CaseloadError(f"unknown supervision session {session_id}")
    return row


def _open_session_row(session: Session, session_id: int, doing: str) -> m.SupervisionSession:
    row = _session_row(session, session_id)
    if row.ended_at is not None:
        raise CaseloadError(
            f"supervision session {session_id} has ended; start a new session to {doing}"
        )
    return row


def _pid_of(session: Session, pk: int | None) -> str | None:
    if pk is None:
        return None
    return session.execute(
        select(m.Practitioner.practitioner_id).where(m.Practitioner.id == pk)
    ).scalar_one()


def _note_row(session: Session, session_id: int, case_id: int) -> m.SupervisionNote | None:
    return session.execute(
        select(m.SupervisionNote)
        .where(m.SupervisionNote.session_id == session_id, m.SupervisionNote.case_id == case_id)
        .execution_options(populate_existing=True)
    ).scalar_one_or_none()


def _edit_note(
    session: Session,
    session_id: int,
    case_ref: str,
    expected_version: int | None,
    doing: str,
    actor: str,
) -> tuple[m.SupervisionNote, m.Case]:
    """The note row of (session, case), created empty when there is none yet.
    ConflictError when `expected_version` is stale (0 means "no note yet").
    Only the lead of the session's practitioner's team writes, and only on
    that team's cases (storage.access)."""
    from storage.access import check_supervision_case, check_supervision_lead

    sess = _open_session_row(session, session_id, doing)
    case = case_row(session, case_ref)
    practitioner_id = _pid_of(session, sess.practitioner_pk)
    check_supervision_lead(session, actor, practitioner_id, doing)
    check_supervision_case(session, actor, practitioner_id, case_ref)
    what = f"the supervision note on case {case_ref}"
    row = _note_row(session, session_id, case.id)
    if row is None:
        if expected_version not in (None, 0):
            raise conflict(session, what)  # it was there when read, and is gone
        row = m.SupervisionNote(session_id=session_id, case_id=case.id, note=None)
        session.add(row)
        flush(session)  # a concurrent first note on the same case conflicts here
    else:
        check_version(session, row, expected_version, what)
    return row, case


# ---------------------------------------------------------------- sessions


def start_session(
    session: Session,
    *,
    practitioner_id: str,
    lead_id: str,
    on: date,
    actor: str,
) -> int:
    """Start a supervision session of `practitioner_id` led by `lead_id` (a
    team lead) on date `on`; returns its id. Refused when the lead is not a
    team lead, is the practitioner, or the practitioner has an open session."""
    practitioner = practitioner_row(session, practitioner_id)
    lead = practitioner_row(session, lead_id)
    if lead.role != "team_lead":
        raise CaseloadError(
            f"{lead_id} is not a team lead (role {lead.role}); a supervision session is led by a "
            "team lead: give --as with a team lead's id"
        )
    from storage.access import actor_for, check_supervision_lead, practitioner_team_id, require_lead

    require_lead(actor_for(session, lead_id), practitioner_team_id(session, practitioner_id),
                 f"supervise {practitioner_id}")
    if lead.id == practitioner.id:
        raise CaseloadError(f"{lead_id} cannot lead their own supervision; ask another team lead")
    check_supervision_lead(session, actor, practitioner_id, f"supervise {practitioner_id}")
    on = as_date(on, "session date")
    still_open = session.execute(
        select(m.SupervisionSession.id)
        .where(m.SupervisionSession.practitioner_pk == practitioner.id,
               m.SupervisionSession.ended_at.is_(None))
        .order_by(m.SupervisionSession.id)
    ).scalars().first()
    if still_open is not None:
        raise CaseloadError(
            f"supervision session {still_open} for {practitioner_id} is still open; "
            f"carry on with it or end it first (caseload supervision end {still_open})"
        )
    row = m.SupervisionSession(practitioner_pk=practitioner.id, lead_pk=lead.id, session_date=on)
    session.add(row)
    flush(session)
    audit.record(session, actor, "start", "supervision_session", row.id,
                 practitioner_id=practitioner_id, lead_id=lead_id, session_date=on)
    return row.id


def end_session(
    session: Session, *, session_id: int, expected_version: int | None = None, actor: str
) -> datetime:
    """End an open session (its notes and marks are then fixed); returns when."""
    from storage.access import check_supervision_lead

    row = _open_session_row(session, session_id, "change it")
    check_supervision_lead(session, actor, _pid_of(session, row.practitioner_pk), "end a session")
    check_version(session, row, expected_version, f"supervision session {session_id}")
    row.ended_at = utcnow()
    flush(session)
    notes = session.execute(
        select(func.count()).where(m.SupervisionNote.session_id == session_id)
    ).scalar_one()
    audit.record(session, actor, "end", "supervision_session", session_id, notes=notes)
    return row.ended_at


def open_session_id(session: Session, practitioner_id: str) -> int | None:
    """The practitioner's session that has not ended, if any (to resume it)."""
    practitioner = practitioner_row(session, practitioner_id)
    return session.execute(
        select(m.SupervisionSession.id)
        .where(m.SupervisionSession.practitioner_pk == practitioner.id,
               m.SupervisionSession.ended_at.is_(None))
        .order_by(m.SupervisionSession.session_date.desc(), m.SupervisionSession.id.desc())
    ).scalars().first()


def latest_session_id(session: Session, practitioner_id: str) -> int:
    """The practitioner's most recent session; CaseloadError when there is none."""
    practitioner = practitioner_row(session, practitioner_id)
    sid = session.execute(
        select(m.SupervisionSession.id)
        .where(m.SupervisionSession.practitioner_pk == practitioner.id)
        .order_by(m.SupervisionSession.session_date.desc(), m.SupervisionSession.id.desc())
    ).scalars().first()
    if sid is None:
        raise CaseloadError(f"{practitioner_id} has no supervision sessions yet")
    return sid


def _summaries(session: Session, where: Any) -> list[SessionSummary]:
    S, P, N, A = m.SupervisionSession, m.Practitioner, m.SupervisionNote, m.Action
    Lead = aliased(m.Practitioner)
    rows = session.execute(
        select(S.id, S.session_date, P.practitioner_id, Lead.practitioner_id, Lead.name,
               S.started_at, S.ended_at, S.version)
        .join(P, P.id == S.practitioner_pk)
        .outerjoin(Lead, Lead.id == S.lead_pk)
        .where(where)
        .order_by(S.session_date.desc(), S.id.desc())
    ).all()
    if not rows:
        return []
    ids = [row[0] for row in rows]
    notes: dict[int, list[int]] = defaultdict(lambda: [0, 0, 0])
    cases: dict[int, set[int]] = defaultdict(set)
    for sid, case_id, reviewed, flagged in session.execute(
        select(N.session_id, N.case_id, N.reviewed, N.flagged).where(N.session_id.in_(ids))
    ):
        counts = notes[sid]
        counts[0] += 1
        counts[1] += bool(reviewed)
        counts[2] += bool(flagged)
        cases[sid].add(case_id)
    actions: dict[int, list[int]] = defaultdict(lambda: [0, 0])
    for sid, case_id, done in session.execute(
        select(A.session_id, A.case_id, A.done).where(A.session_id.in_(ids))
    ):
        actions[sid][0] += 1
        actions[sid][1] += not done
        if case_id is not None:
            cases[sid].add(case_id)
    return [
        SessionSummary(
            id=sid, session_date=day, practitioner_id=pid, lead_id=lead_id, lead_name=lead_name,
            started_at=started, ended_at=ended, cases_discussed=len(cases[sid]),
            reviewed=notes[sid][1], flagged=notes[sid][2],
            actions=actions[sid][0], open_actions=actions[sid][1], version=version,
        )
        for sid, day, pid, lead_id, lead_name, started, ended, version in rows
    ]


def list_sessions(session: Session, practitioner_id: str) -> list[SessionSummary]:
    """The practitioner's sessions, newest first, with counts."""
    practitioner = practitioner_row(session, practitioner_id)
    return _summaries(session, m.SupervisionSession.practitioner_pk == practitioner.id)


def get_session(session: Session, session_id: int) -> SessionSummary:
    found = _summaries(session, m.SupervisionSession.id == session_id)
    if not found:
        raise CaseloadError(f"unknown supervision session {session_id}")
    return found[0]


# ---------------------------------------------------------------- notes, flags, reviews


def save_note(
    session: Session,
    *,
    session_id: int,
    case_ref: str,
    text: str,
    expected_version: int | None = None,
    actor: str,
) -> int:
    """Write (replace) the case's note in the session; returns its new version.
    Pass the version you read as `expected_version` (0 for "no note yet") and
    a note someone else changed since is refused with ConflictError."""
    row, _case_row = _edit_note(session, session_id, case_ref, expected_version, "write notes", actor)
    validate.text_field("note", text)
    row.note = text if text and text.strip() else None
    flush(session)
    audit.record(session, actor, "save", "supervision_note", f"{session_id}:{case_ref}",
                 case_ref=case_ref, session_id=session_id, chars=len(text or ""))
    return row.version


def pin_prompt(
    session: Session,
    *,
    session_id: int,
    case_ref: str,
    prompt_text: str,
    expected_version: int | None = None,
    actor: str,
) -> int:
    """Append a reflective prompt to the case's note as a pinned line
    (planner.supervision.PIN_PREFIX); returns the note's new version."""
    if not prompt_text or not prompt_text.strip():
        raise CaseloadError("a pinned prompt needs some text")
    row, _case_row = _edit_note(session, session_id, case_ref, expected_version, "pin prompts", actor)
    line = pin_line(prompt_text)
    existing = (row.note or "").rstrip("\n")
    if line in existing.splitlines():
        return row.version  # already pinned: nothing changes
    row.note = f"{existing}\n{line}" if existing else line
    flush(session)
    audit.record(session, actor, "pin_prompt", "supervision_note", f"{session_id}:{case_ref}",
                 case_ref=case_ref, session_id=session_id)
    return row.version


def flag_case(
    session: Session,
    *,
    session_id: int,
    case_ref: str,
    flagged: bool = True,
    expected_version: int | None = None,
    actor: str,
) -> int:
    """Flag the case for discussion (it moves to the front of the queue), or
    clear the flag; returns the note's new version."""
    row, _case_row = _edit_note(session, session_id, case_ref, expected_version, "flag cases", actor)
    if bool(row.flagged) == flagged:
        return row.version
    row.flagged = flagged
    flush(session)
    audit.record(session, actor, "flag" if flagged else "unflag", "supervision_note",
                 f"{session_id}:{case_ref}", case_ref=case_ref, session_id=session_id)
    return row.version


def mark_reviewed(
    session: Session,
    *,
    session_id: int,
    case_ref: str,
    reviewed: bool = True,
    expected_version: int | None = None,
    policy: Policy | None = None,
    as_of: date | None = None,
    actor: str,
) -> int:
    """Mark the case reviewed (or not) in the session; returns the note's new
    version. Marking it reviewed stores the case's warnings at that moment
    (as of the session date unless `as_of` is given; SPEC §6 dicts) so the
    record shows what the lead saw, not what the rules say later."""
    from planner.risk import evaluate_case, warning_to_dict
    from storage.queries import load_case, load_world

    sess = _open_session_row(session, session_id, "review cases")
    row, _case_row = _edit_note(session, session_id, case_ref, expected_version, "review cases", actor)
    detail: dict[str, Any] = {"session_id": session_id}
    if reviewed:
        day = as_of or sess.session_date
        case = load_case(session, case_ref)
        warnings = evaluate_case(case, load_world(session), day, policy or DEFAULT_POLICY)
        row.warnings_json = json.dumps([warning_to_dict(w) for w in warnings], default=str,
                                       ensure_ascii=False)
        detail.update(as_of=day, warnings=len(warnings))
    row.reviewed = reviewed
    flush(session)
    audit.record(session, actor, "review" if reviewed else "unreview", "supervision_note",
                 f"{session_id}:{case_ref}", case_ref=case_ref, **detail)
    return row.version


def session_notes(session: Session, session_id: int) -> dict[str, NoteState]:
    """Every note of the session by case_ref (the screen's state)."""
    _session_row(session, session_id)
    N, C = m.SupervisionNote, m.Case
    rows = session.execute(
        select(C.case_ref, N.note, N.version, N.reviewed, N.flagged)
        .join(C, C.id == N.case_id)
        .where(N.session_id == session_id)
        .order_by(N.id)
    ).all()
    return {
        ref: NoteState(ref, note or "", version, bool(reviewed), bool(flagged))
        for ref, note, version, reviewed, flagged in rows
    }


def session_queue(
    session: Session,
    session_id: int,
    *,
    as_of: date | None = None,
    policy: Policy | None = None,
) -> tuple[list[QueueItem], Progress]:
    """The review queue for the session's practitioner (their open cases as
    of the session date unless `as_of`), and the progress so far."""
    from planner.risk import evaluate
    from storage.queries import load_cases, load_world

    sess = _session_row(session, session_id)
    policy = policy or DEFAULT_POLICY
    day = as_of or sess.session_date
    practitioner_id = _pid_of(session, sess.practitioner_pk)
    cases = load_cases(session, practitioner_id=practitioner_id)
    risks = evaluate(cases, load_world(session), day, policy)
    notes = session_notes(session, session_id)
    queue = review_queue(risks, [r for r, n in notes.items() if n.flagged], day, policy)
    return queue, progress(queue, [r for r, n in notes.items() if n.reviewed])


# ---------------------------------------------------------------- actions


def add_action(
    session: Session,
    *,
    session_id: int | None = None,
    case_ref: str | None = None,
    owner_id: str,
    text: str,
    due: date,
    actor: str,
) -> int:
    """Agree an action (in a session, about a case, or neither); returns its id.
    It shows in the owner's week plan on its due date until ticked off."""
    text = (text or "").strip()
    if not text:
        raise CaseloadError("an action needs some text: what is to be done?")
    if len(text) > MAX_ACTION_TEXT:
        raise CaseloadError(f"an action's text is {len(text)} characters; {MAX_ACTION_TEXT} at most")
    validate.text_field("text", text)
    from storage.access import check_action_add

    owner = practitioner_row(session, owner_id)
    due = as_date(due, "due")
    subject = None
    if session_id is not None:
        subject = _pid_of(session, _open_session_row(session, session_id, "agree actions").practitioner_pk)
    check_action_add(session, actor, owner_id, case_ref, subject)
    case_pk = case_row(session, case_ref).id if case_ref else None
    row = m.Action(session_id=session_id, case_id=case_pk, owner_pk=owner.id, text=text, due=due)
    session.add(row)
    flush(session)
    audit.record(session, actor, "add", "action", row.id, case_ref=case_ref,
                 session_id=session_id, owner_id=owner_id, due=due)
    return row.id


def tick_action(
    session: Session,
    *,
    action_id: int,
    done: bool = True,
    on: date,
    expected_version: int | None = None,
    actor: str,
) -> int:
    """Tick an action off (done on `on`), or reopen it; returns its version."""
    row = session.execute(
        select(m.Action).where(m.Action.id == action_id).execution_options(populate_existing=True)
    ).scalar_one_or_none()
    if row is None:
        raise CaseloadError(f"unknown action {action_id}")
    from storage.access import check_action_tick

    check_action_tick(session, actor, _pid_of(session, row.owner_pk), action_id)
    check_version(session, row, expected_version, f"action {action_id}")
    on = as_date(on, "done on")
    if bool(row.done) == done:
        return row.version
    row.done = done
    row.done_on = on if done else None
    flush(session)
    case_ref = None
    if row.case_id is not None:
        case_ref = session.execute(select(m.Case.case_ref).where(m.Case.id == row.case_id)).scalar_one()
    audit.record(session, actor, "done" if done else "reopen", "action", action_id,
                 case_ref=case_ref, done_on=row.done_on)
    return row.version


def _action_records(session: Session, where: Any) -> list[ActionRecord]:
    A, P, C, S = m.Action, m.Practitioner, m.Case, m.SupervisionSession
    rows = session.execute(
        select(A.id, A.text, P.practitioner_id, P.name, A.due, A.done, A.done_on, C.case_ref,
               A.session_id, S.session_date)
        .join(P, P.id == A.owner_pk)
        .outerjoin(C, C.id == A.case_id)
        .outerjoin(S, S.id == A.session_id)
        .where(where)
        .order_by(A.due, A.id)
    ).all()
    return [
        ActionRecord(id=aid, text=text, owner=PersonRef(pid, name), due=due, done=bool(done),
                     done_on=done_on, case_ref=ref, session_id=sid, session_date=sday)
        for aid, text, pid, name, due, done, done_on, ref, sid, sday in rows
    ]


def previous_open_actions(
    session: Session, practitioner_id: str, before_session_id: int | None = None
) -> list[ActionRecord]:
    """Actions agreed in the practitioner's earlier sessions that were still
    open when session `before_session_id` began (not done, or done on or after
    its date), by due date; each says where it stands now. With no session,
    every earlier session's action that is open now."""
    practitioner = practitioner_row(session, practitioner_id)
    S, A = m.SupervisionSession, m.Action
    clauses = [S.practitioner_pk == practitioner.id]
    if before_session_id is not None:
        this = _session_row(session, before_session_id)
        if this.practitioner_pk != practitioner.id:
            raise CaseloadError(f"supervision session {before_session_id} is not {practitioner_id}'s")
        clauses.append(or_(S.session_date < this.session_date,
                           and_(S.session_date == this.session_date, S.id < this.id)))
        still_open = or_(A.done.is_(False), A.done_on.is_(None), A.done_on >= this.session_date)
    else:
        still_open = A.done.is_(False)
    earlier = select(S.id).where(*clauses)
    return _action_records(session, and_(A.session_id.in_(earlier), still_open))


# ---------------------------------------------------------------- the record


def session_record(session: Session, session_id: int, *, privacy: bool = False) -> SessionRecord:
    """Everything the Markdown record needs (planner.supervision.session_record_markdown):
    who and when, each case discussed (a note, flag, reviewed mark or action)
    in the order first touched, with the warnings stored at review time, the
    actions agreed, and the earlier sessions' actions carried forward.
    With `privacy`, every person's name is cut to initials."""
    sess = _session_row(session, session_id)
    P = m.Practitioner
    practitioner = session.execute(
        select(P.practitioner_id, P.name).where(P.id == sess.practitioner_pk)
    ).one()
    lead = None
    if sess.lead_pk is not None:
        lead_row = session.execute(select(P.practitioner_id, P.name).where(P.id == sess.lead_pk)).one()
        lead = PersonRef(*lead_row)

    N, C = m.SupervisionNote, m.Case
    note_rows = session.execute(
        select(C.case_ref, C.display_name, C.youth, N.note, N.reviewed, N.flagged, N.warnings_json)
        .join(C, C.id == N.case_id)
        .where(N.session_id == session_id)
        .order_by(N.id)
    ).all()
    actions = _action_records(session, m.Action.session_id == session_id)
    by_case: dict[str, list[ActionRecord]] = defaultdict(list)
    for action in sorted(actions, key=lambda a: a.id):
        if action.case_ref:
            by_case[action.case_ref].append(action)

    cases: list[CaseRecord] = []
    seen: set[str] = set()
    for ref, name, youth, note, reviewed, flagged, warnings_json in note_rows:
        written, pins = split_note(note)
        warnings = tuple(json.loads(warnings_json)) if warnings_json else None
        cases.append(CaseRecord(
            case_ref=ref, display_name=name, youth=bool(youth), reviewed=bool(reviewed),
            flagged=bool(flagged), note=written, prompts=pins,
            warnings=warnings if reviewed else None,
            actions=tuple(by_case.get(ref, ())),
        ))
        seen.add(ref)
    action_only = [ref for ref in by_case if ref not in seen]
    if action_only:
        for ref, name, youth in session.execute(
            select(C.case_ref, C.display_name, C.youth).where(C.case_ref.in_(action_only))
        ).all():
            cases.append(CaseRecord(case_ref=ref, display_name=name, youth=bool(youth),
                                    actions=tuple(by_case[ref])))
        order = {ref: i for i, ref in enumerate(by_case)}
        cases[len(seen):] = sorted(cases[len(seen):], key=lambda c: order[c.case_ref])

    record = SessionRecord(
        session_id=sess.id,
        session_date=sess.session_date,
        practitioner=PersonRef(*practitioner),
        lead=lead,
        started_at=sess.started_at,
        ended_at=sess.ended_at,
        cases=tuple(cases),
        actions=tuple(actions),
        carried_forward=tuple(previous_open_actions(session, practitioner[0], session_id)),
    )
    if not privacy:
        return record
    colleagues = session.execute(select(P.name)).scalars().all()
    return redact(record, known_names=colleagues)
