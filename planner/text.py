"""People's text without terminal control: one home for `plain`, used by the
command line and the app (tui/text.py) and by files the planner writes
(planner/ics.py: iCalendar text allows no control characters, and a week
written to standard output must not drive the terminal).
"""

from __future__ import annotations

import re
from typing import Any

__all__ = ["plain"]

# Escape sequences (CSI `ESC [ ... final`, OSC `ESC ] ... BEL or ESC \`, the
# other two-character ones) and their 8-bit forms, then any control character
# left but tab and line feed.
_SEQUENCE = re.compile(
    r"(?:\x1b\[|\x9b)[0-?]*[ -/]*[@-~]"
    r"|(?:\x1b[\]PX^_]|[\x90\x98\x9d\x9e\x9f]).*?(?:\x07|\x1b\\|\x9c|$)"
    r"|\x1b[ -/]*[0-~]",
    re.DOTALL,
)
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def plain(value: Any) -> str:
    """`str(value)` without terminal escape sequences or control characters
    (line breaks and tabs stay)."""
    text = value if isinstance(value, str) else str(value)
    if _CONTROL.search(text) is None:  # the usual case: nothing to do
        return text
    return _CONTROL.sub("", _SEQUENCE.sub("", text))
