"""The person's voice on the case screen (docs/voice.md): their check-ins as a
small trend with the date and practitioner of each, their words, their
language, interpreter and not_with list. Prompts for a conversation, not a
score, and the panel says so. Privacy mode hides the answers, the words, the
language and the reasons (the screen is being shared)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from rich.console import Group
from rich.text import Text

from planner.model import CHECKIN_QUESTIONS, Case
from planner.voice import CAVEAT, answers_words, sparkline, trend_words
from tui.text import plain
from tui.widgets.plain import Static

SHOWN = 6  # the newest check-ins listed one a line


def preferences_line(case: Case, privacy: bool, person: Callable[[str], str]) -> Text:
    parts = []
    if case.language:
        parts.append("first language hidden" if privacy else f"first language {plain(case.language)}")
    if case.interpreter:
        parts.append("needs an interpreter")
    for entry in case.not_with:
        parts.append(f"not with {person(entry.practitioner_id)}" + ("" if privacy else f" ({entry.reason})"))
    return Text(" · ".join(parts) if parts else "No language, interpreter or not_with recorded.  L: preferences",
                style=None if parts else "dim")


class VoicePanel(Static):
    """`show(case, as_of, privacy, person)`: the section under its title."""

    shown_text = ""  # what is on screen, as plain text (tests read it)

    def show(self, case: Case, as_of: date, privacy: bool, person: Callable[[str], str]) -> None:
        group = self.render_voice(case, as_of, privacy, person)
        self.shown_text = "\n".join(part.plain for part in group.renderables)
        self.update(group)

    @staticmethod
    def render_voice(case: Case, as_of: date, privacy: bool, person: Callable[[str], str]) -> Group:
        parts: list = [Text(f"The person's voice ({CAVEAT})", style="bold"),
                       preferences_line(case, privacy, person)]
        checkins = tuple(k for k in case.checkins if k.checkin_date <= as_of)
        if not checkins:
            parts.append(Text("No check-ins yet.  k: ask the three questions", style="dim"))
            return Group(*parts)
        last = checkins[-1]
        if privacy:
            parts.append(Text(f"{len(checkins)} check-in(s), the last on {last.checkin_date:%d %b %Y} with "
                              f"{person(last.practitioner_id)}; answers and words hidden in privacy mode.",
                              style="dim"))
            return Group(*parts)
        trend = Text("Trend ")
        trend.append(sparkline(checkins), style="bold")
        trend.append(f"  {trend_words(checkins)}  ")
        for q in CHECKIN_QUESTIONS:
            trend.append(f" {q} {sparkline(checkins, q)}")
        parts.append(trend)
        for k in reversed(checkins[-SHOWN:]):
            line = Text(f"{k.checkin_date:%d %b %Y}  {person(k.practitioner_id)}  {answers_words(k)}")
            parts.append(line)
            if k.words:
                parts.append(Text(f"    “{plain(k.words)}”", style="italic"))
        if len(checkins) > SHOWN:
            parts.append(Text(f"… {len(checkins) - SHOWN} older", style="dim"))
        return Group(*parts)
