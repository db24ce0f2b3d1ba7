"""A screen that lays itself out another way on a narrow terminal.

Mixed into a `Screen` before it (`class SupervisionScreen(NarrowLayout, ...,
Screen)`): below `NARROW_BELOW` columns the screen carries the CSS class
`-narrow` (its .tcss says what changes), and `narrow_changed()` is called
each time it flips, for what a style sheet cannot redraw. One home for the
supervision and week screens' width handling (tui/screens/supervision/,
tui/screens/week.py).
"""

from __future__ import annotations


class NarrowLayout:
    NARROW_BELOW = 100  # columns

    def on_mount(self) -> None:
        self.apply_width(self.size.width or self.app.size.width)

    def on_resize(self, event) -> None:
        self.apply_width(event.size.width)

    def apply_width(self, width: int) -> None:
        narrow = width < self.NARROW_BELOW
        if narrow != self.has_class("-narrow"):
            self.set_class(narrow, "-narrow")
            self.narrow_changed()

    def narrow_changed(self) -> None:
        """Redraw what the `-narrow` class alone does not change."""
