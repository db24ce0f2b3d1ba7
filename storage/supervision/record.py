"""The record of a supervision session (planner.supervision.session_record_markdown)."""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import replace

from sqlalchemy import select
from sqlmodel import Session

from planner.model import Checkin
from planner.supervision import ActionRecord, CaseRecord, PersonRef, SessionRecord, redact, split_note
from storage import models as m
from storage.supervision.actions import previous_open_actions, session_actions
from storage.supervision.rows import session_row


def _person(session: Session, pk: int) -> PersonRef:
    """The practitioner row `pk` as a `PersonRef` (id and name)."""
    P = m.Practitioner
    row = session.execute(select(P.practitioner_id, P.name).where(P.id == pk)).one()
    return PersonRef(id=row.practitioner_id, name=row.name)


def session_record(session: Session, session_id: int, *, privacy: bool = False) -> SessionRecord:
    """Everything the Markdown record needs (planner.supervision.session_record_markdown):
    who and when, each case discussed (a note, flag, reviewed mark or action)
    in the order first touched, with the warnings stored at review time, the
    actions agreed, and the earlier sessions' actions carried forward.
    With `privacy`, every person's name is cut to initials."""
    sess = session_row(session, session_id)
    practitioner = _person(session, sess.practitioner_pk)
    lead = _person(session, sess.lead_pk) if sess.lead_pk is not None else None
    actions = session_actions(session, session_id)
    record = SessionRecord(
        session_id=sess.id,
        session_date=sess.session_date,
        practitioner=practitioner,
        lead=lead,
        started_at=sess.started_at,
        ended_at=sess.ended_at,
        cases=tuple(_with_checkins(session, _case_records(session, session_id, actions), sess.session_date)),
        actions=tuple(actions),
        carried_forward=tuple(previous_open_actions(session, practitioner.id, session_id)),
    )
    if not privacy:
        return record
    colleagues = session.execute(select(m.Practitioner.name)).scalars().all()
    return redact(record, known_names=colleagues)


def _with_checkins(session: Session, cases: list[CaseRecord], until) -> list[CaseRecord]:
    """Each case with the person's check-ins up to the session's date (docs/voice.md)."""
    if not cases:
        return cases
    K, C, P = m.Checkin, m.Case, m.Practitioner
    found: dict[str, list[Checkin]] = defaultdict(list)
    for row in session.execute(
        select(C.case_ref, K.checkin_date, P.practitioner_id, K.listened, K.goals, K.trust, K.words)
        .join(C, C.id == K.case_id).join(P, P.id == K.practitioner_pk)
        .where(C.case_ref.in_([c.case_ref for c in cases]), K.checkin_date <= until)
        .order_by(C.case_ref, K.checkin_date, K.id)
    ).all():
        found[row.case_ref].append(Checkin(row.checkin_date, row.practitioner_id, row.listened, row.goals,
                                           row.trust, row.words))
    return [replace(c, checkins=tuple(found.get(c.case_ref, ()))) for c in cases]


def _case_records(session: Session, session_id: int, actions: list[ActionRecord]) -> list[CaseRecord]:
    """Each case the session touched: those with a note first (in the order
    written), then those with only an action (in the order agreed)."""
    N, C = m.SupervisionNote, m.Case
    by_case: dict[str, list[ActionRecord]] = defaultdict(list)
    for action in sorted(actions, key=lambda a: a.id):
        if action.case_ref:
            by_case[action.case_ref].append(action)
    cases: list[CaseRecord] = []
    for row in session.execute(
        select(C.case_ref, C.display_name, C.youth, N.note, N.reviewed, N.flagged, N.warnings_json)
        .join(C, C.id == N.case_id)
        .where(N.session_id == session_id)
        .order_by(N.id)
    ).all():
        written, pins = split_note(row.note)
        warnings = tuple(json.loads(row.warnings_json)) if row.warnings_json else None
        cases.append(CaseRecord(
            case_ref=row.case_ref, display_name=row.display_name, youth=bool(row.youth),
            reviewed=bool(row.reviewed), flagged=bool(row.flagged), note=written, prompts=pins,
            warnings=warnings if row.reviewed else None,
            actions=tuple(by_case.get(row.case_ref, ())),
        ))
    seen = {case.case_ref for case in cases}
    action_only = [ref for ref in by_case if ref not in seen]
    if action_only:
        order = {ref: i for i, ref in enumerate(by_case)}
        rows = session.execute(
            select(C.case_ref, C.display_name, C.youth).where(C.case_ref.in_(action_only))
        ).all()
        cases.extend(
            CaseRecord(case_ref=row.case_ref, display_name=row.display_name, youth=bool(row.youth),
                       actions=tuple(by_case[row.case_ref]))
            for row in sorted(rows, key=lambda row: order[row.case_ref])
        )
    return cases
