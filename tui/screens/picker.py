"""Small pickers: who you are (first run, or switching), a rule to filter by,
a case to book for. Each is a `ModalScreen` that dismisses with the choice
(or None on escape)."""

from __future__ import annotations

from pathlib import Path
from typing import Iterable

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from tui.text import content
from tui.widgets.plain import Static


class PickerScreen(ModalScreen[str | None]):
    """A titled list; enter picks, escape cancels."""

    CSS_PATH = Path(__file__).with_suffix(".tcss")

    AUTO_FOCUS = "#choices"
    BINDINGS = [Binding("escape", "cancel", "Cancel", id="picker.cancel")]

    def __init__(self, title: str, options: Iterable[tuple[str, str]], *, note: str = "",
                 highlight: str | None = None, cancellable: bool = True) -> None:
        super().__init__()
        self.title_text = title
        self.options = list(options)
        self.note = note
        self.highlight = highlight
        self.cancellable = cancellable

    def compose(self) -> ComposeResult:
        with Vertical(classes="picker"):
            yield Static(self.title_text, classes="picker--title")
            if self.note:
                yield Static(self.note, classes="picker--note")
            yield OptionList(*[Option(content(label), id=value) for label, value in self.options], id="choices")
            yield Static("↑↓ move · enter choose" + (" · esc cancel" if self.cancellable else ""),
                         classes="picker--keys")

    def on_mount(self) -> None:
        found = self.query("#choices")
        if not found:  # the app is closing (a signal during start-up) and took the list already
            return
        choices = found.first(OptionList)
        if self.highlight is not None:
            try:
                choices.highlighted = choices.get_option_index(self.highlight)
            except Exception:  # not in the list
                choices.highlighted = 0 if self.options else None
        elif self.options:
            choices.highlighted = 0
        choices.focus()

    @on(OptionList.OptionSelected, "#choices")
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.dismiss(event.option.id)

    def action_cancel(self) -> None:
        if self.cancellable:
            self.dismiss(None)


class PractitionerPicker(PickerScreen):
    def __init__(self, practitioners, *, current: str | None = None, first_run: bool = False) -> None:
        options = [
            (f"{p.practitioner_id} · {p.name} · {p.grade}" + (" · team lead" if p.is_lead else ""),
             p.practitioner_id)
            for p in practitioners
        ]
        # Only the owner of a local file who did not sign in (--as) sees this
        # picker: they may act as anyone, and the audit trail names who they chose.
        owner = ("You own this file and did not sign in (--as), so you may act as anyone: "
                 "changes are recorded as the practitioner you choose.")
        note = (f"Who are you? {owner} The app remembers your choice; switch later with P."
                if first_run else owner)
        super().__init__("Choose a practitioner", options, note=note, highlight=current,
                         cancellable=not first_run)


class RulePicker(PickerScreen):
    """Filter the caseload to cases with one warning rule (counts shown)."""

    ALL = "__all__"

    def __init__(self, counts: dict[str, int], current: str | None = None) -> None:
        options = [("All cases (no rule filter)", self.ALL)]
        options += [(f"{rule}  ({n} case{'s' if n != 1 else ''})", rule)
                    for rule, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))]
        note = "" if counts else "No warnings on this caseload."
        super().__init__("Show only cases with the warning", options, note=note, highlight=current or self.ALL)


class CasePicker(PickerScreen):
    def __init__(self, cases: Iterable[tuple[str, str]], title: str = "Book for which case?") -> None:
        super().__init__(title, [(f"{ref} · {name}", ref) for ref, name in cases])
