"""The loading pattern of every screen that shows data (STYLE habit 2).

`load()` runs the screen's `read_view()` in a thread worker (one at a time
per screen, in the screen's `LOAD_GROUP`) and posts `Loaded(view)`, or
`LoadFailed(message)` with a one-line message: the CaseloadError's own
words, else "Could not <LOAD_VERB> <LOAD_WHAT> (ErrorName)." so that a traceback
(and the personal data in it) never reaches the screen. Only the screen's
handlers, `@on(ViewLoader.Loaded)` and `@on(ViewLoader.LoadFailed)`, touch
widgets.
"""

from __future__ import annotations

from typing import Any

from textual.message import Message

from planner.errors import CaseloadError


class ViewLoader:
    """Mix into a `Screen` before it: `class CaseScreen(ViewLoader, Screen)`."""

    LOAD_GROUP = "view-load"
    LOAD_VERB = "read"
    LOAD_WHAT = "the database"
    # False until the first load's result is posted: keys typed meanwhile
    # wait for it (tui/type_ahead.py), so `c` on a case still loading opens
    # the form once the case is there.
    view_shown = False

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

    def load(self):
        """Start reading (a newer load cancels an older one still running)."""
        return self.run_worker(self._read_and_post, name="load", group=self.LOAD_GROUP, thread=True,
                               exclusive=True, exit_on_error=False)

    def _read_and_post(self, read=None) -> None:
        """Run `read` (`read_view` when None) and post what came of it."""
        try:
            view = (read or self.read_view)()
        except CaseloadError as exc:
            self.post_message(self.LoadFailed(str(exc)))
        except Exception as exc:  # noqa: BLE001 - a notice, not a traceback
            self.post_message(self.LoadFailed(f"Could not {self.LOAD_VERB} {self.LOAD_WHAT} ({type(exc).__name__})."))
        else:
            self.post_message(self.Loaded(view))
        finally:
            self.view_shown = True  # after the post: a key let through now comes after it
