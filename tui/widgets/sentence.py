"""A case's sentence, custody and risk (§11): the case screen's part (who
decides what follows: `s` edits, `t` plans the transition at 18 from
`turning_18`'s warning) and the caseload's short risk tag.

The actions open their forms by name (tui/screens/registry.py) and reach
storage through the data layer (tui/sentence_data.py).
"""

from __future__ import annotations

from datetime import date, timedelta

from rich.text import Text
from textual.binding import Binding
from textual.screen import Screen

from planner.model import Case
from planner.rules.turning_18 import ADULT_AGE, TRANSITION_REASON, birthday
from tui.widgets.plain import Static

def sentence_lines(case: Case, as_of: date) -> Text:
    """Sentence, its end, custody and release, RoSH, MAPPA, restricted; and a child's 18th birthday."""
    text = Text()
    if case.sentence:
        text.append(f"Sentence: {case.sentence.replace('_', ' ')}")
        if case.sentence_end:
            text.append(f" · ends {case.sentence_end:%d %b %Y}")
        if case.release_on:
            verb = "release" if case.release_on >= as_of else "released"
            text.append(f" · {verb} {case.release_on:%d %b %Y}")
            if case.in_custody_on(as_of):
                text.append(" (in custody: first contact on the release day, or the next working day)")
    else:
        text.append("Sentence: not recorded")
    text.append("\n")
    risk = []
    if case.rosh:
        risk.append(f"RoSH {case.rosh.replace('_', ' ')}")
    if case.mappa_level:
        risk.append(f"MAPPA level {case.mappa_level}")
    text.append("Risk: " + (" · ".join(risk) or "not recorded"), style="bold" if case.high_risk else None)
    if case.restricted:
        text.append(" · RESTRICTED: seen only by the practitioner, a planned receiver and the team's leads",
                    style="bold")
    if case.youth and case.date_of_birth:
        text.append(f"\nTurns {ADULT_AGE} on {birthday(case.date_of_birth, ADULT_AGE):%d %b %Y}")
    text.append("\n")
    text.append("s: edit sentence and risk", style="dim")
    if case.youth:  # what `t` does (plan_transition below): open the handover planned, else plan one
        text.append(" · t: open the planned handover" if case.open_handover is not None
                    else " · t: plan the transition at 18", style="dim")
    return text


class SentencePanel(Static):
    """The case screen's part: `show(case, as_of)` after each load."""

    DEFAULT_CSS = "SentencePanel { height: auto; }"

    def show(self, case: Case, as_of: date) -> None:
        self.update(sentence_lines(case, as_of))


# ---------------------------------------------------------------- the case screen's actions


class SentenceKeys(Screen):
    """Mixed into the case screen (tui/screens/case.py): its keys `s` and `t`
    (the panel is the part tui/widgets/case_parts/sentence.py)."""

    BINDINGS = [
        Binding("s", "sentence", "Sentence", id="case.sentence", show=False),
        Binding("t", "transition", "Transition", id="case.transition", show=False),
    ]

    def action_sentence(self) -> None:
        if self._ready():
            edit_sentence(self)

    def action_transition(self) -> None:
        if self._ready():
            plan_transition(self)


def edit_sentence(screen) -> None:
    """`s` on the case screen: the sentence form, saved in a worker; the case reloads."""
    from tui import sentence_data
    from tui.screens.registry import open_screen

    app, case = screen.app, screen.view.case

    def opened(values) -> None:
        def save(changes):
            return sentence_data.save_sentence(app.gateway, case_ref=case.case_ref, version=values.version,
                                               values=changes, actor=app.actor)

        open_screen(app, "sentence-form", save, who=screen._who_label(), current=values,
                    callback=screen._saved("Sentence and risk saved."))

    _in_worker(screen, lambda: sentence_data.sentence_values(app.gateway, case.case_ref), opened)


def plan_transition(screen) -> None:
    """`t` on the case screen (a child): plan the handover to adult services
    (another team, or a grade other than YJW) with the handover form."""
    from planner.calendar import working_days
    from tui import sentence_data
    from tui.screens.registry import open_screen

    app, case = screen.app, screen.view.case
    if not case.youth:
        screen.notify("Only a child's case moves to adult services at 18.", severity="warning")
        return
    if case.open_handover is not None:
        screen.open_handover_screen()
        return

    turns = birthday(case.date_of_birth, ADULT_AGE) if case.date_of_birth else None
    days = app.policy.handover.default_days_ahead
    hint = None
    if turns is not None and (turns - app.as_of).days > 28 + days:
        # four weeks before the birthday, or the working day before (planner/calendar.py)
        day = working_days(screen.view.nation).on_or_before(turns - timedelta(days=28))
        days = (day - app.as_of).days
        hint = "Four weeks before the 18th birthday: time to meet the new worker before the move."
    # the form's first date (tui/screens/forms/handover_form.py): nobody away or gone by it is offered
    on = working_days(screen.view.nation).on_or_after(app.as_of + timedelta(days=days))

    def opened(receivers) -> None:
        if not receivers:
            screen.notify("Nobody you can see in another team or grade can take this case; ask the team lead.",
                          severity="warning")
            return

        def save(value):
            return app.gateway.plan_handover(
                case_ref=case.case_ref, to_practitioner_id=value.to_practitioner_id, planned_on=value.planned_on,
                reason=value.reason or TRANSITION_REASON, actor=app.actor, as_of=app.as_of,
                override_reason=value.override_reason)

        def planned(result) -> None:
            if result is not None:
                screen.notify("Transition planned: a warm handover, seen by both teams until it completes.",
                              timeout=5)
                screen.open_handover_screen()

        open_screen(app, "handover-form", save, as_of=app.as_of, who=f"{screen._who_label()} · transition at 18",
                    receivers=list(receivers), lead=screen.view.viewer_leads, days_ahead=days,
                    nation=screen.view.nation, date_hint=hint, callback=planned,
                    reason_hint=f"optional; blank: {TRANSITION_REASON}")

    _in_worker(screen, lambda: sentence_data.transition_receivers(app.gateway, case.case_ref, on), opened)


def _in_worker(screen, read, then) -> None:
    """Read in a thread worker, then act on the main thread (errors as a notice)."""
    from planner.errors import CaseloadError

    def work() -> None:
        try:
            found = read()
        except CaseloadError as exc:
            screen.app.call_from_thread(screen.notify, str(exc), severity="error")
            return
        screen.app.call_from_thread(then, found)

    screen.run_worker(work, thread=True, group="sentence", exclusive=True)
