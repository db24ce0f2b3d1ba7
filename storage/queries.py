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
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
import datetime as dt
from datetime import date, timedelta

from planner.errors import CaseloadError
from planner.validate import EARLIEST, LATEST
from planner.model import (
    COMPLETED_HANDOVER_STATUSES,
    OPEN_HANDOVER_STATUSES,
    Absence,
    Action,
    Allocation,
    Appointment,
    Case,
    ChecklistItem,
    Contact,
    Handover,
    Practitioner,
    Team,
    World,
    fast_constructor,
    level_for,
    meaningful_sql,
)
from storage.collector import paused
from storage.reader import Reader, reader_of

# At or below this many selected cases the child queries name the case ids
# (`case_id IN (...)`); above it they repeat the case filter as a subquery.
# SQLite takes far more: naming the ids is quicker than the subquery at every
# size measured (a team lead's 700 cases: about 1 ms less per child query,
# 4 ms a caseload read), and SQLite 3.32+ takes 32,766 parameters a statement
# (the warnings read names the ids twice).
ID_LIST_LIMIT = 500
SQLITE_ID_LIST_LIMIT = 5_000

DEFAULT_NATION = "england-and-wales"

# How far back `load_cases_for_warnings` keeps checklist items of completed
# handovers and ended allocations by default: the default policy's
# cold_handover.window_days and practitioner_churn.window_days
# (tests/storage/test_queries_window.py checks they still match).
WARNINGS_LOOKBACK_DAYS = 84
WARNINGS_ALLOCATION_LOOKBACK_DAYS = 365
# ... and the windows of practitioner_cancelled and of churn's short
# allocations, whose contacts the rules read.
WARNINGS_CANCELLED_DAYS = 56
WARNINGS_SHORT_ALLOCATION_DAYS = 14


@dataclass(frozen=True, slots=True)
class CaseNoteView:
    """One case note as the app shows it. `text` is personal data: show it,
    never log it."""

    id: int
    case_ref: str
    written_on: date
    author_id: str | None
    text: str


# ---------------------------------------------------------------- helpers


def _raw_rows(session, sql: str, params=()) -> Iterator[tuple]:
    """The rows of SQL text (`?` markers) as the driver returns them: plain
    tuples, so dates are ISO text on SQLite and `date`s on PostgreSQL (pass
    them through `_Dates`), booleans 0/1 on SQLite. `session` is a SQLAlchemy
    session (the statement runs in its transaction and fires its events:
    statements are counted) or a `storage.reader.Reader`. Rows stream:
    iterate once, fully."""
    return reader_of(session).rows(sql, params)


def _rows(session, sql: str, params=()) -> list[tuple]:
    return reader_of(session).all(sql, params)


class _Dates(dict):
    """Driver value -> `date`: ISO text parsed once per distinct string
    (thousands of contacts share a day), a `date` or None passed through.
    A date outside planner.validate's range (stored before the importer
    checked it: an absence "to 9999-12-31") is read as the nearer end of
    the range, so that no rule counting days from it leaves the calendar;
    `caseload check` lists such rows."""

    def __missing__(self, key):
        value = date.fromisoformat(key) if isinstance(key, str) else key
        if value is not None and not EARLIEST <= value <= LATEST:
            value = EARLIEST if value < EARLIEST else LATEST
        self[key] = value
        return value


class _Words(dict):
    """One shared str object per distinct short value (kinds, outcomes):
    the driver makes a new one per row, 50 bytes each, a million times."""

    def __missing__(self, key):
        self[key] = key
        return key


class _Times(dict):
    """Driver value -> `datetime.time` (ISO text on SQLite), parsed once each."""

    def __missing__(self, key):
        value = dt.time.fromisoformat(key) if isinstance(key, str) else key
        self[key] = value
        return value


class _FlagSets(dict):
    """The flags column ("a;b") -> frozenset, one shared set per distinct text."""

    def __missing__(self, key):
        value = self[key] = _flags(key)
        return value


# Positional builders for the dataclasses made by the ten thousand (every
# field, in the field order of planner.model; see planner.model.fast_constructor).
_make_contact = fast_constructor(Contact)
_make_allocation = fast_constructor(Allocation)
_make_appointment = fast_constructor(Appointment)
_make_absence = fast_constructor(Absence)
_make_item = fast_constructor(ChecklistItem)
_make_handover = fast_constructor(Handover)
_make_case = fast_constructor(Case)
_make_practitioner = fast_constructor(Practitioner)  # every one of them, for every caseload read


def _scalar(session, sql: str, params=()):
    """The first value of the first row, or None."""
    return reader_of(session).scalar(sql, params)


def _flags(raw: str | None) -> frozenset[str]:
    return frozenset(flag.strip() for flag in (raw or "").split(";") if flag.strip())


class _PractitionerIds(dict):
    """Surrogate pk -> natural practitioner_id. A practitioner added by
    someone else between our statements is looked up on demand (rare)."""

    def __init__(self, session) -> None:
        super().__init__(_rows(session, "SELECT id, practitioner_id FROM practitioner"))
        self._session = session

    def __missing__(self, pk: int) -> str:
        pid = _scalar(self._session, "SELECT practitioner_id FROM practitioner WHERE id = ?", (pk,))
        if pid is None:
            raise CaseloadError(f"practitioner row {pk} vanished while loading; try again")
        self[pk] = pid
        return pid

    def pk_of(self, practitioner_id: str) -> int:
        for pk, pid in self.items():
            if pid == practitioner_id:
                return pk
        raise CaseloadError(f"unknown practitioner {practitioner_id}")


def _team_pk(session, team_id: str) -> int:
    pk = _scalar(session, "SELECT id FROM team WHERE team_id = ?", (team_id,))
    if pk is None:
        raise CaseloadError(f"unknown team {team_id}")
    return pk


def _case_pk(session, case_ref: str) -> int:
    pk = _scalar(session, 'SELECT id FROM "case" WHERE case_ref = ?', (case_ref,))
    if pk is None:
        raise CaseloadError(f"unknown case {case_ref}")
    return pk


# ---------------------------------------------------------------- world


def _team_rows(session) -> list[Team]:
    rows = _rows(session, "SELECT team_id, name, nation FROM team ORDER BY team_id")
    return [Team(team_id=tid, name=name, nation=nation or DEFAULT_NATION) for tid, name, nation in rows]


def _practitioner_rows(session, team_pk: int | None = None) -> list[Practitioner]:
    sql = (
        "SELECT p.practitioner_id, p.name, t.team_id, p.role, p.grade, p.contracted_hours, p.reduction_pct,"
        " p.leaving_on, p.email, p.nation, t.nation"
        " FROM practitioner p JOIN team t ON t.id = p.team_pk"
    )
    params: tuple = ()
    if team_pk is not None:
        sql += " WHERE p.team_pk = ?"
        params = (team_pk,)
    dates, make = _Dates(), _make_practitioner
    return [
        make(
            pid,  # practitioner_id
            name,  # name
            team_id,  # team_id
            role,  # role
            grade,  # grade
            float(hours),  # contracted_hours
            float(reduction or 0.0),  # reduction_pct
            dates[leaving_on],  # leaving_on
            email,  # email
            own_nation or team_nation or DEFAULT_NATION,  # nation
        )
        for (
            pid, name, team_id, role, grade, hours, reduction, leaving_on, email, own_nation, team_nation
        ) in _rows(session, sql + " ORDER BY p.practitioner_id", params)
    ]


def load_world(session, *, absences_team_id: str | None = None) -> World:
    """Teams, practitioners and absences (grouped by practitioner_id, by start date).

    `absences_team_id`: only the absences of that team's practitioners, for
    a read that evaluates only cases held in that team (the rules and the
    workload read the absences of a case's current practitioner only).

    Three statements."""
    with paused():
        return _build_world(session, absences_team_id)


def _build_world(session, absences_team_id: str | None = None) -> World:
    teams = _team_rows(session)
    practitioners = _practitioner_rows(session)
    where, params = "", ()
    if absences_team_id is not None:
        where, params = " WHERE p.team_pk = (SELECT t.id FROM team t WHERE t.team_id = ?)", (absences_team_id,)
    rows = _raw_rows(
        session,
        "SELECT a.id, p.practitioner_id, a.start_date, a.end_date, a.kind, cover.practitioner_id"
        " FROM absence a JOIN practitioner p ON p.id = a.practitioner_pk"
        " LEFT OUTER JOIN practitioner cover ON cover.id = a.cover_practitioner_pk"
        f"{where} ORDER BY p.practitioner_id, a.start_date, a.id",
        params,
    )
    absences: dict[str, list[Absence]] = defaultdict(list)
    dates, words, make = _Dates(), _Words(), _make_absence
    for aid, pid, start, end, kind, cover in rows:
        absences[pid].append(make(pid, dates[start], dates[end], words[kind], cover, aid))
    return World(
        practitioners={p.practitioner_id: p for p in practitioners},
        teams={t.team_id: t for t in teams},
        absences={pid: tuple(items) for pid, items in absences.items()},
    )


def list_teams(session) -> list[Team]:
    """Every team, by team_id."""
    return _team_rows(session)


def list_practitioners(session, team_id: str | None = None) -> list[Practitioner]:
    """Practitioners by practitioner_id, optionally of one team (CaseloadError if unknown)."""
    team_pk = _team_pk(session, team_id) if team_id is not None else None
    return _practitioner_rows(session, team_pk)


# ---------------------------------------------------------------- cases


class _Where:
    """A WHERE condition as SQL text with its parameters, in order. (A plain
    class: a dataclass would cost half a millisecond at import, on the app's
    start-up path, for a pair nothing compares.)"""

    __slots__ = ("sql", "params")

    def __init__(self, sql: str, params: tuple = ()) -> None:
        self.sql = sql
        self.params = params


def _case_filter(
    session,
    pids: _PractitionerIds,
    *,
    practitioner_id: str | None,
    team_id: str | None,
    case_refs: Iterable[str] | None,
    include_closed: bool,
) -> _Where:
    """The condition on `"case" c` for the selection; CaseloadError for unknown ids."""
    clauses: list[str] = []
    params: list = []
    if not include_closed:
        clauses.append("c.status != 'closed'")
    if case_refs is not None:
        refs = sorted({case_refs} if isinstance(case_refs, str) else set(case_refs))
        if refs:
            clauses.append(f"c.case_ref IN ({reader_of(session).placeholders(len(refs))})")
            params.extend(refs)
        else:
            clauses.append("1 = 0")
    # "Has an open allocation to ..." as `id IN (cases of open allocations)`:
    # the database starts from the allocation index (practitioner_pk,
    # end_date) instead of testing every case.
    if practitioner_id is not None:
        clauses.append(
            "c.id IN (SELECT al.case_id FROM allocation al WHERE al.practitioner_pk = ? AND al.end_date IS NULL)"
        )
        params.append(pids.pk_of(practitioner_id))
    if team_id is not None:
        t_pk = _team_pk(session, team_id)
        clauses.append(
            "c.id IN (SELECT al.case_id FROM allocation al JOIN practitioner pr ON pr.id = al.practitioner_pk"
            " WHERE al.end_date IS NULL AND pr.team_pk = ?)"
        )
        params.append(t_pk)
    return _Where(" AND ".join(clauses) or "1 = 1", tuple(params))


def load_cases(
    session,
    *,
    practitioner_id: str | None = None,
    team_id: str | None = None,
    case_refs: Iterable[str] | None = None,
    include_closed: bool = False,
    contacts_since: date | None = None,
) -> list[Case]:
    """The selected cases, by case_ref, each with its allocations, contacts,
    appointments and handovers (with checklist items) in date order.

    - `practitioner_id`: cases currently allocated to them (open allocation);
    - `team_id`: cases whose current practitioner is in that team;
    - `case_refs`: only these cases (meant for a handful; refs not found are
      simply absent, `load_case` reports an unknown one);
    - `include_closed`: closed cases too (history screens, exports);
    - `contacts_since`: drop older contacts (a bounded read for large
      databases; the caller must pick a date early enough for its rules).

    Unknown practitioner or team ids raise CaseloadError. Statement count is
    fixed whatever the number of cases: seven (eight with `team_id`).
    """
    return _load_cases(
        session,
        practitioner_id=practitioner_id,
        team_id=team_id,
        case_refs=case_refs,
        include_closed=include_closed,
        contacts=_contacts_since(contacts_since),
    )


def load_cases_for_warnings(
    session,
    as_of: date,
    *,
    practitioner_id: str | None = None,
    team_id: str | None = None,
    case_refs: Iterable[str] | None = None,
    lookback_days: int = WARNINGS_LOOKBACK_DAYS,
    allocation_lookback_days: int = WARNINGS_ALLOCATION_LOOKBACK_DAYS,
    cancelled_days: int = WARNINGS_CANCELLED_DAYS,
    short_allocation_days: int = WARNINGS_SHORT_ALLOCATION_DAYS,
    policy=None,
) -> list[Case]:
    """The open cases as `load_cases` selects and builds them, but each with
    only the contacts that `caseload warnings` can tell apart on `as_of`
    (`storage.handovers.with_auto_ticks`, then `planner.risk.evaluate`): the
    same warnings, for any policy, from a few contacts a case instead of fifty.

    The rules look at contacts through `planner.rules.RuleContext.scan`,
    a walk from the newest contact dated on or before `as_of` back until it has
    found (1) the last meaningful contact with anyone, (2) the current
    practitioner's own last meaningful contact within the current allocation
    (held by them or with them present; stopping at the allocation start) and
    any meaningful contact by someone else after it, and (3) the run of missed
    contacts back to the last attended one; and, besides the walk, through
    practitioner_cancelled (cancellations by the practitioner's side in its
    window), cold_handover (the incoming practitioner's first contact from the
    handover day) and practitioner_churn (whether a short ended allocation
    had a meaningful contact). The automatic checklist ticks
    (`planner.checklist.auto_ticks`) look at contacts from
    THREE_WAY_WINDOW_DAYS before the planned date of each open handover, or
    one completed in the last FOLLOW_UP_DAYS. So each case keeps its contacts
    from a cutoff date to `as_of`, the earliest of:

    - for the walk: the own last meaningful contact's date when there is one
      (it is no later than the last meaningful contact, which is no later than
      the last attended one); otherwise the earlier of the allocation start
      and the last meaningful contact's date (or, with none, the last attended
      one's); with no attended contact at all, the whole history;
    - for the ticks and cold_handover: the earliest of the planned and
      completion dates of those handovers (completed ones within the longer
      of FOLLOW_UP_DAYS and `lookback_days`) less THREE_WAY_WINDOW_DAYS;
    - for practitioner_cancelled: the earliest contact cancelled by the
      practitioner's side in the last `cancelled_days`;
    - for practitioner_churn: the start of the earliest ended allocation
      shorter than `short_allocation_days` ending inside its window.

    Contacts dated after `as_of` are left out (neither looks at them). Whole
    days are kept, so same-day contacts stay in their order.

    Every handover is kept, but checklist items only for those whose items
    something reads: the open ones (handover_upcoming, the ticks) and the
    completed ones whose completion date (planned date when it has none) is
    on or after `as_of` less `lookback_days` (cold_handover's policy window;
    the ticks' FOLLOW_UP_DAYS, which is never undercut). The others (older
    completed ones, cancelled ones) come with `items=()`. Allocations: the
    open ones, the first one of each case (`RuleContext.gap_from` with no
    meaningful contact) and those ending on or after `as_of` less
    `allocation_lookback_days` (practitioner_churn's window); the rules read
    no others (the current allocation is an open one; churn counts only
    allocations ending inside its window, and its early exit on the number of
    allocations plus handovers still fires only when it could count fewer
    than medium_at practitioners). The defaults are the default policy's
    windows: pass `policy` (a `planner.policy.Policy`) to take every window
    from it instead.
    tests/storage/test_queries_window.py proves the warnings identical to
    those of the full cases on generated histories, the sample and scale data:
    a rule or tick that starts reading other contacts must extend the cutoff
    (that test will say so). Use `load_cases` for anything else (screens,
    checklists, week plans, exports).

    Seven statements, like `load_cases` (eight with `team_id`); one more on
    PostgreSQL, `SET LOCAL jit = off` for the rest of the transaction: the
    planner's cost estimate for the per-case subqueries is high enough for
    JIT compilation, which took longer (0.5-1.4 s) than the query itself.
    """
    if policy is not None:
        lookback_days = policy.cold_handover.window_days
        allocation_lookback_days = policy.practitioner_churn.window_days
        cancelled_days = policy.practitioner_cancelled.window_days
        short_allocation_days = policy.practitioner_churn.short_allocation_days
    reader = reader_of(session)
    if reader.dialect == "postgresql":
        reader.execute("SET LOCAL jit = off")
    handover_days = max(lookback_days, _follow_up_days())
    return _load_cases(
        reader,
        practitioner_id=practitioner_id,
        team_id=team_id,
        case_refs=case_refs,
        include_closed=False,
        contacts=_contacts_for_warnings(as_of, handover_days=handover_days, cancelled_days=cancelled_days,
                                        allocation_days=allocation_lookback_days,
                                        short_days=short_allocation_days),
        items_since=as_of - timedelta(days=handover_days),
        allocations_since=as_of - timedelta(days=allocation_lookback_days),
    )


def _follow_up_days() -> int:
    from planner.handover import FOLLOW_UP_DAYS

    return FOLLOW_UP_DAYS


# How the contact statement is chosen: (reader, for_cases) -> (sql, params),
# given `for_cases(column)`, the selection as a condition on a case id column.
_ContactMode = Callable[[Reader, Callable[[str], _Where]], tuple[str, tuple]]

_CONTACT_COLUMNS = (
    "k.id, k.case_id, k.contact_date, k.practitioner_pk, k.kind, k.outcome, k.cancelled_by, k.with_practitioner_pk"
)
_CONTACT_ORDER = " ORDER BY k.case_id, k.contact_date, k.id"


def _contacts_since(since: date | None) -> _ContactMode:
    def statement(reader: Reader, for_cases):
        where = for_cases("k.case_id")
        sql = f"SELECT {_CONTACT_COLUMNS} FROM contact k WHERE {where.sql}"
        if since is None:
            return sql + _CONTACT_ORDER, where.params
        return sql + " AND k.contact_date >= ?" + _CONTACT_ORDER, (*where.params, since)

    return statement


# A meaningful contact (docs/words.md): its one definition is planner.model.is_meaningful.
_MEANINGFUL = meaningful_sql("k.outcome", "k.kind")


def _contacts_for_warnings(
    as_of: date,
    *,
    handover_days: int,
    cancelled_days: int,
    allocation_days: int,
    short_days: int,
) -> _ContactMode:
    from planner.checklist import THREE_WAY_WINDOW_DAYS

    def statement(reader: Reader, for_cases):
        # Facts per case from correlated subqueries that read a few entries
        # of one case's index ((case_id, contact_date) for contacts), in
        # MATERIALIZED stages (SQLite 3.35+, PostgreSQL 12+) so that none runs
        # twice and no planner turns one into a scan of the contact table.
        # (Joining `contact` on a subquery's id instead made PostgreSQL hash
        # all million contacts; a window function over allocations made
        # SQLite rescan them for every case.)
        #
        # warning_facts, per case: the current allocation (the open one
        # latest by (start_date, id), as Case.current_allocation picks it);
        # the newest meaningful contact's date and practitioner (which of a
        # same-day pair does not matter: `seen_by` only spares a search; a
        # contact the holder was at as the second practitioner is found by
        # the search, in warning_walk); for the checklist ticks and
        # cold_handover, the earliest planned or completion date of a
        # handover whose checklist `with_auto_ticks` fills from contacts (the
        # open ones and those completed in the last `handover_days`), less
        # THREE_WAY_WINDOW_DAYS; the earliest contact cancelled by the
        # practitioner's side in the last `cancelled_days`; the start of the
        # earliest short ended allocation inside the churn window.
        #
        # warning_walk: the holder's own last meaningful contact in the
        # allocation (usually the newest meaningful contact itself, which
        # spares the search) and, with no meaningful contact, the last
        # attended one (it ends the missed run).
        #
        # warning_cutoffs: the earliest date each case needs (see
        # load_cases_for_warnings).
        newest_meaningful = (
            "SELECT k.{col} FROM contact k WHERE k.case_id = c.id AND k.contact_date <= ? AND "
            + _MEANINGFUL + " ORDER BY k.contact_date DESC LIMIT 1"
        )
        handovers, cases = for_cases("h.case_id"), for_cases("c.id")
        for_rules = ("CASE WHEN w.own IS NOT NULL THEN w.own WHEN w.seen IS NULL THEN ?"
                     " WHEN w.start IS NULL OR w.seen < w.start THEN w.seen ELSE w.start END")
        handover_day = "CASE WHEN h.completed_on < h.planned_on THEN h.completed_on ELSE h.planned_on END"
        short = f"{reader.days_between('a.start_date', 'a.end_date')} < ?"
        sql = (
            "WITH warning_facts AS MATERIALIZED (SELECT c.id AS case_id,"
            " (SELECT a.id FROM allocation a WHERE a.case_id = c.id AND a.end_date IS NULL"
            " ORDER BY a.start_date DESC, a.id DESC LIMIT 1) AS allocation_id,"
            f" ({newest_meaningful.format(col='contact_date')}) AS seen_on,"
            f" ({newest_meaningful.format(col='practitioner_pk')}) AS seen_by,"
            f" {reader.days_before('ticked.day', THREE_WAY_WINDOW_DAYS)} AS handover,"
            " (SELECT min(k.contact_date) FROM contact k WHERE k.case_id = c.id AND k.contact_date > ?"
            " AND k.contact_date <= ? AND k.outcome = 'cancelled' AND k.cancelled_by = 'practitioner') AS cancelled,"
            " (SELECT min(a.start_date) FROM allocation a WHERE a.case_id = c.id AND a.end_date IS NOT NULL"
            f" AND a.end_date >= ? AND {short}) AS short"
            f' FROM "case" c LEFT OUTER JOIN (SELECT h.case_id AS case_id, min({handover_day}) AS day'
            f" FROM handover h WHERE {handovers.sql}"
            f" AND (h.status IN ({reader.placeholders(len(OPEN_HANDOVER_STATUSES))})"
            f" OR (h.status IN ({reader.placeholders(len(COMPLETED_HANDOVER_STATUSES))})"
            " AND coalesce(h.completed_on, h.planned_on) >= ?))"
            " GROUP BY h.case_id) ticked ON ticked.case_id = c.id"
            f" WHERE {cases.sql}),"
            " warning_walk AS MATERIALIZED (SELECT f.case_id AS case_id, cur.start_date AS start,"
            " f.handover AS handover, f.cancelled AS cancelled, f.short AS short,"
            " CASE WHEN cur.id IS NULL THEN NULL"
            " WHEN f.seen_by = cur.practitioner_pk AND f.seen_on >= cur.start_date THEN f.seen_on"
            " ELSE (SELECT k.contact_date FROM contact k WHERE k.case_id = f.case_id AND k.contact_date <= ?"
            f" AND {_MEANINGFUL} AND (k.practitioner_pk = cur.practitioner_pk"
            " OR k.with_practitioner_pk = cur.practitioner_pk)"
            " AND k.contact_date >= cur.start_date ORDER BY k.contact_date DESC LIMIT 1) END AS own,"
            " coalesce(f.seen_on, (SELECT k.contact_date FROM contact k WHERE k.case_id = f.case_id"
            " AND k.contact_date <= ? AND k.outcome = 'attended' ORDER BY k.contact_date DESC LIMIT 1)) AS seen"
            " FROM warning_facts f LEFT OUTER JOIN allocation cur ON cur.id = f.allocation_id),"
            " warning_cutoffs AS MATERIALIZED (SELECT w.case_id AS case_id,"
            f" {reader.least(f'({for_rules})', 'w.handover', 'w.cancelled', 'w.short')} AS cutoff"
            " FROM warning_walk w)"
            f" SELECT {_CONTACT_COLUMNS} FROM warning_cutoffs x JOIN contact k ON k.case_id = x.case_id"
            " WHERE k.contact_date >= x.cutoff AND k.contact_date <= ?" + _CONTACT_ORDER
        )
        params = (
            as_of, as_of,
            as_of - timedelta(days=cancelled_days), as_of,
            as_of - timedelta(days=allocation_days), short_days,
            *handovers.params, *OPEN_HANDOVER_STATUSES, *COMPLETED_HANDOVER_STATUSES,
            as_of - timedelta(days=handover_days),
            *cases.params,
            as_of, as_of,
            date.min,
            as_of,
        )
        return sql, params

    return statement


def _load_cases(
    session,
    *,
    practitioner_id: str | None,
    team_id: str | None,
    case_refs: Iterable[str] | None,
    include_closed: bool,
    contacts: _ContactMode,
    items_since: date | None = None,
    allocations_since: date | None = None,
) -> list[Case]:
    with paused():
        return _build_cases(
            session,
            practitioner_id=practitioner_id,
            team_id=team_id,
            case_refs=case_refs,
            include_closed=include_closed,
            contacts=contacts,
            items_since=items_since,
            allocations_since=allocations_since,
        )


def _build_cases(
    session,
    *,
    practitioner_id: str | None,
    team_id: str | None,
    case_refs: Iterable[str] | None,
    include_closed: bool,
    contacts: _ContactMode,
    items_since: date | None = None,
    allocations_since: date | None = None,
) -> list[Case]:
    """`items_since`: checklist items only of open handovers and of completed
    ones completed (or, with no completion date, planned) on or after it;
    `allocations_since`: only each case's first allocation, the open ones and
    those ending on or after it. None: everything."""
    reader = reader_of(session)
    pids = _PractitionerIds(reader)
    selection = _case_filter(
        reader,
        pids,
        practitioner_id=practitioner_id,
        team_id=team_id,
        case_refs=case_refs,
        include_closed=include_closed,
    )
    case_rows = reader.all(
        "SELECT c.id, c.case_ref, c.display_name, t.team_id, c.tier, c.contact_level, c.youth, c.flags,"
        " c.status, c.paused_until, c.date_of_birth"
        ' FROM "case" c LEFT OUTER JOIN team t ON t.id = c.team_pk'
        f" WHERE {selection.sql} ORDER BY c.case_ref",
        selection.params,
    )
    if not case_rows:
        return []

    ids = [row[0] for row in case_rows]
    if len(ids) <= (SQLITE_ID_LIST_LIMIT if reader.dialect == "sqlite" else ID_LIST_LIMIT):
        id_list = reader.placeholders(len(ids))

        def for_cases(column: str) -> _Where:
            return _Where(f"{column} IN ({id_list})", tuple(ids))
    else:
        def for_cases(column: str) -> _Where:
            return _Where(f'{column} IN (SELECT c.id FROM "case" c WHERE {selection.sql})', selection.params)

    dates = _Dates()
    words = _Words()
    allocations = _allocations_by_case(reader, for_cases, pids, dates, allocations_since)
    contact_lists = _contact_lists(reader.rows(*contacts(reader, for_cases)), pids, dates, words)
    appointments = _appointments_by_case(reader, for_cases, pids, dates, words)
    handovers = _handovers_by_case(reader, for_cases, pids, dates, words, items_since)
    return _assemble_cases(case_rows, dates, words, allocations, contact_lists, appointments, handovers)


def _allocations_by_case(reader, for_cases, pids: _PractitionerIds, dates: _Dates,
                         allocations_since: date | None) -> dict[int, list[Allocation]]:
    allocations: dict[int, list[Allocation]] = defaultdict(list)
    make = _make_allocation
    where = for_cases("a.case_id")
    alloc_rows = reader.rows(
        "SELECT a.case_id, a.practitioner_pk, a.start_date, a.end_date, a.reason FROM allocation a"
        f" WHERE {where.sql} ORDER BY a.case_id, a.start_date, a.id",
        where.params,
    )
    if allocations_since is None:
        for case_id, ppk, start, end, reason in alloc_rows:
            allocations[case_id].append(make(pids[ppk], dates[start], dates[end], reason))
    else:
        # Filtered here, not in SQL: "the first of the case" is the row order.
        for case_id, ppk, start, end, reason in alloc_rows:
            end_date = dates[end]
            if end_date is None or end_date >= allocations_since or case_id not in allocations:
                allocations[case_id].append(make(pids[ppk], dates[start], end_date, reason))
    return allocations


def _appointments_by_case(reader, for_cases, pids: _PractitionerIds, dates: _Dates,
                          words: _Words) -> dict[int, list[Appointment]]:
    appointments: dict[int, list[Appointment]] = defaultdict(list)
    times = _Times()
    make = _make_appointment
    where = for_cases("ap.case_id")
    for aid, case_id, day, ppk, time, kind, rrule in reader.rows(
        "SELECT ap.id, ap.case_id, ap.appointment_date, ap.practitioner_pk, ap.time, ap.kind, ap.rrule"
        f" FROM appointment ap WHERE {where.sql} ORDER BY ap.case_id, ap.appointment_date, ap.id",
        where.params,
    ):
        appointments[case_id].append(make(dates[day], pids[ppk], times[time], words[kind], rrule, aid))
    return appointments


def _handovers_by_case(reader, for_cases, pids: _PractitionerIds, dates: _Dates, words: _Words,
                       items_since: date | None) -> dict[int, list[Handover]]:
    items: dict[int, list[ChecklistItem]] = defaultdict(list)
    make = _make_item
    where = for_cases("h.case_id")
    with_items, item_params = where.sql, list(where.params)
    if items_since is not None:
        with_items += (
            f" AND (h.status IN ({reader.placeholders(len(OPEN_HANDOVER_STATUSES))})"
            f" OR (h.status IN ({reader.placeholders(len(COMPLETED_HANDOVER_STATUSES))})"
            " AND coalesce(h.completed_on, h.planned_on) >= ?))"
        )
        item_params += [*OPEN_HANDOVER_STATUSES, *COMPLETED_HANDOVER_STATUSES, items_since]
    for hid, item_id, title, required, due, done, done_on, note, owner in reader.rows(
        # `IN` rather than a join: SQLite then walks the items in handover_id
        # order and sorts only each handover's few by (due, id).
        "SELECT hi.handover_id, hi.item_id, hi.title, hi.required, hi.due, hi.done, hi.done_on, hi.note, hi.owner"
        f" FROM handover_item hi WHERE hi.handover_id IN (SELECT h.id FROM handover h WHERE {with_items})"
        " ORDER BY hi.handover_id, hi.due, hi.id",
        item_params,
    ):
        items[hid].append(
            make(item_id, title, bool(required), dates[due], bool(done), dates[done_on], note, owner)
        )

    handovers: dict[int, list[Handover]] = defaultdict(list)
    make = _make_handover
    for row in reader.rows(
        "SELECT h.id, h.case_id, h.from_practitioner_pk, h.to_practitioner_pk, h.planned_on, h.status,"
        " h.completed_on, h.override_reason, h.reason, h.reviewed"
        f" FROM handover h WHERE {where.sql} ORDER BY h.case_id, h.planned_on, h.id",
        where.params,
    ):
        hid, case_id, from_pk, to_pk, planned_on, status, completed_on, override, reason, reviewed = row
        handovers[case_id].append(
            make(
                pids[from_pk],
                pids[to_pk],
                dates[planned_on],
                words[status],
                tuple(items.get(hid, ())),
                dates[completed_on],
                override,
                reason,
                bool(reviewed),
                hid,
            )
        )
    return handovers


def _assemble_cases(case_rows, dates: _Dates, words: _Words, allocations, contact_lists, appointments,
                    handovers) -> list[Case]:
    make = _make_case
    flag_sets = _FlagSets()
    levels: dict[tuple[str | None, str | None], str] = {}
    no_contacts: tuple[Contact, ...] = ()
    cases: list[Case] = []
    for case_id, ref, name, team, tier, level, youth, flags, status, paused_until, dob in case_rows:
        resolved = levels.get((tier, level))
        if resolved is None:
            resolved = levels[(tier, level)] = level_for(tier, level)
        cases.append(
            make(
                ref,
                name,
                team,
                tier,
                resolved,
                bool(youth),
                flag_sets[flags],
                words[status],
                dates[paused_until],
                dates[dob],
                tuple(allocations.get(case_id, ())),
                contact_lists.get(case_id, no_contacts),
                tuple(appointments.get(case_id, ())),
                tuple(handovers.get(case_id, ())),
                case_id,
            )
        )
    return cases


def _contact_lists(rows, pids: _PractitionerIds, dates: _Dates, words: _Words) -> dict[int, tuple[Contact, ...]]:
    """Contact rows (id, case_id, date, practitioner pk, kind, outcome,
    cancelled_by, with practitioner pk), in case order, as a tuple of
    Contacts per case id. The hot loop of a whole-region load (a million
    rows): no per-row attribute look-ups, no frozen __init__, shared date and
    word objects."""
    out: dict[int, tuple[Contact, ...]] = {}
    make = _make_contact
    current: int | None = None
    bucket: list[Contact] = []
    append = bucket.append
    for cid, case_id, day, ppk, kind, outcome, by, wpk in rows:
        if case_id != current:
            if bucket:
                out[current] = tuple(bucket)
            current = case_id
            bucket = []
            append = bucket.append
        append(make(dates[day], pids[ppk], words[kind], words[outcome], cid, by and words[by],
                    None if wpk is None else pids[wpk]))
    if bucket:
        out[current] = tuple(bucket)
    return out


def load_case(session, case_ref: str, *, contacts_since: date | None = None) -> Case:
    """One case, open or closed; CaseloadError "unknown case REF" if absent."""
    cases = load_cases(session, case_refs=[case_ref], include_closed=True, contacts_since=contacts_since)
    if not cases:
        raise CaseloadError(f"unknown case {case_ref}")
    return cases[0]


def case_versions(session, case_ref: str) -> int:
    """The case row's current version, to pass back as `expected_version`."""
    version = _scalar(session, 'SELECT version FROM "case" WHERE case_ref = ?', (case_ref,))
    if version is None:
        raise CaseloadError(f"unknown case {case_ref}")
    return version


def appointment_version(session, appointment_id: int) -> int:
    """An appointment's current version, to pass back as `expected_version`
    to `storage.repo.move_appointment` / `cancel_appointment`."""
    version = _scalar(session, "SELECT version FROM appointment WHERE id = ?", (appointment_id,))
    if version is None:
        raise CaseloadError(f"unknown appointment {appointment_id}")
    return version


# ---------------------------------------------------------------- actions, notes


def load_actions(
    session,
    owner_id: str | None = None,
    open_only: bool = True,
    case_ref: str | None = None,
) -> list[Action]:
    """Supervision actions by due date; optionally one owner's, one case's,
    and (default) only those not done. Unknown owner or case: CaseloadError."""
    clauses: list[str] = []
    params: list = []
    if owner_id is not None:
        owner_pk = _scalar(session, "SELECT id FROM practitioner WHERE practitioner_id = ?", (owner_id,))
        if owner_pk is None:
            raise CaseloadError(f"unknown practitioner {owner_id}")
        clauses.append("ac.owner_pk = ?")
        params.append(owner_pk)
    if case_ref is not None:
        clauses.append("ac.case_id = ?")
        params.append(_case_pk(session, case_ref))
    if open_only:
        clauses.append("NOT ac.done")
    where = f" WHERE {' AND '.join(clauses)}" if clauses else ""
    dates = _Dates()
    return [
        Action(text=text, owner_id=owner, due=dates[due], case_ref=ref, done=bool(done), session_id=sid, id=aid)
        for aid, text, owner, due, ref, done, sid in _rows(
            session,
            "SELECT ac.id, ac.text, p.practitioner_id, ac.due, c.case_ref, ac.done, ac.session_id"
            ' FROM action ac JOIN practitioner p ON p.id = ac.owner_pk LEFT OUTER JOIN "case" c ON c.id = ac.case_id'
            f"{where} ORDER BY ac.due, ac.id",
            params,
        )
    ]


def load_case_notes(session, case_ref: str) -> list[CaseNoteView]:
    """A case's notes, oldest first. CaseloadError for an unknown case."""
    case_pk = _case_pk(session, case_ref)
    rows = _rows(
        session,
        "SELECT n.id, n.written_on, p.practitioner_id, n.text"
        " FROM case_note n LEFT OUTER JOIN practitioner p ON p.id = n.author_pk"
        " WHERE n.case_id = ? ORDER BY n.written_on, n.id",
        (case_pk,),
    )
    dates = _Dates()
    return [
        CaseNoteView(id=nid, case_ref=case_ref, written_on=dates[written_on], author_id=author, text=text)
        for nid, written_on, author, text in rows
    ]


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
    "load_cases",
    "load_cases_for_warnings",
    "load_world",
]
