"""People's text on the screen and on the command line: never markup, never
terminal control.

Names, notes and reasons come from people (and files): `[DOB=01/02/2003]`
is a name, not a tag that Textual's markup fails to read, and `ESC [2J` in
one must not clear the terminal. So:

- `plain(value)` is the text with terminal escape sequences and other control
  characters (not line breaks or tabs) taken out: what the command line prints
  (tui/cli/base.py runs every line it writes through it) and what the app shows;
- `content(value)` is that text as a Textual `Content`, which widgets show as
  it is, never parsing it as markup;
- `markup(template, **values)` is Textual markup of the app's own with
  people's text in it: `markup("[b]$name[/b] ($pid)", name=..., pid=...)`;
  the values are inserted as text, whatever brackets they hold.

No other way of putting people's text on screen is used.
This module imports Textual only when `content` or `markup` is first called,
so the command line does not pay for it.
"""

from __future__ import annotations

import re
from typing import Any

from planner.text import plain

__all__ = ["cells", "content", "highlight", "markup", "plain", "prose"]

_CODE = re.compile(r"`([^`\n]+)`")


def prose(message: str) -> str:
    """A message written for the command line, read on screen: `caseload
    init` in backticks becomes "caseload init" in quotes."""
    return _CODE.sub(r'"\1"', message)


def content(value: Any):
    """The text as a Textual Content: shown as it is, never read as markup."""
    from textual.content import Content

    return Content(plain(value))


def markup(template: str, **values: Any):
    """The app's own markup `template` with `$name` placeholders filled by
    people's text, inserted as text (Textual's variable substitution)."""
    from textual.content import Content

    return Content.from_markup(template, **{k: plain(v) for k, v in values.items()})


def highlight(matcher, candidate: str):
    """A command palette hit's text with the typed letters picked out, as
    `Matcher.highlight` does, but read as text: Textual's own reads the
    candidate as markup, so a name with `[DOB=...]` in it broke the palette."""
    from textual.content import Content

    text = plain(candidate)
    shown = Content(text)
    score, offsets = matcher.fuzzy_search.match(matcher.query, text)
    if score:
        for offset in offsets:
            if not text[offset].isspace():
                shown = shown.stylize(matcher.match_style, offset, offset + 1)
    return shown


def cells(*values: Any) -> list:
    """A table row's cells with every str made a Rich Text (a DataTable and
    a Rich Table read a str cell as markup); other renderables unchanged."""
    from rich.text import Text

    return [Text(plain(v)) if isinstance(v, str) else v for v in values]
