"""The `caseload` entry point: start-up without the cyclic garbage collector.

Starting the app allocates a few hundred thousand objects (Textual, the
planner, the first caseload) that live until it exits, and Python's
collector walks them again and again while they are being created: a tenth
of the time to the first painted caseload. So the entry point pauses
collection before it imports anything; the app resumes it once its first
caseload is on screen (or after a few seconds whatever happens), after
`gc.freeze()` has moved everything then alive out of the collector's sight,
so later collections (during key presses) do not walk it either. Every other
command resumes collection as soon as the command line is parsed.

What the rest of the first load builds (a long caseload's other rows, the
checklist ticks written after the paint) is frozen too once it is done
(`freeze_loaded`).

Nothing relies on collection being paused: it only saves time.
"""

from __future__ import annotations

import gc

_paused = False
_from_entry_point = False  # pause_gc paused collection: this process is the app's start-up


def pause_gc() -> None:
    """Pause cyclic collection for start-up (only if it is on)."""
    global _paused, _from_entry_point
    if gc.isenabled():
        gc.disable()
        _paused = _from_entry_point = True


def resume_gc() -> None:
    """Freeze what start-up built and resume collection, if `pause_gc` paused it."""
    global _paused
    if _paused:
        _paused = False
        gc.freeze()
        gc.enable()


def main(argv: list[str] | None = None) -> None:
    pause_gc()
    from tui.cli import main as cli_main

    cli_main(argv, prog_name="caseload")


def freeze_loaded() -> None:
    """Once the first caseload is fully loaded (every row in the table, the
    checklist ticks written): freeze what was built since `resume_gc`, such
    as a team lead's rows after the first screenful, so that a full
    collection during a key press (30 to 40 ms with them) does not walk it.
    Only for the entry point's start-up, and only after collection resumed."""
    if _from_entry_point and not _paused:
        gc.freeze()
