"""The 26-week contact strip (tui/widgets/timeline.py) of the case."""

from __future__ import annotations

from tui.data import CaseView
from tui.widgets.case_parts.part import CasePart
from tui.widgets.timeline import ContactTimeline


class CaseTimeline(CasePart, ContactTimeline):
    TITLE = "Contact timeline"
    ID = "timeline"

    def show_view(self, view: CaseView) -> None:
        self.show(view.case.contacts, [o.day for o in view.upcoming], view.as_of)
