"""The app's first caseload, read while Textual is imported and set up."""

from __future__ import annotations

import threading
from datetime import date
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from tui.data.gateway import Gateway


class FirstRead:
    """The first caseload of the app, read in a thread while Textual is
    imported and set up. The `caseload` command starts one before Textual is
    even imported, the app (built without one) as it is built. The caseload
    screen takes the result (`result()`), and a failed read's error is the
    read's own.

    The `caseload` command reads it in a forked child process where that is
    safe (tui/data/forked_read.py): on another core while the parent imports
    Textual; the thread then only waits for the child's view, and reads
    itself if the child failed. `CASELOAD_FIRST_READ=thread` reads in the
    thread alone."""

    THREAD_NAME = "caseload-first-read"

    def __init__(self, practitioner_id: str, as_of: date) -> None:
        self.key = (practitioner_id, as_of)
        self._done = threading.Event()
        self._view = None
        self._error: BaseException | None = None
        self.forked = False  # read in a child process (tui/data/forked_read.py), else in the thread

    @classmethod
    def start(cls, gateway: Gateway, practitioner_id: str | None, as_of: date, *,
              fork: bool = False) -> FirstRead | None:
        """Start reading (None without a practitioner: the picker comes first).
        `fork`: in a child process where that is safe (tui/data/forked_read.py)."""
        if not practitioner_id:
            return None
        first = cls(practitioner_id, as_of)
        child = None
        if fork:
            from tui.data import forked_read

            if forked_read.may_fork(gateway):
                child = forked_read.fork_read(gateway, practitioner_id, as_of)
                first.forked = True
        threading.Thread(target=first._run, args=(gateway, practitioner_id, as_of, child), name=cls.THREAD_NAME,
                         daemon=True).start()
        return first

    def _run(self, gateway: Gateway, practitioner_id: str, as_of: date, child: tuple[int, int] | None) -> None:
        try:
            if child is not None:
                from tui.data.forked_read import receive

                self._view = receive(*child)
            if self._view is None:
                self._view = gateway.caseload(practitioner_id, as_of)
        except BaseException as exc:  # noqa: BLE001 - handed to the screen's load, which words it
            self._error = exc
        finally:
            self._done.set()

    def ready(self) -> bool:
        return self._done.is_set()

    def result(self):
        """The caseload view (waits for the read); raises what the read raised."""
        self._done.wait()
        if self._error is not None:
            raise self._error
        return self._view
