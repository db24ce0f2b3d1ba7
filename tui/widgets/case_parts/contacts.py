"""Every contact of the case, newest first, each with its outcome as a
symbol and a word and its note (none held back as "... 13 older"; the case
screen scrolls, and Home goes back to its top). In privacy mode a note is
not shown (it may name people), only that there is one."""

from __future__ import annotations

from rich.console import Group
from rich.text import Text

from planner.words import plural
from tui.data import CaseView
from tui.text import plain
from tui.widgets import severity
from tui.widgets.case_parts.part import CasePart
from tui.widgets.plain import Static

SYMBOLS = {"attended": "●", "missed": "✕", "cancelled": "○"}


class CaseContacts(CasePart, Static):
    """`text` is what the part shows, plain (for tests and screen readers)."""

    TITLE = "Contacts"
    ID = "contacts"
    EMPTY = "No contacts recorded.  c: record a contact"
    text = ""

    def listed(self, view: CaseView):
        return [c for c in view.case.contacts if c.contact_date <= view.as_of]

    def show_view(self, view: CaseView) -> None:
        self.text = self.EMPTY  # render_view replaces it when there are contacts
        super().show_view(view)

    def render_view(self, view: CaseView):
        lines = self._lines(view)
        self.text = "\n".join(line.plain for line in lines)
        return Group(*lines)

    def _lines(self, view: CaseView) -> list[Text]:
        contacts = self.listed(view)
        notes = getattr(view, "contact_notes", {}) or {}
        private = self.app.privacy
        lines = [Text(f"{plural(len(contacts), 'contact')}, newest first", style="dim")]
        for c in reversed(contacts):
            sym = SYMBOLS.get(c.outcome, "·") if (c.meaningful or c.outcome != "attended") else "○"
            style = severity.style_for(self.app, "high") if c.outcome == "missed" else None
            outcome = c.outcome + (f" by the {c.cancelled_by}" if c.cancelled_by else "")
            with_whom = f" with {c.with_practitioner_id}" if c.with_practitioner_id else ""
            lines.append(Text(f"{sym} {c.contact_date:%a %d %b %Y}  {c.kind.replace('_', ' '):<10} {outcome:<9} "
                              f"{c.practitioner_id}{with_whom}", style=style))
            note = notes.get(c.id) if c.id is not None else None
            if note:
                lines.append(Text("    (a note: hidden in privacy mode)" if private else f"    {plain(note)}",
                                  style="dim" if private else "italic"))
        return lines
