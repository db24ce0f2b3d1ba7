"""Opening a supervision session: `S` or the command palette (tui/screens/supervision/__init__.py)."""

from __future__ import annotations

from planner.words import plural
from tui import supervision_data as data
from tui.data import initials
from tui.screens.loading import read_then
from tui.screens.registry import is_showing, open_screen
from tui.text import plain


def open_supervision(app, practitioner_id: str | None = None) -> None:
    """`S` or the command palette: check the signed-in practitioner leads a
    team (else a notice), then open the session for `practitioner_id`, or
    let the lead choose whom (the highlighted case's practitioner first)."""
    screen = app.screen
    if screen.is_modal:
        return
    if is_showing(screen, "supervision"):
        if practitioner_id in (None, screen.practitioner_id):
            return
        app.notify("Finish this session first (esc goes back).", severity="warning", timeout=4)
        return
    if any(is_showing(s, "supervision") for s in app.screen_stack):
        app.notify("A supervision session is open underneath: esc goes back to it.", severity="warning",
                   timeout=4)
        return
    lead_id = app.practitioner_id
    preferred = practitioner_id or _shown_practitioner(app, lead_id)

    read_then(app, lambda: data.candidates(app.gateway, lead_id),
              lambda who: _chosen_or_pick(app, who, practitioner_id, preferred),
              title="Supervision", group="supervision-open")


def _shown_practitioner(app, lead_id: str | None) -> str | None:
    """The practitioner whose case is highlighted or open, if any."""
    screen = app.screen
    view = getattr(screen, "view", None)
    case = getattr(view, "case", None)
    if case is not None:
        return case.practitioner_id
    try:
        from tui.widgets.case_table import CaseTable

        ref = screen.query_one(CaseTable).selected_ref
    except Exception:  # noqa: BLE001 - no table on this screen
        return None
    rows = getattr(view, "rows", ()) or ()
    for row in rows:
        if row.case_ref == ref:
            return row.practitioner_id
    return None


def _chosen_or_pick(app, who: data.Candidates, asked: str | None, preferred: str | None) -> None:
    lead = who.lead
    if asked is not None:
        if asked == lead.practitioner_id:
            app.notify(f"{asked} cannot lead their own supervision; ask another team lead.",
                       title="Supervision", severity="warning", timeout=6)
            return
        open_screen(app, "supervision", asked, lead.practitioner_id)
        return
    if not who.team:
        app.notify(f"Nobody in team {lead.team_id} to supervise.", title="Supervision", severity="warning")
        return
    def named(p) -> str:
        return f"{p.practitioner_id} · {initials(p.name) if app.privacy else plain(p.name)}"

    def label(p) -> str:
        n = who.open_cases.get(p.practitioner_id, 0)
        extra = " · session open" if p.practitioner_id in who.open_sessions else ""
        return f"{named(p)} · {plural(n, 'case')}{extra}"

    names = {p.practitioner_id: named(p) for p in who.team}

    def chosen(pid: str | None) -> None:
        if not pid:
            return

        def answered(yes: bool | None) -> None:
            if yes:
                open_screen(app, "supervision", pid, lead.practitioner_id)

        # Enter in the list only chooses: the session starts (or is picked up) after a yes.
        again = pid in who.open_sessions
        open_screen(app, "confirm", f"{'Pick up the open' if again else 'Start a'} supervision session?",
                    f"With {names[pid]}, led by {lead.practitioner_id}.", yes="Pick up" if again else "Start",
                    no="Not now", callback=answered)

    open_screen(
        app, "picker",
        "Supervision: whose caseload?",
        [(label(p), p.practitioner_id) for p in who.team],
        note=f"Led by {lead.practitioner_id}. An open session is picked up again.",
        highlight=preferred if any(p.practitioner_id == preferred for p in who.team) else None,
        callback=chosen,
    )
