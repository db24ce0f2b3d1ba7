"""The person's voice in words (docs/voice.md): a check-in trend as a line of
blocks and as numbers, the same on the case screen, in supervision and in
the Markdown record."""

from __future__ import annotations

from collections.abc import Sequence

from planner.model import Checkin

BARS = "▁▂▃▄▅▆▇█"
CAVEAT = "prompts for a conversation, not a score"


def bar(value: int, low: int, high: int) -> str:
    """One block for a value from low to high."""
    step = (value - low) * (len(BARS) - 1) / max(1, high - low)
    return BARS[max(0, min(len(BARS) - 1, round(step)))]


def sparkline(checkins: Sequence[Checkin], question: str | None = None) -> str:
    """One block per check-in: the total (3 to 15) or one question's answer (1 to 5)."""
    if question is None:
        return "".join(bar(k.total, 3, 15) for k in checkins)
    return "".join(bar(getattr(k, question), 1, 5) for k in checkins)


def trend_words(checkins: Sequence[Checkin], last: int = 4) -> str:
    """`15 → 14 → 8, falling` over the last few totals."""
    totals = [k.total for k in checkins[-last:]]
    words = " → ".join(str(t) for t in totals)
    if len(totals) > 1:
        change = totals[-1] - totals[-2]
        words += ", falling" if change < 0 else (", rising" if change > 0 else ", steady")
    return words


def answers_words(checkin: Checkin) -> str:
    """`listened 3 goals 2 trust 3 = 8`."""
    return f"listened {checkin.listened} goals {checkin.goals} trust {checkin.trust} = {checkin.total}"
