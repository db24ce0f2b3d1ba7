"""The gateway: everything the app reads or writes, one short session each.

Screens call it from thread workers; each call opens one short session,
reads (or writes and commits) through `storage` (its queries and writes: no
SQL here), and returns plain frozen views (tui/data/views.py). The writes
of storage/repo run on a SQLAlchemy Core connection of their own
(`connection`) and give back plain values (ids, versions). A lost
connection (SQLAlchemy `OperationalError`) becomes `ConnectionLost`, a
`CaseloadError`, so the app can show a notice instead of a traceback.
"""

from __future__ import annotations

import logging
from contextlib import contextmanager
from datetime import date, timedelta
from typing import TYPE_CHECKING, Iterator

from planner.appointments import next_booked
from planner.errors import CaseloadError
from planner.model import Case, Practitioner, World
from planner.policy import DEFAULT_POLICY, Policy
from planner.relationship import relationship_days
from planner.risk import severity_counts
from planner.words import initials, risk_tag
from tui.data.views import (
    CaseloadView,
    CaseRow,
    CaseView,
    SearchEntry,
    WeekView,
    handover_label,
    last_seen,
    make_row,
    split_statuses,
    status_label,
    upcoming,
)

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine

    from storage.reader import Database

log = logging.getLogger("caseload.tui")


class ConnectionLost(CaseloadError):
    """The database could not be reached; nothing was saved."""


class Gateway:
    """Everything the app reads or writes, given a database (an engine, or a
    `storage.reader.Database`), a policy and who acts (`actor_id`): the
    signed-in practitioner (`fixed`: `--as`, or a practitioner's PostgreSQL
    login), else the practitioner the file's owner chose to act as (None =
    the administrator of a personal file, who sees every team:
    storage.access). Reads of a case, a week or the search index are
    limited to what the actor may see; writes are checked by storage.repo
    with the actor given.

    The caseload and the change poll read through `reader()`: given a
    `Database`, without SQLAlchemy (the first paint does not wait for its
    import); everything else goes through `session()` and the engine, built
    on first use."""

    def __init__(self, engine: Engine | Database, policy: Policy = DEFAULT_POLICY,
                 actor_id: str | None = None, *, fixed: bool | None = None) -> None:
        from storage.reader import Database

        self.database = engine if isinstance(engine, Database) else Database(engine=engine)
        self.policy = policy
        self.actor_id = actor_id
        self.fixed = bool(actor_id) if fixed is None else fixed
        self.own_events: set[int] = set()  # audit event ids of this app's own writes

    def me(self, source):
        """The acting `storage.access.Actor` on this session or reader. A
        remembered choice that names no practitioner any more falls back to
        the administrator (the file's owner); a signed-in one is an error."""
        from storage.access import resolve_actor

        try:
            return resolve_actor(source, self.actor_id)
        except CaseloadError:
            if self.fixed or not self.actor_id:
                raise
            return resolve_actor(source, None)

    @property
    def engine(self) -> Engine:
        return self.database.engine

    @contextmanager
    def reader(self) -> Iterator:
        """A `storage.reader.Reader` for one read."""
        if self.database.kind == "engine":
            from storage.reader import reader_of

            with self.session() as s:
                yield reader_of(s)
        else:
            with self.database.reader() as reader:
                yield reader

    @contextmanager
    def session(self) -> Iterator:
        from sqlmodel import Session

        with self._reachable(), Session(self.engine, expire_on_commit=False) as s:
            yield s
            self._note_own_events(s)

    @contextmanager
    def connection(self) -> Iterator:
        """A SQLAlchemy Core connection for one write of storage/repo (no ORM):
        the caller commits (`commit_or_conflict`); anything else rolls back."""
        from storage.audit import AUDIT_EVENTS
        from storage.repo import transaction

        with self._reachable(), transaction(self.engine) as conn:
            try:
                yield conn
                self._note_own_events(conn)
            finally:  # the pooled connection's info outlives this write
                conn.info.pop(AUDIT_EVENTS, None)

    @contextmanager
    def _reachable(self) -> Iterator[None]:
        """A lost connection becomes ConnectionLost (nothing was saved)."""
        from sqlalchemy.exc import DBAPIError, OperationalError

        try:
            yield
        except (OperationalError, DBAPIError) as exc:
            if isinstance(exc, OperationalError) or getattr(exc, "connection_invalidated", False):
                log.warning("database unreachable: %s", type(exc).__name__)
                raise ConnectionLost(
                    "Lost the connection to the database; nothing was saved. Check it and try again."
                ) from None
            raise

    def _note_own_events(self, session) -> None:
        """Keep the ids of the audit events this app wrote (storage.audit
        lists them on the session), so the change poll tells them apart from
        everyone else's: another program of the same user, an import."""
        from storage.audit import AUDIT_EVENTS

        for event in session.info.pop(AUDIT_EVENTS, ()):
            event_id = event if isinstance(event, int) else event.id  # PostgreSQL: the id caseload_audit() gave
            if event_id is not None:
                self.own_events.add(event_id)

    # ---------------------------------------------------------------- reads

    def practitioners(self) -> list[Practitioner]:
        from storage.queries import list_practitioners

        with self.session() as s:
            return list_practitioners(s)

    def caseload(self, practitioner_id: str | None, as_of: date) -> CaseloadView:
        from planner.handover import evaluate_as_read
        from storage.access import practitioner_team_id
        from storage.queries import load_cases_for_warnings, load_world

        # Read only: the checklist ticks the records give are applied in memory
        # (the same warnings as after writing them); the screen writes them with
        # `sync_handover_ticks` in a worker after the rows are painted. The
        # cases come with only the contacts the warnings can tell apart
        # (`load_cases_for_warnings`): the row's last meaningful contact is
        # among them, and a lead's 600 cases load in a fraction of the time.
        policy = self.policy
        with self.reader() as r:
            if practitioner_id and self.actor_id:
                self._check_practitioner_visible(r, practitioner_id)
            try:
                team_id = practitioner_team_id(r, practitioner_id) if practitioner_id else None
            except CaseloadError:
                team_id = None
            # Everyone's absences are not needed: the rules and the capacity
            # read those of the cases' current practitioners, all in this team.
            world = load_world(r, absences_team_id=team_id) if team_id else load_world(r)
            practitioners = tuple(sorted(world.practitioners.values(), key=lambda p: p.practitioner_id))
            me = world.practitioners.get(practitioner_id or "")
            if me is None:
                return CaseloadView(as_of, None, practitioners)
            team_view = me.is_lead
            scope = {"team_id": me.team_id} if team_view else {"practitioner_id": me.practitioner_id}
            cases = load_cases_for_warnings(r, as_of, policy=policy, viewer=self.me(r), **scope)
        risks = evaluate_as_read(cases, world, as_of, policy)
        rows = tuple(self._row(r.case, r.warnings, r.score, as_of) for r in risks)
        counts = severity_counts(w for r in rows for w in r.warnings)
        points, available, pct = self._capacity(me, cases, world, as_of, team_view)
        return CaseloadView(as_of, me, practitioners, rows, counts, pct, points, available, team_view)

    def check_practitioner_visible(self, practitioner_id: str) -> None:
        """Refuse (CaseloadError) the caseload of a practitioner of another team
        than the signed-in actor's. An unknown id is left to the caller."""
        with self.reader() as r:
            self._check_practitioner_visible(r, practitioner_id)

    def _check_practitioner_visible(self, reader, practitioner_id: str) -> None:
        from storage.access import check_practitioner_visible, practitioner_team_id

        me = self.me(reader)
        try:
            practitioner_team_id(reader, practitioner_id)
        except CaseloadError:
            return  # unknown: the caseload reads as "nobody chosen"
        check_practitioner_visible(reader, me, practitioner_id)

    def sync_handover_ticks(self, practitioner_id: str, as_of: date, *, actor: str) -> None:
        """Write the checklist ticks the records give for the team's handovers
        (`tui.handover_data.sync_team_ticks`, its own transaction) so the
        warnings follow the records. A failure is logged, never blocks the read."""
        from tui.handover_data import sync_team_ticks

        try:
            sync_team_ticks(self, practitioner_id=practitioner_id, as_of=as_of, actor=actor)
        except Exception as exc:  # noqa: BLE001 - the read below still shows the caseload
            log.warning("could not sync handover ticks: %s", type(exc).__name__)

    def _capacity(self, me: Practitioner, cases: list[Case], world: World, as_of: date, team_view: bool):
        """docs/rebalancing.md capacity from `planner.workload` (the one computation the team
        screen and the rebalance use too). A team lead's view is the team's
        total against the available points of its practitioners (leads aside)."""
        import math

        from planner import workload as pw

        if team_view:
            points = sum(pw.case_points(c, self.policy) for c in cases)
            available = sum(pw.available_points(p, self.policy) for p in world.practitioners.values()
                            if p.team_id == me.team_id and not p.is_lead)
            pct = pw.capacity_pct(points, available)
        else:
            load = pw.practitioner_load(me.practitioner_id, cases, world, as_of, self.policy)
            points, available, pct = load.points, load.available_points, load.capacity_pct
        return points, available, (None if math.isinf(pct) or available <= 0 else pct)

    def _row(self, case: Case, found: tuple, score: int, as_of: date) -> CaseRow:
        days = relationship_days(case, as_of)
        warnings, statuses = split_statuses(found)
        return make_row(
            case.case_ref,  # case_ref
            case.display_name,  # display_name
            initials(case.display_name),  # initials
            case.practitioner_id,  # practitioner_id
            case.contact_level,  # contact_level
            case.tier,  # tier
            case.status,  # status
            status_label(statuses, days, self.policy),  # relationship
            days,  # relationship_days
            last_seen(case, as_of),  # last_seen
            next_booked(case.appointments, as_of, 366),  # next_appointment
            warnings,  # warnings
            score,  # score
            handover_label(case),  # handover
            statuses,  # statuses
            risk_tag(case.rosh, case.mappa_level, case.restricted),  # risk
        )

    def case(self, case_ref: str, as_of: date) -> CaseView:
        from planner.risk import evaluate_case
        from planner.rules import churn
        from storage.access import check_case_access
        from storage.queries import load_case, load_case_notes, load_contact_notes, load_world

        with self.session() as s:
            check_case_access(s, self.me(s), case_ref)
            world = load_world(s)
            case = load_case(s, case_ref)
            notes = tuple(load_case_notes(s, case_ref))
            contact_notes = load_contact_notes(s, case_ref)
        warnings = tuple(evaluate_case(case, world, as_of, self.policy))
        names = {pid: p.name for pid, p in world.practitioners.items()}
        current = world.practitioners.get(case.practitioner_id or "")
        team = world.teams.get(case.team_id or "")
        receivers = tuple(
            (f"{p.practitioner_id} · {p.name} ({p.grade})", p.practitioner_id)
            for p in sorted(world.practitioners.values(), key=lambda p: p.practitioner_id)
            if p.practitioner_id != case.practitioner_id
            and (current is None or p.team_id == current.team_id)
            and not p.is_lead
            and not (p.leaving_on is not None and p.leaving_on <= as_of)  # gone: the guards would refuse them
        )
        return CaseView(
            as_of=as_of,
            case=case,
            warnings=warnings,
            notes=notes,
            names=names,
            churn=churn(case, as_of, self.policy, world=world),
            relationship=status_label(split_statuses(warnings)[1], relationship_days(case, as_of), self.policy),
            absences=world.absences_of(case.practitioner_id),
            receivers=receivers,
            upcoming=tuple(upcoming(case, as_of)),
            viewer_leads=self._leads(world, current),
            contact_notes=contact_notes,
            nation=team.nation if team else world.nation_of(case.practitioner_id),
        )

    def _leads(self, world, holder) -> bool:
        """The signed-in user leads the holder's team (or is the file's
        administrator, without --as); storage checks again on every write."""
        if self.actor_id is None:
            return True
        me = world.practitioners.get(self.actor_id)
        return bool(me and me.is_lead and (holder is None or me.team_id == holder.team_id))

    def week(self, practitioner_id: str, week_of: date, as_of: date) -> WeekView:
        from planner.week import week_plan
        from storage.access import check_practitioner_visible
        from storage.lookups import appointment_versions
        from storage.queries import load_cases, load_week_actions, load_world

        monday = week_of - timedelta(days=week_of.weekday())
        with self.session() as s:
            world = load_world(s)
            me = world.practitioners.get(practitioner_id)
            if me is None:
                raise CaseloadError(f"unknown practitioner {practitioner_id}")
            viewer = self.me(s)
            check_practitioner_visible(s, viewer, practitioner_id)
            # the team's cases: the plan also needs colleagues' cases this practitioner covers
            cases = load_cases(s, team_id=me.team_id, viewer=viewer)
            actions = load_week_actions(s, viewer, practitioner_id)
            versions = appointment_versions(s, (a.id for c in cases for a in c.appointments if a.id is not None))
        plan = week_plan(practitioner_id, monday, cases, world, actions, as_of, self.policy)
        names = {c.case_ref: c.display_name for c in cases}
        appointments = {a.id: a for c in cases for a in c.appointments if a.id is not None}
        own = tuple((c.case_ref, c.display_name) for c in cases
                    if c.practitioner_id == practitioner_id and c.status != "closed")
        return WeekView(as_of, monday, me, plan, names, versions, world.absences_of(practitioner_id),
                        appointments, own, viewer_leads=self._leads(world, me))

    def week_ics(self, view: WeekView) -> bytes:
        from planner.ics import week_to_ics

        name = view.practitioner.name if view.practitioner else view.plan.practitioner_id
        return week_to_ics(view.plan, name)

    def write_export(self, path, data: bytes, *, entity: str, key: str, force: bool = False, **detail):
        """Write a file of personal data as `caseload export` does
        (storage/files.py: whole or not at all, 0600, no link followed,
        nothing replaced unless `force`), its `export` audit event committed
        (as this app's own write) before the file takes its name."""
        from pathlib import Path

        from storage import audit
        from storage.files import write_private

        def audited() -> None:
            with self.session() as s:
                audit.record(s, self.actor_id or audit.default_actor(), "export", entity, key,
                             file=Path(path).name, **detail)
                s.commit()

        return write_private(path, data, force=force, before_placing=audited)

    def export_week_ics(self, view: WeekView, path, *, force: bool = False):
        """The week as .ics (case refs only) written to `path` (see write_export)."""
        return self.write_export(path, self.week_ics(view), entity="week", force=force, format="ics",
                                 key=f"{view.plan.practitioner_id}/{view.plan.week_start.isoformat()}")

    def search_index(self) -> list[SearchEntry]:
        """Every open case the actor sees (storage.access.visible_case_refs)
        and every practitioner of their team (every team's for the
        administrator), for the command palette. Light queries (no
        children), so it stays quick on a big database."""
        from storage.access import visible_case_refs, visible_team
        from storage.lookups import search_rows

        with self.session() as s:
            me = self.me(s)
            cases, people = search_rows(s, visible_team(me), visible_case_refs(s, me))
        return ([SearchEntry("case", ref, name, status) for ref, name, status in cases]
                + [SearchEntry("practitioner", pid, name, role) for pid, name, role in people])

    def changes_since(self, since: int | None, practitioner_id: str | None = None, *,
                      exclude_actor: str | None = None) -> tuple[int, bool]:
        """The change marker the app polls: (the newest audit event id, whether
        any event after `since`, not written by this app itself, touched a
        case of the team in view or no case at all: a practitioner, an
        absence, a team, a whole import file). Every write is audited, so this
        sees every change, from another program (`caseload import`) or
        another machine alike; `exclude_actor` also leaves out that actor's.
        Cheap: the newest id comes from the primary key, and only the events
        after `since` are looked at. On PostgreSQL the `db_write` rows the
        database adds to this app's own transactions are its own too. `since` None gives the marker to start
        from (changed False)."""
        from storage.access import practitioner_team_id, visible_team
        from storage.changes import changed_between, newest_event_id

        with self.reader() as r:
            top = newest_event_id(r)
            if since is None or top <= since:
                return top, False
            team = visible_team(self.me(r))
            if team is None and practitioner_id:
                try:
                    team = practitioner_team_id(r, practitioner_id)
                except CaseloadError:
                    team = None
            own = [i for i in self.own_events if since < i <= top]
            return top, changed_between(r, since, top, own=own, exclude_actor=exclude_actor, team_id=team)

    # ---------------------------------------------------------------- writes (each one transaction)

    def write(self, fn, **kwargs):
        """`fn(connection, **kwargs)` committed as one Core transaction: the
        one write every named write below and the data layer's modules
        (tui/handover_data.py, supervision_data.py, sentence_data.py) go through."""
        from storage.repo import commit_or_conflict

        with self.connection() as s:
            result = fn(s, **kwargs)
            commit_or_conflict(s)
            return result

    def record_contact(self, *, case_ref, contact_date, practitioner_id, kind, outcome, notes, actor,
                       cancelled_by=None, with_practitioner_id=None) -> int:
        from storage.repo import record_contact

        return self.write(record_contact, case_ref=case_ref, contact_date=contact_date,
                          practitioner_id=practitioner_id, kind=kind, outcome=outcome, notes=notes,
                          cancelled_by=cancelled_by, with_practitioner_id=with_practitioner_id, actor=actor)

    def record_checkin(self, *, case_ref, checkin_date, practitioner_id, listened, goals, trust, words, actor) -> int:
        """The person's check-in (docs/voice.md)."""
        from storage.repo import record_checkin

        return self.write(record_checkin, case_ref=case_ref, checkin_date=checkin_date,
                          practitioner_id=practitioner_id, listened=listened, goals=goals, trust=trust,
                          words=words, actor=actor)

    def save_preferences(self, *, case_ref, language, interpreter, not_with, actor) -> None:
        """The person's language, interpreter and not_with list (docs/voice.md):
        `not_with` is the whole list, {practitioner_id: reason code}."""
        from storage.queries import load_case
        from storage.repo import commit_or_conflict, remove_not_with, set_not_with, set_preferences

        with self.connection() as s:
            set_preferences(s, case_ref=case_ref, language=language, interpreter=interpreter, actor=actor)
            had = {n.practitioner_id for n in load_case(s, case_ref).not_with}
            for pid in sorted(had - set(not_with)):
                remove_not_with(s, case_ref=case_ref, practitioner_id=pid, actor=actor)
            for pid, reason in sorted(not_with.items()):
                set_not_with(s, case_ref=case_ref, practitioner_id=pid, reason=reason, actor=actor)
            commit_or_conflict(s)

    def book_appointment(self, *, case_ref, appointment_date, practitioner_id, time=None, kind="office",
                         rrule=None, actor, override_reason=None) -> int:
        from storage.repo import book_appointment

        return self.write(book_appointment, case_ref=case_ref, appointment_date=appointment_date,
                          practitioner_id=practitioner_id, time=time, kind=kind, rrule=rrule, actor=actor,
                          override_reason=override_reason)

    def move_appointment(self, *, appointment_id, new_date, expected_version, actor, **more):
        """`more`: new_time, occurrence, series, override_reason (storage/repo/appointments.py)."""
        from storage.repo import move_appointment

        return self.write(move_appointment, appointment_id=appointment_id, new_date=new_date,
                          expected_version=expected_version, actor=actor, **more)

    def cancel_appointment(self, *, appointment_id, cancelled_by, expected_version, actor, occurrence=None,
                           series=False, as_of=None) -> int:
        from storage.repo import cancel_appointment

        return self.write(cancel_appointment, appointment_id=appointment_id, cancelled_by=cancelled_by,
                          expected_version=expected_version, actor=actor, occurrence=occurrence, series=series,
                          as_of=as_of)

    def record_outcome(self, *, appointment_id, outcome, actor, occurrence=None, kind=None, notes=None,
                       cancelled_by=None, as_of=None) -> int:
        from storage.repo import record_outcome

        return self.write(record_outcome, appointment_id=appointment_id, outcome=outcome, actor=actor,
                          occurrence=occurrence, kind=kind, notes=notes, cancelled_by=cancelled_by, as_of=as_of)

    def same_time(self, practitioner_id, day, time, not_id=None) -> list[str]:
        """The practitioner's other appointments at that time that day (a clash to warn of)."""
        from storage.access import check_practitioner_visible
        from storage.repo import same_time

        with self.connection() as s:
            check_practitioner_visible(s, self.me(s), practitioner_id)
            return same_time(s, practitioner_id, day, time, not_id=not_id)

    def tick_action(self, *, action_id, done, on, actor) -> int:
        from storage.supervision.actions import tick_action

        return self.write(tick_action, action_id=action_id, done=done, on=on, actor=actor)

    def book_proposals(self, *, practitioner_id, proposals, actor) -> list[int]:
        """Book the accepted proposals of the week's plan (planner/suggest.py), one transaction."""
        from storage.repo import book_appointment

        def book_all(s):
            return [book_appointment(s, case_ref=p.case_ref, appointment_date=p.day, practitioner_id=practitioner_id,
                                     time=p.time, kind=p.kind, actor=actor) for p in proposals]

        return self.write(book_all)

    def suggest(self, view: WeekView) -> list:
        """The week's proposals (planner/suggest.py) for the practitioner of `view`."""
        from planner.suggest import suggest
        from storage.access import check_practitioner_visible
        from storage.queries import load_cases, load_world

        with self.session() as s:
            check_practitioner_visible(s, self.me(s), view.plan.practitioner_id)
            world = load_world(s)
            me = world.practitioners.get(view.plan.practitioner_id)
            cases = load_cases(s, team_id=me.team_id if me else None)
        return suggest(view.plan.practitioner_id, view.week_of, cases, world, view.as_of, self.policy)

    def add_case_note(self, *, case_ref, text, author_id, written_on, actor) -> int:
        from storage.repo import add_case_note

        return self.write(add_case_note, case_ref=case_ref, text=text, author_id=author_id,
                          written_on=written_on, actor=actor)

    def plan_handover(self, *, case_ref, to_practitioner_id, planned_on, reason, actor, as_of,
                      override_reason=None) -> int:
        from storage.repo import plan_handover

        return self.write(plan_handover, case_ref=case_ref, to_practitioner_id=to_practitioner_id,
                          planned_on=planned_on, reason=reason, actor=actor, policy=self.policy, as_of=as_of,
                          override_reason=override_reason)
