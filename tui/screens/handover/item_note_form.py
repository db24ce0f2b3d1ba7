"""The note of one handover checklist item (enter on the item)."""

from __future__ import annotations

from textual.widgets import TextArea

from tui.screens.forms.base import Field, FormScreen
from tui.screens.handover.common import FORM_CSS
from tui.widgets.plain import Static


class ItemNoteForm(FormScreen):
    """The note of one checklist item (empty clears it)."""

    CSS_PATH = FORM_CSS

    def __init__(self, save, *, item, who: str) -> None:
        super().__init__(save)
        self.item = item
        self.title_text = f"Note · {who}"

    def fields(self):
        yield Static(self.item.title, classes="form--hint")
        yield Field("Note", TextArea(self.item.note or "", id="text", soft_wrap=True), name="text",
                    hint="Leave it empty to clear the note.")

    def collect(self) -> str:
        return self.query_one("#text", TextArea).text.strip()
