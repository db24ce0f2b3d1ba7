"""Every screen's title line and key line, one widget each.

Textual's Header is four widgets and its Footer one widget per key, each
styled on its own (the Footer restyles every key again when it binds their
`compact` flag): on the caseload screen the two cost about 35 ms of the
start-up, a third of what the app added to a bare Textual app. `TitleBar`
and `KeyBar` show the same things as one Static each: the screen's title
and sub-title; the keys that matter (`Binding.show`) with their
descriptions, and the command palette's key on the right. A key in the key
line can be clicked, as a Footer's can.
"""

from __future__ import annotations

from rich.style import Style
from rich.text import Text
from textual.widgets import Static

from tui.text import plain


class TitleBar(Static):
    """The top line: the screen's title and sub-title (else the app's)."""

    DEFAULT_CSS = """
    TitleBar {
        dock: top;
        width: 100%;
        height: auto;
        max-height: 3;
        padding: 0 1;
        background: $panel;
        color: $foreground;
        content-align: center middle;
        text-align: center;
        text-wrap: nowrap;
        text-overflow: ellipsis;
    }
    """

    def on_mount(self) -> None:
        for node in (self.app, self.screen):
            self.watch(node, "title", self._retitle, init=False)
            self.watch(node, "sub_title", self._retitle, init=False)
        self._retitle()

    def _retitle(self, _value: object = None) -> None:
        screen = self.screen
        title = screen.title if screen.title is not None else self.app.title
        sub_title = screen.sub_title if screen.sub_title is not None else self.app.sub_title
        # Content, not markup (App.format_title); names in a sub-title lose control characters
        shown = self.app.format_title(plain(title or ""), plain(sub_title or ""))
        width = self.content_region.width
        if width and shown.cell_length > width:
            # Too narrow for one line: a new line between phrases (` · `), never inside one.
            shown = "\n".join(phrase_lines(shown.plain, width, " · "))
        self._shown_width = self.size.width
        lines = shown.count("\n") + 1 if isinstance(shown, str) else 1
        self.update(shown, layout=lines != self._lines)  # a new layout only for a new height
        self._lines = lines

    _lines = 1

    def on_resize(self) -> None:
        if self.size.width != getattr(self, "_shown_width", None):
            self._retitle()


def phrase_lines(text: str, width: int, separator: str) -> list[str]:
    """`text` in lines of at most `width` cells where it can, broken only
    where `separator` stands (which then ends the line, trimmed)."""
    lines: list[str] = []
    for phrase in text.split(separator):
        if lines and len(lines[-1]) + len(separator) + len(phrase) <= width:
            lines[-1] += separator + phrase
        else:
            lines.append(phrase)
    return lines


class KeyBar(Static):
    """The bottom line: the keys that matter on this screen, as Footer shows them."""

    COMPONENT_CLASSES = {"keybar--key", "keybar--description"}

    DEFAULT_CSS = """
    KeyBar {
        dock: bottom;
        width: 100%;
        height: 1;
        color: $footer-foreground;
        background: $footer-background;
        text-wrap: nowrap;
        text-overflow: ellipsis;
        & > .keybar--key {
            color: $footer-key-foreground;
            background: $footer-key-background;
            text-style: bold;
        }
        & > .keybar--description {
            color: $footer-description-foreground;
            background: $footer-description-background;
        }
    }
    """

    def __init__(self, *, compact: bool = False, show_command_palette: bool = True,
                 id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self.compact = compact
        self.show_command_palette = show_command_palette
        # (key, key as shown, description, enabled) in the order they are shown
        self.keys: list[tuple[str, str, str, bool]] = []
        self._shown_width = 0

    def on_mount(self) -> None:
        self.screen.bindings_updated_signal.subscribe(self, self._bindings_changed)
        self.app.screen_change_signal.subscribe(self, self._screen_changed)
        self.watch(self.app, "theme", self._restyle, init=False)

    def on_unmount(self) -> None:
        self.screen.bindings_updated_signal.unsubscribe(self)
        self.app.screen_change_signal.unsubscribe(self)

    def _screen_changed(self, top) -> None:
        """Only the top screen's keys show: behind a picker, a dialog or a
        form (which say their own keys) this line is blank, not keys that
        do not work there."""
        self.visible = top is self.screen

    def _bindings_changed(self, screen) -> None:
        if not screen.app.app_focus:  # as Footer: no flicker while the terminal has lost focus
            return
        if self.is_attached and screen is self.screen:
            self._rekey(screen)

    def _restyle(self, _theme: str) -> None:
        self._show()

    def _rekey(self, screen) -> None:
        """The keys to show, one per action, as Footer picks them."""
        app = self.app
        active = screen.active_bindings
        keys: list[tuple[str, str, str, bool]] = []
        actions: set[str] = set()
        for _node, binding, enabled, _tooltip in active.values():
            if not binding.show or binding.action in actions:
                continue
            actions.add(binding.action)
            keys.append((binding.key, app.get_key_display(binding), binding.description, enabled))
        self._palette = None
        if self.show_command_palette and app.ENABLE_COMMAND_PALETTE:
            found = active.get(app.COMMAND_PALETTE_BINDING)
            if found is not None:
                _node, binding, enabled, _tooltip = found
                self._palette = (binding.key, app.get_key_display(binding), binding.description, enabled)
        if keys != self.keys or self._palette != getattr(self, "_shown_palette", None):
            self.keys = keys
            self._shown_palette = self._palette
            self._show()

    # Keys the line always shows, however narrow: how to leave and how to find the rest.
    ALWAYS = frozenset({"q", "question_mark"})

    def _show(self) -> None:
        key_style = self.get_component_rich_style("keybar--key", partial=True)
        description_style = self.get_component_rich_style("keybar--description", partial=True)
        key_pad, gap = ("", " ") if self.compact else (" ", "")
        sep = " " if self.compact else ""
        parts = [(key in self.ALWAYS,
                  self._key_text(key, shown, description, enabled, key_style, description_style, key_pad, gap))
                 for key, shown, description, enabled in self.keys]
        palette = getattr(self, "_palette", None)
        self._shown_width = self.size.width
        tail = None
        room = self.size.width or 10 ** 6
        if palette is not None and self.size.width:
            tail = self._key_text(*palette, key_style, description_style, key_pad, gap)
            room = self.size.width - tail.cell_len - 1
        text = Text(no_wrap=True, overflow="ellipsis", end="")
        for part in self._fitting(parts, room, len(sep)):
            text.append_text(part)
            text.append(sep)
        if tail is not None:
            # The palette's key stays on the right; the others give way to it.
            if text.cell_len > room:
                text.truncate(max(room, 0), overflow="ellipsis")
            text.append(" " * (self.size.width - text.cell_len - tail.cell_len))
            text.append_text(tail)
        self.update(text, layout=False)  # one line, always

    @staticmethod
    def _fitting(parts: list[tuple[bool, Text]], room: int, sep: int) -> list[Text]:
        """The keys that fit in `room` cells, whole (never `p Privac…`): in
        order, leaving room for those that are always shown."""
        kept_room = sum(part.cell_len + sep for always, part in parts if always)
        shown, used = [], 0
        for always, part in parts:
            width = part.cell_len + sep
            if always:
                shown.append(part)
                used += width
                kept_room -= width
            elif used + width + kept_room <= room:
                shown.append(part)
                used += width
        return shown

    @staticmethod
    def _key_text(key: str, shown: str, description: str, enabled: bool, key_style: Style,
                  description_style: Style, key_pad: str, gap: str) -> Text:
        click = Style(meta={"@click": f"app.simulate_key({key!r})"})
        dim = Style(dim=True) if not enabled else Style()
        text = Text(f"{key_pad}{shown}{key_pad}", style=key_style + click + dim)
        if description:
            text.append(f"{gap}{description} ", style=description_style + click + dim)
        return text

    def on_resize(self) -> None:
        # Shown again after the filter line hid it, the width is the same: no repaint.
        if getattr(self, "_palette", None) is not None and self.size.width != self._shown_width:
            self._show()  # the palette's key stays on the right


class FilterLine(Static):
    """The `/` filter as it is typed, in the key line's place (see
    CaseloadScreen.on_key): the keys are routed here by the screen while the
    table keeps the focus, so opening, typing and closing never restyle the
    table (a focus change repaints all its rows and its scrollbars, a frame
    of its own)."""

    DEFAULT_CSS = """
    FilterLine {
        dock: bottom;
        width: 100%;
        height: 1;
        padding: 0 1;
        background: $footer-background;
        color: $foreground;
        text-wrap: nowrap;
        text-overflow: ellipsis;
        display: none;
    }
    """

    PLACEHOLDER = "filter by case ref or name · enter keeps it · esc clears it"

    def show_text(self, text: str) -> None:
        line = Text("/ ", style="bold", no_wrap=True, end="")
        line.append(text)
        line.append(" ", style="reverse")  # where the next key goes
        if not text:
            line.append(f" {self.PLACEHOLDER}", style="dim")
        self.update(line, layout=False)  # one line, always
