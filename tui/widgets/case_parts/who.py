"""Who the person is, on top of the case screen and never scrolled away:
the ref and name, level and status, flags, who holds the case since when,
and at a glance what the caseload's row shows (last seen, next booked,
the handover)."""

from __future__ import annotations

from rich.text import Text

from tui.data import CaseView, handover_label, last_seen
from tui.widgets.case_parts.part import CasePart, name_of, person
from tui.widgets.chrome import phrase_lines
from tui.widgets.plain import Static


class CaseWho(CasePart, Static):
    ID = "who"

    DEFAULT_CSS = """
    CaseWho {
        height: auto;
        padding: 0 2;
        border-bottom: solid $primary 30%;
    }
    """

    def render_view(self, view: CaseView) -> Text:
        app, case = self.app, view.case
        text = Text()
        text.append(f"{case.case_ref} · {name_of(app, case.display_name)}", style="bold")
        if case.youth:
            text.append(" · youth")
        level = case.contact_level + (f" (tier {case.tier})" if case.tier else "")
        status = case.status
        if case.status == "paused" and case.paused_until:
            status += f" until {case.paused_until:%d %b %Y}"
        flags = ", ".join(sorted(f.replace("_", " ") for f in case.flags)) or "none"
        alloc = case.current_allocation
        held = (f"With {person(app, view, alloc.practitioner_id)} since {alloc.start_date:%d %b %Y} · "
                f"{view.relationship}" if alloc is not None else "Not allocated to anyone.")
        # a new line between phrases (never inside one) where the line is too long
        width = self.content_region.width or self.app.size.width - 4
        for line in (f"Contact level {level} · status {status} · flags: {flags}", held, glance(view)):
            text.append("\n" + "\n".join(phrase_lines(line, width, " · ")))
        return text

    def on_resize(self) -> None:
        view = getattr(self.screen, "view", None)
        if isinstance(view, CaseView) and self.content_region.width != self._shown_width:
            self.show_view(view)

    _shown_width = 0

    def show_view(self, view: CaseView) -> None:
        self._shown_width = self.content_region.width
        super().show_view(view)


def glance(view: CaseView) -> str:
    """`Seen 26 Nov (11 days ago) · next Wed 09 Dec 10:00 · handover →N1-05 10 Dec 5/9`:
    what the caseload's row says of the case."""
    as_of = view.as_of
    seen = last_seen(view.case, as_of)
    if seen is None:
        parts = ["Never seen"]
    else:
        days = (as_of - seen).days
        parts = ["Seen today" if days == 0 else f"Seen {seen:%d %b} ({days} days ago)"]
    if view.upcoming:
        first = view.upcoming[0]
        at = f" {first.appointment.time:%H:%M}" if first.appointment.time else ""
        parts.append(f"next {first.day:%a %d %b}{at}")
    else:
        parts.append("nothing booked")
    handover = handover_label(view.case)
    if handover:
        parts.append(f"handover {handover}")
    return " · ".join(parts)
