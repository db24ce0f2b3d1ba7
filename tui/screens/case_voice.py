"""The case screen's keys for the person's voice (docs/voice.md): `k` a
check-in, `L` their preferences, and the optional check-in offered after an
attended contact is recorded. A mixin of tui/screens/case.py's CaseScreen,
so the screen's file carries one line for it."""

from __future__ import annotations

from textual.binding import Binding

from planner.errors import CaseloadError
from tui.screens.registry import open_screen


#: The case screen's keys for these actions (in its BINDINGS: Textual reads bindings from screens only).
VOICE_BINDINGS = [
    Binding("k", "checkin", "Check-in", id="case.checkin"),
    Binding("L", "preferences", "Preferences", id="case.preferences", key_display="L", show=False),
]


class CaseVoiceActions:

    def action_checkin(self, on=None) -> None:
        if not self._ready():
            return
        app, case = self.app, self.view.case
        practitioner = app.practitioner_id or case.practitioner_id

        def save(value):
            if practitioner is None:
                raise CaseloadError("Choose who you are first (P on the caseload screen).")
            return app.gateway.record_checkin(
                case_ref=case.case_ref, checkin_date=value.checkin_date, practitioner_id=practitioner,
                listened=value.listened, goals=value.goals, trust=value.trust, words=value.words, actor=app.actor)

        open_screen(app, "checkin-form", save, as_of=app.as_of, who=self._who_label(), on=on,
                    callback=self._saved("Check-in recorded."))

    def contact_saved(self, value):
        """The contact form's callback: reload, and after an attended contact
        offer the optional check-in for its date (esc skips it)."""
        def done(result) -> None:
            if result is None:
                return
            self.notify("Contact recorded.", timeout=4)
            self.load()
            if value.get("outcome") == "attended":
                self.action_checkin(on=value.get("date"))

        return done

    def action_preferences(self) -> None:
        if not self._ready():
            return
        app, case = self.app, self.view.case

        def save(value):
            return app.gateway.save_preferences(case_ref=case.case_ref, language=value.language,
                                                interpreter=value.interpreter, not_with=value.not_with,
                                                actor=app.actor) or True

        people = [(label if not app.privacy else label.split(" · ")[0], pid) for label, pid in self.view.receivers]
        open_screen(app, "preferences-form", save, who=self._who_label(), language=case.language,
                    interpreter=case.interpreter, not_with={n.practitioner_id: n.reason for n in case.not_with},
                    people=people, callback=self._saved("Preferences saved."))
