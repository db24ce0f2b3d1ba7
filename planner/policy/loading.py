"""Applying a parsed policy file to the defaults, and what a file may set.

Both walk a section through `planner.policy.shape.shape`, the one reader of
a section's keys. A bad key or value raises `ConfigError` naming the file and
the dotted key (planner/policy/__init__.py).
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from planner.errors import ConfigError
from planner.policy.shape import Bad, shape


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


def apply(section: Any, data: Any, prefix: str, label: str) -> Any:
    """`section` with the keys `data` names replaced (checked), the rest kept."""
    where = prefix.rstrip(".")
    if not isinstance(data, dict):
        raise ConfigError(f"{label}: {where}: must be a table, got {_describe(data)}")
    by_name = {name: (check, nested) for name, check, nested in shape(section)}
    changes: dict[str, Any] = {}
    for key, value in data.items():
        dotted = prefix + key
        if key not in by_name:
            known = ", ".join(by_name)
            raise ConfigError(f"{label}: {dotted}: unknown key (known here: {known})")
        check, nested = by_name[key]
        if nested is not None:
            changes[key] = apply(getattr(section, key), value, dotted + ".", label)
        else:
            try:
                changes[key] = check(value)
            except Bad as bad:
                raise ConfigError(f"{label}: {dotted}: {bad}, got {_describe(value)}") from None
    return replace(section, **changes) if changes else section


def keys_of(section: Any, prefix: str = "") -> list[str]:
    """Every dotted key below `section` that a policy file may set."""
    keys: list[str] = []
    for name, _check, nested in shape(section):
        if nested is not None:
            keys.extend(keys_of(getattr(section, name), prefix + name + "."))
        else:
            keys.append(prefix + name)
    return keys


def _at_most(label: str, key: str, value: Any, limit: Any, limit_name: str, fmt: str = "") -> None:
    if value > limit:
        raise ConfigError(f"{label}: {key}: must not exceed {limit_name} ({limit:{fmt}}), got {value:{fmt}}")


def _at_least(label: str, key: str, value: Any, floor: Any, floor_name: str, fmt: str = "") -> None:
    if value < floor:
        raise ConfigError(f"{label}: {key}: must be at least {floor_name} ({floor:{fmt}}), got {value:{fmt}}")


def check_relations(policy: Any, label: str) -> None:
    """The checks between keys of one section (one key against another)."""
    upcoming = policy.handover_upcoming
    _at_most(label, "handover_upcoming.high_within_days", upcoming.high_within_days, upcoming.horizon_days,
             "horizon_days")
    due = policy.contact_due
    _at_most(label, "contact_due.min_lead_days", due.min_lead_days, due.max_lead_days, "max_lead_days")
    unplanned = policy.handover_unplanned
    _at_most(label, "handover_unplanned.high_within_days", unplanned.high_within_days, unplanned.horizon_days,
             "horizon_days")
    for name in ("practitioner_churn", "missed_appointments", "practitioner_cancelled"):
        sec = getattr(policy, name)
        _at_least(label, f"{name}.high_at", sec.high_at, sec.medium_at, "medium_at")
    churn = policy.practitioner_churn
    if not churn.medium_at <= churn.youth_high_at <= churn.high_at:
        raise ConfigError(
            f"{label}: practitioner_churn.youth_high_at: must be from medium_at ({churn.medium_at})"
            f" to high_at ({churn.high_at}), got {churn.youth_high_at}"
        )
    work = policy.workload
    _at_least(label, "workload.red_above_pct", work.red_above_pct, work.amber_from_pct, "amber_from_pct", "g")
    excl = policy.exclusions
    _at_most(label, "exclusions.absence_working_days", excl.absence_working_days, excl.absence_window_days,
             "absence_window_days")
