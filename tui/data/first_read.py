"""The app's first caseload, read in a thread while Textual is imported and set up."""

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

    (The command once read it in a forked child process instead, to read on
    another core while the parent imports Textual; bench/README.md has the
    measurement that did not find it faster.)"""

    THREAD_NAME = "caseload-first-read"

    def __init__(self, practitioner_id: str, as_of: date) -> None:
        self.key = (practitioner_id, as_of)
        self._done = threading.Event()
        self._view = None
        self._error: BaseException | None = None

    @classmethod
    def start(cls, gateway: Gateway, practitioner_id: str | None, as_of: date) -> FirstRead | None:
        """Start reading (None without a practitioner: the picker comes first)."""
        if not practitioner_id:
            return None
        first = cls(practitioner_id, as_of)
        threading.Thread(target=first._run, args=(gateway, practitioner_id, as_of), name=cls.THREAD_NAME,
                         daemon=True).start()
        return first

    def _run(self, gateway: Gateway, practitioner_id: str, as_of: date) -> None:
        try:
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
