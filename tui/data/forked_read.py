"""The `caseload` command's first read in a forked child process (Linux): the
child reads on the other core while the parent imports Textual, and hands
the view back pickled through a pipe, in memory only. One module, one
switch: `CASELOAD_FIRST_READ=thread` reads in the thread alone
(tui/data/first_read.py). Whatever goes wrong in the child (an error, a
crash, a torn write) the thread reads again, so errors are the read's own.
Measured in bench/README.md ("Start-up and keys")."""

from __future__ import annotations

import os
import sys
import threading

SWITCH = "CASELOAD_FIRST_READ"


def may_fork(gateway) -> bool:
    """Linux, a database by location (no pooled connection to share), no
    other thread yet, and the switch not set to "thread"."""
    return (os.environ.get(SWITCH) != "thread" and sys.platform.startswith("linux") and hasattr(os, "fork")
            and gateway.database.kind in ("sqlite", "postgresql") and threading.active_count() == 1)


def fork_read(gateway, practitioner_id: str, as_of) -> tuple[int, int]:
    """(child pid, read end of the pipe): the child reads the caseload and
    writes it pickled, then exits without running the parent's clean-ups."""
    read_end, write_end = os.pipe()
    _widen_pipe(write_end)
    child = os.fork()
    if child == 0:
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
    return child, read_end


def receive(child: int, read_end: int):
    """The view the child wrote, or None if it failed (the caller reads again)."""
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


def _widen_pipe(fd: int) -> None:
    """Room for the whole view (Linux), so the child writes it in one go and exits."""
    import fcntl

    try:
        fcntl.fcntl(fd, getattr(fcntl, "F_SETPIPE_SZ", 1031), 1 << 20)
    except OSError:
        pass  # the default size: the view then comes in several pieces
