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
  database never receives tens of thousands of bound parameters.

Practitioner foreign keys are integer `*_pk` columns; one small query maps
them to the natural `practitioner_id` strings instead of joining the
practitioner table into every child query.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from sqlalchemy import exists, select
from sqlalchemy.orm import aliased
from sqlmodel import Session

from planner.errors import CaseloadError
from planner.model import (
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
    level_for,
)
from storage import models as m

# At or below this many selected cases the child queries name the case ids
# (`case_id IN (...)`); above it they repeat the case filter as a subquery.
ID_LIST_LIMIT = 500

DEFAULT_NATION = "england-and-wales"


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
    teams = _team_rows(session)
    practitioners = _practitioner_rows(session)
    P = m.Practitioner
    Cover = aliased(m.Practitioner)
    A = m.Absence
    rows = _rows(
        session,
        select(A.id, P.practitioner_id, A.start_date, A.end_date, A.kind, Cover.practitioner_id)
        .join(P, P.id == A.practitioner_pk)
        .outerjoin(Cover, Cover.id == A.cover_practitioner_pk)
        .order_by(P.practitioner_id, A.start_date, A.id)
    )
    absences: dict[str, list[Absence]] = defaultdict(list)
    for aid, pid, start, end, kind, cover in rows:
        absences[pid].append(
            Absence(
                practitioner_id=pid,
                start_date=start,
                end_date=end,
                kind=kind,
                cover_practitioner_id=cover,
                id=aid,
            )
        )
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
    if practitioner_id is not None:
        p_pk = pids.pk_of(practitioner_id)
        Al = aliased(m.Allocation)
        clauses.append(
            exists().where(Al.case_id == C.id, Al.end_date.is_(None), Al.practitioner_pk == p_pk)
        )
    if team_id is not None:
        t_pk = _team_pk(session, team_id)
        Al = aliased(m.Allocation)
        Pr = aliased(m.Practitioner)
        clauses.append(
            exists().where(
                Al.case_id == C.id,
                Al.end_date.is_(None),
                Pr.id == Al.practitioner_pk,
                Pr.team_pk == t_pk,
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
    case_rows = _rows(
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
    )
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

    allocations: dict[int, list[Allocation]] = defaultdict(list)
    A = m.Allocation
    for case_id, ppk, start, end, reason in _rows(
        session,
        select(A.case_id, A.practitioner_pk, A.start_date, A.end_date, A.reason)
        .where(for_cases(A.case_id))
        .order_by(A.case_id, A.start_date, A.id)
    ):
        allocations[case_id].append(
            Allocation(practitioner_id=pids[ppk], start_date=start, end_date=end, reason=reason)
        )

    contacts: dict[int, list[Contact]] = defaultdict(list)
    K = m.Contact
    stmt = select(K.id, K.case_id, K.contact_date, K.practitioner_pk, K.kind, K.outcome).where(
        for_cases(K.case_id)
    )
    if contacts_since is not None:
        stmt = stmt.where(K.contact_date >= contacts_since)
    for cid, case_id, day, ppk, kind, outcome in _rows(session, stmt.order_by(K.case_id, K.contact_date, K.id)):
        contacts[case_id].append(
            Contact(contact_date=day, practitioner_id=pids[ppk], kind=kind, outcome=outcome, id=cid)
        )

    appointments: dict[int, list[Appointment]] = defaultdict(list)
    Ap = m.Appointment
    for aid, case_id, day, ppk, time, kind, rrule in _rows(
        session,
        select(Ap.id, Ap.case_id, Ap.appointment_date, Ap.practitioner_pk, Ap.time, Ap.kind, Ap.rrule)
        .where(for_cases(Ap.case_id))
        .order_by(Ap.case_id, Ap.appointment_date, Ap.id)
    ):
        appointments[case_id].append(
            Appointment(
                appointment_date=day, practitioner_id=pids[ppk], time=time, kind=kind, rrule=rrule, id=aid
            )
        )

    H, HI = m.Handover, m.HandoverItem
    items: dict[int, list[ChecklistItem]] = defaultdict(list)
    for hid, item_id, title, required, due, done, done_on, note, owner in _rows(
        session,
        select(HI.handover_id, HI.item_id, HI.title, HI.required, HI.due, HI.done, HI.done_on, HI.note, HI.owner)
        .join(H, H.id == HI.handover_id)
        .where(for_cases(H.case_id))
        .order_by(HI.handover_id, HI.due, HI.id)
    ):
        items[hid].append(
            ChecklistItem(
                item_id=item_id,
                title=title,
                required=bool(required),
                due=due,
                done=bool(done),
                done_on=done_on,
                note=note,
                owner=owner,
            )
        )

    handovers: dict[int, list[Handover]] = defaultdict(list)
    for row in _rows(
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
            Handover(
                from_practitioner_id=pids[from_pk],
                to_practitioner_id=pids[to_pk],
                planned_on=planned_on,
                status=status,
                items=tuple(items.get(hid, ())),
                completed_on=completed_on,
                override_reason=override,
                reason=reason,
                reviewed=bool(reviewed),
                id=hid,
            )
        )

    return [
        Case(
            case_ref=ref,
            display_name=name,
            team_id=team,
            tier=tier,
            contact_level=level_for(tier, level),
            youth=bool(youth),
            flags=_flags(flags),
            status=status,
            paused_until=paused_until,
            date_of_birth=dob,
            allocations=tuple(allocations.get(case_id, ())),
            contacts=tuple(contacts.get(case_id, ())),
            appointments=tuple(appointments.get(case_id, ())),
            handovers=tuple(handovers.get(case_id, ())),
            id=case_id,
        )
        for (case_id, ref, name, team, tier, level, youth, flags, status, paused_until, dob) in case_rows
    ]


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
    "load_world",
]
