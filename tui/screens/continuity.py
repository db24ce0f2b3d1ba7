"""The lead's continuity screen (SPEC §12, docs/continuity.md): each measure
by month as a chart, the team's line with the highlighted practitioner's
beside it, and a table of the team and every practitioner with a sparkline
of the 12 months, the last month's figure and the trend in words.

Keys: ←/→ the previous or next measure, ↑/↓ a practitioner (their line
joins the team's), enter opens their caseload, R reloads, esc goes back.
Opened with `C` from the team screen; team leads only (a notice otherwise).
Shapes and words, not colour alone: ● is the team, ◆ the practitioner, and
each row says "better", "worse" or "steady".
"""

from __future__ import annotations

from pathlib import Path

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import DataTable

from planner.continuity import MEASURE_NAMES, MEASURE_TITLES
from planner.continuity.markdown import DEFINITIONS
from planner.continuity.text import format_value, sparkline, trend
from tui.data import initials
from tui.screens.loading import ViewLoader
from tui.screens.registry import open_screen
from tui.text import plain
from tui.widgets.chrome import KeyBar, TitleBar
from tui.widgets.continuity_chart import PRACTITIONER_MARKER, TEAM_MARKER, ContinuityChart
from tui.widgets.plain import Static

TEAM_ROW = "team"


class ContinuityScreen(ViewLoader, Screen):
    """The signed-in lead's team: continuity by month, measure by measure."""

    CSS_PATH = Path(__file__).with_suffix(".tcss")
    LOAD_GROUP = "continuity-load"
    LOAD_WHAT = "the team's continuity"
    LOAD_SPINNERS = ("#who",)
    LOAD_FAILED_TITLE = "Continuity"
    LOAD_FAILED_SEVERITY = "warning"
    LOAD_FAILED_TIMEOUT = 8
    help_title = "continuity screen"
    AUTO_FOCUS = "#who"

    BINDINGS = [
        Binding("right", "measure(1)", "Next measure", id="continuity.next", priority=True, key_display="→"),
        Binding("left", "measure(-1)", "Previous", id="continuity.previous", priority=True, key_display="←"),
        Binding("enter", "open", "Open caseload", id="continuity.open", show=False),
        Binding("R", "reload", "Reload", id="continuity.reload", show=False),
        Binding("escape", "back", "Back", id="continuity.back"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.measure = 0  # index into MEASURE_NAMES

    def compose(self) -> ComposeResult:
        yield TitleBar()
        yield Static("Loading the team's continuity…", id="summary")
        yield ContinuityChart(id="chart")
        yield DataTable(id="who", cursor_type="row", zebra_stripes=True)
        yield Static("", id="definition")
        yield KeyBar()

    def on_mount(self) -> None:
        self.title = "caseload"
        self.sub_title = "continuity"
        self.mount_view({"#who": (("who", "Who"), ("months", "12 months"), ("last", "Last"), ("trend", "Trend"))})
        self.load()

    # ---------------------------------------------------------------- loading (worker → message → handler)

    def read_view(self):
        from tui.continuity_data import continuity_view

        app = self.app
        return continuity_view(app.gateway, app.practitioner_id, app.as_of)

    # ---------------------------------------------------------------- data down

    @property
    def measure_name(self) -> str:
        return MEASURE_NAMES[self.measure]

    def who(self, practitioner_id: str) -> str:
        name = self.view.names.get(practitioner_id, practitioner_id)
        return f"{PRACTITIONER_MARKER} {practitioner_id} {initials(name) if self.app.privacy else plain(name)}"

    def render_view(self) -> None:
        if self.view is None:
            return
        report, name = self.view.report, self.measure_name
        months = report.months
        span = f"{months[0].month.label}–{months[-1].month.label}" if months else "no months"
        self.query_one("#summary", Static).update(
            f"{plain(report.team_id)} · {span} · ← {MEASURE_TITLES[name]} → "
            f"{self.measure + 1} of {len(MEASURE_NAMES)}"
        )
        self.query_one("#definition", Static).update(f"{MEASURE_TITLES[name]}: {DEFINITIONS[name]}.")
        table = self.query_one("#who", DataTable)
        keep = self.highlighted_id()
        table.clear()
        for key, label, values in [(TEAM_ROW, f"{TEAM_MARKER} team", report.series(name)),
                                   *((pid, self.who(pid), report.series(name, pid)) for pid in report.practitioner_ids)]:
            last = next((v for v in reversed(values) if v is not None), None)
            table.add_row(label[:28], sparkline(name, values), format_value(name, last), trend(name, values), key=key)
        if keep is not None:
            keys = [TEAM_ROW, *report.practitioner_ids]
            if keep in keys:
                table.move_cursor(row=keys.index(keep))
        self.draw_chart()

    def highlighted_id(self) -> str | None:
        table = self.query_one("#who", DataTable)
        if table.row_count == 0:
            return None
        return table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value

    def draw_chart(self) -> None:
        if self.view is None:
            return
        report, name = self.view.report, self.measure_name
        pid = self.highlighted_id()
        pid = None if pid in (None, TEAM_ROW) else pid
        self.query_one("#chart", ContinuityChart).show(
            name, [m.month.label for m in report.months], report.series(name),
            pid, report.series(name, pid) if pid else None)

    @on(DataTable.RowHighlighted, "#who")
    def _highlighted(self, event: DataTable.RowHighlighted) -> None:
        self.draw_chart()

    @on(DataTable.RowSelected, "#who")
    def _selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.open_practitioner(event.row_key.value)

    # ---------------------------------------------------------------- keys

    def action_measure(self, step: int) -> None:
        self.measure = (self.measure + step) % len(MEASURE_NAMES)
        self.render_view()

    def action_open(self) -> None:
        self.open_practitioner(self.highlighted_id())

    def open_practitioner(self, practitioner_id: str | None) -> None:
        """The practitioner's caseload (the cases behind their figures) on top; esc comes back."""
        if practitioner_id and practitioner_id != TEAM_ROW:
            open_screen(self.app, "caseload", practitioner_id)
        elif practitioner_id == TEAM_ROW:
            self.notify("Choose a practitioner (↓) to open their caseload.", title="Continuity", timeout=4)

    def action_reload(self) -> None:
        self.load()

    def action_back(self) -> None:
        self.app.pop_screen()
