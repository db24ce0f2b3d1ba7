"""The team's open handovers: progress, the next item due, days to go,
overdue items; then recently completed handovers whose follow-up items are
still open; and who in the team is leaving or going away.

Keys: enter opens the handover, D plans a departure (team leads), R reloads,
esc goes back. Opened with `H` or "Open handovers" in the command palette
(its provider is `tui.commands.HandoverCommands`).
"""

from __future__ import annotations

from pathlib import Path

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import DataTable

from planner.words import plural
from tui.data import initials
from tui.handover_data import TeamHandoversView
from tui.screens.handover.common import clip
from tui.screens.loading import ViewLoader
from tui.screens.registry import open_screen
from tui.text import cells
from tui.widgets import severity
from tui.widgets.chrome import KeyBar, TitleBar
from tui.widgets.tables import refill
from tui.widgets.plain import Static


# Progress first, and From→to within 80 columns (tests/tui/test_handover_screens.py); the names come last.
COLUMNS = (("ref", "Case"), ("next", "Next item due"), ("progress", "Done"), ("overdue", "Late"),
           ("days", "Date"), ("who", "From→to"), ("name", "Name"))
NEXT_TITLE_WIDTH = 18


def days_words(days: int) -> str:
    if days == 0:
        return "today"
    return f"in {days}d" if days > 0 else f"{-days}d ago"


class HandoversScreen(ViewLoader, Screen):
    CSS_PATH = Path(__file__).with_suffix(".tcss")
    LOAD_GROUP = "handovers-load"
    LOAD_WHAT = "the handovers"
    LOAD_SPINNERS = ("#handovers",)
    help_title = "team handovers screen"
    AUTO_FOCUS = "#handovers"

    BINDINGS = [
        Binding("enter", "open", "Open handover", id="handovers.open", show=False),
        Binding("D", "departures", "Plan departures", id="handovers.departures", key_display="D"),
        Binding("R", "reload", "Reload", id="handovers.reload"),
        Binding("escape", "back", "Back", id="handovers.back"),
    ]

    view: TeamHandoversView | None

    def compose(self) -> ComposeResult:
        yield TitleBar()
        yield Static("Loading the team's handovers…", id="summary", classes="loading-note")
        yield DataTable(id="handovers", cursor_type="row", zebra_stripes=True)
        yield Static("", id="departures")
        yield KeyBar()

    def on_mount(self) -> None:
        self.title = "caseload"
        self.sub_title = "open handovers"
        self.mount_view({"#handovers": COLUMNS})
        self.load()

    def on_screen_resume(self) -> None:
        if self.view is not None:
            self.load()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        # D is a team lead's: hidden from a practitioner's key line once the read says who they are.
        if action == "departures" and self.view is not None and not self.view.is_lead:
            return False
        return True

    def read_view(self):
        from tui.handover_data import sync_team_ticks, team_handovers

        app = self.app
        sync_team_ticks(app.gateway, practitioner_id=app.practitioner_id, as_of=app.as_of, actor=app.actor)
        return team_handovers(app.gateway, app.practitioner_id, app.as_of)

    def view_loaded(self, view: TeamHandoversView) -> None:
        super().view_loaded(view)
        self.refresh_bindings()  # D shows for a team lead only

    def render_view(self) -> None:
        view = self.view
        if view is None:
            return
        privacy = self.app.privacy
        self.sub_title = (f"open handovers · team {view.team_name} · as of {view.as_of:%a %d %b %Y}"
                          + (" · PRIVACY" if privacy else ""))
        open_rows = [r for r in view.rows if not r.follow_up]
        overdue = sum(r.overdue for r in open_rows)
        summary = plural(len(open_rows), "open handover")
        if overdue:
            summary += f" · ⚠ {plural(overdue, 'overdue item')}"
        follow = len(view.rows) - len(open_rows)
        if follow:
            summary += f" · {follow} completed with follow-ups open"
        self.query_one("#summary", Static).update(summary + " · enter opens")
        refill(self.query_one("#handovers", DataTable), self.rows_of(view))
        lines = []
        if not view.rows:
            lines.append("No open handovers in the team.")
        if view.departures:
            lines.append("Leaving or away soon: " + "; ".join(d.what for d in view.departures)
                         + (" · D plans them" if view.is_lead else ""))
        self.query_one("#departures", Static).update("\n".join(lines))

    def rows_of(self, view: TeamHandoversView):
        """(cells, key) of each handover of the view, keyed by the handover's id:
        a case may have two rows (a completed handover with follow-ups open and
        a new one planned since)."""
        high = severity.style_for(self.app, "high")
        for r in view.rows:
            name = initials(r.display_name) if self.app.privacy else r.display_name
            nxt = (f"{clip(r.next_title, NEXT_TITLE_WIDTH):<{NEXT_TITLE_WIDTH}} {r.next_due:%d %b}"
                   if r.next_title else "—")
            when = f"{r.planned_on:%d %b} " + ("done" if r.follow_up else days_words(r.days_away))
            yield cells(r.case_ref, nxt, f"{r.done}/{r.total}",
                        Text(f"⚠ {r.overdue}", style=high) if r.overdue else "—",
                        when, f"{r.from_id}→{r.to_id}", name), str(r.handover_id)

    # ---------------------------------------------------------------- actions

    @on(DataTable.RowSelected, "#handovers")
    def _selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.open_row(event.row_key.value)

    def action_open(self) -> None:
        table = self.query_one("#handovers", DataTable)
        if table.row_count:
            self.open_row(table.coordinate_to_cell_key((table.cursor_row, 0)).row_key.value)

    def open_row(self, key: str | None) -> None:
        """The handover screen of the row's case (keyed by handover id: `rows_of`)."""
        row = next((r for r in self.view.rows if str(r.handover_id) == key), None) if self.view else None
        if row is not None:
            open_screen(self.app, "handover", row.case_ref)

    def action_departures(self) -> None:
        view = self.view
        if view is None:
            return
        if not view.is_lead:
            self.notify("Departures are planned by the team lead.", severity="warning")
            return
        if not view.departures:
            self.notify("Nobody in the team leaves or goes away in the next 8 weeks.", timeout=4)
            return
        options = [(f"{d.practitioner_id} · {initials(d.name) if self.app.privacy else d.name} · {d.what}",
                    d.practitioner_id) for d in view.departures]

        def chosen(pid: str | None) -> None:
            if pid:
                open_screen(self.app, "departures", pid)

        if len(options) == 1:
            chosen(options[0][1])
        else:
            open_screen(self.app, "picker", "Plan the departure of", options, callback=chosen)

    def action_reload(self) -> None:
        self.load()

    def action_back(self) -> None:
        self.app.pop_screen()

    @classmethod
    def open_for(cls, app) -> None:
        """The team view of open handovers (key H, palette "Open handovers"),
        unless it is showing already or a dialog is open."""
        if isinstance(app.screen, cls) or app.screen.is_modal:
            return
        app.push_screen(cls())


__all__ = ["HandoversScreen"]
