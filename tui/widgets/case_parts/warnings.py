"""Every warning with the numbers behind it and what to do, then the statuses."""

from __future__ import annotations

from tui.data import CaseView
from tui.widgets.case_detail import warnings_block
from tui.widgets.case_parts.part import CasePart
from tui.widgets.plain import Static


class CaseWarnings(CasePart, Static):
    ID = "warnings"

    def render_view(self, view: CaseView):
        return warnings_block(self.app, view.warnings)
