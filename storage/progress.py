"""How a long operation (an import, an export, a copy) tells its progress:
it asks the `Progress` it was given for a task per step and advances it by
the rows done. The command line shows it on a terminal (tui/cli/progress.py);
everyone else passes nothing and `NO_PROGRESS` is used, at the cost of a
function call per batch of rows."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import Protocol, TypeVar

__all__ = ["EVERY", "NO_PROGRESS", "Progress", "told"]

T = TypeVar("T")

#: Rows between two reports of a row-by-row step (a report costs a lock and a clock read).
EVERY = 2048


class Progress(Protocol):
    def task(self, description: str, total: int | None) -> Callable[[int], None]:
        """A step of `total` rows (None: not known); returns `advance(rows)`."""


class _Nothing:
    def task(self, description: str, total: int | None) -> Callable[[int], None]:
        return _ignore


def _ignore(_rows: int) -> None:
    pass


NO_PROGRESS: Progress = _Nothing()


def told(items: Iterable[T], advance: Callable[[int], None]) -> Iterator[T]:
    """`items`, each EVERY of them (and the rest at the end) told to
    `advance`; `items` as they are when nobody is told (NO_PROGRESS)."""
    return iter(items) if advance is _ignore else _telling(items, advance)


def _telling(items: Iterable[T], advance: Callable[[int], None]) -> Iterator[T]:
    n = 0
    for item in items:
        yield item
        n += 1
        if n == EVERY:
            advance(n)
            n = 0
    advance(n)
