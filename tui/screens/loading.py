"""The loading pattern of every screen that shows data (STYLE habit 2).

`load()` runs the screen's `read_view()` in a thread worker (one at a time
per screen, in the screen's `LOAD_GROUP`) and posts `Loaded(view)`, or
`LoadFailed(message)` with a one-line message: the CaseloadError's own
words, else "Could not <LOAD_VERB> <LOAD_WHAT> (ErrorName)." so that a traceback
(and the personal data in it) never reaches the screen. Only the handlers
of those messages touch widgets.

The handling is the same on every screen, so it lives here once:
`view_loaded(view)` counts the result (`loads`, which tests wait on), keeps
it as `view`, stops the spinners of `LOAD_SPINNERS`, takes the dim
"loading" look off `LOAD_NOTE` and calls `render_view()`; `view_failed(message)`
counts it, keeps it as `refused`, stops the spinners, writes "✕ message" in
`LOAD_NOTE` and gives a notice titled `LOAD_FAILED_TITLE`. A screen that
does more overrides either and calls `super()` for the common part.
`mount_view()` is the matching start: the tables' columns, the spinners,
and a redraw when the app's privacy mode (or theme) changes.

A load that takes longer than `STILL_AFTER` seconds says so in the screen's
sub-title ("still loading the handovers · 4 s", counting each `TICK`), so a
long load never looks like a still screen (issue 18, item 8); the sub-title
is put back when the load ends, unless the screen's handler set its own.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Any

from textual.message import Message

from planner.errors import CaseloadError
from tui.data.refusal import refused_by_the_database


def failure(exc: Exception, unexpected: str) -> str:
    """What a failed read or write says on screen: a refusal's
    (CaseloadError) own words, else `unexpected` with `{kind}` filled in by
    the error's class name alone, so that a traceback (and the personal
    data in it) never reaches the screen."""
    if isinstance(exc, CaseloadError):
        return str(exc)
    refused = refused_by_the_database(exc)
    if refused:
        return f"Refused by the database: {refused}. Nothing was changed; ask a team lead if this should be yours."
    return unexpected.format(kind=type(exc).__name__)


# After this long a load says it is still working, then counts the seconds.
STILL_AFTER = 2.0
TICK = 1.0


class ViewLoader:
    """Mix into a `Screen` before it: `class CaseScreen(ViewLoader, Screen)`."""

    LOAD_GROUP = "view-load"
    LOAD_VERB = "read"
    LOAD_WHAT = "the database"
    # What the handlers touch: the line that says "Loading…" (then what went
    # wrong), the widgets whose `loading` spinner shows until the result, and
    # the failure's notice.
    LOAD_NOTE = "#summary"
    LOAD_SPINNERS: tuple[str, ...] = ()
    LOAD_FAILED_TITLE = "Could not load"
    LOAD_FAILED_SEVERITY = "error"
    LOAD_FAILED_TIMEOUT = 10
    loads = 0  # handled load results, good or failed (tests wait on this)
    view: Any = None  # the latest view read
    refused: str | None = None  # why the latest load failed; None after a good one
    # False until the first load's result is posted: keys typed meanwhile
    # wait for it (tui/type_ahead.py), so `c` on a case still loading opens
    # the form once the case is there.
    view_shown = False
    _load_started = 0.0  # when the latest load began (time.monotonic)
    _load_timer = None
    _load_shown: str | None = None  # the sub-title the timer set
    _load_base = ""

    class Loaded(Message):
        def __init__(self, view: Any) -> None:
            self.view = view
            super().__init__()

    class LoadFailed(Message):
        def __init__(self, message: str) -> None:
            self.message = message
            super().__init__()

    def read_view(self) -> Any:
        """Read what the screen shows; runs in the worker thread, never touches a widget."""
        raise NotImplementedError

    def mount_view(self, columns: dict[str, Sequence[tuple[str, str]]] | None = None,
                   redraw_on: Sequence[str] = ("privacy",)) -> None:
        """On mount, before the first `load()`: each DataTable of `columns`
        (selector -> its (key, label) pairs) gets its keyed columns, the
        spinners of LOAD_SPINNERS turn, and `render_view` runs again
        whenever an app reactive of `redraw_on` ("privacy", "theme") changes."""
        for selector, pairs in (columns or {}).items():
            table = self.query_one(selector)
            for key, label in pairs:
                table.add_column(label, key=key)
        for selector in self.LOAD_SPINNERS:
            self.query_one(selector).loading = True
        for name in redraw_on:
            self.watch(self.app, name, lambda _value: self.render_view(), init=False)

    # ---------------------------------------------------------------- the handlers (main thread)

    def on_view_loader_loaded(self, message: Loaded) -> None:
        self.view_loaded(message.view)

    def on_view_loader_load_failed(self, message: LoadFailed) -> None:
        self.view_failed(message.message)

    def view_loaded(self, view: Any) -> None:
        """The common part of a good load: count, keep, stop the spinners, draw."""
        self.loads += 1
        self.view = view
        self.refused = None
        self.stop_spinners()
        self.query_one(self.LOAD_NOTE).remove_class("loading-note")
        self.render_view()

    def view_failed(self, message: str) -> None:
        """The common part of a failed load: count, keep, stop the spinners, say it."""
        self.loads += 1
        self.refused = message
        self.stop_spinners()
        self.query_one(self.LOAD_NOTE).update(f"✕ {message}")
        self.notify(message, title=self.LOAD_FAILED_TITLE, severity=self.LOAD_FAILED_SEVERITY,
                    timeout=self.LOAD_FAILED_TIMEOUT)

    def stop_spinners(self) -> None:
        for selector in self.LOAD_SPINNERS:
            self.query_one(selector).loading = False

    # ---------------------------------------------------------------- the worker

    def load(self):
        """Start reading (a newer load cancels an older one still running)."""
        self._load_started = time.monotonic()
        if getattr(self, "_load_timer", None) is None:
            self._load_timer = self.set_interval(TICK, self._load_tick, name="load-tick")
        return self.run_worker(self._read_and_post, name="load", group=self.LOAD_GROUP, thread=True,
                               exclusive=True, exit_on_error=False)

    def still_loading_text(self, seconds: float) -> str:
        return f"still loading {self.LOAD_WHAT} · {seconds:.0f} s"

    def _load_tick(self) -> None:
        """While a load runs past STILL_AFTER: the sub-title counts its seconds."""
        seconds = time.monotonic() - self._load_started
        if seconds < STILL_AFTER:
            return
        if self._load_shown is None:
            self._load_base = self.sub_title
        self._load_shown = " · ".join(filter(None, (self._load_base, self.still_loading_text(seconds))))
        self.sub_title = self._load_shown

    def _load_ended(self, started: float) -> None:
        """After the screen has handled the result of the load begun at
        `started`: stop counting (unless a newer load runs), put the sub-title back."""
        if started != self._load_started:
            return
        if self._load_timer is not None:
            self._load_timer.stop()
            self._load_timer = None
        shown, self._load_shown = self._load_shown, None
        if shown is not None and self.sub_title == shown:
            self.sub_title = self._load_base

    def _read_and_post(self, read=None) -> None:
        """Run `read` (`read_view` when None) and post what came of it."""
        started = self._load_started
        try:
            view = (read or self.read_view)()
        except Exception as exc:  # noqa: BLE001 - a notice, not a traceback
            self.post_message(self.LoadFailed(failure(exc, f"Could not {self.LOAD_VERB} {self.LOAD_WHAT} ({{kind}}).")))
        else:
            self.post_message(self.Loaded(view))
        finally:
            self.view_shown = True  # after the post: a key let through now comes after it
            self.call_later(self._load_ended, started)


def read_then(app, read, then, *, title: str, group: str) -> None:
    """Before a screen opens: `read()` in a thread worker (one at a time in
    `group`), then `then(result)` on the main thread. A refusal
    (CaseloadError) is a warning notice in its own words, any other failure
    an error notice naming only its kind, both titled `title`: never a
    traceback (`T` checks the user leads a team, `S` reads whom they may
    supervise)."""

    def run() -> None:
        try:
            result = read()
        except Exception as exc:  # noqa: BLE001 - a notice, never a traceback
            app.call_from_thread(app.notify, failure(exc, "Could not read the team ({kind})."), title=title,
                                 severity="warning" if isinstance(exc, CaseloadError) else "error", timeout=8)
            return
        app.call_from_thread(then, result)

    app.run_worker(run, thread=True, group=group, exclusive=True, exit_on_error=False)
