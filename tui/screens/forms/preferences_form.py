"""The person's preferences (`L` on a case, docs/voice.md): their first
language, whether they need an interpreter, and who they must not be
allocated to, with a reason code (never free text about staff)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from textual.widgets import Input, Select

from planner.model import NOT_WITH_REASONS
from tui.text import content
from tui.screens.forms.base import Field, FormScreen


@dataclass(frozen=True)
class PreferencesInput:
    language: str | None
    interpreter: bool
    not_with: dict[str, str]  # the whole list after the change: practitioner_id -> reason code


class PreferencesForm(FormScreen):
    title_text = "Preferences"

    def __init__(self, save, *, who: str, language: str | None, interpreter: bool,
                 not_with: dict[str, str], people: Iterable[tuple[str, str]]) -> None:
        """`people`: (label, practitioner_id) who may be put on the not_with list."""
        super().__init__(save)
        self.title_text = f"Preferences · {who}"
        self.language, self.interpreter = language or "", interpreter
        self.not_with = dict(not_with)
        self.people = tuple(people)

    def fields(self):
        yield Field("First language", Input(self.language, placeholder="blank: not recorded", id="language",
                                            compact=True), name="language")
        yield Field("Interpreter", Select([("not needed", False), ("needed", True)], value=self.interpreter,
                                          allow_blank=False, id="interpreter", compact=True), name="interpreter")
        yield Field("Not with", Select([(content(label), pid) for label, pid in self.people], prompt="no one new",
                                       id="not_with", compact=True), name="not_with",
                    hint="Someone this person must not be allocated to: planning, departures and rebalancing keep to it.")
        yield Field("Reason", Select([(r.replace("_", " "), r) for r in NOT_WITH_REASONS], prompt="—",
                                     id="reason", compact=True), name="reason", hint="A reason code only.")
        if self.not_with:
            yield Field("Take off", Select([(f"{pid} ({why})", pid) for pid, why in sorted(self.not_with.items())],
                                           prompt="no one", id="remove", compact=True), name="remove")

    def collect(self) -> PreferencesInput | None:
        language = self.text_value("language", self.query_one("#language", Input).value)
        if language is False:
            return None
        chosen = self.query_one("#not_with", Select).value
        reason = self.query_one("#reason", Select).value
        listed = dict(self.not_with)
        if chosen is not Select.NULL and chosen:
            if reason is Select.NULL or not reason:
                self.error("reason", "Choose a reason code for the not_with entry.")
                return None
            listed[chosen] = reason
        if self.not_with:
            gone = self.query_one("#remove", Select).value
            if gone is not Select.NULL and gone:
                listed.pop(gone, None)
        return PreferencesInput(language or None, bool(self.query_one("#interpreter", Select).value), listed)
