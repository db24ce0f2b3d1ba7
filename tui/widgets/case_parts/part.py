"""What every part of the case screen shares: how it is given the case,
its section title, and how names are shown (initials in privacy mode)."""

from __future__ import annotations

from typing import Sequence

from rich.text import Text
from textual.widget import Widget

from tui.data import CaseView, initials
from tui.text import plain
from tui.widgets.plain import Static


class CasePart:
    """Mixed into a widget before it: `class CaseNotes(CasePart, Static)`.

    `TITLE` (if any) goes above the part as a section title; `ID` is the
    part's widget id; `show_view` draws the case, and is called again on
    each load, privacy or theme change."""

    TITLE: str | None = None
    ID: str | None = None

    @classmethod
    def widgets(cls) -> list[Widget]:
        """The part and its section title, in the order they are shown."""
        shown: list[Widget] = [Static(cls.TITLE, classes="section-title")] if cls.TITLE else []
        return shown + [cls(id=cls.ID, classes="case-part")]

    LISTED: str | None = None  # the view's field the part lists (`notes`), if it is a list
    EMPTY = ""  # said (dimmed) instead of the part when what it lists is empty

    def show_view(self, view: CaseView) -> None:
        listed = self.listed(view)
        self.update(Text(self.EMPTY, style="dim") if listed is not None and not listed else self.render_view(view))

    def listed(self, view: CaseView) -> Sequence | None:
        """What the part lists (booked dates, contacts...), None for a part that is no list."""
        return None if self.LISTED is None else getattr(view, self.LISTED)

    def render_view(self, view: CaseView):
        raise NotImplementedError


def name_of(app, display_name: str) -> str:
    """A person's name as the screen shows it: initials in privacy mode."""
    return initials(display_name) if app.privacy else plain(display_name)


def person(app, view: CaseView | None, practitioner_id: str | None) -> str:
    """`N1-03 Priya Castellane` (initials in privacy mode), `nobody` for None."""
    if practitioner_id is None:
        return "nobody"
    name = view.names.get(practitioner_id, "") if view else ""
    if app.privacy and name:
        name = initials(name)
    return plain(f"{practitioner_id} {name}".strip())
