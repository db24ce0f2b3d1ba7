"""Read side: database rows to the frozen dataclasses of `planner.model`.

Built for a region on one PostgreSQL server (20,000 cases, a million
contacts), so every loader:

- issues a FIXED number of statements whatever the number of cases: one per
  table, never one per case (tests/storage/test_queries.py counts them);
- selects only the columns the dataclasses need, as SQL text run through a
  `storage.reader.Reader` (a SQLAlchemy session's connection, or a bare
  sqlite3/psycopg connection: `caseload warnings` and the app's first paint
  import no SQLAlchemy), and builds the dataclasses from the driver's plain
  tuples (no ORM objects, no identity map, no lazy loads, no result layer);
- filters the child tables (allocations, contacts, appointments, handovers,
  checklist items) by the cases chosen: an IN list of case ids for a few
  hundred cases (a few thousand on SQLite), otherwise a subquery on the same
  case filter, so the database never receives tens of thousands of bound
  parameters;
- builds the dataclasses of the big child tables with
  `planner.model.fast_constructor`, each
  distinct date parsed once, with garbage collection paused (storage/collector.py `paused`):
  a whole region (a million contacts) loads in about 2 s on SQLite, not 5.

`load_cases_for_warnings` is the bounded read for `caseload warnings`: the
same cases with only the contacts the rules can see on the as-of date (a few
per case), proved to give identical warnings.

Practitioner foreign keys are integer `*_pk` columns; one small query maps
them to the natural `practitioner_id` strings instead of joining the
practitioner table into every child query.

The package, by seam: `rows` (the shared row helpers and value caches),
`world` (teams, practitioners, absences), `cases` (the caseload read and the
small version look-ups), `for_warnings` (the bounded read for warnings) and
`notes` (supervision actions, case notes) and `continuity` (the continuity
report's read). Every name is importable from
`storage.queries` as before (those of `notes` and `continuity` are loaded
when first asked for).
"""

from __future__ import annotations

from storage.lazy import lazy_names
from storage.queries.rows import DEFAULT_NATION
from storage.queries.world import list_practitioners, list_teams, load_world
from storage.queries.cases import (
    ID_LIST_LIMIT,
    SQLITE_ID_LIST_LIMIT,
    appointment_version,
    case_versions,
    load_case,
    load_cases,
)
from storage.queries.for_warnings import (
    _MEANINGFUL,
    WARNINGS_ALLOCATION_LOOKBACK_DAYS,
    WARNINGS_CANCELLED_DAYS,
    WARNINGS_LOOKBACK_DAYS,
    WARNINGS_SHORT_ALLOCATION_DAYS,
    load_cases_for_warnings,
)

# The continuity report's read and the notes are loaded on first use: the
# app's first caseload (tui/data/first_read.py) needs neither, and the
# continuity read brings in planner.continuity (about 15 ms of a start-up,
# bench/bench_startup.py).
__getattr__, __dir__ = lazy_names(__name__, {
    "load_cases_for_continuity": "continuity",
    "load_continuity_input": "continuity",
    "CaseNoteView": "notes",
    "load_actions": "notes",
    "load_week_actions": "notes",
    "load_case_notes": "notes",
    "load_contact_notes": "notes",
})

__all__ = [
    "CaseNoteView",
    "ID_LIST_LIMIT",
    "appointment_version",
    "case_versions",
    "list_practitioners",
    "list_teams",
    "load_actions",
    "load_case",
    "load_case_notes",
    "load_contact_notes",
    "load_cases",
    "load_cases_for_continuity",
    "load_cases_for_warnings",
    "load_continuity_input",
    "load_week_actions",
    "load_world",
]
