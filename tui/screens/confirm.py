"""ConfirmScreen: the app's one yes/no question before a write that cannot be
taken back (cancelling a handover, planning departures, ending a supervision
session).

y says yes; n or esc says no; enter presses the highlighted button, which is
"No" until tab (or the mouse) moves to "Yes", so an enter typed ahead never
says yes by accident. The answer is the screen's result (`dismiss(bool)`)."""

from __future__ import annotations

from pathlib import Path

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button

from tui.widgets.plain import Static


class ConfirmScreen(ModalScreen[bool]):
    """A yes/no question, with an optional sentence of detail below it."""

    CSS_PATH = Path(__file__).with_suffix(".tcss")
    BINDINGS = [
        Binding("y", "answer(True)", "Yes", id="confirm.yes"),
        Binding("n,escape", "answer(False)", "No", id="confirm.no"),
    ]

    def __init__(self, question: str, detail: str = "", *, yes: str = "Yes", no: str = "No") -> None:
        super().__init__()
        self.question = question
        self.detail = detail
        self.yes, self.no = yes, no

    def compose(self) -> ComposeResult:
        with Vertical(classes="confirm"):
            yield Static(self.question, classes="confirm--question")
            if self.detail:
                yield Static(self.detail, classes="confirm--detail")
            with Horizontal(classes="confirm--buttons"):
                yield Button(self.yes, variant="error", id="yes")
                yield Button(self.no, id="no")
            yield Static("y yes · n / esc no · enter the highlighted button", classes="confirm--keys")

    def on_mount(self) -> None:
        self.query_one("#no", Button).focus()

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id == "yes")

    def action_answer(self, value: bool) -> None:
        self.dismiss(value)
