"""The team screen's and the rebalance screen's side of the database (issue 6).

Like `tui.data`, every function here is called from a thread worker, opens
one short session through the app's `Gateway` (so a lost connection becomes
`ConnectionLost`), and returns plain frozen views; nothing here touches a
widget and nothing here decides a rule: capacity comes from
`planner.workload`, warnings from `planner.risk`, the plan from
`planner.rebalance`, and applying it from `storage.team`:

    view = team_view(gateway, "N1-01", as_of)          # NotALead for anyone but a team lead
    solved = solve_rebalance(gateway, "N1-01", as_of, target_pct=100, max_moves=None)
    plan = with_moves(solved.plan, accepted_refs)       # planner.rebalance, on the UI side
    applied = apply_rebalance(gateway, plan, handover_on=None, actor="N1-01")  # one transaction
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date, timedelta

from planner.errors import CaseloadError, NotALead
from planner.model import Absence, Practitioner
from planner.policy import Policy
from tui.data import absence_end, absence_span

__all__ = [
    "MemberRow",
    "NotALead",
    "SolvedPlan",
    "TeamView",
    "apply_rebalance",
    "capacity_bar",
    "check_lead",
    "handover_date",
    "solve_rebalance",
    "team_view",
]

AWAY_HORIZON_DAYS = 56  # absences shown on the team screen: current, or starting within 8 weeks


# ----------------------------------------------------------------------------- views


@dataclass(frozen=True)
class MemberRow:
    practitioner: Practitioner
    load: object  # planner.workload.PractitionerLoad
    counts: dict  # severity -> number of warnings over the practitioner's open cases
    absences: tuple[Absence, ...]  # current or starting within AWAY_HORIZON_DAYS
    leaving_on: date | None
    handovers_out: int = 0  # open handovers of this practitioner's cases to someone else
    handovers_in: int = 0  # open handovers of colleagues' cases to this practitioner
    points_out: float = 0.0  # points of the cases handed over (they move when completed)
    points_in: float = 0.0

    @property
    def practitioner_id(self) -> str:
        return self.practitioner.practitioner_id

    @property
    def role_grade(self) -> str:
        return f"lead {self.practitioner.grade}" if self.practitioner.is_lead else self.practitioner.grade

    def away_short(self, as_of: date) -> str:
        """`leaves 18 Dec` / `away to 01 Dec` / `away 07 Dec–28 Feb` (+n more); `—` when nothing."""
        parts = []
        if self.leaving_on is not None:
            parts.append(f"left {self.leaving_on:%d %b}" if self.leaving_on < as_of
                         else f"leaves {self.leaving_on:%d %b}")
        if self.absences:
            a = self.absences[0]
            parts.append(f"away to {absence_end(a)}" if a.start_date <= as_of
                         else f"away {absence_span(a, sep='–')}")
            if len(self.absences) > 1:
                parts[-1] += f" +{len(self.absences) - 1}"
        return "; ".join(parts) or "—"

    @property
    def handovers_short(self) -> str:
        """`3 out`, `2 in`, `1 out 2 in` or `—`: open handovers (the load moves on completion)."""
        parts = ([f"{self.handovers_out} out"] if self.handovers_out else []) + (
            [f"{self.handovers_in} in"] if self.handovers_in else [])
        return " ".join(parts) or "—"

    def away_long(self, as_of: date) -> str:
        """Every shown absence and the leaving date, in words, for the detail line."""
        parts = []
        if self.leaving_on is not None:
            verb = "left" if self.leaving_on < as_of else "leaves"
            parts.append(f"{verb} the team on {self.leaving_on:%a %d %b %Y}")
        for a in self.absences:
            when = (f"until {absence_end(a, '%a %d %b')}" if a.start_date <= as_of
                    else absence_span(a, "%a %d %b", " to "))
            parts.append(f"{a.kind} {when}")
        return "; ".join(parts) or "no absence in the next 8 weeks"


@dataclass(frozen=True)
class TeamView:
    as_of: date
    lead: Practitioner
    team_id: str
    team_name: str
    members: tuple[MemberRow, ...]
    counts: dict = field(default_factory=dict)  # the team's warnings by severity

    def member(self, practitioner_id: str) -> MemberRow | None:
        return next((m for m in self.members if m.practitioner_id == practitioner_id), None)


@dataclass(frozen=True)
class SolvedPlan:
    plan: object  # planner.rebalance.RebalancePlan, as the solver returned it
    names: dict  # practitioner_id -> name (for the screen; privacy mode shows initials)
    case_names: dict  # case_ref -> display name of the person (privacy mode shows initials)
    handover_on: date  # the first date the planned handovers are staggered from
    dates: dict = field(default_factory=dict)  # case_ref -> staggered handover date (storage.team.plan_dates)


# ----------------------------------------------------------------------------- helpers


def capacity_bar(pct: float, width: int = 10) -> str:
    """`██████████▶` style text bar: `width` cells = 100 %, `▶` when over 100 %."""
    if math.isinf(pct):
        return "█" * width + "▶"
    filled = max(0, min(width, round(pct / 100 * width)))
    if pct > 0 and filled == 0:
        filled = 1  # a practitioner with any load shows at least one cell
    return "█" * filled + "░" * (width - filled) + ("▶" if pct > 100.5 else " ")


def handover_date(as_of: date, policy: Policy) -> date:
    """docs/handovers.md: the planned handovers of a rebalance are staggered from as-of + 28 days."""
    return as_of + timedelta(days=policy.handover.rebalance_days_ahead)


def check_lead(session, practitioner_id: str | None) -> Practitioner:
    """The signed-in practitioner if a team lead, else NotALead (in words)."""
    from storage.queries import list_practitioners

    if not practitioner_id:
        raise NotALead("Choose who you are first (P): the team workload is for team leads.")
    me = next((p for p in list_practitioners(session) if p.practitioner_id == practitioner_id), None)
    if me is None:
        raise NotALead(f"Unknown practitioner {practitioner_id}.")
    if not me.is_lead:
        raise NotALead(f"{practitioner_id} is not a team lead: the team workload and rebalancing "
                       "are for team leads.")
    return me


def _may_lead(gateway, session, lead: Practitioner) -> None:
    """The lead whose team the screen shows must be who acts (storage.access)."""
    from storage.access import require_lead

    me = gateway.me(session)
    if not me.is_admin and me.practitioner_id != lead.practitioner_id:
        require_lead(me, lead.team_id, "see the team's workload")


# ----------------------------------------------------------------------------- reads


def team_view(gateway, practitioner_id: str | None, as_of: date) -> TeamView:
    """Every practitioner of the lead's team: load and band, warnings by
    severity, absences ahead and leaving dates. NotALead for anyone else."""
    from planner.risk import evaluate, severity_counts
    from planner.workload import case_points, team_workload
    from storage.queries import load_cases, load_world

    policy = gateway.policy
    with gateway.session() as s:
        me = check_lead(s, practitioner_id)
        _may_lead(gateway, s, me)
        world = load_world(s)
        cases = load_cases(s, team_id=me.team_id)
    loads = team_workload(cases, world, me.team_id, as_of, policy)
    risks = evaluate([c for c in cases if c.status != "closed"], world, as_of, policy)
    by_holder: dict[str, list] = {}
    for r in risks:
        by_holder.setdefault(r.case.practitioner_id or "", []).extend(r.warnings)
    moving: dict[str, list[float]] = {}  # practitioner_id -> [out, in, points out, points in]
    for c in cases:
        h = c.open_handover
        if h is None or c.status == "closed" or not c.practitioner_id:
            continue
        pts = case_points(c, policy)
        for pid, i in ((c.practitioner_id, 0), (h.to_practitioner_id, 1)):
            row = moving.setdefault(pid, [0, 0, 0.0, 0.0])
            row[i] += 1
            row[i + 2] += pts
    horizon = as_of + timedelta(days=AWAY_HORIZON_DAYS)
    members = []
    for load in loads:
        p = world.practitioners[load.practitioner_id]
        away = tuple(sorted((a for a in world.absences_of(p.practitioner_id)
                             if a.last_day >= as_of and a.start_date <= horizon),
                            key=lambda a: a.start_date))
        out, into, pts_out, pts_in = moving.get(p.practitioner_id, (0, 0, 0.0, 0.0))
        members.append(MemberRow(p, load, severity_counts(by_holder.get(p.practitioner_id, ())), away,
                                 p.leaving_on, int(out), int(into), pts_out, pts_in))
    team = world.teams.get(me.team_id)
    return TeamView(
        as_of=as_of,
        lead=me,
        team_id=me.team_id,
        team_name=team.name if team is not None else me.team_id,
        members=tuple(members),
        counts=severity_counts(w for r in risks for w in r.warnings),
    )


def solve_rebalance(
    gateway,
    practitioner_id: str | None,
    as_of: date,
    *,
    target_pct: float | None = None,
    max_moves: int | None = None,
    time_limit: float | None = None,
) -> SolvedPlan:
    """The least-disruption plan for the lead's team (planner.rebalance with
    HiGHS, within the time limit). NotALead for anyone but a team lead."""
    from planner.rebalance import DEFAULT_TIME_LIMIT, plan_rebalance, prepare_solver
    from storage.team import plan_dates, rebalance_input

    prepare_solver()  # idempotent; keeps HiGHS's first-use banner off the terminal
    policy = gateway.policy
    with gateway.session() as s:
        me = check_lead(s, practitioner_id)
        _may_lead(gateway, s, me)
        inp = rebalance_input(s, me.team_id, as_of, policy)
    plan = plan_rebalance(inp, target_pct=target_pct, max_moves=max_moves,
                          time_limit=time_limit or DEFAULT_TIME_LIMIT)
    with gateway.session() as s:
        dates = plan_dates(s, plan, policy=policy)
    names = {p.practitioner_id: p.name for p in inp.members}
    case_names = {c.case_ref: c.display_name for c in inp.cases}
    return SolvedPlan(plan, names, case_names, handover_date(as_of, policy), dates)



# ----------------------------------------------------------------------------- writes


def apply_rebalance(gateway, plan, *, handover_on: date | None, actor: str, dates: dict | None = None):
    """Plan a warm handover (with its checklist) for every accepted move, on
    the dates the lead confirmed (`dates`, else staggered from `handover_on`),
    and audit the rebalance, in one transaction (storage.team.apply_plan). A
    refused actor raises CaseloadError, a case that changed since the plan was
    made ConflictError; either way nothing is written."""
    from storage.repo import commit_or_conflict
    from storage.team import apply_plan

    if not plan.moves:
        raise CaseloadError("No move is accepted: nothing to plan.")
    with gateway.session() as s:
        applied = apply_plan(s, plan, handover_on=handover_on, dates=dates, actor=actor, policy=gateway.policy)
        commit_or_conflict(s)
    return applied
