"""Continuity-preserving rebalancing of one team's caseloads (SPEC §5).

The problem
-----------
Cases c of the team, each held by h(c) with points p(c); practitioners q with
target points T(q) = target % x available points(q). Choose, for every case,
who holds it after the rebalance, so that every practitioner is at most at
T(q), moving the cases whose people lose least, where moving c to q costs

    w    = whole weeks since the current allocation started, capped at 52,
           or 0 if the current practitioner has had no meaningful contact yet
    e    = 26 if the current relationship is under 84 days old and has
           started (a meaningful contact with the current practitioner),
           else 0: a new relationship is the most fragile (SPEC §3's early
           window), and without e the cheapest moves were the newest ones
    m1   = 2 if youth or flagged safeguarding, care_experienced or opd, else 1
    m2   = 0.5 if q held the case before, or had a meaningful contact with
           the person in the last 730 days, else 1
    k    = allocations of the case, other than its first, that started in
           the last 365 days
    cost = (10 + w + e) * m1 * m2 + 20 * k   (0 to a planned receiver)

Eligibility (a pair (c, q) that is not allowed has no variable at all; the
reasons are `planner.exclusions`', and `RebalanceProblem.exclusions` lists
them for the JSON):

- a case flagged `do_not_move`, whose order ends in the next 84 days, or
  restricted; a case the lead asked to leave alone, and every case of a
  practitioner the lead asked to leave alone, stays put;
- a case already under an open handover may go to its planned receiver (cost
  0) or stay; moving it elsewhere would mean cancelling a handover that is
  already under way, which a rebalance must not do silently;
- receivers: never a team lead, nor anyone absent 10+ working days in the
  next 28 days, nor anyone whose leaving date falls in the next 56 days (or
  has passed), nor a practitioner the lead asked to leave alone;
- a PSO may not receive a tier A or B case, nor anyone the person's
  `not_with` list names.

The MILP (HiGHS through highspy)
--------------------------------
    x[c,q] in {0,1}   for q = h(c) and every allowed receiver q of c
    o[q]   >= 0       points above target (overload)

    sum_q x[c,q] = 1                                         every movable case
    sum_c p(c) x[c,q] - o[q] <= T(q) - fixed(q)              every practitioner
    sum_{c, q != h(c)} x[c,q] <= max_moves                   (optional)

Lexicographic objective, solved in two phases (not a weighted sum, so no
big-M weight has to be proven dominant for fractional points):

    phase 1: minimise sum_q o[q]                  (skipped when no one is over)
    phase 2: minimise sum cost(c,q) x[c,q]  with  sum_q o[q] <= phase-1 value + eps
             (o[q] fixed at 0 when phase 1 reached 0)

eps = 1e-6 x max(1, phase-1 value): far below one point, so the cost phase
cannot trade overload for cost. The phase-1 value used is the overload of
the phase-1 plan itself, so the bound is valid even when phase 1 was cut
short by the time limit.

Helping HiGHS (none of this changes the optimum):
- the overload floor (`overload_floor`): overload = C + headroom left
  unused, with C fixed by the team, so no plan has less overload than C plus
  the headroom of those who can receive nothing. When the target is out of
  reach a start usually meets it, and the overload phase is then proven
  optimal with no search at all (it used to be the phase that ran out of
  time: HiGHS's bound is weak there and exact "fill to the last point"
  plans are hard for its heuristics);
- starts: the best of "everyone keeps their cases", the greedy baseline, a
  subset-sum fill of the practitioners under target (`fill_assignment`), a
  least-cost cover of every receiver's headroom (`cover_assignment`, which
  meets the floor) and a least-cost cover of every giver's excess
  (`shed_assignment`); when the start already meets the floor, phase 1 is
  skipped; moves that do not lower the overload are undone before phase 2
  (`_drop_idle_moves`);
- with whole points (the default), valid inequalities: the mixed-integer
  rounding cut o[q] >= (1 - f) (load[q] - floor(T(q))) where f is T(q)'s
  fraction (a whole-point load over a fractional target is over by at least
  1 - f), and, in phase 2, giver and receiver cuts (`_cost_cuts`): a
  practitioner over target must shed, and one with headroom must take in, a
  number of whole points that the phase-1 value implies, which costs at
  least a min-cost knapsack cover solved by dynamic programming;
- the cost phase (`_cost_phase`) starts from its LP relaxation (value z,
  reduced costs r): every plan costs at least z + r_j for each column j it
  uses, so a plan better than the incumbent uses no column with r above
  the incumbent's cost less z (less the grid step of the costs, 0.5 by
  default), and those columns are fixed at 0 (reduced-cost fixing); the
  plan HiGHS finds on the rest, and its bound, hold for the whole phase;
- when everyone must come under the target, a search run first: HiGHS on
  the columns of least reduced cost (3 per case) for up to 40 % of the
  time, whose plan starts the exact run (on the benchmark's 25-practitioner
  teams it is the optimum in under a second, and the exact run then only
  has to prove it); a plan is also proven when that neighbourhood holds
  every column a better plan could use;
- HiGHS options that measured faster: one thread (also makes runs
  reproducible), and for the exact run with a reachable target presolve
  off and a smaller cut pool (`EXACT_OPTIONS`); with overload left, more
  heuristic effort (`COVER_OPTIONS`);
- a stopwatch (`_Stopwatch`, an interrupt callback) stops HiGHS just before
  a long root step it cannot interrupt when too little time is left for
  it, so the call keeps to its time limit on big teams; a wider search then
  uses what time is left.

Why HiGHS and not OR-Tools CP-SAT: on the benchmark's teams (of the time)
CP-SAT with two workers (the machine has two cores) improved neither the
start nor, at 50 practitioners, found any bound within 10 s, where HiGHS's
LP bound and LP-guided start do both (bench/bench_rebalance.py).

Phase 1 gets at most 60 % of the time limit; phase 2 the rest (at least 5 %),
less a margin (10 %, at most 1 s) so the whole call stays within the limit.
The report gives the status ("optimal" only when both phases proved
optimality, else HiGHS's word for the phase that stopped first:
"time_limit", ...), the relative MIP gap (0.01 = 1 %): the larger of the two
phases' gaps, the cost phase's being (plan cost - best bound) / plan cost
with the best of HiGHS's bound and z, and the wall-clock seconds of both
(SolverReport also keeps each phase's gap).
"""

from __future__ import annotations

import math
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from typing import Any

from planner.errors import CaseloadError
from planner.exclusions import (
    PSO_BARRED_TIER_BANDS,  # noqa: F401 - re-exported
    Exclusions,
    absent_working_days,
    grade_bar,
    pair_exclusion,
)
from planner.exclusions import case_exclusion as _case_exclusion
from planner.exclusions import receiver_exclusion as _receiver_exclusion
from planner.model import Case, Practitioner, World
from planner.policy import DEFAULT_POLICY, Policy
from planner.rebalance_core import column_bounds, load_rows
from planner.rules import fmt_date
from planner.workload import available_points, case_points

SENSITIVE_FLAGS = frozenset({"safeguarding", "care_experienced", "opd"})
DEFAULT_TIME_LIMIT = 10.0
DEFAULT_MIP_GAP = 1e-6

_MONTHS = ("", "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def _month(day: date) -> str:
    return f"{_MONTHS[day.month]} {day.year}"


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


# --------------------------------------------------------------------------
# Input


@dataclass(frozen=True, slots=True)
class RebalanceInput:
    """Everything the rebalance looks at: the team's open cases (with their
    allocations, contacts and handovers) and the world (practitioners,
    absences). storage.team.rebalance_input builds it from the database."""

    team_id: str
    as_of: date
    cases: tuple[Case, ...]
    world: World
    policy: Policy = DEFAULT_POLICY

    @property
    def members(self) -> list[Practitioner]:
        return sorted(
            (p for p in self.world.practitioners.values() if p.team_id == self.team_id),
            key=lambda p: p.practitioner_id,
        )


# --------------------------------------------------------------------------
# Disruption cost (SPEC §5)


@dataclass(frozen=True, slots=True)
class DisruptionCost:
    """The cost of moving one case to one receiver, with the facts behind it."""

    cost: float
    holder_id: str
    receiver_id: str
    weeks_held: int  # whole weeks since the current allocation started (uncapped)
    w: int  # capped, or 0 when there was no meaningful contact yet
    no_contact_yet: bool
    m1: float
    m2: float
    k: int  # recent changes of practitioner
    sensitive: tuple[str, ...]  # why m1 > 1 ("youth", "safeguarding", ...)
    held_until: date | None  # the receiver held the case before, until this date
    last_seen: date | None  # the receiver's latest meaningful contact within the window
    planned: bool  # an open handover already goes to this receiver (cost 0)
    e: float = 0.0  # the early-relationship term
    case_ref: str = ""
    days_held: int = 0  # days since the current allocation started (uncapped)
    early_window_days: int = 84


@dataclass(frozen=True, slots=True)
class CaseFacts:
    """What the disruption cost of a case needs, worked out once per case (the
    per-receiver part is two dictionary look-ups)."""

    holder_id: str
    weeks_held: int
    w: int
    no_contact_yet: bool
    m1: float
    sensitive: tuple[str, ...]
    k: int
    held_until: dict[str, date]  # earlier holder -> end of their latest allocation
    last_seen: dict[str, date]  # practitioner -> latest meaningful contact in the window
    planned_to: str | None
    e: float = 0.0  # early-relationship term: the relationship is new and has started
    case_ref: str = ""
    days_held: int = 0
    early_window_days: int = 84


def case_facts(case: Case, as_of: date, policy: Policy = DEFAULT_POLICY) -> CaseFacts:
    d = policy.disruption
    current = case.current_allocation
    holder = current.practitioner_id if current else ""
    start = current.start_date if current else as_of
    days_held = max(0, (as_of - start).days)
    weeks_held = days_held // 7
    window_start = as_of - timedelta(days=d.known_contact_days)
    contacted = False
    last_seen: dict[str, date] = {}
    for c in case.contacts:
        if not c.meaningful or c.contact_date > as_of:
            continue
        if c.practitioner_id == holder and c.contact_date >= start:
            contacted = True
        if c.contact_date >= window_start:
            seen = last_seen.get(c.practitioner_id)
            if seen is None or c.contact_date > seen:
                last_seen[c.practitioner_id] = c.contact_date
    held_until: dict[str, date] = {}
    for alloc in case.allocations:
        if alloc is current or alloc.start_date > as_of:
            continue
        end = alloc.end_date or as_of
        if alloc.practitioner_id not in held_until or end > held_until[alloc.practitioner_id]:
            held_until[alloc.practitioner_id] = end
    sensitive = tuple((["youth"] if case.youth else []) + sorted(SENSITIVE_FLAGS & set(case.flags)))
    recent_start = as_of - timedelta(days=d.recent_change_days)
    k = sum(1 for alloc in case.allocations[1:] if recent_start <= alloc.start_date <= as_of)
    handover = case.open_handover
    early_days = policy.early_window.days
    return CaseFacts(
        holder_id=holder,
        weeks_held=weeks_held,
        w=min(weeks_held, d.max_weeks) if contacted else 0,
        no_contact_yet=not contacted,
        m1=d.sensitive_multiplier if sensitive else 1.0,
        sensitive=sensitive,
        k=k,
        held_until=held_until,
        last_seen=last_seen,
        planned_to=handover.to_practitioner_id if handover is not None else None,
        e=float(d.early_relationship) if contacted and current is not None and days_held < early_days else 0.0,
        case_ref=case.case_ref,
        days_held=days_held,
        early_window_days=early_days,
    )


def disruption_cost(
    case: Case,
    receiver_id: str,
    as_of: date,
    policy: Policy = DEFAULT_POLICY,
    facts: CaseFacts | None = None,
) -> DisruptionCost:
    """SPEC §5 disruption cost of moving `case` to `receiver_id` on `as_of`
    (pass `facts = case_facts(case, as_of, policy)` when costing many receivers)."""
    d = policy.disruption
    f = facts or case_facts(case, as_of, policy)
    held_until = f.held_until.get(receiver_id)
    last_seen = f.last_seen.get(receiver_id)
    m2 = d.known_receiver_multiplier if (held_until or last_seen) else 1.0
    planned = f.planned_to is not None and f.planned_to == receiver_id
    cost = 0.0 if planned else (d.base + f.w + f.e) * f.m1 * m2 + d.per_recent_change * f.k
    return DisruptionCost(
        cost=float(cost),
        holder_id=f.holder_id,
        receiver_id=receiver_id,
        weeks_held=f.weeks_held,
        w=f.w,
        no_contact_yet=f.no_contact_yet,
        m1=f.m1,
        m2=m2,
        k=f.k,
        sensitive=f.sensitive,
        held_until=held_until,
        last_seen=last_seen,
        planned=planned,
        e=f.e,
        case_ref=f.case_ref,
        days_held=f.days_held,
        early_window_days=f.early_window_days,
    )


def held_for(days: int) -> str:
    """How long, in the words a person would use: "5 weeks", "7 months", "2 years"."""
    if days < 7:
        return _plural(days, "day")
    if days < 8 * 7:
        return _plural(days // 7, "week")
    if days < 730:
        return _plural(max(2, round(days / 30.44)), "month")
    return _plural(days // 365, "year")


def move_reason(dc: DisruptionCost) -> str:
    """Why this move costs the person what it does, in words a person would
    accept (ids, dates and counts only): "NG1025 has been with N1-02 for 2
    years; N1-04 held it until 2025"."""
    if dc.planned:
        return f"a handover to {dc.receiver_id} is already planned"
    case = dc.case_ref or "the case"
    parts: list[str] = []
    if dc.no_contact_yet:
        parts.append(f"{case} has not met {dc.holder_id} yet, so a move now costs the person least")
    elif dc.e:
        week = dc.days_held // 7 + 1
        parts.append(f"{case} has been with {dc.holder_id} for {held_for(dc.days_held)}, a new relationship "
                     f"(week {week} of {dc.early_window_days // 7}) that moving would break")
    else:
        parts.append(f"{case} has been with {dc.holder_id} for {held_for(dc.days_held)}")
    if dc.held_until is not None:
        parts.append(f"{dc.receiver_id} held it until {_month(dc.held_until)}")
    elif dc.last_seen is not None:
        parts.append(f"{dc.receiver_id} saw the person on {fmt_date(dc.last_seen)}")
    else:
        parts.append(f"{dc.receiver_id} has not met the person")
    if dc.sensitive:
        parts.append("counts double (" + ", ".join(s.replace("_", " ") for s in dc.sensitive) + ")")
    if dc.k:
        parts.append(f"{_plural(dc.k, 'change')} of practitioner in the last year")
    return "; ".join(parts)


# --------------------------------------------------------------------------
# Exclusions


def case_exclusion(case: Case, keep_cases: Iterable[str] = (), as_of: date | None = None,
                   policy: Policy = DEFAULT_POLICY) -> str | None:
    """Why a case must stay where it is, or None if it may move
    (`planner.exclusions.case_exclusion`, and the lead's "leave it alone")."""
    if case.practitioner_id is None:
        return "no current practitioner"
    why = _case_exclusion(case, as_of or date.min, policy)
    if why is not None:
        return why
    if case.case_ref in set(keep_cases):
        return "left alone at the lead's request"
    return None


def receiver_exclusion(
    practitioner: Practitioner, world: World, as_of: date, policy: Policy = DEFAULT_POLICY
) -> str | None:
    """Why a practitioner may not receive cases, or None (`planner.exclusions`)."""
    return _receiver_exclusion(practitioner, world, as_of, policy)


# --------------------------------------------------------------------------
# The problem


@dataclass(frozen=True, slots=True)
class ProblemCase:
    case_ref: str
    holder: str
    points: float
    costs: dict[str, float]  # allowed receiver -> cost (empty: the case stays)
    fixed_reason: str | None  # why the case cannot move at all (None if it may)
    planned_to: str | None  # receiver of an open handover, if any
    facts: CaseFacts | None = None  # behind the costs (None for a case that stays)

    def reason(self, receiver_id: str) -> str:
        """Why moving the case to this receiver costs what it does, in words."""
        f = self.facts
        if f is None:
            return ""
        return move_reason(
            DisruptionCost(
                cost=self.costs.get(receiver_id, 0.0),
                holder_id=f.holder_id,
                receiver_id=receiver_id,
                weeks_held=f.weeks_held,
                w=f.w,
                no_contact_yet=f.no_contact_yet,
                m1=f.m1,
                m2=1.0,
                k=f.k,
                sensitive=f.sensitive,
                held_until=f.held_until.get(receiver_id),
                last_seen=f.last_seen.get(receiver_id),
                planned=f.planned_to == receiver_id,
                e=f.e,
                case_ref=self.case_ref,
                days_held=f.days_held,
                early_window_days=f.early_window_days,
            )
        )

    def terms(self) -> dict[str, Any] | None:
        """The numbers behind `costs` (SPEC §5): w, e, m1, k, and the receivers
        for whom m2 is 0.5 (they held the case or saw the person)."""
        f = self.facts
        if f is None:
            return None
        return {"w": f.w, "e": f.e, "m1": f.m1, "k": f.k,
                "known": sorted(q for q in self.costs if q in f.held_until or q in f.last_seen)}


@dataclass(frozen=True, slots=True)
class RebalanceProblem:
    team_id: str
    as_of: date
    target_pct: float
    practitioners: tuple[str, ...]
    available: dict[str, float]
    limits: dict[str, float]  # target points = target % x available
    cases: tuple[ProblemCase, ...]
    receiver_exclusions: dict[str, str]  # practitioner -> why they receive nothing
    left_alone: frozenset[str]
    pair_exclusions: dict[tuple[str, str], str] = field(default_factory=dict)  # (case, receiver) -> why not

    @property
    def exclusions(self) -> Exclusions:
        """Every excluded case, receiver and pair, with its reason (for the JSON)."""
        return Exclusions(
            {pc.case_ref: pc.fixed_reason for pc in self.cases if pc.fixed_reason},
            dict(self.receiver_exclusions),
            dict(self.pair_exclusions),
        )

    def load(self, assignment: Mapping[str, str]) -> dict[str, float]:
        points = {q: 0.0 for q in self.practitioners}
        for pc in self.cases:
            q = assignment.get(pc.case_ref, pc.holder)
            points[q] = points.get(q, 0.0) + pc.points
        return points

    def overload(self, assignment: Mapping[str, str]) -> float:
        points = self.load(assignment)
        return sum(max(0.0, points[q] - self.limits.get(q, 0.0)) for q in points)

    def cost(self, assignment: Mapping[str, str]) -> float:
        total = 0.0
        for pc in self.cases:
            q = assignment.get(pc.case_ref, pc.holder)
            if q != pc.holder:
                total += pc.costs[q]
        return total


def build_problem(
    inp: RebalanceInput,
    *,
    target_pct: float | None = None,
    keep_cases: Iterable[str] = (),
    keep_practitioners: Iterable[str] = (),
) -> RebalanceProblem:
    """The cases, allowed pairs and costs of a team's rebalance."""
    policy, as_of, world = inp.policy, inp.as_of, inp.world
    target = policy.workload.target_pct if target_pct is None else float(target_pct)
    if not target > 0:
        raise CaseloadError(f"target must be a positive percentage, got {target_pct}")
    members = inp.members
    if not members:
        raise CaseloadError(f"team {inp.team_id} has no practitioners")
    ids = tuple(p.practitioner_id for p in members)
    keep_cases = frozenset(keep_cases)
    left_alone = frozenset(keep_practitioners)
    unknown = sorted(left_alone - set(ids))
    if unknown:
        raise CaseloadError(f"not in team {inp.team_id}: {', '.join(unknown)}")
    available = {p.practitioner_id: available_points(p, policy) for p in members}
    limits = {q: available[q] * target / 100.0 for q in ids}

    receiver_exclusions: dict[str, str] = {}
    for p in members:
        why = receiver_exclusion(p, world, as_of, policy)
        if why is None and p.practitioner_id in left_alone:
            why = "left alone at the lead's request"
        if why is not None:
            receiver_exclusions[p.practitioner_id] = why
    receivers = [p for p in members if p.practitioner_id not in receiver_exclusions]

    cases: list[ProblemCase] = []
    pair_exclusions: dict[tuple[str, str], str] = {}
    for case in sorted(inp.cases, key=lambda c: c.case_ref):
        holder = case.practitioner_id
        if holder not in available or case.status == "closed":
            continue  # not held in this team (or left the caseload)
        fixed = case_exclusion(case, keep_cases, as_of, policy)
        if fixed is None and holder in left_alone:
            fixed = f"{holder} left alone at the lead's request"
        handover = case.open_handover
        planned_to = handover.to_practitioner_id if handover is not None else None
        costs: dict[str, float] = {}
        facts = None
        if fixed is None:
            facts = case_facts(case, as_of, policy)
            for p in receivers:
                q = p.practitioner_id
                if q == holder:
                    continue
                bar = pair_exclusion(case, p)
                if bar is None and planned_to is not None and q != planned_to:
                    bar = f"a handover to {planned_to} is already planned"
                if bar is not None:
                    pair_exclusions[(case.case_ref, q)] = bar
                    continue
                costs[q] = disruption_cost(case, q, as_of, policy, facts).cost
            if planned_to is not None and not costs and planned_to not in available:
                fixed = f"handover to {planned_to} (another team) already planned"
            elif planned_to is not None and not costs:
                fixed = f"handover to {planned_to} already planned"
        cases.append(
            ProblemCase(
                case_ref=case.case_ref,
                holder=holder,
                points=case_points(case, policy),
                costs=costs,
                fixed_reason=fixed,
                planned_to=planned_to,
                facts=facts if costs else None,
            )
        )
    return RebalanceProblem(
        team_id=inp.team_id,
        as_of=as_of,
        target_pct=target,
        practitioners=ids,
        available=available,
        limits=limits,
        cases=tuple(cases),
        receiver_exclusions=receiver_exclusions,
        left_alone=left_alone,
        pair_exclusions=pair_exclusions,
    )


# --------------------------------------------------------------------------
# The plan


@dataclass(frozen=True, slots=True)
class PlanPractitioner:
    practitioner_id: str
    available_points: float
    target_points: float
    points_before: float
    points_after: float
    receiver_exclusion: str | None = None

    @property
    def pct_before(self) -> float:
        return _pct(self.points_before, self.available_points)

    @property
    def pct_after(self) -> float:
        return _pct(self.points_after, self.available_points)


def _pct(points: float, available: float) -> float:
    if available <= 0:
        return 0.0 if points <= 0 else math.inf
    return points / available * 100.0


@dataclass(frozen=True, slots=True)
class PlanCase:
    case_ref: str
    practitioner_id: str
    points: float
    move_costs: dict[str, float]
    fixed_reason: str | None = None
    terms: dict[str, Any] | None = None  # w, e, m1, k, known receivers (ProblemCase.terms)


@dataclass(frozen=True, slots=True)
class Move:
    case_ref: str
    from_id: str
    to_id: str
    cost: float
    reason: str
    points: float
    already_planned: bool = False  # an open handover already goes to to_id


@dataclass(frozen=True, slots=True)
class SolverReport:
    name: str  # "highs" (or "greedy" for the baseline)
    status: str  # optimal | time_limit | ... | heuristic
    gap: float | None  # relative MIP gap (0.0 = proven optimal); None if unknown
    seconds: float
    overload_status: str = "optimal"  # status of the overload phase
    phases: int = 0  # solver runs made (0: nothing to decide)
    overload_gap: float | None = 0.0  # gap of the overload phase alone
    cost_gap: float | None = 0.0  # gap of the cost phase alone (given the overload found)


@dataclass(frozen=True, slots=True)
class RebalancePlan:
    team_id: str
    as_of: date
    target_pct: float
    practitioners: tuple[PlanPractitioner, ...]
    cases: tuple[PlanCase, ...]
    moves: tuple[Move, ...]
    total_cost: float
    overload_points: float
    solver: SolverReport
    edited: bool = False  # moves were dropped by hand after solving
    exclusions: Exclusions | None = None  # excluded cases, receivers and pairs, with reasons

    def practitioner(self, practitioner_id: str) -> PlanPractitioner:
        for p in self.practitioners:
            if p.practitioner_id == practitioner_id:
                return p
        raise KeyError(practitioner_id)

    @property
    def over_target(self) -> list[str]:
        """Practitioners still above the target after the plan."""
        return [p.practitioner_id for p in self.practitioners if p.points_after > p.target_points + 1e-6]


def _round(x: float, nd: int = 6) -> float:
    r = round(x, nd)
    return 0.0 if r == 0 else r


def _make_plan(
    problem: RebalanceProblem, assignment: Mapping[str, str], solver: SolverReport
) -> RebalancePlan:
    before = problem.load({})
    after = problem.load(assignment)
    practitioners = tuple(
        PlanPractitioner(
            practitioner_id=q,
            available_points=problem.available[q],
            target_points=problem.limits[q],
            points_before=before[q],
            points_after=after[q],
            receiver_exclusion=problem.receiver_exclusions.get(q),
        )
        for q in problem.practitioners
    )
    cases = tuple(
        PlanCase(pc.case_ref, pc.holder, pc.points, dict(pc.costs), pc.fixed_reason, pc.terms())
        for pc in problem.cases
    )
    moves = []
    for pc in problem.cases:
        q = assignment.get(pc.case_ref, pc.holder)
        if q == pc.holder:
            continue
        moves.append(
            Move(
                case_ref=pc.case_ref,
                from_id=pc.holder,
                to_id=q,
                cost=pc.costs[q],
                reason=pc.reason(q),
                points=pc.points,
                already_planned=pc.planned_to == q,
            )
        )
    moves.sort(key=lambda m: (m.from_id, m.case_ref))
    return RebalancePlan(
        team_id=problem.team_id,
        as_of=problem.as_of,
        target_pct=problem.target_pct,
        practitioners=practitioners,
        cases=cases,
        moves=tuple(moves),
        total_cost=_round(sum(m.cost for m in moves)),
        overload_points=_round(problem.overload(assignment)),
        solver=solver,
        exclusions=problem.exclusions,
    )


def with_moves(plan: RebalancePlan, case_refs: Iterable[str]) -> RebalancePlan:
    """The plan keeping only the moves of these cases (the lead accepts or drops
    moves one by one); capacity after, cost and overload recomputed."""
    keep = set(case_refs)
    moves = tuple(m for m in plan.moves if m.case_ref in keep)
    after = {p.practitioner_id: p.points_before for p in plan.practitioners}
    for m in moves:
        after[m.from_id] -= m.points
        after[m.to_id] += m.points
    practitioners = tuple(replace(p, points_after=after[p.practitioner_id]) for p in plan.practitioners)
    overload = sum(max(0.0, p.points_after - p.target_points) for p in practitioners)
    return replace(
        plan,
        practitioners=practitioners,
        moves=moves,
        total_cost=_round(sum(m.cost for m in moves)),
        overload_points=_round(overload),
        edited=len(moves) != len(plan.moves),
    )


# --------------------------------------------------------------------------
# Solving with HiGHS


_SOLVER_READY = False


def prepare_solver() -> None:
    """Load HiGHS once, quietly. HiGHS prints a banner on the C-level standard
    output the first time a solver is made in a process, which would corrupt
    `--format json` output (and a Textual screen): the first construction
    happens with file descriptor 1 pointed at /dev/null. Idempotent; the app
    may call it before it starts drawing."""
    global _SOLVER_READY
    if _SOLVER_READY:
        return
    import os
    import sys

    import highspy

    try:
        sys.stdout.flush()
    except (AttributeError, ValueError, OSError):
        pass
    saved = None
    try:
        saved = os.dup(1)
        devnull = os.open(os.devnull, os.O_WRONLY)
        try:
            os.dup2(devnull, 1)
        finally:
            os.close(devnull)
    except OSError:  # no file descriptor 1 (rare): let the banner through
        saved = None
    try:
        highspy.Highs()
    finally:
        if saved is not None:
            os.dup2(saved, 1)
            os.close(saved)
    _SOLVER_READY = True


def _status_word(h: Any, status: Any) -> str:
    import highspy

    known = {
        highspy.HighsModelStatus.kOptimal: "optimal",
        highspy.HighsModelStatus.kTimeLimit: "time_limit",
        highspy.HighsModelStatus.kInfeasible: "infeasible",
        highspy.HighsModelStatus.kInterrupt: "interrupted",
        highspy.HighsModelStatus.kSolutionLimit: "solution_limit",
        highspy.HighsModelStatus.kIterationLimit: "iteration_limit",
    }
    if status in known:
        return known[status]
    return h.modelStatusToString(status).strip().lower().replace(" ", "_")


@dataclass
class _Model:
    """Column-wise arrays of the MILP; x columns first, then o columns."""

    n_x: int
    n_rows: int
    cost: list[float]  # x columns
    start: list[int]
    index: list[int]
    value: list[float]
    row_lower: list[float]
    row_upper: list[float]
    col_case: list[int]  # x column -> case index
    col_to: list[str]  # x column -> practitioner
    moves_row: int | None
    overload_row: int
    stay_cols: list[int]
    movable: list[int]


def min_cover_cost(items: list[tuple[int, float]], demand: int) -> float:
    """Least total cost of items (whole points, cost) whose points add up to at
    least `demand` (a min-cost knapsack cover, by dynamic programming over
    points); infinity if all of them are not enough."""
    import numpy as np

    if demand <= 0:
        return 0.0
    f = np.full(demand + 1, np.inf)
    f[0] = 0.0
    for points, cost in items:
        g = np.full(demand + 1, np.inf)
        if points < demand:
            g[points:demand] = f[0 : demand - points] + cost
        g[demand] = f[max(0, demand - points) :].min() + cost
        np.minimum(f, g, out=f)
    return float(f[demand])


def overload_floor(problem: RebalanceProblem) -> float:
    """A lower bound on the overload (points above target) of every plan.

    For any plan with loads L (moves keep the team's total points),

        overload = sum_q max(0, L_q - T_q)
                 = sum_q (L_q - T_q)  +  sum_q max(0, T_q - L_q)
                 = C                  +  headroom left unused,

    where C = total points - total target points does not depend on the plan.
    A practitioner who may receive no case at all (an excluded receiver, or
    one eligible for none of the movable cases) can only lose points, so
    their unused headroom is at least what it is today; anyone else's is at
    least 0. Hence overload >= max(0, C + sum over such practitioners of
    max(0, T_q - L0_q)). When a start reaches this bound the overload phase is
    proven optimal without a search (typical when the target is out of reach:
    every practitioner with headroom can be filled up to or just past the
    target with cases of practitioners who stay over it)."""
    return max(0.0, _floor_identity(problem))


def _floor_identity(problem: RebalanceProblem) -> float:
    """C + the unused headroom of those who can receive nothing (may be < 0)."""
    load = problem.load({})
    can_receive = {q for pc in problem.cases for q in pc.costs}
    total = sum(load[q] - problem.limits[q] for q in problem.practitioners)
    stuck = sum(
        max(0.0, problem.limits[q] - load[q]) for q in problem.practitioners if q not in can_receive
    )
    return total + stuck


def cover_pick(items: list[tuple[int, float]], demand: int) -> list[int] | None:
    """Indices of a least-cost set of items (whole points, cost) whose points
    add up to at least `demand` (the set behind `min_cover_cost`); None if all
    of them are not enough."""
    import numpy as np

    if demand <= 0:
        return []
    f = np.full(demand + 1, np.inf)
    f[0] = 0.0
    took = np.zeros((len(items), demand + 1), dtype=bool)
    for i, (points, cost) in enumerate(items):
        g = np.empty(demand + 1)
        head = min(points, demand)
        g[: head + 1] = cost  # f[0] = 0: the item alone covers d <= points
        if points < demand:
            g[points + 1 :] = f[1 : demand - points + 1] + cost
        better = g < f
        took[i] = better
        np.minimum(f, g, out=f)
    if not math.isfinite(f[demand]):
        return None
    chosen: list[int] = []
    d = demand
    for i in range(len(items) - 1, -1, -1):
        if d > 0 and took[i, d]:
            chosen.append(i)
            d = max(0, d - items[i][0])
    return chosen


def _whole_points(problem: RebalanceProblem) -> bool:
    return all(float(pc.points).is_integer() for pc in problem.cases)


def _cost_cuts(
    problem: RebalanceProblem, model: _Model, bound: float
) -> list[tuple[float, list[int], list[float]]]:
    """Valid inequalities for the cost phase, given that the plan's overload is
    at most `bound` (rows: lower bound, x columns, coefficients = move costs).

    Giver cuts: a practitioner g over target by e_g ends over it by at most
    `bound` (every other overload is >= 0), so g sheds at least
    ceil(e_g - bound) whole points whatever g also receives; each shed case
    costs at least its cheapest move, so g's moves cost at least the least
    cost of covering that many points (`min_cover_cost`).

    Receiver cuts: by `overload_floor`'s identity the headroom left unused,
    summed over the practitioners who can receive, is at most
    s = bound - overload_floor; so a receiver q with headroom h_q ends at
    least at T_q - s and takes in at least ceil(h_q - s) whole points
    (more if q also gives some away): the moves into q cost at least the
    least cost of covering that many points with the cases q may receive.

    Both need whole points (the default point tables); with any other points
    there are no cuts. They change no optimum: every plan that satisfies the
    phase's constraints satisfies them."""
    if not _whole_points(problem):
        return []
    load = problem.load({})
    slack = bound - _floor_identity(problem)
    by_giver: dict[str, list[int]] = {}
    by_receiver: dict[str, list[int]] = {}
    for col in range(model.n_x):
        pc = problem.cases[model.col_case[col]]
        q = model.col_to[col]
        if q == pc.holder:
            continue
        by_giver.setdefault(pc.holder, []).append(col)
        by_receiver.setdefault(q, []).append(col)
    cuts: list[tuple[float, list[int], list[float]]] = []
    for g, cols in sorted(by_giver.items()):
        need = math.ceil(load[g] - problem.limits[g] - bound - 1e-6)
        if need <= 0:
            continue
        cheapest: dict[int, float] = {}
        for col in cols:
            i = model.col_case[col]
            cheapest[i] = min(cheapest.get(i, math.inf), model.cost[col])
        items = [(int(problem.cases[i].points), c) for i, c in cheapest.items()]
        least = min_cover_cost(items, need)
        if math.isfinite(least) and least > 1e-9:
            cuts.append((least - 1e-6, cols, [model.cost[c] for c in cols]))
    for q, cols in sorted(by_receiver.items()):
        need = math.ceil(problem.limits[q] - load[q] - slack - 1e-6)
        if need <= 0:
            continue
        items = [(int(problem.cases[model.col_case[c]].points), model.cost[c]) for c in cols]
        least = min_cover_cost(items, need)
        if math.isfinite(least) and least > 1e-9:
            cuts.append((least - 1e-6, cols, [model.cost[c] for c in cols]))
    return cuts


def cover_assignment(
    problem: RebalanceProblem, *, max_moves: int | None = None, order: Iterable[str] | None = None
) -> dict[str, str]:
    """A start for a team that cannot all reach the target: take every
    practitioner with headroom up to (or just past) their target at least
    cost, each with a least-cost cover (`cover_pick`) of their headroom by
    cases of practitioners who stay at or over target after giving them.
    When it succeeds its overload is `overload_floor`, the least possible.
    Empty when points are not whole numbers or moves are capped."""
    if max_moves is not None or not _whole_points(problem):
        return {}
    load = problem.load({})
    limits = problem.limits
    if not any(load[q] > limits[q] + 1e-9 for q in problem.practitioners):
        return {}
    eligible: dict[str, list[ProblemCase]] = {}
    for pc in problem.cases:
        for q in pc.costs:
            eligible.setdefault(q, []).append(pc)
    receivers = _cover_receivers(problem) if order is None else list(order)
    assignment: dict[str, str] = {}
    for q in receivers:
        for _round in range(3):
            need = math.ceil(limits[q] - load[q] - 1e-9)
            if need <= 0:
                break
            items = [
                pc for pc in eligible[q]
                if pc.case_ref not in assignment and load[pc.holder] - pc.points >= limits[pc.holder] - 1e-9
            ]
            chosen = cover_pick([(int(pc.points), pc.costs[q]) for pc in items], need)
            if chosen is None:  # not enough: take what there is (fills toward the target)
                chosen = list(range(len(items)))
            took = False
            for i in sorted(chosen, key=lambda i: -items[i].points):
                pc = items[i]
                if load[pc.holder] - pc.points < limits[pc.holder] - 1e-9:
                    continue  # would take its giver under target
                assignment[pc.case_ref] = q
                load[pc.holder] -= pc.points
                load[q] += pc.points
                took = True
            if not took:
                break
    return assignment


def _cover_receivers(problem: RebalanceProblem) -> list[str]:
    """Practitioners under target who may receive some case, in
    `cover_assignment`'s default order (fewest eligible cases, then most
    headroom, first)."""
    load = problem.load({})
    eligible: dict[str, int] = {}
    for pc in problem.cases:
        for q in pc.costs:
            eligible[q] = eligible.get(q, 0) + 1
    return sorted(
        (q for q in eligible if load[q] < problem.limits[q] - 1e-9),
        key=lambda q: (eligible[q], -(problem.limits[q] - load[q]), q),
    )


def shed_assignment(problem: RebalanceProblem, *, max_moves: int | None = None) -> dict[str, str]:
    """A start for a team that can reach the target: each practitioner over
    target sheds a least-cost cover (`cover_pick`) of their excess, each case
    costed at its cheapest receiver that still has room for it, and each
    chosen case goes to that receiver (biggest cases first). When every case
    finds its cheapest receiver the cost equals the giver cuts' bound (see
    `_cost_cuts`), which proves it optimal. Empty when points are not whole
    numbers or moves are capped."""
    if max_moves is not None or not _whole_points(problem):
        return {}
    load = problem.load({})
    limits = problem.limits
    givers = sorted(
        (q for q in problem.practitioners if load[q] > limits[q] + 1e-9),
        key=lambda q: (-(load[q] - limits[q]), q),
    )
    if not givers:
        return {}
    held: dict[str, list[ProblemCase]] = {}
    for pc in problem.cases:
        if pc.costs:
            held.setdefault(pc.holder, []).append(pc)
    over = set(givers)

    def best_receiver(pc: ProblemCase) -> str | None:
        fits = [
            q for q in pc.costs
            if q not in over and load[q] + pc.points <= limits[q] + 1e-9
        ]
        if not fits:
            return None
        return min(fits, key=lambda q: (pc.costs[q], -(limits[q] - load[q]), q))

    assignment: dict[str, str] = {}
    for g in givers:
        for _round in range(3):
            need = math.ceil(load[g] - limits[g] - 1e-9)
            if need <= 0:
                break
            items: list[tuple[ProblemCase, str]] = []
            for pc in held.get(g, []):
                if pc.case_ref in assignment:
                    continue
                to = best_receiver(pc)
                if to is not None:
                    items.append((pc, to))
            chosen = cover_pick([(int(pc.points), pc.costs[to]) for pc, to in items], need)
            if chosen is None:
                chosen = list(range(len(items)))
            took = False
            for i in sorted(chosen, key=lambda i: -items[i][0].points):
                pc = items[i][0]
                to = best_receiver(pc)
                if to is None:
                    continue
                assignment[pc.case_ref] = to
                load[g] -= pc.points
                load[to] += pc.points
                took = True
            if not took:
                break
    return assignment


def _build_model(problem: RebalanceProblem, max_moves: int | None) -> _Model:
    inf = math.inf
    movable = [i for i, pc in enumerate(problem.cases) if pc.costs]
    ids = problem.practitioners
    cap_row = {q: len(movable) + j for j, q in enumerate(ids)}
    n_rows = len(movable) + len(ids)
    moves_row = None
    if max_moves is not None:
        moves_row = n_rows
        n_rows += 1
    overload_row = n_rows
    n_rows += 1

    fixed = {q: 0.0 for q in ids}
    for pc in problem.cases:
        if not pc.costs:
            fixed[pc.holder] += pc.points
    # With whole points every load is a whole number, so a practitioner over a
    # fractional target T (floor F, fraction f) is over by at least 1 - f:
    #     o[q] >= (1 - f) (load[q] - F)
    # is valid, and cuts off the LP's "fill exactly to T" points that keep the
    # overload phase from proving optimality (a mixed-integer rounding cut).
    mir: dict[str, tuple[int, float, float]] = {}  # q -> (row, 1 - f, F)
    if all(float(pc.points).is_integer() for pc in problem.cases):
        for q in ids:
            floor_t = math.floor(problem.limits[q] + 1e-9)
            frac = problem.limits[q] - floor_t
            if frac > 1e-9:
                mir[q] = (n_rows, 1.0 - frac, float(floor_t))
                n_rows += 1
    row_lower = [1.0] * len(movable) + [-inf] * len(ids)
    row_upper = [1.0] * len(movable) + [problem.limits[q] - fixed[q] for q in ids]
    if moves_row is not None:
        row_lower.append(-inf)
        row_upper.append(float(max_moves))
    row_lower.append(-inf)
    row_upper.append(inf)
    for q, (_row, weight, floor_t) in mir.items():
        row_lower.append(-inf)
        row_upper.append(weight * (floor_t - fixed[q]))

    cost: list[float] = []
    start: list[int] = [0]
    index: list[int] = []
    value: list[float] = []
    col_case: list[int] = []
    col_to: list[str] = []
    stay_cols: list[int] = []
    for r, i in enumerate(movable):
        pc = problem.cases[i]
        for q in (pc.holder, *pc.costs):
            stay = q == pc.holder
            if stay:
                stay_cols.append(len(cost))
            cost.append(0.0 if stay else pc.costs[q])
            index.extend((r, cap_row[q]))
            value.extend((1.0, pc.points))
            if moves_row is not None and not stay:
                index.append(moves_row)
                value.append(1.0)
            if q in mir:
                index.append(mir[q][0])
                value.append(mir[q][1] * pc.points)
            start.append(len(index))
            col_case.append(i)
            col_to.append(q)
    n_x = len(cost)
    for q in ids:
        index.extend((cap_row[q], overload_row))
        value.extend((-1.0, 1.0))
        if q in mir:
            index.append(mir[q][0])
            value.append(-1.0)
        start.append(len(index))
    return _Model(
        n_x, n_rows, cost, start, index, value, row_lower, row_upper, col_case, col_to,
        moves_row, overload_row, stay_cols, movable,
    )


def _highs_for(
    model: _Model,
    n_o: int,
    *,
    phase: int,
    overload_bound: float | None,
    time_limit: float,
    mip_gap: float,
    cuts: list[tuple[float, list[int], list[float]]] = (),
    relax: bool = False,
    keep_cols: set[int] | None = None,
    options: Mapping[str, Any] | None = None,
) -> Any:
    """A HiGHS instance holding one phase's model (or its LP relaxation)."""
    import highspy
    import numpy as np

    inf = highspy.kHighsInf
    n_col = model.n_x + n_o
    lp = highspy.HighsLp()
    lp.num_col_ = n_col
    lp.num_row_ = model.n_rows
    if phase == 1:
        lp.col_cost_ = np.array([0.0] * model.n_x + [1.0] * n_o)
    else:
        lp.col_cost_ = np.array(model.cost + [0.0] * n_o)
    lp.col_lower_ = np.zeros(n_col)
    o_upper = 0.0 if (overload_bound is not None and overload_bound <= 0) else inf
    x_upper = [1.0] * model.n_x
    if keep_cols is not None:  # a restricted model: every other x column at 0
        x_upper = [1.0 if col in keep_cols else 0.0 for col in range(model.n_x)]
    lp.col_upper_ = np.array(x_upper + [o_upper] * n_o)
    row_upper = list(model.row_upper)
    row_lower = list(model.row_lower)
    if overload_bound is not None and overload_bound > 0:
        row_upper[model.overload_row] = overload_bound
    lp.row_lower_ = np.array([-inf if math.isinf(v) else v for v in row_lower])
    lp.row_upper_ = np.array([inf if math.isinf(v) else v for v in row_upper])
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.a_matrix_.start_ = np.array(model.start, dtype=np.int32)
    lp.a_matrix_.index_ = np.array(model.index, dtype=np.int32)
    lp.a_matrix_.value_ = np.array(model.value)
    if not relax:
        lp.integrality_ = [highspy.HighsVarType.kInteger] * model.n_x + [highspy.HighsVarType.kContinuous] * n_o

    prepare_solver()
    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    h.setOptionValue("random_seed", 0)
    # One thread: HiGHS's MIP gains little from a second one here, and with
    # one its runs are reproducible (with two, when a parallel task finishes
    # changes the search), which a benchmark and a team lead both want.
    h.setOptionValue("threads", HIGHS_THREADS)
    h.setOptionValue("time_limit", max(0.01, float(time_limit)))
    h.setOptionValue("mip_rel_gap", float(mip_gap))
    h.setOptionValue("mip_abs_gap", 1e-9)
    if relax:
        h.setOptionValue("presolve", "off")  # about twice as fast on these LPs
    for name, value in {**(options or {}), **HIGHS_OPTIONS}.items():
        h.setOptionValue(name, value)
    h.passModel(lp)
    for lower, cols, coefs in cuts:
        h.addRow(lower, inf, len(cols), np.array(cols, dtype=np.int32), np.array(coefs))
    return h


HIGHS_THREADS = 1


def _highs_run(h: Any) -> None:
    """h.run(), once more after resetting HiGHS's thread pool if another
    HiGHS user in this process started it with another number of threads
    (HiGHS then refuses to run)."""
    import highspy

    if h.run() == highspy.HighsStatus.kError and h.getModelStatus() == highspy.HighsModelStatus.kNotset:
        highspy.Highs.resetGlobalScheduler(True)
        h.run()


class _Stopwatch:
    """A HiGHS interrupt callback that keeps one long step of HiGHS's root
    node from overrunning the time limit.

    HiGHS checks its time limit between steps. After the root LP and five
    rounds of cuts it runs, once, a rounding heuristic from the analytic
    centre of the LP, which propagates every bound change through all its
    cuts and conflicts: seconds on a big model, and it cannot be cut short,
    so started just before the limit it overruns it by that much. HiGHS
    calls this callback where it checks its limits, with a dual bound once
    the root LP is solved and then after each round; at the sixth such call
    (just before that step) the run is stopped if less than `guard` seconds
    are left, and otherwise left alone. (If HiGHS ends its cut rounds sooner
    the step comes sooner, unguarded.) Stopping a run only ever stops it
    sooner: no bound or plan HiGHS reports is changed by it."""

    CALLS_BEFORE_LONG_STEP = 6

    def __init__(self, deadline: float, guard: float) -> None:
        self.deadline = deadline
        self.guard = guard
        self.calls = 0
        self.stopped = False

    def __call__(self, event: Any) -> None:
        if not math.isfinite(event.data_out.mip_dual_bound):
            return
        self.calls += 1
        if self.calls == self.CALLS_BEFORE_LONG_STEP and time.perf_counter() > self.deadline - self.guard:
            self.stopped = True
            event.interrupt()


def _run(
    model: _Model,
    n_o: int,
    *,
    start_x: list[float],
    deadline: float | None = None,
    guard: float = 0.0,
    **setup: Any,
) -> tuple[str, float | None, float, list[float]]:
    """One HiGHS run on `_highs_for(model, n_o, **setup)`; returns (status,
    gap, objective, column values). With a `deadline` (a time.perf_counter()
    value) HiGHS's time limit is what is left of it once the model is built
    and passed, not `setup["time_limit"]`."""
    import highspy

    n_col = model.n_x + n_o
    relax = setup.get("relax", False)
    h = _highs_for(model, n_o, **setup)
    # A feasible start: the given x, with o at the overload it implies.
    sol = highspy.HighsSolution()
    sol.col_value = list(start_x) + _overload_values(model, start_x, n_o)
    sol.value_valid = True
    if not relax:
        h.setSolution(sol)
    stopwatch = None
    if deadline is not None:
        h.setOptionValue("time_limit", max(0.01, deadline - time.perf_counter()))
        if guard > 0 and not relax:
            stopwatch = _Stopwatch(deadline, guard)
            h.cbMipInterrupt.subscribe(stopwatch)
    _highs_run(h)
    status = h.getModelStatus()
    info = h.getInfo()
    word = _status_word(h, status)
    if stopwatch is not None and stopwatch.stopped and status == highspy.HighsModelStatus.kInterrupt:
        word = "time_limit"  # stopped for time, by the stopwatch rather than HiGHS's own clock
    values = list(h.getSolution().col_value)
    has_solution = info.primal_solution_status == 2 and len(values) == n_col  # kSolutionStatusFeasible
    if not has_solution:
        values = list(start_x) + _overload_values(model, start_x, n_o)
        objective = math.nan
    else:
        objective = info.objective_function_value
    gap = info.mip_gap
    if status == highspy.HighsModelStatus.kOptimal:
        gap = max(0.0, gap) if math.isfinite(gap) else 0.0
    gap_out = float(gap) if math.isfinite(gap) else None
    return word, gap_out, objective, values


def _overload_values(model: _Model, x: list[float], n_o: int) -> list[float]:
    # capacity rows come right after the assignment rows, in practitioner order
    first_cap = len(model.movable)
    load = [0.0] * n_o
    for col in range(model.n_x):
        if x[col] > 0.5:
            for k in range(model.start[col], model.start[col + 1]):
                r = model.index[k]
                if first_cap <= r < first_cap + n_o:
                    load[r - first_cap] += model.value[k]
    return [max(0.0, load[j] - model.row_upper[first_cap + j]) for j in range(n_o)]


def solve_problem(
    problem: RebalanceProblem,
    *,
    max_moves: int | None = None,
    time_limit: float = DEFAULT_TIME_LIMIT,
    mip_gap: float = DEFAULT_MIP_GAP,
) -> RebalancePlan:
    """The least-disruption plan (lexicographic: overload, then cost), by HiGHS."""
    if max_moves is not None and max_moves < 0:
        raise CaseloadError(f"max moves must be 0 or more, got {max_moves}")
    if time_limit is None or not time_limit > 0:
        raise CaseloadError(f"time limit must be a positive number of seconds, got {time_limit}")
    began = time.perf_counter()
    if problem.overload({}) <= 1e-9 or not any(pc.costs for pc in problem.cases) or max_moves == 0:
        # Nothing to decide: everyone at or under target, or nothing may move.
        report = SolverReport("highs", "optimal", 0.0, time.perf_counter() - began, "optimal", 0)
        return _make_plan(problem, {}, report)

    model = _build_model(problem, max_moves)
    n_o = len(problem.practitioners)

    # Start from the best of "everyone keeps their cases", the greedy baseline
    # and the constructive starts, so the solver never returns worse than greedy.
    start: dict[str, str] = {}
    for make in (greedy_assignment, fill_assignment, cover_assignment, shed_assignment):
        candidate = make(problem, max_moves=max_moves)
        if _key(problem, candidate) < _key(problem, start):
            start = candidate
    floor = overload_floor(problem)
    phases = 2
    # keep the whole call within the limit: HiGHS stops a little after its own
    # limit, and the plan is still to be read back
    margin = min(1.0, 0.1 * time_limit)
    if problem.overload(start) <= floor + 1e-7 * max(1.0, abs(floor)) + 1e-9:
        # The start reaches the overload floor (0 when it brings everyone under
        # target): the overload phase is proven optimal without a search.
        status1, gap1, found, phases = "optimal", 0.0, start, 1
    else:
        until = began + max((time_limit - margin) * PHASE1_SHARE, time.perf_counter() - began + 0.05 * time_limit)
        status1, gap1, _overload, values = _run(
            model, n_o, phase=1, overload_bound=None, start_x=_x_of(model, problem, start),
            time_limit=until - time.perf_counter(), mip_gap=mip_gap,
            deadline=until, guard=LONG_STEP_SECONDS_PER_COLUMN * model.n_x,
        )
        found = _assignment_of(model, problem, values)
        if problem.overload(start) < problem.overload(found) - 1e-9:
            found = start  # (never expected: HiGHS keeps the better incumbent)
        if problem.overload(found) <= floor + 1e-7 * max(1.0, abs(floor)) + 1e-9:
            status1, gap1 = "optimal", 0.0  # at the floor: proven whatever HiGHS's own bound
    found = _drop_idle_moves(problem, found)
    best_overload = problem.overload(found)
    bound = 0.0 if best_overload <= 1e-7 else best_overload + 1e-6 * max(1.0, best_overload)
    cuts = _cost_cuts(problem, model, bound) + load_rows(problem, model, bound, bound - _floor_identity(problem))
    assignment, status2, gap2 = _cost_phase(
        problem, model, n_o, found, bound, cuts,
        deadline=began + max(time_limit - margin, time.perf_counter() - began + 0.05 * time_limit),
        mip_gap=mip_gap,
    )
    seconds = time.perf_counter() - began
    # The plan is proven optimal only when both phases are; its gap is the
    # larger of the two (a reader should not take an unproven cost phase for
    # a proven plan because the overload phase closed its gap).
    if status1 != "optimal":
        status = status1
    else:
        status = status2
    gap = None if gap1 is None or gap2 is None else max(gap1, gap2)
    report = SolverReport("highs", status, gap, seconds, status1, phases, gap1, gap2)
    return _make_plan(problem, assignment, report)


PHASE1_SHARE = 0.6  # of the time limit, at most, for the overload phase
# HiGHS options for the exact run with overload left (a target out of reach):
# HiGHS's defaults. Its starts (`cover_assignment`) are the best plan on most
# of the bench's teams, so what is left is the proof; more heuristic effort
# (0.6, which once found the plan sooner) now proves the hardest team of 50
# later (12.6 s of CPU against 10.3 s, bench/README.md); presolve and the
# default cut pool serve it better than EXACT_OPTIONS
COVER_OPTIONS: dict[str, Any] = {}
SEARCH_MIN_COLUMNS = 1500  # smaller cost phases go straight to the exact run
SEARCH_COLUMNS_PER_CASE = 3  # size of the search neighbourhood, in x columns per movable case
SEARCH_SHARE = 0.4  # of the time left, at most, for the search run
SEARCH_AGAIN_SECONDS = 1.0  # time left after a stopped exact run for a wider search
LP_SHARE = 0.25  # of the time left, at most, for the LP relaxation
SEARCH_OPTIONS: dict[str, Any] = {"mip_pool_soft_limit": 300}  # HiGHS options for the search run
# HiGHS options for the exact run: presolve off (it removes little here, and
# its restarts cost more than they give), and a smaller cut pool (every cut
# in the pool is propagated through each bound change of HiGHS's rounding
# heuristics, which is what makes its one long root step long)
EXACT_OPTIONS: dict[str, Any] = {"presolve": "off", "mip_pool_soft_limit": 300}
LONG_STEP_SECONDS_PER_COLUMN = 1e-4  # a generous estimate of HiGHS's long root step (`_Stopwatch`)


def _cost_step(costs: Iterable[float]) -> float:
    """The grid every move cost lies on (0.5 with the default policy: the
    known-receiver multiplier halves whole costs), or 0 if there is none: a
    plan better than one of cost U then costs at most U - step."""
    values = [c for c in costs if c]
    for step in (1.0, 0.5, 0.25, 0.1, 0.05, 0.01):
        if all(abs(c / step - round(c / step)) <= 1e-9 * max(1.0, abs(c / step)) for c in values):
            return step
    return 0.0


def _lp_relaxation(
    model: _Model,
    n_o: int,
    *,
    overload_bound: float,
    cuts: list[tuple[float, list[int], list[float]]],
    time_limit: float,
) -> tuple[float, list[float]] | None:
    """The cost phase's LP relaxation: its optimal value and the x columns'
    reduced costs, or None if HiGHS did not solve it to optimality."""
    import highspy

    h = _highs_for(
        model, n_o, phase=2, overload_bound=overload_bound, time_limit=time_limit, mip_gap=1.0,
        cuts=cuts, relax=True,
    )
    _highs_run(h)
    if h.getModelStatus() != highspy.HighsModelStatus.kOptimal:
        return None
    info = h.getInfo()
    if info.primal_solution_status != 2 or info.dual_solution_status != 2:  # kSolutionStatusFeasible
        return None
    sol = h.getSolution()
    return float(info.objective_function_value), list(sol.col_dual[: model.n_x])


def _cost_phase(
    problem: RebalanceProblem,
    model: _Model,
    n_o: int,
    found: dict[str, str],
    bound: float,
    cuts: list[tuple[float, list[int], list[float]]],
    *,
    deadline: float,
    mip_gap: float,
) -> tuple[dict[str, str], str, float | None]:
    """The least-cost plan whose overload is within `bound`, from the start
    `found`: (plan, status, relative gap).

    Exact, with the help of the LP relaxation (value z, reduced costs r):
    every plan costs at least z + r_j for each x column j it uses (LP
    duality; r >= 0 for the columns the LP leaves at 0), so a plan better
    than the incumbent (cost U, and costs lie on a grid of step s,
    `_cost_step`) uses no column with r > U - s - z. Those columns are fixed
    at 0 before HiGHS starts (reduced-cost fixing, as HiGHS does at its root,
    here without first spending a root on the full model). The plan HiGHS
    returns on what is left is optimal for the whole phase, and its bound is
    a bound for the whole phase.

    When everyone must come under the target and the model is not small,
    a search run comes first: HiGHS on the columns of least reduced cost
    (`SEARCH_COLUMNS_PER_CASE` per case) for a share of the time. Its plan
    is only a start for the exact run (what HiGHS's own heuristics find
    slowly on the full model, if at all), unless that neighbourhood holds
    every column with r <= U - s - z and the search solved it to optimality:
    then its plan is proven optimal as it stands. If the exact run is
    stopped before its long root step (`_Stopwatch`, on the biggest models),
    a wider search uses the time left.

    The reported gap is (U - the best bound) / U, the bound being HiGHS's or
    z, whichever is higher."""

    def left() -> float:
        return deadline - time.perf_counter()

    def within(assignment: Mapping[str, str]) -> bool:
        return problem.overload(assignment) <= bound + 1e-6

    ub = problem.cost(found)
    lp = _lp_relaxation(model, n_o, overload_bound=bound, cuts=cuts, time_limit=max(0.05, left() * LP_SHARE))
    if lp is None:  # (never expected) no reduced costs: the whole model, as it is
        status, gap, _obj, values = _run(
            model, n_o, phase=2, overload_bound=bound, start_x=_x_of(model, problem, found),
            time_limit=max(0.05, left()), mip_gap=mip_gap, cuts=cuts, deadline=deadline,
        )
        better = _assignment_of(model, problem, values)
        if within(better) and problem.cost(better) <= ub + 1e-9:
            found = better
        return found, status, gap
    z, reduced = lp
    step = _cost_step(model.cost)
    tol = 1e-6 * max(1.0, abs(ub))
    lower = z  # the best bound on the phase's cost so far

    def proven() -> bool:  # no plan on the grid lies between the bound and ub
        return lower > ub - max(step, tol) + tol

    core = column_bounds(problem, model, bound, bound - _floor_identity(problem))

    def columns(limit: float) -> set[int]:
        x = _x_of(model, problem, found)
        worth = ub - step + tol  # a better plan costs at most ub - step
        return {
            col for col in range(model.n_x)
            if (reduced[col] <= limit + tol and core[col] <= worth) or x[col] > 0.5
        }

    def take(values: list[float]) -> None:
        nonlocal found, ub
        better = _assignment_of(model, problem, values)
        if within(better) and problem.cost(better) < ub - 1e-9:
            found, ub = better, problem.cost(better)

    def exact(until: float) -> str:
        """HiGHS on every column a better plan could use, until `until`."""
        nonlocal lower
        keep = columns(ub - step - z)
        options = COVER_OPTIONS if bound > 0 else EXACT_OPTIONS
        status, gap, obj, values = _run(
            model, n_o, phase=2, overload_bound=bound, start_x=_x_of(model, problem, found),
            time_limit=max(0.05, until - time.perf_counter()), mip_gap=mip_gap, cuts=cuts, keep_cols=keep,
            options=options, deadline=until, guard=LONG_STEP_SECONDS_PER_COLUMN * len(keep),
        )
        take(values)
        if gap is not None and math.isfinite(obj):
            lower = max(lower, obj - gap * abs(obj))  # HiGHS's bound, for the whole phase
        return status

    def search(until: float, per_case: float = SEARCH_COLUMNS_PER_CASE) -> bool:
        """HiGHS on the columns of least reduced cost; True if that proves the plan."""
        ranked = sorted(reduced)
        size = int(per_case * len(model.movable))
        if size >= len(ranked):
            return False
        limit = ranked[size]
        status, _gap, obj, values = _run(
            model, n_o, phase=2, overload_bound=bound, start_x=_x_of(model, problem, found),
            time_limit=max(0.05, until - time.perf_counter()), mip_gap=mip_gap, cuts=cuts,
            keep_cols=columns(limit), options=SEARCH_OPTIONS, deadline=until,
        )
        take(values)
        # solved to optimality (at the plan taken) on a neighbourhood that
        # holds every column of a better plan
        return status == "optimal" and obj >= ub - tol and limit >= ub - step - z

    if proven():
        return found, "optimal", 0.0
    # the search pays off when everyone must come under the target; with
    # overload left (covers of the headroom there is) the exact run, with
    # more heuristic effort, finds and proves the plan sooner by itself
    n_keep = len(columns(ub - step - z)) if bound <= 0 else 0
    if n_keep > SEARCH_MIN_COLUMNS:
        if search(time.perf_counter() + max(0.05, left() * SEARCH_SHARE)) or proven():
            return found, "optimal", 0.0
    status = exact(deadline)
    if status == "optimal" or proven():
        return found, "optimal", 0.0
    if left() > SEARCH_AGAIN_SECONDS and n_keep > SEARCH_MIN_COLUMNS:
        # the exact run stopped before its long root step: a wider search for the rest
        if search(deadline, 2 * SEARCH_COLUMNS_PER_CASE) or proven():
            return found, "optimal", 0.0
    return found, status, max(0.0, ub - lower) / ub if ub > 1e-9 else 0.0


HIGHS_OPTIONS: dict[str, Any] = {}  # extra HiGHS options for every run


def _key(problem: RebalanceProblem, assignment: Mapping[str, str]) -> tuple[float, float]:
    return (round(problem.overload(assignment), 6), round(problem.cost(assignment), 6))


def fill_assignment(problem: RebalanceProblem, *, max_moves: int | None = None) -> dict[str, str]:
    """A start for a team that cannot all reach the target: fill each
    practitioner under target as exactly as whole cases allow, at least cost,
    with cases of practitioners who stay over target (a subset-sum dynamic
    programme per receiver over whole points). HiGHS's own heuristics rarely
    find such exact fills, and without them the overload phase cannot close
    its gap. Empty when points are not whole numbers or moves are capped."""
    import numpy as np

    if max_moves is not None or not all(float(pc.points).is_integer() for pc in problem.cases):
        return {}
    load = problem.load({})
    limits = problem.limits
    excess = {q: load[q] - limits[q] for q in problem.practitioners}
    if not any(e > 1e-9 for e in excess.values()):
        return {}
    receivers = sorted(
        (q for q in problem.practitioners if excess[q] < 0 and q not in problem.receiver_exclusions),
        key=lambda q: (excess[q], q),
    )
    assignment: dict[str, str] = {}
    for q in receivers:
        cap = math.floor(limits[q] - load[q] + 1e-9)
        if cap <= 0:
            continue
        items = [
            pc for pc in problem.cases
            if q in pc.costs and pc.case_ref not in assignment
            and excess[pc.holder] > 1e-9 and pc.points <= min(cap, excess[pc.holder] + 1e-9)
        ]
        if not items:
            continue
        f = np.full(cap + 1, np.inf)
        f[0] = 0.0
        took = np.zeros((len(items), cap + 1), dtype=bool)
        for i, pc in enumerate(items):
            p = int(pc.points)
            trial = f[: cap + 1 - p] + pc.costs[q]
            better = trial < f[p:]
            if better.any():
                took[i, p:][better] = True
                f[p:] = np.where(better, trial, f[p:])
        reachable = np.nonzero(np.isfinite(f))[0]
        s = int(reachable.max())
        chosen = []
        for i in range(len(items) - 1, -1, -1):
            if s > 0 and took[i, s]:
                chosen.append(items[i])
                s -= int(items[i].points)
        for pc in chosen:
            if excess[pc.holder] - pc.points < -1e-9:
                continue  # would take its giver under target: leave it
            assignment[pc.case_ref] = q
            excess[pc.holder] -= pc.points
            load[pc.holder] -= pc.points
            load[q] += pc.points
    return assignment


def _x_of(model: _Model, problem: RebalanceProblem, assignment: Mapping[str, str]) -> list[float]:
    x = [0.0] * model.n_x
    for col in range(model.n_x):
        pc = problem.cases[model.col_case[col]]
        if assignment.get(pc.case_ref, pc.holder) == model.col_to[col]:
            x[col] = 1.0
    return x


def _assignment_of(model: _Model, problem: RebalanceProblem, values: list[float]) -> dict[str, str]:
    assignment: dict[str, str] = {}
    for col in range(model.n_x):
        if values[col] > 0.5:
            pc = problem.cases[model.col_case[col]]
            if model.col_to[col] != pc.holder:
                assignment[pc.case_ref] = model.col_to[col]
    return assignment


def _drop_idle_moves(problem: RebalanceProblem, assignment: dict[str, str]) -> dict[str, str]:
    """Undo, dearest first, every move whose undoing does not add overload (a
    move between two practitioners who both stay over target, say): a better
    start for the cost phase when the overload phase was cut short."""
    result = dict(assignment)
    base = problem.overload(result)
    costs = {pc.case_ref: pc.costs for pc in problem.cases}
    for ref in sorted(result, key=lambda r: -costs[r][result[r]]):
        trial = dict(result)
        del trial[ref]
        overload = problem.overload(trial)
        if overload <= base + 1e-9:
            result, base = trial, overload
    return result


def plan_rebalance(
    inp: RebalanceInput,
    *,
    target_pct: float | None = None,
    max_moves: int | None = None,
    keep_cases: Iterable[str] = (),
    keep_practitioners: Iterable[str] = (),
    time_limit: float = DEFAULT_TIME_LIMIT,
    mip_gap: float = DEFAULT_MIP_GAP,
) -> RebalancePlan:
    """Build the team's problem and solve it exactly (see the module docstring)."""
    problem = build_problem(
        inp, target_pct=target_pct, keep_cases=keep_cases, keep_practitioners=keep_practitioners
    )
    return solve_problem(problem, max_moves=max_moves, time_limit=time_limit, mip_gap=mip_gap)


# --------------------------------------------------------------------------
# Dating the handovers of an applied plan (SPEC §4)


def handover_dates(
    plan: RebalancePlan,
    cases: Iterable[Case],
    world: World,
    policy: Policy = DEFAULT_POLICY,
    *,
    first: date | None = None,
    scores: Mapping[str, int] | None = None,
):
    """The dates of the handovers that applying `plan` creates, staggered
    (`planner.schedule.stagger`): from `first` (default as-of +
    `policy.handover.rebalance_days_ahead`, 28 days), at most
    `policy.handover.per_day` a working day for each giving practitioner
    (counting the handovers they already have planned), riskiest case first,
    never on a day an absence of the giver or the receiver covers. Moves to a receiver
    whose handover is already planned keep that handover and get no date
    here. Returns a `planner.schedule.Schedule`."""
    from planner.calendar import working_days
    from planner.schedule import stagger

    by_ref = {c.case_ref: c for c in cases}
    moves = [m for m in plan.moves if not m.already_planned]
    if scores is None:
        from planner.risk import evaluate

        scores = {r.case_ref: r.score
                  for r in evaluate([by_ref[m.case_ref] for m in moves if m.case_ref in by_ref],
                                    world, plan.as_of, policy)}
    moves.sort(key=lambda m: (-scores.get(m.case_ref, 0), m.case_ref))
    givers = {m.from_id for m in moves}
    busy: dict[tuple[str, date], int] = {}
    for c in by_ref.values():
        h = c.open_handover
        if h is not None and h.from_practitioner_id in givers:
            key = (h.from_practitioner_id, h.planned_on)
            busy[key] = busy.get(key, 0) + 1
    move_of = {m.case_ref: m for m in moves}

    def blocked(ref: str, day: date) -> bool:
        m = move_of[ref]
        return any(a.covers(day) for pid in (m.from_id, m.to_id) for a in world.absences_of(pid))

    start = first or plan.as_of + timedelta(days=policy.handover.rebalance_days_ahead)
    return stagger([(m.case_ref, m.from_id) for m in moves], first=start, last=None,
                   calendar_for=lambda pid: working_days(world.nation_of(pid)),
                   per_day=policy.handover.per_day, busy=busy, blocked=blocked)


# --------------------------------------------------------------------------
# Greedy baseline (for the benchmark)


def greedy_assignment(problem: RebalanceProblem, *, max_moves: int | None = None) -> dict[str, str]:
    """Repeatedly move the cheapest case off the most loaded practitioner (by %
    of target) to the least loaded eligible receiver that stays within target.
    A practitioner with no such move is passed over; each case moves at most once."""
    load = problem.load({})
    limits = problem.limits

    def ratio(q: str) -> float:
        return load[q] / limits[q] if limits[q] > 0 else (math.inf if load[q] > 0 else 0.0)

    held: dict[str, list[ProblemCase]] = {q: [] for q in problem.practitioners}
    for pc in problem.cases:
        if pc.costs:
            held[pc.holder].append(pc)
    assignment: dict[str, str] = {}
    stuck: set[str] = set()
    while max_moves is None or len(assignment) < max_moves:
        over = [q for q in problem.practitioners if load[q] > limits[q] + 1e-9 and q not in stuck]
        if not over:
            break
        giver = max(over, key=lambda q: (ratio(q), q))
        best: tuple[float, str, str, ProblemCase] | None = None
        for pc in held[giver]:
            if pc.case_ref in assignment:
                continue
            fits = [q for q in pc.costs if load[q] + pc.points <= limits[q] + 1e-9]
            if not fits:
                continue
            to = min(fits, key=lambda q: (ratio(q), q))
            key = (pc.costs[to], pc.case_ref, to, pc)
            if best is None or key[:2] < best[:2]:
                best = key
        if best is None:
            stuck.add(giver)
            continue
        _, _, to, pc = best
        assignment[pc.case_ref] = to
        load[giver] -= pc.points
        load[to] += pc.points
    return assignment


def greedy_plan(
    inp: RebalanceInput | RebalanceProblem,
    *,
    target_pct: float | None = None,
    max_moves: int | None = None,
    keep_cases: Iterable[str] = (),
    keep_practitioners: Iterable[str] = (),
) -> RebalancePlan:
    """The greedy baseline's plan (solver name "greedy", status "heuristic")."""
    began = time.perf_counter()
    problem = (
        inp
        if isinstance(inp, RebalanceProblem)
        else build_problem(inp, target_pct=target_pct, keep_cases=keep_cases, keep_practitioners=keep_practitioners)
    )
    assignment = greedy_assignment(problem, max_moves=max_moves)
    report = SolverReport("greedy", "heuristic", None, time.perf_counter() - began, "heuristic", 0, None, None)
    return _make_plan(problem, assignment, report)


# --------------------------------------------------------------------------
# JSON (SPEC §5)


def _num(x: float, nd: int = 2) -> float | None:
    if not math.isfinite(x):
        return None
    return _round(x, nd)


def plan_to_dict(plan: RebalancePlan) -> dict[str, Any]:
    """The SPEC §5 JSON object: enough to check the plan independently. Beyond
    SPEC's keys, each movable case carries `cost_terms` (w, e, m1, k and the
    receivers for whom m2 = 0.5) and `exclusions` lists every excluded case,
    receiver and pair with its reason (`planner.exclusions`)."""
    target = plan.target_pct
    return {
        "team": plan.team_id,
        "as_of": plan.as_of.isoformat(),
        "target_pct": int(target) if float(target).is_integer() else target,
        "practitioners": [
            {
                "practitioner_id": p.practitioner_id,
                "available_points": _num(p.available_points),
                "points_before": _num(p.points_before),
                "points_after": _num(p.points_after),
            }
            for p in plan.practitioners
        ],
        "cases": [
            {
                "case_ref": c.case_ref,
                "practitioner_id": c.practitioner_id,
                "points": _num(c.points),
                "move_costs": {q: _num(v, 6) for q, v in c.move_costs.items()},
                **({"cost_terms": c.terms} if c.terms is not None else {}),
            }
            for c in plan.cases
        ],
        "moves": [
            {"case_ref": m.case_ref, "from": m.from_id, "to": m.to_id, "cost": _num(m.cost, 6), "reason": m.reason}
            for m in plan.moves
        ],
        "total_cost": _num(plan.total_cost, 6),
        "overload_points": _num(plan.overload_points, 6),
        "exclusions": (plan.exclusions or Exclusions({}, {}, {})).to_dict(),
        "solver": {
            "name": plan.solver.name,
            "status": plan.solver.status,
            "gap": None if plan.solver.gap is None else _round(plan.solver.gap, 6),
            "seconds": round(plan.solver.seconds, 3),
        },
    }


__all__ = [
    "DEFAULT_TIME_LIMIT",
    "CaseFacts",
    "DisruptionCost",
    "Move",
    "PlanCase",
    "PlanPractitioner",
    "ProblemCase",
    "RebalanceInput",
    "RebalancePlan",
    "RebalanceProblem",
    "SolverReport",
    "absent_working_days",
    "build_problem",
    "case_exclusion",
    "case_facts",
    "disruption_cost",
    "cover_assignment",
    "cover_pick",
    "fill_assignment",
    "grade_bar",
    "held_for",
    "greedy_assignment",
    "greedy_plan",
    "min_cover_cost",
    "move_reason",
    "overload_floor",
    "plan_rebalance",
    "plan_to_dict",
    "prepare_solver",
    "receiver_exclusion",
    "shed_assignment",
    "solve_problem",
    "with_moves",
]
