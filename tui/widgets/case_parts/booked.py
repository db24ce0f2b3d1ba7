"""What is booked from today on, series expanded, with the practitioner's absences."""

from __future__ import annotations

from rich.console import Group
from rich.text import Text

from tui.data import CaseView
from tui.widgets.case_parts.part import CasePart
from tui.widgets.plain import Static

SHOWN = 8  # booked dates listed; the rest counted


class CaseBooked(CasePart, Static):
    """Each booked date from today on, the first eight, then how many more."""

    TITLE = "Booked"
    ID = "booked"
    LISTED = "upcoming"
    EMPTY = "Nothing booked from today on.  a: book an appointment"

    def render_view(self, view: CaseView):
        lines = []
        for occ in view.upcoming[:SHOWN]:
            a = occ.appointment
            at = a.time.strftime("%H:%M") if a.time else "--:--"
            series = " · series" if a.rrule else ""
            absent = any(x.covers(occ.day) for x in view.absences)
            flag = "  ⚠ practitioner absent that day" if absent else ""
            lines.append(Text(f"{occ.day:%a %d %b} {at}  {a.kind.replace('_', ' ')} with "
                              f"{a.practitioner_id}{series}{flag}"))
        more = len(view.upcoming) - SHOWN
        if more > 0:
            lines.append(Text(f"… and {more} more", style="dim"))
        return Group(*lines)
