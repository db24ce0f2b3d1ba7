"""Supervision reads: sessions with their counts, their notes, the review
queue, the actions agreed and carried forward, and the session's record.

SQL text on a `storage.reader.Reader` like every query here, so `caseload
supervision list/queue/export` read without importing SQLAlchemy; the app's
supervision screen and `storage.supervision`'s writes run the same functions
on their session (`reader_of`). Datetimes come back aware, in UTC, as the
ORM's `UTCDateTime` columns return them (SQLite stores them as naive text).
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timezone

from planner.errors import CaseloadError
from planner.supervision import (
    ActionRecord,
    CaseRecord,
    PersonRef,
    Progress,
    QueueItem,
    SessionRecord,
    progress,
    redact,
    review_queue,
    split_note,
)
from storage.queries.rows import _Dates, _known, _PractitionerIds, _rows, _Where
from storage.queries.voice import checkins_by_case
from storage.reader import reader_of

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


def utc(value) -> datetime | None:
    """A stored timestamp as an aware UTC datetime (ISO text on SQLite)."""
    if value is None:
        return None
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value.replace(tzinfo=timezone.utc) if value.utcoffset() is None else value.astimezone(timezone.utc)


def _practitioner_pk(reader, practitioner_id: str) -> int:
    return _known(reader, "SELECT id FROM practitioner WHERE practitioner_id = ?", practitioner_id, "practitioner")


def _session_facts(reader, session_id: int) -> tuple[int, date, int | None]:
    """The session's practitioner pk, date and lead pk; CaseloadError for an unknown one."""
    row = next(iter(_rows(reader, "SELECT practitioner_pk, session_date, lead_pk FROM supervision_session"
                                  " WHERE id = ?", (session_id,))), None)
    if row is None:
        raise CaseloadError(f"unknown supervision session {session_id}")
    return row[0], _Dates()[row[1]], row[2]


# --------------------------------------------------------------------------- sessions


def open_session_id(reader, practitioner_id: str) -> int | None:
    """The practitioner's session that has not ended, if any (to resume it)."""
    pk = _practitioner_pk(reader, practitioner_id)
    row = next(iter(_rows(reader, "SELECT id FROM supervision_session WHERE practitioner_pk = ? AND ended_at IS NULL"
                                  " ORDER BY session_date DESC, id DESC", (pk,))), None)
    return None if row is None else row[0]


def latest_session_id(reader, practitioner_id: str) -> int:
    """The practitioner's most recent session; CaseloadError when there is none."""
    pk = _practitioner_pk(reader, practitioner_id)
    row = next(iter(_rows(reader, "SELECT id FROM supervision_session WHERE practitioner_pk = ?"
                                  " ORDER BY session_date DESC, id DESC", (pk,))), None)
    if row is None:
        raise CaseloadError(f"{practitioner_id} has no supervision sessions yet")
    return row[0]


def _summaries(reader, where: str, key: int) -> list[SessionSummary]:
    """The sessions matching `where` (one `?` for `key`), newest first, with their counts."""
    rows = _rows(
        reader,
        "SELECT s.id, s.session_date, p.practitioner_id, l.practitioner_id, l.name, s.started_at, s.ended_at,"
        " s.version FROM supervision_session s JOIN practitioner p ON p.id = s.practitioner_pk"
        f" LEFT OUTER JOIN practitioner l ON l.id = s.lead_pk WHERE {where}"
        " ORDER BY s.session_date DESC, s.id DESC",
        (key,),
    )
    if not rows:
        return []
    counts = _counts(reader, [row[0] for row in rows])
    dates = _Dates()
    return [
        SessionSummary(
            id=sid, session_date=dates[day], practitioner_id=pid, lead_id=lead_id, lead_name=lead_name,
            started_at=utc(started), ended_at=utc(ended), cases_discussed=len(counts[sid].cases),
            reviewed=counts[sid].reviewed, flagged=counts[sid].flagged, actions=counts[sid].actions,
            open_actions=counts[sid].open_actions, version=version,
        )
        for sid, day, pid, lead_id, lead_name, started, ended, version in rows
    ]


@dataclass
class _Counts:
    """One session's counts: notes reviewed and flagged, actions, cases touched."""

    reviewed: int = 0
    flagged: int = 0
    actions: int = 0
    open_actions: int = 0
    cases: set[int] = field(default_factory=set)


def _counts(reader, ids: list[int]) -> dict[int, _Counts]:
    """The counts of the sessions `ids` (two statements)."""
    counts: dict[int, _Counts] = defaultdict(_Counts)
    marks = ", ".join("?" * len(ids))
    for sid, case_id, reviewed, flagged in _rows(
            reader, f"SELECT session_id, case_id, reviewed, flagged FROM supervision_note WHERE session_id IN ({marks})",
            ids):
        of = counts[sid]
        of.reviewed += bool(reviewed)
        of.flagged += bool(flagged)
        of.cases.add(case_id)
    for sid, case_id, done in _rows(
            reader, f"SELECT session_id, case_id, done FROM action WHERE session_id IN ({marks})", ids):
        of = counts[sid]
        of.actions += 1
        of.open_actions += not done
        if case_id is not None:
            of.cases.add(case_id)
    return counts


def list_sessions(reader, practitioner_id: str) -> list[SessionSummary]:
    """The practitioner's sessions, newest first, with counts."""
    return _summaries(reader, "s.practitioner_pk = ?", _practitioner_pk(reader, practitioner_id))


def get_session(reader, session_id: int) -> SessionSummary:
    """One session with its counts."""
    found = _summaries(reader, "s.id = ?", session_id)
    if not found:
        raise CaseloadError(f"unknown supervision session {session_id}")
    return found[0]


# --------------------------------------------------------------------------- notes and the queue


def session_notes(reader, session_id: int) -> dict[str, NoteState]:
    """Every note of the session by case_ref (the screen's state)."""
    _session_facts(reader, session_id)
    rows = _rows(reader, 'SELECT c.case_ref, n.note, n.version, n.reviewed, n.flagged FROM supervision_note n'
                         ' JOIN "case" c ON c.id = n.case_id WHERE n.session_id = ? ORDER BY n.id', (session_id,))
    return {
        ref: NoteState(case_ref=ref, text=note or "", version=version, reviewed=bool(reviewed), flagged=bool(flagged))
        for ref, note, version, reviewed, flagged in rows
    }


def session_queue(reader, session_id: int, *, as_of: date | None = None,
                  policy=None) -> tuple[list[QueueItem], Progress]:
    """The review queue for the session's practitioner (their open cases as
    of the session date unless `as_of`), and the progress so far."""
    from planner.policy import DEFAULT_POLICY
    from planner.risk import evaluate
    from storage.queries.cases import load_cases
    from storage.queries.world import load_world

    practitioner_pk, session_date, _lead = _session_facts(reader, session_id)
    policy = policy or DEFAULT_POLICY
    day = as_of or session_date
    practitioner_id = _known(reader, "SELECT practitioner_id FROM practitioner WHERE id = ?", practitioner_pk,
                             "practitioner row")
    risks = evaluate(load_cases(reader, practitioner_id=practitioner_id), load_world(reader), day, policy)
    notes = session_notes(reader, session_id)
    queue = review_queue(risks, [r for r, n in notes.items() if n.flagged], day, policy)
    return queue, progress(queue, [r for r, n in notes.items() if n.reviewed])


# --------------------------------------------------------------------------- actions


def _action_records(reader, where: str, params: tuple) -> list[ActionRecord]:
    """The actions matching `where`, by due date, each with its owner, case and session."""
    rows = _rows(
        reader,
        "SELECT a.id, a.text, p.practitioner_id, p.name, a.due, a.done, a.done_on, c.case_ref, a.session_id,"
        " s.session_date FROM action a JOIN practitioner p ON p.id = a.owner_pk"
        ' LEFT OUTER JOIN "case" c ON c.id = a.case_id LEFT OUTER JOIN supervision_session s ON s.id = a.session_id'
        f" WHERE {where} ORDER BY a.due, a.id",
        params,
    )
    dates = _Dates()
    return [
        ActionRecord(id=aid, text=text, owner=PersonRef(id=pid, name=name), due=dates[due], done=bool(done),
                     done_on=dates[done_on], case_ref=ref, session_id=sid, session_date=dates[session_date])
        for aid, text, pid, name, due, done, done_on, ref, sid, session_date in rows
    ]


def session_actions(reader, session_id: int) -> list[ActionRecord]:
    """The actions agreed in session `session_id`, by due date."""
    return _action_records(reader, "a.session_id = ?", (session_id,))


def previous_open_actions(reader, practitioner_id: str, before_session_id: int | None = None) -> list[ActionRecord]:
    """Actions agreed in the practitioner's earlier sessions that were still
    open when session `before_session_id` began (not done, or done on or after
    its date), by due date; each says where it stands now. With no session,
    every earlier session's action that is open now."""
    pk = _practitioner_pk(reader, practitioner_id)
    if before_session_id is None:
        return _action_records(
            reader, "NOT a.done AND a.session_id IN (SELECT id FROM supervision_session WHERE practitioner_pk = ?)",
            (pk,))
    this_pk, this_date, _lead = _session_facts(reader, before_session_id)
    if this_pk != pk:
        raise CaseloadError(f"supervision session {before_session_id} is not {practitioner_id}'s")
    return _action_records(
        reader,
        "(NOT a.done OR a.done_on IS NULL OR a.done_on >= ?) AND a.session_id IN (SELECT id FROM"
        " supervision_session WHERE practitioner_pk = ? AND (session_date < ? OR (session_date = ? AND id < ?)))",
        (this_date, pk, this_date, this_date, before_session_id),
    )


# --------------------------------------------------------------------------- the record


def _person(reader, pk: int) -> PersonRef:
    row = _rows(reader, "SELECT practitioner_id, name FROM practitioner WHERE id = ?", (pk,))[0]
    return PersonRef(id=row[0], name=row[1])


def session_record(reader, session_id: int, *, privacy: bool = False) -> SessionRecord:
    """Everything the Markdown record needs (planner.supervision.session_record_markdown):
    who and when, each case discussed (a note, flag, reviewed mark or action)
    in the order first touched, with the warnings stored at review time, the
    actions agreed, and the earlier sessions' actions carried forward.
    With `privacy`, every person's name is cut to initials."""
    summary = get_session(reader, session_id)
    practitioner_pk, day, lead_pk = _session_facts(reader, session_id)
    practitioner = _person(reader, practitioner_pk)
    actions = session_actions(reader, session_id)
    record = SessionRecord(
        session_id=summary.id,
        session_date=summary.session_date,
        practitioner=practitioner,
        lead=_person(reader, lead_pk) if lead_pk is not None else None,
        started_at=summary.started_at,
        ended_at=summary.ended_at,
        cases=tuple(_with_checkins(reader, _case_records(reader, session_id, actions), day)),
        actions=tuple(actions),
        carried_forward=tuple(previous_open_actions(reader, practitioner.id, session_id)),
    )
    if not privacy:
        return record
    return redact(record, known_names=[name for (name,) in _rows(reader, "SELECT name FROM practitioner")])


def _with_checkins(reader, cases: list[CaseRecord], until) -> list[CaseRecord]:
    """Each case with the person's check-ins up to the session's date (docs/voice.md)."""
    if not cases:
        return cases
    reader = reader_of(reader)
    refs = [c.case_ref for c in cases]
    in_refs = f'SELECT id FROM "case" WHERE case_ref IN ({reader.placeholders(len(refs))})'
    ids = dict(reader.all(in_refs.replace("SELECT id", "SELECT case_ref, id"), tuple(refs)))
    found = checkins_by_case(reader, lambda column: _Where(f"{column} IN ({in_refs})", tuple(refs)),
                             _PractitionerIds(reader), _Dates())
    return [replace(c, checkins=tuple(k for k in found.get(ids.get(c.case_ref), ()) if k.checkin_date <= until))
            for c in cases]


def _case_records(reader, session_id: int, actions: list[ActionRecord]) -> list[CaseRecord]:
    """Each case the session touched: those with a note first (in the order
    written), then those with only an action (in the order agreed)."""
    by_case: dict[str, list[ActionRecord]] = defaultdict(list)
    for action in sorted(actions, key=lambda a: a.id):
        if action.case_ref:
            by_case[action.case_ref].append(action)
    cases: list[CaseRecord] = []
    for ref, name, youth, note, reviewed, flagged, warnings_json in _rows(
            reader, 'SELECT c.case_ref, c.display_name, c.youth, n.note, n.reviewed, n.flagged, n.warnings_json'
                    ' FROM supervision_note n JOIN "case" c ON c.id = n.case_id WHERE n.session_id = ?'
                    ' ORDER BY n.id', (session_id,)):
        written, pins = split_note(note)
        warnings = tuple(json.loads(warnings_json)) if warnings_json else None
        cases.append(CaseRecord(
            case_ref=ref, display_name=name, youth=bool(youth), reviewed=bool(reviewed), flagged=bool(flagged),
            note=written, prompts=pins, warnings=warnings if reviewed else None, actions=tuple(by_case.get(ref, ())),
        ))
    seen = {case.case_ref for case in cases}
    action_only = [ref for ref in by_case if ref not in seen]
    if action_only:
        order = {ref: i for i, ref in enumerate(by_case)}
        rows = _rows(reader, f'SELECT case_ref, display_name, youth FROM "case" WHERE case_ref IN'
                             f' ({", ".join("?" * len(action_only))})', action_only)
        cases.extend(
            CaseRecord(case_ref=ref, display_name=name, youth=bool(youth), actions=tuple(by_case[ref]))
            for ref, name, youth in sorted(rows, key=lambda row: order[row[0]])
        )
    return cases
