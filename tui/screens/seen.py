"""A modal: how many practitioners the signed-in lead's team has (throwaway)."""

from __future__ import annotations

from pathlib import Path

from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import ModalScreen

from tui.screens.loading import ViewLoader
from tui.text import plain
from tui.widgets.plain import Static


class SeenScreen(ViewLoader, ModalScreen):
    CSS_PATH = Path(__file__).with_suffix(".tcss")
    LOAD_GROUP = "seen-load"
    LOAD_WHAT = "the team"
    BINDINGS = [Binding("escape", "back", "Back", id="seen.back")]

    def compose(self) -> ComposeResult:
        yield Static("Loading the team…", id="summary")

    def on_mount(self) -> None:
        self.mount_view()
        self.load()

    def read_view(self):
        from tui.seen_data import seen_view

        return seen_view(self.app.gateway, self.app.practitioner_id)

    def render_view(self) -> None:
        if self.view is not None:
            self.query_one("#summary", Static).update(
                f"{plain(self.view.team_id)}: {self.view.practitioners} practitioners")

    def action_back(self) -> None:
        self.app.pop_screen()
