"""Policy values that are numbers but not usable ones: NaN and infinity
(TOML has both), and numbers too large for the rules or the solver. Each is
refused with the file and the dotted key named (README, "How the warnings
work"), before anything runs."""

from __future__ import annotations

import pytest

from planner.errors import ConfigError
from planner.policy import load_policy, policy_keys


@pytest.mark.parametrize(("toml", "message"), [
    ("[contact_overdue]\nhigh_multiplier = nan\n", "contact_overdue.high_multiplier: must be a finite number, got nan"),
    ("[relationship_gap]\nmultiplier = inf\n", "relationship_gap.multiplier: must be a finite number, got inf"),
    ("[workload.tier_points]\nA3 = -inf\n", "workload.tier_points.A3: must be a finite number, got -inf"),
    ("[workload.tier_points]\nA3 = 1e308\n", "workload.tier_points.A3: must be at most 100000, got 1e+308"),
    ("[workload]\nfull_time_points = 1e300\n", "workload.full_time_points: must be at most 100000, got 1e+300"),
    ("[workload]\nfull_time_hours = 1000\n", "workload.full_time_hours: must be at most 168, got 1000"),
    ("[workload]\ntarget_pct = 1e9\n", "workload.target_pct: must be at most 1000, got 1000000000.0"),
    ("[disruption]\nbase = nan\n", "disruption.base: must be a finite number, got nan"),
    ("[cold_handover]\nwindow_days = 9223372036854775807\n",
     "cold_handover.window_days: must be at most 3660, got 9223372036854775807"),
    ("[thresholds.standard]\nafter = 100000\n", "thresholds.standard.after: must be at most 3660, got 100000"),
    ("[first_contact]\nworking_days = 5000\n", "first_contact.working_days: must be at most 260, got 5000"),
    ("[practitioner_churn]\nhigh_at = 100000\n", "practitioner_churn.high_at: must be at most 1000, got 100000"),
    ("[severity_weights]\nhigh = 10000000000\n", "severity_weights.high: must be at most 1000000, got 10000000000"),
])
def test_unusable_numbers_are_refused_naming_file_and_key(tmp_path, toml, message):
    path = tmp_path / "caseload.toml"
    path.write_text(toml)
    with pytest.raises(ConfigError) as info:
        load_policy(path)
    assert str(info.value) == f"{path}: {message}"


def test_every_default_is_inside_its_bounds():
    """The checks accept the shipped defaults (planner/default_policy.toml)."""
    from planner.policy import DEFAULT_POLICY, policy_from_dict

    def value(key: str):
        node = DEFAULT_POLICY
        for part in key.split("."):
            node = getattr(node, part)
        return node

    data: dict = {}
    for key in policy_keys():
        *sections, leaf = key.split(".")
        node = data
        for part in sections:
            node = node.setdefault(part, {})
        node[leaf] = value(key)
    assert policy_from_dict(data) == DEFAULT_POLICY


def test_a_byte_order_mark_is_not_part_of_the_settings(tmp_path):
    """A settings file saved with a UTF-8 byte-order mark (some Windows editors
    write one) reads as the same file without it (planner/tomlfile.py); a
    bad value in it is still refused, naming the key."""
    plain, marked = tmp_path / "plain.toml", tmp_path / "marked.toml"
    plain.write_text("[first_contact]\nworking_days = 9\n")
    marked.write_bytes(b"\xef\xbb\xbf" + plain.read_bytes())
    assert load_policy(marked) == load_policy(plain) != load_policy(None)
    marked.write_bytes(b"\xef\xbb\xbf[disruption]\nbase = nan\n")
    with pytest.raises(ConfigError, match="disruption.base: must be a finite number"):
        load_policy(marked)
