"""Wording shared by the handover screens: statuses, short dates, item order, progress."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from tui.screens.forms.base import FormScreen

# A handover modal's CSS: the forms' own, then the hint lines (common.tcss).
FORM_CSS = [FormScreen.CSS_PATH, Path(__file__).with_suffix(".tcss")]


STATUS_WORDS = {
    "planned": "planned",
    "in_progress": "in progress",
    "completed_warm": "completed WARM",
    "completed_cold": "completed COLD",
    "cancelled": "cancelled",
}


def short(d: date) -> str:
    return f"{d.day} {d:%b}"


def ordered_items(handover) -> list:
    """Every item by due date (then as created): ticking one does not move it."""
    return sorted(handover.items, key=lambda i: (i.due, i.id))


def clip(text: str, width: int) -> str:
    """`text` cut to `width` characters, with `…` when cut."""
    return text if len(text) <= width else text[: max(1, width - 1)].rstrip() + "…"


def progress_line(handover) -> str:
    """`5 of 9 done · next: Incoming practitioner has read…, due 24 Nov · ⚠ 1 overdue`."""
    text = f"{handover.done} of {handover.total} done"
    todo = [i for i in handover.items if not i.done and (handover.is_open or i.follow_up)]
    nxt = min(todo, key=lambda i: (i.due, i.id), default=None)
    if nxt is not None:
        text += f" · next: {clip(nxt.title, 34)}, due {short(nxt.due)}"
    elif handover.is_open:
        text += " · every item done"
    if handover.overdue:
        text += f" · ⚠ {handover.overdue} overdue"
    return text
