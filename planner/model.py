"""Plain, frozen facts that the rules work on.

`storage` turns database rows into these; `planner` never sees a row, a
session or a widget. Every collection is a tuple (hashable, immutable) and is
kept in date order by whoever builds it: allocations by `start_date`,
contacts by `contact_date`, appointments by `appointment_date`, handovers by
`planned_on`.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
import datetime as dt
from datetime import date
from types import MemberDescriptorType
from typing import Any, Callable

ROLES = ("practitioner", "team_lead")
GRADES = ("PO", "PSO", "SPO", "YJW", "other")
CONTACT_LEVELS = ("intensive", "enhanced", "standard", "low")
TIERS = tuple(f"{band}{n}" for band in "ABCD" for n in (3, 2, 1, 0))
FLAGS = (
    "safeguarding",
    "care_experienced",
    "approved_premises",
    "restorative_justice",
    "opd",
    "victim_contact",
    "do_not_move",
)
STATUSES = ("active", "paused", "closed")
#: Sentence, custody and risk context (docs/words.md, "Sentences and custody").
SENTENCES = (
    "community_order",
    "suspended_sentence",
    "licence",
    "post_sentence_supervision",
    "custody",
    "referral_order",
    "youth_rehabilitation_order",
    "out_of_court",
    "other",
)
CUSTODY = "custody"
#: The sentences a release day belongs to: custody, and the licence or supervision after it.
RELEASE_SENTENCES = ("custody", "licence", "post_sentence_supervision")
ROSH_LEVELS = ("low", "medium", "high", "very_high")
#: RoSH levels that add `risk_plan_shared` to a handover (as any MAPPA level does).
HIGH_ROSH = frozenset({"high", "very_high"})
MAPPA_LEVELS = (1, 2, 3)
CONTACT_KINDS = ("office", "home_visit", "phone", "video", "three_way", "other")
#: Kinds where the person and the practitioner are in the same room: "seen"
#: in wording, "contact" for the others (planner/rules/).
FACE_TO_FACE_KINDS = frozenset({"office", "home_visit", "three_way"})
OUTCOMES = ("attended", "missed", "cancelled")
CANCELLED_BY = ("person", "practitioner")
# The person's voice (docs/voice.md): a check-in's three questions, each
# answered 1 (not at all) to 5 (completely), and the reason codes of a
# `not_with` entry (codes only: no free text about staff).
CHECKIN_QUESTIONS = ("listened", "goals", "trust")
CHECKIN_WORDING = {
    "listened": "I feel listened to and respected",
    "goals": "We work on what matters to me",
    "trust": "I trust my worker to help me",
}
CHECKIN_LOW, CHECKIN_HIGH = 1, 5
NOT_WITH_REASONS = ("complaint", "boundary", "risk_to_staff", "person_request")

# A meaningful contact (docs/words.md, docs/rules.md): an attended contact of any
# kind but `other`. The one definition: `is_meaningful` for the planner and
# every screen (`Contact.meaningful`), `meaningful_sql` for the queries that
# storage runs (storage/queries/), built from the same two words.
MEANINGFUL_OUTCOME = "attended"
NOT_MEANINGFUL_KIND = "other"


def is_meaningful(outcome: str, kind: str) -> bool:
    """An attended contact of any kind but `other` (docs/words.md)."""
    return outcome == MEANINGFUL_OUTCOME and kind != NOT_MEANINGFUL_KIND


def meaningful_sql(outcome_column: str, kind_column: str) -> str:
    """`is_meaningful` as an SQL condition on two columns (plain SQL, the same
    on SQLite and PostgreSQL): what storage's queries filter contacts by."""
    return f"{outcome_column} = '{MEANINGFUL_OUTCOME}' AND {kind_column} != '{NOT_MEANINGFUL_KIND}'"
ABSENCE_KINDS = ("leave", "sickness", "training", "other")
NATIONS = ("england-and-wales", "scotland", "northern-ireland")
HANDOVER_STATUSES = (
    "planned",
    "in_progress",
    "completed_warm",
    "completed_cold",
    "cancelled",
)
OPEN_HANDOVER_STATUSES = ("planned", "in_progress")
COMPLETED_HANDOVER_STATUSES = ("completed_warm", "completed_cold")

_TIER_LEVEL = {"A": "intensive", "B": "enhanced", "C": "standard", "D": "low"}


def level_for(tier: str | None, contact_level: str | None) -> str:
    """The contact level of docs/words.md: explicit, else from the tier, else standard."""
    if contact_level:
        return contact_level
    if tier:
        return _TIER_LEVEL.get(tier[0].upper(), "standard")
    return "standard"


@dataclass(frozen=True, slots=True)
class Team:
    """A team; `nation` picks its bank holidays."""

    team_id: str
    name: str
    nation: str = "england-and-wales"


@dataclass(frozen=True, slots=True)
class Practitioner:
    """Someone who holds cases (or leads a team); hours and reduction set their capacity."""

    practitioner_id: str
    name: str
    team_id: str
    role: str = "practitioner"
    grade: str = "PO"
    contracted_hours: float = 37.0
    reduction_pct: float = 0.0
    leaving_on: date | None = None
    email: str | None = None
    nation: str = "england-and-wales"

    @property
    def is_lead(self) -> bool:
        return self.role == "team_lead"


@dataclass(frozen=True, slots=True)
class Allocation:
    """A case held by a practitioner from `start_date`; open while `end_date` is None."""

    practitioner_id: str
    start_date: date
    end_date: date | None = None
    reason: str | None = None

    @property
    def is_open(self) -> bool:
        return self.end_date is None


@dataclass(frozen=True, slots=True)
class Contact:
    """A contact with the person on a case: its kind and whether it was attended.

    `cancelled_by` (`person` or `practitioner`) says who cancelled a
    cancelled one, when recorded; `with_practitioner_id` is a second
    practitioner present (the incoming one at a three-way meeting)."""

    contact_date: date
    practitioner_id: str
    kind: str = "office"
    outcome: str = "attended"
    id: int | None = None
    cancelled_by: str | None = None
    with_practitioner_id: str | None = None

    @property
    def meaningful(self) -> bool:
        """docs/words.md: an attended contact of any kind but `other` (`is_meaningful`)."""
        return is_meaningful(self.outcome, self.kind)

    def involves(self, practitioner_id: str | None) -> bool:
        """Held by this practitioner, or they were there (`with_practitioner_id`)."""
        return practitioner_id is not None and (
            self.practitioner_id == practitioner_id or self.with_practitioner_id == practitioner_id
        )


@dataclass(frozen=True, slots=True)
class Checkin:
    """The person's answers at a contact (docs/voice.md): `listened`, `goals`
    and `trust`, each 1 to 5, and their own words (optional). Prompts for a
    conversation, not a validated instrument."""

    checkin_date: date
    practitioner_id: str
    listened: int
    goals: int
    trust: int
    words: str | None = None

    @property
    def answers(self) -> tuple[int, int, int]:
        return (self.listened, self.goals, self.trust)

    @property
    def total(self) -> int:
        return self.listened + self.goals + self.trust


@dataclass(frozen=True, slots=True)
class NotWith:
    """A practitioner this person must not be allocated to, with a reason code
    (`NOT_WITH_REASONS`)."""

    practitioner_id: str
    reason: str


@dataclass(frozen=True, slots=True)
class Appointment:
    """A booked appointment, or a series of them when `rrule` is set.

    RFC 5545 exceptions (planner/appointments.py expands them):
    `exdates` are a series' cancelled occurrences (EXDATE); an appointment
    with `series_id` overrides one occurrence of that series, the one of
    `recurrence_date` (RECURRENCE-ID), moved to its own date and time;
    `moved` are the occurrence dates of a series that such overrides replace
    (filled in by the reader). `cancelled_by` (`person` or `practitioner`)
    marks a cancelled one-off, override or whole series: it has no dates."""

    appointment_date: date
    practitioner_id: str
    time: dt.time | None = None
    kind: str = "office"
    rrule: str | None = None
    id: int | None = None
    exdates: tuple[date, ...] = ()
    series_id: int | None = None
    recurrence_date: date | None = None
    cancelled_by: str | None = None
    moved: tuple[date, ...] = ()
    version: int = 1  # edits so far (the .ics SEQUENCE)

    @property
    def cancelled(self) -> bool:
        return self.cancelled_by is not None

    @property
    def excluded(self) -> frozenset[date]:
        """The series' occurrence dates that are not held on their day."""
        return frozenset(self.exdates) | frozenset(self.moved)


@dataclass(frozen=True, slots=True)
class Absence:
    """A practitioner away from `start_date` to `end_date`, both counted.

    `end_date` None: open-ended (a sickness with no return date yet,
    docs/words.md); it covers every day from its start, and counts as a long absence
    (`last_day` is `date.max`, `days` is None)."""

    practitioner_id: str
    start_date: date
    end_date: date | None
    kind: str = "leave"
    cover_practitioner_id: str | None = None
    id: int | None = None

    def covers(self, day: date) -> bool:
        return self.start_date <= day and (self.end_date is None or day <= self.end_date)

    @property
    def open_ended(self) -> bool:
        return self.end_date is None

    @property
    def last_day(self) -> date:
        """The last day away: `end_date`, or `date.max` while open-ended."""
        return date.max if self.end_date is None else self.end_date

    @property
    def days(self) -> int | None:
        """Calendar days away, both ends counted; None while open-ended."""
        return None if self.end_date is None else (self.end_date - self.start_date).days + 1


@dataclass(frozen=True, slots=True)
class ChecklistItem:
    """One line of a handover checklist."""

    item_id: str
    title: str
    required: bool
    due: date
    done: bool = False
    done_on: date | None = None
    note: str | None = None
    owner: str = "outgoing"  # outgoing | incoming | lead
    view: str | None = None  # `told` and `review`: the person's view (planner.checklist VIEWS)


class HandoverStatus:
    """Open or completed, from a handover's `status`: the one home of both,
    for `Handover` and the screens' `storage.queries.handover_views.HandoverView`."""

    __slots__ = ()
    status: str

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_HANDOVER_STATUSES

    @property
    def is_completed(self) -> bool:
        return self.status in COMPLETED_HANDOVER_STATUSES


@dataclass(frozen=True, slots=True)
class Handover(HandoverStatus):
    """A planned (or done) move of a case from one practitioner to another."""

    from_practitioner_id: str
    to_practitioner_id: str
    planned_on: date
    status: str = "planned"
    items: tuple[ChecklistItem, ...] = ()
    completed_on: date | None = None
    override_reason: str | None = None
    reason: str | None = None
    reviewed: bool = False
    id: int | None = None


@dataclass(frozen=True, slots=True)
class Case:
    """One case (a person supervised) with the records the rules read, each in date order."""

    case_ref: str
    display_name: str
    team_id: str | None = None
    tier: str | None = None
    contact_level: str = "standard"  # already resolved with level_for()
    youth: bool = False
    flags: frozenset[str] = field(default_factory=frozenset)
    status: str = "active"
    paused_until: date | None = None
    date_of_birth: date | None = None
    allocations: tuple[Allocation, ...] = ()
    contacts: tuple[Contact, ...] = ()
    appointments: tuple[Appointment, ...] = ()
    handovers: tuple[Handover, ...] = ()
    id: int | None = None
    # the person's voice (docs/voice.md): their first language, whether they
    # need an interpreter, their check-ins in date order, their not_with list
    language: str | None = None
    interpreter: bool = False
    checkins: tuple[Checkin, ...] = ()
    not_with: tuple[NotWith, ...] = ()
    # schema 0010: sentence, custody and risk context (docs/words.md)
    sentence: str | None = None
    sentence_end: date | None = None
    release_on: date | None = None
    rosh: str | None = None
    mappa_level: int | None = None
    restricted: bool = False

    def in_custody_on(self, day: date) -> bool:
        """A custody case before its release day (no release date: still in custody)."""
        return self.sentence == CUSTODY and (self.release_on is None or day < self.release_on)

    @property
    def high_risk(self) -> bool:
        """RoSH high or very high, or managed under MAPPA (docs/handovers.md: `risk_plan_shared`)."""
        return self.rosh in HIGH_ROSH or self.mappa_level is not None

    @property
    def current_allocation(self) -> Allocation | None:
        for alloc in reversed(self.allocations):
            if alloc.end_date is None:
                return alloc
        return None

    @property
    def practitioner_id(self) -> str | None:
        alloc = self.current_allocation
        return alloc.practitioner_id if alloc else None

    @property
    def open_handover(self) -> Handover | None:
        for handover in reversed(self.handovers):
            if handover.is_open:
                return handover
        return None


@dataclass(frozen=True, slots=True)
class Action:
    """An action agreed in supervision."""

    text: str
    owner_id: str
    due: date
    case_ref: str | None = None
    done: bool = False
    session_id: int | None = None
    id: int | None = None


@dataclass(frozen=True, slots=True)
class World:
    """Everything the rules may look at beyond one case: who is who, who is away."""

    practitioners: dict[str, Practitioner] = field(default_factory=dict)
    teams: dict[str, Team] = field(default_factory=dict)
    absences: dict[str, tuple[Absence, ...]] = field(default_factory=dict)

    def absences_of(self, practitioner_id: str | None) -> tuple[Absence, ...]:
        if practitioner_id is None:
            return ()
        return self.absences.get(practitioner_id, ())

    def nation_of(self, practitioner_id: str | None) -> str:
        practitioner = self.practitioners.get(practitioner_id or "")
        if practitioner is None:
            return "england-and-wales"
        team = self.teams.get(practitioner.team_id)
        return team.nation if team else practitioner.nation


def fast_constructor(cls: type) -> Callable[..., Any]:
    """A builder for a slotted, frozen dataclass of this module taking every
    field positionally, in declaration order, with no defaults.

    A frozen dataclass's `__init__` sets each field through
    `object.__setattr__`, about 1.5 µs a Contact; this sets the slots
    directly, about 0.35 µs, and builds an equal object. For loaders that
    build a million contacts (storage.queries); everything else should call
    the class. Classes with `__post_init__` or without slots are refused.
    """
    names = [f.name for f in fields(cls)]
    if hasattr(cls, "__post_init__") or not all(
        isinstance(cls.__dict__.get(name), MemberDescriptorType) for name in names
    ):
        raise TypeError(f"{cls.__name__} is not a plain slotted dataclass")
    namespace: dict[str, Any] = {"_new": object.__new__, "_cls": cls}
    lines = [f"def build({', '.join(names)}):", "    obj = _new(_cls)"]
    for name in names:
        namespace[f"_set_{name}"] = cls.__dict__[name].__set__
        lines.append(f"    _set_{name}(obj, {name})")
    lines.append("    return obj")
    exec("\n".join(lines), namespace)  # noqa: S102 - fixed text built from field names
    build = namespace["build"]
    build.__name__ = build.__qualname__ = f"build_{cls.__name__}"
    build.__doc__ = f"{cls.__name__}({', '.join(names)}), built without __init__."
    return build
