"""The latest case notes, hidden in privacy mode."""

from __future__ import annotations

from rich.console import Group
from rich.text import Text

from tui.data import CaseView
from tui.text import plain
from tui.widgets.case_parts.part import CasePart
from tui.widgets.plain import Static

SHOWN = 5  # notes listed, newest first


class CaseNotes(CasePart, Static):
    """The five newest notes with their date and author; only a count in privacy mode."""

    TITLE = "Notes"
    ID = "notes"
    LISTED = "notes"
    EMPTY = "No notes.  n: add a note"

    def render_view(self, view: CaseView):
        if self.app.privacy:
            return Text(f"{len(view.notes)} note(s) hidden in privacy mode.", style="dim")
        lines = []
        for note in reversed(view.notes[-SHOWN:]):
            lines.append(Text(f"{note.written_on:%d %b %Y} · {note.author_id or '—'}", style="bold"))
            lines.append(Text(plain(note.text)))
        return Group(*lines)
