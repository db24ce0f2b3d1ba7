"""Small builders for the rule tests: a case described in days before AS_OF.

    c = case(level="standard", start_ago=200, contacts=[seen(31)])
    assert severity(contact_overdue, c) == "medium"
"""

from __future__ import annotations

from datetime import date, timedelta

from planner.model import (
    Absence,
    Allocation,
    Appointment,
    Case,
    ChecklistItem,
    Contact,
    Handover,
    Practitioner,
    Team,
    World,
)
from planner.policy import DEFAULT_POLICY, Policy
from planner.rules import RuleContext, Warning

AS_OF = date(2026, 11, 27)  # a Friday

PRACTITIONERS = {
    "P1": Practitioner("P1", "Alex Kent", "T1"),
    "P2": Practitioner("P2", "Sam Reed", "T1"),
    "P3": Practitioner("P3", "Priya Shah", "T1"),
    "P4": Practitioner("P4", "Tom Ellis", "T1"),
    "P5": Practitioner("P5", "Jo Marsh", "T1"),
}
TEAMS = {"T1": Team("T1", "North", "england-and-wales"), "T2": Team("T2", "Leith", "scotland")}
WORLD = World(practitioners=PRACTITIONERS, teams=TEAMS)


def ago(days: int, as_of: date = AS_OF) -> date:
    return as_of - timedelta(days=days)


def ahead(days: int, as_of: date = AS_OF) -> date:
    return as_of + timedelta(days=days)


def seen(days_ago: int, pid: str = "P1", kind: str = "office", outcome: str = "attended",
         *, cancelled_by: str | None = None, with_pid: str | None = None) -> Contact:
    return Contact(ago(days_ago), pid, kind=kind, outcome=outcome, cancelled_by=cancelled_by,
                   with_practitioner_id=with_pid)


def missed(days_ago: int, pid: str = "P1") -> Contact:
    return seen(days_ago, pid, outcome="missed")


def cancelled(days_ago: int, pid: str = "P1", by: str | None = None) -> Contact:
    return seen(days_ago, pid, outcome="cancelled", cancelled_by=by)


def booked(days_ahead: int, pid: str = "P1", rrule: str | None = None) -> Appointment:
    return Appointment(ahead(days_ahead), pid, rrule=rrule)


def case(
    *,
    ref: str = "C1",
    level: str = "standard",
    start_ago: int = 200,
    pid: str = "P1",
    allocations: list[Allocation] | None = None,
    contacts: list[Contact] = (),
    appointments: list[Appointment] = (),
    handovers: list[Handover] = (),
    status: str = "active",
    paused_until: date | None = None,
    youth: bool = False,
    flags: frozenset[str] = frozenset(),
) -> Case:
    """One open allocation to `pid` that started `start_ago` days before AS_OF,
    unless `allocations` is given. Collections are put in date order."""
    if allocations is None:
        allocations = [Allocation(pid, ago(start_ago))]
    return Case(
        case_ref=ref,
        display_name="Made-up Person",
        contact_level=level,
        youth=youth,
        flags=flags,
        status=status,
        paused_until=paused_until,
        allocations=tuple(sorted(allocations, key=lambda a: a.start_date)),
        contacts=tuple(sorted(contacts, key=lambda c: c.contact_date)),
        appointments=tuple(sorted(appointments, key=lambda a: a.appointment_date)),
        handovers=tuple(sorted(handovers, key=lambda h: h.planned_on)),
    )


def item(item_id: str, done: bool = False, required: bool = True, due: date | None = None) -> ChecklistItem:
    return ChecklistItem(item_id, item_id.replace("_", " "), required, due or AS_OF, done=done)


def checklist(*open_ids: str, due: date | None = None) -> tuple[ChecklistItem, ...]:
    """The docs/handovers.md items, all done except `open_ids`."""
    ids = ("told", "summary", "read", "three_way", "booked", "first_contact")
    items = [item(i, done=i not in open_ids, due=due) for i in ids]
    items += [item("reachable", done=False, required=False), item("review", done=False, required=False)]
    return tuple(items)


def absence(pid: str, start: date, end: date | None, cover: str | None = None, kind: str = "leave") -> Absence:
    return Absence(pid, start, end, kind=kind, cover_practitioner_id=cover)


def world(*, absences: list[Absence] = (), leaving: dict[str, date] | None = None, team: str = "T1") -> World:
    practitioners = dict(PRACTITIONERS)
    for pid, when in (leaving or {}).items():
        old = practitioners[pid]
        practitioners[pid] = Practitioner(pid, old.name, old.team_id, leaving_on=when)
    if team != "T1":
        practitioners = {
            pid: Practitioner(pid, p.name, team, leaving_on=p.leaving_on) for pid, p in practitioners.items()
        }
    by_pid: dict[str, tuple[Absence, ...]] = {}
    for a in absences:
        by_pid[a.practitioner_id] = by_pid.get(a.practitioner_id, ()) + (a,)
    return World(practitioners=practitioners, teams=TEAMS, absences=by_pid)


def run(rule, c: Case, w: World = WORLD, as_of: date = AS_OF, policy: Policy = DEFAULT_POLICY) -> list[Warning]:
    return rule(RuleContext(c, w, as_of, policy))


def severity(rule, c: Case, w: World = WORLD, as_of: date = AS_OF, policy: Policy = DEFAULT_POLICY) -> str | None:
    """The one warning's severity, or None when the rule is quiet."""
    found = run(rule, c, w, as_of, policy)
    assert len(found) <= 1, found
    return found[0].severity if found else None


def only(rule, c: Case, w: World = WORLD, as_of: date = AS_OF, policy: Policy = DEFAULT_POLICY) -> Warning:
    found = run(rule, c, w, as_of, policy)
    assert len(found) == 1, found
    return found[0]


__all__ = [
    "AS_OF",
    "Allocation",
    "Appointment",
    "ChecklistItem",
    "Contact",
    "DEFAULT_POLICY",
    "Handover",
    "WORLD",
    "World",
    "absence",
    "ago",
    "ahead",
    "booked",
    "cancelled",
    "case",
    "checklist",
    "item",
    "missed",
    "only",
    "run",
    "seen",
    "severity",
    "world",
]
