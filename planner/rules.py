"""The relationship-risk rules of SPEC §3, one small pure function per rule id.

Every rule takes a `RuleContext` (one case, the world, the as-of date and the
policy) and returns a list of `Warning`s, usually empty or one long. The
context works out the shared facts once per case (the gap, the threshold T,
the practitioner's own last contact, the run of missed contacts...) in one
walk over the contacts from the newest back, and caches them, so running all
twelve rules over a case costs little more than running one.

All day counts are calendar days (`as_of` minus a date); contacts dated after
`as_of` are ignored. Case collections are in date order (planner/model.py).
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
from planner.model import Absence, Allocation, Appointment, Case, Contact, World, fast_constructor
from planner.policy import DEFAULT_POLICY, Policy

HIGH, MEDIUM, LOW = "high", "medium", "low"


@dataclass(frozen=True, slots=True)
class Warning:  # noqa: A001 - the name is the contract (notes/contracts.md)
    """One relationship-risk warning for one case (SPEC §3, §6)."""

    case_ref: str
    practitioner_id: str | None
    rule: str
    severity: str
    title: str
    detail: str
    facts: dict[str, Any] = field(default_factory=dict, hash=False)


# --------------------------------------------------------------------------
# Wording helpers


_MONTHS = ("", "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def fmt_date(day: date) -> str:
    """27 Oct 2026 (English month names whatever the locale)."""
    return f"{day.day} {_MONTHS[day.month]} {day.year}"


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
    own_last: Contact | None  # current practitioner, within the current allocation
    other_after_own: Contact | None  # latest meaningful contact by someone else after own_last
    missed_run: tuple[Contact, ...]  # newest first, cancelled skipped
    run_ended_by: Contact | None  # the attended contact that ends the run


# ContactScan(...) without the frozen __init__: one per case evaluated.
_make_scan = fast_constructor(ContactScan)


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
    def scan(self) -> ContactScan:
        contacts = self.case.contacts
        index = len(contacts)
        if index and contacts[-1].contact_date > self.as_of:
            index = bisect_right(contacts, self.as_of, key=_contact_date)
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
                    if contact.practitioner_id == own_id:
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
    def gap_from(self) -> date | None:
        """The last meaningful contact's date, or the first allocation's start."""
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
    def own_gap(self) -> int | None:
        own = self.scan.own_last
        if own is not None:
            return (self.as_of - own.contact_date).days
        if self.relationship_start is None:
            return None
        return (self.as_of - self.relationship_start).days

    @lazy_property
    def contact_state(self) -> str | None:
        """'overdue' (gap > T), 'due' (T - lead <= gap <= T) or None."""
        gap = self.gap
        if gap is None:
            return None
        threshold = self.threshold
        if gap > threshold:
            return "overdue"
        if gap >= threshold - self.policy.contact_due.lead_days:
            return "due"
        return None

    @lazy_property
    def contact_due_on(self) -> date | None:
        """When contact falls due: last meaningful contact (or first allocation) + T."""
        start = self.gap_from
        return None if start is None else start + timedelta(days=self.threshold)

    def seen_phrase(self) -> str:
        last = self.scan.last_meaningful
        if last is not None:
            return f"Last seen {_ago(self.gap)} on {fmt_date(last.contact_date)}"
        return (
            f"No meaningful contact since the first allocation on "
            f"{fmt_date(self.gap_from)}, {_ago(self.gap)}"
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
            "gap_from": self.gap_from.isoformat(),
        }

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

    @lazy_property
    def booked_ahead(self) -> bool:
        """Is any appointment (any practitioner) booked on or after as_of?"""
        as_of = self.as_of
        series = []
        for appointment in reversed(self.case.appointments):
            if appointment.appointment_date >= as_of:
                return True
            if appointment.rrule:
                series.append(appointment)
        return any(next_appointment_date(a, as_of) is not None for a in series)

    # --- people and calendar ----------------------------------------------

    def name(self, practitioner_id: str | None) -> str:
        if practitioner_id is None:
            return "no one"
        practitioner = self.world.practitioners.get(practitioner_id)
        if practitioner is None:
            return practitioner_id
        return f"{practitioner.name} ({practitioner_id})"

    @lazy_property
    def nation(self) -> str:
        if self.practitioner_id in self.world.practitioners:
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

    # --- output -----------------------------------------------------------

    def warn(
        self, rule: str, severity: str, title: str, detail: str, facts: dict[str, Any]
    ) -> list[Warning]:
        # Warning(case_ref, practitioner_id, rule, severity, title, detail, facts)
        # without the frozen __init__ (a region makes ten thousand).
        return [_make_warning(self.case.case_ref, self.practitioner_id, rule, severity, title, detail, facts)]


_make_warning = fast_constructor(Warning)

RuleFunction = Callable[[RuleContext], list[Warning]]

#: The rules that stop while a case is paused (SPEC §3).
CONTACT_RULES = frozenset(
    {
        "contact_overdue",
        "contact_due",
        "relationship_gap",
        "first_contact",
        "missed_appointments",
        "cover_needed",
        "no_appointment",
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
# The rules, in the order of SPEC §3


@_rule
def contact_overdue(ctx: RuleContext) -> list[Warning]:
    """gap > T: medium; high when gap > 1.5 x T."""
    if ctx.contact_state != "overdue":
        return []
    gap, threshold = ctx.gap, ctx.threshold
    high_above = ctx.policy.contact_overdue.high_multiplier * threshold
    high = gap > high_above
    detail = f"{ctx.seen_phrase()}; {ctx.threshold_phrase} allows {_days(threshold)}"
    if high:
        detail += f", and more than {_days(high_above)} is high"
    facts = ctx.contact_facts()
    facts["high_above_days"] = high_above
    return ctx.warn(
        "contact_overdue",
        HIGH if high else MEDIUM,
        f"Contact overdue by {_days(gap - threshold)}",
        detail + ".",
        facts,
    )


@_rule
def contact_due(ctx: RuleContext) -> list[Warning]:
    """T - 7 <= gap <= T: low."""
    if ctx.contact_state != "due":
        return []
    due_on = ctx.contact_due_on
    left = (due_on - ctx.as_of).days
    facts = ctx.contact_facts()
    facts["due_on"] = due_on.isoformat()
    facts["days_left"] = left
    return ctx.warn(
        "contact_due",
        LOW,
        "Contact due today" if left == 0 else f"Contact due in {_days(left)}",
        f"{ctx.seen_phrase()}; {ctx.threshold_phrase} allows {_days(ctx.threshold)}, "
        f"so contact is due by {fmt_date(due_on)} ({_ahead(left)}).",
        facts,
    )


@_rule
def relationship_gap(ctx: RuleContext) -> list[Warning]:
    """Own gap > 2 x T while someone else has seen the person since: medium."""
    own_gap = ctx.own_gap
    if own_gap is None:
        return []
    limit = ctx.policy.relationship_gap.multiplier * ctx.threshold
    other = ctx.scan.other_after_own
    if own_gap <= limit or other is None:
        return []
    own = ctx.scan.own_last
    who = ctx.name(ctx.practitioner_id)
    if own is not None:
        first = f"{who} last saw them {_ago(own_gap)} on {fmt_date(own.contact_date)}"
    else:
        first = (
            f"{who} has not seen them since the allocation started on "
            f"{fmt_date(ctx.relationship_start)}, {_ago(own_gap)}"
        )
    return ctx.warn(
        "relationship_gap",
        MEDIUM,
        f"Own contact gap of {_days(own_gap)}",
        f"{first}; {ctx.name(other.practitioner_id)} has seen them since, on "
        f"{fmt_date(other.contact_date)}. {own_gap} days is more than "
        f"{ctx.policy.relationship_gap.multiplier:g} × {ctx.threshold} = {_days(limit)} "
        f"({ctx.threshold_phrase}).",
        {
            "own_gap_days": own_gap,
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


@_rule
def first_contact(ctx: RuleContext) -> list[Warning]:
    """No first contact yet: high once the deadline has passed, low within 7 days of it."""
    if ctx.allocation is None or ctx.scan.own_last is not None:
        return []
    deadline = ctx.first_contact_deadline
    days_left = (deadline - ctx.as_of).days
    if days_left < 0:
        severity, title = HIGH, "First contact deadline passed"
        when = f"was {fmt_date(deadline)} ({_ago(-days_left)})"
    elif days_left <= ctx.policy.first_contact.lookahead_days:
        severity = LOW
        title = "First contact due today" if days_left == 0 else f"First contact due in {_days(days_left)}"
        when = f"is {fmt_date(deadline)} ({_ahead(days_left)})"
    else:
        return []
    n = ctx.first_contact_days
    start = ctx.relationship_start
    return ctx.warn(
        "first_contact",
        severity,
        title,
        f"No meaningful contact with {ctx.name(ctx.practitioner_id)} since the allocation "
        f"started on {fmt_date(start)}; the deadline, the {_ordinal(n)} working day after "
        f"it, {when}.",
        {
            "allocation_start": start.isoformat(),
            "deadline": deadline.isoformat(),
            "days_left": days_left,
            "working_days": n,
            "nation": ctx.nation,
            "contact_level": ctx.level,
        },
    )


@_rule
def early_window(ctx: RuleContext) -> list[Warning]:
    """The current relationship is under 84 days old: low, informational."""
    age = ctx.relationship_age
    window = ctx.policy.early_window.days
    if age is None or age < 0 or age >= window:
        return []
    days_left = window - age
    weeks_left = math.ceil(days_left / 7)
    week = age // 7 + 1
    weeks = math.ceil(window / 7)
    plural = "week" if weeks_left == 1 else "weeks"
    return ctx.warn(
        "early_window",
        LOW,
        f"New relationship: {weeks_left} {plural} left",
        f"The relationship with {ctx.name(ctx.practitioner_id)} started on "
        f"{fmt_date(ctx.relationship_start)}, {_ago(age)}: week {week} of {weeks} of the "
        f"{window}-day early window, {_days(days_left)} left.",
        {
            "allocation_start": ctx.relationship_start.isoformat(),
            "age_days": age,
            "week": week,
            "weeks": weeks,
            "days_left": days_left,
            "weeks_left": weeks_left,
            "window_days": window,
        },
    )


@_rule
def handover_upcoming(ctx: RuleContext) -> list[Warning]:
    """A planned handover 28 days ahead or sooner with required items open that
    are due by the handover date (or by as-of, once the date has passed)."""
    policy = ctx.policy.handover_upcoming
    out: list[Warning] = []
    for handover in ctx.case.handovers:
        if not handover.is_open:
            continue
        days_away = (handover.planned_on - ctx.as_of).days
        if days_away > policy.horizon_days:
            continue
        # Only the items completing on the date needs (planner.handover.due_by):
        # first_contact (due after D) cannot be done before the receiver holds the case.
        by = max(handover.planned_on, ctx.as_of)
        open_items = [item for item in handover.items if item.required and not item.done and item.due <= by]
        if not open_items:
            continue
        if days_away <= policy.high_within_days:
            severity = HIGH
        elif days_away <= policy.medium_within_days:
            severity = MEDIUM
        else:
            severity = LOW
        late = [item.item_id for item in open_items if item.due < ctx.as_of]
        ids = [item.item_id for item in open_items]
        count = len(ids)
        detail = (
            f"Handover to {ctx.name(handover.to_practitioner_id)} planned for "
            f"{fmt_date(handover.planned_on)} ({_ahead(days_away)}); {count} required "
            f"checklist item{'s' if count != 1 else ''} open: {', '.join(ids)}"
        )
        if late:
            detail += f" ({len(late)} past {'their' if len(late) > 1 else 'its'} due date)"
        title = (
            f"Handover date passed, {count} item{'s' if count != 1 else ''} open"
            if days_away < 0
            else f"Handover {_ahead(days_away)}: {count} item{'s' if count != 1 else ''} open"
        )
        out.extend(
            ctx.warn(
                "handover_upcoming",
                severity,
                title,
                detail + ".",
                {
                    "planned_on": handover.planned_on.isoformat(),
                    "days_away": days_away,
                    "from_practitioner_id": handover.from_practitioner_id,
                    "to_practitioner_id": handover.to_practitioner_id,
                    "open_items": ids,
                    "late_items": late,
                    "handover_id": handover.id,
                },
            )
        )
    return out


# Facts about one practitioner's absences on one date, the same for each of
# their thirty-odd cases: worked out once per (absences tuple, as_of, numbers).
# Keyed by the tuple's id() and checked by identity, holding the tuple so its
# id cannot be reused while cached; cleared when it grows past a bound.
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
    """Absences as (first, last) blocks, back-to-back or overlapping ones joined."""
    blocks: list[list[date]] = []
    for absence in sorted(absences, key=lambda a: a.start_date):
        if blocks and absence.start_date <= blocks[-1][1] + timedelta(days=1):
            blocks[-1][1] = max(blocks[-1][1], absence.end_date)
        else:
            blocks.append([absence.start_date, absence.end_date])
    return [(first, last) for first, last in blocks]


def _long_absences_ahead(
    absences: tuple[Absence, ...], as_of: date, horizon: int, long_days: int
) -> list[tuple[date, date, int, int]]:
    """(first, last, length, days away) of each joined-up block of absence of
    `long_days` or more starting 0..horizon days after as_of."""
    horizon_end = as_of + timedelta(days=horizon)
    # A joined-up block starts in the window only if one of its absences does.
    if not any(as_of <= a.start_date <= horizon_end for a in absences):
        return []
    found = []
    for first, last in merged_absences(absences):
        length = (last - first).days + 1
        days_away = (first - as_of).days
        if length >= long_days and 0 <= days_away <= horizon:
            found.append((first, last, length, days_away))
    return found


@_rule
def handover_unplanned(ctx: RuleContext) -> list[Warning]:
    """The practitioner leaves, or starts a 28+ day absence, within 56 days, with no handover planned."""
    pid = ctx.practitioner_id
    if pid is None or ctx.case.open_handover is not None:
        return []
    policy = ctx.policy.handover_unplanned
    as_of, horizon = ctx.as_of, policy.horizon_days
    events: list[tuple[int, dict[str, Any], str]] = []
    practitioner = ctx.world.practitioners.get(pid)
    if practitioner is not None and practitioner.leaving_on is not None:
        days_away = (practitioner.leaving_on - as_of).days
        if 0 <= days_away <= horizon:
            events.append(
                (
                    days_away,
                    {"event": "leaving", "event_on": practitioner.leaving_on.isoformat()},
                    f"{ctx.name(pid)} leaves on {fmt_date(practitioner.leaving_on)} "
                    f"({_ahead(days_away)})",
                )
            )
    absences = ctx.world.absences_of(pid)
    for first, last, length, days_away in _absence_facts(
        "long_ahead", absences, (as_of, horizon, policy.long_absence_days), _long_absences_ahead
    ):
        events.append(
            (
                days_away,
                {
                    "event": "absence",
                    "event_on": first.isoformat(),
                    "absence_end": last.isoformat(),
                    "absence_days": length,
                },
                f"{ctx.name(pid)} is away for {_days(length)} from {fmt_date(first)} "
                f"to {fmt_date(last)}, starting {_ahead(days_away)}",
            )
        )
    if not events:
        return []
    days_away, facts, said = min(events, key=lambda event: event[0])
    facts.update({"days_away": days_away, "horizon_days": horizon})
    high = days_away <= policy.high_within_days
    return ctx.warn(
        "handover_unplanned",
        HIGH if high else MEDIUM,
        "Leaving, no handover planned"
        if facts["event"] == "leaving"
        else "Long absence, no handover planned",
        f"{said}, and no handover is planned for this case.",
        facts,
    )


_COLD_ITEMS = (
    ("three_way", "the three-way introduction meeting"),
    ("told", "telling the person about the change"),
)


@_rule
def cold_handover(ctx: RuleContext) -> list[Warning]:
    """A handover completed in the last 84 days with three_way or told not done: medium.

    It shows until the handover is reviewed (in supervision or by the lead):
    the warning asks for that review, so a reviewed handover no longer fires.
    """
    window = ctx.policy.cold_handover.window_days
    for handover in reversed(ctx.case.handovers):
        if not handover.is_completed or handover.reviewed:
            continue
        completed_on = handover.completed_on or handover.planned_on
        days_since = (ctx.as_of - completed_on).days
        if not 0 <= days_since <= window:
            continue
        done = {item.item_id for item in handover.items if item.done}
        missing = [(item_id, words) for item_id, words in _COLD_ITEMS if item_id not in done]
        if not missing:
            continue
        reviewed = " It has not been reviewed yet."
        return ctx.warn(
            "cold_handover",
            MEDIUM,
            "Cold handover",
            f"The handover from {ctx.name(handover.from_practitioner_id)} to "
            f"{ctx.name(handover.to_practitioner_id)} was completed on "
            f"{fmt_date(completed_on)} ({_ago(days_since)}) without "
            f"{' or '.join(words for _, words in missing)}.{reviewed}",
            {
                "completed_on": completed_on.isoformat(),
                "days_since": days_since,
                "from_practitioner_id": handover.from_practitioner_id,
                "to_practitioner_id": handover.to_practitioner_id,
                "missing_items": [item_id for item_id, _ in missing],
                "status": handover.status,
                "override": handover.override_reason is not None,
                "reviewed": handover.reviewed,
                "handover_id": handover.id,
            },
        )
    return []


@_rule
def practitioner_churn(ctx: RuleContext) -> list[Warning]:
    """Practitioners in the last 365 days plus a planned receiver: 3 medium, 4+ high."""
    policy = ctx.policy.practitioner_churn
    case = ctx.case
    if len(case.allocations) + len(case.handovers) < policy.medium_at:
        return []  # not enough people in the records to count medium_at of them
    as_of = ctx.as_of
    window_start = as_of - timedelta(days=policy.window_days)
    seen: dict[str, None] = {}
    for alloc in ctx.case.allocations:
        if alloc.start_date <= as_of and (alloc.end_date is None or alloc.end_date >= window_start):
            seen[alloc.practitioner_id] = None
    held = list(seen)
    planned: list[str] = []
    for handover in ctx.case.handovers:
        if handover.is_open and handover.to_practitioner_id not in seen:
            seen[handover.to_practitioner_id] = None
            planned.append(handover.to_practitioner_id)
    count = len(seen)
    if count < policy.medium_at:
        return []
    severity = HIGH if count >= policy.high_at else MEDIUM
    detail = (
        f"{count} practitioners in {_days(policy.window_days)} to {fmt_date(as_of)}: "
        f"{_and_list([ctx.name(pid) for pid in held])} held the case"
    )
    if planned:
        detail += f", and a handover to {_and_list([ctx.name(pid) for pid in planned])} is planned"
    return ctx.warn(
        "practitioner_churn",
        severity,
        f"{count} practitioners in a year",
        detail + ".",
        {
            "count": count,
            "practitioner_ids": held,
            "planned_receiver_ids": planned,
            "window_days": policy.window_days,
            "window_start": window_start.isoformat(),
        },
    )


@_rule
def missed_appointments(ctx: RuleContext) -> list[Warning]:
    """The run of missed contacts before the last attended one (cancelled skipped)."""
    policy = ctx.policy.missed_appointments
    run = ctx.scan.missed_run
    count = len(run)
    if count < policy.medium_at:
        return []
    dates = [contact.contact_date for contact in reversed(run)]
    ended = ctx.scan.run_ended_by
    detail = f"{count} missed in a row ({_and_list([fmt_date(d) for d in dates])})"
    if ended is not None:
        detail += f" since the last attended contact on {fmt_date(ended.contact_date)}"
    else:
        detail += ", with no attended contact before them"
    return ctx.warn(
        "missed_appointments",
        HIGH if count >= policy.high_at else MEDIUM,
        f"{count} missed in a row",
        detail + "; cancelled ones are not counted.",
        {
            "missed_count": count,
            "missed_on": [d.isoformat() for d in dates],
            "last_attended_on": ended.contact_date.isoformat() if ended else None,
        },
    )


def _uncovered_absences(absences: tuple[Absence, ...], first: date, last: date) -> list[Absence]:
    return [
        absence
        for absence in absences
        if absence.cover_practitioner_id is None
        and absence.start_date <= last
        and absence.end_date >= first
    ]


def _cover_split(
    absences: tuple[Absence, ...], first: date, last: date
) -> tuple[list[Absence], list[Absence]]:
    """(absences without cover overlapping first..last, absences with cover)."""
    uncovered = _uncovered_absences(absences, first, last)
    if not uncovered:
        return [], []
    return uncovered, [a for a in absences if a.cover_practitioner_id is not None]


@_rule
def cover_needed(ctx: RuleContext) -> list[Warning]:
    """The practitioner is away with no cover on a day within 28 days when contact falls due."""
    pid = ctx.practitioner_id
    absences = ctx.world.absences_of(pid)
    if not absences:
        return []
    as_of = ctx.as_of
    last = as_of + timedelta(days=ctx.policy.cover_needed.horizon_days)
    uncovered, covered = _absence_facts("cover", absences, (as_of, last), _cover_split)
    if not uncovered:
        return []
    return _cover_warning(ctx, pid, as_of, last, uncovered, covered)


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
        for absence in uncovered:
            if absence.start_date <= day <= absence.end_date:
                if any(other.covers(day) for other in covered):
                    return None
                return absence
        return None

    candidates: list[tuple[date, str]] = []
    due_on = ctx.contact_due_on
    if due_on is not None:
        # An overdue contact is due now: it falls due on as_of.
        candidates.append((max(due_on, as_of), "contact"))
    # Only a day inside an absence without cover can be the answer: expand
    # series over the days those absences span (within as_of..last), not all.
    span_first = max(as_of, min(absence.start_date for absence in uncovered))
    span_last = min(last, max(absence.end_date for absence in uncovered))
    if span_first <= span_last:
        for appointment in ctx.case.appointments:
            if appointment.practitioner_id != pid:
                continue
            for day in appointment_dates(appointment, span_first, span_last):
                candidates.append((day, "appointment"))
    for day, why in sorted(candidates):
        if day > last:
            break
        absence = gap_on(day)
        if absence is None:
            continue
        if why == "appointment":
            tail = f"a booked appointment falls on {fmt_date(day)}"
        elif due_on < as_of:
            tail = f"contact has been due since {fmt_date(due_on)}"
        else:
            tail = f"contact falls due on {fmt_date(day)}"
        return ctx.warn(
            "cover_needed",
            MEDIUM,
            f"No cover on {fmt_date(day)}",
            f"{ctx.name(pid)} is away from {fmt_date(absence.start_date)} to "
            f"{fmt_date(absence.end_date)} with no cover named, and {tail}.",
            {
                "due_on": day.isoformat(),
                "due_reason": why,
                "contact_due_on": due_on.isoformat() if due_on else None,
                "absence_start": absence.start_date.isoformat(),
                "absence_end": absence.end_date.isoformat(),
                "absence_kind": absence.kind,
                "horizon_days": ctx.policy.cover_needed.horizon_days,
            },
        )
    return []


@_rule
def no_appointment(ctx: RuleContext) -> list[Warning]:
    """Contact is due or overdue and nothing is booked on or after as_of: low."""
    state = ctx.contact_state
    if state is None or ctx.booked_ahead:
        return []
    facts = ctx.contact_facts()
    facts["contact_state"] = state
    return ctx.warn(
        "no_appointment",
        LOW,
        "No appointment booked",
        f"Contact is {state} ({ctx.seen_phrase()[0].lower()}{ctx.seen_phrase()[1:]}; "
        f"{ctx.threshold_phrase} allows {_days(ctx.threshold)}) and nothing is booked on or "
        f"after {fmt_date(ctx.as_of)}.",
        facts,
    )


#: Every rule, in the order of SPEC §3 (the order warnings of equal severity are listed in).
RULE_FUNCTIONS: tuple[RuleFunction, ...] = (
    contact_overdue,
    contact_due,
    relationship_gap,
    first_contact,
    early_window,
    handover_upcoming,
    handover_unplanned,
    cold_handover,
    practitioner_churn,
    missed_appointments,
    cover_needed,
    no_appointment,
)
