"""A list to choose one from: the general picker every other picker builds on."""

from __future__ import annotations

from pathlib import Path
from typing import Iterable

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from tui.text import content
from tui.widgets.plain import Static


class PickerScreen(ModalScreen[str | None]):
    """A titled list; enter picks, escape cancels."""

    CSS_PATH = Path(__file__).with_suffix(".tcss")

    AUTO_FOCUS = "#choices"
    BINDINGS = [Binding("escape", "cancel", "Cancel", id="picker.cancel")]

    def __init__(self, title: str, options: Iterable[tuple[str, str]], *, note: str = "",
                 highlight: str | None = None, cancellable: bool = True) -> None:
        super().__init__()
        self.title_text = title
        self.options = list(options)
        self.note = note
        self.highlight = highlight
        self.cancellable = cancellable

    def compose(self) -> ComposeResult:
        with Vertical(classes="picker"):
            yield Static(self.title_text, classes="picker--title")
            if self.note:
                yield Static(self.note, classes="picker--note")
            yield OptionList(*[Option(content(label), id=value) for label, value in self.options], id="choices")
            yield Static("↑↓ move · enter choose" + (" · esc cancel" if self.cancellable else ""),
                         classes="picker--keys")

    def on_mount(self) -> None:
        found = self.query("#choices")
        if not found:  # the app is closing (a signal during start-up) and took the list already
            return
        choices = found.first(OptionList)
        if self.highlight is not None:
            try:
                choices.highlighted = choices.get_option_index(self.highlight)
            except Exception:  # not in the list
                choices.highlighted = 0 if self.options else None
        elif self.options:
            choices.highlighted = 0
        choices.focus()

    @on(OptionList.OptionSelected, "#choices")
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.dismiss(event.option.id)

    def action_cancel(self) -> None:
        if self.cancellable:
            self.dismiss(None)
