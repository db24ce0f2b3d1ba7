"""Workload: points per case, available points, capacity % and bands (docs/rebalancing.md).

    points     = tier points (A3 206 ... D0 29), else contact-level points
                 (intensive 150, enhanced 100, standard 60, low 30); a closed
                 case counts 0 (it has left the caseload)
    available  = 2176 x contracted hours / 37 x (1 - reduction %)
    capacity % = points / available x 100
    band       = green < 90, amber 90..110, red > 110

Every number comes from `policy.workload` (the `[workload]` table of the
policy file). A practitioner with no available points (a 100 % reduction)
and some cases is at infinite capacity %, shown as "no capacity".
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from planner.model import Case, Practitioner, World
from planner.policy import DEFAULT_POLICY, Policy

GREEN, AMBER, RED = "green", "amber", "red"

# Severity is never colour alone: each band has words.
BAND_WORDS = {
    GREEN: "under capacity",
    AMBER: "near capacity",
    RED: "over capacity",
}
BAND_SHORT = {GREEN: "OK", AMBER: "FULL", RED: "OVER"}


def case_points(case: Case, policy: Policy = DEFAULT_POLICY) -> float:
    """Workload points of one case: by tier, else by contact level; 0 if closed."""
    if case.status == "closed":
        return 0.0
    return float(policy.workload.case_points(case.tier, case.contact_level))


def available_points(practitioner: Practitioner, policy: Policy = DEFAULT_POLICY) -> float:
    """2176 x hours / 37 x (1 - reduction %), never below 0."""
    return max(
        0.0,
        policy.workload.available_points(practitioner.contracted_hours, practitioner.reduction_pct),
    )


def capacity_pct(points: float, available: float) -> float:
    """points / available x 100; with no available points: 0 if no points, else infinity."""
    if available <= 0:
        return 0.0 if points <= 0 else math.inf
    return points / available * 100.0


def band(pct: float, policy: Policy = DEFAULT_POLICY) -> str:
    """green, amber or red for a capacity %."""
    return policy.workload.band(pct)


def band_words(band_name: str) -> str:
    return BAND_WORDS.get(band_name, band_name)


def format_pct(pct: float) -> str:
    """"104%" (whole percent), or "no capacity" for infinity."""
    if math.isinf(pct):
        return "no capacity"
    return f"{pct:.0f}%"


@dataclass(frozen=True, slots=True)
class PractitionerLoad:
    """One practitioner's workload on a date."""

    practitioner_id: str
    role: str
    grade: str
    case_count: int
    points: float
    available_points: float
    capacity_pct: float  # math.inf when available_points is 0 and points > 0
    band: str  # green | amber | red

    @property
    def band_words(self) -> str:
        return BAND_WORDS[self.band]

    @property
    def band_short(self) -> str:
        return BAND_SHORT[self.band]

    @property
    def pct_text(self) -> str:
        return format_pct(self.capacity_pct)

    @property
    def headroom_points(self) -> float:
        """Points that can still be taken on before 100 % (negative when over)."""
        return self.available_points - self.points


def _held_by(cases: Iterable[Case], practitioner_id: str) -> list[Case]:
    return [c for c in cases if c.status != "closed" and c.practitioner_id == practitioner_id]


def load_of(
    practitioner: Practitioner, cases: Iterable[Case], policy: Policy = DEFAULT_POLICY
) -> PractitionerLoad:
    """The load of a practitioner from the cases they currently hold (others ignored)."""
    held = _held_by(cases, practitioner.practitioner_id)
    points = sum(case_points(c, policy) for c in held)
    available = available_points(practitioner, policy)
    pct = capacity_pct(points, available)
    return PractitionerLoad(
        practitioner_id=practitioner.practitioner_id,
        role=practitioner.role,
        grade=practitioner.grade,
        case_count=len(held),
        points=points,
        available_points=available,
        capacity_pct=pct,
        band=band(pct, policy),
    )


def practitioner_load(
    practitioner_id: str,
    cases: Iterable[Case],
    world: World,
    as_of: date,
    policy: Policy = DEFAULT_POLICY,
) -> PractitionerLoad:
    """One practitioner's capacity (the app's capacity strip on the caseload and
    week screens). `as_of` is part of the signature for reproducibility; the
    load is that of the current allocations. Unknown practitioners count as
    full-time with no reduction."""
    del as_of  # the load is that of the current allocations
    practitioner = world.practitioners.get(practitioner_id) or Practitioner(
        practitioner_id, practitioner_id, ""
    )
    return load_of(practitioner, cases, policy)


def team_workload(
    cases: Iterable[Case],
    world: World,
    team_id: str,
    as_of: date,
    policy: Policy = DEFAULT_POLICY,
) -> list[PractitionerLoad]:
    """Every practitioner of the team (by practitioner_id), with their load."""
    del as_of
    by_holder: dict[str, list[Case]] = {}
    for case in cases:
        by_holder.setdefault(case.practitioner_id or "", []).append(case)
    members = sorted(
        (p for p in world.practitioners.values() if p.team_id == team_id),
        key=lambda p: p.practitioner_id,
    )
    return [load_of(p, by_holder.get(p.practitioner_id, ()), policy) for p in members]


__all__ = [
    "AMBER",
    "BAND_SHORT",
    "BAND_WORDS",
    "GREEN",
    "RED",
    "PractitionerLoad",
    "available_points",
    "band",
    "band_words",
    "capacity_pct",
    "case_points",
    "format_pct",
    "load_of",
    "practitioner_load",
    "team_workload",
]
