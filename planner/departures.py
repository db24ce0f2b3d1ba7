"""Planning for a practitioner who leaves or goes away (docs/handovers.md).

A `leaving_on` date, or an absence of 28+ days (`policy.handover_unplanned`),
starting within the horizon (56 days) is a *departure*: every case the
practitioner holds that has no open handover needs one, planned early so it
can be done warm. `departure_plan` lists those cases, riskiest first, each
with a date and a suggested receiver:

1. dates, staggered (`planner.schedule.stagger`): at most
   `policy.handover.per_day` (2) a working day for the departing
   practitioner (counting the handovers they already have planned), on
   working days from as-of + `default_days_ahead` (14) to the day before
   they go, riskiest case first (risk score, then case ref); if the days run
   out, the earliest start is as-of + `short_notice_days` (7) and the items
   say which cases could not get 14 days' notice (`short_notice`), or could
   not be dated before the departure at all (`late`);
2. the receiver (docs/rebalancing.md): the cheapest by the disruption cost
   (`planner.rebalance.disruption_cost`) among the team's practitioners who
   may take the case (`planner.exclusions`: not a team lead, not away 10+
   working days in the next 28, not leaving in the next 56 days, not away
   on the handover date, not barred by grade or the person's `not_with`)
   and who stay at or under the target capacity (110 %) after the move,
   counting their cases, the handovers already planned to and from them,
   and the suggestions made earlier in the same plan. Ties: the lower
   capacity after the move, then the id. Nobody over the target is ever
   suggested: when no one has room, the case has no suggestion and the lead
   chooses.

The reason is said in words ("N1-04 held the case until Mar 2025; 84 %
after the move"). The lead edits receivers and dates before anything is
planned (the departures screen, `caseload handover departures`).

Short absences (under 28 days) need cover, not a handover: `cover_suggestions`
names a cover per case, preferring someone the person knows.

Everything here is pure: plain dataclasses in, plain results out.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
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
    "busiest_day",
    "cover_suggestions",
    "departure_events",
    "departure_plan",
    "knows_person",
    "planned_per_day",
    "team_loads",
    "with_choice",
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
        if self.ends_on is None:  # open-ended (docs/words.md)
            return f"{self.practitioner_id} is away from {_fmt(self.starts_on)} with no end date"
        days = (self.ends_on - self.starts_on).days + 1
        return f"{self.practitioner_id} is away {_fmt(self.starts_on)} to {_fmt(self.ends_on)} ({days} days)"


@dataclass(frozen=True, slots=True)
class Candidate:
    """One possible receiver (or cover) for one case, as ranked."""

    practitioner_id: str
    capacity_pct_after: float
    knows: bool
    over_target: bool
    reason: str
    cost: float = 0.0  # docs/rebalancing.md disruption cost of the move to them


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
    score: int = 0  # the case's risk score (riskiest cases are dated first)
    cost: float | None = None  # disruption cost of the move to the suggested receiver
    short_notice: bool = False  # dated less than default_days_ahead (14) days ahead
    late: bool = False  # no working day was left before the departure
    notice_days: int = 0  # calendar days from as-of to the handover date

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
        # open-ended (last is date.max): counted as 28+ days (docs/words.md)
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


# ---------------------------------------------------------------- the plan


def _departure_start(practitioner_id: str, cases: Iterable[Case], world: World, as_of: date, policy: Policy,
                     wanted: Callable[[DepartureEvent], bool],
                     ) -> tuple[DepartureEvent, Practitioner, list[Case], dict[str, TeamLoad]] | None:
    """What a departure plan and a cover list start from: the practitioner's
    first `wanted` departure within the horizon (None when none is coming),
    the practitioner, the open cases, and the team's loads on them."""
    event = next((e for e in departure_events(practitioner_id, world, as_of, policy) if wanted(e)), None)
    if event is None:
        return None
    person = world.practitioners[practitioner_id]
    cases = [c for c in cases if c.status != "closed"]
    return event, person, cases, team_loads(cases, world, policy, person.team_id)


def _order_for_planning(case: Case, policy: Policy) -> tuple:
    # Cases with fewer possible covers first (tier A/B: no PSOs), then the
    # heaviest, so the big ones find room before the small ones fill it.
    restricted = bool(case.tier) and case.tier[0].upper() in "AB"
    return (not restricted, -case_points(case, policy), case.case_ref)


def _known_words(case: Case, pid: str, as_of: date, policy: Policy) -> str:
    return knows_person(case, pid, as_of, policy) or f"{pid} has not met the person"


def departure_plan(
    practitioner_id: str,
    cases: Iterable[Case],
    world: World,
    as_of: date,
    policy: Policy = DEFAULT_POLICY,
    *,
    max_candidates: int = 3,
    scores: dict[str, int] | None = None,
) -> list[DepartureItem]:
    """The planning list for the practitioner's first departure (leaving, or a
    28+ day absence) within the horizon: every case they hold with no open
    handover, dated and with a suggested receiver (see the module
    docstring), in date order (riskiest first on each day).

    `cases` should be every open case of the team (loads are computed from
    them; the practitioner's own are picked out by their open allocation).
    `scores`: case ref -> risk score (worked out here when not given).
    Empty when no such departure is coming."""
    start = _departure_start(practitioner_id, cases, world, as_of, policy, lambda e: e.needs_handover)
    if start is None:
        return []
    event, leaver, cases, loads = start
    mine = [c for c in cases if c.practitioner_id == practitioner_id and c.open_handover is None]
    if not mine:
        return []
    scores = _riskiest_first(mine, world, as_of, policy, scores)
    schedule = _dates(practitioner_id, mine, cases, world, as_of, event, policy)

    pool = _receivers(leaver, world, as_of, policy)
    items: list[DepartureItem] = []
    for case in mine:
        planned_on = schedule.dates[case.case_ref]
        points = case_points(case, policy)
        candidates = _candidates(case, pool, loads, world, as_of, planned_on, points, policy)
        notice = (planned_on - as_of).days
        short = case.case_ref in schedule.short_notice
        late = case.case_ref in schedule.late
        common = dict(
            case_ref=case.case_ref, from_practitioner_id=practitioner_id, planned_on=planned_on, event=event,
            points=points, tier=case.tier, score=scores.get(case.case_ref, 0),
            notes=_notes(case, practitioner_id, event, notice, short=short, late=late, policy=policy),
            short_notice=short, late=late, notice_days=notice,
        )
        items.append(_item(candidates, loads, common, max_candidates, policy))
    items.sort(key=lambda item: (item.planned_on, -item.score, item.case_ref))
    return items


def _item(candidates: list[Candidate], loads: dict[str, TeamLoad], common: dict, max_candidates: int,
          policy: Policy) -> DepartureItem:
    """One row of the plan: the cheapest candidate suggested (their load counts
    the case from now on), or none, and the lead chooses."""
    if candidates:
        best = candidates[0]
        if best.practitioner_id in loads:
            loads[best.practitioner_id].points += common["points"]
        return DepartureItem(
            to_practitioner_id=best.practitioner_id, reason=best.reason, knows=best.knows,
            over_target=False, capacity_pct_after=best.capacity_pct_after,
            candidates=tuple(candidates[:max_candidates]), cost=best.cost, **common,
        )
    return DepartureItem(
        to_practitioner_id=None,
        reason=(f"no one in the team is free on {_fmt(common['planned_on'])} with room under the "
                f"{policy.workload.target_pct:.0f}% target; choose a receiver by hand"),
        **common,
    )


def _riskiest_first(mine: list[Case], world: World, as_of: date, policy: Policy,
                    scores: dict[str, int] | None) -> dict[str, int]:
    """Sort `mine` riskiest first (then by case ref); the scores used (worked out when not given)."""
    if scores is None:
        from planner.risk import evaluate

        scores = {r.case_ref: r.score for r in evaluate(mine, world, as_of, policy)}
    mine.sort(key=lambda c: (-scores.get(c.case_ref, 0), c.case_ref))
    return scores


def _receivers(leaver: Practitioner, world: World, as_of: date, policy: Policy) -> list[Practitioner]:
    """The leaver's teammates who may receive cases at all (planner/exclusions.py), by id."""
    from planner.exclusions import receiver_exclusion

    return sorted(
        (p for p in world.practitioners.values()
         if p.team_id == leaver.team_id and p.practitioner_id != leaver.practitioner_id
         and receiver_exclusion(p, world, as_of, policy) is None),
        key=lambda p: p.practitioner_id,
    )


def _dates(practitioner_id: str, mine: list[Case], cases: list[Case], world: World, as_of: date,
           event: DepartureEvent, policy: Policy):
    """The staggered handover dates of the leaver's cases, riskiest first
    (planner/schedule.py; docs/handovers.md, "Departures")."""
    from planner.schedule import stagger

    calendar = working_days(world.nation_of(practitioner_id))
    timing = policy.handover
    first = as_of + timedelta(days=timing.default_days_ahead)
    last = calendar.add(event.starts_on, -1)  # the working day before they go
    busy = {(practitioner_id, day): n for day, n in planned_per_day(practitioner_id, cases).items()}
    own_absences = world.absences_of(practitioner_id)
    return stagger(
        [(c.case_ref, practitioner_id) for c in mine],
        first=first, last=last, calendar_for=lambda _pid: calendar, per_day=timing.per_day, busy=busy,
        short_start=as_of + timedelta(days=timing.short_notice_days),
        blocked=lambda _ref, day: day <= last and any(a.covers(day) for a in own_absences),
    )


def _candidates(case: Case, pool: list[Practitioner], loads: dict[str, TeamLoad], world: World, as_of: date,
                planned_on: date, points: float, policy: Policy) -> list[Candidate]:
    """The receivers who may take `case` on `planned_on` and stay under the target
    after it, cheapest move first (then the lower load, then the id)."""
    from planner.exclusions import away_on, pair_exclusion
    from planner.rebalance import case_facts, disruption_cost

    facts = case_facts(case, as_of, policy)
    target = policy.workload.target_pct
    ranked: list[tuple[tuple, Candidate]] = []
    for receiver in pool:
        pid = receiver.practitioner_id
        if pair_exclusion(case, receiver) or away_on(receiver, world, planned_on):
            continue
        load = loads.get(pid) or TeamLoad(pid, policy.workload.available_points(
            receiver.contracted_hours, receiver.reduction_pct))
        after = load.pct(points)
        if after > target + 1e-9:
            continue  # never someone over the target
        cost = disruption_cost(case, pid, as_of, policy, facts).cost
        known = knows_person(case, pid, as_of, policy)
        reason = f"{_known_words(case, pid, as_of, policy)}; {_pct(after)} after the move"
        ranked.append(((cost, after, pid), Candidate(pid, after, known is not None, False, reason, cost)))
    ranked.sort(key=lambda row: row[0])
    return [c for _, c in ranked]


def _notes(case: Case, practitioner_id: str, event: DepartureEvent, notice: int, *, short: bool, late: bool,
           policy: Policy) -> tuple[str, ...]:
    """What the lead should know about one row: do_not_move, paused, short notice."""
    notes: list[str] = []
    if "do_not_move" in case.flags:
        notes.append("do_not_move: the case is flagged not to move; it must still be handed over")
    if case.status == "paused":
        notes.append(f"paused until {case.paused_until}")
    if late:
        notes.append(f"no working day left before {practitioner_id} goes on {_fmt(event.starts_on)}")
    elif short:
        notes.append(f"only {notice} days' notice (under {policy.handover.default_days_ahead})")
    return tuple(notes)


def planned_per_day(practitioner_id: str, cases: Iterable[Case]) -> dict[date, int]:
    """Handover date -> how many open handovers the practitioner gives that day."""
    out: dict[date, int] = {}
    for c in cases:
        h = c.open_handover
        if h is not None and h.from_practitioner_id == practitioner_id:
            out[h.planned_on] = out.get(h.planned_on, 0) + 1
    return out


def busiest_day(items: Iterable[DepartureItem], planned: Mapping[date, int]) -> tuple[date | None, int]:
    """The day of the departure's items (those with a receiver, as the lead left
    them) on which the departing practitioner would give the most handovers,
    counting the ones already planned that day (`planned`, from
    `planned_per_day`), and how many (docs/handovers.md: at most 2). The earliest such
    day; (None, 0) when no item has a receiver."""
    days: dict[date, int] = {}
    for item in items:
        if item.to_practitioner_id is not None:
            days[item.planned_on] = days.get(item.planned_on, 0) + 1
    if not days:
        return None, 0
    day = max(sorted(days), key=lambda d: days[d] + planned.get(d, 0))
    return day, days[day] + planned.get(day, 0)


def with_choice(item: DepartureItem, *, as_of: date, to_id: str | None = None,
                planned_on: date | None = None, policy: Policy = DEFAULT_POLICY) -> DepartureItem:
    """The item with the receiver or the date the lead chose: the reason says
    so (a suggested receiver keeps its reason), and the notice is worked out
    again for a new date. The planning guards still apply when it is planned."""
    from dataclasses import replace

    changes: dict = {}
    if to_id is not None and to_id != item.to_practitioner_id:
        known = {c.practitioner_id: c for c in item.candidates}
        chosen = known.get(to_id)
        changes.update(
            to_practitioner_id=to_id,
            reason=f"chosen by the lead; {chosen.reason}" if chosen else f"chosen by the lead ({to_id})",
            cost=chosen.cost if chosen else None,
            knows=chosen.knows if chosen else False,
            capacity_pct_after=chosen.capacity_pct_after if chosen else None,
        )
    if planned_on is not None and planned_on != item.planned_on:
        notice = (planned_on - as_of).days
        short = notice < policy.handover.default_days_ahead
        notes = tuple(n for n in item.notes if not n.startswith(("only ", "no working day left")))
        if short:
            notes += (f"only {notice} days' notice (under {policy.handover.default_days_ahead})",)
        changes.update(planned_on=planned_on, notice_days=notice, short_notice=short, late=False, notes=notes)
    return replace(item, **changes) if changes else item


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
    start = _departure_start(practitioner_id, cases, world, as_of, policy, lambda e: e.kind == "short_absence")
    if start is None:
        return []
    event, person, cases, loads = start
    absence = Absence(practitioner_id, event.starts_on, event.ends_on or event.starts_on,
                      cover_practitioner_id=event.cover_practitioner_id)
    out: list[CoverSuggestion] = []
    mine = sorted((c for c in cases if c.practitioner_id == practitioner_id),
                  key=lambda c: _order_for_planning(c, policy))
    for case in mine:
        points = case_points(case, policy)
        candidates = _covers(case, person, absence, loads, world, as_of, points, policy)
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


def _covers(case: Case, person: Practitioner, absence: Absence, loads: dict[str, TeamLoad], world: World,
            as_of: date, points: float, policy: Policy) -> list[Candidate]:
    """Who may cover `case` while `person` is away (see `cover_suggestions`), best first."""
    from planner.exclusions import pair_exclusion

    target = policy.workload.target_pct
    ranked: list[tuple[tuple, Candidate]] = []
    for p in world.practitioners.values():
        pid = p.practitioner_id
        if p.team_id != person.team_id or pid == person.practitioner_id or p.is_lead:
            continue
        if p.leaving_on is not None and p.leaving_on <= absence.end_date:
            continue
        if any(a.start_date <= absence.end_date and a.last_day >= absence.start_date
               for a in world.absences_of(pid)):
            continue
        if pair_exclusion(case, p) is not None:
            continue
        load = loads.get(pid)
        after = load.pct(points) if load else 0.0
        known = knows_person(case, pid, as_of, policy)
        reason = (f"{known}; {_pct(after)} with the cover" if known
                  else f"{pid}: {_pct(after)} with the cover")
        ranked.append(((known is None, after > target, after, pid),
                       Candidate(pid, after, known is not None, after > target, reason)))
    ranked.sort(key=lambda row: row[0])
    return [c for _, c in ranked]
