"""A person's changes to the handover itself: its summary, cancelling it, and
a team lead's review of a cold one (completion is `storage.handovers.completion`)."""

from __future__ import annotations

from datetime import date

from typing import Any

from sqlalchemy import select

from planner import validate
from planner.errors import CaseloadError
from planner.model import COMPLETED_HANDOVER_STATUSES
from storage import audit
from storage.access import actor_for, guard_case
from storage.handovers.reading import handover_detail
from storage.handovers.rows import (
    H,
    changeable_row,
    edit_subject,
    item_rows,
    open_row,
    planner_handover,
    update_handover,
)
from storage.queries.handover_views import HandoverView
from storage.repo.lookups import as_date, case_row
from storage.repo.transactions import check_version, connection_of, editing


def save_summary(
    db,
    *,
    case_ref: str,
    text: str | None,
    expected_version: int | None,
    actor: str,
    on: date | None = None,
) -> HandoverView:
    """Save the outgoing practitioner's handover summary (docs/handovers.md prompts:
    `planner.checklist.HANDOVER_PROMPTS`) on the open handover, or on the
    latest completed one until its `review` is done (docs/handovers.md: the summary
    stays editable until then). It does not tick the `summary` item: the
    practitioner ticks it when the summary is finished; once ticked, the
    summary cannot be emptied. `expected_version` is the handover's."""
    from planner.handover import summary_editable

    _, row = changeable_row(db, case_ref, "write a summary for")
    guard_case(db, actor, case_ref)
    items = item_rows(db, row.id)
    if not summary_editable(planner_handover(db, row, items)):
        raise CaseloadError(
            f"the summary of case {case_ref}'s handover can no longer change: "
            + ("the four-week review is done" if row.status in COMPLETED_HANDOVER_STATUSES
               else f"the handover is {row.status}")
        )
    check_version(db, row, expected_version, edit_subject(case_ref))
    text = text if text and text.strip() else None
    if text is None and any(i.item_id == "summary" and i.done for i in items):
        raise CaseloadError(f"the summary of case {case_ref}'s handover is ticked done: it cannot be emptied")
    validate.text_field("summary", text)
    if text != row.summary:
        update_handover(db, row, case_ref, summary=text)
        audit.record(db, actor, "summary", "handover", row.id, case_ref=case_ref,
                     handover_id=row.id, chars=len(text or ""))
    return handover_detail(db, case_ref, as_of=on, handover_id=row.id)


def cancel_handover(
    db,
    *,
    case_ref: str,
    actor: str,
    expected_version: int | None = None,
    on: date | None = None,
) -> HandoverView:
    """Cancel the case's open handover (the case stays where it is)."""
    from planner.handover import cancel

    _, row = open_row(db, case_ref, "cancel")
    guard_case(db, actor, case_ref)
    check_version(db, row, expected_version, edit_subject(case_ref))
    update_handover(db, row, case_ref, status=cancel(planner_handover(db, row, item_rows(db, row.id))).status)
    audit.record(db, actor, "cancel", "handover", row.id, case_ref=case_ref, handover_id=row.id,
                 from_status=row.status)
    return handover_detail(db, case_ref, as_of=on, handover_id=row.id)


def review_handover(
    db,
    *,
    case_ref: str,
    note: str,
    actor: str,
    on: date | None = None,
    handover_id: int | None = None,
    expected_version: int | None = None,
) -> HandoverView:
    """A team lead reviews a cold handover (docs/handovers.md): the latest completed one
    of the case, or `handover_id`. Records who (`actor`), when (`on`, default
    today) and why (`note`, required), and ends `cold_handover` (the rule
    stops on `reviewed`). Refused for a practitioner who is not the case
    team's lead, an empty note, an open, cancelled or warm handover, and one
    already reviewed. The audit event says that a note was written, never
    its text."""
    from storage.access import case_team_id, require_lead

    on = as_date(on or date.today(), "on")
    case = case_row(db, case_ref)
    guard_case(db, actor, case_ref)
    require_lead(actor_for(db, actor), case_team_id(db, case_ref),
                 f"review the cold handover of case {case_ref}")
    validate.text_field("note", note)
    if not note or not note.strip():
        raise CaseloadError("a review needs a note: what was learnt, and what is done for the person now")
    row = _reviewable_row(db, case, handover_id)
    check_version(db, row, expected_version, edit_subject(case_ref))
    _refuse_unreviewable(db, case_ref, row)
    editing(db, edit_subject(case_ref))
    update_handover(db, row, case_ref, reviewed=True, reviewed_by=actor[:64], reviewed_on=on,
                    review_note=note.strip())
    audit.record(db, actor, "review", "handover", row.id, case_ref=case_ref,
                 handover_id=row.id, status=row.status, reviewed_on=on, has_note=True)
    return handover_detail(db, case_ref, as_of=on, handover_id=row.id)


def _reviewable_row(db, case: Any, handover_id: int | None) -> Any:
    """The case's handover `handover_id`, else its latest completed one, read afresh."""
    stmt = select(H).where(H.c.case_id == case.id)
    if handover_id is not None:
        stmt = stmt.where(H.c.id == handover_id)
    else:
        stmt = stmt.where(H.c.status.in_(COMPLETED_HANDOVER_STATUSES))
    row = connection_of(db).execute(stmt.order_by(H.c.completed_on.desc(), H.c.id.desc())).first()
    if row is None:
        raise CaseloadError(
            f"case {case.case_ref} has no handover {handover_id}" if handover_id is not None
            else f"case {case.case_ref} has no completed handover to review"
        )
    return row


def _refuse_unreviewable(db, case_ref: str, row: Any) -> None:
    """Only a completed cold handover not yet reviewed is reviewed."""
    from planner.handover import is_cold

    handover = planner_handover(db, row, item_rows(db, row.id))
    if not handover.is_completed:
        raise CaseloadError(f"the handover of case {case_ref} is {row.status}; only a completed one is reviewed")
    if not is_cold(handover):
        raise CaseloadError(f"the handover of case {case_ref} was warm; there is nothing to review")
    if row.reviewed:
        raise CaseloadError(
            f"the cold handover of case {case_ref} was already reviewed"
            + (f" by {row.reviewed_by}" if row.reviewed_by else "")
            + (f" on {row.reviewed_on.isoformat()}" if row.reviewed_on else "")
        )
