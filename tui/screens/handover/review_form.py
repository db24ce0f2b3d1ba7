"""A team lead's review of a cold handover (`v` here, `V` in supervision)."""

from __future__ import annotations

from textual.widgets import TextArea

from tui.screens.forms.base import Field, FormScreen, nice
from tui.screens.handover.common import FORM_CSS
from tui.widgets.plain import Static


class ReviewForm(FormScreen):
    """A team lead reviews a cold handover: why, what was learnt (docs/handovers.md)."""

    CSS_PATH = FORM_CSS

    def __init__(self, save, *, handover, who: str, privacy: bool = False) -> None:
        super().__init__(save)
        self.handover = handover  # a storage HandoverView or a planner Handover
        self.privacy = privacy
        self.title_text = f"Review the cold handover · {who}"

    def fields(self):
        h = self.handover
        left = "; ".join(i.title for i in h.items if not i.done and (h.completed_on is None or i.due <= h.completed_on))
        why = "" if self.privacy or not h.override_reason else f": {h.override_reason.rstrip('.')}"
        yield Static(f"Completed cold on {nice(h.completed_on) if h.completed_on else '?'} with an override{why}. "
                     f"Left undone: {left or 'nothing'}.", classes="form--hint")
        yield Field("Note", TextArea(id="note", soft_wrap=True), name="note",
                    hint="What was learnt, and what is done for the person now. Recorded with your name and "
                         "today's date; the cold-handover warning then ends.")

    def collect(self) -> str | None:
        text = self.query_one("#note", TextArea).text.strip()
        if not text:
            self.error("note", "Write the review note first (or esc to cancel).")
            return None
        return text
