"""Read side: database rows to the frozen dataclasses of `planner.model`.

Built for a region on one PostgreSQL server (20,000 cases, a million
contacts), so every loader:

- issues a FIXED number of statements whatever the number of cases: one per
  table, never one per case (tests/storage/test_queries.py counts them);
- selects only the columns the dataclasses need, with Core `select()` of
  columns, and builds the dataclasses from plain tuples (no ORM objects, no
  identity map, no lazy loads);
- filters the child tables (allocations, contacts, appointments, handovers,
  checklist items) by the cases chosen: a short IN list of case ids for a
  handful of cases, otherwise a subquery on the same case filter, so the
  database never receives tens of thousands of bound parameters;
- fetches the big child tables straight from the driver's cursor (`_raw_rows`)
  and builds their dataclasses with `planner.model.fast_constructor`, each
  distinct date parsed once, with garbage collection paused (`gc_paused`):
  a whole region (a million contacts) loads in about 2 s on SQLite, not 5.

`load_cases_for_warnings` is the bounded read for `caseload warnings`: the
same cases with only the contacts the rules can see on the as-of date (a few
per case), proved to give identical warnings.

Practitioner foreign keys are integer `*_pk` columns; one small query maps
them to the natural `practitioner_id` strings instead of joining the
practitioner table into every child query.
"""

from __future__ import annotations

import gc
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
import datetime as dt
from datetime import date, timedelta
from typing import Any

from sqlalchemy import Date, and_, case, func, literal, literal_column, null, or_, select
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement
from sqlalchemy.orm import aliased
from sqlmodel import Session

from planner.errors import CaseloadError
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
)
from storage import models as m

# At or below this many selected cases the child queries name the case ids
# (`case_id IN (...)`); above it they repeat the case filter as a subquery.
ID_LIST_LIMIT = 500

DEFAULT_NATION = "england-and-wales"

# How far back `load_cases_for_warnings` keeps checklist items of completed
# handovers and ended allocations by default: the default policy's
# cold_handover.window_days and practitioner_churn.window_days
# (tests/storage/test_queries_window.py checks they still match).
WARNINGS_LOOKBACK_DAYS = 84
WARNINGS_ALLOCATION_LOOKBACK_DAYS = 365


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


def _rows(session: Session, stmt) -> list:
    """All rows of a Core select, run on the session's connection (so in its
    transaction) without the ORM result layer, and fetched in one go: at a
    million contacts this is several times faster than `session.execute`
    and iterating."""
    return session.connection().execute(stmt).fetchall()


def _raw_rows(session: Session, stmt) -> Iterator[tuple]:
    """The rows of a Core select as the driver returns them: plain tuples,
    no SQLAlchemy result processing, so dates are ISO text on SQLite and
    `date`s on PostgreSQL (pass them through `_Dates`), booleans 0/1 on
    SQLite. The statement still goes through the session's connection (its
    transaction, its bound-parameter handling, its events: statements are
    counted); only the fetch skips the result layer, which costs more than
    the query itself at a million rows. Rows stream: iterate once, fully."""
    result = session.connection().execute(stmt)
    try:
        yield from result.cursor
    finally:
        result.close()


class _Dates(dict):
    """Driver value -> `date`: ISO text parsed once per distinct string
    (thousands of contacts share a day), a `date` or None passed through."""

    def __missing__(self, key):
        value = date.fromisoformat(key) if isinstance(key, str) else key
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


def _scalar(session: Session, stmt):
    """The single value of a one-row select, or None."""
    return session.connection().execute(stmt).scalar_one_or_none()


def _flags(raw: str | None) -> frozenset[str]:
    return frozenset(flag.strip() for flag in (raw or "").split(";") if flag.strip())


class _PractitionerIds(dict):
    """Surrogate pk -> natural practitioner_id. A practitioner added by
    someone else between our statements is looked up on demand (rare)."""

    def __init__(self, session: Session) -> None:
        super().__init__(_rows(session, select(m.Practitioner.id, m.Practitioner.practitioner_id)))
        self._session = session

    def __missing__(self, pk: int) -> str:
        pid = _scalar(self._session, select(m.Practitioner.practitioner_id).where(m.Practitioner.id == pk))
        if pid is None:
            raise CaseloadError(f"practitioner row {pk} vanished while loading; try again")
        self[pk] = pid
        return pid

    def pk_of(self, practitioner_id: str) -> int:
        for pk, pid in self.items():
            if pid == practitioner_id:
                return pk
        raise CaseloadError(f"unknown practitioner {practitioner_id}")


def _team_pk(session: Session, team_id: str) -> int:
    pk = _scalar(session, select(m.Team.id).where(m.Team.team_id == team_id))
    if pk is None:
        raise CaseloadError(f"unknown team {team_id}")
    return pk


def _case_pk(session: Session, case_ref: str) -> int:
    pk = _scalar(session, select(m.Case.id).where(m.Case.case_ref == case_ref))
    if pk is None:
        raise CaseloadError(f"unknown case {case_ref}")
    return pk


# ---------------------------------------------------------------- world


def _team_rows(session: Session) -> list[Team]:
    rows = _rows(
        session,
        select(m.Team.team_id, m.Team.name, m.Team.nation).order_by(m.Team.team_id),
    )
    return [Team(team_id=tid, name=name, nation=nation or DEFAULT_NATION) for tid, name, nation in rows]


def _practitioner_rows(session: Session, team_pk: int | None = None) -> list[Practitioner]:
    P, T = m.Practitioner, m.Team
    stmt = (
        select(
            P.practitioner_id,
            P.name,
            T.team_id,
            P.role,
            P.grade,
            P.contracted_hours,
            P.reduction_pct,
            P.leaving_on,
            P.email,
            P.nation,
            T.nation,
        )
        .join(T, T.id == P.team_pk)
        .order_by(P.practitioner_id)
    )
    if team_pk is not None:
        stmt = stmt.where(P.team_pk == team_pk)
    return [
        Practitioner(
            practitioner_id=pid,
            name=name,
            team_id=team_id,
            role=role,
            grade=grade,
            contracted_hours=float(hours),
            reduction_pct=float(reduction or 0.0),
            leaving_on=leaving_on,
            email=email,
            nation=own_nation or team_nation or DEFAULT_NATION,
        )
        for (
            pid, name, team_id, role, grade, hours, reduction, leaving_on, email, own_nation, team_nation
        ) in _rows(session, stmt)
    ]


def load_world(session: Session) -> World:
    """Teams, practitioners and absences (grouped by practitioner_id, by start date).

    Three statements."""
    with gc_paused():
        return _build_world(session)


def _build_world(session: Session) -> World:
    teams = _team_rows(session)
    practitioners = _practitioner_rows(session)
    P = m.Practitioner
    Cover = aliased(m.Practitioner)
    A = m.Absence
    rows = _raw_rows(
        session,
        select(A.id, P.practitioner_id, A.start_date, A.end_date, A.kind, Cover.practitioner_id)
        .join(P, P.id == A.practitioner_pk)
        .outerjoin(Cover, Cover.id == A.cover_practitioner_pk)
        .order_by(P.practitioner_id, A.start_date, A.id)
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


def list_teams(session: Session) -> list[Team]:
    """Every team, by team_id."""
    return _team_rows(session)


def list_practitioners(session: Session, team_id: str | None = None) -> list[Practitioner]:
    """Practitioners by practitioner_id, optionally of one team (CaseloadError if unknown)."""
    team_pk = _team_pk(session, team_id) if team_id is not None else None
    return _practitioner_rows(session, team_pk)


# ---------------------------------------------------------------- cases


def _case_filter(
    session: Session,
    pids: _PractitionerIds,
    *,
    practitioner_id: str | None,
    team_id: str | None,
    case_refs: Iterable[str] | None,
    include_closed: bool,
) -> list:
    """WHERE clauses on `case` for the selection; CaseloadError for unknown ids."""
    C = m.Case
    clauses: list = []
    if not include_closed:
        clauses.append(C.status != "closed")
    if case_refs is not None:
        refs = sorted({case_refs} if isinstance(case_refs, str) else set(case_refs))
        clauses.append(C.case_ref.in_(refs))
    # "Has an open allocation to ..." as `id IN (cases of open allocations)`:
    # the database starts from the allocation index (practitioner_pk,
    # end_date) instead of testing every case.
    if practitioner_id is not None:
        p_pk = pids.pk_of(practitioner_id)
        Al = aliased(m.Allocation)
        clauses.append(
            C.id.in_(select(Al.case_id).where(Al.practitioner_pk == p_pk, Al.end_date.is_(None)))
        )
    if team_id is not None:
        t_pk = _team_pk(session, team_id)
        Al = aliased(m.Allocation)
        Pr = aliased(m.Practitioner)
        clauses.append(
            C.id.in_(
                select(Al.case_id)
                .join(Pr, Pr.id == Al.practitioner_pk)
                .where(Al.end_date.is_(None), Pr.team_pk == t_pk)
            )
        )
    return clauses


def load_cases(
    session: Session,
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
    session: Session,
    as_of: date,
    *,
    practitioner_id: str | None = None,
    team_id: str | None = None,
    case_refs: Iterable[str] | None = None,
    lookback_days: int = WARNINGS_LOOKBACK_DAYS,
    allocation_lookback_days: int = WARNINGS_ALLOCATION_LOOKBACK_DAYS,
) -> list[Case]:
    """The open cases as `load_cases` selects and builds them, but each with
    only the contacts that `caseload warnings` can tell apart on `as_of`
    (`storage.handovers.with_auto_ticks`, then `planner.risk.evaluate`): the
    same warnings, for any policy, from a few contacts a case instead of fifty.

    The rules look at contacts only through `planner.rules.RuleContext.scan`,
    a walk from the newest contact dated on or before `as_of` back until it has
    found (1) the last meaningful contact with anyone, (2) the current
    practitioner's own last meaningful contact within the current allocation
    (stopping at the allocation start) and any meaningful contact by someone
    else after it, and (3) the run of missed contacts back to the last attended
    one. The automatic checklist ticks (`planner.checklist.auto_ticks`) look at
    contacts from THREE_WAY_WINDOW_DAYS before the planned date of each open
    handover, or one completed in the last FOLLOW_UP_DAYS. So each case keeps
    its contacts from a cutoff date to `as_of`, the earliest of:

    - for the walk: the own last meaningful contact's date when there is one
      (it is no later than the last meaningful contact, which is no later than
      the last attended one); otherwise the earlier of the allocation start
      and the last meaningful contact's date (or, with none, the last attended
      one's); with no attended contact at all, the whole history;
    - for the ticks: the earliest such handover's planned date less
      THREE_WAY_WINDOW_DAYS.

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
    than medium_at practitioners). The defaults are the default policy's windows: a policy with a
    longer cold_handover or practitioner_churn window must pass its own.
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
    connection = session.connection()
    if connection.dialect.name == "postgresql":
        connection.exec_driver_sql("SET LOCAL jit = off")
    return _load_cases(
        session,
        practitioner_id=practitioner_id,
        team_id=team_id,
        case_refs=case_refs,
        include_closed=False,
        contacts=_contacts_for_warnings(as_of),
        items_since=as_of - timedelta(days=max(lookback_days, _follow_up_days())),
        allocations_since=as_of - timedelta(days=allocation_lookback_days),
    )


def _follow_up_days() -> int:
    from storage.handovers import FOLLOW_UP_DAYS

    return FOLLOW_UP_DAYS


# How the contact statement is chosen: (stmt, for_cases) -> stmt, given the
# plain statement over the selected cases and `for_cases(column)`, the
# selection as a condition on a case id column.
_ContactMode = Callable[[Any, Callable[[Any], Any]], Any]


class _DaysBefore(FunctionElement):
    """`day - n days` for a date column or subquery, on SQLite (ISO text, as
    dates are stored there) and PostgreSQL. NULL stays NULL."""

    type = Date()
    name = "days_before"
    inherit_cache = True

    def __init__(self, day, days: int) -> None:
        super().__init__(day, literal_column(str(int(days))))


@compiles(_DaysBefore, "sqlite")
def _days_before_sqlite(element, compiler, **kw):
    day, days = element.clauses
    return f"date({compiler.process(day, **kw)}, '-{compiler.process(days, **kw)} days')"


@compiles(_DaysBefore, "postgresql")
def _days_before_postgresql(element, compiler, **kw):
    day, days = element.clauses
    return f"({compiler.process(day, **kw)} - {compiler.process(days, **kw)})"


def _contacts_since(since: date | None) -> _ContactMode:
    def restrict(stmt, for_cases):
        K = m.Contact
        return stmt if since is None else stmt.where(K.contact_date >= since)

    return restrict


def _contacts_for_warnings(as_of: date) -> _ContactMode:
    from planner.checklist import THREE_WAY_WINDOW_DAYS
    from storage.handovers import FOLLOW_UP_DAYS

    def restrict(stmt, for_cases):
        K, A, C, H = m.Contact, m.Allocation, m.Case, m.Handover
        meaningful = (K.outcome == "attended", K.kind != "other")

        # Facts per case from correlated subqueries that read a few entries
        # of one case's index ((case_id, contact_date) for contacts), in
        # MATERIALIZED stages (SQLite 3.35+, PostgreSQL 12+) so that none runs
        # twice and no planner turns one into a scan of the contact table.
        # (Joining `contact` on a subquery's id instead made PostgreSQL hash
        # all million contacts; a window function over allocations made
        # SQLite rescan them for every case.)

        # The current allocation: the open one latest by (start_date, id), as
        # Case.current_allocation picks it from allocations in that order.
        current = (
            select(A.id)
            .where(A.case_id == C.id, A.end_date.is_(None))
            .order_by(A.start_date.desc(), A.id.desc())
            .limit(1)
            .correlate(C)
            .scalar_subquery()
        )

        def newest_meaningful(column):
            # A meaningful contact of the latest date that has one (which of a
            # same-day pair does not matter: `seen_by` only spares a search).
            return (
                select(column)
                .where(K.case_id == C.id, K.contact_date <= as_of, *meaningful)
                .order_by(K.contact_date.desc())
                .limit(1)
                .correlate(C)
                .scalar_subquery()
            )

        # Handovers whose checklist `with_auto_ticks` fills from contacts: the
        # open ones and those completed in the last FOLLOW_UP_DAYS.
        ticked = (
            select(H.case_id, func.min(H.planned_on).label("planned_on"))
            .where(
                for_cases(H.case_id),
                or_(
                    H.status.in_(OPEN_HANDOVER_STATUSES),
                    and_(
                        H.status.in_(COMPLETED_HANDOVER_STATUSES),
                        H.completed_on >= as_of - timedelta(days=FOLLOW_UP_DAYS),
                    ),
                ),
            )
            .group_by(H.case_id)
            .subquery("ticked")
        )
        first = (
            select(
                C.id.label("case_id"),
                current.label("allocation_id"),
                newest_meaningful(K.contact_date).label("seen_on"),
                newest_meaningful(K.practitioner_pk).label("seen_by"),
                _DaysBefore(ticked.c.planned_on, THREE_WAY_WINDOW_DAYS).label("handover"),
            )
            .select_from(C)
            .outerjoin(ticked, ticked.c.case_id == C.id)
            .where(for_cases(C.id))
            .cte("warning_facts")
            .prefix_with("MATERIALIZED")
        )
        f = first.c
        Cur = aliased(m.Allocation, name="cur")

        def newest(*conditions):
            return (
                select(K.contact_date)
                .where(K.case_id == f.case_id, K.contact_date <= as_of, *conditions)
                .order_by(K.contact_date.desc())
                .limit(1)
                .correlate(first, Cur)
                .scalar_subquery()
            )

        # The holder's own last meaningful contact in the allocation: usually
        # the newest meaningful contact itself, which spares the search.
        own = case(
            (Cur.id.is_(None), null()),
            ((f.seen_by == Cur.practitioner_pk) & (f.seen_on >= Cur.start_date), f.seen_on),
            else_=newest(*meaningful, K.practitioner_pk == Cur.practitioner_pk, K.contact_date >= Cur.start_date),
        )
        # With no meaningful contact, the last attended one ends the missed run.
        seen = func.coalesce(f.seen_on, newest(K.outcome == "attended"))
        second = (
            select(f.case_id, Cur.start_date.label("start"), f.handover, own.label("own"), seen.label("seen"))
            .select_from(first)
            .outerjoin(Cur, Cur.id == f.allocation_id)
            .cte("warning_walk")
            .prefix_with("MATERIALIZED")
        )
        w = second.c
        for_rules = case(
            (w.own.is_not(None), w.own),
            (w.seen.is_(None), literal(date.min, Date)),
            ((w.start.is_(None)) | (w.seen < w.start), w.seen),
            else_=w.start,
        )
        cutoff = case(
            ((w.handover.is_not(None)) & (w.handover < for_rules), w.handover),
            else_=for_rules,
        )
        cuts = select(w.case_id, cutoff.label("cutoff")).cte("warning_cutoffs").prefix_with("MATERIALIZED")
        return (
            select(K.id, K.case_id, K.contact_date, K.practitioner_pk, K.kind, K.outcome)
            .select_from(cuts)
            .join(K, K.case_id == cuts.c.case_id)
            .where(K.contact_date >= cuts.c.cutoff, K.contact_date <= as_of)
        )

    return restrict


def _load_cases(
    session: Session,
    *,
    practitioner_id: str | None,
    team_id: str | None,
    case_refs: Iterable[str] | None,
    include_closed: bool,
    contacts: _ContactMode,
    items_since: date | None = None,
    allocations_since: date | None = None,
) -> list[Case]:
    with gc_paused():
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


@contextmanager
def gc_paused():
    """No cyclic garbage collection while a loader builds its objects.

    Python runs a collection every few hundred allocations and a full one as
    the number of live objects grows by a quarter, so building a million
    contacts set off passes over everything already built (load_world after
    a whole-region load_cases: 0.21 s with collection, 0.03 s without). What
    we build holds no reference cycles; collection resumes (if it was on)
    when the load ends."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _build_cases(
    session: Session,
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
    pids = _PractitionerIds(session)
    clauses = _case_filter(
        session,
        pids,
        practitioner_id=practitioner_id,
        team_id=team_id,
        case_refs=case_refs,
        include_closed=include_closed,
    )
    C, T = m.Case, m.Team
    case_rows = list(_raw_rows(
        session,
        select(
            C.id,
            C.case_ref,
            C.display_name,
            T.team_id,
            C.tier,
            C.contact_level,
            C.youth,
            C.flags,
            C.status,
            C.paused_until,
            C.date_of_birth,
        )
        .outerjoin(T, T.id == C.team_pk)
        .where(*clauses)
        .order_by(C.case_ref),
    ))
    if not case_rows:
        return []

    ids = [row[0] for row in case_rows]
    if len(ids) <= ID_LIST_LIMIT:
        def for_cases(column):
            return column.in_(ids)
    else:
        case_ids = select(C.id).where(*clauses).scalar_subquery()

        def for_cases(column):
            return column.in_(case_ids)

    dates = _Dates()
    words = _Words()

    allocations: dict[int, list[Allocation]] = defaultdict(list)
    A = m.Allocation
    make = _make_allocation
    alloc_rows = _raw_rows(
        session,
        select(A.case_id, A.practitioner_pk, A.start_date, A.end_date, A.reason)
        .where(for_cases(A.case_id))
        .order_by(A.case_id, A.start_date, A.id)
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

    K = m.Contact
    stmt = contacts(
        select(K.id, K.case_id, K.contact_date, K.practitioner_pk, K.kind, K.outcome).where(
            for_cases(K.case_id)
        ),
        for_cases,
    ).order_by(K.case_id, K.contact_date, K.id)
    contact_lists = _contact_lists(_raw_rows(session, stmt), pids, dates, words)

    appointments: dict[int, list[Appointment]] = defaultdict(list)
    Ap = m.Appointment
    times = _Times()
    make = _make_appointment
    for aid, case_id, day, ppk, time, kind, rrule in _raw_rows(
        session,
        select(Ap.id, Ap.case_id, Ap.appointment_date, Ap.practitioner_pk, Ap.time, Ap.kind, Ap.rrule)
        .where(for_cases(Ap.case_id))
        .order_by(Ap.case_id, Ap.appointment_date, Ap.id)
    ):
        appointments[case_id].append(make(dates[day], pids[ppk], times[time], words[kind], rrule, aid))

    H, HI = m.Handover, m.HandoverItem
    items: dict[int, list[ChecklistItem]] = defaultdict(list)
    make = _make_item
    with_items = [for_cases(H.case_id)]
    if items_since is not None:
        with_items.append(
            or_(
                H.status.in_(OPEN_HANDOVER_STATUSES),
                and_(
                    H.status.in_(COMPLETED_HANDOVER_STATUSES),
                    func.coalesce(H.completed_on, H.planned_on) >= items_since,
                ),
            )
        )
    for hid, item_id, title, required, due, done, done_on, note, owner in _raw_rows(
        session,
        select(HI.handover_id, HI.item_id, HI.title, HI.required, HI.due, HI.done, HI.done_on, HI.note, HI.owner)
        # `IN` rather than a join: SQLite then walks the items in handover_id
        # order and sorts only each handover's few by (due, id).
        .where(HI.handover_id.in_(select(H.id).where(*with_items)))
        .order_by(HI.handover_id, HI.due, HI.id)
    ):
        items[hid].append(
            make(item_id, title, bool(required), dates[due], bool(done), dates[done_on], note, owner)
        )

    handovers: dict[int, list[Handover]] = defaultdict(list)
    make = _make_handover
    for row in _raw_rows(
        session,
        select(
            H.id,
            H.case_id,
            H.from_practitioner_pk,
            H.to_practitioner_pk,
            H.planned_on,
            H.status,
            H.completed_on,
            H.override_reason,
            H.reason,
            H.reviewed,
        )
        .where(for_cases(H.case_id))
        .order_by(H.case_id, H.planned_on, H.id)
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
    """Contact rows (id, case_id, date, practitioner pk, kind, outcome), in
    case order, as a tuple of Contacts per case id. The hot loop of a whole-
    region load (a million rows): no per-row attribute look-ups, no frozen
    __init__, shared date and word objects."""
    out: dict[int, tuple[Contact, ...]] = {}
    make = _make_contact
    current: int | None = None
    bucket: list[Contact] = []
    append = bucket.append
    for cid, case_id, day, ppk, kind, outcome in rows:
        if case_id != current:
            if bucket:
                out[current] = tuple(bucket)
            current = case_id
            bucket = []
            append = bucket.append
        append(make(dates[day], pids[ppk], words[kind], words[outcome], cid))
    if bucket:
        out[current] = tuple(bucket)
    return out


def load_case(session: Session, case_ref: str, *, contacts_since: date | None = None) -> Case:
    """One case, open or closed; CaseloadError "unknown case REF" if absent."""
    cases = load_cases(session, case_refs=[case_ref], include_closed=True, contacts_since=contacts_since)
    if not cases:
        raise CaseloadError(f"unknown case {case_ref}")
    return cases[0]


def case_versions(session: Session, case_ref: str) -> int:
    """The case row's current version, to pass back as `expected_version`."""
    version = _scalar(session, select(m.Case.version).where(m.Case.case_ref == case_ref))
    if version is None:
        raise CaseloadError(f"unknown case {case_ref}")
    return version


def appointment_version(session: Session, appointment_id: int) -> int:
    """An appointment's current version, to pass back as `expected_version`
    to `storage.repo.move_appointment` / `cancel_appointment`."""
    version = _scalar(session, select(m.Appointment.version).where(m.Appointment.id == appointment_id))
    if version is None:
        raise CaseloadError(f"unknown appointment {appointment_id}")
    return version


# ---------------------------------------------------------------- actions, notes


def load_actions(
    session: Session,
    owner_id: str | None = None,
    open_only: bool = True,
    case_ref: str | None = None,
) -> list[Action]:
    """Supervision actions by due date; optionally one owner's, one case's,
    and (default) only those not done. Unknown owner or case: CaseloadError."""
    Ac, P, C = m.Action, m.Practitioner, m.Case
    stmt = (
        select(Ac.id, Ac.text, P.practitioner_id, Ac.due, C.case_ref, Ac.done, Ac.session_id)
        .join(P, P.id == Ac.owner_pk)
        .outerjoin(C, C.id == Ac.case_id)
        .order_by(Ac.due, Ac.id)
    )
    if owner_id is not None:
        owner_pk = _scalar(session, select(P.id).where(P.practitioner_id == owner_id))
        if owner_pk is None:
            raise CaseloadError(f"unknown practitioner {owner_id}")
        stmt = stmt.where(Ac.owner_pk == owner_pk)
    if case_ref is not None:
        stmt = stmt.where(Ac.case_id == _case_pk(session, case_ref))
    if open_only:
        stmt = stmt.where(Ac.done.is_(False))
    return [
        Action(text=text, owner_id=owner, due=due, case_ref=ref, done=bool(done), session_id=sid, id=aid)
        for aid, text, owner, due, ref, done, sid in _rows(session, stmt)
    ]


def load_case_notes(session: Session, case_ref: str) -> list[CaseNoteView]:
    """A case's notes, oldest first. CaseloadError for an unknown case."""
    case_pk = _case_pk(session, case_ref)
    N, P = m.CaseNote, m.Practitioner
    rows = _rows(
        session,
        select(N.id, N.written_on, P.practitioner_id, N.text)
        .outerjoin(P, P.id == N.author_pk)
        .where(N.case_id == case_pk)
        .order_by(N.written_on, N.id)
    )
    return [
        CaseNoteView(id=nid, case_ref=case_ref, written_on=written_on, author_id=author, text=text)
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
