"""The case screen's contacts: every contact, newest first, each with its
note (none held back as "… 13 older"; the case screen scrolls, and Home
goes back to its top). In privacy mode a note is not shown (it may name
people), only that there is one."""

from __future__ import annotations

from rich.console import Group
from rich.text import Text

from tui.text import plain
from tui.widgets import severity
from tui.widgets.plain import Static

SYMBOLS = {"attended": "●", "missed": "✕", "cancelled": "○"}


class ContactList(Static):
    """`show(view)` with a `tui.data.CaseView`; `text` is what it shows, plain."""

    text = ""

    def show(self, view) -> None:
        contacts = [c for c in view.case.contacts if c.contact_date <= view.as_of]
        if not contacts:
            empty = Text("No contacts recorded.  c: record a contact", style="dim")
            self.text = empty.plain
            self.update(empty)
            return
        notes = getattr(view, "contact_notes", {}) or {}
        private = self.app.privacy
        lines = [Text(f"{len(contacts)} contact{'s' if len(contacts) != 1 else ''}, newest first", style="dim")]
        for c in reversed(contacts):
            sym = SYMBOLS.get(c.outcome, "·") if (c.meaningful or c.outcome != "attended") else "○"
            style = severity.style_for(self.app, "high") if c.outcome == "missed" else None
            outcome = c.outcome + (f" by the {c.cancelled_by}" if c.cancelled_by else "")
            lines.append(Text(f"{sym} {c.contact_date:%a %d %b %Y}  {c.kind.replace('_', ' '):<10} {outcome:<9} "
                              f"{c.practitioner_id}" + (f" with {c.with_practitioner_id}" if c.with_practitioner_id
                                                        else ""), style=style))
            note = notes.get(c.id) if c.id is not None else None
            if note:
                lines.append(Text("    (a note: hidden in privacy mode)" if private else f"    {plain(note)}",
                                  style="dim" if private else "italic"))
        self.text = "\n".join(line.plain for line in lines)
        self.update(Group(*lines))
