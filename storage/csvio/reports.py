"""What an import did, or why it was refused (docs/csv.md "Import rules")."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

from planner.errors import CaseloadError
from planner.words import plural

__all__ = ["FileReport", "ImportFailed", "ImportReport"]


class ImportFailed(CaseloadError):
    """The import was refused; nothing was written. `errors` holds one
    `FILE:ROW: column: reason` line per problem, in file and row order."""

    def __init__(self, errors: Sequence[str]) -> None:
        self.errors = list(errors)
        super().__init__("\n".join(self.errors))


@dataclass
class FileReport:
    """What one file did (or would do, in a dry run)."""

    path: str
    kind: str | None
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    #: side effects, e.g. {"teams new": 1, "allocations opened": 3}
    also: Counter = field(default_factory=Counter)

    def describe(self) -> str:
        line = (
            f"{self.path} ({self.kind}): {self.inserted} new, "
            f"{self.updated} changed, {self.unchanged} unchanged"
        )
        extras = [_counted(n, what) for what, n in sorted(self.also.items()) if n]
        if extras:
            line += "; " + ", ".join(extras)
        return line


def _counted(n: int, what: str) -> str:
    """`also`'s "teams new" counted: "1 team new", "2 teams new"."""
    nouns, _, rest = what.partition(" ")
    return f"{plural(n, nouns.removesuffix('s'), nouns)} {rest}".rstrip()


@dataclass
class ImportReport:
    files: list[FileReport]
    dry_run: bool = False

    def describe(self) -> list[str]:
        """One line per file, e.g. `practitioners.csv (practitioners): 3 new,
        1 changed, 6 unchanged`."""
        return [f.describe() for f in self.files]

    @property
    def inserted(self) -> int:
        return sum(f.inserted for f in self.files)

    @property
    def updated(self) -> int:
        return sum(f.updated for f in self.files)

    @property
    def unchanged(self) -> int:
        return sum(f.unchanged for f in self.files)

    @property
    def changed(self) -> bool:
        return bool(self.inserted or self.updated or any(sum(f.also.values()) for f in self.files))

