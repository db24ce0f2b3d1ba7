"""Write side: every change a person makes, each audited in the same transaction.

Rules every function here keeps:

- keyword arguments only, `actor` (who is doing it) always;
- an unknown case, practitioner or appointment, or a value outside the
  vocabulary of docs/words.md, raises `CaseloadError` with a one-line reason;
- a stale `expected_version`, or SQLAlchemy's `StaleDataError` when the row
  moved under us, raises `ConflictError` and rolls the session back, so
  nothing of the transaction is saved and nothing is overwritten;
- one `storage.audit.record` per change, with ids, dates, kinds and field
  names only (never names, note text or other personal data);
- they flush (to learn ids and new versions) but never commit: the caller
  commits once with `commit_or_conflict`, so one command is one transaction.
- access (`storage.access`, the one place that decides): when `actor` is a
  known practitioner id, a case they do not see is refused with
  CaseloadError (`guard_case`), and so are the role rules there (moving a
  case to another team needs a team lead, notes are written in one's own
  name...); any other actor (the OS user without `--as`) is the
  administrator of the file and is let through, except on a practitioner's
  own PostgreSQL login, which is always that practitioner.

The package, by seam: `transactions` and `lookups` (the helpers every writer
shares, `storage.handovers` and `storage.supervision` too), `contacts`,
`appointments`, `cases` (notes and edits), `allocation`, `handover_plans`,
`voice` (check-ins, not_with, language and interpreter: docs/voice.md).
"""


from __future__ import annotations

from storage.repo.allocation import allocate
from storage.repo.appointments import (
    book_appointment,
    cancel_appointment,
    day_refusal,
    move_appointment,
    record_outcome,
    same_time,
)
from storage.repo.cases import EDITABLE_CASE_FIELDS, add_case_note, update_case
from storage.repo.contacts import record_contact
from storage.repo.handover_plans import check_plan, plan_handover
from storage.repo.transactions import commit_or_conflict, conflict_message
from storage.repo.voice import record_checkin, remove_not_with, set_not_with, set_preferences

__all__ = [
    "EDITABLE_CASE_FIELDS",
    "check_plan",
    "add_case_note",
    "allocate",
    "book_appointment",
    "cancel_appointment",
    "day_refusal",
    "commit_or_conflict",
    "conflict_message",
    "move_appointment",
    "record_outcome",
    "same_time",
    "plan_handover",
    "record_checkin",
    "record_contact",
    "remove_not_with",
    "set_not_with",
    "set_preferences",
    "update_case",
]
