"""The schema revisions this code knows, and what a database's revision means
for it. No SQLAlchemy or Alembic here: `storage.db` reads the revision through
an engine, `storage.reader` through a bare DB-API connection, and both judge
it with `raise_unless_ready`."""

from __future__ import annotations

from dataclasses import dataclass

from planner.errors import DatabaseUnavailable

VERSION_TABLE = "alembic_version"

# The schema revisions this code knows, oldest first. Reading the database's
# revision against this list needs no Alembic import (a quarter of a second
# of every start-up); tests/storage/test_migrations.py checks it against the
# migration scripts, so a new migration without an entry here fails the tests.
SCHEMA_REVISIONS = ("0001", "0002", "0003", "0004", "0005", "0006", "0007", "0008", "0009", "0010", "0011",
                    "0012")


def head_revision() -> str:
    """The newest schema revision this code knows."""
    return SCHEMA_REVISIONS[-1]


def known_revisions() -> frozenset[str]:
    return frozenset(SCHEMA_REVISIONS)


@dataclass(frozen=True, slots=True)
class SchemaState:
    """Where a database's schema stands against this code."""

    current: str | None  # revision stamped in the database; None = never initialised
    head: str  # the newest revision this code knows
    known: bool  # current is None or one of our revisions
    empty: bool  # the database has no tables at all

    @property
    def is_current(self) -> bool:
        return self.current == self.head

    @property
    def behind(self) -> bool:
        return self.current is not None and self.known and self.current != self.head

    @property
    def newer(self) -> bool:
        return self.current is not None and not self.known


def state_of(heads: list[str] | None, has_tables: bool) -> SchemaState:
    """The state for the revision rows read (None: no version table)."""
    current = (",".join(sorted(heads)) or None) if heads is not None else None
    return SchemaState(
        current=current,
        head=head_revision(),
        known=current is None or current in known_revisions(),
        empty=not has_tables,
    )


def raise_unless_ready(state: SchemaState, where: str) -> SchemaState:
    """CaseloadError with a one-line reason unless this code can use a
    database in `state` (`where` names it: a path or host:port/database)."""
    if state.current is None:
        if state.empty:
            raise DatabaseUnavailable(f"the database at {where} is empty; run `caseload init`")
        raise DatabaseUnavailable(f"{where} is not a caseload database (it has tables but no schema revision)")
    if state.newer:
        raise DatabaseUnavailable(
            f"the database at {where} has schema revision {state.current}, newer than this "
            f"version of caseload knows (up to {state.head}); upgrade caseload"
        )
    if state.behind:
        raise DatabaseUnavailable(
            f"the database at {where} is at schema revision {state.current}, this version "
            f"needs {state.head}; run `caseload init` to upgrade"
        )
    return state
