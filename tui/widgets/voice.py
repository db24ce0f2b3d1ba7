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

from planner.model import CHECKIN_QUESTIONS, Case, Checkin
from tui.text import plain
from tui.widgets.plain import Static

BARS = "▁▂▃▄▅▆▇█"
SHOWN = 6  # the newest check-ins listed one a line
CAVEAT = "prompts for a conversation, not a score"


def bar(value: int, low: int, high: int) -> str:
    """One block for a value from low to high."""
    step = (value - low) * (len(BARS) - 1) / max(1, high - low)
    return BARS[max(0, min(len(BARS) - 1, round(step)))]


def sparkline(checkins: tuple[Checkin, ...], question: str | None = None) -> str:
    """One block per check-in: the total (3 to 15) or one question's answer (1 to 5)."""
    if question is None:
        return "".join(bar(k.total, 3, 15) for k in checkins)
    return "".join(bar(getattr(k, question), 1, 5) for k in checkins)


def trend_words(checkins: tuple[Checkin, ...]) -> str:
    """`15 → 14 → 8, falling` over the last few totals."""
    totals = [k.total for k in checkins[-4:]]
    words = " → ".join(str(t) for t in totals)
    if len(totals) > 1:
        change = totals[-1] - totals[-2]
        words += ", falling" if change < 0 else (", rising" if change > 0 else ", steady")
    return words


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

    def show(self, case: Case, as_of: date, privacy: bool, person: Callable[[str], str]) -> None:
        self.update(self.render_voice(case, as_of, privacy, person))

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
            line = Text(f"{k.checkin_date:%d %b %Y}  {person(k.practitioner_id)}  "
                        f"listened {k.listened} goals {k.goals} trust {k.trust} = {k.total}")
            parts.append(line)
            if k.words:
                parts.append(Text(f"    “{plain(k.words)}”", style="italic"))
        if len(checkins) > SHOWN:
            parts.append(Text(f"… {len(checkins) - SHOWN} older", style="dim"))
        return Group(*parts)
