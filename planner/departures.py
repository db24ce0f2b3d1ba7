"""Planning for a practitioner who leaves or goes away (issue 5, SPEC §3-§5).

A `leaving_on` date, or an absence of 28+ days (`policy.handover_unplanned`),
starting within the horizon (56 days) is a *departure*: every case the
practitioner holds that has no open handover needs one, planned early so it
can be done warm. `departure_plan` lists those cases, each with a suggested
receiver who keeps continuity:

1. eligible (SPEC §5 exclusions): same team, not the leaver, not a team lead,
   not absent for 10+ working days in the next 28 days, not leaving within 56
   days, not away on the handover date, and no PSO for a tier A or B case;
2. within capacity: the receiver's points after the move (their held cases,
   plus cases already planned to come to them, less cases already planned to
   leave them, plus the cases suggested earlier in the same plan) stay at or
   under the target (100 %). When no eligible receiver is within target, the
   least loaded eligible one is suggested and `over_target` says so;
3. preferred: someone who held the case before or had a meaningful contact
   with the person in the last 730 days (`policy.disruption.known_contact_days`);
4. tie-break: lowest capacity % after the move, then practitioner id.

The reason is said in words ("N1-04 held the case until Mar 2025; 84 % after
the move"). The handover date is the earlier of one working day before the
departure and as-of + `policy.handover.default_days_ahead`, never before as-of.

Short absences (under 28 days) need cover, not a handover: `cover_suggestions`
names a cover per case, preferring someone the person knows.

Everything here is pure: plain dataclasses in, plain results out.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

from planner.calendar import working_days
from planner.model import Absence, Case, Practitioner, World
from planner.policy import DEFAULT_POLICY, Policy

__all__ = [
    "Candidate",
    "CoverSuggestion",
    "DepartureEvent",
    "DepartureItem",
    "TeamLoad",
    "cover_suggestions",
    "departure_events",
    "departure_plan",
    "knows_person",
    "receiver_exclusion",
    "suggested_date",
    "team_loads",
]


# ---------------------------------------------------------------- results


@dataclass(frozen=True, slots=True)
class DepartureEvent:
    """Why a practitioner's cases need planning: leaving, or a long or short absence."""

    practitioner_id: str
    kind: str  # "leaving" | "absence" (28+ days) | "short_absence"
    starts_on: date  # leaving_on, or the absence's first day
    ends_on: date | None = None  # the absence's last day
    cover_practitioner_id: str | None = None  # a short absence's named cover

    @property
    def needs_handover(self) -> bool:
        return self.kind in ("leaving", "absence")

    def describe(self) -> str:
        if self.kind == "leaving":
            return f"{self.practitioner_id} leaves on {_fmt(self.starts_on)}"
        days = (self.ends_on - self.starts_on).days + 1 if self.ends_on else 0
        return (
            f"{self.practitioner_id} is away {_fmt(self.starts_on)} to "
            f"{_fmt(self.ends_on) if self.ends_on else '?'} ({days} days)"
        )


@dataclass(frozen=True, slots=True)
class Candidate:
    """One possible receiver (or cover) for one case, as ranked."""

    practitioner_id: str
    capacity_pct_after: float
    knows: bool
    over_target: bool
    reason: str


@dataclass(frozen=True, slots=True)
class DepartureItem:
    """One case of the departure plan. `to_practitioner_id` is None when no one
    in the team is eligible (the lead must decide by hand)."""

    case_ref: str
    from_practitioner_id: str
    to_practitioner_id: str | None
    planned_on: date
    reason: str
    event: DepartureEvent
    points: float
    tier: str | None = None
    knows: bool = False
    over_target: bool = False
    capacity_pct_after: float | None = None
    candidates: tuple[Candidate, ...] = ()  # ranked, the suggestion first
    notes: tuple[str, ...] = ()  # e.g. "do_not_move: ..." for the lead's attention

    @property
    def handover_reason(self) -> str:
        """The reason stored on the planned handover (no personal data)."""
        if self.event.kind == "leaving":
            return "practitioner leaving"
        return "practitioner on long absence"


@dataclass(frozen=True, slots=True)
class CoverSuggestion:
    """A named cover for one case during a short absence."""

    case_ref: str
    practitioner_id: str
    absence: Absence
    cover_id: str | None
    reason: str
    knows: bool = False
    candidates: tuple[Candidate, ...] = ()


@dataclass(slots=True)
class TeamLoad:
    """A practitioner's projected workload (mutable while a plan is built)."""

    practitioner_id: str
    available: float
    points: float = 0.0

    def pct(self, extra: float = 0.0) -> float:
        if self.available <= 0:
            return float("inf") if (self.points + extra) > 0 else 0.0
        return (self.points + extra) / self.available * 100


# ---------------------------------------------------------------- helpers


def _fmt(day: date) -> str:
    return f"{day.day} {day:%b %Y}"


def _month(day: date) -> str:
    return f"{day:%b %Y}"


def _pct(value: float) -> str:
    return "no capacity" if value == float("inf") else f"{value:.0f}%"


def case_points(case: Case, policy: Policy) -> float:
    return policy.workload.case_points(case.tier, case.contact_level)


def team_loads(cases: Iterable[Case], world: World, policy: Policy = DEFAULT_POLICY,
               team_id: str | None = None) -> dict[str, TeamLoad]:
    """Projected points per practitioner (of `team_id`, or all): cases they hold
    (closed ones excluded), plus cases under an open handover to them, less cases
    under an open handover away from them."""
    loads = {
        pid: TeamLoad(pid, policy.workload.available_points(p.contracted_hours, p.reduction_pct))
        for pid, p in world.practitioners.items()
        if team_id is None or p.team_id == team_id
    }
    for case in cases:
        if case.status == "closed":
            continue
        points = case_points(case, policy)
        holder = case.practitioner_id
        handover = case.open_handover
        owner = handover.to_practitioner_id if handover is not None else holder
        if owner in loads:
            loads[owner].points += points
    return loads


def knows_person(case: Case, practitioner_id: str, as_of: date,
                 policy: Policy = DEFAULT_POLICY) -> str | None:
    """Why `practitioner_id` knows the person, in words, or None.

    Held the case before (a closed allocation) comes first; otherwise a
    meaningful contact in the last `policy.disruption.known_contact_days` days."""
    held = [a for a in case.allocations
            if a.practitioner_id == practitioner_id and a.end_date is not None]
    if held:
        last = max(a.end_date for a in held)
        return f"{practitioner_id} held the case until {_month(last)}"
    since = as_of - timedelta(days=policy.disruption.known_contact_days)
    seen = [c.contact_date for c in case.contacts
            if c.practitioner_id == practitioner_id and c.meaningful
            and since <= c.contact_date <= as_of]
    if seen:
        return f"{practitioner_id} saw the person on {_fmt(max(seen))}"
    return None


def _absent_on(world: World, practitioner_id: str, day: date) -> bool:
    return any(a.covers(day) for a in world.absences_of(practitioner_id))


def receiver_exclusion(
    receiver: Practitioner,
    world: World,
    as_of: date,
    policy: Policy = DEFAULT_POLICY,
    *,
    case: Case | None = None,
    on: date | None = None,
) -> str | None:
    """Why `receiver` may not take a case (SPEC §5 exclusions), or None.

    Team leads; anyone absent for `exclusions.absence_working_days`+ working
    days in the next `absence_window_days`; anyone whose `leaving_on` is within
    `leaving_within_days`; a PSO for a tier A or B case; anyone away on `on`."""
    pid = receiver.practitioner_id
    excl = policy.exclusions
    if receiver.is_lead:
        return f"{pid} is a team lead"
    if receiver.leaving_on is not None and (receiver.leaving_on - as_of).days <= excl.leaving_within_days:
        return f"{pid} leaves on {_fmt(receiver.leaving_on)}"
    window_end = as_of + timedelta(days=excl.absence_window_days)
    calendar = working_days(world.nation_of(pid))
    away: set[date] = set()
    for absence in world.absences_of(pid):
        first, last = max(absence.start_date, as_of), min(absence.last_day, window_end)
        if first <= last:
            away.update(calendar.dates_in(first, last))
    if len(away) >= excl.absence_working_days:
        return f"{pid} is away {len(away)} working days in the next {excl.absence_window_days} days"
    if case is not None and receiver.grade == "PSO" and case.tier and case.tier[0].upper() in "AB":
        return f"{pid} is a PSO and the case is tier {case.tier}"
    if on is not None and _absent_on(world, pid, on):
        return f"{pid} is away on {_fmt(on)}"
    return None


def departure_events(practitioner_id: str, world: World, as_of: date,
                     policy: Policy = DEFAULT_POLICY) -> list[DepartureEvent]:
    """The practitioner's departures under way or starting within the horizon
    (`handover_unplanned.horizon_days`), soonest first: leaving, long absences
    (joined-up blocks of 28+ days) and short absences."""
    practitioner = world.practitioners.get(practitioner_id)
    if practitioner is None:
        return []
    horizon_end = as_of + timedelta(days=policy.handover_unplanned.horizon_days)
    events: list[DepartureEvent] = []
    if practitioner.leaving_on is not None and as_of <= practitioner.leaving_on <= horizon_end:
        events.append(DepartureEvent(practitioner_id, "leaving", practitioner.leaving_on))
    for first, last, cover in _blocks(world.absences_of(practitioner_id)):
        if last < as_of or first > horizon_end:
            continue  # over, or beyond the horizon (an absence under way counts)
        if practitioner.leaving_on is not None and first >= practitioner.leaving_on:
            continue  # they will have left by then
        # open-ended (last is date.max): counted as 28+ days (SPEC §2)
        long = last == date.max or (last - first).days + 1 >= policy.handover_unplanned.long_absence_days
        events.append(DepartureEvent(practitioner_id, "absence" if long else "short_absence",
                                     first, None if last == date.max else last, None if long else cover))
    events.sort(key=lambda e: (e.starts_on, e.kind))
    return events


def _blocks(absences: Iterable[Absence]) -> list[tuple[date, date, str | None]]:
    """Back-to-back or overlapping absences joined: (first, last, the first cover named);
    an open-ended one runs to `date.max`."""
    blocks: list[list] = []
    for absence in sorted(absences, key=lambda a: a.start_date):
        if blocks and (blocks[-1][1] == date.max or absence.start_date <= blocks[-1][1] + timedelta(days=1)):
            blocks[-1][1] = max(blocks[-1][1], absence.last_day)
            blocks[-1][2] = blocks[-1][2] or absence.cover_practitioner_id
        else:
            blocks.append([absence.start_date, absence.last_day, absence.cover_practitioner_id])
    return [(a, b, c) for a, b, c in blocks]


def suggested_date(event: DepartureEvent, world: World, as_of: date,
                   policy: Policy = DEFAULT_POLICY) -> date:
    """The earlier of one working day before the departure and as-of +
    `policy.handover.default_days_ahead`; never before as-of."""
    calendar = working_days(world.nation_of(event.practitioner_id))
    before = calendar.add(event.starts_on, -1)
    return max(as_of, min(before, as_of + timedelta(days=policy.handover.default_days_ahead)))


# ---------------------------------------------------------------- ranking


def _rank(
    case: Case,
    pool: list[Practitioner],
    loads: dict[str, TeamLoad],
    world: World,
    as_of: date,
    policy: Policy,
    on: date,
    points: float,
) -> list[Candidate]:
    """Eligible receivers for `case`, best first (see the module docstring)."""
    target = policy.workload.target_pct
    rows: list[tuple[tuple, str, float, str | None]] = []
    for receiver in pool:
        pid = receiver.practitioner_id
        if receiver_exclusion(receiver, world, as_of, policy, case=case, on=on):
            continue
        load = loads.get(pid) or TeamLoad(pid, policy.workload.available_points(
            receiver.contracted_hours, receiver.reduction_pct))
        after = load.pct(points)
        known = knows_person(case, pid, as_of, policy)
        # Within target: someone who knows the person first, then the lowest
        # load. Over target (no one has room): the least overloaded first.
        key = (True, after, known is None, pid) if after > target else (False, known is None, after, pid)
        rows.append((key, pid, after, known))
    rows.sort(key=lambda row: row[0])
    lowest = min((after for _, _, after, _ in rows), default=None)
    out: list[Candidate] = []
    for _, pid, after, known in rows:
        over = after > target
        where = f"{_pct(after)} after the move" + (f", over the {target:.0f}% target" if over else "")
        if known:
            reason = f"{known}; {where}"
        elif after == lowest:
            reason = f"lowest load in the team ({pid}, {where})"
        else:
            reason = f"{pid} has room ({where})"
        out.append(Candidate(pid, after, known is not None, over, reason))
    return out


def _order_for_planning(case: Case, policy: Policy) -> tuple:
    # Cases with fewer possible receivers first (tier A/B: no PSOs), then the
    # heaviest, so the big ones find room before the small ones fill it.
    restricted = bool(case.tier) and case.tier[0].upper() in "AB"
    return (not restricted, -case_points(case, policy), case.case_ref)


def departure_plan(
    practitioner_id: str,
    cases: Iterable[Case],
    world: World,
    as_of: date,
    policy: Policy = DEFAULT_POLICY,
    *,
    max_candidates: int = 3,
) -> list[DepartureItem]:
    """The planning list for the practitioner's first departure (leaving, or a
    28+ day absence) within the horizon: every case they hold with no open
    handover, with a suggested receiver, ordered by case ref.

    `cases` should be every open case of the team (loads are computed from
    them; the practitioner's own are picked out by their open allocation).
    Empty when no such departure is coming."""
    events = [e for e in departure_events(practitioner_id, world, as_of, policy) if e.needs_handover]
    if not events:
        return []
    event = events[0]
    leaver = world.practitioners[practitioner_id]
    cases = [c for c in cases if c.status != "closed"]
    loads = team_loads(cases, world, policy, leaver.team_id)
    pool = sorted(
        (p for p in world.practitioners.values()
         if p.team_id == leaver.team_id and p.practitioner_id != practitioner_id),
        key=lambda p: p.practitioner_id,
    )
    planned_on = suggested_date(event, world, as_of, policy)
    mine = [c for c in cases if c.practitioner_id == practitioner_id and c.open_handover is None]
    items: list[DepartureItem] = []
    for case in sorted(mine, key=lambda c: _order_for_planning(c, policy)):
        points = case_points(case, policy)
        candidates = _rank(case, pool, loads, world, as_of, policy, planned_on, points)
        notes: list[str] = []
        if "do_not_move" in case.flags:
            notes.append("do_not_move: the case is flagged not to move; it must still be handed over")
        if case.status == "paused":
            notes.append(f"paused until {case.paused_until}")
        if candidates:
            best = candidates[0]
            if best.practitioner_id in loads:
                loads[best.practitioner_id].points += points
            items.append(DepartureItem(
                case_ref=case.case_ref,
                from_practitioner_id=practitioner_id,
                to_practitioner_id=best.practitioner_id,
                planned_on=planned_on,
                reason=best.reason,
                event=event,
                points=points,
                tier=case.tier,
                knows=best.knows,
                over_target=best.over_target,
                capacity_pct_after=best.capacity_pct_after,
                candidates=tuple(candidates[:max_candidates]),
                notes=tuple(notes),
            ))
        else:
            items.append(DepartureItem(
                case_ref=case.case_ref,
                from_practitioner_id=practitioner_id,
                to_practitioner_id=None,
                planned_on=planned_on,
                reason="no eligible receiver in the team; plan this one by hand",
                event=event,
                points=points,
                tier=case.tier,
                notes=tuple(notes),
            ))
    items.sort(key=lambda item: item.case_ref)
    return items


def cover_suggestions(
    practitioner_id: str,
    cases: Iterable[Case],
    world: World,
    as_of: date,
    policy: Policy = DEFAULT_POLICY,
    *,
    max_candidates: int = 3,
) -> list[CoverSuggestion]:
    """Named cover for each of the practitioner's open cases during their next
    short absence (under 28 days) starting within the horizon.

    A cover must be in the same team, not the absent practitioner, not a team
    lead, not leaving, not away during the absence, and (PSOs) not for tier A/B.
    Someone who knows the person comes first, then the lowest load, counting
    the covers already suggested (each adds the case's points for ranking)."""
    events = [e for e in departure_events(practitioner_id, world, as_of, policy)
              if e.kind == "short_absence"]
    if not events:
        return []
    event = events[0]
    absence = Absence(practitioner_id, event.starts_on, event.ends_on or event.starts_on,
                      cover_practitioner_id=event.cover_practitioner_id)
    person = world.practitioners[practitioner_id]
    cases = [c for c in cases if c.status != "closed"]
    loads = team_loads(cases, world, policy, person.team_id)
    target = policy.workload.target_pct
    out: list[CoverSuggestion] = []
    mine = sorted((c for c in cases if c.practitioner_id == practitioner_id),
                  key=lambda c: _order_for_planning(c, policy))
    for case in mine:
        points = case_points(case, policy)
        ranked: list[tuple[tuple, Candidate]] = []
        for p in world.practitioners.values():
            pid = p.practitioner_id
            if p.team_id != person.team_id or pid == practitioner_id or p.is_lead:
                continue
            if p.leaving_on is not None and p.leaving_on <= absence.end_date:
                continue
            if any(a.start_date <= absence.end_date and a.last_day >= absence.start_date
                   for a in world.absences_of(pid)):
                continue
            if p.grade == "PSO" and case.tier and case.tier[0].upper() in "AB":
                continue
            load = loads.get(pid)
            after = load.pct(points) if load else 0.0
            known = knows_person(case, pid, as_of, policy)
            reason = (f"{known}; {_pct(after)} with the cover" if known
                      else f"{pid}: {_pct(after)} with the cover")
            ranked.append(((known is None, after > target, after, pid),
                           Candidate(pid, after, known is not None, after > target, reason)))
        ranked.sort(key=lambda row: row[0])
        candidates = [c for _, c in ranked]
        if candidates:
            best = candidates[0]
            loads[best.practitioner_id].points += points
            out.append(CoverSuggestion(case.case_ref, practitioner_id, absence, best.practitioner_id,
                                       best.reason, best.knows, tuple(candidates[:max_candidates])))
        else:
            out.append(CoverSuggestion(case.case_ref, practitioner_id, absence, None,
                                       "no one in the team is free to cover"))
    out.sort(key=lambda s: s.case_ref)
    return out
