"""Add a case note."""

from __future__ import annotations


from textual.widgets import TextArea

from tui.screens.forms.base import Field, FormScreen


class NoteForm(FormScreen):
    title_text = "Add a case note"

    def __init__(self, save, *, who: str) -> None:
        super().__init__(save)
        self.title_text = f"Add a case note · {who}"

    def fields(self):
        yield Field("Note", TextArea(id="text", soft_wrap=True), name="text")

    def collect(self) -> str | None:
        text = self.text_value("text", self.query_one("#text", TextArea).text)
        if not text:
            if text is None:
                self.error("text", "Write something first (or esc to cancel).")
            return None
        return text
