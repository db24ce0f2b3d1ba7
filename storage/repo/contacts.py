"""Recording a contact held (or missed, or cancelled) with the person."""

from __future__ import annotations

from datetime import date

from planner import validate
from planner.errors import CaseloadError
from planner.model import CANCELLED_BY, CONTACT_KINDS, OUTCOMES
from storage import audit
from storage.access import check_case_practitioner
from storage.repo.lookups import as_date, case_with_practitioner, existing, one_of, practitioner_row
from storage.repo.transactions import insert
from storage.tables import t


def record_contact(
    session,
    *,
    case_ref: str,
    contact_date: date,
    practitioner_id: str,
    kind: str,
    outcome: str,
    notes: str | None = None,
    cancelled_by: str | None = None,
    with_practitioner_id: str | None = None,
    actor: str,
) -> int:
    """Record a held (or missed, or cancelled) contact; returns its id.

    `cancelled_by` (`person` or `practitioner`) only for a cancelled one;
    `with_practitioner_id`: a second practitioner present (the incoming one
    at a three-way meeting), not the one who held it."""
    case, practitioner = case_with_practitioner(session, actor, case_ref, practitioner_id)
    _check_kind(kind, outcome, cancelled_by)
    second = None
    if with_practitioner_id is not None:
        second = _second_practitioner(session, actor, case_ref, practitioner_id, with_practitioner_id)
    contact_date = as_date(contact_date, "contact_date")
    validate.text_field("notes", notes)
    if existing(session, t.contact, case_id=case.id, contact_date=contact_date, practitioner_pk=practitioner.id,
                kind=kind) is not None:
        raise CaseloadError(
            f"case {case_ref} already has a {kind} contact on {contact_date} with {practitioner_id}"
        )
    contact_id = insert(session, t.contact, case_id=case.id, contact_date=contact_date,
                        practitioner_pk=practitioner.id, kind=kind, outcome=outcome, notes=notes or None,
                        cancelled_by=cancelled_by, with_practitioner_pk=second.id if second is not None else None)
    audit.record(
        session, actor, "record", "contact", contact_id,
        case_ref=case_ref, contact_date=contact_date, practitioner_id=practitioner_id,
        kind=kind, outcome=outcome, has_notes=bool(notes),
        **({"cancelled_by": cancelled_by} if cancelled_by else {}),
        **({"with_practitioner_id": with_practitioner_id} if with_practitioner_id else {}),
    )
    return contact_id


def _check_kind(kind: str, outcome: str, cancelled_by: str | None) -> None:
    """The contact's kind and outcome, and who cancelled it (a cancelled one only)."""
    one_of(kind, CONTACT_KINDS, "contact kind")
    one_of(outcome, OUTCOMES, "outcome")
    if cancelled_by is not None:
        one_of(cancelled_by, CANCELLED_BY, "cancelled_by")
        if outcome != "cancelled":
            raise CaseloadError(f"cancelled_by: only a cancelled contact says who cancelled it (outcome is {outcome})")


def _second_practitioner(session, actor: str, case_ref: str, practitioner_id: str, with_practitioner_id: str):
    """The second practitioner present, not the one who held the contact."""
    if with_practitioner_id == practitioner_id:
        raise CaseloadError("with_practitioner_id: names the practitioner who held the contact; "
                            "it is for a second practitioner present")
    second = practitioner_row(session, with_practitioner_id)
    check_case_practitioner(session, actor, case_ref, with_practitioner_id)
    return second
