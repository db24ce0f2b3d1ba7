"""Progress of a long command on a terminal (README "Progress"): a bar per
step with its counts and the time left, on standard error, and nothing at
all when standard error is not a terminal (a pipe, a file, a cron job's log).
rich is imported only when the bar is shown, so that the commands stay fast.

Storage reports what it does through a `storage.progress.Progress`;
`shown()` gives the one to pass (or `NO_PROGRESS`)."""

from __future__ import annotations

import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from storage.progress import NO_PROGRESS, Progress


def _terminal_console():
    """A rich Console on the real standard error (not the command's
    escape-stripping wrapper, tui/cli/base.py), or None when it is no terminal."""
    stream = getattr(sys.stderr, "_stream", sys.stderr)
    try:
        if not stream.isatty():
            return None
    except (AttributeError, ValueError):
        return None
    from rich.console import Console

    return Console(file=stream)


class _Bars:
    """A `storage.progress.Progress` drawing each task as a rich progress bar."""

    def __init__(self, bars) -> None:
        self._bars = bars

    def task(self, description: str, total: int | None) -> Callable[[int], None]:
        task_id = self._bars.add_task(description, total=total)

        def advance(rows: int) -> None:
            self._bars.advance(task_id, rows)

        return advance



@contextmanager
def shown(console=None) -> Iterator[Progress]:
    """Inside, the Progress to pass to storage: bars on `console` (default:
    standard error when it is a terminal), else NO_PROGRESS."""
    console = console if console is not None else _terminal_console()
    if console is None:
        yield NO_PROGRESS
        return
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress as Bars,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )

    with Bars(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
              TimeRemainingColumn(), TextColumn("left"), console=console, transient=True) as bars:
        yield _Bars(bars)


@contextmanager
def searching(description: str, seconds: float, console=None) -> Iterator[None]:
    """While inside, a bar filling over `seconds` (a search that may run to
    its time limit, like rebalance's), on `console` as `shown`, or nothing."""
    console = console if console is not None else _terminal_console()
    if console is None:
        yield
        return
    from rich.progress import BarColumn, Progress as Bars, TextColumn, TimeRemainingColumn

    done = threading.Event()
    with Bars(TextColumn("{task.description}"), BarColumn(),
              TextColumn("{task.completed:.0f} of {task.total:.0f} s"), TimeRemainingColumn(), TextColumn("left"),
              console=console, transient=True) as bars:
        task_id = bars.add_task(description, total=seconds)
        started = time.monotonic()

        def tick() -> None:
            while not done.wait(0.1):
                bars.update(task_id, completed=min(seconds, time.monotonic() - started))

        ticker = threading.Thread(target=tick, daemon=True)
        ticker.start()
        try:
            yield
        finally:
            done.set()
            ticker.join()
