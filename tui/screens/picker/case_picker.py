"""A case to book for (the week plan)."""

from __future__ import annotations

from typing import Iterable


from tui.screens.picker.screen import PickerScreen


class CasePicker(PickerScreen):
    def __init__(self, cases: Iterable[tuple[str, str]], title: str = "Book for which case?") -> None:
        super().__init__(title, [(f"{ref} · {name}", ref) for ref, name in cases])
