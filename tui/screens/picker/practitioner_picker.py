"""Who you are: on first run, or switching with P."""

from __future__ import annotations

from tui.screens.picker.screen import PickerScreen


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
