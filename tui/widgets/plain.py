"""`Static` and `Label` that show a str as it is (tui/text.py): never read
as markup, control characters taken out. The app writes no markup of its
own (styling is Rich `Text` and Textual `Content`), so every screen uses
these rather than Textual's, whose str goes through the markup parser: a
name such as `Jo [DOB=01/02/2003]` stopped the app there."""

from __future__ import annotations

from textual import widgets

from tui.text import plain


def _shown(content):
    return plain(content) if isinstance(content, str) else content


class Static(widgets.Static):
    def __init__(self, content="", *, markup: bool = False, **kwargs) -> None:
        super().__init__(_shown(content), markup=markup, **kwargs)

    def update(self, content="", *, layout: bool = True) -> None:
        super().update(_shown(content), layout=layout)


class Label(widgets.Label):
    def __init__(self, content="", *, markup: bool = False, **kwargs) -> None:
        super().__init__(_shown(content), markup=markup, **kwargs)

    def update(self, content="", *, layout: bool = True) -> None:
        super().update(_shown(content), layout=layout)


__all__ = ["Label", "Static"]
