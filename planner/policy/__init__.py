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

The package: `shape` (how a section is declared and read, the value
checks), `rules` (the sections of docs/rules.md), `workload` (workload,
rebalancing, handovers, planning), `loading` (a file applied to the
defaults); `Policy` and the loading entry points are here.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from planner.model import CONTACT_LEVELS, TIERS
from planner.policy.loading import apply, check_relations, keys_of
from planner.policy.rules import (
    AllianceLow,
    CheckinDue,
    ColdHandover,
    ContactDue,
    ContactOverdue,
    CoverNeeded,
    EarlyBreak,
    EarlyWindow,
    FirstContact,
    HandoverUnplanned,
    HandoverUpcoming,
    LevelThreshold,
    MissedAppointments,
    OrderEnding,
    PractitionerCancelled,
    PractitionerChurn,
    RelationshipGap,
    ReleaseComing,
    SeverityWeights,
    Thresholds,
    Turning18,
)
from planner.policy.shape import MAX_DAYS, Section, frozen_section, nation_check, section, setting
from planner.policy.workload import (
    Disruption,
    Exclusions,
    HandoverDefaults,
    LevelPoints,
    Planning,
    TierPoints,
    Workload,
)
from planner.tomlfile import read_toml

__all__ = [
    "CONFIG_FILE_NAME", "DEFAULT_POLICY", "MAX_DAYS", "Policy", "default_config_path", "load_policy",
    "policy_from_dict", "policy_keys",
    "AllianceLow", "CheckinDue", "ColdHandover", "ContactDue", "ContactOverdue", "CoverNeeded", "EarlyBreak",
    "EarlyWindow", "FirstContact", "HandoverUnplanned", "HandoverUpcoming", "LevelThreshold",
    "MissedAppointments", "OrderEnding", "PractitionerCancelled", "PractitionerChurn", "RelationshipGap",
    "ReleaseComing", "SeverityWeights", "Thresholds", "Turning18",
    "Disruption", "Exclusions", "HandoverDefaults", "LevelPoints", "Planning", "TierPoints", "Workload",
]

CONFIG_FILE_NAME = "caseload.toml"


@frozen_section
class Policy(Section):
    """Every setting of the rules (docs/rules.md) and of docs/rebalancing.md, one section per rule or topic (see the module docstring)."""

    nation: str = setting("england-and-wales", nation_check)  # bank holidays when a team has none
    thresholds: Any = section(Thresholds)
    early_window: EarlyWindow = section(EarlyWindow)
    contact_overdue: ContactOverdue = section(ContactOverdue)
    contact_due: ContactDue = section(ContactDue)
    relationship_gap: RelationshipGap = section(RelationshipGap)
    first_contact: FirstContact = section(FirstContact)
    early_break: EarlyBreak = section(EarlyBreak)
    handover_upcoming: HandoverUpcoming = section(HandoverUpcoming)
    handover_unplanned: HandoverUnplanned = section(HandoverUnplanned)
    cold_handover: ColdHandover = section(ColdHandover)
    practitioner_churn: PractitionerChurn = section(PractitionerChurn)
    missed_appointments: MissedAppointments = section(MissedAppointments)
    practitioner_cancelled: PractitionerCancelled = section(PractitionerCancelled)
    cover_needed: CoverNeeded = section(CoverNeeded)
    alliance_low: AllianceLow = section(AllianceLow)
    checkin_due: CheckinDue = section(CheckinDue)
    release_coming: ReleaseComing = section(ReleaseComing)
    order_ending: OrderEnding = section(OrderEnding)
    turning_18: Turning18 = section(Turning18)
    severity_weights: Any = section(SeverityWeights)
    workload: Workload = section(Workload)
    disruption: Disruption = section(Disruption)
    exclusions: Exclusions = section(Exclusions)
    handover: HandoverDefaults = section(HandoverDefaults)
    planning: Planning = section(Planning)

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
    policy = apply(DEFAULT_POLICY, data, prefix="", label=label)
    check_relations(policy, label)
    return policy


def policy_keys(section: Any = DEFAULT_POLICY, prefix: str = "") -> list[str]:
    """Every dotted key a policy file may set (used to check the shipped example)."""
    return keys_of(section, prefix)
