"""Agree an action in a supervision session (`A`)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from textual.widgets import Input, Select

from tui import supervision_data as data
from tui.screens.forms.base import Field, FormScreen, nice
from tui.text import content


@dataclass(frozen=True)
class ActionInput:
    text: str
    owner_id: str
    due: date
    case_ref: str | None


class ActionForm(FormScreen):
    """Agree an action: what, who (the practitioner unless changed), by when."""

    GENERAL = "__general__"

    def __init__(self, save, *, as_of: date, owners: list[tuple[str, str]], owner: str, case_ref: str | None,
                 who: str) -> None:
        super().__init__(save)
        self.as_of = as_of
        self.owners = owners
        self.owner = owner
        self.case_ref = case_ref
        self.title_text = f"Agree an action · {who}"

    def fields(self):
        yield Field("Action", Input(placeholder="what is to be done", id="text", compact=True,
                                    max_length=data.action_text_limit()), name="text")
        owners = [(content(label), pid) for label, pid in self.owners]  # names: text, not markup
        yield Field("Owner", Select(owners, value=self.owner, allow_blank=False, id="owner", compact=True),
                    name="owner")
        yield Field("Due", Input((self.as_of + timedelta(days=14)).isoformat(), placeholder="YYYY-MM-DD",
                                 id="due", compact=True), name="due",
                    hint="It shows in the owner's week plan on this day until ticked off.")
        about = [(f"this case, {self.case_ref}", self.case_ref)] if self.case_ref else []
        about.append(("no case (general)", self.GENERAL))
        yield Field("About", Select(about, value=about[0][1], allow_blank=False, id="about", compact=True),
                    name="about")

    def collect(self) -> ActionInput | None:
        ok = True
        text = " ".join(self.query_one("#text", Input).value.split())
        if not text:
            self.error("text", "Say what is to be done.")
            ok = False
        elif len(text) > data.action_text_limit():
            self.error("text", f"{len(text)} characters; {data.action_text_limit()} at most.")
            ok = False
        due = self.date_from("due", self.as_of, f"Due {nice(self.as_of)} or later.")
        ok = ok and due is not None
        owner = self.query_one("#owner", Select).value
        if owner is Select.NULL or not owner:
            self.error("owner", "Choose who will do it.")
            ok = False
        if not ok:
            return None
        about = self.query_one("#about", Select).value
        return ActionInput(text, owner, due, None if about == self.GENERAL else about)
