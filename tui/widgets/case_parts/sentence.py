"""The sentence, custody and risk context as a part of the case screen (§11;
tui/widgets/sentence.py draws it and holds the keys s and t)."""

from __future__ import annotations

from tui.data import CaseView
from tui.widgets.case_parts.part import CasePart
from tui.widgets.sentence import SentencePanel


class CaseSentence(CasePart, SentencePanel):
    ID = "sentence"

    def show_view(self, view: CaseView) -> None:
        self.show(view.case, view.as_of)
