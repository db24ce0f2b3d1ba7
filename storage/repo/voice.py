"""The person's voice (docs/voice.md): check-ins, the `not_with` list, and
the case's language and interpreter. Audit events hold ids, dates and codes:
never the answers' words."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from planner import validate
from planner.errors import CaseloadError
from planner.model import CHECKIN_QUESTIONS, NOT_WITH_REASONS
from storage import audit
from storage.access import check_case_edit, check_checkin, check_not_with
from storage.repo.lookups import as_date, case_row, case_with_practitioner, existing, one_of
from storage.repo.transactions import connection_of, delete_versioned, insert, update_versioned
from storage.tables import t

LANGUAGE_MAX = 64


def record_checkin(
    session,
    *,
    case_ref: str,
    checkin_date: date,
    practitioner_id: str,
    listened: int,
    goals: int,
    trust: int,
    words: str | None = None,
    today: date | None = None,
    actor: str,
) -> int:
    """Record the person's answers at a contact; returns the check-in's id.
    One a day per practitioner; a second is refused."""
    case, practitioner = case_with_practitioner(session, actor, case_ref, practitioner_id, check=check_checkin)
    answers = {"listened": listened, "goals": goals, "trust": trust}
    for question in CHECKIN_QUESTIONS:
        validate.refuse(question, validate.checkin_answer(question, answers[question]))
    checkin_date = as_date(checkin_date, "checkin_date")
    validate.refuse("checkin_date", validate.checkin_date(checkin_date, today or date.today()))
    words = (words or "").strip() or None
    validate.text_field("words", words)
    if existing(session, t.checkin, case_id=case.id, checkin_date=checkin_date,
                practitioner_pk=practitioner.id) is not None:
        raise CaseloadError(f"case {case_ref} already has a check-in on {checkin_date} with {practitioner_id}")
    checkin_id = insert(session, t.checkin, case_id=case.id, checkin_date=checkin_date,
                        practitioner_pk=practitioner.id, words=words, **answers)
    audit.record(session, actor, "record", "checkin", checkin_id, case_ref=case_ref, checkin_date=checkin_date,
                 practitioner_id=practitioner_id, has_words=bool(words))
    return checkin_id


def _not_with_row(session, actor: str, case_ref: str, practitioner_id: str):
    """(the case, the practitioner, their row on the case's `not_with` list or None)."""
    case, practitioner = case_with_practitioner(session, actor, case_ref, practitioner_id, check=check_not_with)
    N = t.not_with
    row = connection_of(session).execute(
        select(N).where(N.c.case_id == case.id, N.c.practitioner_pk == practitioner.id)).first()
    return case, practitioner, row


def set_not_with(session, *, case_ref: str, practitioner_id: str, reason: str, actor: str) -> int:
    """Add (or change the reason of) a practitioner on the person's `not_with`
    list; returns the row's id. Reason codes only (NOT_WITH_REASONS)."""
    case, practitioner, row = _not_with_row(session, actor, case_ref, practitioner_id)
    one_of(reason, NOT_WITH_REASONS, "not_with reason")
    if row is None:
        row_id = insert(session, t.not_with, case_id=case.id, practitioner_pk=practitioner.id, reason=reason)
    elif row.reason == reason:
        return row.id
    else:
        row_id = row.id
        update_versioned(session, t.not_with, row, f"the not_with list of case {case_ref}", reason=reason)
    audit.record(session, actor, "set", "not_with", row_id, case_ref=case_ref, practitioner_id=practitioner_id,
                 reason=reason)
    return row_id


def remove_not_with(session, *, case_ref: str, practitioner_id: str, actor: str) -> bool:
    """Take a practitioner off the list; False when they were not on it."""
    _case, _practitioner, row = _not_with_row(session, actor, case_ref, practitioner_id)
    if row is None:
        return False
    delete_versioned(session, t.not_with, row, f"the not_with list of case {case_ref}")
    audit.record(session, actor, "remove", "not_with", row.id, case_ref=case_ref, practitioner_id=practitioner_id)
    return True


def set_preferences(session, *, case_ref: str, language: str | None, interpreter: bool,
                    actor: str) -> None:
    """The person's first language (blank: not recorded) and whether they need an interpreter."""
    case = case_row(session, case_ref)
    check_case_edit(session, actor, case_ref)
    language = (language or "").strip() or None
    if language is not None:
        validate.text_field("language", language, is_name=True)
        if len(language) > LANGUAGE_MAX:
            raise CaseloadError(f"language: at most {LANGUAGE_MAX} characters")
    changed = [f for f, v in (("language", language), ("interpreter", bool(interpreter)))
               if getattr(case, f) != v]
    if not changed:
        return
    update_versioned(session, t.case, case, f"case {case_ref}", language=language, interpreter=bool(interpreter))
    audit.record(session, actor, "update", "case", case_ref, case_ref=case_ref, fields=changed)
