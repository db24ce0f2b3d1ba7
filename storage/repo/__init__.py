"""Write side: every change a person makes, each audited in the same transaction.

Rules every function here keeps:

- keyword arguments only, `actor` (who is doing it) always;
- an unknown case, practitioner or appointment, or a value outside the
  vocabulary of docs/words.md, raises `CaseloadError` with a one-line reason;
- they run on SQLAlchemy Core (`storage.tables`, built from the models'
  plain description storage/schema_data.py), importing neither the ORM nor
  SQLModel: the first argument is a Core `Connection` (`transaction(engine)`),
  or a Session of the packages still on the ORM, whose connection then runs
  the statements (storage/repo/transactions.py);
- a stale `expected_version`, or a row changed under us (an `UPDATE ...
  WHERE id = :id AND version = :v` that changes no row), raises
  `ConflictError` and rolls the transaction back, so nothing of it is saved
  and nothing is overwritten;
- one `storage.audit.record` per change, with ids, dates, kinds and field
  names only (never names, note text or other personal data);
- they return ids and versions, never ORM objects, and never commit: the
  caller commits once with `commit_or_conflict`, so one command is one
  transaction.
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

Each name is imported from its module when first asked for (storage/lazy.py,
as storage/db does), so `from storage.repo import
commit_or_conflict` loads the transactions alone.
"""

from __future__ import annotations

from storage.lazy import lazy_names

_HOMES = {
    "allocate": "allocation",
    "book_appointment": "appointments", "book_appointments": "appointments", "cancel_appointment": "appointments",
    "day_refusal": "appointments",
    "move_appointment": "appointments", "record_outcome": "appointments", "same_time": "appointments",
    "EDITABLE_CASE_FIELDS": "cases", "add_case_note": "cases", "update_case": "cases",
    "record_contact": "contacts",
    "check_plan": "handover_plans", "plan_handover": "handover_plans",
    "commit_or_conflict": "transactions", "conflict_message": "transactions", "transaction": "transactions",
    "record_checkin": "voice", "remove_not_with": "voice", "set_not_with": "voice", "set_preferences": "voice",
}


__getattr__, __dir__ = lazy_names(__name__, _HOMES)

__all__ = sorted(_HOMES)
