"""The team lead's workload board: every practitioner of the team with a
capacity bar and band (bar and word, never colour alone), role and grade,
case count, points of available, warnings by severity, absences ahead and
leaving dates.

Keys: enter opens the highlighted practitioner's caseload (the lead stays
signed in), r proposes a rebalance (tui/screens/rebalance/), R reloads,
esc goes back. Opened with `T` from the caseload or "Team workload" in the
command palette; team leads only (a notice otherwise).
"""

from __future__ import annotations

from pathlib import Path

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import DataTable

from tui.data import initials
from tui.screens.loading import ViewLoader, read_then
from tui.screens.registry import open_screen
from tui.team_data import MemberRow, TeamView
from tui.text import cells, plain
from tui.widgets.workload import capacity_text, points_text, short, warning_counts
from tui.widgets.chrome import KeyBar, TitleBar
from tui.widgets.tables import refill
from tui.widgets.plain import Static


# The columns that matter most come first, so 80 columns show them; the
# detail line under the table repeats everything for the highlighted row.
COLUMNS = (("id", "ID"), ("name", "Name"), ("capacity", "Capacity"), ("warnings", "Warnings"),
           ("away", "Away / leaving"), ("handovers", "Handovers"), ("cases", "Cases"), ("points", "Points"),
           ("grade", "Grade"))

class TeamScreen(ViewLoader, Screen):
    """Every practitioner of the signed-in lead's team, with their workload."""

    CSS_PATH = Path(__file__).with_suffix(".tcss")
    LOAD_GROUP = "team-load"
    LOAD_WHAT = "the team"
    LOAD_SPINNERS = ("#team",)
    LOAD_FAILED_TITLE = "Team workload"
    LOAD_FAILED_SEVERITY = "warning"
    LOAD_FAILED_TIMEOUT = 8
    help_title = "team workload screen"
    AUTO_FOCUS = "#team"

    BINDINGS = [
        Binding("enter", "open", "Open caseload", id="team.open", show=False),
        Binding("r", "rebalance", "Rebalance", id="team.rebalance"),
        Binding("C", "continuity", "Continuity", id="team.continuity"),
        Binding("R", "reload", "Reload", id="team.reload", show=False),
        Binding("escape", "back", "Back", id="team.back"),
    ]

    view: TeamView | None

    def compose(self) -> ComposeResult:
        yield TitleBar()
        yield Static("Loading the team's workload…", id="summary")
        yield DataTable(id="team", cursor_type="row", zebra_stripes=True)
        yield Static("", id="detail")
        yield Static("", id="legend")
        yield KeyBar()

    def on_mount(self) -> None:
        self.title = "caseload"
        self.sub_title = "team workload"
        self.mount_view({"#team": COLUMNS}, redraw_on=("privacy", "theme"))
        self.load()

    def on_screen_resume(self) -> None:
        # Back from a caseload or a rebalance: handovers or cases may have changed.
        if self.view is not None:
            self.load()

    # ---------------------------------------------------------------- loading (worker → message → handler)

    def read_view(self):
        from tui.team_data import team_view

        app = self.app
        return team_view(app.gateway, app.practitioner_id, app.as_of)

    # ---------------------------------------------------------------- rows: data down

    def name_of(self, member: MemberRow) -> str:
        name = member.practitioner.name
        return initials(name) if self.app.privacy else plain(name)

    def render_view(self) -> None:
        view = self.view
        if view is None:
            return
        app = self.app
        self.sub_title = (f"team workload · {view.team_id} {view.team_name} · as of {view.as_of:%a %d %b %Y}"
                          + (" · PRIVACY" if app.privacy else ""))
        over = sum(1 for m in view.members if m.load.band == "red")
        full = sum(1 for m in view.members if m.load.band == "amber")
        summary = Text(f"{len(view.members)} practitioners · {over} OVER · {full} FULL · warnings ")
        summary.append_text(warning_counts(app, view.counts, words=True))
        self.query_one("#summary", Static).update(summary)
        refill(self.query_one("#team", DataTable), (
            (cells(m.practitioner_id, short(self.name_of(m), 15), capacity_text(app, m.load),
                   warning_counts(app, m.counts), m.away_short(view.as_of), m.handovers_short,
                   str(m.load.case_count), points_text(m.load), m.role_grade), m.practitioner_id)
            for m in view.members))
        policy = app.policy.workload
        self.query_one("#legend", Static).update(
            f"█ = 10% of available · ▶ over 100% · OK <{policy.amber_from_pct:g}% · "
            f"FULL {policy.amber_from_pct:g}–{policy.red_above_pct:g}% · OVER >{policy.red_above_pct:g}%"
        )
        self.show_detail()

    def highlighted(self) -> MemberRow | None:
        table = self.query_one("#team", DataTable)
        if self.view is None or not table.row_count:
            return None
        pid = table.coordinate_to_cell_key((table.cursor_row, 0)).row_key.value
        return self.view.member(pid)

    def show_detail(self) -> None:
        m = self.highlighted()
        detail = self.query_one("#detail", Static)
        if m is None or self.view is None:
            detail.update("")
            return
        text = Text()
        text.append(f"{m.practitioner_id} · {self.name_of(m)} · {m.role_grade}", style="bold")
        text.append(f" · {m.load.case_count} cases · {m.load.points:.0f} of {m.load.available_points:.0f} "
                    f"points · {m.load.pct_text} of capacity ({m.load.band_short})\n")
        text.append_text(warning_counts(self.app, m.counts, words=True))
        text.append(f" · {m.away_long(self.view.as_of)}")
        if m.handovers_out or m.handovers_in:
            text.append(f"\nHandovers planned: {m.handovers_out} out ({m.points_out:.0f} points), "
                        f"{m.handovers_in} in ({m.points_in:.0f} points); the load moves as each is completed")
        detail.update(text)

    @on(DataTable.RowHighlighted, "#team")
    def _highlighted(self, event: DataTable.RowHighlighted) -> None:
        self.show_detail()

    # ---------------------------------------------------------------- actions

    @on(DataTable.RowSelected, "#team")
    def _selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.open_practitioner(event.row_key.value)

    def action_open(self) -> None:
        m = self.highlighted()
        if m is not None:
            self.open_practitioner(m.practitioner_id)

    def open_practitioner(self, practitioner_id: str | None) -> None:
        """The practitioner's caseload on top of this screen; esc comes back."""
        if practitioner_id:
            open_screen(self.app, "caseload", practitioner_id)

    def action_rebalance(self) -> None:
        if self.view is None:
            self.notify(self.refused or "Still loading the team…", title="Rebalance",
                        severity="warning", timeout=6)
            return
        if not self.view.lead.is_lead:  # team_view refuses others; kept as a second lock
            self.notify("Rebalancing is for team leads.", title="Rebalance", severity="warning")
            return

        def chosen(options) -> None:
            if options is not None:
                open_screen(self.app, "rebalance", options)

        open_screen(self.app, "rebalance-options", self.app.policy, callback=chosen)

    def action_reload(self) -> None:
        self.load()

    def action_continuity(self) -> None:
        open_screen(self.app, "continuity")  # tui/screens/continuity.py: team leads, checked there

    def action_back(self) -> None:
        self.app.pop_screen()

    @classmethod
    def open_for(cls, app) -> None:
        """`T` on the caseload or "Team workload" in the palette: this screen
        for a team lead; a notice for anyone else (checked in a thread)."""
        screen = app.screen
        if screen.is_modal or isinstance(screen, cls):
            return
        if any(isinstance(s, cls) for s in app.screen_stack):
            while not isinstance(app.screen, cls):  # drilled in: back up to the board
                app.pop_screen()
            return
        practitioner_id = app.practitioner_id

        def check() -> None:
            from tui.team_data import check_lead

            with app.gateway.session() as s:
                check_lead(s, practitioner_id)

        read_then(app, check, lambda _checked: cls._push(app), title="Team workload", group="team-open")

    @classmethod
    def _push(cls, app) -> None:
        if not app.screen.is_modal and not isinstance(app.screen, cls):
            app.push_screen(cls())


__all__ = ["TeamScreen"]
