"""The rebalance's screen: the proposed moves with points, cost, reason and
handover date, accepted or dropped one by one, and every practitioner's
capacity before and after (the package's docstring tells the whole flow)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.message import Message
from textual.screen import Screen
from textual.widgets import DataTable

from planner.errors import ConflictError
from planner.words import plural
from tui.data import initials
from tui.screens.forms.base import nice
from tui.screens.loading import ViewLoader, failure
from tui.screens.registry import open_screen
from tui.team_data import SolvedPlan, capacity_bar
from tui.text import cells, plain
from tui.widgets.chrome import KeyBar, TitleBar
from tui.widgets.tables import refill
from tui.widgets.plain import Static
from tui.widgets.workload import band_style, short


MOVE_COLUMNS = (("ok", "Accept"), ("case", "Case"), ("name", "Name"), ("move", "From → to"),
                ("points", "Points"), ("cost", "Cost"), ("date", "Handover"), ("reason", "Reason"))
CAPACITY_COLUMNS = (("id", "ID"), ("name", "Name"), ("before", "Before"), ("after", "After"),
                    ("change", "Change"), ("note", "Note"))
ACCEPTED, DROPPED = "[✓] yes", "[ ] no"


def num(x: float) -> str:
    return f"{x:g}" if float(x).is_integer() else f"{x:.1f}"


class RebalanceScreen(ViewLoader, Screen):
    """Proposed moves, accepted or dropped one by one, and capacity before/after.
    The solve is the screen's load (ViewLoader): its view is the SolvedPlan."""

    CSS_PATH = Path(__file__).with_suffix(".tcss")
    LOAD_GROUP = "rebalance-solve"
    LOAD_VERB = "solve"
    LOAD_WHAT = "the rebalance"
    LOAD_NOTE = "#status"
    LOAD_SPINNERS = ("#moves", "#capacity")
    LOAD_FAILED_TITLE = "Rebalance"
    LOAD_FAILED_SEVERITY = "warning"
    LOAD_FAILED_TIMEOUT = 8
    help_title = "rebalance screen"
    AUTO_FOCUS = "#moves"

    BINDINGS = [
        Binding("space", "toggle", "Accept/drop", id="rebalance.toggle"),
        Binding("a", "accept_all", "All", id="rebalance.all"),
        Binding("n", "accept_none", "None", id="rebalance.none"),
        # priority: enter applies even while a table has the focus (tables select on enter)
        Binding("enter", "apply", "Apply", id="rebalance.apply", priority=True),
        Binding("A", "apply", "Apply", id="rebalance.apply_shift", key_display="A", show=False),
        Binding("o", "options", "Options", id="rebalance.options"),
        Binding("escape", "back", "Back", id="rebalance.back"),
    ]

    class Applied(Message):
        def __init__(self, applied) -> None:
            self.applied = applied  # storage.team.AppliedPlan
            super().__init__()

    class ApplyFailed(Message):
        def __init__(self, message: str, conflict: bool) -> None:
            self.message = message
            self.conflict = conflict
            super().__init__()

    def __init__(self, choice) -> None:  # options_form.RebalanceChoice
        super().__init__()
        self.choice = choice
        self.solving = False
        self.applying = False
        self.plan = None  # the solved plan with only the accepted moves (planner.rebalance.with_moves)
        self.accepted: set[str] = set()
        self.applied = None  # storage.team.AppliedPlan once applied
        self._first_on: date | None = None  # the first handover date the confirmation offered

    def compose(self) -> ComposeResult:
        yield TitleBar()
        yield Static("", id="status")
        yield DataTable(id="moves", cursor_type="row", zebra_stripes=True)
        yield Static("", id="reason")
        yield DataTable(id="capacity", cursor_type="row", zebra_stripes=True)
        yield KeyBar()

    def on_mount(self) -> None:
        self.title = "caseload"
        self.sub_title = "rebalance"
        self.mount_view({"#moves": MOVE_COLUMNS, "#capacity": CAPACITY_COLUMNS}, redraw_on=("privacy", "theme"))
        self.solve()

    # ---------------------------------------------------------------- solving (worker → message → handler)

    def solve(self) -> None:
        self.solving = True
        self.query_one("#status", Static).update(
            f"Solving… looking for the least-disruption moves to bring everyone to at most "
            f"{self.choice.target_pct:g}%" + (f" in {self.choice.max_moves} moves or fewer"
                                             if self.choice.max_moves else "") + " (HiGHS, up to 10 s)."
        )
        for table_id in self.LOAD_SPINNERS:
            self.query_one(table_id, DataTable).loading = True
        self.load()

    def read_view(self) -> SolvedPlan:
        from tui.team_data import solve_rebalance

        app, choice = self.app, self.choice
        return solve_rebalance(app.gateway, app.practitioner_id, app.as_of,
                               target_pct=choice.target_pct, max_moves=choice.max_moves)

    def still_loading_text(self, seconds: float) -> str:
        return f"still solving · {seconds:.0f} s"

    @property
    def solved(self) -> SolvedPlan | None:
        return self.view

    def view_loaded(self, view: SolvedPlan) -> None:
        self.solving = False
        self.accepted = {m.case_ref for m in view.plan.moves}
        super().view_loaded(view)

    def view_failed(self, message: str) -> None:
        self.solving = False
        super().view_failed(message)

    def render_view(self) -> None:
        self.recompute()
        self.render_plan()

    def recompute(self) -> None:
        from planner.rebalance import with_moves

        if self.solved is not None:
            self.plan = with_moves(self.solved.plan, self.accepted)

    # ---------------------------------------------------------------- rendering: data down

    def shown_name(self, name: str) -> str:
        return initials(name) if self.app.privacy else plain(name)

    def render_plan(self) -> None:
        """Fill both tables from the solved plan (cursor positions kept)."""
        if self.solved is None or self.plan is None:
            return
        solved = self.solved
        refill(self.query_one("#moves", DataTable), (
            (cells(ACCEPTED if m.case_ref in self.accepted else DROPPED, m.case_ref,
                   short(self.shown_name(solved.case_names.get(m.case_ref, "")), 16),
                   f"{m.from_id} → {m.to_id}", num(m.points), num(m.cost),
                   f"{day:%a %d %b}" if (day := solved.dates.get(m.case_ref)) else "planned", m.reason), m.case_ref)
            for m in solved.plan.moves))
        refill(self.query_one("#capacity", DataTable), (
            (cells(p.practitioner_id, short(self.shown_name(solved.names.get(p.practitioner_id, "")), 14),
                   *self._capacity_cells(p)), p.practitioner_id)
            for p in self.plan.practitioners))
        self.render_status()

    def _pct_text(self, points: float, available: float) -> Text:
        from planner.workload import BAND_SHORT, band, capacity_pct, format_pct

        pct = capacity_pct(points, available)
        b = band(pct, self.app.policy)
        text = Text()
        text.append(capacity_bar(pct), style=band_style(self.app, b))
        text.append(f" {format_pct(pct):>4} ")
        text.append(f"{BAND_SHORT[b]:<4}", style=band_style(self.app, b))
        return text

    def _capacity_cells(self, p) -> tuple:
        change = p.points_after - p.points_before
        note = []
        if p.points_after > p.target_points + 1e-6:
            note.append("still over target")
        if p.receiver_exclusion:
            note.append(f"receives nothing: {p.receiver_exclusion}")
        return (self._pct_text(p.points_before, p.available_points),
                self._pct_text(p.points_after, p.available_points),
                "—" if abs(change) < 1e-9 else f"{change:+.0f}",
                "; ".join(note) or "—")

    def render_status(self) -> None:
        solved, plan = self.solved, self.plan
        if solved is None or plan is None:
            return
        self.sub_title = (f"rebalance · team {solved.plan.team_id} · as of {solved.plan.as_of:%a %d %b %Y}"
                          + (" · PRIVACY" if self.app.privacy else ""))
        report = solved.plan.solver
        gap = "unknown" if report.gap is None else f"{report.gap * 100:.2f}%"
        total = len(solved.plan.moves)
        lines = [
            f"Solver {report.name} {report.status} · gap {gap} · {report.seconds:.2f} s · target "
            f"{solved.plan.target_pct:g}% · {plural(total, 'move')} proposed"
        ]
        if total:
            days = sorted(d for ref, d in solved.dates.items() if ref in self.accepted)
            when = (f"{days[0]:%a %d %b}" + (f"–{days[-1]:%a %d %b}" if days[-1] != days[0] else "")
                    if days else f"{solved.handover_on:%a %d %b}")
            lines.append(
                f"Accepted {len(plan.moves)} of {total} · cost {num(plan.total_cost)} · "
                f"points over target {num(plan.overload_points)} · handovers {when}"
            )
        elif plan.overload_points == 0:
            lines.append("No moves needed: everyone is at or under the target.")
        else:
            lines.append("No move can help within the exclusions.")
        still = plan.over_target
        if still:
            lines.append("Still over target: " + ", ".join(still))
        self.query_one("#status", Static).update("\n".join(lines))
        self.show_reason()

    def show_reason(self) -> None:
        reason = self.query_one("#reason", Static)
        move = self.highlighted_move()
        if move is None:
            reason.update("")
            return
        state = "accepted" if move.case_ref in self.accepted else "dropped"
        day = self.solved.dates.get(move.case_ref)
        on = f" · handover {day:%a %d %b}" if day else ""
        reason.update(f"{move.case_ref} {move.from_id} → {move.to_id} ({state}) · {num(move.points)} points · "
                      f"cost {num(move.cost)}{on}: {move.reason}")

    def highlighted_move(self):
        moves = self.query_one("#moves", DataTable)
        if self.solved is None or not moves.row_count:
            return None
        ref = moves.coordinate_to_cell_key((moves.cursor_row, 0)).row_key.value
        return next((m for m in self.solved.plan.moves if m.case_ref == ref), None)

    @on(DataTable.RowHighlighted, "#moves")
    def _move_highlighted(self, event: DataTable.RowHighlighted) -> None:
        self.show_reason()

    def _update_after(self) -> None:
        """Accepting or dropping changed the plan: new ticks, after and status."""
        self.recompute()
        moves = self.query_one("#moves", DataTable)
        for m in self.solved.plan.moves:
            moves.update_cell(m.case_ref, "ok", *cells(ACCEPTED if m.case_ref in self.accepted else DROPPED))
        capacity = self.query_one("#capacity", DataTable)
        for p in self.plan.practitioners:
            _before, after, change, note = cells(*self._capacity_cells(p))
            capacity.update_cell(p.practitioner_id, "after", after)
            capacity.update_cell(p.practitioner_id, "change", change)
            capacity.update_cell(p.practitioner_id, "note", note, update_width=True)
        self.render_status()

    # ---------------------------------------------------------------- actions

    def _ready(self) -> bool:
        if self.solving:
            self.notify("Still solving…", timeout=2)
            return False
        if self.applying:
            self.notify("Planning the handovers…", timeout=2)
            return False
        return self.solved is not None

    def action_toggle(self) -> None:
        if not self._ready():
            return
        move = self.highlighted_move()
        if move is None:
            return
        self.accepted ^= {move.case_ref}
        self._update_after()

    def action_accept_all(self) -> None:
        if self._ready():
            self.accepted = {m.case_ref for m in self.solved.plan.moves}
            self._update_after()

    def action_accept_none(self) -> None:
        if self._ready():
            self.accepted = set()
            self._update_after()

    def action_options(self) -> None:
        if self.solving or self.applying:
            return

        def chosen(choice) -> None:
            if choice is not None:
                self.choice = choice
                self.solve()

        open_screen(self.app, "rebalance-options", self.app.policy, self.choice, callback=chosen)

    def action_apply(self) -> None:
        if not self._ready() or self.plan is None:
            return
        if not self.plan.moves:
            self.notify("No move is accepted: nothing to plan (space accepts a move, a accepts all).",
                        title="Rebalance", severity="warning", timeout=6)
            return
        already = sum(1 for m in self.plan.moves if m.already_planned)

        def confirmed(day: date | None) -> None:
            if day is not None:
                self.apply(day)

        accepted = {ref: d for ref, d in self.solved.dates.items() if ref in self.accepted}
        self._first_on = min(accepted.values(), default=self.solved.handover_on)
        open_screen(self.app, "rebalance-apply", moves=len(self.plan.moves), already=already,
                    default_on=self._first_on, as_of=self.app.as_of, dates=accepted,
                    per_day=self.app.policy.handover.per_day, callback=confirmed)

    def apply(self, day: date) -> None:
        self.applying = True
        self.query_one("#reason", Static).update(f"Planning {len(self.plan.moves)} handover(s)…")
        # the dates shown when the lead kept the first day; staggered again from another one
        dates = ({ref: d for ref, d in self.solved.dates.items() if ref in self.accepted}
                 if day == (self._first_on or self.solved.handover_on) else None)
        self._apply(self.plan, day, dates)

    @work(thread=True, exclusive=True, group="rebalance-apply", exit_on_error=False)
    def _apply(self, plan, day: date, dates: dict | None = None) -> None:
        from tui.team_data import apply_rebalance

        app = self.app
        try:
            applied = apply_rebalance(app.gateway, plan, handover_on=day, actor=app.actor, dates=dates)
        except Exception as exc:  # noqa: BLE001 - a notice, not a traceback
            self.post_message(self.ApplyFailed(failure(exc, "Could not plan the handovers ({kind})."),
                                               conflict=isinstance(exc, ConflictError)))
        else:
            self.post_message(self.Applied(applied))

    @on(Applied)
    def _applied(self, message: Applied) -> None:
        self.applying = False
        self.applied = message.applied
        a = message.applied
        span = (f"on {nice(a.planned_on)}" if a.last_on == a.planned_on
                else f"from {nice(a.planned_on)} to {nice(a.last_on)}")
        text = (f"Planned {plural(len(a.handover_ids), 'warm handover')} "
                f"{span}, each with its checklist.")
        if a.already_planned:
            text += f" {len(a.already_planned)} {'was' if len(a.already_planned) == 1 else 'were'} already planned."
        self.notify(text + " H shows the team's handovers.", title="Rebalance applied", timeout=8)
        self.app.pop_screen()  # back to the team board, which reloads

    @on(ApplyFailed)
    def _apply_failed(self, message: ApplyFailed) -> None:
        self.applying = False
        self.show_reason()
        hint = " Press o to solve again." if message.conflict else ""
        self.notify(f"Nothing was applied: {message.message}.{hint}".replace("..", "."),
                    title="Rebalance not applied", severity="error", timeout=10)

    def action_back(self) -> None:
        if self.applying:
            self.notify("Planning the handovers…", timeout=2)
            return
        self.app.pop_screen()


__all__ = ["RebalanceScreen"]
