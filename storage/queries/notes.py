"""Supervision actions and case notes."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from planner.errors import CaseloadError
from planner.model import Action
from storage.queries.rows import _case_pk, _Dates, _rows, _scalar


@dataclass(frozen=True, slots=True)
class CaseNoteView:
    """One case note as the app shows it. `text` is personal data: show it,
    never log it."""

    id: int
    case_ref: str
    written_on: date
    author_id: str | None
    text: str


def load_actions(
    session,
    owner_id: str | None = None,
    open_only: bool = True,
    case_ref: str | None = None,
) -> list[Action]:
    """Supervision actions by due date; optionally one owner's, one case's,
    and (default) only those not done. Unknown owner or case: CaseloadError."""
    clauses: list[str] = []
    params: list = []
    if owner_id is not None:
        owner_pk = _scalar(session, "SELECT id FROM practitioner WHERE practitioner_id = ?", (owner_id,))
        if owner_pk is None:
            raise CaseloadError(f"unknown practitioner {owner_id}")
        clauses.append("ac.owner_pk = ?")
        params.append(owner_pk)
    if case_ref is not None:
        clauses.append("ac.case_id = ?")
        params.append(_case_pk(session, case_ref))
    if open_only:
        clauses.append("NOT ac.done")
    where = f" WHERE {' AND '.join(clauses)}" if clauses else ""
    dates = _Dates()
    return [
        Action(text=text, owner_id=owner, due=dates[due], case_ref=ref, done=bool(done), session_id=sid, id=aid)
        for aid, text, owner, due, ref, done, sid in _rows(
            session,
            "SELECT ac.id, ac.text, p.practitioner_id, ac.due, c.case_ref, ac.done, ac.session_id"
            ' FROM action ac JOIN practitioner p ON p.id = ac.owner_pk LEFT OUTER JOIN "case" c ON c.id = ac.case_id'
            f"{where} ORDER BY ac.due, ac.id",
            params,
        )
    ]


def load_week_actions(session, viewer, owner_id: str) -> tuple[Action, ...]:
    """The open actions a week shows: part of the owner's supervision record,
    so only for whoever reads it (`storage.access.check_supervision_access`:
    the owner and their team's lead, as schema 0012's `action` policy); a
    colleague's week leaves them out. The app's week and `caseload week` both
    read them here."""
    from storage.access import reads_supervision_of

    if not reads_supervision_of(session, viewer, owner_id):
        return ()
    return tuple(load_actions(session, owner_id=owner_id))


def load_case_notes(session, case_ref: str) -> list[CaseNoteView]:
    """A case's notes, oldest first. CaseloadError for an unknown case."""
    case_pk = _case_pk(session, case_ref)
    rows = _rows(
        session,
        "SELECT n.id, n.written_on, p.practitioner_id, n.text"
        " FROM case_note n LEFT OUTER JOIN practitioner p ON p.id = n.author_pk"
        " WHERE n.case_id = ? ORDER BY n.written_on, n.id",
        (case_pk,),
    )
    dates = _Dates()
    return [
        CaseNoteView(id=nid, case_ref=case_ref, written_on=dates[written_on], author_id=author, text=text)
        for nid, written_on, author, text in rows
    ]


def load_contact_notes(session, case_ref: str) -> dict[int, str]:
    """A case's contact notes, by contact id (the contacts with a note only).
    CaseloadError for an unknown case. Personal data: shown, never logged."""
    case_pk = _case_pk(session, case_ref)
    return dict(_rows(session, "SELECT k.id, k.notes FROM contact k WHERE k.case_id = ? AND k.notes IS NOT NULL"
                               " AND k.notes <> ''", (case_pk,)))
