"""A practitioner's week (README "plan the week"): who to see, what falls due.

`week_plan` gathers, for Monday to Sunday of the week holding `week_of`:

- booked appointments with the practitioner (RRULE series expanded),
- contacts falling due (last meaningful contact + T, docs/rules.md) on a day with
  no appointment booked from as-of up to that day, for the cases they hold,
- open handover checklist items due, for handovers they give or receive
  (only the items they own; `lead` items for the lead of the case's team),
- supervision actions they own,
- their absences, the cover they give for absent colleagues (those
  colleagues' appointments and contacts due while away, as `cover` entries),
- a catch-up list of what is already overdue on `as_of`, and of their
  appointments of the last `OUTCOME_DAYS` days with no contact recorded on
  the day (kind `outcome`: record what happened),
- the bank holidays of the week (their team's nation) and the days they are away,
- their appointments themselves (`booked`: series with their exceptions,
  cancelled ones too) for the .ics export (planner/ics.py).

A day is in time order (untimed entries after the timed ones, then riskiest
case first); the catch-up list riskiest case first, then date.
Anything due before `as_of` appears in catch-up, not on its day.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, replace
from datetime import date, timedelta
from typing import Any

from planner.calendar import working_days
from planner.checklist import auto_ticks
from planner.handover import apply_auto_ticks
from planner.model import Absence, Action, Appointment, Case, Handover, World
from planner.policy import DEFAULT_POLICY, Policy
from planner.risk import evaluate_case, risk_score
from planner.appointments import appointment_dates
from planner.week_due import contact_due_on, week_start_of

ENTRY_KINDS = ("appointment", "contact_due", "handover_item", "action", "cover", "outcome")
#: How far back the catch-up list looks for appointments with no outcome recorded.
OUTCOME_DAYS = 28
_KIND_ORDER = {kind: i for i, kind in enumerate(ENTRY_KINDS)}


@dataclass(frozen=True, slots=True)
class PlanEntry:
    """One thing to do on a day. `case_ref` is None for an action not tied to a
    case. `display_name` is personal data: show it, never log it."""

    kind: str
    case_ref: str | None
    title: str
    detail: str
    day: date
    time: dt.time | None = None
    risk_score: int = 0
    display_name: str | None = None
    appointment_id: int | None = None
    handover_id: int | None = None
    item_id: str | None = None
    action_id: int | None = None
    cover_for: str | None = None  # kind "cover": the absent practitioner's id
    cover_kind: str | None = None  # kind "cover": "appointment" or "contact_due"
    series_id: int | None = None  # kind "appointment": the series it is an occurrence of
    occurrence: date | None = None  # ... and that occurrence's date (before any move)

    @property
    def is_appointment(self) -> bool:
        return self.kind == "appointment" or self.cover_kind == "appointment"


@dataclass(frozen=True, slots=True)
class DayPlan:
    day: date
    entries: tuple[PlanEntry, ...]
    absent: bool = False
    holiday: str | None = None  # the bank holiday's name


@dataclass(frozen=True, slots=True)
class Booked:
    """One of the practitioner's appointments (or series) with a date in the
    week, or cancelled in it, with its case: the .ics export's events."""

    case_ref: str
    display_name: str | None
    appointment: Appointment


@dataclass(frozen=True, slots=True)
class PlanAbsence:
    """An absence overlapping the week, with the cover named (or None);
    `end_date` None while it is open-ended."""

    practitioner_id: str
    start_date: date
    end_date: date | None
    kind: str
    cover_practitioner_id: str | None
    cover_name: str | None


@dataclass(frozen=True, slots=True)
class CoverGiven:
    """A colleague's absence this practitioner covers, and that colleague's
    cases falling due in the week while they are away."""

    absence: PlanAbsence
    practitioner_name: str
    entries: tuple[PlanEntry, ...]


@dataclass(frozen=True, slots=True)
class WeekPlan:
    practitioner_id: str
    week_start: date
    days: tuple[DayPlan, ...]
    absences: tuple[PlanAbsence, ...]
    cover_given: tuple[CoverGiven, ...]
    catch_up: tuple[PlanEntry, ...]
    as_of: date
    booked: tuple[Booked, ...] = ()

    @property
    def week_end(self) -> date:
        return self.week_start + timedelta(days=6)

    def entries(self) -> Iterator[PlanEntry]:
        """Every day's entries, Monday first (catch-up not included)."""
        for day in self.days:
            yield from day.entries


def week_plan(
    practitioner_id: str,
    week_of: date,
    cases: Iterable[Case],
    world: World,
    actions: Iterable[Action],
    as_of: date,
    policy: Policy = DEFAULT_POLICY,
) -> WeekPlan:
    """The plan for the week (Monday..Sunday) holding `week_of`.

    `cases` should hold the practitioner's cases, the cases of handovers they
    give or receive, and the cases of colleagues they cover (the team's cases
    will do); the plan picks out what concerns them. Closed cases are skipped."""
    builder = _Builder(practitioner_id, week_start_of(week_of), world, as_of, policy)
    open_cases = [case for case in cases if case.status != "closed"]
    for case in open_cases:
        builder.add_case(case)
    by_ref = {case.case_ref: case for case in open_cases}
    for action in actions:
        builder.add_action(action, by_ref.get(action.case_ref or ""))
    cover_given = tuple(builder.cover(absence, open_cases) for absence in builder.covered_absences())
    return builder.plan(cover_given)


class _Builder:
    def __init__(self, practitioner_id: str, week_start: date, world: World, as_of: date,
                 policy: Policy) -> None:
        self.pid = practitioner_id
        self.start = week_start
        self.end = week_start + timedelta(days=6)
        self.world = world
        self.as_of = as_of
        self.policy = policy
        self.by_day: dict[date, list[PlanEntry]] = {
            week_start + timedelta(days=i): [] for i in range(7)
        }
        self.catch_up: list[PlanEntry] = []
        self.booked: list[Booked] = []
        self._scores: dict[str, int] = {}
        me = world.practitioners.get(practitioner_id)
        self.lead_of = me.team_id if me is not None and me.is_lead else None

    # --- helpers ------------------------------------------------------------

    def score(self, case: Case | None) -> int:
        if case is None:
            return 0
        if case.case_ref not in self._scores:
            warnings = evaluate_case(case, self.world, self.as_of, self.policy)
            self._scores[case.case_ref] = risk_score(warnings, self.policy)
        return self._scores[case.case_ref]

    def in_week(self, day: date) -> bool:
        return self.start <= day <= self.end

    def place(self, entry: PlanEntry) -> None:
        """On its day when due on or after as-of; in catch-up when already overdue."""
        if entry.day < self.as_of:
            self.catch_up.append(entry)
        elif self.in_week(entry.day):
            self.by_day[entry.day].append(entry)

    # --- the practitioner's own work ----------------------------------------------

    def add_case(self, case: Case) -> None:
        for entry in self.appointments(case, self.pid, self.start, self.end):
            self.by_day[entry.day].append(entry)
        self.add_booked(case)
        self.catch_up.extend(self.outcomes_needed(case))
        if case.practitioner_id == self.pid:
            due = self.contact_due(case, self.start, self.end)
            if due is not None:
                self.place(due)
        for handover in case.handovers:
            if handover.is_open:
                for entry in self.handover_items(case, handover):
                    self.place(entry)

    def appointments(self, case: Case, holder: str, first: date, last: date) -> list[PlanEntry]:
        entries = []
        for appt in case.appointments:
            if appt.practitioner_id != holder:
                continue
            kind = appt.kind.replace("_", " ")
            detail = f"{kind} appointment" + (", part of a series" if appt.rrule or appt.series_id else "") + (
                f", moved from {appt.recurrence_date:%a %d %b}" if appt.recurrence_date else "")
            for day in appointment_dates(appt, first, last):
                entries.append(PlanEntry(
                    "appointment", case.case_ref, f"Appointment ({kind})", detail, day,
                    time=appt.time, risk_score=self.score(case),
                    display_name=case.display_name, appointment_id=appt.id,
                    series_id=appt.id if appt.rrule else appt.series_id,
                    occurrence=day if appt.rrule else appt.recurrence_date,
                ))
        return entries

    def add_booked(self, case: Case) -> None:
        """The case's appointments with this practitioner that touch the week
        (a date in it, a cancelled one dated in it, or a series running
        through it), and the series its moved occurrences belong to."""
        mine = [a for a in case.appointments if a.practitioner_id == self.pid]
        keep: dict[int | None, Appointment] = {}
        for appt in mine:
            live = replace(appt, cancelled_by=None)
            if appointment_dates(live, self.start, self.end) or (
                    appt.rrule and appt.appointment_date <= self.end and appointment_dates(
                        replace(live, exdates=(), moved=()), self.start, self.end)):
                keep[appt.id] = appt
        for appt in list(keep.values()):
            if appt.series_id is not None:
                master = next((a for a in mine if a.id == appt.series_id), None)
                if master is not None:
                    keep[master.id] = master
        for appt in mine:  # a series' other moved occurrences travel with it (same UID)
            if appt.series_id in keep and appt.id not in keep:
                keep[appt.id] = appt
        self.booked.extend(Booked(case.case_ref, case.display_name, a)
                           for a in sorted(keep.values(), key=lambda a: (a.appointment_date, a.id or 0)))

    def outcomes_needed(self, case: Case) -> list[PlanEntry]:
        """The practitioner's appointments of the last OUTCOME_DAYS days (before
        as-of) with no contact of the case recorded on the day."""
        first = self.as_of - timedelta(days=OUTCOME_DAYS)
        last = self.as_of - timedelta(days=1)
        held = {c.contact_date for c in case.contacts}
        found = []
        for entry in self.appointments(case, self.pid, first, last):
            if entry.day in held:
                continue
            found.append(replace(entry, kind="outcome", title="Record what happened",
                                 detail=f"{entry.detail} on {entry.day:%a %d %b}: no outcome recorded"))
        return found

    def contact_due(self, case: Case, first: date, last: date) -> PlanEntry | None:
        """The case's contact if it falls due from `first` to `last` (on or after
        as-of) with no appointment booked from as-of to that day; or if it is
        already overdue (for catch-up)."""
        due = contact_due_on(case, self.world, self.as_of, self.policy)
        if due is None:
            return None
        day, detail = due
        overdue = day < self.as_of
        if not overdue and (not first <= day <= last or _booked(case, self.as_of, day)):
            return None
        return PlanEntry("contact_due", case.case_ref,
                         "Contact overdue" if overdue else "Contact due", detail, day,
                         risk_score=self.score(case), display_name=case.display_name)

    def roles_in(self, case: Case, handover: Handover) -> set[str]:
        roles = set()
        if handover.from_practitioner_id == self.pid:
            roles.add("outgoing")
        if handover.to_practitioner_id == self.pid:
            roles.add("incoming")
        if self.lead_of is not None and self.lead_of == self.team_of(case, handover):
            roles.add("lead")
        return roles

    def team_of(self, case: Case, handover: Handover) -> str | None:
        if case.team_id:
            return case.team_id
        holder = self.world.practitioners.get(handover.from_practitioner_id)
        return holder.team_id if holder else None

    def handover_items(self, case: Case, handover: Handover) -> list[PlanEntry]:
        roles = self.roles_in(case, handover)
        if not roles:
            return []
        calendar = working_days(self.world.nation_of(handover.from_practitioner_id))
        ticked = apply_auto_ticks(
            handover, auto_ticks(case, handover, self.as_of, calendar, self.policy)
        )
        return [
            PlanEntry(
                "handover_item", case.case_ref, item.title,
                f"handover on {handover.planned_on.isoformat()}: {item.owner} practitioner's item"
                + ("" if item.required else " (optional)"),
                item.due, risk_score=self.score(case), display_name=case.display_name,
                handover_id=handover.id, item_id=item.item_id,
            )
            for item in ticked.items
            if not item.done and item.owner in roles
        ]

    def add_action(self, action: Action, case: Case | None) -> None:
        if action.owner_id != self.pid or action.done:
            return
        self.place(PlanEntry(
            "action", action.case_ref, action.text, "action agreed in supervision", action.due,
            risk_score=self.score(case),
            display_name=case.display_name if case else None, action_id=action.id,
        ))

    # --- absences and cover -------------------------------------------------------------

    def plan_absence(self, absence: Absence) -> PlanAbsence:
        cover = self.world.practitioners.get(absence.cover_practitioner_id or "")
        return PlanAbsence(absence.practitioner_id, absence.start_date, absence.end_date,
                           absence.kind, absence.cover_practitioner_id,
                           cover.name if cover else None)

    def overlaps(self, absence: Absence) -> bool:
        return absence.start_date <= self.end and absence.last_day >= self.start

    def covered_absences(self) -> list[Absence]:
        found = [
            absence
            for holder, absences in self.world.absences.items() if holder != self.pid
            for absence in absences
            if absence.cover_practitioner_id == self.pid and self.overlaps(absence)
        ]
        return sorted(found, key=lambda a: (a.start_date, a.practitioner_id))

    def cover(self, absence: Absence, cases: Sequence[Case]) -> CoverGiven:
        """The absent colleague's appointments and contacts due while away this
        week, as `cover` entries, placed on their days too."""
        first = max(absence.start_date, self.start)
        last = min(absence.last_day, self.end)
        away = absence.practitioner_id
        entries: list[PlanEntry] = []
        for case in cases:
            if case.practitioner_id != away:
                continue
            found = self.appointments(case, away, first, last)
            due = self.contact_due(case, first, last)
            if due is not None and due.day >= self.as_of:  # overdue ones are theirs to catch up
                found.append(due)
            for entry in found:
                entries.append(_as_cover(entry, away))
        entries.sort(key=_catch_up_order)
        for entry in entries:
            self.by_day[entry.day].append(entry)
        colleague = self.world.practitioners.get(away)
        return CoverGiven(self.plan_absence(absence), colleague.name if colleague else away,
                          tuple(entries))

    def plan(self, cover_given: tuple[CoverGiven, ...]) -> WeekPlan:
        own = sorted(
            (a for a in self.world.absences_of(self.pid) if self.overlaps(a)),
            key=lambda a: a.start_date,
        )
        calendar = working_days(self.world.nation_of(self.pid))
        days = tuple(
            DayPlan(day, tuple(sorted(entries, key=_day_order)),
                    absent=any(a.covers(day) for a in own), holiday=calendar.holiday_name(day))
            for day, entries in self.by_day.items()
        )
        return WeekPlan(
            practitioner_id=self.pid,
            week_start=self.start,
            days=days,
            absences=tuple(self.plan_absence(a) for a in own),
            cover_given=cover_given,
            catch_up=tuple(sorted(self.catch_up, key=_catch_up_order)),
            as_of=self.as_of,
            booked=tuple(self.booked),
        )


def _booked(case: Case, first: date, last: date) -> bool:
    return any(appointment_dates(appt, first, last) for appt in case.appointments)


def _as_cover(entry: PlanEntry, away: str) -> PlanEntry:
    return replace(entry, kind="cover", cover_for=away, cover_kind=entry.kind,
                   detail=f"cover for {away}: {entry.detail}")


def _day_order(entry: PlanEntry) -> tuple[Any, ...]:
    """A calendar's order: by time, the untimed after the timed, then riskiest first."""
    return (entry.time is None, entry.time or dt.time.max, -entry.risk_score, _KIND_ORDER[entry.kind],
            entry.case_ref or "", entry.title)


def _catch_up_order(entry: PlanEntry) -> tuple[Any, ...]:
    return (-entry.risk_score, entry.day, entry.time or dt.time.max, _KIND_ORDER[entry.kind],
            entry.case_ref or "", entry.title)


# --- JSON ---------------------------------------------------------------------------------


def entry_to_dict(entry: PlanEntry, *, privacy: bool = False) -> dict[str, Any]:
    return {
        "kind": entry.kind,
        "case_ref": entry.case_ref,
        "display_name": None if privacy else entry.display_name,
        "title": entry.title,
        "detail": entry.detail,
        "day": entry.day.isoformat(),
        "time": entry.time.strftime("%H:%M") if entry.time else None,
        "risk_score": entry.risk_score,
        "appointment_id": entry.appointment_id,
        "handover_id": entry.handover_id,
        "item_id": entry.item_id,
        "action_id": entry.action_id,
        "cover_for": entry.cover_for,
        "cover_kind": entry.cover_kind,
        "series_id": entry.series_id,
        "occurrence": entry.occurrence.isoformat() if entry.occurrence else None,
    }


def _absence_to_dict(absence: PlanAbsence) -> dict[str, Any]:
    return {
        "practitioner_id": absence.practitioner_id,
        "start_date": absence.start_date.isoformat(),
        "end_date": absence.end_date.isoformat() if absence.end_date else None,
        "kind": absence.kind,
        "cover_practitioner_id": absence.cover_practitioner_id,
        "cover_name": absence.cover_name,
    }


def week_to_dict(plan: WeekPlan, *, privacy: bool = False) -> dict[str, Any]:
    """The plan as JSON-ready data (`caseload week --format json`). With
    `privacy`, case display names are left out (case refs stay)."""
    return {
        "practitioner_id": plan.practitioner_id,
        "as_of": plan.as_of.isoformat(),
        "week_start": plan.week_start.isoformat(),
        "week_end": plan.week_end.isoformat(),
        "days": [
            {
                "day": day.day.isoformat(),
                "absent": day.absent,
                "holiday": day.holiday,
                "entries": [entry_to_dict(e, privacy=privacy) for e in day.entries],
            }
            for day in plan.days
        ],
        "absences": [_absence_to_dict(a) for a in plan.absences],
        "cover_given": [
            {
                **_absence_to_dict(cover.absence),
                "practitioner_name": cover.practitioner_name,
                "entries": [entry_to_dict(e, privacy=privacy) for e in cover.entries],
            }
            for cover in plan.cover_given
        ],
        "catch_up": [entry_to_dict(e, privacy=privacy) for e in plan.catch_up],
    }
