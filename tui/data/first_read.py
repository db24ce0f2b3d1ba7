"""The app's first caseload, read while Textual is imported and set up."""

from __future__ import annotations

import threading
from datetime import date
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from tui.data.gateway import Gateway


class FirstRead:
    """The first caseload of the app, read while Textual is imported and set up.

    The app starts one as it is built, in a thread. The `caseload` command
    starts one sooner, before Textual is even imported, and on Linux in a
    forked child process: Python runs one thread at a time, and importing
    Textual keeps it busy for most of the start-up, so a thread's read
    mostly waits its turn, while a child reads on another core and hands the
    view back, pickled, through a pipe (in memory only; 7 ms to unpickle a
    team lead's 691 rows, read in 60). Whatever goes wrong in the child (an
    error, a crash) the read is done again in the thread, so errors are the
    read's own. The caseload screen takes the result (`result()`)."""

    THREAD_NAME = "caseload-first-read"

    def __init__(self, practitioner_id: str, as_of: date) -> None:
        self.key = (practitioner_id, as_of)
        self._done = threading.Event()
        self._view = None
        self._error: BaseException | None = None
        self.forked = False  # read in a child process (else in the thread)

    @classmethod
    def start(cls, gateway: Gateway, practitioner_id: str | None, as_of: date, *,
              fork: bool = False) -> FirstRead | None:
        """Start reading (None without a practitioner: the picker comes first).
        `fork`: in a child process where that is safe (Linux, a database by
        location, no other thread running yet)."""
        if not practitioner_id:
            return None
        first = cls(practitioner_id, as_of)
        args: tuple = (gateway, practitioner_id, as_of)
        if fork and _may_fork(gateway):
            args += (first._fork(gateway, practitioner_id, as_of),)
        threading.Thread(target=first._run, args=args, name=cls.THREAD_NAME, daemon=True).start()
        return first

    def _fork(self, gateway: Gateway, practitioner_id: str, as_of: date) -> tuple[int, int]:
        import os

        read_end, write_end = os.pipe()
        _widen_pipe(write_end)
        child = os.fork()
        if child == 0:  # the child: read, write the pickled view, exit without cleaning up the parent's things
            status = 1
            try:
                import pickle

                os.close(read_end)
                data = pickle.dumps(gateway.caseload(practitioner_id, as_of), protocol=pickle.HIGHEST_PROTOCOL)
                with open(write_end, "wb", closefd=True) as out:
                    out.write(data)
                status = 0
            except BaseException:  # noqa: BLE001 - the parent reads again and meets the error itself
                pass
            finally:
                os._exit(status)
        os.close(write_end)
        self.forked = True
        return child, read_end

    def _run(self, gateway: Gateway, practitioner_id: str, as_of: date,
             child: tuple[int, int] | None = None) -> None:
        try:
            if child is not None:
                self._view = _receive(*child)
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


def _may_fork(gateway: Gateway) -> bool:
    import os
    import sys

    return (sys.platform.startswith("linux") and hasattr(os, "fork")
            and gateway.database.kind in ("sqlite", "postgresql")  # no pooled connections to share
            and threading.active_count() == 1)


def _widen_pipe(fd: int) -> None:
    """Room for the whole view (Linux), so the child writes it in one go and exits."""
    import fcntl

    try:
        fcntl.fcntl(fd, getattr(fcntl, "F_SETPIPE_SZ", 1031), 1 << 20)
    except OSError:
        pass  # the default size: the view then comes in several pieces


def _receive(child: int, read_end: int):
    """The view the child wrote, or None if it failed (the caller reads again)."""
    import os
    import pickle

    with open(read_end, "rb", closefd=True) as pipe:
        data = pipe.read()
    _pid, status = os.waitpid(child, 0)
    if status != 0 or not data:
        return None
    try:
        return pickle.loads(data)
    except Exception:  # noqa: BLE001 - a torn write: read again
        return None
