"""The sections of workload, rebalancing, handovers and planning (docs/rebalancing.md)."""

from __future__ import annotations

from typing import Any

from planner.model import TIERS
from planner.policy.shape import (
    COUNT,
    DAYS,
    DAYS_OR_ZERO,
    FULL_TIME_POINTS,
    HOURS,
    MULTIPLIER,
    PERCENT,
    POINTS,
    WEIGHT,
    WORKING_DAYS,
    Section,
    clock_check,
    contact_kind_check,
    frozen_section,
    int_check,
    keyed_section,
    same_check,
    section,
    setting,
)

# --------------------------------------------------------------------------
# docs/rebalancing.md: workload and rebalancing


TierPoints = keyed_section(
    "TierPoints", "Community tier points (hmpps-workload reference data).", __name__,
    same_check(float, POINTS, {
        "A3": 206.0, "A2": 158.0, "A1": 146.0, "A0": 110.0,
        "B3": 146.0, "B2": 115.0, "B1": 102.0, "B0": 72.0,
        "C3": 79.0, "C2": 63.0, "C1": 50.0, "C0": 35.0,
        "D3": 51.0, "D2": 41.0, "D1": 29.0, "D0": 29.0,
    }),
)
LevelPoints = keyed_section(
    "LevelPoints", "Points for a case without a tier, by contact level.", __name__,
    same_check(float, POINTS, {"intensive": 150.0, "enhanced": 100.0, "standard": 60.0, "low": 30.0}),
)


@frozen_section
class Workload(Section):
    """Capacity: case points against available points (docs/rebalancing.md, `workload`)."""

    full_time_points: float = setting(2176.0, FULL_TIME_POINTS)  # available points at full_time_hours
    full_time_hours: float = setting(37.0, HOURS)
    amber_from_pct: float = setting(90.0, PERCENT)  # < amber_from green; amber up to red_above
    red_above_pct: float = setting(110.0, PERCENT)  # > red_above red
    target_pct: float = setting(110.0, PERCENT)  # rebalance and departures: at most this capacity %
    tier_points: Any = section(TierPoints)
    level_points: Any = section(LevelPoints)

    def case_points(self, tier: str | None, contact_level: str) -> float:
        if tier and tier.upper() in TIERS:
            return self.tier_points[tier.upper()]
        return self.level_points.get(contact_level, self.level_points.standard)

    def available_points(self, contracted_hours: float, reduction_pct: float) -> float:
        return (
            self.full_time_points
            * contracted_hours
            / self.full_time_hours
            * (1 - reduction_pct / 100)
        )

    def band(self, capacity_pct: float) -> str:
        if capacity_pct < self.amber_from_pct:
            return "green"
        if capacity_pct <= self.red_above_pct:
            return "amber"
        return "red"


@frozen_section
class Disruption(Section):
    """cost = (base + w + e) * m1 * m2 + per_recent_change * k (docs/rebalancing.md)."""

    base: float = setting(10.0, POINTS)
    max_weeks: int = setting(52, WEIGHT)  # w = whole weeks of the current allocation, capped
    early_relationship: float = setting(26.0, POINTS)  # e: a relationship under early_window.days old that has started
    sensitive_multiplier: float = setting(2.0, MULTIPLIER)  # m1 for youth / safeguarding / care_experienced / opd
    known_receiver_multiplier: float = setting(0.5, MULTIPLIER)  # m2 when the receiver knows the person
    known_contact_days: int = setting(730, DAYS)  # receiver's meaningful contact within this many days
    per_recent_change: float = setting(20.0, POINTS)
    recent_change_days: int = setting(365, DAYS)


@frozen_section
class Exclusions(Section):
    """Who a rebalance may not give cases to (docs/rebalancing.md, `exclusions`)."""

    absence_working_days: int = setting(10, WORKING_DAYS)  # receivers absent this many working days...
    absence_window_days: int = setting(28, DAYS)  # ...within the next this-many days are excluded
    leaving_within_days: int = setting(56, DAYS)  # receivers leaving within this many days are excluded
    sentence_end_within_days: int = setting(84, DAYS)  # cases whose order ends within this many days stay


@frozen_section
class HandoverDefaults(Section):
    """When handovers are dated (`handover`, docs/handovers.md)."""

    default_days_ahead: int = setting(14, DAYS_OR_ZERO)  # one handover planned by hand, and a departure's first day
    short_notice_days: int = setting(7, DAYS_OR_ZERO)  # a departure's earliest day when the days run out
    rebalance_days_ahead: int = setting(28, DAYS_OR_ZERO)  # a rebalance's handovers start as-of + this
    per_day: int = setting(2, COUNT)  # at most this many handovers a working day per outgoing practitioner


@frozen_section
class Planning(Section):
    """The practitioner's working hours for `caseload week --suggest` and
    the week screen's plan (`planning`, planner/suggest.py)."""

    day_starts: str = setting("09:00", clock_check)  # the first slot starts then
    day_ends: str = setting("17:00", clock_check)  # the last slot ends by then
    slot_minutes: int = setting(60, int_check(5, 600, "must be a whole number of minutes, 5 to 600"))
    kind: str = setting("office", contact_kind_check)  # the kind of appointment proposed
    per_day: int = setting(6, COUNT)  # proposals only on days with fewer timed appointments, unless one would be late


