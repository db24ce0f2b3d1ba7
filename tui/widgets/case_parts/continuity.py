"""The continuity chain: every practitioner the person has had, the churn
in words, and the planned handover."""

from __future__ import annotations

from functools import partial

from rich.console import Group
from rich.text import Text

from planner.relationship import churn_words
from tui.data import CaseView
from tui.text import plain
from tui.widgets import severity
from tui.widgets.case_detail import allocations_table
from tui.widgets.case_parts.part import CasePart, person
from tui.widgets.plain import Static


class CaseContinuity(CasePart, Static):
    TITLE = "Continuity"
    ID = "continuity"

    def render_view(self, view: CaseView):
        app, case = self.app, view.case
        who = partial(person, app, view)
        parts: list = ([allocations_table(case.allocations, view.as_of, who)] if case.allocations
                       else [Text("No allocations recorded.")])
        churn = churn_words(view.churn.count, app.policy, planned=bool(view.churn.planned))
        if churn is not None:
            text, level = churn
            mark = "⚠ " if level == "medium" else ""
            parts.append(Text(f"{mark}{text}", style=severity.style_for(app, level)))
        h = case.open_handover
        if h is not None:
            required = [i for i in h.items if i.required]
            done = sum(1 for i in required if i.done)
            parts.append(Text(f"→ Handover to {who(h.to_practitioner_id)} planned for "
                              f"{h.planned_on:%a %d %b %Y}: {done} of {len(required)} required checklist items done"
                              + (f" · {plain(h.reason)}" if h.reason else "")))
        return Group(*parts)
