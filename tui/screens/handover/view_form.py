"""The person's view, asked when `told` or `review` is ticked."""

from __future__ import annotations

from dataclasses import dataclass

from textual.widgets import Select, TextArea

from tui.screens.forms.base import Field, FormScreen
from tui.screens.handover.common import FORM_CSS
from tui.widgets.plain import Static


@dataclass(frozen=True)
class ViewInput:
    view: str
    words: str



class ViewForm(FormScreen):
    """The person's view, recorded when `told` or `review` is ticked (docs/handovers.md)."""

    CSS_PATH = FORM_CSS

    def __init__(self, save, *, item, who: str) -> None:
        super().__init__(save)
        self.item = item
        self.title_text = f"The person's view · {who}"

    def fields(self):
        from planner.checklist import VIEW_WORDS, VIEWS

        yield Static(self.item.title, classes="form--hint")
        yield Field("Their view", Select([(f"the person {VIEW_WORDS[v]}", v) for v in VIEWS],
                                         prompt="choose one", id="view", compact=True), name="view")
        yield Field("Their words", TextArea(id="words", soft_wrap=True), name="words",
                    hint="What they said, in their own words.")

    def collect(self) -> ViewInput | None:
        view = self.query_one("#view", Select).value
        words = self.query_one("#words", TextArea).text.strip()
        ok = True
        if view is Select.NULL or not view:
            self.error("view", "Choose what the person thinks of the change.")
            ok = False
        if not words:
            self.error("words", "Write what the person said.")
            ok = False
        return ViewInput(view, words) if ok else None
