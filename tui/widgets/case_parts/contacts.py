"""The latest contacts, newest first, each with its outcome as a symbol and a word."""

from __future__ import annotations

from rich.console import Group
from rich.text import Text

from tui.data import CaseView
from tui.widgets import severity
from tui.widgets.case_parts.part import CasePart
from tui.widgets.plain import Static

SHOWN = 12  # contacts listed; the older counted
SYMBOLS = {"attended": "●", "missed": "✕", "cancelled": "○"}


class CaseContacts(CasePart, Static):
    TITLE = "Contacts"
    ID = "contacts"
    EMPTY = "No contacts recorded.  c: record a contact"

    def listed(self, view: CaseView):
        return [c for c in view.case.contacts if c.contact_date <= view.as_of]

    def render_view(self, view: CaseView):
        contacts = self.listed(view)
        lines = []
        for c in reversed(contacts[-SHOWN:]):
            sym = SYMBOLS.get(c.outcome, "·") if (c.meaningful or c.outcome != "attended") else "○"
            style = severity.style_for(self.app, "high") if c.outcome == "missed" else None
            lines.append(Text(f"{sym} {c.contact_date:%a %d %b %Y}  {c.kind.replace('_', ' '):<10} {c.outcome:<9} "
                              f"{c.practitioner_id}", style=style))
        if len(contacts) > SHOWN:
            lines.append(Text(f"… {len(contacts) - SHOWN} older", style="dim"))
        return Group(*lines)
