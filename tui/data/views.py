"""The app's views: the plain frozen values the gateway's reads return and
message handlers hand down to widgets, and the wording of their cells.

The rules' own words and counts are the planner's (planner.relationship,
planner.risk, planner.appointments, planner.words); nothing here decides a
rule.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, time, timedelta

from planner.appointments import appointment_dates
from planner.model import Absence, Appointment, Case, Practitioner, fast_constructor
from planner.policy import DEFAULT_POLICY, Policy
from planner.relationship import relationship_label
from planner.risk import is_warning, status_tag
from planner.rules import Churn


@dataclass(frozen=True, slots=True)
class CaseRow:
    """One row of the caseload table: a case, its warnings and score on the as-of date."""

    case_ref: str
    display_name: str
    initials: str
    practitioner_id: str | None
    contact_level: str
    tier: str | None
    status: str
    relationship: str  # the status tags ("new: week 3 of 12"), else how long it has run
    relationship_days: int | None
    last_seen: date | None
    next_appointment: date | None
    warnings: tuple  # high, medium and low only: what counts (planner.risk.is_warning)
    score: int
    handover: str
    statuses: tuple = ()  # the info statuses (docs/rules.md): shown, never counted
    risk: str = ""  # RoSH, MAPPA, restricted in 5 characters (planner.words.risk_tag, §11)

    def matches(self, text: str) -> bool:
        text = text.strip().lower()
        return not text or text in self.case_ref.lower() or text in self.display_name.lower()


# CaseRow(...) without the frozen __init__, every field in order: a team
# lead's caseload builds seven hundred rows before its first paint.
make_row = fast_constructor(CaseRow)


@dataclass(frozen=True)
class CaseloadView:
    """A practitioner's caseload (a team lead's: their team's) with counts and capacity."""

    as_of: date
    practitioner: Practitioner | None
    practitioners: tuple[Practitioner, ...]
    rows: tuple[CaseRow, ...] = ()
    counts: dict = field(default_factory=dict)
    capacity_pct: float | None = None
    points: float = 0.0
    available: float = 0.0
    team_view: bool = False


@dataclass(frozen=True)
class Occurrence:
    """One dated occurrence of a booked appointment (a series expanded)."""

    day: date
    appointment: Appointment


@dataclass(frozen=True)
class CaseView:
    """One case in full for the case screen."""

    as_of: date
    case: Case
    warnings: tuple
    notes: tuple
    names: dict  # practitioner_id -> name
    churn: Churn  # practitioner_churn's count (workers in 365 days) and the planned receivers it counts
    relationship: str
    absences: tuple[Absence, ...]  # of the current practitioner
    receivers: tuple[tuple[str, str], ...]  # (label, practitioner_id) for a handover
    upcoming: tuple[Occurrence, ...]
    viewer_leads: bool = False  # the signed-in user may do a team lead's part for this case (overrides)
    contact_notes: dict = field(default_factory=dict)  # contact id -> its note (personal data)
    nation: str = "england-and-wales"  # whose working days a handover of the case counts (its team's)


@dataclass(frozen=True)
class WeekView:
    """A practitioner's week plan with what the week screen needs to move appointments."""

    as_of: date
    week_of: date  # the Monday
    practitioner: Practitioner | None
    plan: object  # planner.week.WeekPlan
    names: dict  # case_ref -> display name
    versions: dict  # appointment id -> version (for moving with optimistic locking)
    absences: tuple[Absence, ...] = ()
    appointments: dict = field(default_factory=dict)  # appointment id -> Appointment
    own_cases: tuple[tuple[str, str], ...] = ()  # (case_ref, display_name) held by the practitioner
    viewer_leads: bool = False  # the signed-in user leads the practitioner's team (a lead's override)


@dataclass(frozen=True)
class SearchEntry:
    """One entry of the command palette's index."""

    kind: str  # "case" | "practitioner"
    key: str  # case_ref | practitioner_id
    name: str
    extra: str = ""


# ----------------------------------------------------------------------------- helpers


def absence_end(absence, fmt: str = "%d %b") -> str:
    """An absence's last day in `fmt`, or "no end date" while it is open-ended."""
    return "no end date" if absence.end_date is None else format(absence.end_date, fmt)


def absence_span(absence, fmt: str = "%d %b", sep: str = " – ") -> str:
    """`07 Dec – 28 Feb`, or `from 07 Dec, no end date`."""
    if absence.end_date is None:
        return f"from {absence.start_date:{fmt}}, no end date"
    return f"{absence.start_date:{fmt}}{sep}{absence.end_date:{fmt}}"


def last_seen(case: Case, as_of: date) -> date | None:
    """The last meaningful contact with anyone on or before as_of."""
    seen = [c.contact_date for c in case.contacts if c.meaningful and c.contact_date <= as_of]
    return max(seen) if seen else None


def upcoming(case: Case, as_of: date, days: int = 120) -> list[Occurrence]:
    """Every booked date within `days`, each series expanded (planner.appointments)."""
    last = as_of + timedelta(days=days)
    out = [Occurrence(d, a) for a in case.appointments for d in appointment_dates(a, as_of, last)]
    return sorted(out, key=lambda o: (o.day, o.appointment.time or time()))


def handover_label(case: Case) -> str:
    h = case.open_handover
    if h is None:
        done = [x for x in case.handovers if x.is_completed]
        if done and done[-1].status == "completed_cold":
            return f"cold {done[-1].completed_on:%d %b}" if done[-1].completed_on else "cold"
        return ""
    required = [i for i in h.items if i.required]
    ticked = sum(1 for i in required if i.done)
    return f"→{h.to_practitioner_id} {h.planned_on:%d %b} {ticked}/{len(required)}"


def split_statuses(warnings) -> tuple[tuple, tuple]:
    """(the warnings that count, the info statuses), each in the given order."""
    counted, statuses = [], []
    for w in warnings:
        (counted if is_warning(w) else statuses).append(w)
    return tuple(counted), tuple(statuses)


def status_label(statuses, days: int | None, policy: Policy = DEFAULT_POLICY) -> str:
    """The relationship cell: the statuses' tags ("new: week 3 of 12"), else
    how long the relationship has run."""
    if statuses:
        return " · ".join(status_tag(s) for s in statuses)
    return relationship_label(days, policy)
