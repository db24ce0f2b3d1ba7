"""What the supervision screen shows, drawn from its state (data down):
the position and prompt strips, the case, its note, pins and actions, and
the overview before the first case."""

from __future__ import annotations

from rich.console import Group
from rich.text import Text
from textual.containers import VerticalScroll
from textual.widgets import TextArea

from planner.relationship import churn_words
from tui.data import relationship_label
from tui.screens.forms.base import nice
from tui.text import plain
from tui.widgets import severity
from tui.widgets.case_detail import allocations_table, warnings_block
from tui.widgets.plain import Static
from tui.widgets.timeline import ContactTimeline
from tui.widgets.voice import VoicePanel


class Rendering:
    """Mix into the supervision screen, before `Screen`."""

    def _show_current(self) -> None:
        """Put the current case (or the overview) on screen, note text included."""
        item = self.current
        self.set_class(item is None, "-overview")
        self._stop_writing()
        area = self.query_one("#note", TextArea)
        ref = item.case_ref if item is not None else None
        self._note_ref = ref
        with area.prevent(TextArea.Changed):
            area.load_text(self.drafts.get(ref, self.saved_text(ref)) if ref else "")
        self.query_one("#case", VerticalScroll).scroll_home(animate=False)
        self.render_all()

    def render_all(self) -> None:
        view = self.view
        if view is None:
            return
        self._render_titles()
        self._render_position()
        self._render_prompt()
        item = self.current
        if item is None:
            self.query_one("#overview", Static).update(self._overview())
        else:
            self.query_one("#who", Static).update(self._who(item))
            self.query_one("#warnings", Static).update(self._warnings(item))
            self.query_one(VoicePanel).show(item.case, view.as_of, self.app.privacy, self.person)
            self.query_one("#continuity", Static).update(self._continuity(item))
            self.query_one(ContactTimeline).show(item.case.contacts, view.booked.get(item.case_ref, ()),
                                                 view.as_of)
            self.query_one("#handover", Static).update(self._handover(item))
            self._render_note_title()
            self._render_pins()
            self._render_case_actions()

    def _render_titles(self) -> None:
        view = self.view
        p = view.practitioner
        state = " · ENDED" if self.ended else ""
        # Progress first: it is what the header must show at 80 columns.
        self.sub_title = (f"{self.progress().text}{state} · {p.practitioner_id} {self.shown(p.name)} · "
                          f"lead {view.lead.practitioner_id}" + (" · PRIVACY" if self.app.privacy else ""))

    def _render_position(self) -> None:
        item = self.current
        text = Text()
        if item is None:
            text.append(f"Session {self.view.session_id} · overview · ", style="bold")
            text.append(self.progress().text)
        else:
            ref = item.case_ref
            text.append(f"Case {self.index + 1}/{len(self.queue)} · ", style="bold")
            text.append(f"{ref} {self.shown(item.display_name)}", style="bold")
            if item.top_severity:
                text.append(" · ")
                text.append(severity.label(item.top_severity), style=severity.style_for(self.app, item.top_severity))
            else:
                text.append(" · no warnings")
            if item.reason:
                text.append(f" · {item.reason}")
            text.append(" · ✓ reviewed" if self.is_reviewed(ref) else " · ☐ not reviewed")
            if self.is_flagged(ref):
                text.append(" · ⚑ flagged", style="bold")
        self.query_one("#position", Static).update(text)

    def _render_prompt(self) -> None:
        prompts = self.prompts()
        prompt = self.current_prompt()
        if prompt is None:
            self.query_one("#prompt", Static).update(Text("No reflective prompts loaded.", style="dim"))
            return
        n = self.prompt_index % len(prompts) + 1
        text = Text()
        text.append(f"Prompt {n}/{len(prompts)} ", style="bold")
        if not self.has_class("-narrow"):
            text.append(f"{prompt.group_title} · ", style="italic")
        text.append(f"{prompt.title}: ", style="bold italic")
        text.append(prompt.text)
        self.query_one("#prompt", Static).update(text)

    def _render_note_title(self) -> None:
        ref = self._note_ref
        if ref is None:
            return
        text = Text()
        text.append(f"Note on {ref}", style="bold")
        if self.ended:
            text.append(" · session ended, read only", style="dim")
        elif ref in self.drafts:
            text.append(" · ● not saved yet", style=severity.style_for(self.app, "medium"))
        elif ref in self.notes and self.notes[ref].written:
            text.append(" · saved", style="dim")
        if not self.ended:
            focused = self.focused is self.query_one("#note", TextArea)
            text.append("  esc done · ctrl+s save" if focused else "  enter to write", style="dim")
        self.query_one("#note-title", Static).update(text)

    def _render_pins(self) -> None:
        ref = self._note_ref
        pins = self.notes[ref].pinned if ref in self.notes else ()
        if not pins:
            self.query_one("#pinned", Static).update(Text("No prompt pinned (i pins the one shown).", style="dim"))
            return
        lines = [Text(f"Pinned ({len(pins)})", style="bold")]
        lines += [Text(f"• {p}") for p in pins]
        self.query_one("#pinned", Static).update(Group(*lines))

    def _render_case_actions(self) -> None:
        ref = self._note_ref
        mine = [a for a in self.actions if a.case_ref == ref]
        if not mine:
            self.query_one("#case-actions", Static).update(Text("No actions agreed on this case (A adds one).",
                                                                 style="dim"))
            return
        lines = [Text(f"Actions agreed ({len(mine)})", style="bold")]
        lines += [Text(self._action_line(a, with_case=False)) for a in mine]
        self.query_one("#case-actions", Static).update(Group(*lines))

    def _action_line(self, a, *, with_case: bool = True) -> str:
        box = "☑" if a.done else "☐"
        owner = a.owner.id + (f" {self.shown(a.owner.name)}" if a.owner.name else "")
        case = f" · {a.case_ref}" if with_case and a.case_ref else ""
        late = " · OVERDUE" if not a.done and a.due < self.view.as_of else ""
        done = f" · done {a.done_on:%d %b}" if a.done and a.done_on else ""
        return f"{box} {plain(a.text)} — {owner}, due {a.due:%a %d %b}{case}{late}{done}"

    def _overview(self):
        view = self.view
        p, lead = view.practitioner, view.lead
        parts: list = []
        head = Text()
        head.append(f"Supervision of {p.practitioner_id} {self.shown(p.name)}", style="bold")
        session_lead = view.session_lead_id or lead.practitioner_id
        head.append(f"\nLed by {self.person(session_lead)} · {nice(view.session_date)} · session {view.session_id}"
                    + (" (picked up again)" if view.resumed else " (new)"))
        if self.ended:
            head.append("\nThis session has ended: notes and marks are fixed. e exports the record.", style="bold")
        parts.append(head)
        bands: dict[str, int] = {}
        for item in self.queue:
            bands[item.band] = bands.get(item.band, 0) + 1
        order = [("flagged", "flagged for discussion"), ("cold_handover", "cold handover"),
                 ("new", "new relationship"), ("risk", "by risk")]
        mix = ", ".join(f"{bands[b]} {label}" for b, label in order if bands.get(b))
        prog = self.progress()
        parts.append(Text(f"\nThe queue: {len(self.queue)} cases" + (f" ({mix})" if mix else "")
                          + f"; {prog.high_risk_total} with a HIGH warning.\n{prog.text}."))
        parts.append(Text(f"\nActions carried forward from earlier sessions ({len(view.carried)})",
                          style="bold"))
        if view.carried:
            for a in view.carried:
                parts.append(Text(self._action_line(a)))
        else:
            parts.append(Text("None open.", style="dim"))
        parts.append(Text(f"\nActions agreed in this session ({len(self.actions)})", style="bold"))
        if self.actions:
            for a in self.actions:
                parts.append(Text(self._action_line(a)))
        else:
            parts.append(Text("None yet (A on a case agrees one).", style="dim"))
        parts.append(Text("\nn: first case · u: next not reviewed · L: earlier sessions · A: general action · "
                          "?: every key", style="dim"))
        return Group(*parts)

    def _who(self, item) -> Text:
        case = item.case
        text = Text()
        text.append(f"{case.case_ref} · {self.shown(case.display_name)}", style="bold")
        if case.youth:
            text.append(" · youth")
        level = case.contact_level + (f" (tier {case.tier})" if case.tier else "")
        text.append(f"\nContact level {level} · status {case.status}")
        alloc = case.current_allocation
        if alloc is not None:
            text.append(f"\nWith {self.person(alloc.practitioner_id)} since {alloc.start_date:%d %b %Y} "
                        f"({relationship_label(item.relationship_days, self.app.policy)})")
        if item.reason:
            text.append(f"\nEarly in the queue: {item.reason}", style="italic")
        return text

    def _warnings(self, item):
        return warnings_block(self.app, item.warnings)

    def _continuity(self, item):
        case = item.case
        if not case.allocations:
            return Text("No allocations recorded.")
        parts: list = [allocations_table(case.allocations, self.view.as_of, self.person)]
        churn = churn_words(self.view.churn.get(case.case_ref, 0), self.app.policy)
        if churn is not None:
            text, level = churn
            mark = "⚠ " if level == "medium" else ""
            parts.append(Text(f"{mark}{text}", style=severity.style_for(self.app, level)))
        return Group(*parts)

    def _handover(self, item):
        case = item.case
        h = case.open_handover
        if h is None:
            done = [x for x in case.handovers if x.is_completed]
            if done and done[-1].status == "completed_cold":
                last = done[-1]
                when = f" on {last.completed_on:%d %b %Y}" if last.completed_on else ""
                after = " Reviewed." if last.reviewed else " Not yet reviewed: V reviews it."
                return Text(f"⚠ Last handover was cold{when}: from {self.person(last.from_practitioner_id)} "
                            f"to {self.person(last.to_practitioner_id)}.{after}")
            return Text("No handover open.", style="dim")
        required = [i for i in h.items if i.required]
        done = sum(1 for i in required if i.done)
        lines = [Text(f"→ To {self.person(h.to_practitioner_id)} on {h.planned_on:%a %d %b %Y}: "
                      f"{done} of {len(required)} required items done" + (f" · {h.reason}" if h.reason else ""))]
        left = [i for i in required if not i.done]
        for i in left[:6]:
            late = " · OVERDUE" if i.due < self.view.as_of else ""
            lines.append(Text(f"  ☐ {i.title} (due {i.due:%d %b}, {i.owner}){late}"))
        if len(left) > 6:
            lines.append(Text(f"  … and {len(left) - 6} more", style="dim"))
        return Group(*lines)
