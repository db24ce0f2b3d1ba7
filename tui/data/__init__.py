"""The thin layer between the app and storage/planner, in three parts:

- tui/data/views.py: the plain frozen views the screens show, and their
  cells' wording;
- tui/data/first_read.py: the first caseload, read while Textual starts;
- tui/data/gateway.py: every read and write the app makes, each one short
  session through `storage` (no SQL in `tui`).

Screens call the gateway from thread workers; nothing here touches a widget,
and nothing here decides a rule: warnings come from `planner.risk`, the week
from `planner.week`, capacity from `planner.workload`. The names below are
the ones screens and tests import from `tui.data`.
"""

from __future__ import annotations

from planner.relationship import relationship_label
from planner.words import initials
from tui.data.first_read import FirstRead
from tui.data.gateway import ConnectionLost, Gateway
from tui.data.views import (
    CaseloadView,
    CaseRow,
    CaseView,
    Occurrence,
    SearchEntry,
    WeekView,
    absence_end,
    absence_span,
    handover_label,
    last_seen,
    split_statuses,
    status_label,
    upcoming,
)

__all__ = [
    "CaseRow", "CaseView", "CaseloadView", "ConnectionLost", "FirstRead", "Gateway", "Occurrence",
    "SearchEntry", "WeekView", "absence_end", "absence_span", "handover_label", "initials", "last_seen",
    "relationship_label", "split_statuses", "status_label", "upcoming",
]
