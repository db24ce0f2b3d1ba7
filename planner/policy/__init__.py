"""Every number the planner uses, in one typed, frozen place.

`Policy()` holds the defaults of the relationship-risk rules (docs/rules.md) and of docs/rebalancing.md
(workload and rebalancing). A TOML file overrides only the keys it names:

    [thresholds.standard]
    after = 21

    [practitioner_churn]
    high_at = 5

The section names follow the rule ids, so the threshold of `contact_overdue`
lives under `[contact_overdue]`. `planner/default_policy.toml` documents every
key with its default. An unknown key, a wrong type or an out-of-range value
raises `ConfigError` naming the file and the dotted key.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any, Callable

from planner.errors import ConfigError
from planner.model import CONTACT_LEVELS, NATIONS, TIERS
from planner.tomlfile import read_toml

CONFIG_FILE_NAME = "caseload.toml"

# --------------------------------------------------------------------------
# Value checks. Each returns the value to store, or raises _Bad(reason).


class _Bad(Exception):
    pass


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _int_check(minimum: int, maximum: int, reason: str) -> Callable[[Any], int]:
    def check(value: Any) -> int:
        if not _is_int(value) or value < minimum:
            raise _Bad(reason)
        if value > maximum:
            raise _Bad(f"must be at most {maximum}")
        return value

    return check


def _number_check(minimum: float, strict: bool, maximum: float, reason: str) -> Callable[[Any], float]:
    def check(value: Any) -> float:
        if _is_number(value) and not math.isfinite(value):  # TOML has nan and inf
            raise _Bad("must be a finite number")
        if not _is_number(value) or value < minimum or (strict and value == minimum):
            raise _Bad(reason)
        if value > maximum:
            raise _Bad(f"must be at most {maximum:g}")
        return float(value)

    return check


def _nation_check(value: Any) -> str:
    if not isinstance(value, str) or value not in NATIONS:
        raise _Bad("must be one of " + ", ".join(NATIONS))
    return value


# The upper bounds keep every count inside what the rules can reckon with:
# day counts within ten years (dates stay in the calendar whatever the as-of
# date: planner/validate.py), numbers the solver can take exactly.
MAX_DAYS = 3660
DAYS = _int_check(1, MAX_DAYS, "must be a positive whole number of days")
DAYS_OR_ZERO = _int_check(0, MAX_DAYS, "must be a whole number of days, 0 or more")
WORKING_DAYS = _int_check(1, 260, "must be a positive whole number of working days")
COUNT = _int_check(1, 1000, "must be a positive whole number")
WEIGHT = _int_check(0, 1_000_000, "must be a whole number, 0 or more")
MULTIPLIER = _number_check(0, True, 1000, "must be a positive number")
POINTS = _number_check(0, False, 100_000, "must be a number, 0 or more")
FULL_TIME_POINTS = _number_check(0, True, 100_000, "must be a positive number")
HOURS = _number_check(0, True, 168, "must be a positive number of hours")
PERCENT = _number_check(0, True, 1000, "must be a positive percentage")


def _v(default: Any, check: Callable[[Any], Any]) -> Any:
    """A leaf setting: its default and how a value from a file is checked."""
    return field(default=default, metadata={"check": check})


def _section(cls: type) -> Any:
    return field(default_factory=cls, metadata={"section": cls})


class _Mapping:
    """Sections keyed by a domain word (a level or a tier) read like a dict too."""

    def __getitem__(self, key: str) -> Any:
        if key not in self.__dataclass_fields__:  # type: ignore[attr-defined]
            raise KeyError(key)
        return getattr(self, key)

    def __contains__(self, key: object) -> bool:
        return key in self.__dataclass_fields__  # type: ignore[attr-defined]

    def get(self, key: str, default: Any = None) -> Any:
        if key in self.__dataclass_fields__:  # type: ignore[attr-defined]
            return getattr(self, key)
        return default

    def keys(self) -> tuple[str, ...]:
        return tuple(self.__dataclass_fields__)  # type: ignore[attr-defined]

    def as_dict(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in self.keys()}


# --------------------------------------------------------------------------
# docs/rules.md: relationship-risk rules
#
# The sections are built once, at import, on the app's start-up path: plain
# frozen dataclasses without slots (a few instances, nothing needs them, and
# `slots=True` builds every class twice), each with a docstring (without one,
# `dataclass` works one out with `inspect.signature`).


@dataclass(frozen=True)
class LevelThreshold:
    """Gap threshold T in calendar days for one contact level."""

    early: int = _v(14, DAYS)  # while the current relationship is in the early window
    after: int = _v(28, DAYS)  # after the early window


@dataclass(frozen=True)
class Thresholds(_Mapping):
    """Gap threshold T by contact level (`[thresholds.<level>]`)."""

    intensive: LevelThreshold = field(
        default_factory=lambda: LevelThreshold(7, 14), metadata={"section": LevelThreshold}
    )
    enhanced: LevelThreshold = field(
        default_factory=lambda: LevelThreshold(7, 21), metadata={"section": LevelThreshold}
    )
    standard: LevelThreshold = field(
        default_factory=lambda: LevelThreshold(14, 28), metadata={"section": LevelThreshold}
    )
    low: LevelThreshold = field(
        default_factory=lambda: LevelThreshold(14, 42), metadata={"section": LevelThreshold}
    )


@dataclass(frozen=True)
class EarlyWindow:
    """How long a relationship counts as new (`early_window`)."""

    days: int = _v(84, DAYS)  # the current relationship is "new" while under this age


@dataclass(frozen=True)
class ContactOverdue:
    """When a contact past its due date turns from medium to high (`contact_overdue`)."""

    high_multiplier: float = _v(1.5, MULTIPLIER)  # high when gap > multiplier x T...
    booked_within_days: int = _v(7, DAYS_OR_ZERO)  # ...and nothing is booked within this many days


@dataclass(frozen=True)
class ContactDue:
    """How early a contact falls due (`contact_due`): lead = min(max, max(min, floor((T + 2) / 4)))."""

    max_lead_days: int = _v(7, DAYS)
    min_lead_days: int = _v(1, DAYS)


@dataclass(frozen=True)
class RelationshipGap:
    """The practitioner's own gap that warns (`relationship_gap`)."""

    multiplier: float = _v(2.0, MULTIPLIER)  # own gap (absences not counted) > multiplier x T


@dataclass(frozen=True)
class FirstContact:
    """The first-contact deadline with a new practitioner (`first_contact`)."""

    working_days: int = _v(5, WORKING_DAYS)  # deadline: nth working day after allocation start
    intensive_working_days: int = _v(2, WORKING_DAYS)
    lookahead_days: int = _v(7, DAYS_OR_ZERO)  # warn (low) this many days before the deadline


@dataclass(frozen=True)
class EarlyBreak:
    """A new relationship that will break before its early window ends (`early_break`)."""

    absence_working_days: int = _v(10, WORKING_DAYS)  # absences this long (working days) break it


@dataclass(frozen=True)
class HandoverUpcoming:
    """A planned handover with checklist items late or falling due (`handover_upcoming`)."""

    horizon_days: int = _v(28, DAYS)  # handovers this many days ahead or sooner (or past)
    soon_days: int = _v(3, DAYS_OR_ZERO)  # items due within this many days count as well as late ones
    high_within_days: int = _v(3, DAYS_OR_ZERO)  # high: a late item and this many days or fewer to go


@dataclass(frozen=True)
class HandoverUnplanned:
    """A departure or long absence with no handover planned (`handover_unplanned`)."""

    horizon_days: int = _v(56, DAYS)
    long_absence_days: int = _v(28, DAYS)  # absences this long (calendar days), or open-ended
    high_within_days: int = _v(14, DAYS_OR_ZERO)


@dataclass(frozen=True)
class ColdHandover:
    """How long a cold or slow handover keeps warning until reviewed (`cold_handover`)."""

    window_days: int = _v(84, DAYS)


@dataclass(frozen=True)
class PractitionerChurn:
    """How many practitioners within a window warn of churn (`practitioner_churn`)."""

    window_days: int = _v(365, DAYS)
    medium_at: int = _v(3, COUNT)
    high_at: int = _v(4, COUNT)
    youth_high_at: int = _v(3, COUNT)  # for a child
    short_allocation_days: int = _v(14, DAYS)  # shorter ones with no meaningful contact are not counted


@dataclass(frozen=True)
class MissedAppointments:
    """Runs of missed contacts that warn (`missed_appointments`)."""

    medium_at: int = _v(2, COUNT)
    high_at: int = _v(3, COUNT)


@dataclass(frozen=True)
class PractitionerCancelled:
    """Contacts cancelled by the practitioner's side (`practitioner_cancelled`)."""

    window_days: int = _v(56, DAYS)
    medium_at: int = _v(2, COUNT)
    high_at: int = _v(3, COUNT)


@dataclass(frozen=True)
class CoverNeeded:
    """How far ahead an absence without cover warns (`cover_needed`)."""

    horizon_days: int = _v(28, DAYS)


ANSWER = _int_check(1, 5, "must be a whole number from 1 to 5 (a check-in answer)")


@dataclass(frozen=True)
class AllianceLow:
    """The person's check-ins that warn (`alliance_low`, docs/voice.md)."""

    window_days: int = _v(84, DAYS)  # the latest check-in with the current practitioner, this recent
    low_answer: int = _v(2, ANSWER)  # an answer at or below this
    drop: int = _v(3, COUNT)  # or a total this much below the previous check-in with the same practitioner


@dataclass(frozen=True)
class CheckinDue:
    """When a relationship is due a check-in (`checkin_due`, docs/voice.md)."""

    relationship_days: int = _v(28, DAYS)  # a relationship older than this
    window_days: int = _v(84, DAYS)  # with no check-in with the current practitioner this recent


@dataclass(frozen=True)
class ReleaseComing:
    """A custody case coming up to release (`release_coming`, §11)."""

    window_days: int = _v(56, DAYS)  # release within this many days...
    no_contact_days: int = _v(28, DAYS)  # ...and no own meaningful contact in this many days: medium
    high_within_days: int = _v(14, DAYS_OR_ZERO)  # high when the release is this near


@dataclass(frozen=True)
class OrderEnding:
    """The end of an order or licence (`order_ending`, a status)."""

    window_days: int = _v(28, DAYS)


@dataclass(frozen=True)
class Turning18:
    """A child turning 18 without a transition planned (`turning_18`)."""

    window_days: int = _v(182, DAYS)
    high_within_days: int = _v(56, DAYS_OR_ZERO)


@dataclass(frozen=True)
class SeverityWeights(_Mapping):
    """Risk-score points per warning severity (`severity_weights`)."""

    high: int = _v(100, WEIGHT)
    medium: int = _v(10, WEIGHT)
    low: int = _v(1, WEIGHT)


# --------------------------------------------------------------------------
# docs/rebalancing.md: workload and rebalancing


@dataclass(frozen=True)
class TierPoints(_Mapping):
    """Community tier points (hmpps-workload reference data)."""

    A3: float = _v(206.0, POINTS)
    A2: float = _v(158.0, POINTS)
    A1: float = _v(146.0, POINTS)
    A0: float = _v(110.0, POINTS)
    B3: float = _v(146.0, POINTS)
    B2: float = _v(115.0, POINTS)
    B1: float = _v(102.0, POINTS)
    B0: float = _v(72.0, POINTS)
    C3: float = _v(79.0, POINTS)
    C2: float = _v(63.0, POINTS)
    C1: float = _v(50.0, POINTS)
    C0: float = _v(35.0, POINTS)
    D3: float = _v(51.0, POINTS)
    D2: float = _v(41.0, POINTS)
    D1: float = _v(29.0, POINTS)
    D0: float = _v(29.0, POINTS)


@dataclass(frozen=True)
class LevelPoints(_Mapping):
    """Points for a case without a tier, by contact level."""

    intensive: float = _v(150.0, POINTS)
    enhanced: float = _v(100.0, POINTS)
    standard: float = _v(60.0, POINTS)
    low: float = _v(30.0, POINTS)


@dataclass(frozen=True)
class Workload:
    """Capacity: case points against available points (docs/rebalancing.md, `workload`)."""

    full_time_points: float = _v(2176.0, FULL_TIME_POINTS)  # available points at full_time_hours
    full_time_hours: float = _v(37.0, HOURS)
    amber_from_pct: float = _v(90.0, PERCENT)  # < amber_from green; amber up to red_above
    red_above_pct: float = _v(110.0, PERCENT)  # > red_above red
    target_pct: float = _v(110.0, PERCENT)  # rebalance and departures: at most this capacity %
    tier_points: TierPoints = _section(TierPoints)
    level_points: LevelPoints = _section(LevelPoints)

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


@dataclass(frozen=True)
class Disruption:
    """cost = (base + w + e) * m1 * m2 + per_recent_change * k (docs/rebalancing.md)."""

    base: float = _v(10.0, POINTS)
    max_weeks: int = _v(52, WEIGHT)  # w = whole weeks of the current allocation, capped
    early_relationship: float = _v(26.0, POINTS)  # e: a relationship under early_window.days old that has started
    sensitive_multiplier: float = _v(2.0, MULTIPLIER)  # m1 for youth / safeguarding / care_experienced / opd
    known_receiver_multiplier: float = _v(0.5, MULTIPLIER)  # m2 when the receiver knows the person
    known_contact_days: int = _v(730, DAYS)  # receiver's meaningful contact within this many days
    per_recent_change: float = _v(20.0, POINTS)
    recent_change_days: int = _v(365, DAYS)


@dataclass(frozen=True)
class Exclusions:
    """Who a rebalance may not give cases to (docs/rebalancing.md, `exclusions`)."""

    absence_working_days: int = _v(10, WORKING_DAYS)  # receivers absent this many working days...
    absence_window_days: int = _v(28, DAYS)  # ...within the next this-many days are excluded
    leaving_within_days: int = _v(56, DAYS)  # receivers leaving within this many days are excluded
    sentence_end_within_days: int = _v(84, DAYS)  # cases whose order ends within this many days stay


@dataclass(frozen=True)
class HandoverDefaults:
    """When handovers are dated (`handover`, docs/handovers.md)."""

    default_days_ahead: int = _v(14, DAYS_OR_ZERO)  # one handover planned by hand, and a departure's first day
    short_notice_days: int = _v(7, DAYS_OR_ZERO)  # a departure's earliest day when the days run out
    rebalance_days_ahead: int = _v(28, DAYS_OR_ZERO)  # a rebalance's handovers start as-of + this
    per_day: int = _v(2, COUNT)  # at most this many handovers a working day per outgoing practitioner


def _clock_check(value: Any) -> str:
    """A time of day as HH:MM (24-hour)."""
    import datetime as dt

    if not isinstance(value, str):
        raise _Bad("must be a time of day as \"HH:MM\"")
    try:
        dt.time.fromisoformat(value)
    except ValueError:
        raise _Bad("must be a time of day as \"HH:MM\"") from None
    if len(value) != 5:
        raise _Bad("must be a time of day as \"HH:MM\"")
    return value


def _kind_check(value: Any) -> str:
    from planner.model import CONTACT_KINDS

    if value not in CONTACT_KINDS:
        raise _Bad(f"must be one of {', '.join(CONTACT_KINDS)}")
    return value


@dataclass(frozen=True)
class Planning:
    """The practitioner's working hours for `caseload week --suggest` and
    the week screen's plan (`planning`, planner/suggest.py)."""

    day_starts: str = _v("09:00", _clock_check)  # the first slot starts then
    day_ends: str = _v("17:00", _clock_check)  # the last slot ends by then
    slot_minutes: int = _v(60, _int_check(5, 600, "must be a whole number of minutes, 5 to 600"))
    kind: str = _v("office", _kind_check)  # the kind of appointment proposed
    per_day: int = _v(6, COUNT)  # proposals only on days with fewer timed appointments, unless one would be late


# --------------------------------------------------------------------------


@dataclass(frozen=True)
class Policy:
    """Every setting of the rules (docs/rules.md) and of docs/rebalancing.md, one section per rule or topic (see the module docstring)."""

    nation: str = _v("england-and-wales", _nation_check)  # bank holidays when a team has none
    thresholds: Thresholds = _section(Thresholds)
    early_window: EarlyWindow = _section(EarlyWindow)
    contact_overdue: ContactOverdue = _section(ContactOverdue)
    contact_due: ContactDue = _section(ContactDue)
    relationship_gap: RelationshipGap = _section(RelationshipGap)
    first_contact: FirstContact = _section(FirstContact)
    early_break: EarlyBreak = _section(EarlyBreak)
    handover_upcoming: HandoverUpcoming = _section(HandoverUpcoming)
    handover_unplanned: HandoverUnplanned = _section(HandoverUnplanned)
    cold_handover: ColdHandover = _section(ColdHandover)
    practitioner_churn: PractitionerChurn = _section(PractitionerChurn)
    missed_appointments: MissedAppointments = _section(MissedAppointments)
    practitioner_cancelled: PractitionerCancelled = _section(PractitionerCancelled)
    cover_needed: CoverNeeded = _section(CoverNeeded)
    alliance_low: AllianceLow = _section(AllianceLow)
    checkin_due: CheckinDue = _section(CheckinDue)
    release_coming: ReleaseComing = _section(ReleaseComing)
    order_ending: OrderEnding = _section(OrderEnding)
    turning_18: Turning18 = _section(Turning18)
    severity_weights: SeverityWeights = _section(SeverityWeights)
    workload: Workload = _section(Workload)
    disruption: Disruption = _section(Disruption)
    exclusions: Exclusions = _section(Exclusions)
    handover: HandoverDefaults = _section(HandoverDefaults)
    planning: Planning = _section(Planning)

    def threshold(self, contact_level: str, early: bool) -> int:
        """T of docs/rules.md for a contact level (unknown levels count as standard)."""
        level = self.thresholds.get(contact_level) or self.thresholds.standard
        return level.early if early else level.after

    def lead_days(self, threshold: int) -> int:
        """`lead` of docs/rules.md: min(7, max(1, floor((T + 2) / 4))) with the defaults."""
        due = self.contact_due
        return min(due.max_lead_days, max(due.min_lead_days, (threshold + 2) // 4))

    def first_contact_working_days(self, contact_level: str) -> int:
        if contact_level == "intensive":
            return self.first_contact.intensive_working_days
        return self.first_contact.working_days

    def weight(self, severity: str) -> int:
        return self.severity_weights.get(severity, 0)


DEFAULT_POLICY = Policy()

assert Thresholds().keys() == CONTACT_LEVELS
assert TierPoints().keys() == TIERS


# --------------------------------------------------------------------------
# Loading


def default_config_path() -> Path:
    """platformdirs' user config folder for caseload, and caseload.toml in it."""
    from platformdirs import user_config_dir

    return Path(user_config_dir("caseload")) / CONFIG_FILE_NAME


def load_policy(path: str | Path | None = None) -> Policy:
    """The policy from a TOML file; keys it does not name keep their defaults.

    With no path, read the user's config folder caseload.toml if there is one,
    else return the defaults. Raises ConfigError ("FILE: dotted.key: reason").
    """
    if path is None:
        candidate = default_config_path()
        if not candidate.is_file():
            return DEFAULT_POLICY
        path = candidate
    path = Path(path)
    label = str(path)
    data = read_toml(path)
    return policy_from_dict(data, label=label)


def policy_from_dict(data: dict[str, Any], label: str = CONFIG_FILE_NAME) -> Policy:
    """Apply a parsed TOML document to the defaults (see load_policy)."""
    policy = _apply(DEFAULT_POLICY, data, prefix="", label=label)
    _check_relations(policy, label)
    return policy


def _describe(value: Any) -> str:
    if isinstance(value, str):
        return repr(value)
    if isinstance(value, dict):
        return "a table"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _apply(section: Any, data: Any, prefix: str, label: str) -> Any:
    where = prefix.rstrip(".")
    if not isinstance(data, dict):
        raise ConfigError(f"{label}: {where}: must be a table, got {_describe(data)}")
    by_name = {f.name: f for f in fields(section)}
    changes: dict[str, Any] = {}
    for key, value in data.items():
        dotted = prefix + key
        spec = by_name.get(key)
        if spec is None:
            known = ", ".join(by_name)
            raise ConfigError(f"{label}: {dotted}: unknown key (known here: {known})")
        if "section" in spec.metadata:
            changes[key] = _apply(getattr(section, key), value, dotted + ".", label)
        else:
            try:
                changes[key] = spec.metadata["check"](value)
            except _Bad as bad:
                raise ConfigError(f"{label}: {dotted}: {bad}, got {_describe(value)}") from None
    return replace(section, **changes) if changes else section


def _check_relations(policy: Policy, label: str) -> None:
    def bad(key: str, reason: str) -> None:
        raise ConfigError(f"{label}: {key}: {reason}")

    upcoming = policy.handover_upcoming
    if upcoming.high_within_days > upcoming.horizon_days:
        bad(
            "handover_upcoming.high_within_days",
            f"must not exceed horizon_days ({upcoming.horizon_days}), got {upcoming.high_within_days}",
        )
    due = policy.contact_due
    if due.min_lead_days > due.max_lead_days:
        bad(
            "contact_due.min_lead_days",
            f"must not exceed max_lead_days ({due.max_lead_days}), got {due.min_lead_days}",
        )
    unplanned = policy.handover_unplanned
    if unplanned.high_within_days > unplanned.horizon_days:
        bad(
            "handover_unplanned.high_within_days",
            f"must not exceed horizon_days ({unplanned.horizon_days}), got {unplanned.high_within_days}",
        )
    for name in ("practitioner_churn", "missed_appointments", "practitioner_cancelled"):
        sec = getattr(policy, name)
        if sec.high_at < sec.medium_at:
            bad(f"{name}.high_at", f"must be at least medium_at ({sec.medium_at}), got {sec.high_at}")
    churn = policy.practitioner_churn
    if not churn.medium_at <= churn.youth_high_at <= churn.high_at:
        bad(
            "practitioner_churn.youth_high_at",
            f"must be from medium_at ({churn.medium_at}) to high_at ({churn.high_at}), got {churn.youth_high_at}",
        )
    work = policy.workload
    if work.red_above_pct < work.amber_from_pct:
        bad(
            "workload.red_above_pct",
            f"must be at least amber_from_pct ({work.amber_from_pct:g}), got {work.red_above_pct:g}",
        )
    excl = policy.exclusions
    if excl.absence_working_days > excl.absence_window_days:
        bad(
            "exclusions.absence_working_days",
            f"must not exceed absence_window_days ({excl.absence_window_days}), got {excl.absence_working_days}",
        )


def policy_keys(section: Any = DEFAULT_POLICY, prefix: str = "") -> list[str]:
    """Every dotted key a policy file may set (used to check the shipped example)."""
    keys: list[str] = []
    for spec in fields(section):
        if "section" in spec.metadata:
            keys.extend(policy_keys(getattr(section, spec.name), prefix + spec.name + "."))
        else:
            keys.append(prefix + spec.name)
    return keys
