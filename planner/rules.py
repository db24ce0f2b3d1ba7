"""The relationship-risk rules of SPEC §3 (rules v2), one small pure function per rule id.

Every rule takes a `RuleContext` (one case, the world, the as-of date and the
policy) and returns a list of `Warning`s, usually empty or one long. The
context works out the shared facts once per case (the gap, the threshold T,
the due date, the practitioner's own last contact, the run of missed
contacts...) in one walk over the contacts from the newest back, and caches
them, so running all fourteen rules over a case costs little more than
running one.

Every warning says what to do (`action`, a few words with a date: "book a
contact before Thu 3 Dec"). `info` is a status, not a warning (SPEC §3): it
is shown, never counted (planner/risk.py).

All day counts are calendar days (`as_of` minus a date); contacts dated after
`as_of` are ignored except where a rule says "booked". A contact is a
practitioner's when they held it or were there (`Contact.involves`: the
incoming practitioner named at a three-way meeting). Case collections are in
date order (planner/model.py). The README's "How the warnings work" says why
each rule exists, in one line each.
"""

from __future__ import annotations

import math
from bisect import bisect_right
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import wraps
from typing import Any, Callable

from planner import recurrence
from planner.calendar import WorkingDays, working_days
from planner.model import (
    FACE_TO_FACE_KINDS,
    Absence,
    Allocation,
    Appointment,
    Case,
    Contact,
    Handover,
    Practitioner,
    World,
    fast_constructor,
)
from planner.policy import DEFAULT_POLICY, Policy

HIGH, MEDIUM, LOW, INFO = "high", "medium", "low", "info"


@dataclass(frozen=True, slots=True)
class Warning:  # noqa: A001 - the name is the contract (notes/contracts.md)
    """One relationship-risk warning (or, with severity `info`, a status) for
    one case (SPEC §3, §6): a plain-words `title`, a `detail` with the numbers
    behind it, an `action` saying what to do and by when, and `facts`."""

    case_ref: str
    practitioner_id: str | None
    rule: str
    severity: str
    title: str
    detail: str
    action: str = ""
    facts: dict[str, Any] = field(default_factory=dict, hash=False)


# --------------------------------------------------------------------------
# Wording helpers


_MONTHS = ("", "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


_WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


def fmt_date(day: date) -> str:
    """27 Oct 2026 (English month names whatever the locale)."""
    return f"{day.day} {_MONTHS[day.month]} {day.year}"


def fmt_day(day: date, as_of: date) -> str:
    """Thu 3 Dec (the year too when it is not as_of's): the dates of actions."""
    text = f"{_WEEKDAYS[day.weekday()]} {day.day} {_MONTHS[day.month]}"
    return text if day.year == as_of.year else f"{text} {day.year}"


def _days(n: int | float) -> str:
    if n == 1:
        return "1 day"
    if isinstance(n, float) and not n.is_integer():
        return f"{n:g} days"
    return f"{int(n)} days"


def _ago(n: int) -> str:
    if n == 0:
        return "today"
    if n < 0:
        return f"in {_days(-n)}"
    return f"{_days(n)} ago"


def _ahead(n: int) -> str:
    if n == 0:
        return "today"
    if n < 0:
        return f"{_days(-n)} ago"
    return f"in {_days(n)}"


def _ordinal(n: int) -> str:
    if 10 <= n % 100 <= 20:
        suffix = "th"
    else:
        suffix = {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def _and_list(items: list[str]) -> str:
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def _contact_date(contact: Contact) -> date:
    return contact.contact_date


# --------------------------------------------------------------------------
# Recurring appointments


def appointment_dates(appointment: Appointment, first: date, last: date) -> list[date]:
    """The dates of an appointment (a series expanded) from first to last, both
    counted: planner/recurrence.py, which walks only this window whatever the
    rule. An RRULE that cannot be read counts as a single appointment on its date.
    """
    start = appointment.appointment_date
    if last < start:
        return []  # a series starts on its date (or later) too: nothing to read
    if appointment.rrule:
        return list(recurrence.dates(appointment.rrule, start, first, last))
    return [start] if first <= start <= last else []


def next_appointment_date(appointment: Appointment, on_or_after: date) -> date | None:
    """The appointment's first date on or after `on_or_after` (for a series,
    looking a year ahead: recurrence.MAX_GAP_DAYS)."""
    start = appointment.appointment_date
    if appointment.rrule and start < on_or_after:
        return recurrence.next_date(appointment.rrule, start, on_or_after)
    return start if start >= on_or_after else None


# --------------------------------------------------------------------------
# The context


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


def _kind_word(contact: Contact) -> str:
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
        #: paused, and as_of before paused_until: the contact rules are off
        self.paused: bool = status == "paused" and (
            case.paused_until is None or as_of < case.paused_until
        )
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
            if outcome == "attended" and contact.kind != "other":
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
    def gap_from(self) -> date | None:
        """`last` of SPEC §3: the last meaningful contact's date, or the first allocation's start."""
        last = self.scan.last_meaningful
        if last is not None:
            return last.contact_date
        if self.case.allocations:
            return self.case.allocations[0].start_date
        return None

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
        return _absence_facts("days_away", absences, (since, self.as_of), _days_covered)

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
        if last is not None:
            word = "seen" if last.kind in FACE_TO_FACE_KINDS else "contact"
            return (
                f"Last {word} {_ago(self.gap)} on {fmt_date(last.contact_date)} "
                f"({_kind_word(last)}, {self.name(last.practitioner_id)})"
            )
        return (
            f"No meaningful contact since the first allocation on "
            f"{fmt_date(self.gap_from)}, {_ago(self.gap)}"
        )

    def not_seen_for(self) -> str:
        """"Not seen for 40 days" (face to face) or "No contact for 40 days"."""
        last = self.scan.last_meaningful
        if last is None:
            return f"No contact since allocated {_ago(self.gap)}"
        if last.kind in FACE_TO_FACE_KINDS:
            return f"Not seen for {_days(self.gap)}"
        return f"No contact for {_days(self.gap)}"

    def due_phrase(self) -> str:
        """"standard level after the early window allows 28 days: due by Tue 1 Dec (moved from Sun 29 Nov)"."""
        due = self.due_on
        plain = self.gap_from + timedelta(days=self.threshold)
        moved = "" if plain == due else f", moved from {fmt_day(plain, self.as_of)}, not a working day"
        return (
            f"{self.threshold_phrase} allows {_days(self.threshold)}, so contact is due by "
            f"{fmt_day(due, self.as_of)} {due.year}{moved}"
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
        best: date | None = None
        for appointment in reversed(self.case.appointments):
            if appointment.rrule is None and appointment.appointment_date < self.as_of:
                if best is not None:
                    break  # sorted by date: everything before is earlier still
                continue
            found = next_appointment_date(appointment, self.as_of)
            if found is not None and (best is None or found < best):
                best = found
        return best

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
        found = None
        for absence in self.world.absences_of(self.practitioner_id):
            if absence.covers(self.as_of):
                if absence.cover_practitioner_id is not None:
                    return absence
                found = found or absence
        return found

    def ask(self, what: str) -> str:
        """An action for the practitioner, or, when they are away (SPEC §3:
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
        return self.working_days.add(start, self.first_contact_days)

    @lazy_property
    def sensitive(self) -> bool:
        """A child, or flagged safeguarding, care_experienced or opd (SPEC §3, §5)."""
        return self.case.youth or not SENSITIVE_FLAGS.isdisjoint(self.case.flags)

    # --- output -----------------------------------------------------------

    def warn(
        self, rule: str, severity: str, title: str, detail: str, action: str, facts: dict[str, Any]
    ) -> list[Warning]:
        # Warning(case_ref, practitioner_id, rule, severity, title, detail, action, facts)
        # without the frozen __init__ (a region makes ten thousand).
        return [
            _make_warning(self.case.case_ref, self.practitioner_id, rule, severity, title, detail, action, facts)
        ]


_make_warning = fast_constructor(Warning)

RuleFunction = Callable[[RuleContext], list[Warning]]

#: Flags that make a break in a new relationship high (`early_break`), as youth does.
SENSITIVE_FLAGS = frozenset({"safeguarding", "care_experienced", "opd"})

#: The rules that stop while a case is paused (SPEC §3).
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


def _rule(function: RuleFunction) -> RuleFunction:
    """Closed cases get no warnings; paused cases no contact rules."""
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


# --------------------------------------------------------------------------
# Absences: facts about one practitioner's absences on one date, the same for
# each of their thirty-odd cases, worked out once per (absences tuple, as_of,
# numbers). Keyed by the tuple's id() and checked by identity, holding the
# tuple so its id cannot be reused while cached; cleared when it grows past a
# bound.
_ABSENCE_FACTS: dict[tuple, tuple[tuple[Absence, ...], Any]] = {}
_ABSENCE_FACTS_LIMIT = 8192


def _absence_facts(
    what: str, absences: tuple[Absence, ...], key: tuple, compute: Callable[..., Any]
) -> Any:
    """`compute(absences, *key)`, cached (once a practitioner, not once a case)."""
    cache_key = (what, id(absences), *key)
    hit = _ABSENCE_FACTS.get(cache_key)
    if hit is not None and hit[0] is absences:
        return hit[1]
    value = compute(absences, *key)
    if len(_ABSENCE_FACTS) >= _ABSENCE_FACTS_LIMIT:
        _ABSENCE_FACTS.clear()
    _ABSENCE_FACTS[cache_key] = (absences, value)
    return value


def merged_absences(absences: tuple[Absence, ...]) -> list[tuple[date, date]]:
    """Absences as (first, last) blocks, back-to-back or overlapping ones
    joined; an open-ended one runs to `date.max` (worked out once a tuple)."""
    return _absence_facts("merged", absences, (), _merge)


def _merge(absences: tuple[Absence, ...]) -> list[tuple[date, date]]:
    blocks: list[list[date]] = []
    for absence in sorted(absences, key=lambda a: a.start_date):
        last = absence.last_day
        if blocks and (blocks[-1][1] == date.max or absence.start_date <= blocks[-1][1] + timedelta(days=1)):
            blocks[-1][1] = max(blocks[-1][1], last)
        else:
            blocks.append([absence.start_date, last])
    return [(first, last) for first, last in blocks]


def _days_covered(absences: tuple[Absence, ...], since: date, as_of: date) -> int:
    """Days d with since < d <= as_of on which any of the absences falls."""
    count = 0
    for first, last in merged_absences(absences):
        lo, hi = max(first, since + timedelta(days=1)), min(last, as_of)
        if lo <= hi:
            count += (hi - lo).days + 1
    return count


def _is_long(first: date, last: date, long_days: int) -> bool:
    """A block of absence of long_days calendar days or more, or open-ended."""
    return last == date.max or (last - first).days + 1 >= long_days


def _absence_words(first: date, last: date, as_of: date) -> str:
    if last == date.max:
        return f"from {fmt_day(first, as_of)} with no end date"
    return f"from {fmt_day(first, as_of)} to {fmt_day(last, as_of)} ({_days((last - first).days + 1)})"


# --------------------------------------------------------------------------
# The rules, in the order of SPEC §3


@_rule
def first_contact(ctx: RuleContext) -> list[Warning]:
    """No first contact yet: high once the deadline has passed, low within 7 days of it."""
    if not ctx.first_contact_pending:
        return []
    deadline = ctx.first_contact_deadline
    as_of = ctx.as_of
    days_left = (deadline - as_of).days
    who = ctx.name(ctx.practitioner_id)
    booked = ctx.next_appointment
    if days_left < 0:
        severity = HIGH
        title = f"Not yet met their new worker: first-contact deadline passed {_ago(-days_left)}"
        when = f"was {fmt_date(deadline)} ({_ago(-days_left)})"
        if booked is not None and (booked - as_of).days <= 7:
            action = ctx.ask(f"keep the first meeting booked for {fmt_day(booked, as_of)}")
        else:
            action = ctx.ask(f"hold a first meeting with them by {fmt_day(ctx.working_days.add(as_of, 2), as_of)}")
    elif days_left <= ctx.policy.first_contact.lookahead_days:
        severity = LOW
        title = f"First meeting with their new worker due by {fmt_day(deadline, as_of)}"
        when = f"is {fmt_date(deadline)} ({_ahead(days_left)})"
        if booked is not None and booked <= deadline:
            action = ctx.ask(f"keep the first meeting booked for {fmt_day(booked, as_of)}")
        else:
            action = ctx.ask(f"book a first meeting on or before {fmt_day(deadline, as_of)}")
    else:
        return []
    n = ctx.first_contact_days
    start = ctx.relationship_start
    detail = (
        f"No meaningful contact with {who} since the allocation started on {fmt_date(start)}; "
        f"the deadline, the {_ordinal(n)} working day after it, {when}"
    )
    if booked is not None:
        detail += f"; the next booking is on {fmt_date(booked)}"
    return ctx.warn(
        "first_contact",
        severity,
        title,
        detail + ".",
        action,
        {
            "allocation_start": start.isoformat(),
            "deadline": deadline.isoformat(),
            "days_left": days_left,
            "working_days": n,
            "nation": ctx.nation,
            "contact_level": ctx.level,
            "next_booked_on": booked.isoformat() if booked else None,
        },
    )


@_rule
def contact_overdue(ctx: RuleContext) -> list[Warning]:
    """As-of after the due date: medium; high when gap > 1.5 x T and nothing is booked in 7 days."""
    if not ctx.overdue:
        return []
    policy = ctx.policy.contact_overdue
    gap, threshold, due, as_of = ctx.gap, ctx.threshold, ctx.due_on, ctx.as_of
    high_above = policy.high_multiplier * threshold
    soon = as_of + timedelta(days=policy.booked_within_days)
    booked = ctx.next_appointment
    booked_soon = booked is not None and booked <= soon
    high = gap > high_above and not booked_soon
    detail = f"{ctx.last_phrase()}; {ctx.due_phrase()}"
    if booked is None:
        detail += "; nothing is booked"
        action = ctx.ask(f"book a contact by {fmt_day(ctx.working_days.add(as_of, 2), as_of)}")
    else:
        detail += f"; the next booking is on {fmt_date(booked)}"
        if booked_soon:
            action = ctx.ask(f"keep the contact booked for {fmt_day(booked, as_of)}")
        else:
            action = ctx.ask(f"bring the contact booked for {fmt_day(booked, as_of)} forward to this week")
    if high:
        detail += (
            f". Over {_days(high_above)} ({policy.high_multiplier:g} × T) with nothing booked in "
            f"the next {_days(policy.booked_within_days)} is high"
        )
    facts = ctx.contact_facts()
    facts["high_above_days"] = high_above
    facts["days_overdue"] = (as_of - due).days
    return ctx.warn(
        "contact_overdue",
        HIGH if high else MEDIUM,
        f"{ctx.not_seen_for()}: contact was due by {fmt_day(due, as_of)}",
        detail + ".",
        action,
        facts,
    )


@_rule
def contact_due(ctx: RuleContext) -> list[Warning]:
    """Within `lead` days of the due date and nothing booked by it: low."""
    due = ctx.due_on
    if due is None or ctx.first_contact_pending:
        return []
    as_of = ctx.as_of
    left = (due - as_of).days
    lead = ctx.policy.lead_days(ctx.threshold)
    if not 0 <= left <= lead or ctx.booked_by(due):
        return []
    booked = ctx.next_appointment
    detail = f"{ctx.last_phrase()}; {ctx.due_phrase()}"
    if booked is not None:
        detail += f"; the next booking, on {fmt_date(booked)}, is after it"
    else:
        detail += "; nothing is booked"
    facts = ctx.contact_facts()
    facts["days_left"] = left
    facts["lead_days"] = lead
    return ctx.warn(
        "contact_due",
        LOW,
        f"Contact due by {fmt_day(due, as_of)}, nothing booked by then",
        detail + ".",
        ctx.ask(f"book a contact on or before {fmt_day(due, as_of)}"),
        facts,
    )


@_rule
def no_appointment(ctx: RuleContext) -> list[Warning]:
    """Contact is overdue and nothing at all is booked: low."""
    if not ctx.overdue or ctx.next_appointment is not None:
        return []
    facts = ctx.contact_facts()
    as_of = ctx.as_of
    return ctx.warn(
        "no_appointment",
        LOW,
        "Overdue, and nothing booked",
        f"Contact has been due since {fmt_date(ctx.due_on)} and no appointment is booked "
        f"on or after {fmt_date(as_of)}.",
        ctx.ask(f"book the next appointment by {fmt_day(ctx.working_days.add(as_of, 2), as_of)}"),
        facts,
    )


@_rule
def relationship_gap(ctx: RuleContext) -> list[Warning]:
    """Own gap (absences not counted) > 2 x T while someone else has seen the person since: medium."""
    other = ctx.scan.other_after_own
    if other is None or ctx.own_from is None:
        return []
    limit = ctx.policy.relationship_gap.multiplier * ctx.threshold
    if (ctx.as_of - ctx.own_from).days <= limit:
        return []  # not even counting the practitioner's absences (they only shorten it)
    own_gap = ctx.own_gap
    if own_gap <= limit:
        return []
    own = ctx.scan.own_last
    as_of = ctx.as_of
    pid = ctx.practitioner_id
    who = ctx.name(pid)
    calendar_days = (as_of - ctx.own_from).days
    away = ctx.own_days_away
    other_who = ctx.name(other.practitioner_id)
    other_name = ctx.world.practitioners.get(other.practitioner_id)
    other_name = other_name.name if other_name is not None else other.practitioner_id
    other_did = "seen them" if other.kind in FACE_TO_FACE_KINDS else "been in contact"
    if own is not None:
        face = own.kind in FACE_TO_FACE_KINDS
        first = (f"{who} last {'saw them' if face else 'had contact'} on "
                 f"{fmt_date(own.contact_date)} ({_kind_word(own)})")
        title = f"{'Not seen by' if face else 'No contact with'} their own worker for {_days(calendar_days)}"
    else:
        first = (f"{who} has had no meaningful contact since the allocation started on "
                 f"{fmt_date(ctx.relationship_start)}")
        title = f"No contact with their own worker since allocated {_days(calendar_days)} ago"
    title += f" — {other_name} has {other_did}"
    counted = _days(calendar_days)
    if away:
        counted += f", {away} of them away, so {_days(own_gap)} counted"
    detail = (
        f"{first}; {other_who} has {other_did} since, on {fmt_date(other.contact_date)} "
        f"({_kind_word(other)}). {counted}: more than "
        f"{ctx.policy.relationship_gap.multiplier:g} × {ctx.threshold} = {_days(limit)} ({ctx.threshold_phrase})."
    )
    booked = ctx.next_appointment
    if booked is not None and (booked - as_of).days <= 7:
        action = ctx.ask(f"see them yourself at the appointment booked for {fmt_day(booked, as_of)}")
    else:
        action = ctx.ask(f"book a contact with {pid} by {fmt_day(ctx.working_days.add(as_of, 5), as_of)}")
    return ctx.warn(
        "relationship_gap",
        MEDIUM,
        title,
        detail,
        action,
        {
            "own_gap_days": own_gap,
            "calendar_days": calendar_days,
            "days_away": away,
            "own_last_on": own.contact_date.isoformat() if own else None,
            "allocation_start": ctx.relationship_start.isoformat(),
            "other_practitioner_id": other.practitioner_id,
            "other_contact_on": other.contact_date.isoformat(),
            "threshold_days": ctx.threshold,
            "limit_days": limit,
            "contact_level": ctx.level,
            "early_window": ctx.in_early_window,
        },
    )


def _cadence(threshold: int) -> str:
    if threshold == 7:
        return "weekly contact"
    if threshold == 14:
        return "fortnightly contact"
    return f"contact at least every {_days(threshold)}"


@_rule
def early_window(ctx: RuleContext) -> list[Warning]:
    """The current relationship is under 84 days old: info, a status ("new: week 3 of 12")."""
    age = ctx.relationship_age
    window = ctx.policy.early_window.days
    if age is None or age < 0 or age >= window:
        return []
    days_left = window - age
    week = age // 7 + 1
    weeks = math.ceil(window / 7)
    ends = ctx.relationship_start + timedelta(days=window)
    last_day = ends - timedelta(days=1)
    tag = f"new: week {week} of {weeks}"
    return ctx.warn(
        "early_window",
        INFO,
        f"New relationship: week {week} of {weeks}",
        f"The relationship with {ctx.name(ctx.practitioner_id)} started on "
        f"{fmt_date(ctx.relationship_start)}, {_ago(age)}: week {week} of {weeks} of the "
        f"{window}-day early window, which ends on {fmt_date(ends)}; until then "
        f"contact is due every {_days(ctx.threshold)} ({ctx.level} level).",
        f"keep to {_cadence(ctx.threshold)} until {fmt_day(last_day, ctx.as_of)} (week {weeks})",
        {
            "tag": tag,
            "allocation_start": ctx.relationship_start.isoformat(),
            "age_days": age,
            "week": week,
            "weeks": weeks,
            "days_left": days_left,
            "window_days": window,
            "window_ends": ends.isoformat(),
        },
    )


def _long_blocks(absences: tuple[Absence, ...], as_of: date, need: int, nation: str) -> list[tuple[date, date]]:
    """Joined-up blocks of absence still running on or after as_of, of `need`
    working days or more (or open-ended)."""
    wd = working_days(nation)
    return [(first, last) for first, last in merged_absences(absences)
            if last >= as_of and (last == date.max or wd.count_in(first, last) >= need)]


@_rule
def early_break(ctx: RuleContext) -> list[Warning]:
    """A new relationship that has started will break before its 84th day: medium; high when sensitive."""
    age = ctx.relationship_age
    window = ctx.policy.early_window.days
    if age is None or age < 0 or age >= window or ctx.first_contact_pending:
        return []
    start = ctx.relationship_start
    ends = start + timedelta(days=window)  # the relationship's 84th day
    as_of = ctx.as_of
    pid = ctx.practitioner_id
    events: list[tuple[date, str, str, dict[str, Any], str]] = []
    handover = ctx.case.open_handover
    if handover is not None and handover.planned_on < ends:
        events.append((
            handover.planned_on,
            f"a handover to {ctx.name(handover.to_practitioner_id)} is planned for {fmt_date(handover.planned_on)}",
            f"plan to keep {pid}: move the handover to {fmt_day(ctx.working_days.on_or_after(ends), as_of)} "
            f"or later if it can wait, or make it warm",
            {"event": "handover", "to_practitioner_id": handover.to_practitioner_id},
            f"handover on {fmt_day(handover.planned_on, as_of)}",
        ))
    practitioner = ctx.practitioner
    if practitioner is not None and practitioner.leaving_on is not None and practitioner.leaving_on < ends:
        leaving = practitioner.leaving_on
        gone = "left" if leaving <= as_of else "leaves"
        events.append((
            leaving,
            f"{ctx.name(pid)} {gone} on {fmt_date(leaving)}",
            f"plan a warm handover before {fmt_day(leaving, as_of)}, to someone the person knows if possible"
            if leaving > as_of else "plan a warm handover now, to someone the person knows if possible",
            {"event": "leaving"},
            f"worker {gone} on {fmt_day(leaving, as_of)}",
        ))
    need = ctx.policy.early_break.absence_working_days
    absences = ctx.world.absences_of(pid)
    long_blocks = _absence_facts("breaks", absences, (as_of, need, ctx.nation), _long_blocks) if absences else ()
    for first, last in long_blocks:
        if first < ends:
            events.append((
                first,
                f"{ctx.name(pid)} is away {_absence_words(first, last, as_of)}",
                f"keep contact going while {pid} is away: name cover the person can get to know, "
                f"or plan a warm handover",
                {"event": "absence", "absence_start": first.isoformat(),
                 "absence_end": None if last == date.max else last.isoformat()},
                f"worker away from {fmt_day(first, as_of)}",
            ))
    if not events:
        return []
    day, said, action, facts, short = min(events, key=lambda event: event[0])
    week = (day - start).days // 7 + 1
    severity = HIGH if ctx.sensitive else MEDIUM
    why = ""
    if ctx.sensitive:
        reasons = (["a child"] if ctx.case.youth else []) + sorted(ctx.case.flags & SENSITIVE_FLAGS)
        why = f" High because of: {', '.join(r.replace('_', ' ') for r in reasons)}."
    facts.update({
        "event_on": day.isoformat(),
        "allocation_start": start.isoformat(),
        "window_ends": ends.isoformat(),
        "week": week,
        "sensitive": ctx.sensitive,
    })
    return ctx.warn(
        "early_break",
        severity,
        f"New relationship cut short in week {max(week, 1)}: {short}",
        f"The relationship with {ctx.name(pid)} started on {fmt_date(start)} and is in its early "
        f"window until {fmt_date(ends)}; {said}.{why}",
        action,
        facts,
    )


@_rule
def handover_upcoming(ctx: RuleContext) -> list[Warning]:
    """A planned handover 28 days ahead or sooner (or past) with required items late or due
    within 3 days: low; medium with a late item; high with a late item and 3 days or fewer to go."""
    handovers = ctx.case.handovers
    if not handovers:
        return []
    policy = ctx.policy.handover_upcoming
    as_of = ctx.as_of
    soon = as_of + timedelta(days=policy.soon_days)
    out: list[Warning] = []
    for handover in handovers:
        if not handover.is_open:
            continue
        days_away = (handover.planned_on - as_of).days
        if days_away > policy.horizon_days:
            continue
        pressing = sorted(
            (item for item in handover.items if item.required and not item.done and item.due <= soon),
            key=lambda item: (item.due, item.item_id),
        )
        if not pressing:
            continue
        late = [item for item in pressing if item.due < as_of]
        if late and days_away <= policy.high_within_days:
            severity = HIGH
        elif late:
            severity = MEDIUM
        else:
            severity = LOW
        when = "the handover date passed" if days_away < 0 else f"handover {_ahead(days_away)}"
        if late:
            title = f"Handover checklist: {len(late)} item{'s' if len(late) != 1 else ''} late, {when}"
        else:
            title = f"Handover checklist: {len(pressing)} item{'s' if len(pressing) != 1 else ''} due, {when}"
        parts = [
            f"{item.title} ({'due ' + fmt_date(item.due) if item.due >= as_of else 'late since ' + fmt_date(item.due)})"
            for item in pressing
        ]
        detail = (
            f"Handover to {ctx.name(handover.to_practitioner_id)} planned for "
            f"{fmt_date(handover.planned_on)} ({_ahead(days_away)}); required checklist items open: "
            + "; ".join(parts)
        )
        first = pressing[0]
        by = max(first.due, as_of)
        todo = [ITEM_ACTIONS.get(item.item_id, item.item_id.replace("_", " ")) for item in pressing]
        todo = "; ".join(todo[:3] + ([f"{len(todo) - 3} more"] if len(todo) > 3 else []))
        action = f"{'now' if late else 'by ' + fmt_day(by, as_of)}: {todo}"
        if days_away < 0:
            action += "; then complete the handover"
        out.extend(
            ctx.warn(
                "handover_upcoming",
                severity,
                title,
                detail + ".",
                action,
                {
                    "planned_on": handover.planned_on.isoformat(),
                    "days_away": days_away,
                    "from_practitioner_id": handover.from_practitioner_id,
                    "to_practitioner_id": handover.to_practitioner_id,
                    "open_items": [item.item_id for item in pressing],
                    "late_items": [item.item_id for item in late],
                    "handover_id": handover.id,
                },
            )
        )
    return out


#: What to do for a checklist item (SPEC §4), in an action's words.
ITEM_ACTIONS = {
    "told": "tell the person and record their view",
    "summary": "write the handover summary",
    "read": "read the record and summary",
    "three_way": "hold the three-way meeting",
    "booked": "book the first appointment with the new worker",
    "first_contact": "hold the first contact",
    "review": "hold the four-week review",
    "reachable": "stay reachable",
    "carers_told": "tell the carers",
    "social_worker_told": "tell the social worker",
    "safeguarding_lead_told": "tell the safeguarding lead",
    "vlo_told": "tell the victim liaison officer",
    "ap_keyworker_told": "tell the AP key worker",
    "opd_consulted": "consult the OPD pathway",
    "rj_facilitator_told": "tell the RJ facilitator",
}


def _long_absences_ahead(
    absences: tuple[Absence, ...], as_of: date, horizon: int, long_days: int
) -> list[tuple[date, date, int]]:
    """(first, last, days away) of each joined-up block of absence of
    `long_days` or more (or open-ended; `last` is date.max) starting 0..horizon
    days after as_of."""
    horizon_end = as_of + timedelta(days=horizon)
    # A joined-up block starts in the window only if one of its absences does.
    if not any(as_of <= a.start_date <= horizon_end for a in absences):
        return []
    return [
        (first, last, (first - as_of).days)
        for first, last in merged_absences(absences)
        if as_of <= first <= horizon_end and _is_long(first, last, long_days)
    ]


def _long_absence_now(absences: tuple[Absence, ...], as_of: date, long_days: int):
    """(first, last, absence) of an absence with no cover named covering as_of,
    in a long or open-ended joined-up block; None when there is none."""
    uncovered = [a for a in absences if a.covers(as_of) and a.cover_practitioner_id is None]
    if not uncovered or any(a.covers(as_of) and a.cover_practitioner_id for a in absences):
        return None
    for first, last in merged_absences(absences):
        if first <= as_of <= last and _is_long(first, last, long_days):
            return first, last, uncovered[0]
    return None


@_rule
def handover_unplanned(ctx: RuleContext) -> list[Warning]:
    """No handover planned while the practitioner has gone, is in a long or open-ended absence
    with no cover (high), or leaves or starts one within 56 days (medium; high within 14)."""
    pid = ctx.practitioner_id
    if pid is None or ctx.case.open_handover is not None:
        return []
    practitioner = ctx.practitioner
    absences = ctx.world.absences_of(pid)
    if not absences and (practitioner is None or practitioner.leaving_on is None):
        return []  # nobody leaving or away: most cases, at once
    # The same for each of the practitioner's cases: worked out once a practitioner.
    policy = ctx.policy.handover_unplanned
    found = _unplanned_cache.get((pid, ctx.as_of, policy))
    if found is None or found[0] is not absences or found[1] is not practitioner:
        found = (absences, practitioner, _departure(ctx, pid, absences, practitioner, policy))
        if len(_unplanned_cache) >= _ABSENCE_FACTS_LIMIT:
            _unplanned_cache.clear()
        _unplanned_cache[(pid, ctx.as_of, policy)] = found
    event = found[2]
    if event is None:
        return []
    severity, title, said, action, facts = event
    return ctx.warn(
        "handover_unplanned",
        severity,
        title,
        f"{said}, and no handover is planned for this case.",
        action,
        dict(facts),
    )


# (practitioner_id, as_of, policy section) -> (absences, practitioner, event): see handover_unplanned.
_unplanned_cache: dict[tuple, tuple] = {}


def _departure(ctx: RuleContext, pid: str, absences: tuple[Absence, ...], practitioner: Practitioner | None,
               policy: Any) -> tuple[str, str, str, str, dict[str, Any]] | None:
    """handover_unplanned's (severity, title, said, action, facts) for a practitioner, or None."""
    as_of, horizon = ctx.as_of, policy.horizon_days
    who = ctx.name(pid)
    facts: dict[str, Any]
    if ctx.has_left:
        leaving = practitioner.leaving_on
        facts = {"event": "left", "event_on": leaving.isoformat(), "days_away": (leaving - as_of).days}
        title = f"Worker left on {fmt_day(leaving, as_of)}, no handover planned"
        said = f"{who} left on {fmt_date(leaving)} ({_ago((as_of - leaving).days)}) and still holds the case"
        action = f"plan a handover: {pid} left on {fmt_day(leaving, as_of)}"
        severity = HIGH
    else:
        now = _absence_facts("long_now", absences, (as_of, policy.long_absence_days), _long_absence_now) \
            if absences else None
        if now is not None:
            first, last, absence = now
            facts = {
                "event": "away",
                "event_on": first.isoformat(),
                "absence_end": None if last == date.max else last.isoformat(),
                "absence_kind": absence.kind,
                "days_away": (first - as_of).days,
            }
            kind = "sickness" if absence.kind == "sickness" else "absence"
            if last == date.max:
                title = f"Worker on {kind} with no end date, no handover planned"
                action = f"plan a handover, or name cover: {pid} has been away since {fmt_day(first, as_of)} with no end date"
            else:
                title = f"Worker away until {fmt_day(last, as_of)}, no cover, no handover planned"
                action = f"plan a handover, or name cover: {pid} is away until {fmt_day(last, as_of)}"
            said = f"{who} is away {_absence_words(first, last, as_of)} ({absence.kind}), with no cover named"
            severity = HIGH
        else:
            events: list[tuple[int, dict[str, Any], str, str, str]] = []
            if practitioner is not None and practitioner.leaving_on is not None:
                leaving = practitioner.leaving_on
                days_away = (leaving - as_of).days
                if 0 <= days_away <= horizon:
                    events.append((
                        days_away,
                        {"event": "leaving", "event_on": leaving.isoformat()},
                        f"Worker leaves on {fmt_day(leaving, as_of)}, no handover planned",
                        f"{who} leaves on {fmt_date(leaving)} ({_ahead(days_away)})",
                        f"plan a handover before {pid} leaves on {fmt_day(leaving, as_of)}",
                    ))
            for first, last, days_away in _absence_facts(
                "long_ahead", absences, (as_of, horizon, policy.long_absence_days), _long_absences_ahead
            ) if absences else ():
                events.append((
                    days_away,
                    {"event": "absence", "event_on": first.isoformat(),
                     "absence_end": None if last == date.max else last.isoformat()},
                    f"Worker away from {fmt_day(first, as_of)}, no handover planned",
                    f"{who} is away {_absence_words(first, last, as_of)}, starting {_ahead(days_away)}",
                    f"plan a handover, or cover, before {fmt_day(first, as_of)}",
                ))
            if not events:
                return None
            days_away, facts, title, said, action = min(events, key=lambda event: event[0])
            facts["days_away"] = days_away
            severity = HIGH if days_away <= policy.high_within_days else MEDIUM
    facts["horizon_days"] = horizon
    return severity, title, said, action, facts


def _handover_day(handover: Handover) -> date:
    """D for a completed handover: the day it completed (the receiver's allocation start)."""
    return handover.completed_on or handover.planned_on


@_rule
def cold_handover(ctx: RuleContext) -> list[Warning]:
    """A handover completed in the last 84 days, not reviewed, completed cold or with the new
    practitioner's first contact late: medium, until a lead reviews it."""
    window = ctx.policy.cold_handover.window_days
    as_of = ctx.as_of
    for handover in reversed(ctx.case.handovers):
        if not handover.is_completed or handover.reviewed:
            continue
        day = _handover_day(handover)
        days_since = (as_of - day).days
        if not 0 <= days_since < window:
            continue
        incoming = handover.to_practitioner_id
        deadline = ctx.working_days.add(day, ctx.first_contact_days)
        first_met = None
        for contact in ctx.case.contacts:
            when = contact.contact_date
            if when > as_of:
                break
            if when >= day and contact.meaningful and contact.involves(incoming):
                first_met = contact
                break
        late = (first_met is None and as_of > deadline) or (
            first_met is not None and first_met.contact_date > deadline
        )
        cold = handover.status == "completed_cold"
        if not (cold or late):
            continue
        reasons = []
        if cold:
            # what completing on the day needed (planner/handover.py `due_by`)
            open_ids = [item.item_id for item in handover.items if item.required and not item.done
                        and (item.due <= day or item.item_id in ("told", "three_way"))]
            reasons.append(
                "it was completed cold, by a lead's override"
                + (f", with {_and_list(open_ids)} not done" if open_ids else "")
            )
        if late:
            if first_met is None:
                reasons.append(f"{ctx.name(incoming)} has not yet met the person; the first-contact "
                               f"deadline was {fmt_date(deadline)}")
            else:
                reasons.append(f"{ctx.name(incoming)} first met the person on "
                               f"{fmt_date(first_met.contact_date)}, after the deadline of {fmt_date(deadline)}")
        title = (f"Cold handover on {fmt_day(day, as_of)}, not yet reviewed" if cold
                 else f"New worker's first contact came late after the handover on {fmt_day(day, as_of)}")
        return ctx.warn(
            "cold_handover",
            MEDIUM,
            title,
            f"The handover from {ctx.name(handover.from_practitioner_id)} to {ctx.name(incoming)} "
            f"was completed on {fmt_date(day)} ({_ago(days_since)}): {'; and '.join(reasons)}. "
            f"It has not been reviewed yet.",
            f"team lead to review the handover with {incoming} and the person, "
            f"by {fmt_day(ctx.working_days.add(as_of, 5), as_of)}",
            {
                "completed_on": day.isoformat(),
                "days_since": days_since,
                "from_practitioner_id": handover.from_practitioner_id,
                "to_practitioner_id": incoming,
                "cold": cold,
                "first_contact_late": late,
                "first_contact_deadline": deadline.isoformat(),
                "first_contact_on": first_met.contact_date.isoformat() if first_met else None,
                "status": handover.status,
                "override": handover.override_reason is not None,
                "reviewed": handover.reviewed,
                "handover_id": handover.id,
            },
        )
    return []


def _short_and_empty(alloc: Allocation, contacts: tuple[Contact, ...], short_days: int) -> bool:
    """An ended allocation shorter than short_days with no meaningful contact with its practitioner."""
    end = alloc.end_date
    if end is None or (end - alloc.start_date).days >= short_days:
        return False
    pid = alloc.practitioner_id
    return not any(
        alloc.start_date <= c.contact_date <= end and c.meaningful and c.involves(pid) for c in contacts
    )


@dataclass(frozen=True, slots=True)
class Churn:
    """practitioner_churn's count for one case on one date (SPEC §3)."""

    count: int  # the larger of `distinct` and 1 + `changes`
    distinct: int  # practitioners whose allocations overlap the window, plus planned receivers
    changes: int  # allocations other than the first that started in the window
    held: tuple[str, ...]  # who held the case in the window, in allocation order
    planned: tuple[str, ...]  # receivers of planned handovers not among them
    dropped: int  # short ended allocations with no meaningful contact, not counted


def churn(case: Case, as_of: date, policy: Policy = DEFAULT_POLICY) -> Churn:
    """How many workers the person has had in the churn window: what
    practitioner_churn warns on and the case screens show ("3rd practitioner
    in 12 months")."""
    settings = policy.practitioner_churn
    window_start = as_of - timedelta(days=settings.window_days)
    allocations = case.allocations
    first_alloc = allocations[0] if allocations else None
    seen: dict[str, None] = {}
    changes = dropped = 0
    for alloc in allocations:
        if alloc.start_date > as_of:
            continue
        overlaps = alloc.end_date is None or alloc.end_date > window_start
        started = alloc.start_date > window_start and alloc is not first_alloc
        if not (overlaps or started):
            continue
        if _short_and_empty(alloc, case.contacts, settings.short_allocation_days):
            dropped += 1
            continue
        if overlaps:
            seen[alloc.practitioner_id] = None
        if started:
            changes += 1
    held = tuple(seen)
    planned: list[str] = []
    for handover in case.handovers:
        if handover.is_open and handover.to_practitioner_id not in seen:
            seen[handover.to_practitioner_id] = None
            planned.append(handover.to_practitioner_id)
    return Churn(max(len(seen), 1 + changes), len(seen), changes, held, tuple(planned), dropped)


@_rule
def practitioner_churn(ctx: RuleContext) -> list[Warning]:
    """Practitioners in the last 365 days (plus a planned receiver), or changes + 1: 3 medium,
    4+ high (3 for a child); short allocations with no contact not counted."""
    policy = ctx.policy.practitioner_churn
    case = ctx.case
    if len(case.allocations) + len(case.handovers) < policy.medium_at:
        return []  # not enough people in the records to count medium_at of them
    as_of = ctx.as_of
    window_start = as_of - timedelta(days=policy.window_days)
    found = churn(case, as_of, ctx.policy)
    count, changes, dropped = found.count, found.changes, found.dropped
    held, planned = list(found.held), list(found.planned)
    if count < policy.medium_at:
        return []
    high_at = policy.youth_high_at if case.youth else policy.high_at
    severity = HIGH if count >= high_at else MEDIUM
    detail = (
        f"In the {_days(policy.window_days)} to {fmt_date(as_of)}, "
        f"{_and_list([ctx.name(pid) for pid in held])} held the case ({changes} change"
        f"{'s' if changes != 1 else ''} of worker)"
    )
    if planned:
        detail += f", and a handover to {_and_list([ctx.name(pid) for pid in planned])} is planned"
    if dropped:
        detail += f"; {dropped} short allocation{'s' if dropped != 1 else ''} with no contact not counted"
    if case.youth and severity == HIGH and count < policy.high_at:
        detail += f"; {count} is high for a child"
    action = (
        "keep the planned handover warm and the receiver for good; avoid any further change"
        if planned else "keep this worker: avoid any further change of worker this year"
    )
    return ctx.warn(
        "practitioner_churn",
        severity,
        f"{count} workers in a year",
        detail + ".",
        action,
        {
            "count": count,
            "distinct": found.distinct,
            "changes": changes,
            "practitioner_ids": held,
            "planned_receiver_ids": planned,
            "dropped_short_allocations": dropped,
            "window_days": policy.window_days,
            "window_start": window_start.isoformat(),
        },
    )


@_rule
def missed_appointments(ctx: RuleContext) -> list[Warning]:
    """The run of missed contacts before the last attended one (cancelled skipped): 2 medium, 3+ high."""
    policy = ctx.policy.missed_appointments
    run = ctx.scan.missed_run
    count = len(run)
    if count < policy.medium_at:
        return []
    dates = [contact.contact_date for contact in reversed(run)]
    ended = ctx.scan.run_ended_by
    as_of = ctx.as_of
    detail = f"{count} missed in a row ({_and_list([fmt_date(d) for d in dates])})"
    if ended is not None:
        detail += f" since the last attended contact on {fmt_date(ended.contact_date)}"
    else:
        detail += ", with no attended contact before them"
    booked = ctx.next_appointment
    if booked is not None:
        action = ctx.ask(f"reach them before {fmt_day(booked, as_of)} to find out why and keep that appointment")
    else:
        action = ctx.ask(f"reach them by {fmt_day(ctx.working_days.add(as_of, 2), as_of)} to find out why, and rebook")
    return ctx.warn(
        "missed_appointments",
        HIGH if count >= policy.high_at else MEDIUM,
        f"{count} appointments missed in a row",
        detail + "; cancelled ones are not counted.",
        action,
        {
            "missed_count": count,
            "missed_on": [d.isoformat() for d in dates],
            "last_attended_on": ended.contact_date.isoformat() if ended else None,
            "next_booked_on": booked.isoformat() if booked else None,
        },
    )


@_rule
def practitioner_cancelled(ctx: RuleContext) -> list[Warning]:
    """Contacts cancelled by the practitioner's side in the last 56 days: 2 medium, 3+ high."""
    policy = ctx.policy.practitioner_cancelled
    found = ctx.practitioner_cancellations
    count = len(found)
    if count < policy.medium_at:
        return []
    as_of = ctx.as_of
    who = sorted({c.practitioner_id for c in found})
    weeks = policy.window_days // 7 if policy.window_days % 7 == 0 else None
    span = f"{weeks} weeks" if weeks else _days(policy.window_days)
    booked = ctx.next_appointment
    action = (
        ctx.ask(f"keep the appointment on {fmt_day(booked, as_of)}; no more cancellations from our side")
        if booked is not None
        else ctx.ask(f"rebook with the person by {fmt_day(ctx.working_days.add(as_of, 2), as_of)} and keep it")
    )
    return ctx.warn(
        "practitioner_cancelled",
        HIGH if count >= policy.high_at else MEDIUM,
        f"{count} appointments cancelled by us in {span}",
        f"{count} contacts were cancelled by the practitioner's side in the last {_days(policy.window_days)} "
        f"({_and_list([fmt_date(c.contact_date) for c in found])}, by {_and_list([ctx.name(p) for p in who])}).",
        action,
        {
            "cancelled_count": count,
            "cancelled_on": [c.contact_date.isoformat() for c in found],
            "practitioner_ids": who,
            "window_days": policy.window_days,
        },
    )


def _uncovered_split(
    absences: tuple[Absence, ...], first: date, last: date
) -> tuple[list[Absence], list[Absence]]:
    """(absences without cover overlapping first..last, absences with cover)."""
    uncovered = [
        absence
        for absence in absences
        if absence.cover_practitioner_id is None
        and absence.start_date <= last
        and absence.last_day >= first
    ]
    if not uncovered:
        return [], []
    return uncovered, [a for a in absences if a.cover_practitioner_id is not None]


@_rule
def cover_needed(ctx: RuleContext) -> list[Warning]:
    """An absence with no cover named over a booked appointment within 28 days, or over the due
    date and every working day before it: medium (not when a handover moves the case first)."""
    pid = ctx.practitioner_id
    absences = ctx.world.absences_of(pid)
    if not absences or ctx.has_left:
        return []
    as_of = ctx.as_of
    last = as_of + timedelta(days=ctx.policy.cover_needed.horizon_days)
    uncovered, covered = _absence_facts("cover", absences, (as_of, last), _uncovered_split)
    if not uncovered:
        return []
    return _cover_warning(ctx, pid, as_of, last, uncovered, covered)


def _first_free_day(gap_on: Callable[[date], Absence | None], as_of: date, last: date, nation: str) -> date:
    """The first working day after as_of with no uncovered absence (or the day after `last`)."""
    wd = working_days(nation)
    day = as_of + timedelta(days=1)
    while day <= last:
        if wd.is_working(day) and gap_on(day) is None:
            return day
        day += timedelta(days=1)
    return last + timedelta(days=1)


def _cover_warning(
    ctx: RuleContext,
    pid: str | None,
    as_of: date,
    last: date,
    uncovered: list[Absence],
    covered: list[Absence],
) -> list[Warning]:
    """cover_needed for a case whose practitioner is away without cover in the horizon."""

    def gap_on(day: date) -> Absence | None:
        """The absence without cover on `day`, unless another absence has cover that day."""
        for absence in uncovered:
            if absence.covers(day):
                if any(other.covers(day) for other in covered):
                    return None
                return absence
        return None

    handover = ctx.case.open_handover

    def moved_first(absence: Absence) -> bool:
        return handover is not None and handover.planned_on < absence.start_date

    candidates: list[tuple[date, str, Absence]] = []
    due = ctx.due_on
    if due is not None and as_of <= due <= last and not ctx.first_contact_pending:
        absence = gap_on(due)
        if absence is not None:
            # every working day from after as-of to the due date is away, uncovered:
            # the first one that is not comes after the due date
            # (the same for each of the practitioner's cases: worked out once)
            free = _absence_facts("free", ctx.world.absences_of(pid), (as_of, last, ctx.nation),
                                  lambda _absences, *args: _first_free_day(gap_on, *args))
            if free > due:
                candidates.append((due, "contact", absence))
    # Only a day inside an absence without cover can be the answer: expand
    # series over the days those absences span (within as_of..last), not all.
    span_first = max(as_of, min(absence.start_date for absence in uncovered))
    span_last = min(last, max(absence.last_day for absence in uncovered))
    if span_first <= span_last:
        for appointment in ctx.case.appointments:
            if appointment.practitioner_id != pid:
                continue
            for day in appointment_dates(appointment, span_first, span_last):
                absence = gap_on(day)
                if absence is not None:
                    candidates.append((day, "appointment", absence))
    candidates = [c for c in candidates if not moved_first(c[2])]
    if not candidates:
        return []
    day, why, absence = min(candidates, key=lambda c: (c[0], c[1]))
    if why == "appointment":
        tail = f"an appointment is booked on {fmt_date(day)}"
        action = f"name cover for {fmt_day(day, as_of)}, or rebook the appointment with a colleague"
        title = f"No cover for the appointment on {fmt_day(day, as_of)}"
    else:
        tail = f"contact falls due on {fmt_date(day)} and {pid} is away every working day until then"
        action = f"name cover to see them by {fmt_day(day, as_of)}"
        if absence.start_date > as_of:
            action += f", or see them before {fmt_day(absence.start_date, as_of)}"
        title = f"No cover while contact falls due on {fmt_day(day, as_of)}"
    end = "with no end date" if absence.open_ended else f"to {fmt_date(absence.end_date)}"
    return ctx.warn(
        "cover_needed",
        MEDIUM,
        title,
        f"{ctx.name(pid)} is away from {fmt_date(absence.start_date)} {end} with no cover "
        f"named, and {tail}.",
        action,
        {
            "due_on": day.isoformat(),
            "due_reason": why,
            "contact_due_on": due.isoformat() if due else None,
            "absence_start": absence.start_date.isoformat(),
            "absence_end": absence.end_date.isoformat() if absence.end_date else None,
            "absence_kind": absence.kind,
            "horizon_days": ctx.policy.cover_needed.horizon_days,
        },
    )


#: Every rule, in the order of SPEC §3 (the order warnings of equal severity are listed in).
RULE_FUNCTIONS: tuple[RuleFunction, ...] = (
    first_contact,
    contact_overdue,
    contact_due,
    no_appointment,
    relationship_gap,
    early_window,
    early_break,
    handover_upcoming,
    handover_unplanned,
    cold_handover,
    practitioner_churn,
    missed_appointments,
    practitioner_cancelled,
    cover_needed,
)
