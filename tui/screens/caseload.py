"""Home: the practitioner's caseload, worst relationship risk first."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from textual import events, on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen

from tui.data import CaseloadView, CaseRow
from tui.screens.loading import ViewLoader
from tui.widgets.case_table import CaseTable, case_table
from tui.widgets.chrome import FilterLine, KeyBar, TitleBar
from tui.widgets.plain import Static
from tui.widgets.summary import SummaryStrip


# (label, key function, the column it orders, its direction in the header)
# in the order `s` cycles through them.
SORTS: tuple[tuple[str, object, str, str], ...] = (
    ("risk", lambda r: (-r.score, r.case_ref), "warnings", "↓"),  # worst first
    ("ref", lambda r: r.case_ref, "ref", "↑"),
    ("name", lambda r: (r.display_name.lower(), r.case_ref), "name", "↑"),
    ("last seen", lambda r: (r.last_seen or date.min, r.case_ref), "last_seen", "↑"),  # longest unseen first
    ("next appt", lambda r: (r.next_appointment or date.min, r.case_ref), "next", "↑"),  # none booked first
    ("relationship", lambda r: (r.relationship_days if r.relationship_days is not None else -1, r.case_ref),
     "relationship", "↑"),  # newest first
)


class CaseloadScreen(ViewLoader, Screen):
    """The practitioner's cases in a table ordered by risk score."""

    CSS_PATH = Path(__file__).with_suffix(".tcss")
    LOAD_GROUP = "caseload-load"
    LOAD_WHAT = "the database"
    help_title = "caseload screen"
    AUTO_FOCUS = "#cases"

    BINDINGS = [
        Binding("enter", "open_case", "Open case", id="caseload.open", show=False),
        # priority: runs before the next keys are routed, so fast typing after / lands in the box
        Binding("slash", "filter", "Filter", id="caseload.filter", key_display="/", priority=True),
        Binding("f", "rule_filter", "By rule", id="caseload.rule"),
        Binding("s", "sort", "Sort", id="caseload.sort"),
        Binding("w", "week", "Week", id="caseload.week"),
        Binding("escape", "clear_filter", "Clear filter", id="caseload.clear", show=False),
        Binding("R", "reload", "Reload", id="caseload.reload", show=False),
        Binding("P", "choose_practitioner", "Switch practitioner (a file's owner, not signed in)",
                id="caseload.practitioner", show=False),
        Binding("T", "team", "Team workload (team lead)", id="caseload.team", key_display="T", show=False),
    ]

    def __init__(self, practitioner_id: str | None = None) -> None:
        super().__init__()
        # Set when a team lead drills in from the team screen: this screen shows
        # that practitioner's caseload while the lead stays the signed-in user.
        self.practitioner_id = practitioner_id
        self.loads = 0  # handled load results (tests wait on this)
        self.view: CaseloadView | None = None
        self.filter_text = ""
        self.filtering = False  # the filter line is open: typed keys go to the filter
        self.rule: str | None = None
        self.sort_index = 0
        self._painted = False
        self._first_read = None  # the app's first read (CaseloadApp.take_first_read), until taken

    def compose(self) -> ComposeResult:
        yield TitleBar()
        yield SummaryStrip("Loading the caseload…", id="summary")
        table = case_table(id="cases")
        table.sorted_by = SORTS[self.sort_index][2:]  # marked in the titles from the start
        yield table
        yield Static("", id="empty", classes="empty-state")
        yield KeyBar()
        yield FilterLine()

    def on_mount(self) -> None:
        self.watch(self.app, "privacy", self._privacy_changed, init=False)
        self.watch(self.app, "theme", self._restyle, init=False)
        if self.practitioner_id is None:
            self.watch(self.app, "practitioner_id", self._practitioner_changed, init=False)
        self._set_titles()
        app = self.app
        self._first_read = app.take_first_read(self.practitioner_id or app.practitioner_id, app.as_of)
        if self._first_read is not None and self._first_read.ready():
            # Read while Textual set the screen up: the rows go into the first frame.
            first, self._first_read = self._first_read, None
            self._read_and_post(first.result)
        else:
            self.load()

    def on_screen_resume(self) -> None:
        # Back from a case or the week: edits there may have changed warnings.
        if self.view is not None:
            self.load()

    # ---------------------------------------------------------------- loading (worker → message → handler)

    def read_view(self):
        first, self._first_read = self._first_read, None
        if first is not None:  # the app's first read, still running when this screen mounted
            return first.result()
        app = self.app
        # Read as the signed-in practitioner (the gateway's actor), also when
        # a lead looks at someone else's caseload.
        return app.gateway.caseload(self.practitioner_id or app.practitioner_id, app.as_of)

    @work(thread=True, exclusive=True, group="caseload-ticks", exit_on_error=False)
    def sync_ticks(self, practitioner_id: str) -> None:
        """Write the checklist ticks the records give for the team's handovers
        (one write transaction), after the rows are painted: the caseload read
        already applied them in memory, so what is shown does not change."""
        app = self.app
        app.gateway.sync_handover_ticks(practitioner_id, app.as_of, actor=app.practitioner_id or practitioner_id)
        if self.loads == 1:  # the first caseload is now fully loaded
            app.call_from_thread(app.first_load_done)  # the collector is the main thread's alone

    def view_loaded(self, view: CaseloadView) -> None:
        self.view = view
        table = self.query_one(CaseTable)
        self._set_titles()
        empty = self.query_one("#empty", Static)
        if view.practitioner is None:
            table.display = False
            empty.display = True
            if not view.practitioners:
                empty.update(
                    "No practitioners in this database yet.\n\n"
                    "Add your team with \"caseload import practitioners.csv cases.csv …\",\n"
                    "or try the app on made-up data with \"caseload demo\".\n\n"
                    "q quits."
                )
                self.query_one(SummaryStrip).update("Empty database")
                self.call_after_refresh(self.app.painted_with_rows, 0)
            else:
                empty.update("Choose who you are to see a caseload (P).")
                self.query_one(SummaryStrip).update("No practitioner chosen")
                self.action_choose_practitioner(first_run=True)
            self.loads += 1
            return
        table.display = True
        if self.focused is None:
            table.focus()
        empty.display = bool(not view.rows)
        if not view.rows:
            empty.update(f"{view.practitioner.name} has no open cases.")
        first = not self._painted
        self._painted = True
        screenful = max(self.size.height, 24)
        if first and len(view.rows) > screenful:
            # A long list (a team lead's 600 cases): the DataTable measures
            # every cell it is given before it paints, so paint the first
            # screenful now and put the rest in right after that frame.
            self.refresh_rows(limit=screenful)
            self.call_after_refresh(self._first_screenful_painted, view, screenful)
            return
        self.refresh_rows()
        if first:
            self.call_after_refresh(self.app.painted_with_rows, len(view.rows))
        self._load_done(view)

    def _first_screenful_painted(self, view: CaseloadView, shown: int) -> None:
        self.app.painted_with_rows(shown, total=len(view.rows))
        if self.view is view:  # not replaced by a newer load meanwhile
            self.refresh_rows()
            self.call_after_refresh(self.app.all_rows_shown, len(view.rows))
            self._load_done(view)

    def _load_done(self, view: CaseloadView) -> None:
        self.loads += 1
        # The ticks shown were applied in memory; now write them (after the paint).
        self.call_after_refresh(self.sync_ticks, view.practitioner.practitioner_id)

    def view_failed(self, message: str) -> None:
        super().view_failed(message)
        if not self._painted:
            self.app.startup_failed(message)

    # ---------------------------------------------------------------- rows: data down

    # (view, sort index, the view's rows in that order): sorted once per view and sort
    _sorted: tuple[CaseloadView, int, list[CaseRow]] | None = None

    def visible_rows(self) -> list[CaseRow]:
        if self.view is None:
            return []
        rows = self._sorted_rows()  # filtering a sorted list keeps it sorted (the sort is stable)
        if self.filter_text.strip():
            rows = [r for r in rows if r.matches(self.filter_text)]
        if self.rule:
            rows = [r for r in rows if any(w.rule == self.rule for w in r.warnings)]
        return list(rows)

    def _sorted_rows(self) -> list[CaseRow]:
        kept = self._sorted
        if kept is None or kept[0] is not self.view or kept[1] != self.sort_index:
            key = SORTS[self.sort_index][1]
            kept = self._sorted = (self.view, self.sort_index, sorted(self.view.rows, key=key))
        return kept[2]

    def refresh_rows(self, *, limit: int | None = None) -> None:
        """Show the visible rows (the first `limit` of them, when given) and the counts."""
        if self.view is None or self.view.practitioner is None:
            return
        rows = self.visible_rows()
        self.query_one(CaseTable).show(rows if limit is None else rows[:limit], as_of=self.view.as_of,
                                       privacy=self.app.privacy, show_worker=self.view.team_view,
                                       sorted_by=SORTS[self.sort_index][2:])
        self.query_one(SummaryStrip).show(
            counts=self.view.counts, cases=len(self.view.rows), shown=len(rows),
            capacity_pct=self.view.capacity_pct, filter_text=self.filter_text, rule=self.rule,
            sort=SORTS[self.sort_index][0],
        )

    def _set_titles(self) -> None:
        app = self.app
        view = self.view
        who = "no practitioner"
        if view is not None and view.practitioner is not None:
            p = view.practitioner
            who = f"{p.practitioner_id} · {p.name}" + (" · team view" if view.team_view else "")
        self.title = "caseload"
        self.sub_title = f"{who} · as of {app.as_of:%a %d %b %Y}" + (" · PRIVACY" if app.privacy else "")

    def _privacy_changed(self, _value: bool) -> None:
        self._set_titles()
        self.refresh_rows()

    def _restyle(self, _value: str) -> None:
        self.refresh_rows()

    def _practitioner_changed(self, _value: str | None) -> None:
        self.filter_text = ""
        self.rule = None
        self._hide_filter()
        self.query_one(SummaryStrip).update("Loading the caseload…")
        self.load()

    # ---------------------------------------------------------------- actions

    def action_open_case(self) -> None:
        ref = self.query_one(CaseTable).selected_ref
        if ref:
            self.app.open_case(ref)

    @on(CaseTable.CaseSelected)
    def _case_selected(self, event: CaseTable.CaseSelected) -> None:
        self.app.open_case(event.case_ref)

    # ---------------------------------------------------------------- the `/` filter
    #
    # `/` opens the filter line in the key line's place; the keys typed then
    # go to the filter (on_key) while the table keeps the focus, so ↑ ↓ and
    # the page keys still move in it. Enter closes the line and keeps the
    # filter (the summary strip shows it); esc clears it; `/` opens it again.

    def action_filter(self) -> None:
        if self.filtering:
            return
        self.filtering = True
        line = self.query_one(FilterLine)
        line.show_text(self.filter_text)
        line.display = True
        self.query_one(KeyBar).display = False

    def _close_filter_line(self) -> None:
        if not self.filtering:
            return
        self.filtering = False
        self.query_one(FilterLine).display = False
        self.query_one(KeyBar).display = True

    def _set_filter(self, text: str) -> None:
        if text == self.filter_text:
            return
        self.filter_text = text
        self.query_one(FilterLine).show_text(text)
        self.refresh_rows()

    def on_key(self, event: events.Key) -> None:
        """While the filter line is open: text, backspace, ctrl+u, enter and
        esc are the filter's; every other key goes on to the table and the
        bindings. Stopped here, a letter never reaches a binding (q types q)."""
        if not self.filtering:
            return
        key = event.key
        if key == "escape":
            self.action_clear_filter()
        elif key == "enter":
            self._close_filter_line()
        elif key == "backspace":
            self._set_filter(self.filter_text[:-1])
        elif key == "ctrl+u":
            self._set_filter("")
        elif event.is_printable and event.character:
            self._set_filter(self.filter_text + event.character)
        else:
            return
        event.stop()
        event.prevent_default()

    def on_paste(self, event: events.Paste) -> None:
        if self.filtering:
            event.stop()
            lines = event.text.splitlines()
            if lines:  # a pasted ref or name: its first line
                self._set_filter(self.filter_text + lines[0])

    def _hide_filter(self) -> None:
        """Close the filter line and empty the filter (the caller shows the rows)."""
        self._close_filter_line()
        self.filter_text = ""

    def action_clear_filter(self) -> None:
        if self.filter_text or self.rule or self.filtering:
            self.rule = None
            self._hide_filter()
            self.query_one(CaseTable).focus()
            self.refresh_rows()
        elif self.practitioner_id is not None:  # drilled in from the team screen: esc goes back
            self.app.pop_screen()

    def action_rule_filter(self) -> None:
        from tui.screens.registry import screen_class

        if self.view is None:
            return
        counts: dict[str, int] = {}
        for row in self.view.rows:
            for rule in {w.rule for w in row.warnings}:
                counts[rule] = counts.get(rule, 0) + 1

        def chosen(rule: str | None) -> None:
            if rule is None:
                return
            self.rule = None if rule == picker.ALL else rule
            self.refresh_rows()

        picker = screen_class("rule-picker")
        self.app.push_screen(picker(counts, self.rule), chosen)

    def action_sort(self) -> None:
        self.sort_index = (self.sort_index + 1) % len(SORTS)
        self.refresh_rows()
        self.notify(f"Sorted by {SORTS[self.sort_index][0]}", timeout=2)

    def action_week(self) -> None:
        if self.practitioner_id is not None:
            from tui.screens.registry import open_screen

            open_screen(self.app, "week", self.practitioner_id, self.app.as_of)
            return
        self.app.open_week()

    def action_team(self) -> None:
        from tui.screens.registry import screen_class

        screen_class("team").open_for(self.app)

    def action_reload(self) -> None:
        self.load()

    def action_choose_practitioner(self, first_run: bool = False) -> None:
        from tui.screens.registry import open_screen

        if getattr(self.app, "signed_in", False):  # identity comes from signing in (README, Team server)
            self.notify(self.app.SIGNED_IN_NOTICE.format(who=self.app.practitioner_id), severity="warning",
                        timeout=6)
            return
        if self.view is None or not self.view.practitioners:
            return

        def chosen(pid: str | None) -> None:
            if pid:
                self.app.switch_practitioner(pid)

        open_screen(self.app, "practitioner-picker", self.view.practitioners, current=self.app.practitioner_id,
                    first_run=first_run, callback=chosen)
