"""The shipped sample: two made-up teams whose data make every SPEC §3 rule fire.

`build_sample(path, built_for)` writes a fresh database (created and
Alembic-stamped through `storage.db.init_db`) from a seeded
`random.Random`, so the same `built_for` always gives the same rows; every
date is relative to `built_for`, never to the wall clock. `demo_copy` copies
the file and moves every date by `today - built_for` days so the demo looks
current whatever day it is opened. Every person in it is made up.

Rebuild the shipped copies (repo root and package) with:

    python -m storage.sample build sample.db storage/sample.db

The scenarios, as of `built_for` (case refs are stable for a given version):

- NG1001 contact_overdue medium (standard, last seen 35 days ago; booked)
- NG1002 contact_overdue high + no_appointment (enhanced, last seen 40 days ago)
- NG1003 contact_due (standard, last seen 24 days ago; booked)
- NG1004 relationship_gap (own last contact 62 days ago, duty officer since)
- NG1005 first_contact passed (reallocated 10 days ago, not yet seen) + early_window
- NG1006 first_contact coming (new from court 2 days ago, booked)
- NG1007 handover_upcoming medium (leaver's case, D+10, `told` done) +
         practitioner_churn medium (two holders this year + the receiver)
- NG1008 handover_upcoming high (D+2, `told` and `summary` done)
- NG1009 handover_upcoming low (D+19, nothing done yet)
- NG1010 cold_handover (completed 30 days ago, no three-way, override recorded)
- NG1011 missed_appointments medium (two missed in a row)
- NG1012 paused (in custody until built_for + 30): no contact rules
- NG1013 closed 20 days ago: no warnings, history kept
- NG1014 every flag, do_not_move included (A3, approved premises)
- N1-03 (leaving_on built_for + 21): handover_unplanned medium on most cases
- N1-06 (12 weeks' leave from built_for + 10, no cover): handover_unplanned high,
         cover_needed on cases whose contact falls due while away; four of
         their cases already have handovers planned (handover_upcoming medium)
- N1-02 is over 110% capacity
- EB2001 practitioner_churn high (a child with four workers this year)
- EB2002 missed_appointments high (three missed, a cancellation between)
- EB2003 practitioner_churn medium (three workers this year)
- EB2004 first_contact coming (intensive, 2nd working day)
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

import holidays
from sqlalchemy import Date, DateTime, TypeDecorator, bindparam, create_engine, inspect, select
from sqlmodel import SQLModel

import storage.models  # noqa: F401 - registers the tables on SQLModel.metadata
from storage.audit_guard import sqlite_append_only_suspended

GENERATOR_VERSION = "1"
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
        self.contact_keys: set[tuple] = set()
        self.appointment_keys: set[tuple] = set()
        self.names_used: set[str] = set()
        years = range(built_for.year - 3, built_for.year + 2)
        self.bank = holidays.country_holidays("GB", subdiv="ENG", years=years)
        self._next = defaultdict(int)

    # -- ids and small helpers --------------------------------------------
    def _id(self, table: str) -> int:
        self._next[table] += 1
        return self._next[table]

    def d(self, days: int) -> date:
        """built_for + days."""
        return self.b + timedelta(days=days)

    def working(self, day: date, back: bool = False) -> date:
        step = timedelta(days=-1 if back else 1)
        while day.weekday() >= 5 or day in self.bank:
            day += step
        return day

    def add_working(self, day: date, n: int) -> date:
        while n:
            day += timedelta(days=1)
            if day.weekday() < 5 and day not in self.bank:
                n -= 1
        return day

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

    def contact(self, case: _Case, day: date | int, pid: str, kind: str = "office",
                outcome: str = "attended", notes: str | None = None) -> bool:
        day = self.d(day) if isinstance(day, int) else day
        key = (case.id, day, pid, kind)
        if key in self.contact_keys or day >= self.b:
            return False
        self.contact_keys.add(key)
        self.rows["contact"].append(dict(
            id=None, case_id=case.id, contact_date=day, practitioner_pk=self.pk[pid],
            kind=kind, outcome=outcome, notes=notes, version=1,
        ))
        return True

    def appointment(self, case: _Case, day: date | int, pid: str, *, at: time | None = None,
                    kind: str = "office", rrule: str | None = None) -> None:
        day = self.d(day) if isinstance(day, int) else day
        key = (case.id, day, pid)
        if key in self.appointment_keys:
            return
        self.appointment_keys.add(key)
        self.rows["appointment"].append(dict(
            id=None, case_id=case.id, appointment_date=day, practitioner_pk=self.pk[pid],
            time=at or self.rng.choice(_TIMES), kind=kind, rrule=rrule, version=1,
        ))

    def absence(self, pid: str, start: int, end: int, kind: str = "leave",
                cover: str | None = None) -> None:
        s, e = self.d(start), self.d(end)
        self.absences[pid].append((s, e, cover))
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
                miss_rate: float = 0.06, cancel_rate: float = 0.04) -> date:
        """Contacts on the case's plan from `start` to `end` (inclusive), held by
        whoever held the case that day (their cover when they were away, or
        after they came back). Returns the next planned date after `end`; with
        `book`, that date is booked as an appointment (a weekly series for
        intensive cases)."""
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
            away = self.absent(pid, day)
            if away and away[2] is None:
                day = self.working(away[1] + timedelta(days=1))
                continue
            who = away[2] if away else pid
            kind = rng.choices([k for k, _ in kinds], [w for _, w in kinds])[0]
            roll = rng.random()
            outcome = "missed" if roll < miss_rate else "cancelled" if roll < miss_rate + cancel_rate else "attended"
            self.contact(case, day, who, kind, outcome)
            if outcome != "attended":
                again = self.working(day + timedelta(days=rng.randint(2, 4)))
                if again <= end and self.contact(case, again, who, "office", "attended"):
                    day = again
            early, later = _INTERVAL[case.level]
            gap = early if (day - since).days < _EARLY_DAYS else later
            day = self.working(day + timedelta(days=gap + rng.randint(-1, 1)))
        if book:
            held = self.holder_at(case, self.b)
            if held is not None:
                nxt = max(day, self.b)
                if case.level == "intensive":
                    self.appointment(case, nxt, held[0], rrule="FREQ=WEEKLY;COUNT=8")
                else:
                    self.appointment(case, nxt, held[0],
                                     kind="home_visit" if youth and rng.random() < 0.4 else "office")
        return day

    def history(self, case: _Case, *, until: int = -1, book: bool = True) -> date:
        """Regular contacts from the case's first allocation (at most ~a year back)."""
        first = case.allocations[0][1]
        start = max(first, self.d(-380))
        return self.regular(case, start, self.d(until), book=book)


# ---------------------------------------------------------------------------
# The two teams

_N1 = [  # id, name, role, grade, hours, reduction, fillers, tier weights (A, B, C, D)
    ("N1-01", "Helen Marchbank", "team_lead", "SPO", 37.0, 80.0, 2, (0.2, 0.4, 0.4, 0.0)),
    ("N1-02", "Dev Okonjo-Hale", "practitioner", "PO", 37.0, 0.0, 27, (0.2, 0.4, 0.35, 0.05)),
    ("N1-03", "Priya Castellane", "practitioner", "PO", 37.0, 0.0, 21, (0.1, 0.35, 0.4, 0.15)),
    ("N1-04", "Gareth Lindow", "practitioner", "PO", 22.5, 0.0, 12, (0.1, 0.35, 0.4, 0.15)),
    ("N1-05", "Marisol Penhale", "practitioner", "PSO", 37.0, 0.0, 34, (0.0, 0.0, 0.6, 0.4)),
    ("N1-06", "Tomas Ferreira-Boyd", "practitioner", "PO", 37.0, 20.0, 16, (0.1, 0.35, 0.4, 0.15)),
    ("N1-07", "Ruth Abernathy-Cole", "practitioner", "PO", 37.0, 20.0, 13, (0.05, 0.3, 0.5, 0.15)),
    ("N1-08", "Kwame Ellesmere", "practitioner", "PSO", 22.5, 0.0, 20, (0.0, 0.0, 0.55, 0.45)),
    ("N1-09", "Fiona Strachan-Yeo", "practitioner", "PO", 37.0, 0.0, 24, (0.1, 0.35, 0.4, 0.15)),
]
_E1 = [  # id, name, role, grade, hours, reduction, fillers, level weights (intensive, enhanced, standard)
    ("E1-01", "Olamide Harcourt", "team_lead", "other", 37.0, 75.0, 2, (0.2, 0.5, 0.3)),
    ("E1-02", "Sian Trevethan", "practitioner", "YJW", 37.0, 0.0, 18, (0.4, 0.5, 0.1)),
    ("E1-03", "Jonah Whitlock-Osei", "practitioner", "YJW", 37.0, 0.0, 12, (0.2, 0.45, 0.35)),
    ("E1-04", "Beatriz Kowalczyk", "practitioner", "YJW", 22.5, 0.0, 8, (0.2, 0.45, 0.35)),
    ("E1-05", "Callum Drysdale", "practitioner", "PO", 37.0, 10.0, 11, (0.25, 0.5, 0.25)),
    ("E1-06", "Nadia Fairclough", "practitioner", "YJW", 37.0, 0.0, 12, (0.2, 0.45, 0.35)),
    ("E1-07", "Ibrahim Pendleton", "practitioner", "PSO", 37.0, 0.0, 13, (0.1, 0.4, 0.5)),
]

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
    rng = b.rng
    b.team("NPS-N1", "Northgate Probation")
    b.team("YJS-E1", "Eastbrook Youth Justice")
    for pid, name, role, grade, hours, red, *_ in _N1:
        leaving = b.d(21) if pid == "N1-03" else None
        b.practitioner(pid, name, "NPS-N1", role, grade, hours, red, leaving)
    for pid, name, role, grade, hours, red, *_ in _E1:
        b.practitioner(pid, name, "YJS-E1", role, grade, hours, red)

    # Absences: N1-06 starts twelve weeks' leave in 10 days with no cover
    # named (cover_needed, handover_unplanned high); others have ordinary
    # leave, some covered.
    b.absence("N1-06", 10, 93, "leave")
    b.absence("N1-06", -150, -141, "leave", cover="N1-09")
    b.absence("E1-07", 17, 28, "leave", cover="E1-06")
    b.absence("N1-08", -2, 4, "leave", cover="N1-05")
    b.absence("N1-09", -120, -106, "sickness")
    b.absence("N1-04", -60, -56, "training")
    b.absence("E1-03", -200, -189, "leave", cover="E1-06")
    b.absence("E1-02", -90, -86, "training")
    for pid, *_ in _N1 + _E1:
        if pid in ("N1-06",):
            continue
        start = -330 + rng.randint(0, 40)
        b.absence(pid, start, start + rng.choice((4, 7, 11)), "leave",
                  cover=rng.choice([None, None, _peer(pid)]))
        train = -260 + rng.randint(0, 30)
        b.absence(pid, train, train, "training")

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
    team, n = pid.split("-")
    return f"{team}-{(int(n) % 6) + 2:02d}"


def _scenarios(b: _Builder) -> None:
    N, E = "NG", "EB"
    nt, et = "NPS-N1", "YJS-E1"

    # NG1001 contact_overdue medium: standard, last seen 35 days ago, booked in 3 days.
    c = b.case(N, nt, tier="C2", flags=("victim_contact",))
    b.allocate(c, [("N1-09", -300)])
    b.regular(c, c.allocations[0][1], b.d(-42), book=False)
    b.contact(c, -35, "N1-09", "office")
    b.contact(c, -21, "N1-09", "phone", "cancelled")
    b.appointment(c, 3, "N1-09", at=time(10, 0))
    b.note(c, -35, "N1-09", "Moved to night shifts; agreed to rebook around work.")

    # NG1002 contact_overdue high + no_appointment: enhanced, last seen 40 days ago.
    c = b.case(N, nt, tier="B1", flags=("safeguarding",))
    b.allocate(c, [("N1-02", -250)])
    b.regular(c, c.allocations[0][1], b.d(-47), book=False)
    b.contact(c, -40, "N1-02", "home_visit")
    b.contact(c, -33, "N1-02", "office", "cancelled")

    # NG1003 contact_due: standard, last seen 24 days ago, booked in 4 days.
    c = b.case(N, nt, tier="C1")
    b.allocate(c, [("N1-04", -200)])
    b.regular(c, c.allocations[0][1], b.d(-40), book=False)
    b.contact(c, -24, "N1-04", "office")
    b.appointment(c, 4, "N1-04", at=time(14, 0))

    # NG1004 relationship_gap: own last contact 62 days ago; the duty officer
    # has seen him since (gap itself is small).
    c = b.case(N, nt, tier="C3")
    b.allocate(c, [("N1-09", -320)])
    b.regular(c, c.allocations[0][1], b.d(-70), book=False)
    b.contact(c, -62, "N1-09", "office")
    b.contact(c, -41, "N1-04", "phone")
    b.contact(c, -20, "N1-04", "office")
    b.contact(c, -6, "N1-04", "office")
    b.appointment(c, 5, "N1-09", at=time(11, 0))
    b.note(c, -6, "N1-04", "Seen on duty again; asked when his own officer is back.")

    # NG1005 first_contact passed: reallocated 10 days ago, new PO not seen him yet.
    c = b.case(N, nt, tier="C2")
    b.allocate(c, [("N1-02", -400), ("N1-07", -10)], reasons=["new order from court", "rebalancing"])
    b.regular(c, c.allocations[0][1], b.d(-13), book=False)
    b.contact(c, -12, "N1-02", "office")
    b.appointment(c, 3, "N1-07", at=time(9, 30))

    # NG1006 first_contact coming: new order from court two days ago, first appointment booked.
    c = b.case(N, nt)
    b.allocate(c, [("N1-07", -2)])
    b.appointment(c, 3, "N1-07", at=time(10, 0))

    # NG1007 handover_upcoming medium + practitioner_churn medium: the leaver's
    # case, planned to N1-09 in 10 days, person told.
    c = b.case(N, nt, tier="B2", flags=("victim_contact",))
    b.allocate(c, [("N1-04", -500), ("N1-03", -200)])
    b.history(c)
    b.handover(c, "N1-03", "N1-09", 10, status="in_progress", done={"told": -3},
               reason="practitioner leaving", created=-6,
               views={"told": ("concerns", "Not keen on starting again; wants the new worker to know "
                                           "about the job interviews.")})

    # NG1008 handover_upcoming high: in 2 days, before N1-06's leave; told and summary done.
    c = b.case(N, nt, tier="C3", flags=("restorative_justice",))
    b.allocate(c, [("N1-06", -230)])
    b.history(c)
    b.handover(c, "N1-06", "N1-05", 2, status="in_progress",
               done={"told": -12, "summary": -4, "rj_facilitator_told": -5},
               reason="practitioner on long leave", created=-16,
               summary="Responds best to plain, direct talk; wants the RJ conference kept on track.")

    # NG1009 handover_upcoming low: in 19 days (two days before N1-03 leaves), nothing done.
    c = b.case(N, nt, tier="C0")
    b.allocate(c, [("N1-03", -180)])
    b.history(c)
    b.handover(c, "N1-03", "N1-07", 19, reason="practitioner leaving", created=-1)

    # NG1010 cold_handover: completed 30 days ago without the three-way meeting.
    c = b.case(N, nt, tier="B3", flags=("opd",))
    b.allocate(c, [("N1-02", -380), ("N1-07", -30)], reasons=["new order from court", "handover"])
    b.regular(c, c.allocations[0][1], b.d(-33), book=False)
    b.contact(c, -28, "N1-07", "office")
    b.regular(c, b.d(-21), b.d(-1))
    b.handover(c, "N1-02", "N1-07", -30, status="completed_cold", completed=-30, created=-50,
               done={"told": -44, "summary": -37, "read": -33, "booked": -31, "opd_consulted": -36,
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

    # EB2001 practitioner_churn high: a child with four workers this year.
    c = b.case(E, et, level="enhanced", youth=True, flags=("care_experienced",))
    b.allocate(c, [("E1-03", -420), ("E1-06", -300), ("E1-05", -190), ("E1-02", -75)])
    b.history(c)
    b.note(c, -20, "E1-02", "Said she is tired of telling her story again; agreed a one-page profile.")

    # EB2002 missed_appointments high: three missed (a cancellation between).
    c = b.case(E, et, level="enhanced", youth=True, flags=("safeguarding",))
    b.allocate(c, [("E1-03", -280)])
    b.regular(c, c.allocations[0][1], b.d(-30), book=False)
    b.contact(c, -23, "E1-03", "home_visit")
    b.contact(c, -16, "E1-03", "office", "missed")
    b.contact(c, -9, "E1-03", "office", "missed")
    b.contact(c, -5, "E1-03", "home_visit", "cancelled")
    b.contact(c, -2, "E1-03", "office", "missed")
    b.appointment(c, 3, "E1-03", kind="home_visit", at=time(16, 0))

    # EB2003 practitioner_churn medium: three workers this year.
    c = b.case(E, et, level="standard", youth=True)
    b.allocate(c, [("E1-04", -500), ("E1-06", -200), ("E1-03", -100)])
    b.history(c)

    # EB2004 first_contact coming: intensive, allocated yesterday (2nd working day deadline).
    c = b.case(E, et, level="intensive", youth=True, flags=("do_not_move",))
    b.allocate(c, [("E1-06", -1)])
    b.appointment(c, 3, "E1-06", kind="home_visit", at=time(15, 30),
                  rrule="FREQ=WEEKLY;COUNT=8")


def _fillers(b: _Builder) -> None:
    rng = b.rng
    peers = {"NPS-N1": [p[0] for p in _N1[1:]], "YJS-E1": [p[0] for p in _E1[1:]]}
    for team_id, spec, prefix in (("NPS-N1", _N1, "NG"), ("YJS-E1", _E1, "EB")):
        youth = team_id == "YJS-E1"
        for pid, _n, _r, grade, _h, _red, count, weights in spec:
            for _ in range(count):
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
                start = -rng.randint(25, 600)
                holders = [(pid, start)]
                others = [p for p in peers[team_id] if p != pid and p != "N1-03"]
                if start < -120 and rng.random() < 0.35:
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
                    b.contact(c, first, pid, "three_way" if warm else "office")
                    if warm:
                        offset = (change - b.b).days
                        b.handover(c, prev, pid, offset, status="completed_warm",
                                   completed=offset, created=offset - 30, reason="rebalancing",
                                   done={"told": offset - 15, "summary": offset - 8,
                                         "read": offset - 3, "three_way": (first - b.b).days,
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
    """The lead has started planning N1-06's cases before the long leave:
    four filler cases get handovers in 6-9 days (told done), the rest none."""
    theirs = [c for c in b.cases
              if c.case_ref > "NG1014" and c.allocations and c.allocations[-1][0] == "N1-06"
              and c.allocations[-1][2] is None]
    for c, to_pid, days in zip(theirs, ("N1-09", "N1-04", "N1-07", "N1-09"), (6, 7, 8, 9)):
        b.handover(c, "N1-06", to_pid, days, status="in_progress", done={"told": -4},
                   reason="practitioner on long leave", created=-7)


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


def demo_copy(src: str | os.PathLike[str], dest_dir: str | os.PathLike[str], today: date) -> Path:
    """Copy `src` into `dest_dir` (SQLite backup API; `src` is opened read-only
    and never changed), then move every Date and DateTime column of every
    table by `today - built_for` days in one transaction, and record the new
    `built_for`. Returns the copy's path (replaced if it exists)."""
    src = Path(src)
    built_for = read_built_for(src)
    shift = timedelta(days=(today - built_for).days)
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
            conn.execute(
                _tables()["meta"].update()
                .where(_tables()["meta"].c.key == "built_for")
                .values(value=today.isoformat())
            )
    finally:
        engine.dispose()
    return dest


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
