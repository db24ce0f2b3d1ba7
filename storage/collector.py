"""Every use of Python's cyclic garbage collector, in one place, with one switch.

Nothing relies on any of this: it only saves time, and `CASELOAD_GC=default`
in the environment (read once, at import) turns all of it off, leaving the
collector as Python sets it up. Only the main thread ever toggles the
collector: from any other thread (the app's thread workers, the first read)
every function here does nothing, so a worker can never turn collection
back on while the main thread has it paused, nor the other way round.

- Start-up (`pause_for_startup`, `resume`, `freeze_loaded`): starting the
  app allocates a few hundred thousand objects (Textual, the planner, the
  first caseload) that live until it exits, and the collector walks them
  again and again while they are being created: a tenth of the time to the
  first painted caseload. The `caseload` entry point (tui/startup.py) pauses
  collection before it imports anything; the app resumes it once its first
  caseload is on screen (or after a few seconds whatever happens), after
  `gc.freeze()` has moved everything then alive out of the collector's
  sight, so later collections (during key presses) do not walk it either.
  Every other command resumes as soon as the command line is parsed. What
  the rest of the first load builds (a long caseload's other rows) is frozen
  too once it is done (`freeze_loaded`).
- Loaders (`paused`): storage/queries/ builds many objects that hold no
  reference cycles (load_world after a whole-region load_cases: 0.21 s with
  collection, 0.03 s without).
- Exit (`no_collection_at_exit`): a one-shot command skips the interpreter's
  last collections (a tenth of a second once SQLAlchemy is loaded; 50 to 80
  ms of a write command's CPU): `warnings`, and every write through
  `Ctx.write` (tui/cli/base.py), which closes its engine's connections
  first, so that nothing is left for a collection to close.
"""

from __future__ import annotations

import atexit
import gc
import os
import threading
from contextlib import contextmanager
from typing import Iterator

SWITCH = "CASELOAD_GC"  # "default": leave the collector alone
TUNED = os.environ.get(SWITCH, "tuned") != "default"

_paused = False  # pause_for_startup paused collection and resume has not run
_from_entry_point = False  # this process is the app's start-up from the entry point
_exit_hook = False


def _allowed() -> bool:
    return TUNED and threading.current_thread() is threading.main_thread()


def pause_for_startup() -> None:
    """Pause cyclic collection for start-up (only if it is on)."""
    global _paused, _from_entry_point
    if _allowed() and gc.isenabled():
        gc.disable()
        _paused = _from_entry_point = True


def resume() -> None:
    """Freeze what start-up built and resume collection, if
    `pause_for_startup` paused it."""
    global _paused
    if _paused and _allowed():
        _paused = False
        gc.freeze()
        gc.enable()


def freeze_loaded() -> None:
    """Once the first caseload is fully loaded: freeze what was built since
    `resume`, such as a team lead's rows after the first screenful, so that
    a full collection during a key press (30 to 40 ms with them) does not
    walk it. Only for the entry point's start-up, after collection resumed."""
    if _from_entry_point and not _paused and _allowed():
        gc.freeze()


@contextmanager
def paused() -> Iterator[None]:
    """No cyclic collection while the block builds its objects (resumed
    after it, if it was on). On the main thread only."""
    if not _allowed() or not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def no_collection_at_exit() -> None:
    """At exit, `gc.freeze()` leaves whatever is still alive to the
    operating system instead of walking it. An atexit hook, so it only ever
    applies to a process that is ending (an in-process caller, CliRunner,
    keeps its collector until then)."""
    global _exit_hook
    if _allowed() and not _exit_hook:
        _exit_hook = True
        atexit.register(gc.freeze)


def reset_for_tests() -> None:
    """Collection on, nothing frozen, start-up forgotten (tests only)."""
    global _paused, _from_entry_point
    _paused = _from_entry_point = False
    gc.enable()
    gc.unfreeze()
