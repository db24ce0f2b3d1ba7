"""A warning rule to filter the caseload by."""

from __future__ import annotations

from planner.words import plural
from tui.screens.picker.screen import PickerScreen


class RulePicker(PickerScreen):
    """Filter the caseload to cases with one warning rule (counts shown)."""

    ALL = "__all__"

    def __init__(self, counts: dict[str, int], current: str | None = None) -> None:
        options = [("All cases (no rule filter)", self.ALL)]
        options += [(f"{rule}  ({plural(n, 'case')})", rule)
                    for rule, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))]
        note = "" if counts else "No warnings on this caseload."
        super().__init__("Show only cases with the warning", options, note=note, highlight=current or self.ALL)
