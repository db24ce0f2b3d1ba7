"""The context every rule reads: one case seen on one date under one policy,
with the shared facts (gap, threshold T, due date, own last contact, the
run of missed contacts...) worked out once in one walk over the contacts,
newest back, and cached; and `rule`, the closed/paused guard (docs/rules.md).
"""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass
from datetime import date, timedelta
from functools import wraps
from typing import Any, Callable

from planner.appointments import next_booked
from planner.calendar import WorkingDays, working_days
from planner.model import (
    FACE_TO_FACE_KINDS,
    RELEASE_SENTENCES,
    Absence,
    Allocation,
    Case,
    Contact,
    Practitioner,
    World,
    fast_constructor,
    is_meaningful,
)
from planner.policy import DEFAULT_POLICY, Policy
from planner.rules.absences import absence_facts, days_covered
from planner.rules.warning import Warning, make_warning
from planner.words import ago, days, fmt_date, fmt_day


def _contact_date(contact: Contact) -> date:
    return contact.contact_date


class lazy_property:
    """functools.cached_property without its per-access lock (Python 3.11), which
    costs a third of the engine's time on a large caseload. Contexts are not
    shared between threads."""

    def __init__(self, function: Callable[[Any], Any]) -> None:
        self.function = function
        self.name = function.__name__
        self.__doc__ = function.__doc__

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name

    def __get__(self, instance: Any, owner: type | None = None) -> Any:
        if instance is None:
            return self
        value = self.function(instance)
        instance.__dict__[self.name] = value
        return value


@dataclass(frozen=True, slots=True)
class ContactScan:
    """What one walk over the contacts (newest first, up to as_of) found."""

    last_meaningful: Contact | None  # with anyone
    own_last: Contact | None  # with the current practitioner, within the current allocation
    other_after_own: Contact | None  # latest meaningful contact without them, after own_last
    missed_run: tuple[Contact, ...]  # newest first, cancelled skipped
    run_ended_by: Contact | None  # the attended contact that ends the run



# ContactScan(...) without the frozen __init__: one per case evaluated.
_make_scan = fast_constructor(ContactScan)


def kind_word(contact: Contact) -> str:
    return contact.kind.replace("_", " ")



class RuleContext:
    """One case seen on one date under one policy, with derived facts cached.

    The facts every rule needs (status, current allocation, relationship age,
    level, threshold T) are worked out on construction; the rest on first use.
    """

    def __init__(
        self,
        case: Case,
        world: World,
        as_of: date,
        policy: Policy = DEFAULT_POLICY,
    ) -> None:
        self.case = case
        self.world = world
        self.as_of = as_of
        self.policy = policy
        status = case.status
        #: closed cases get no warnings at all
        self.closed: bool = status == "closed"
        #: paused, and as_of before paused_until, or in custody before the
        #: release day (§11): the contact rules are off
        self.paused: bool = (status == "paused" and (
            case.paused_until is None or as_of < case.paused_until
        )) or case.in_custody_on(as_of)
        alloc = None
        for candidate in reversed(case.allocations):
            if candidate.end_date is None:
                alloc = candidate
                break
        self.allocation: Allocation | None = alloc
        self.practitioner_id: str | None = alloc.practitioner_id if alloc else None
        self.relationship_start: date | None = alloc.start_date if alloc else None
        #: days since the current allocation started (negative if it starts later)
        self.relationship_age: int | None = (as_of - alloc.start_date).days if alloc else None
        self.in_early_window: bool = (
            alloc is not None and self.relationship_age < policy.early_window.days
        )
        level = case.contact_level
        self.level: str = level if level in policy.thresholds else "standard"
        #: T: the gap threshold for the level, early column inside the early window
        self.threshold: int = policy.threshold(self.level, self.in_early_window)

    @lazy_property
    def threshold_phrase(self) -> str:
        window = "in" if self.in_early_window else "after"
        return f"{self.level} level {window} the early window"

    # --- contacts ---------------------------------------------------------

    @lazy_property
    def contacts_end(self) -> int:
        """How many of the case's contacts are dated on or before as_of."""
        contacts = self.case.contacts
        index = len(contacts)
        if index and contacts[-1].contact_date > self.as_of:
            index = bisect_right(contacts, self.as_of, key=_contact_date)
        return index

    @lazy_property
    def scan(self) -> ContactScan:
        contacts = self.case.contacts
        index = self.contacts_end
        alloc = self.allocation
        own_id = alloc.practitioner_id if alloc else None
        start = alloc.start_date if alloc else None
        last_meaningful = own_last = other = run_end = None
        own_done = alloc is None
        run_done = False
        missed: list[Contact] = []
        while index > 0:
            index -= 1
            contact = contacts[index]
            outcome = contact.outcome
            if not run_done:
                if outcome == "missed":
                    missed.append(contact)
                elif outcome == "attended":
                    run_done = True
                    run_end = contact
            if not own_done and contact.contact_date < start:
                own_done = True
            if is_meaningful(outcome, contact.kind):
                if last_meaningful is None:
                    last_meaningful = contact
                if not own_done:
                    if contact.practitioner_id == own_id or contact.with_practitioner_id == own_id:
                        own_last = contact
                        own_done = True
                    elif other is None:
                        other = contact
            if run_done and own_done and last_meaningful is not None:
                break
        if other is not None:
            since = own_last.contact_date if own_last else start
            if not other.contact_date > since:
                other = None
        return _make_scan(last_meaningful, own_last, other, tuple(missed), run_end)

    @lazy_property
    def first_contact_pending(self) -> bool:
        """No meaningful contact with the current practitioner since the allocation started."""
        return self.allocation is not None and self.scan.own_last is None

    @lazy_property
    def released_on(self) -> date | None:
        """The release day (§11) of a case whose sentence has one, once it is on or
        before as_of: the contact clocks restart on it (docs/rules.md)."""
        release = self.case.release_on
        if release is None or release > self.as_of or self.case.sentence not in RELEASE_SENTENCES:
            return None
        return release

    @lazy_property
    def gap_from(self) -> date | None:
        """`last` of docs/rules.md: the last meaningful contact's date, or the first allocation's
        start; the release day instead when it is later (the clock restarts at release)."""
        last = self.scan.last_meaningful
        if last is not None:
            day = last.contact_date
        elif self.case.allocations:
            day = self.case.allocations[0].start_date
        else:
            return None
        released = self.released_on
        return released if released is not None and released > day else day

    @lazy_property
    def clock_from_release(self) -> bool:
        """The gap is counted from the release day, not from a contact or an allocation."""
        released = self.released_on
        last = self.scan.last_meaningful
        return released is not None and self.gap_from == released and (
            last is None or last.contact_date < released)

    @lazy_property
    def gap(self) -> int | None:
        start = self.gap_from
        return None if start is None else (self.as_of - start).days

    @lazy_property
    def due_on(self) -> date | None:
        """The due date: last + T, moved forward to the next working day."""
        start = self.gap_from
        if start is None:
            return None
        return self.working_days.on_or_after(start + timedelta(days=self.threshold))

    @lazy_property
    def overdue(self) -> bool:
        """contact_overdue's condition: first contact not pending, as_of after the due date."""
        due = self.due_on
        return due is not None and self.as_of > due and not self.first_contact_pending

    @lazy_property
    def own_from(self) -> date | None:
        """The current practitioner's own last meaningful contact's date, or the allocation start."""
        own = self.scan.own_last
        if own is not None:
            return own.contact_date
        return self.relationship_start

    @lazy_property
    def own_days_away(self) -> int:
        """Days after own_from up to as_of covered by the practitioner's absences."""
        since = self.own_from
        absences = self.world.absences_of(self.practitioner_id)
        if since is None or not absences:
            return 0
        return absence_facts("days_away", absences, (since, self.as_of), days_covered)

    @lazy_property
    def own_gap(self) -> int | None:
        """Days since own_from, not counting days of the practitioner's absences."""
        since = self.own_from
        if since is None:
            return None
        return (self.as_of - since).days - self.own_days_away

    def last_phrase(self) -> str:
        """"Last seen 24 days ago on 3 Nov 2026 (office)", or the first allocation."""
        last = self.scan.last_meaningful
        if self.clock_from_release:
            return f"Released on {fmt_date(self.gap_from)}, {ago(self.gap)}, with no meaningful contact since"
        if last is not None:
            word = "seen" if last.kind in FACE_TO_FACE_KINDS else "contact"
            return (
                f"Last {word} {ago(self.gap)} on {fmt_date(last.contact_date)} "
                f"({kind_word(last)}, {self.name(last.practitioner_id)})"
            )
        return (
            f"No meaningful contact since the first allocation on "
            f"{fmt_date(self.gap_from)}, {ago(self.gap)}"
        )

    def not_seen_for(self) -> str:
        """"Not seen for 40 days" (face to face) or "No contact for 40 days"."""
        last = self.scan.last_meaningful
        if self.clock_from_release:
            return f"No contact since release {ago(self.gap)}"
        if last is None:
            return f"No contact since allocated {ago(self.gap)}"
        if last.kind in FACE_TO_FACE_KINDS:
            return f"Not seen for {days(self.gap)}"
        return f"No contact for {days(self.gap)}"

    def due_phrase(self) -> str:
        """"standard level after the early window allows 28 days: due by Tue 1 Dec (moved from Sun 29 Nov)"."""
        due = self.due_on
        plain = self.gap_from + timedelta(days=self.threshold)
        moved = "" if plain == due else f", moved from {fmt_day(plain, self.as_of)}, not a working day"
        return (
            f"{self.threshold_phrase} allows {days(self.threshold)}, so contact is due by "
            f"{fmt_day(due, due)} {due.year}{moved}"  # the year once, whichever year as_of is in
        )

    def contact_facts(self) -> dict[str, Any]:
        last = self.scan.last_meaningful
        return {
            "gap_days": self.gap,
            "threshold_days": self.threshold,
            "contact_level": self.level,
            "early_window": self.in_early_window,
            "last_meaningful_on": last.contact_date.isoformat() if last else None,
            "last_meaningful_practitioner_id": last.practitioner_id if last else None,
            "last_meaningful_kind": last.kind if last else None,
            "gap_from": self.gap_from.isoformat(),
            "due_on": self.due_on.isoformat(),
            "next_booked_on": self.next_appointment.isoformat() if self.next_appointment else None,
        }

    @lazy_property
    def practitioner_cancellations(self) -> tuple[Contact, ...]:
        """Contacts cancelled by the practitioner's side in the policy's window, oldest first."""
        contacts = self.case.contacts
        after = self.as_of - timedelta(days=self.policy.practitioner_cancelled.window_days)
        found: list[Contact] = []
        index = self.contacts_end
        while index > 0:
            index -= 1
            contact = contacts[index]
            if contact.contact_date <= after:
                break
            if contact.outcome == "cancelled" and contact.cancelled_by == "practitioner":
                found.append(contact)
        found.reverse()
        return tuple(found)

    # --- appointments -----------------------------------------------------

    @lazy_property
    def next_appointment(self) -> date | None:
        """The first booked appointment (any practitioner) on or after as_of."""
        return next_booked(self.case.appointments, self.as_of)

    def booked_by(self, day: date) -> bool:
        """Is an appointment booked on a date from as_of to `day`?"""
        found = self.next_appointment
        return found is not None and found <= day

    # --- people and calendar ----------------------------------------------

    def name(self, practitioner_id: str | None) -> str:
        if practitioner_id is None:
            return "no one"
        practitioner = self.world.practitioners.get(practitioner_id)
        if practitioner is None:
            return practitioner_id
        return f"{practitioner.name} ({practitioner_id})"

    @lazy_property
    def practitioner(self) -> Practitioner | None:
        return self.world.practitioners.get(self.practitioner_id or "")

    @lazy_property
    def has_left(self) -> bool:
        """The current practitioner's leaving_on is on or before as_of."""
        p = self.practitioner
        return p is not None and p.leaving_on is not None and p.leaving_on <= self.as_of

    @lazy_property
    def absence_now(self) -> Absence | None:
        """An absence of the current practitioner covering as_of (one with cover named first)."""
        return self.absence_on(self.as_of)

    def absence_on(self, day: date) -> Absence | None:
        """An absence of the current practitioner covering `day` (one with cover named first)."""
        found = None
        for absence in self.world.absences_of(self.practitioner_id):
            if absence.covers(day):
                if absence.cover_practitioner_id is not None:
                    return absence
                found = found or absence
        return found

    def ask(self, what: str) -> str:
        """An action for the practitioner, or, when they are away (docs/rules.md:
        left, or an absence covers as_of), for whoever acts instead."""
        pid = self.practitioner_id
        if self.has_left:
            return f"ask the team lead to {what}: {pid} left on {fmt_day(self.practitioner.leaving_on, self.as_of)}"
        absence = self.absence_now
        if absence is None:
            return what
        cover = absence.cover_practitioner_id
        if cover is not None:
            return f"ask the cover, {self.name(cover)}, to {what}"
        until = "with no end date" if absence.open_ended else f"until {fmt_day(absence.end_date, self.as_of)}"
        return f"ask the team lead to {what}: {pid} is away {until}, no cover named"

    @lazy_property
    def nation(self) -> str:
        if self.practitioner is not None:
            return self.world.nation_of(self.practitioner_id)
        return self.policy.nation

    @lazy_property
    def working_days(self) -> WorkingDays:
        return working_days(self.nation)

    @lazy_property
    def first_contact_days(self) -> int:
        return self.policy.first_contact_working_days(self.level)

    @lazy_property
    def first_contact_deadline(self) -> date | None:
        start = self.relationship_start
        if start is None:
            return None
        release = self.case.release_on
        if release is not None and release >= start and self.case.sentence in RELEASE_SENTENCES:
            return self.release_first_day  # §11: the first contact of a release is on the release day
        return self.working_days.add(start, self.first_contact_days)

    def working_day_before(self, day: date) -> date:
        """The last working day before `day`, as_of at the earliest (a birthday or a
        release may fall on a weekend or a bank holiday)."""
        return max(self.as_of, self.working_days.on_or_before(day - timedelta(days=1)))

    @lazy_property
    def release_first_day(self) -> date | None:
        """The first working day on or after `release_on`: a release on a weekend, a
        bank holiday, is first met on the next day an appointment can be booked."""
        release = self.case.release_on
        return None if release is None else self.working_days.on_or_after(release)

    @lazy_property
    def sensitive(self) -> bool:
        """A child, or flagged safeguarding, care_experienced or opd (docs/rules.md)."""
        return self.case.youth or not SENSITIVE_FLAGS.isdisjoint(self.case.flags)

    # --- output -----------------------------------------------------------

    def warn(
        self, rule: str, severity: str, title: str, detail: str, action: str, facts: dict[str, Any]
    ) -> list[Warning]:
        # Warning(case_ref, practitioner_id, rule, severity, title, detail, action, facts)
        # without the frozen __init__ (a region makes ten thousand).
        return [
            make_warning(self.case.case_ref, self.practitioner_id, rule, severity, title, detail, action, facts)
        ]



RuleFunction = Callable[[RuleContext], list[Warning]]

#: Flags that make a break in a new relationship high (`early_break`), as youth does.
SENSITIVE_FLAGS = frozenset({"safeguarding", "care_experienced", "opd"})

#: The rules that stop while a case is paused (docs/rules.md).
CONTACT_RULES = frozenset(
    {
        "first_contact",
        "contact_overdue",
        "contact_due",
        "no_appointment",
        "relationship_gap",
        "missed_appointments",
        "practitioner_cancelled",
        "cover_needed",
    }
)


def rule(function: RuleFunction) -> RuleFunction:
    """Closed cases get no warnings; paused cases (and custody cases before release) no contact rules."""
    is_contact_rule = function.__name__ in CONTACT_RULES

    @wraps(function)
    def checked(ctx: RuleContext) -> list[Warning]:
        if ctx.closed or (is_contact_rule and ctx.paused):
            return []
        return function(ctx)

    checked.unchecked = function  # type: ignore[attr-defined]
    checked.rule_id = function.__name__  # type: ignore[attr-defined]
    checked.contact_rule = is_contact_rule  # type: ignore[attr-defined]
    return checked
