"""The sample's row builder: ids, names, dates as offsets from `built_for`,
and the rows of each table, collected in memory (storage/sample/build.py
writes them)."""

from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone

from sqlmodel import SQLModel

from planner.calendar import working_days
import storage.models  # noqa: F401 - registers the tables on SQLModel.metadata

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
# docs/rules.md thresholds so a case kept to its plan raises no contact warning).
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

#: The person's view recorded on a `told` or `review` item the sample ticks.
_DEFAULT_VIEW = ("agrees", "Understands why; happy to meet the new worker with the old one there.")


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
        """`day` if it is a working day, else the next one (or, `back`, the one before)."""
        if back:
            return day if self.calendar.is_working(day) else self.calendar.add(day, -1)
        return self.calendar.on_or_after(day)

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
            sentence=None, sentence_end=None, release_on=None, rosh=None, mappa_level=None, restricted=False,
            language=None, interpreter=False,
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


