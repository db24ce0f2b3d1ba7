"""`?`: every key of the screen you came from and of the app, in words."""

from __future__ import annotations

from pathlib import Path

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen, Screen

from tui.widgets.plain import Static


MOVING = (
    ("↑ ↓ PgUp PgDn Home End", "move in a list or table"),
    ("enter", "open / choose"),
    ("tab / shift+tab", "next / previous field or panel"),
    ("esc", "close this, go back, or clear a filter"),
    ("ctrl+p", "command palette: jump to a case or practitioner"),
)

KEY_NAMES = {"question_mark": "?", "slash": "/", "left_square_bracket": "[", "right_square_bracket": "]",
             "escape": "esc", "left": "←", "right": "→"}


# Keys only a team lead can use: a practitioner's help leaves them out.
LEAD_ONLY = frozenset({"app.supervision", "caseload.team", "handovers.departures"})


def acting_as_lead(app) -> bool:
    """Whether the practitioner the app acts as leads a team, from the
    caseload's read (the first screen that has one); not known yet: yes."""
    for screen in app.screen_stack:
        people = getattr(getattr(screen, "view", None), "practitioners", None)
        if people:
            me = next((p for p in people if p.practitioner_id == app.practitioner_id), None)
            return me is None or bool(me.is_lead)
    return True


def key_label(binding: Binding) -> str:
    if binding.key_display:
        return binding.key_display
    return ", ".join(KEY_NAMES.get(k.strip(), k.strip()) for k in binding.key.split(","))


def bindings_of(node) -> list[Binding]:
    """The node's own bindings (class BINDINGS merged), with descriptions."""
    seen: dict[str, Binding] = {}
    for _key, binding in node._bindings:
        if binding.description and binding.id and binding.action not in seen:
            seen[binding.action] = binding
    return list(seen.values())


def merged(bindings: list[Binding]) -> list[tuple[str, str, str]]:
    """(keys, description, id) with several keys for one action on one line."""
    by_action: dict[str, list[Binding]] = {}
    for b in bindings:
        by_action.setdefault(b.action, []).append(b)
    rows = []
    for group in by_action.values():
        keys = " / ".join(dict.fromkeys(key_label(b) for b in group))
        # the tooltip, when a binding has one, is the longer wording for help
        rows.append((keys, group[0].tooltip or group[0].description, group[0].id or ""))
    return rows


class HelpScreen(ModalScreen[None]):

    CSS_PATH = Path(__file__).with_suffix(".tcss")
    BINDINGS = [
        Binding("escape", "close", "Close", id="help.close"),
        Binding("question_mark", "close", "Close", id="help.close_q", key_display="?", show=False),
    ]

    def __init__(self, for_screen: Screen) -> None:
        super().__init__()
        self.for_screen = for_screen
        self.screen_rows = merged(bindings_of(for_screen))
        self.app_rows: list[tuple[str, str, str]] = []

    def compose(self) -> ComposeResult:
        with VerticalScroll(classes="help"):
            yield Static(id="help-body")
            yield Static("esc or ? to close", classes="help--keys")

    def on_mount(self) -> None:
        self.app_rows = merged(bindings_of(self.app)) + [("ctrl+p", "Jump to a case or practitioner", "app.palette")]
        if not acting_as_lead(self.app):
            self.screen_rows = [row for row in self.screen_rows if row[2] not in LEAD_ONLY]
            self.app_rows = [row for row in self.app_rows if row[2] not in LEAD_ONLY]
        title = getattr(self.for_screen, "help_title", type(self.for_screen).__name__)
        self.query_one("#help-body", Static).update(self.render_help(title))

    def _table(self, rows) -> Table:
        table = Table.grid(padding=(0, 2))
        table.add_column(style="bold", no_wrap=True, min_width=10)
        table.add_column()
        for keys, description, _id in rows:
            table.add_row(keys, description)
        return table

    def render_help(self, title: str):
        from rich.console import Group

        return Group(
            Text(f"Keys on the {title}", style="bold underline"),
            self._table(self.screen_rows),
            Text(""),
            Text("Everywhere", style="bold underline"),
            self._table(self.app_rows),
            Text(""),
            Text("Moving around", style="bold underline"),
            self._table([(k, d, "") for k, d in MOVING]),
            Text(""),
            Text("Severity: ▲ HIGH  ◆ MED  ○ LOW — the word is always shown, colour only helps.", style="dim"),
        )

    @property
    def listed(self) -> list[str]:
        """The descriptions shown (for tests)."""
        return [d for _k, d, _i in self.screen_rows + self.app_rows]

    def action_close(self) -> None:
        self.dismiss(None)
