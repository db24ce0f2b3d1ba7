"""Where to write a supervision session's record (`e`)."""

from __future__ import annotations

from pathlib import Path

from textual.widgets import Input

from tui.screens.forms.base import Field, FormScreen


class RecordPathForm(FormScreen):
    """Where to write the Markdown record (the folder is made, private, if missing)."""

    def __init__(self, save, *, default: Path, privacy: bool) -> None:
        super().__init__(save)
        self.default = default
        self.title_text = "Export the supervision record (Markdown)" + (" · initials only" if privacy else "")

    def fields(self):
        yield Field("File", Input(str(self.default), id="path", compact=True), name="path",
                    hint="Holds names and notes: keep it somewhere private. Written readable by you only.")

    def collect(self) -> Path | None:
        path = self.file_path("path", ".md")
        if path is None:
            return None
        if path.parent.exists() and not path.parent.is_dir():
            self.error("path", f"{path.parent} is not a folder.")
            return None
        return path
