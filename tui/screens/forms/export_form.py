"""Export the week plan as an .ics calendar file."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from textual.widgets import Input

from planner.words import ICS_PRIVACY
from tui.screens.forms.base import Field, FormScreen


@dataclass(frozen=True)
class ExportInput:
    path: Path
    replace: bool  # the file exists and the user saved again to replace it


class ExportForm(FormScreen):
    title_text = "Export the week to a calendar file (.ics)"

    def __init__(self, save, *, default: Path) -> None:
        super().__init__(save)
        self.default = default
        self._warned_for: Path | None = None

    def fields(self):
        yield Field("File", Input(str(self.default), id="path", compact=True), name="path",
                    hint=f"It holds {ICS_PRIVACY}: still keep it somewhere private.")

    def collect(self) -> ExportInput | None:
        path = self.file_path("path", ".ics")
        if path is None:
            return None
        if not path.parent.exists():
            self.error("path", f"The folder {path.parent} does not exist.")
            return None
        if path.is_symlink():
            self.error("path", f"{path} is a symbolic link; give another file name.")
            return None
        if path.exists() and self._warned_for != path:
            self._warned_for = path
            self.error("path", f"⚠ {path} already exists. Save again to replace it.")
            return None
        return ExportInput(path, replace=path.exists())
