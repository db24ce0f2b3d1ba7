"""The person's voice as a part of the case screen: their check-ins' trend,
words and preferences (tui/widgets/voice.py draws it, as supervision does)."""

from __future__ import annotations

from tui.data import CaseView
from tui.widgets.case_parts.part import CasePart, person
from tui.widgets.voice import VoicePanel


class CaseVoice(CasePart, VoicePanel):
    ID = "voice"

    def show_view(self, view: CaseView) -> None:
        self.show(view.case, view.as_of, self.app.privacy, lambda pid: person(self.app, view, pid))
