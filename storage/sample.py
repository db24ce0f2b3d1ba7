"""The shipped sample: two made-up teams whose data make every SPEC §3 rule fire.

`build_sample(path, built_for)` writes a fresh database (created and
Alembic-stamped through `storage.db.init_db`) from a seeded
`random.Random`, so the same `built_for` always gives the same rows; every
date is relative to `built_for`, never to the wall clock. `demo_copy` copies
the file and moves every date by `today - built_for` days so the demo looks
current whatever day it is opened. Every person in it is made up.

Rebuild the shipped copies (repo root and package) with:

    python -m storage.sample build sample.db storage/sample.db

A realistic team (SPEC §3 v2): caseloads of 35 to 45 for full-time probation
officers and PSOs, fewer for part-timers and 8 to 14 for youth justice
workers; several absences a year each (leave in blocks, training, the odd
short sickness; cover named for most); missed appointments about one in ten
and cancellations about one in seventeen, a third of them by the
practitioner's side; about one case in four changed hands before; the next
appointment booked for most cases, never on a weekend or bank holiday (a
series only Tuesday to Thursday). `demo_copy` keeps it so (whole weeks, and
bank holidays stepped over).

The scenarios, as of `built_for` (case refs are stable for a given version):

- NG1001 contact_overdue medium (standard, last seen 35 days ago; booked in 3 days)
- NG1002 contact_overdue high + no_appointment (enhanced, last seen 39 days ago)
- NG1003 contact_due (standard, last seen 24 days ago; booked after the due date)
- NG1004 relationship_gap (own last contact 63 days ago, duty officer since)
- NG1005 first_contact passed (reallocated 10 days ago, not yet seen) + early_window
- NG1006 first_contact coming (new from court 3 days ago, booked)
- NG1007 handover_upcoming low (leaver's case, D+10, `vlo_told` due in 3 days) +
         practitioner_churn medium (two holders this year + the receiver)
- NG1008 handover_upcoming high (D on Monday, in 3 days; `rj_facilitator_told` late)
- NG1009 handover_upcoming low (D+17, `told` due in 3 days)
- NG1010 cold_handover (completed cold 30 days ago, no three-way, override recorded)
- NG1011 missed_appointments medium (two missed in a row)
- NG1012 paused (in custody until built_for + 30): no contact rules
- NG1013 closed 20 days ago: no warnings, history kept
- NG1014 every flag, do_not_move included (A3, approved premises)
- NG1015 early_break medium (5 weeks into a new relationship, a handover planned)
- NG1016 practitioner_cancelled medium (the officer cancelled twice in 8 weeks)
- NG1017 cold_handover (a warm handover, but the first contact came 11 days after)
- NG1018 practitioner_churn medium: A -> B -> A (N1-02, N1-07, N1-02)
- NG1019 cover_needed (appointment booked in N1-08's leave next week, no cover)
- NG1020 handover_upcoming medium (D+6 before N1-06's leave; `told` and `summary` late)
- N1-03 (leaving_on built_for + 21): all but five cases have handovers
         planned, two a working day (SPEC §4), with one slot free on the
         last day and a week before it; the rest handover_unplanned
         medium; early_break on new relationships
- N1-04 (off sick with no end date since built_for - 12, no cover):
         handover_unplanned high on every case, cover_needed where contact falls due
- N1-06 (12 weeks' leave from built_for + 24, no cover): handovers planned
         two a working day for all but five cases (handover_unplanned
         medium on those)
- N1-08 (away next week, no cover named): cover_needed
- N1-10 (left 9 days ago, still holding four cases): handover_unplanned high
- N1-02 is over 110% capacity
- EB2001 practitioner_churn high (a child with four workers this year)
- EB2002 missed_appointments high (three missed, a cancellation between)
- EB2003 practitioner_churn high (a child with three workers this year)
- EB2004 first_contact coming (intensive, 2nd working day)
- EB2005 early_break high (a child, safeguarding, 6 weeks in, a handover planned)
- supervision actions due in the week of built_for for N1-02, N1-09 and E1-02
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import sqlite3
import sys
import tempfile
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone
from importlib import resources
from pathlib import Path

from sqlalchemy import Date, DateTime, TypeDecorator, bindparam, create_engine, inspect, select
from sqlmodel import SQLModel

from planner.calendar import working_days
import storage.models  # noqa: F401 - registers the tables on SQLModel.metadata
from storage.audit_guard import sqlite_append_only_suspended

GENERATOR_VERSION = "2"
DEFAULT_BUILT_FOR = date(2026, 11, 27)
SEED = 20261127
DEMO_FILENAME = "caseload-demo.db"

TIER_POINTS = {
    "A3": 206, "A2": 158, "A1": 146, "A0": 110,
    "B3": 146, "B2": 115, "B1": 102, "B0": 72,
    "C3": 79, "C2": 63, "C1": 50, "C0": 35,
    "D3": 51, "D2": 41, "D1": 29, "D0": 29,
}
LEVEL_POINTS = {"intensive": 150, "enhanced": 100, "standard": 60, "low": 30}
_TIER_LEVEL = {"A": "intensive", "B": "enhanced", "C": "standard", "D": "low"}

# Days between planned contacts, in and after the early window (under the
# SPEC §3 thresholds so a case kept to its plan raises no contact warning).
_INTERVAL = {
    "intensive": (7, 7),
    "enhanced": (7, 14),
    "standard": (10, 19),
    "low": (10, 28),
}
_EARLY_DAYS = 84
# Missed appointments about one in ten; cancellations about one in
# seventeen, a third of them by the practitioner's side.
MISS_RATE = 0.10
CANCEL_RATE = 0.06
BOOKED_SHARE = 0.92  # cases with their next appointment already booked
PREVIOUS_HOLDER = 0.3  # cases over four months old that changed practitioner once before
_TIMES = (time(9, 30), time(10, 0), time(11, 0), time(11, 30), time(14, 0), time(15, 0), time(16, 0))

_FIRST_NAMES = (
    "Aaron", "Abdi", "Adele", "Aiden", "Aisha", "Alfie", "Amara", "Amir", "Andrea", "Bartek",
    "Bethany", "Bilal", "Bradley", "Callum", "Carys", "Chantelle", "Ciaran", "Connor",
    "Courtney", "Dalia", "Damon", "Danielle", "Darnell", "Declan", "Demi", "Dominika", "Ellis",
    "Emre", "Faisal", "Gemma", "Grace", "Hamza", "Harley", "Imani", "Jade", "Jamal", "Jordan",
    "Kai", "Kayleigh", "Keisha", "Kieran", "Kofi", "Lacey", "Leon", "Liam", "Lucas", "Mason",
    "Mia", "Nathan", "Niamh", "Olu", "Paige", "Rhys", "Ricardo", "Rosa", "Ryan", "Sadia",
    "Shannon", "Sian", "Stacey", "Tariq", "Tegan", "Tomasz", "Tyler", "Usman", "Wiktoria",
    "Zac", "Zainab", "Zara", "Reece", "Sasha", "Theo",
)
_SURNAMES = (
    "Ambleton", "Birchall", "Calloway", "Dovecote", "Emberley", "Farrant", "Greyling",
    "Hartfield", "Ivesdale", "Junipero", "Kestrell", "Larkworth", "Marlowe-Finch", "Netherby",
    "Oakridge", "Pennick", "Quarrie", "Rushmere", "Saltrow", "Thistlewood", "Umbridge-Lowe",
    "Vantridge", "Wexcombe", "Yarrowby", "Ashgrove", "Brindlecombe", "Copperfield-Nash",
    "Dunmoor", "Elsworthy", "Fenwright", "Gallowmere", "Holloway-Pryce", "Inglebrook",
    "Kilbarron", "Lindqvist-Rowe", "Mabberley", "Northcote-Bey", "Orrinsby", "Pelham-Adeyemi",
    "Ravensholt", "Stannard-Okafor", "Tolverne", "Wickersham", "Brackenbury", "Chelworth",
    "Dewhirst-Mensah", "Evercreech", "Flaxmoor", "Gorringe", "Hesketh-Amadi",
)

_NOTES = (
    "Talked through the week; engaged well and brought the housing letter.",
    "Agreed to try the Tuesday job club; will report back next time.",
    "Raised worries about money; referred to the benefits adviser.",
    "Quiet today. Said the new hostel rules are hard. Plan to revisit.",
    "Reviewed the sentence plan together; two goals updated in their words.",
    "Short session: running late from work, which is good news.",
)


def _utc(day: date, at: time) -> datetime:
    return datetime.combine(day, at, tzinfo=timezone.utc)


@dataclass
class _Case:
    id: int
    case_ref: str
    team: str
    level: str
    youth: bool
    flags: tuple[str, ...]
    allocations: list[tuple[str, date, date | None]] = field(default_factory=list)


def _tables() -> dict:
    return SQLModel.metadata.tables


class _Builder:
    """Collects rows (with explicit ids) in memory, then writes them in one go."""

    def __init__(self, built_for: date, seed: int = SEED) -> None:
        self.b = built_for
        self.rng = random.Random(seed)
        self.rows: dict[str, list[dict]] = defaultdict(list)
        self.pk: dict[str, int] = {}  # practitioner_id -> id
        self.team_of: dict[str, str] = {}
        self.team_pk: dict[str, int] = {}
        self.cases: list[_Case] = []
        self.absences: dict[str, list[tuple[date, date, str | None]]] = defaultdict(list)
        self.leaving: dict[str, date] = {}
        self.contact_keys: set[tuple] = set()
        self.appointment_keys: set[tuple] = set()
        self.names_used: set[str] = set()
        self.calendar = working_days("england-and-wales")  # the sample teams' nation
        self._next = defaultdict(int)

    # -- ids and small helpers --------------------------------------------
    def _id(self, table: str) -> int:
        self._next[table] += 1
        return self._next[table]

    def d(self, days: int) -> date:
        """built_for + days."""
        return self.b + timedelta(days=days)

    def working(self, day: date, back: bool = False) -> date:
        return self.calendar.on_or_before(day) if back else self.calendar.on_or_after(day)

    def add_working(self, day: date, n: int) -> date:
        return self.calendar.add(day, n)

    def person_name(self) -> str:
        while True:
            name = f"{self.rng.choice(_FIRST_NAMES)} {self.rng.choice(_SURNAMES)}"
            if name not in self.names_used:
                self.names_used.add(name)
                return name

    # -- rows ----------------------------------------------------------------
    def team(self, team_id: str, name: str, nation: str = "england-and-wales") -> None:
        pk = self._id("team")
        self.team_pk[team_id] = pk
        self.rows["team"].append(dict(id=pk, team_id=team_id, name=name, nation=nation, version=1))

    def practitioner(self, pid: str, name: str, team_id: str, role: str, grade: str,
                     hours: float = 37.0, reduction: float = 0.0,
                     leaving_on: date | None = None) -> None:
        pk = self._id("practitioner")
        self.pk[pid] = pk
        if leaving_on is not None:
            self.leaving[pid] = leaving_on
        self.team_of[pid] = team_id
        email = name.lower().replace(" ", ".").replace("'", "") + "@example.org"
        self.rows["practitioner"].append(dict(
            id=pk, practitioner_id=pid, name=name, team_pk=self.team_pk[team_id], role=role,
            grade=grade, contracted_hours=hours, reduction_pct=reduction, leaving_on=leaving_on,
            email=email, nation=None, version=1,
        ))

    def case(self, prefix: str, team_id: str, *, tier: str | None = None,
             level: str | None = None, youth: bool = False, flags: Iterable[str] = (),
             status: str = "active", paused_until: date | None = None) -> _Case:
        pk = self._id("case")
        n = sum(1 for c in self.cases if c.team == team_id)
        ref = f"{prefix}{(1001 if prefix == 'NG' else 2001) + n}"
        age = self.rng.randint(12, 17) if youth else self.rng.randint(19, 58)
        dob = self.d(-age * 365 - self.rng.randint(0, 364))
        flags = tuple(sorted(set(flags)))
        resolved = level or (_TIER_LEVEL[tier[0]] if tier else "standard")
        self.rows["case"].append(dict(
            id=pk, case_ref=ref, display_name=self.person_name(), team_pk=self.team_pk[team_id],
            tier=tier, contact_level=level, youth=youth, date_of_birth=dob,
            flags=";".join(flags), status=status, paused_until=paused_until, version=1,
        ))
        case = _Case(pk, ref, team_id, resolved, youth, flags)
        self.cases.append(case)
        return case

    def allocate(self, case: _Case, holders: Sequence[tuple[str, int]],
                 end: int | None = None, reasons: Sequence[str] | None = None) -> None:
        """`holders`: (practitioner_id, start offset) in order; each ends where the
        next starts; the last ends at `end` (offset) or stays open."""
        for i, (pid, start) in enumerate(holders):
            stop = holders[i + 1][1] if i + 1 < len(holders) else end
            start_d, end_d = self.d(start), (None if stop is None else self.d(stop))
            if reasons:
                reason = reasons[i]
            else:
                reason = "new order from court" if i == 0 else "reallocated"
            case.allocations.append((pid, start_d, end_d))
            self.rows["allocation"].append(dict(
                id=self._id("allocation"), case_id=case.id, practitioner_pk=self.pk[pid],
                start_date=start_d, end_date=end_d, reason=reason, version=1,
            ))

    def holder_at(self, case: _Case, day: date) -> tuple[str, date] | None:
        for pid, start, end in case.allocations:
            if start <= day and (end is None or day < end):
                return pid, start
        return None

    def is_working(self, day: date) -> bool:
        return self.calendar.is_working(day)

    def contact(self, case: _Case, day: date | int, pid: str, kind: str = "office",
                outcome: str = "attended", notes: str | None = None, *,
                cancelled_by: str | None = None, with_pid: str | None = None) -> bool:
        """A contact; `day` as an offset from built_for falls back to the working day before."""
        day = self.working(self.d(day), back=True) if isinstance(day, int) else day
        key = (case.id, day, pid, kind)
        if key in self.contact_keys or day >= self.b:
            return False
        assert self.is_working(day), f"{case.case_ref}: a contact on {day}, not a working day"
        self.contact_keys.add(key)
        self.rows["contact"].append(dict(
            id=None, case_id=case.id, contact_date=day, practitioner_pk=self.pk[pid],
            kind=kind, outcome=outcome, notes=notes, cancelled_by=cancelled_by,
            with_practitioner_pk=self.pk[with_pid] if with_pid else None, version=1,
        ))
        return True

    def appointment(self, case: _Case, day: date | int, pid: str, *, at: time | None = None,
                    kind: str = "office", rrule: str | None = None) -> None:
        """Book one (or a weekly series); never on a weekend or bank holiday (an
        offset from built_for moves on to a working day, a Tuesday to Thursday
        for a series)."""
        if isinstance(day, int):
            day = self.working(self.d(day))
            while rrule and day.weekday() not in (1, 2, 3):
                day = self.working(day + timedelta(days=1))
        key = (case.id, day, pid)
        if key in self.appointment_keys:
            return
        assert self.is_working(day), f"{case.case_ref}: an appointment on {day}, not a working day"
        if rrule:
            from planner.rules import appointment_dates
            from planner.model import Appointment

            for when in appointment_dates(Appointment(day, pid, rrule=rrule), day, day + timedelta(days=400)):
                assert self.is_working(when), f"{case.case_ref}: the series meets {when}, not a working day"
        self.appointment_keys.add(key)
        self.rows["appointment"].append(dict(
            id=None, case_id=case.id, appointment_date=day, practitioner_pk=self.pk[pid],
            time=at or self.rng.choice(_TIMES), kind=kind, rrule=rrule, version=1,
        ))

    def absence(self, pid: str, start: int, end: int | None, kind: str = "leave",
                cover: str | None = None) -> None:
        """Away from built_for + start to built_for + end (None: open-ended)."""
        s, e = self.d(start), (None if end is None else self.d(end))
        self.absences[pid].append((s, e or date.max, cover))
        self.rows["absence"].append(dict(
            id=self._id("absence"), practitioner_pk=self.pk[pid], start_date=s, end_date=e,
            kind=kind, cover_practitioner_pk=self.pk[cover] if cover else None, version=1,
        ))

    def absent(self, pid: str, day: date) -> tuple[date, date, str | None] | None:
        for s, e, cover in self.absences.get(pid, ()):
            if s <= day <= e:
                return s, e, cover
        return None

    def note(self, case: _Case, day: int, pid: str, text: str) -> None:
        self.rows["case_note"].append(dict(
            id=self._id("case_note"), case_id=case.id, author_pk=self.pk[pid],
            written_on=self.d(day), text=text, version=1,
        ))

    def handover(self, case: _Case, from_pid: str, to_pid: str, planned: int, *,
                 status: str = "planned", done: dict[str, int] | None = None,
                 auto: Iterable[str] = (), completed: int | None = None,
                 override: str | None = None, reason: str | None = None,
                 summary: str | None = None, created: int | None = None,
                 views: dict[str, tuple[str, str]] | None = None) -> int:
        from planner.calendar import working_days
        from planner.checklist import build_checklist
        from planner.model import Case as PlannerCase

        pk = self._id("handover")
        planned_on = self.d(planned)
        created_day = self.d(created if created is not None else min(planned - 21, -1))
        self.rows["handover"].append(dict(
            id=pk, case_id=case.id, from_practitioner_pk=self.pk[from_pid],
            to_practitioner_pk=self.pk[to_pid], planned_on=planned_on, status=status,
            reason=reason, summary=summary,
            completed_on=None if completed is None else self.d(completed),
            override_reason=override, reviewed=False,
            created_at=_utc(created_day, time(9, 15)), version=1,
        ))
        pcase = PlannerCase(case_ref=case.case_ref, display_name="", contact_level=case.level,
                            youth=case.youth, flags=frozenset(case.flags))
        done = done or {}
        auto = set(auto)
        views = views or {}
        for item in build_checklist(pcase, planned_on, working_days("england-and-wales")):
            ticked = item.item_id in done
            view, words = (views.get(item.item_id, _DEFAULT_VIEW) if ticked and item.item_id in ("told", "review")
                           else (None, None))
            self.rows["handover_item"].append(dict(
                id=self._id("handover_item"), handover_id=pk, item_id=item.item_id,
                title=item.title, required=item.required, due=item.due, owner=item.owner,
                done=ticked, done_on=self.d(done[item.item_id]) if ticked else None,
                done_by=(to_pid if item.owner == "incoming" else from_pid) if ticked else None,
                auto=ticked and item.item_id in auto, note=None, version=1,
                view=view, view_words=words,
            ))
        return pk

    # -- contact patterns ----------------------------------------------------
    def regular(self, case: _Case, start: date, end: date, *, book: bool = True,
                miss_rate: float = MISS_RATE, cancel_rate: float = CANCEL_RATE) -> date:
        """Contacts on the case's plan from `start` to `end` (inclusive), on
        working days, held by whoever held the case that day (their named
        cover while they were away; with no cover named, after they came
        back). A missed or cancelled contact is rebooked a few days later;
        about a third of the cancellations are the practitioner's. Returns the
        next planned date after `end`; with `book` (and most of the time), that
        date is booked as an appointment (a weekly series on a Tuesday to
        Thursday for intensive cases), on a working day the holder is in."""
        rng = self.rng
        youth = case.youth
        kinds = (("office", 50), ("home_visit", 30 if youth else 12), ("phone", 12), ("video", 8))
        day = self.working(start + timedelta(days=rng.randint(0, 3)))
        while day <= end:
            held = self.holder_at(case, day)
            if held is None:
                day = self.working(day + timedelta(days=7))
                continue
            pid, since = held
            gone = self.leaving.get(pid)
            if gone is not None and day >= gone:
                break  # left and still holds the case: nobody sees them
            away = self.absent(pid, day)
            if away and away[2] is None:
                if away[1] == date.max:
                    break  # off with no end date and nobody named: nobody sees them
                day = self.working(away[1] + timedelta(days=1))
                continue
            who = away[2] if away else pid
            kind = rng.choices([k for k, _ in kinds], [w for _, w in kinds])[0]
            roll = rng.random()
            outcome = "missed" if roll < miss_rate else "cancelled" if roll < miss_rate + cancel_rate else "attended"
            by = None
            if outcome == "cancelled":
                by = "practitioner" if rng.random() < 0.35 else "person"
            self.contact(case, day, who, kind, outcome, cancelled_by=by)
            if outcome != "attended":
                again = self.working(day + timedelta(days=rng.randint(2, 6)))
                if again > end:  # rebooked for a day still to come: that is the next appointment
                    day = again
                    break
                if self.contact(case, again, who, "office", "attended"):
                    day = again
            early, later = _INTERVAL[case.level]
            gap = early if (day - since).days < _EARLY_DAYS else later
            # a little early at times, never later than the plan
            day = self.working(day + timedelta(days=gap + rng.randint(-2, 0)))
        if book and rng.random() < BOOKED_SHARE:
            held = self.holder_at(case, self.b)
            if held is not None:
                self.book_next(case, held[0], max(day, self.b))
        return day

    def book_next(self, case: _Case, pid: str, day: date) -> None:
        """The next appointment, on the first working day from `day` that the
        holder is in (or has cover named for)."""
        gone = self.leaving.get(pid)
        if gone is not None and gone <= self.b:
            return  # left: nothing can be booked with them
        day = self.working(day)
        for _ in range(120):
            away = self.absent(pid, day)
            if away is None or away[2] is not None:
                break
            if away[1] == date.max:
                return  # off with no end date: nothing can be booked with them
            day = self.working(away[1] + timedelta(days=1))
        if case.level == "intensive":
            while day.weekday() not in (1, 2, 3) or not self.is_working(day):  # Tue to Thu: no bank holiday
                day += timedelta(days=1)
            self.appointment(case, day, pid, rrule="FREQ=WEEKLY;COUNT=8")
        else:
            self.appointment(case, day, pid,
                             kind="home_visit" if case.youth and self.rng.random() < 0.4 else "office")

    def history(self, case: _Case, *, until: int = -1, book: bool = True) -> date:
        """Regular contacts from the case's first allocation (at most ~a year back)."""
        first = case.allocations[0][1]
        start = max(first, self.d(-380))
        return self.regular(case, start, self.d(until), book=book)


# ---------------------------------------------------------------------------
# The two teams
#
# Caseloads as services report them: 35 to 45 cases for a full-time probation
# officer or PSO, fewer for part-timers, 8 to 14 for youth justice workers,
# a few for the leads (see `_N1`, `_E1` below).

_N1 = [  # id, name, role, grade, hours, reduction, open cases in all, tier weights (A, B, C, D)
    ("N1-01", "Helen Marchbank", "team_lead", "SPO", 37.0, 80.0, 3, (0.2, 0.4, 0.4, 0.0)),
    ("N1-02", "Dev Okonjo-Hale", "practitioner", "PO", 37.0, 0.0, 42, (0.04, 0.2, 0.45, 0.31)),
    ("N1-03", "Priya Castellane", "practitioner", "PO", 37.0, 0.0, 31, (0.02, 0.15, 0.45, 0.38)),
    ("N1-04", "Gareth Lindow", "practitioner", "PO", 22.5, 0.0, 10, (0.02, 0.15, 0.45, 0.38)),
    ("N1-05", "Marisol Penhale", "practitioner", "PSO", 37.0, 0.0, 36, (0.0, 0.0, 0.5, 0.5)),
    ("N1-06", "Tomas Ferreira-Boyd", "practitioner", "PO", 37.0, 20.0, 28, (0.02, 0.15, 0.45, 0.38)),
    ("N1-07", "Ruth Abernathy-Cole", "practitioner", "PO", 37.0, 20.0, 28, (0.02, 0.15, 0.45, 0.38)),
    ("N1-08", "Kwame Ellesmere", "practitioner", "PSO", 22.5, 0.0, 20, (0.0, 0.0, 0.5, 0.5)),
    ("N1-09", "Fiona Strachan-Yeo", "practitioner", "PO", 37.0, 0.0, 36, (0.02, 0.15, 0.45, 0.38)),
    ("N1-10", "Owen Tallis", "practitioner", "PO", 37.0, 0.0, 4, (0.02, 0.15, 0.45, 0.38)),
]
_E1 = [  # id, name, role, grade, hours, reduction, open cases in all, level weights (intensive, enhanced, standard)
    ("E1-01", "Olamide Harcourt", "team_lead", "other", 37.0, 75.0, 2, (0.2, 0.5, 0.3)),
    ("E1-02", "Sian Trevethan", "practitioner", "YJW", 37.0, 0.0, 14, (0.3, 0.5, 0.2)),
    ("E1-03", "Jonah Whitlock-Osei", "practitioner", "YJW", 37.0, 0.0, 13, (0.2, 0.45, 0.35)),
    ("E1-04", "Beatriz Kowalczyk", "practitioner", "YJW", 22.5, 0.0, 8, (0.2, 0.45, 0.35)),
    ("E1-05", "Callum Drysdale", "practitioner", "PO", 37.0, 10.0, 12, (0.25, 0.5, 0.25)),
    ("E1-06", "Nadia Fairclough", "practitioner", "YJW", 37.0, 0.0, 12, (0.2, 0.45, 0.35)),
    ("E1-07", "Ibrahim Pendleton", "practitioner", "PSO", 37.0, 0.0, 14, (0.1, 0.4, 0.5)),
]
LEAVING = {"N1-03": 21, "N1-10": -9}  # leaving_on, days from built_for (N1-10 has gone)

_FLAG_ODDS = {  # chance per filler case
    "safeguarding": (0.08, 0.35),  # (adult, youth)
    "care_experienced": (0.06, 0.3),
    "approved_premises": (0.04, 0.0),
    "restorative_justice": (0.03, 0.12),
    "opd": (0.04, 0.0),
    "victim_contact": (0.1, 0.05),
    "do_not_move": (0.02, 0.03),
}


def _build_rows(built_for: date, seed: int = SEED) -> _Builder:
    b = _Builder(built_for, seed)
    b.team("NPS-N1", "Northgate Probation")
    b.team("YJS-E1", "Eastbrook Youth Justice")
    for pid, name, role, grade, hours, red, *_ in _N1:
        leaving = b.d(LEAVING[pid]) if pid in LEAVING else None
        b.practitioner(pid, name, "NPS-N1", role, grade, hours, red, leaving)
    for pid, name, role, grade, hours, red, *_ in _E1:
        b.practitioner(pid, name, "YJS-E1", role, grade, hours, red)
    _absences(b)
    _scenarios(b)
    _fillers(b)
    _leave_planning(b)
    _supervision(b)
    b.rows["meta"] = [
        dict(key="built_for", value=built_for.isoformat()),
        dict(key="generator_version", value=GENERATOR_VERSION),
        dict(key="seed", value=str(seed)),
        dict(key="about", value="Made-up sample data: every person and case is fictional."),
    ]
    return b


def _peer(pid: str) -> str:
    """A teammate who covers (not the lead, not N1-10 who has left, not N1-04 who is off sick)."""
    team, n = pid.split("-")
    if team == "N1":
        others = ["N1-02", "N1-05", "N1-07", "N1-09", "N1-03", "N1-08", "N1-06"]
    else:
        others = ["E1-02", "E1-03", "E1-06", "E1-07", "E1-04", "E1-05"]
    others = [o for o in others if o != pid]
    return others[int(n) % len(others)]


def _absences(b: _Builder) -> None:
    """Several absences a year for everyone (leave in blocks, training days,
    the odd short sickness; cover named for most), and the ones the
    scenarios need:

    - N1-06 starts twelve weeks' leave in 24 days with no cover named
      (handover_unplanned); the lead has planned most handovers, two a
      working day before it (three weeks is what two a day needs);
    - N1-04 has been off sick for 12 days with no end date and no cover
      named (handover_unplanned high on each of their cases);
    - N1-08 is away next week (Mon to Fri) with no cover named (cover_needed:
      contact falls due, and an appointment was booked before the leave was);
    - Christmas leave for several, with cover named."""
    rng = b.rng
    b.absence("N1-06", 24, 107, "leave")
    b.absence("N1-04", -12, None, "sickness")
    b.absence("N1-08", 3, 7, "leave")
    b.absence("N1-09", 24, 35, "leave", cover="N1-02")
    b.absence("E1-07", 17, 28, "leave", cover="E1-06")
    b.absence("N1-05", 26, 35, "leave", cover="N1-07")
    b.absence("E1-02", 24, 33, "leave", cover="E1-03")
    for pid, *_ in _N1 + _E1:
        if pid == "N1-10":
            continue  # left; their history is enough
        summer = -180 + rng.randint(-20, 20)  # two weeks in the summer
        b.absence(pid, summer, summer + 13, "leave", cover=rng.choice([_peer(pid), _peer(pid), None]))
        spring = -250 + rng.randint(-15, 15)  # a week in the spring
        b.absence(pid, spring, spring + 6, "leave", cover=rng.choice([_peer(pid), None]))
        autumn = -75 + rng.randint(-10, 10)  # a few days in the autumn
        b.absence(pid, autumn, autumn + rng.choice((2, 3, 4)), "leave", cover=_peer(pid))
        for train in (-300 + rng.randint(0, 20), -120 + rng.randint(0, 20)):
            b.absence(pid, train, train, "training")
        if rng.random() < 0.5:  # the odd short sickness
            sick = -40 - rng.randint(0, 200)
            if not any(s <= b.d(sick) <= e or s <= b.d(sick + 2) <= e for s, e, _ in b.absences[pid]):
                b.absence(pid, sick, sick + rng.choice((0, 1, 2)), "sickness")


def _scenarios(b: _Builder) -> None:
    N, E = "NG", "EB"
    nt, et = "NPS-N1", "YJS-E1"

    # NG1001 contact_overdue medium: standard, last seen 35 days ago, booked in 3 days.
    c = b.case(N, nt, tier="C2", flags=("victim_contact",))
    b.allocate(c, [("N1-09", -300)])
    b.regular(c, c.allocations[0][1], b.d(-42), book=False)
    b.contact(c, -35, "N1-09", "office")
    b.contact(c, -21, "N1-09", "phone", "cancelled", cancelled_by="person")
    b.appointment(c, 3, "N1-09", at=time(10, 0))
    b.note(c, -35, "N1-09", "Moved to night shifts; agreed to rebook around work.")

    # NG1002 contact_overdue high + no_appointment: enhanced, last seen 39 days ago, nothing booked.
    c = b.case(N, nt, tier="B1", flags=("safeguarding",))
    b.allocate(c, [("N1-02", -250)])
    b.regular(c, c.allocations[0][1], b.d(-46), book=False)
    b.contact(c, -39, "N1-02", "home_visit")
    b.contact(c, -31, "N1-02", "office", "cancelled", cancelled_by="person")

    # NG1003 contact_due: standard, last seen 24 days ago (due Tue 1 Dec); booked after it.
    c = b.case(N, nt, tier="C1")
    b.allocate(c, [("N1-07", -200)])
    b.regular(c, c.allocations[0][1], b.d(-38), book=False)
    b.contact(c, -24, "N1-07", "office")
    b.appointment(c, 11, "N1-07", at=time(14, 0))

    # NG1004 relationship_gap: own last contact 63 days ago; the duty officer has seen him since.
    c = b.case(N, nt, tier="C3")
    b.allocate(c, [("N1-09", -320)])
    b.regular(c, c.allocations[0][1], b.d(-70), book=False)
    b.contact(c, -63, "N1-09", "office")
    b.contact(c, -42, "N1-05", "phone")
    b.contact(c, -21, "N1-05", "office")
    b.contact(c, -7, "N1-05", "office")
    b.appointment(c, 5, "N1-09", at=time(11, 0))
    b.note(c, -7, "N1-05", "Seen on duty again; asked when his own officer is back.")

    # NG1005 first_contact passed: reallocated 10 days ago, the new PO has not met him yet.
    c = b.case(N, nt, tier="C2")
    b.allocate(c, [("N1-02", -400), ("N1-07", -10)], reasons=["new order from court", "rebalancing"])
    b.regular(c, c.allocations[0][1], b.d(-15), book=False)
    b.contact(c, -11, "N1-02", "office")
    b.appointment(c, 3, "N1-07", at=time(9, 30))

    # NG1006 first_contact coming: new order from court three days ago, first appointment booked.
    c = b.case(N, nt)
    b.allocate(c, [("N1-07", -3)])
    b.appointment(c, 3, "N1-07", at=time(10, 0))

    # NG1007 handover_upcoming low (the leaver's case, D+10, `vlo_told` due in 3 days) +
    # practitioner_churn medium (two holders this year and the receiver).
    c = b.case(N, nt, tier="B2", flags=("victim_contact",))
    b.allocate(c, [("N1-04", -500), ("N1-03", -200)])
    b.history(c)
    b.handover(c, "N1-03", "N1-09", 10, status="in_progress", done={"told": -3},
               reason="practitioner leaving", created=-6,
               views={"told": ("concerns", "Not keen on starting again; wants the new worker to know "
                                           "about the job interviews.")})

    # NG1008 handover_upcoming high: on Monday (in 3 days); the RJ facilitator not
    # yet told (due 23 Nov, late) and the record not yet read (due today).
    c = b.case(N, nt, tier="C3", flags=("restorative_justice",))
    b.allocate(c, [("N1-06", -230)])
    b.history(c)
    b.handover(c, "N1-06", "N1-05", 3, status="in_progress",
               done={"told": -11, "summary": -4},
               reason="practitioner on long leave", created=-16,
               summary="Responds best to plain, direct talk; wants the RJ conference kept on track.")

    # NG1009 handover_upcoming low: in 17 days (before N1-03 leaves), `told` due in 3 days.
    c = b.case(N, nt, tier="C0")
    b.allocate(c, [("N1-03", -180)])
    b.history(c)
    b.handover(c, "N1-03", "N1-07", 17, reason="practitioner leaving", created=-1)

    # NG1010 cold_handover: completed cold 30 days ago without the three-way meeting.
    c = b.case(N, nt, tier="B3", flags=("opd",))
    b.allocate(c, [("N1-02", -380), ("N1-07", -30)], reasons=["new order from court", "handover"])
    b.regular(c, c.allocations[0][1], b.d(-33), book=False)
    b.contact(c, -28, "N1-07", "office")
    b.regular(c, b.d(-21), b.d(-1))
    b.handover(c, "N1-02", "N1-07", -30, status="completed_cold", completed=-30, created=-50,
               done={"told": -44, "summary": -37, "read": -35, "booked": -31, "opd_consulted": -36,
                     "first_contact": -28, "reachable": -16},
               auto=("booked", "first_contact"),
               override="Court date moved; three-way could not be arranged in time. "
                        "First appointment booked instead.",
               reason="rebalancing",
               summary="Keeps appointments when reminded the day before; OPD consultation notes on file.")
    b.rows["audit_event"].append(dict(
        id=b._id("audit_event"), at=_utc(b.d(-30), time(16, 40)), actor="N1-01",
        action="complete", entity="handover", entity_key=c.case_ref, case_ref=c.case_ref,
        detail='{"override": true, "status": "completed_cold"}',
    ))

    # NG1011 missed_appointments medium: two missed in a row after an attended one.
    c = b.case(N, nt, tier="C1")
    b.allocate(c, [("N1-05", -260)])
    b.regular(c, c.allocations[0][1], b.d(-24), book=False)
    b.contact(c, -17, "N1-05", "office")
    b.contact(c, -10, "N1-05", "office", "missed")
    b.contact(c, -3, "N1-05", "office", "missed")
    b.appointment(c, 4, "N1-05", at=time(15, 0))

    # NG1012 paused: in custody on remand until built_for + 30; last seen 70 days ago.
    c = b.case(N, nt, tier="B0", status="paused", paused_until=b.d(30))
    b.allocate(c, [("N1-08", -330)])
    b.regular(c, c.allocations[0][1], b.d(-70), book=False)
    b.note(c, -66, "N1-08", "Remanded in custody; case paused until the next hearing.")

    # NG1013 closed 20 days ago: order ended; no warnings, history kept.
    c = b.case(N, nt, tier="C0", status="closed")
    b.allocate(c, [("N1-05", -370)], end=-20, reasons=["new order from court"])
    b.regular(c, c.allocations[0][1], b.d(-21), book=False)

    # NG1014 every flag, do_not_move included.
    c = b.case(N, nt, tier="A3", flags=("safeguarding", "care_experienced", "approved_premises",
                                         "restorative_justice", "opd", "victim_contact",
                                         "do_not_move"))
    b.allocate(c, [("N1-02", -420)])
    b.history(c)
    b.note(c, -9, "N1-02", "Settled at the approved premises; keyworker reports good progress.")

    # NG1015 early_break: a new relationship (5 weeks, going well) and a handover
    # planned in 12 days: the officer is moving to the court team.
    c = b.case(N, nt, tier="C2")
    b.allocate(c, [("N1-02", -300), ("N1-09", -35)], reasons=["new order from court", "rebalancing"])
    b.regular(c, c.allocations[0][1], b.d(-38), book=False)
    b.contact(c, -32, "N1-02", "three_way", with_pid="N1-09")
    b.regular(c, b.d(-25), b.d(-1))
    b.handover(c, "N1-09", "N1-07", 12, reason="N1-09 covering the court team for a month", created=-2)

    # NG1016 practitioner_cancelled: the officer cancelled twice in eight weeks.
    c = b.case(N, nt, tier="C1")
    b.allocate(c, [("N1-02", -260)])
    b.regular(c, c.allocations[0][1], b.d(-50), book=False)
    b.contact(c, -44, "N1-02", "office", "cancelled", cancelled_by="practitioner",
              notes="Officer called to court at short notice.")
    b.contact(c, -39, "N1-02", "office")
    b.contact(c, -25, "N1-02", "office", "cancelled", cancelled_by="practitioner",
              notes="Officer on a course.")
    b.contact(c, -21, "N1-02", "phone")
    b.contact(c, -7, "N1-02", "office")
    b.appointment(c, 7, "N1-02", at=time(11, 30))

    # NG1017 cold_handover (late first contact): a warm handover 20 days ago,
    # but the new officer first met the person 11 days after it.
    c = b.case(N, nt, tier="B2")
    b.allocate(c, [("N1-03", -400), ("N1-09", -20)], reasons=["new order from court", "handover"])
    b.regular(c, c.allocations[0][1], b.d(-26), book=False)
    b.contact(c, -25, "N1-03", "three_way", with_pid="N1-09")
    b.contact(c, -9, "N1-09", "office")
    b.appointment(c, 5, "N1-09", at=time(14, 0))
    b.handover(c, "N1-03", "N1-09", -20, status="completed_warm", completed=-20, created=-45,
               done={"told": -35, "summary": -28, "read": -24, "three_way": -25, "booked": -22,
                     "first_contact": -9, "reachable": -6},
               auto=("three_way", "booked", "first_contact"), reason="practitioner leaving",
               summary="Works best with a plan written down; wants help with the housing bid to continue.")

    # NG1018 practitioner_churn, A -> B -> A: N1-02, then N1-07 for four months, then N1-02 again.
    c = b.case(N, nt, tier="C2")
    b.allocate(c, [("N1-02", -500), ("N1-07", -250), ("N1-02", -120)],
               reasons=["new order from court", "rebalancing", "back to the officer who knew him"])
    b.history(c)

    # NG1019 cover_needed (an appointment booked before N1-08's leave next
    # week was agreed, and no cover named).
    c = b.case(N, nt, tier="C0")
    b.allocate(c, [("N1-08", -210)])
    b.regular(c, c.allocations[0][1], b.d(-8), book=False)
    b.appointment(c, 5, "N1-08", at=time(10, 0))

    # NG1020 handover_upcoming medium: before N1-06's leave, in 6 days; the
    # person not yet told and the summary not written, both late.
    c = b.case(N, nt, tier="C1")
    b.allocate(c, [("N1-06", -190)])
    b.history(c)
    b.handover(c, "N1-06", "N1-09", 6, status="planned", reason="practitioner on long leave", created=-10)

    # EB2001 practitioner_churn high: a child with four workers this year.
    c = b.case(E, et, level="enhanced", youth=True, flags=("care_experienced",))
    b.allocate(c, [("E1-03", -420), ("E1-06", -300), ("E1-05", -190), ("E1-02", -75)])
    b.history(c)
    b.note(c, -20, "E1-02", "Said she is tired of telling her story again; agreed a one-page profile.")

    # EB2002 missed_appointments high: three missed (a cancellation between).
    c = b.case(E, et, level="enhanced", youth=True, flags=("safeguarding",))
    b.allocate(c, [("E1-03", -280)])
    b.regular(c, c.allocations[0][1], b.d(-30), book=False)
    b.contact(c, -24, "E1-03", "home_visit")
    b.contact(c, -17, "E1-03", "office", "missed")
    b.contact(c, -10, "E1-03", "office", "missed")
    b.contact(c, -7, "E1-03", "home_visit", "cancelled", cancelled_by="person")
    b.contact(c, -3, "E1-03", "office", "missed")
    b.appointment(c, 3, "E1-03", kind="home_visit", at=time(16, 0))

    # EB2003 practitioner_churn high: a child with three workers this year (3 is high for a child).
    c = b.case(E, et, level="standard", youth=True)
    b.allocate(c, [("E1-04", -500), ("E1-06", -200), ("E1-03", -100)])
    b.history(c)

    # EB2004 first_contact coming: intensive, allocated yesterday (2nd working day deadline).
    c = b.case(E, et, level="intensive", youth=True, flags=("do_not_move",))
    b.allocate(c, [("E1-06", -1)])
    b.appointment(c, 5, "E1-06", kind="home_visit", at=time(15, 30), rrule="FREQ=WEEKLY;COUNT=8")

    # EB2005 early_break high: a child (safeguarding) six weeks into a good new
    # relationship, with a handover planned in 12 days.
    c = b.case(E, et, level="enhanced", youth=True, flags=("safeguarding",))
    b.allocate(c, [("E1-07", -330), ("E1-05", -42)], reasons=["new order from court", "reallocated"])
    b.regular(c, c.allocations[0][1], b.d(-45), book=False)
    b.contact(c, -39, "E1-05", "home_visit")
    b.regular(c, b.d(-33), b.d(-1))
    b.handover(c, "E1-05", "E1-03", 12, reason="moving to the court team", created=-3)


def _fillers(b: _Builder) -> None:
    """Each practitioner's caseload brought to its size (scenario cases count)."""
    rng = b.rng
    peers = {"NPS-N1": [p[0] for p in _N1[1:] if p[0] not in LEAVING],
             "YJS-E1": [p[0] for p in _E1[1:]]}
    held = defaultdict(int)
    for c in b.cases:
        if c.allocations and c.allocations[-1][2] is None and c.case_ref != "NG1013":
            held[c.allocations[-1][0]] += 1
    for team_id, spec, prefix in (("NPS-N1", _N1, "NG"), ("YJS-E1", _E1, "EB")):
        youth = team_id == "YJS-E1"
        for pid, _n, _r, grade, _h, _red, size, weights in spec:
            for _ in range(max(0, size - held[pid])):
                if youth:
                    level = rng.choices(("intensive", "enhanced", "standard"), weights)[0]
                    tier = None
                else:
                    band = rng.choices("ABCD", weights)[0]
                    tier = f"{band}{rng.choice((0, 1, 1, 2, 2, 3))}"
                    level = None
                flags = [f for f, odds in _FLAG_ODDS.items()
                         if rng.random() < odds[1 if youth else 0]]
                c = b.case(prefix, team_id, tier=tier, level=level, youth=youth, flags=flags)
                start = -rng.randint(20, 600)
                holders = [(pid, start)]
                others = [p for p in peers[team_id] if p != pid]
                if start < -120 and rng.random() < PREVIOUS_HOLDER:
                    prev = rng.choice(others)
                    change = -rng.randint(30, min(-start - 40, 360))
                    holders = [(prev, start), (pid, change)]
                reasons = ["new order from court"] + ["reallocated"] * (len(holders) - 1)
                b.allocate(c, holders, reasons=reasons)
                if len(holders) == 2:
                    prev, _s = holders[0]
                    change = b.d(holders[1][1])
                    b.regular(c, max(c.allocations[0][1], b.d(-380)), change - timedelta(days=3),
                              book=False)
                    first = b.working(change + timedelta(days=rng.randint(1, 3)))
                    warm = (b.b - change).days > 40 and rng.random() < 0.6
                    if warm:
                        three_way = b.working(change - timedelta(days=rng.randint(3, 8)), back=True)
                        b.contact(c, three_way, prev, "three_way", with_pid=pid)
                    b.contact(c, first, pid, "office")
                    if warm:
                        offset = (change - b.b).days
                        b.handover(c, prev, pid, offset, status="completed_warm",
                                   completed=offset, created=offset - 30, reason="rebalancing",
                                   done={"told": offset - 15, "summary": offset - 8,
                                         "read": offset - 3, "three_way": (three_way - b.b).days,
                                         "booked": offset - 2,
                                         "first_contact": (first - b.b).days,
                                         **({"review": offset + 29} if offset + 29 < 0 else {}),
                                         **{k: offset - 8 for k in _group_items(c)}},
                                   auto=("three_way", "first_contact"),
                                   summary="What works, the goals and the risks, as agreed at the three-way.")
                    b.regular(c, first + timedelta(days=7), b.d(-1))
                else:
                    b.history(c)
                if rng.random() < 0.15:
                    b.note(c, -rng.randint(1, 60), pid, rng.choice(_NOTES))


def _leave_planning(b: _Builder) -> None:
    """The lead has planned most of the departures, as SPEC §4 staggers them:
    at most two handovers a working day for each departing practitioner
    (counting the ones the scenarios plan), on working days only, before
    they go, to a receiver who is in that day and may hold the case (no PSO
    for tier A or B), and no receiver given more than two on one day.

    - N1-03 (leaving on built_for + 21): all but five cases, from Monday
      built_for + 3 to the day before she goes. Her days are full but for
      one slot on that day and one a week before it, so the
      departures list for the other five has to give some short notice and
      date some after she has gone, and says so. The two handovers on that
      Monday have had their three-way meeting and the first appointment
      with the new worker is booked.
    - N1-06 (twelve weeks' leave from built_for + 24): all but five cases,
      from built_for + 4, leaving the last days before the leave free.

    Items due by built_for + 3 are done (the person told and their view
    recorded, the summary written, the record read, the group's people
    told); so is `told` everywhere and, for N1-06, the summary. N1-10, who
    left nine days ago, still holds four cases with nothing planned; N1-04,
    off sick with no end date, has nothing planned either."""
    from planner.calendar import working_days
    from planner.checklist import build_checklist
    from planner.model import Case as PlannerCase

    calendar = working_days("england-and-wales")
    gives: dict[tuple[str, date], int] = defaultdict(int)  # (outgoing, D) -> handovers
    takes: dict[tuple[str, date], int] = defaultdict(int)  # (incoming, D) -> handovers
    pk_to_pid = {pk: pid for pid, pk in b.pk.items()}
    for row in b.rows["handover"]:
        if row["status"] in ("planned", "in_progress"):
            gives[(pk_to_pid[row["from_practitioner_pk"]], row["planned_on"])] += 1
            takes[(pk_to_pid[row["to_practitioner_pk"]], row["planned_on"])] += 1

    def open_cases_of(pid: str) -> list[_Case]:
        return [c for c in b.cases
                if c.case_ref > "NG1020" and c.allocations and c.allocations[-1][0] == pid
                and c.allocations[-1][2] is None]

    def days(pid: str, first: int, last: date, n: int, keep_free: dict[date, int]) -> list[date]:
        """Up to `n` handover dates for `pid`: two a working day from
        built_for + `first` to `last`, counting what is planned, less
        `keep_free` (fewer when the days run out: built for another date)."""
        out: list[date] = []
        day = b.working(b.d(first))
        while len(out) < n and day <= last:
            room = 2 - gives[(pid, day)] - keep_free.get(day, 0)
            out += [day] * max(0, min(room, n - len(out)))
            day = b.add_working(day, 1)
        return out

    def receiver(i: int, c: _Case, giver: str, day: date) -> str | None:
        order = [r for r in ("N1-09", "N1-02", "N1-07", "N1-05", "N1-08") if r != giver]
        for k in range(len(order)):
            to_pid = order[(i + k) % len(order)]
            if to_pid in ("N1-05", "N1-08") and c.level in ("intensive", "enhanced"):
                continue  # a PSO takes no tier A or B case
            if b.absent(to_pid, day) or takes[(to_pid, day)] >= 2:
                continue
            return to_pid
        return None

    def plan(pid: str, cases: list[_Case], dates: list[date], reason: str, done_always: tuple[str, ...],
             rotate: int) -> None:
        soon = b.d(3)
        for i, (c, day) in enumerate(zip(cases, dates)):
            to_pid = receiver(i + rotate, c, pid, day)
            if to_pid is None:
                continue  # nobody free that day (built for another date): left unplanned
            gives[(pid, day)] += 1
            takes[(to_pid, day)] += 1
            created = -16
            pcase = PlannerCase(case_ref=c.case_ref, display_name="", contact_level=c.level,
                                youth=c.youth, flags=frozenset(c.flags))
            done: dict[str, int] = {}
            for item in build_checklist(pcase, day, calendar):
                if item.item_id in ("three_way", "booked", "first_contact", "reachable", "review"):
                    continue  # ticked from the records, or not due before D
                if item.due <= soon or item.item_id in done_always or item.item_id in _group_items(c):
                    done[item.item_id] = max(created + 1, min((item.due - b.b).days, -1))
            auto: tuple[str, ...] = ()
            if day <= soon:  # the three-way has been held and the first appointment booked
                met = b.working(day - timedelta(days=5), back=True)
                b.contact(c, met, pid, "three_way", with_pid=to_pid)
                b.appointment(c, b.add_working(day, 2), to_pid, at=time(10, 0))
                done["three_way"] = (met - b.b).days
                auto = ("three_way",)
            b.handover(c, pid, to_pid, (day - b.b).days, status="in_progress", done=done, auto=auto,
                       reason=reason, created=created,
                       summary=_PLANNED_SUMMARY if "summary" in done else None)

    theirs = open_cases_of("N1-03")[5:]
    last = b.working(b.leaving["N1-03"] - timedelta(days=1), back=True)
    keep_free = {last: 1, b.working(last - timedelta(days=7), back=True): 1}  # one slot on each
    plan("N1-03", theirs, days("N1-03", 3, last, len(theirs), keep_free), "practitioner leaving",
         ("told",), rotate=1)
    theirs = open_cases_of("N1-06")[5:]
    leave = min(s for s, e, _ in b.absences["N1-06"] if (e - s).days >= 27 and s > b.b)
    last = b.working(leave - timedelta(days=1), back=True)
    plan("N1-06", theirs, days("N1-06", 4, last, len(theirs), {}), "practitioner on long leave",
         ("told", "summary"), rotate=0)


#: The handover summary of the lead's planned handovers that have one written.
_PLANNED_SUMMARY = ("Keeps appointments best in the morning; goals and risks as in the last review; "
                    "does not want to tell the story of the offence again.")


#: The person's view recorded on a `told` or `review` item the sample ticks.
_DEFAULT_VIEW = ("agrees", "Understands why; happy to meet the new worker with the old one there.")


def _group_items(c: _Case) -> list[str]:
    items = {"safeguarding": "safeguarding_lead_told", "care_experienced": "social_worker_told",
             "victim_contact": "vlo_told", "approved_premises": "ap_keyworker_told",
             "opd": "opd_consulted", "restorative_justice": "rj_facilitator_told"}
    out = [items[f] for f in c.flags if f in items]
    if c.youth:
        out.append("carers_told")
    return out


def _supervision(b: _Builder) -> None:
    by_ref = {c.case_ref: c for c in b.cases}

    def session(pid: str, lead: str, day: int, notes: list[tuple[str, str, bool]],
                actions: list[tuple[str | None, str, int, bool]]) -> None:
        sid = b._id("supervision_session")
        on = b.d(day)
        b.rows["supervision_session"].append(dict(
            id=sid, practitioner_pk=b.pk[pid], lead_pk=b.pk[lead], session_date=on,
            started_at=_utc(on, time(10, 0)),
            ended_at=_utc(on, time(11, 20)), version=1,
        ))
        for ref, text, flagged in notes:
            b.rows["supervision_note"].append(dict(
                id=b._id("supervision_note"), session_id=sid, case_id=by_ref[ref].id, note=text,
                reviewed=True, flagged=flagged, warnings_json=None, version=1,
            ))
        for ref, text, due, done in actions:
            b.rows["action"].append(dict(
                id=b._id("action"), session_id=sid,
                case_id=by_ref[ref].id if ref else None, owner_pk=b.pk[pid], text=text,
                due=b.d(due), done=done, done_on=b.d(min(due, -1)) if done else None, version=1,
            ))

    session("N1-02", "N1-01", -8, [
        ("NG1002", "Not seen for five weeks; safeguarding concerns at home. Priority.", True),
        ("NG1014", "Stable at the AP. Do not move: keep continuity through the OPD work.", False),
        ("NG1010", "Handed over cold to N1-07; check in on how the new relationship is going.", True),
    ], [
        ("NG1002", "Home visit with a colleague this week", 0, False),
        ("NG1010", "Three-way catch-up with N1-07 and the person", 3, False),
        (None, "Agree two cases to hand over to bring caseload under 110%", 5, False),
        ("NG1014", "Send OPD consultation notes to the keyworker", -2, True),
    ])
    session("N1-09", "N1-01", -3, [
        ("NG1004", "Duty has been seeing him; rebuild contact with his own officer.", True),
        ("NG1001", "Missed the last month through night shifts; offer a late slot.", False),
    ], [
        ("NG1004", "Own appointment next week; ask what worked with duty", 4, False),
        ("NG1001", "Offer evening appointment", 0, False),
    ])
    session("E1-02", "E1-01", -10, [
        ("EB2001", "Fourth worker this year; go slow, one-page profile, same room each time.", True),
    ], [
        ("EB2001", "Meet her social worker together", -1, False),
        ("EB2001", "Write the one-page profile with her", 4, False),
        (None, "Book a case discussion on intensive cases", 6, False),
    ])


# ---------------------------------------------------------------------------
# Writing the file

def _init_engine(path: Path):
    from storage.db import init_db
    from storage.engine import make_engine

    engine = make_engine(str(path))
    init_db(engine)
    return engine


def _write(engine, rows: dict[str, list[dict]]) -> None:
    tables = _tables()
    with engine.begin() as conn:
        for table in SQLModel.metadata.sorted_tables:
            batch = rows.get(table.name)
            if not batch:
                continue
            if table.name in ("contact", "appointment"):
                key = "contact_date" if table.name == "contact" else "appointment_date"
                batch.sort(key=lambda r: (r[key], r["case_id"], r["practitioner_pk"], r.get("kind", "")))
                for i, row in enumerate(batch, start=1):
                    row["id"] = i
            conn.execute(tables[table.name].insert(), batch)


def build_sample(path: str | os.PathLike[str], built_for: date = DEFAULT_BUILT_FOR) -> Path:
    """Write the sample database to `path` (replacing it), deterministically
    from `built_for`. Created through `init_db`, so the file is at Alembic head."""
    dest = Path(path)
    builder = _build_rows(built_for)
    with tempfile.TemporaryDirectory(prefix="caseload-sample-") as tmp:
        work = Path(tmp) / "sample.db"
        engine = _init_engine(work)
        try:
            _write(engine, builder.rows)
        finally:
            engine.dispose()
        con = sqlite3.connect(work)
        try:
            con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            con.execute("PRAGMA journal_mode=DELETE")
            con.execute("VACUUM")
        finally:
            con.close()
        dest.parent.mkdir(parents=True, exist_ok=True)
        partial = dest.with_name(dest.name + ".partial")
        shutil.copyfile(work, partial)
        os.replace(partial, dest)
    return dest


# ---------------------------------------------------------------------------
# Demo copies

def shipped_sample_path() -> Path:
    """The sample.db inside the installed `storage` package."""
    res = resources.files("storage").joinpath("sample.db")
    path = Path(str(res))
    if not path.is_file():
        raise FileNotFoundError(f"the packaged sample database is missing: {path}")
    return path


def read_built_for(path: str | os.PathLike[str]) -> date:
    con = sqlite3.connect(f"{Path(path).absolute().as_uri()}?mode=ro", uri=True)
    try:
        row = con.execute("SELECT value FROM meta WHERE key = 'built_for'").fetchone()
    finally:
        con.close()
    if row is None:
        raise ValueError(f"{path} has no built_for date in its meta table")
    return date.fromisoformat(row[0])


def demo_shift(built_for: date, today: date) -> timedelta:
    """How far a demo copy moves its dates: the whole weeks nearest to
    `today - built_for`, so every appointment keeps its weekday (none lands
    on a weekend); the scenarios then read within three days of as built."""
    return timedelta(days=7 * round((today - built_for).days / 7))


def demo_copy(src: str | os.PathLike[str], dest_dir: str | os.PathLike[str], today: date) -> Path:
    """Copy `src` into `dest_dir` (SQLite backup API; `src` is opened read-only
    and never changed), then, in one transaction, move every Date and
    DateTime column of every table by `demo_shift(built_for, today)` (whole
    weeks), move any appointment that lands on a bank holiday to the next
    working day (`_off_bank_holidays`), and record the new `built_for`.
    Returns the copy's path (replaced if it exists)."""
    src = Path(src)
    built_for = read_built_for(src)
    shift = demo_shift(built_for, today)
    folder = Path(dest_dir)
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    dest = folder / DEMO_FILENAME
    for suffix in ("", "-wal", "-shm", "-journal"):
        dest.with_name(dest.name + suffix).unlink(missing_ok=True)
    old = os.umask(0o077)
    try:
        source = sqlite3.connect(f"{src.absolute().as_uri()}?mode=ro", uri=True)
        target = sqlite3.connect(dest)
        try:
            source.backup(target)
        finally:
            source.close()
            target.close()
    finally:
        os.umask(old)
    os.chmod(dest, 0o600)
    engine = create_engine(f"sqlite:///{dest}")
    try:
        with engine.begin() as conn, sqlite_append_only_suspended(conn):
            present = set(inspect(conn).get_table_names())
            if shift:
                for table in SQLModel.metadata.sorted_tables:
                    if table.name in present:
                        _shift_table(conn, table, shift)
                _off_bank_holidays(conn)
            conn.execute(
                _tables()["meta"].update()
                .where(_tables()["meta"].c.key == "built_for")
                .values(value=(built_for + shift).isoformat())
            )
    finally:
        engine.dispose()
    return dest


def _off_bank_holidays(conn) -> None:
    """No appointment of the demo on a bank holiday (of England and Wales,
    the sample teams' nation): a one-off on one moves to the next working day
    (unless the person already has one then with that practitioner); a
    series with an occurrence on one becomes one-offs, each on a working day."""
    from planner.calendar import working_days
    from planner.model import Appointment
    from planner.rules import appointment_dates

    wd = working_days("england-and-wales")
    t = _tables()["appointment"]
    rows = conn.execute(select(t.c.id, t.c.case_id, t.c.appointment_date, t.c.practitioner_pk, t.c.time,
                               t.c.kind, t.c.rrule)).all()
    taken = {(r.case_id, r.appointment_date, r.practitioner_pk) for r in rows}
    for r in rows:
        if r.rrule:
            days = appointment_dates(Appointment(r.appointment_date, "", rrule=r.rrule),
                                     r.appointment_date, r.appointment_date + timedelta(days=800))
            if all(wd.is_working(day) for day in days):
                continue
            conn.execute(t.delete().where(t.c.id == r.id))
            taken.discard((r.case_id, r.appointment_date, r.practitioner_pk))
        elif wd.is_working(r.appointment_date):
            continue
        else:
            days = [r.appointment_date]
            conn.execute(t.delete().where(t.c.id == r.id))
            taken.discard((r.case_id, r.appointment_date, r.practitioner_pk))
        for day in days:
            day = wd.on_or_after(day)
            if (r.case_id, day, r.practitioner_pk) in taken:
                continue
            taken.add((r.case_id, day, r.practitioner_pk))
            conn.execute(t.insert().values(case_id=r.case_id, appointment_date=day,
                                           practitioner_pk=r.practitioner_pk, time=r.time, kind=r.kind,
                                           rrule=None, version=1))


def _shift_table(conn, table, shift: timedelta) -> None:
    cols = [c for c in table.columns if _is_dated(c.type)]
    pk = list(table.primary_key.columns)
    if not cols or len(pk) != 1:
        return
    pk = pk[0]
    rows = conn.execute(select(pk, *cols)).all()
    if not rows:
        return
    # Rows are updated one by one; a unique key that holds a date could
    # briefly collide, so move the furthest rows first (latest first when
    # moving forward, earliest first when moving back).
    order_col = _unique_date_column(table, cols)
    if order_col is not None:
        i = cols.index(order_col) + 1
        rows.sort(key=lambda r: (r[i] is None, r[i] or date.min), reverse=shift.days > 0)
    params = [
        {"_pk": r[0], **{f"_{c.name}": (None if r[j] is None else r[j] + shift)
                          for j, c in enumerate(cols, start=1)}}
        for r in rows
    ]
    stmt = (
        table.update()
        .where(pk == bindparam("_pk"))
        .values({c.name: bindparam(f"_{c.name}") for c in cols})
    )
    conn.execute(stmt, params)


def _is_dated(type_) -> bool:
    """Date or DateTime, seen through TypeDecorators (sqlmodel's UTCDateTime)."""
    while isinstance(type_, TypeDecorator):
        type_ = type_.impl_instance
    return isinstance(type_, (Date, DateTime))


def _unique_date_column(table, cols):
    from sqlalchemy import UniqueConstraint

    groups = [list(con.columns) for con in table.constraints if isinstance(con, UniqueConstraint)]
    groups += [list(ix.columns) for ix in table.indexes if ix.unique]
    for group in groups:
        for col in group:
            if col in cols:
                return col
    return None



# ---------------------------------------------------------------------------
# Command line: python -m storage.sample build PATH [PATH...] [--built-for DATE]

def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m storage.sample",
                                     description="Build the made-up sample database.")
    sub = parser.add_subparsers(dest="command", required=True)
    build = sub.add_parser("build", help="write the sample database (the first PATH is built, "
                                          "the others are byte copies of it)")
    build.add_argument("paths", nargs="+", metavar="PATH")
    build.add_argument("--built-for", type=date.fromisoformat, default=DEFAULT_BUILT_FOR,
                       help=f"the date the scenarios are built around (default {DEFAULT_BUILT_FOR})")
    args = parser.parse_args(argv)
    first = build_sample(args.paths[0], args.built_for)
    for other in args.paths[1:]:
        shutil.copyfile(first, other)
    print(f"built {', '.join(args.paths)} for {args.built_for} (generator {GENERATOR_VERSION})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
