"""Plan a departure: every case of a practitioner who leaves or goes on a long
absence, dated (at most 2 a working day for them, riskiest first, from 14
days ahead) with a suggested receiver who keeps continuity and has room
under the target, and the reason in words (`planner.departures.departure_plan`).
The lead changes a receiver (r or enter: a picker, the suggestions first) or
a date (t), drops a row (d), then A shows what will be planned (how many,
from when to when, who gets under 14 days' notice) and plans them all with
checklists only once the lead says yes (`storage.handovers.plan_many`, one
transaction, all or nothing). A short absence shows named cover instead
(`planner.departures.cover_suggestions`).
"""

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

from planner.words import plural
from tui.data import initials
from tui.handover_data import DeparturesView, PlanRow, with_receiver
from tui.screens.loading import ViewLoader, failure
from tui.screens.registry import open_screen
from tui.text import cells, plain
from tui.widgets import severity
from tui.widgets.chrome import KeyBar, TitleBar
from tui.widgets.tables import refill
from tui.widgets.plain import Static


COLUMNS = (("date", "Date"), ("ref", "Case"), ("name", "Name"), ("tier", "Tier"), ("to", "To"),
           ("why", "Why this receiver"))


class DeparturesScreen(ViewLoader, Screen):
    CSS_PATH = Path(__file__).with_suffix(".tcss")
    LOAD_GROUP = "departures-load"
    LOAD_WHAT = "the cases"
    LOAD_NOTE = "#event"
    LOAD_SPINNERS = ("#plan",)
    help_title = "departures planning screen"
    AUTO_FOCUS = "#plan"

    BINDINGS = [
        Binding("A", "plan_all", "Plan all…", id="departures.plan_all", key_display="A"),
        Binding("r", "receiver", "Receiver", id="departures.receiver"),
        Binding("t", "date", "Date", id="departures.date"),
        Binding("d,delete", "drop", "Drop row", id="departures.drop"),
        Binding("R", "reload", "Reload", id="departures.reload", show=False),
        Binding("escape", "back", "Back", id="departures.back"),
    ]

    class Planned(Message):
        def __init__(self, count: int | None, error: str | None = None) -> None:
            self.count = count
            self.error = error
            super().__init__()

    def __init__(self, practitioner_id: str) -> None:
        super().__init__()
        self.practitioner_id = practitioner_id
        self.plans = 0  # handled plan-all results (tests wait on this)
        self.view: DeparturesView | None = None
        self.rows: list[PlanRow] = []
        self.dropped: list[str] = []
        self.planning = False

    def compose(self) -> ComposeResult:
        yield TitleBar()
        yield Static(f"Loading the cases of {self.practitioner_id}…", id="event", classes="loading-note")
        yield DataTable(id="plan", cursor_type="row", zebra_stripes=True)
        yield Static("", id="row-detail")
        yield Static("", id="covers")
        yield KeyBar()

    def on_mount(self) -> None:
        self.title = "caseload"
        self.sub_title = f"plan departures · {self.practitioner_id}"
        self.mount_view({"#plan": COLUMNS})
        self.load()

    def read_view(self):
        from tui.handover_data import departures

        app = self.app
        return departures(app.gateway, self.practitioner_id, app.as_of)

    def view_loaded(self, view: DeparturesView) -> None:
        self.rows = list(view.rows)
        self.dropped = []
        super().view_loaded(view)

    # ---------------------------------------------------------------- rendering

    def who(self, pid: str | None) -> str:
        if not pid:
            return "—"
        name = self.view.names.get(pid, "") if self.view else ""
        return f"{pid} {initials(name)}" if self.app.privacy and name else plain(pid)

    def render_view(self) -> None:
        view = self.view
        if view is None:
            return
        privacy = self.app.privacy
        p = view.practitioner
        self.sub_title = (f"plan departures · {p.practitioner_id} · as of {view.as_of:%a %d %b %Y}"
                          + (" · PRIVACY" if privacy else ""))
        name = initials(p.name) if privacy else plain(p.name)
        event = Text()
        if view.event:
            from tui.handover_data import plan_summary

            summary = plan_summary(self.rows, view.planned)
            event.append(plain(view.event.replace(p.practitioner_id, f"{p.practitioner_id} {name}", 1)), style="bold")
            if self.rows:
                days = sorted({r.planned_on for r in self.rows})
                span = f"on {days[0]:%a %d %b}" if len(days) == 1 else f"from {days[0]:%a %d %b} to {days[-1]:%a %d %b}"
                event.append(f" · {plural(len(self.rows), 'case')} {span}"
                             + (f", at most {summary.busiest} a day" if summary.count else ""))
                if summary.short_notice:
                    event.append(f" · ⚠ {len(summary.short_notice)} with under 14 days' notice")
                event.append(f" · A plans {summary.count} after you confirm")
            else:
                event.append(" · every case has a handover planned")
            if self.dropped:
                event.append(f" · dropped: {', '.join(self.dropped)}")
        elif view.covers:
            event.append(f"{p.practitioner_id} {name} is away for a short time: named cover, not a handover.")
        else:
            event.append(f"{p.practitioner_id} {name} has no leaving date or long absence in the next 8 weeks.")
        self.query_one("#event", Static).update(event)
        table = self.query_one("#plan", DataTable)
        warn = severity.style_for(self.app, "medium")

        def row(r: PlanRow):
            case_name = initials(r.display_name) if privacy else r.display_name
            to = Text(self.who(r.to_id) + (" *" if r.changed else "")) if r.to_id else Text("⚠ none", style=warn)
            when = Text(f"{r.planned_on:%a %d %b}") + (Text(" ⚠", style=warn) if r.short_notice else Text("  "))
            return (when, *cells(r.case_ref, case_name, r.tier or "—", to, r.reason)), r.case_ref

        table.display = bool(refill(table, map(row, self.rows)))
        self._render_detail()
        covers = []
        if view.covers:
            covers.append(Text(plain(f"Cover: {view.cover_event}"), style="bold"))
            for c in view.covers:
                cname = initials(c.display_name) if privacy else c.display_name
                covers.append(Text(plain(f"  {c.case_ref} {cname}: {self.who(c.cover_id)} · {c.reason}")))
        self.query_one("#covers", Static).update(Text("\n").join(covers) if covers else "")
        self.refresh_bindings()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Plan, change and drop only show while there are rows to plan."""
        if action in ("plan_all", "receiver", "date", "drop"):
            return bool(self.rows)
        return True

    def _render_detail(self) -> None:
        row = self.current_row
        detail = self.query_one("#row-detail", Static)
        if row is None:
            detail.update("")
            return
        text = Text(f"{row.case_ref} → {self.who(row.to_id)} on {row.planned_on:%a %d %b}: ", style="bold")
        text.append(plain(row.reason))
        if row.notes:
            text.append(plain(" · ⚠ " + "; ".join(row.notes)))
        others = [pid for pid, _ in row.candidates if pid != row.to_id]
        text.append(" · " + (("also: " + ", ".join(others)) if others else "no other suggestion"))
        detail.update(text)

    @on(DataTable.RowHighlighted, "#plan")
    def _highlighted(self) -> None:
        self._render_detail()

    @property
    def current_row(self) -> PlanRow | None:
        table = self.query_one("#plan", DataTable)
        if not self.rows or table.row_count == 0:
            return None
        ref = table.coordinate_to_cell_key((table.cursor_row, 0)).row_key.value  # the row key is the case ref
        return next((r for r in self.rows if r.case_ref == ref), None)

    # ---------------------------------------------------------------- actions

    @on(DataTable.RowSelected, "#plan")
    def _selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.action_receiver()

    def action_receiver(self) -> None:
        row = self.current_row
        if row is None or self.view is None:
            return
        suggested = dict(row.candidates)
        options = [(f"{pid} · suggested: {why}", pid) for pid, why in row.candidates]
        options += [(label if not self.app.privacy else label.split(" · ")[0], pid)
                    for pid, label in self.view.receivers if pid not in suggested]

        def chosen(pid: str | None) -> None:
            if not pid:
                return
            app = self.app
            self.rows = [with_receiver(r, pid, as_of=app.as_of, policy=app.policy) if r.case_ref == row.case_ref
                         else r for r in self.rows]
            self.render_view()

        open_screen(self.app, "picker", f"Who takes {row.case_ref}?", options, highlight=row.to_id, callback=chosen)

    def action_date(self) -> None:
        from tui.handover_data import with_date

        row = self.current_row
        if row is None or self.view is None:
            return
        app = self.app

        def chosen(day: date | None) -> None:
            if day is None:
                return
            self.rows = sorted(
                (with_date(r, day, as_of=app.as_of, policy=app.policy) if r.case_ref == row.case_ref else r
                 for r in self.rows),
                key=lambda r: (r.planned_on, -r.item.score, r.case_ref))
            self.render_view()
            self._follow(row.case_ref)

        open_screen(app, "departure-date", as_of=app.as_of, current=row.planned_on, who=row.case_ref, callback=chosen)

    def _follow(self, case_ref: str) -> None:
        """Keep the cursor on the row that was changed, wherever it moved."""
        table = self.query_one("#plan", DataTable)
        refs = [r.case_ref for r in self.rows]
        if case_ref in refs:
            table.move_cursor(row=refs.index(case_ref))

    def action_drop(self) -> None:
        row = self.current_row
        if row is None:
            return
        self.rows = [r for r in self.rows if r.case_ref != row.case_ref]
        self.dropped.append(row.case_ref)
        self.notify(f"{row.case_ref} left out of this plan (R brings it back).", timeout=3)
        self.render_view()

    def action_plan_all(self) -> None:
        from tui.handover_data import plan_summary

        if self.view is None or self.planning:
            return
        ready = [r for r in self.rows if r.to_id]
        if not ready:
            self.notify("Nothing to plan: no row has a receiver.", severity="warning")
            return
        summary = plan_summary(self.rows, self.view.planned)
        question = summary.question(self.practitioner_id, self.app.policy.handover.per_day)

        def answered(yes: bool | None) -> None:
            if yes and not self.planning:
                self.planning = True
                self._plan(ready)

        open_screen(self.app, "confirm", question, yes=f"Plan {summary.count}", no="Not yet", callback=answered)

    @work(thread=True, exclusive=True, group="departures-plan", exit_on_error=False)
    def _plan(self, rows: list[PlanRow]) -> None:
        from tui.handover_data import plan_all

        app = self.app
        try:
            ids = plan_all(app.gateway, rows, as_of=app.as_of, actor=app.actor)
        except Exception as exc:  # noqa: BLE001 - a notice, not a traceback
            self.post_message(self.Planned(None, failure(exc, "Could not plan ({kind}); nothing was planned.")))
        else:
            self.post_message(self.Planned(len(ids)))

    @on(Planned)
    def _planned(self, message: Planned) -> None:
        self.plans += 1
        self.planning = False
        if message.error:
            self.notify(message.error + " Nothing was planned.", title="Not planned", severity="error", timeout=10)
            return
        left = [r.case_ref for r in self.rows if not r.to_id]
        more = f"; {', '.join(left)} still need{'s' if len(left) == 1 else ''} a receiver" if left else ""
        self.notify(f"Planned {plural(message.count, 'handover')} with checklists{more}.",
                    timeout=6)
        self.load()

    def action_reload(self) -> None:
        self.load()

    def action_back(self) -> None:
        self.app.pop_screen()


def open_departures(app, practitioner_id: str) -> None:
    """Push the departures planning list (team leads only)."""
    app.push_screen(DeparturesScreen(practitioner_id))

