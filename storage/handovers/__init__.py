"""Handovers after they are planned: the checklist, the summary, completion.

Planning itself is `storage.repo.plan_handover` (one case) and `plan_many`
here (a departure's whole list, in one transaction). Everything else a
person does to a handover lives here, with the same rules as `storage.repo`:

- keyword arguments only, `actor` always; every change is audited in the
  caller's transaction with ids, dates and field names only (never the
  summary, a note or an override reason's text);
- no commit inside: the caller commits with `storage.repo.commit_or_conflict`,
  so one command is one transaction;
- `expected_version` (where the caller read one) is compared with the row's
  `version`; a stale one raises `ConflictError` and rolls the transaction back;
- unknown cases and items, and transitions the life cycle refuses
  (`planner.handover`), raise `CaseloadError` with a one-line reason.

Auto-ticks. docs/handovers.md: items tick themselves from data (a `three_way` contact,
an appointment booked with the incoming practitioner, a first contact held).
`sync_auto_ticks` writes those ticks (`auto=True`, audited as `auto_tick`;
idempotent: a second run writes nothing). It runs inside `tick_item` and
`complete_handover` (for that case), `plan_many` (given `as_of`), and at the
start of every `caseload handover` command. The app should call
`sync_auto_ticks_now(engine, ...)` (its own transaction) when it loads data,
so the screens and the warnings follow the records. Read-only paths that must
not write (the `warnings` command) can use `with_auto_ticks`, which applies
the same ticks in memory.

Completion (see `planner.handover` for the rule): completing on a date needs
only the required items due by that date (and `told` and `three_way`); items due later (`first_contact`,
`reachable`, `review`) are follow-ups that stay open on the completed
handover and can still be ticked, unticked, noted and auto-ticked (for
`FOLLOW_UP_DAYS` after completion) without changing its status.

The package, by seam: `views` (what is shown), `reading` (the queries),
`rows` (the rows a change works on), `autoticks`, `items` (the checklist),
`lifecycle` (summary, cancel, review), `completion`, `planning`.

Versions: `HandoverView.version` is the handover row's (pass it to
`save_summary`, `complete_handover`, `cancel_handover`); each `ItemView`
carries its own (pass it to `tick_item`, `untick_item`, `set_item_note`).
"""


from __future__ import annotations

from planner.handover import FOLLOW_UP_DAYS, with_auto_ticks
from storage.handovers.autoticks import AUTO_ACTOR, sync_auto_ticks, sync_auto_ticks_now, syncable_case_refs
from storage.handovers.completion import complete_handover
from storage.handovers.items import set_item_note, tick_item, untick_item
from storage.handovers.lifecycle import cancel_handover, review_handover, save_summary
from storage.handovers.planning import PlanRow, plan_many, receiver_concerns, replan_handover
from storage.handovers.reading import completed_with_follow_ups, handover_detail, open_handovers
from storage.queries.handover_views import HandoverView, ItemView

__all__ = [
    "AUTO_ACTOR",
    "FOLLOW_UP_DAYS",
    "PlanRow",
    "HandoverView",
    "ItemView",
    "cancel_handover",
    "complete_handover",
    "completed_with_follow_ups",
    "handover_detail",
    "open_handovers",
    "plan_many",
    "receiver_concerns",
    "replan_handover",
    "review_handover",
    "save_summary",
    "set_item_note",
    "sync_auto_ticks",
    "syncable_case_refs",
    "sync_auto_ticks_now",
    "tick_item",
    "untick_item",
    "with_auto_ticks",
]
