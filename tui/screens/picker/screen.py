"""A list to choose one from: the general picker every other picker builds on."""

from __future__ import annotations

from pathlib import Path
from typing import Iterable

from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from tui.text import content
from tui.widgets.plain import Static


class PickerScreen(ModalScreen[str | None]):
    """A titled list; typing narrows it to the choices that hold what is
    typed (backspace and ctrl+u undo, esc clears it first), enter picks,
    escape cancels."""

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
        self.search = ""

    def compose(self) -> ComposeResult:
        with Vertical(classes="picker"):
            yield Static(self.title_text, classes="picker--title")
            if self.note:
                yield Static(self.note, classes="picker--note")
            yield Static("", id="search", classes="picker--search")
            yield OptionList(*self._listed(), id="choices")
            yield Static("type to search · ↑↓ move · enter choose" + (" · esc cancel" if self.cancellable else ""),
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

    def _listed(self) -> list[Option]:
        """The options that hold every word typed (case aside), in their order."""
        words = self.search.lower().split()
        return [Option(content(label), id=value) for label, value in self.options
                if all(word in label.lower() for word in words)]

    def _set_search(self, text: str) -> None:
        self.search = text
        choices = self.query_one("#choices", OptionList)
        listed = self._listed()
        choices.clear_options()
        choices.add_options(listed)
        choices.highlighted = 0 if listed else None
        line = self.query_one("#search", Static)
        line.display = bool(text)
        line.update(f"search: {text}" + ("" if listed else "  (nothing matches)"))

    def on_key(self, event: events.Key) -> None:
        """Letters, digits and spaces go to the search; the list keeps the focus (↑↓, enter)."""
        if event.key == "backspace" and self.search:
            self._set_search(self.search[:-1])
        elif event.key == "ctrl+u" and self.search:
            self._set_search("")
        elif event.key == "escape" and self.search:
            self._set_search("")  # esc clears the search first, then cancels
        elif event.is_printable and event.character and (event.character != " " or self.search):
            self._set_search(self.search + event.character)
        else:
            return
        event.stop()
        event.prevent_default()

    @on(OptionList.OptionSelected, "#choices")
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.dismiss(event.option.id)

    def action_cancel(self) -> None:
        if self.cancellable:
            self.dismiss(None)
