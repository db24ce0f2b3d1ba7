"""An earlier supervision session's record, read on screen (`L`)."""

from __future__ import annotations

from pathlib import Path

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen

from tui.widgets.plain import Static


class RecordScreen(ModalScreen[None]):
    """An earlier session's record, read on screen (esc closes)."""

    CSS_PATH = Path(__file__).with_suffix(".tcss")
    BINDINGS = [Binding("escape,q", "close", "Close", id="record.close")]

    def __init__(self, markdown: str) -> None:
        super().__init__()
        self.markdown = markdown

    def compose(self) -> ComposeResult:
        from textual.widgets import Markdown

        with VerticalScroll(classes="record"):
            yield Markdown(self.markdown)
        yield Static("↑↓ PgUp PgDn scroll · esc close", classes="record--keys")

    def on_mount(self) -> None:
        self.query_one(".record").focus()

    def action_close(self) -> None:
        self.dismiss(None)
