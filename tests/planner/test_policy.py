"""Policy: every number of docs/rules.md as a default; TOML files override what they name, and no more."""

import dataclasses
import tomllib
from pathlib import Path

import pytest

import planner.policy as policy_module
from planner.errors import ConfigError
from planner.policy import DEFAULT_POLICY, Policy, load_policy, policy_keys

EXAMPLE = Path(policy_module.__file__).parents[1] / "default_policy.toml"


def test_defaults_are_the_spec_numbers():
    p = Policy()
    assert p == DEFAULT_POLICY
    assert {lvl: (p.thresholds[lvl].early, p.thresholds[lvl].after) for lvl in p.thresholds.keys()} == {
        "intensive": (7, 14),
        "enhanced": (7, 21),
        "standard": (14, 28),
        "low": (14, 42),
    }
    assert p.early_window.days == 84
    assert (p.contact_due.max_lead_days, p.contact_due.min_lead_days) == (7, 1)
    assert [p.lead_days(t) for t in (7, 14, 21, 28, 42)] == [2, 4, 5, 7, 7]
    assert (p.contact_overdue.high_multiplier, p.contact_overdue.booked_within_days) == (1.5, 7)
    assert p.relationship_gap.multiplier == 2
    assert (p.first_contact.working_days, p.first_contact.intensive_working_days) == (5, 2)
    assert p.first_contact.lookahead_days == 7
    hu = p.handover_upcoming
    assert (hu.horizon_days, hu.soon_days, hu.high_within_days) == (28, 3, 3)
    assert p.early_break.absence_working_days == 10
    hn = p.handover_unplanned
    assert (hn.horizon_days, hn.long_absence_days, hn.high_within_days) == (56, 28, 14)
    assert p.cold_handover.window_days == 84
    churn = p.practitioner_churn
    assert (churn.window_days, churn.medium_at, churn.high_at, churn.youth_high_at) == (365, 3, 4, 3)
    assert churn.short_allocation_days == 14
    assert (p.missed_appointments.medium_at, p.missed_appointments.high_at) == (2, 3)
    pc = p.practitioner_cancelled
    assert (pc.window_days, pc.medium_at, pc.high_at) == (56, 2, 3)
    assert p.cover_needed.horizon_days == 28
    assert p.severity_weights.as_dict() == {"high": 100, "medium": 10, "low": 1}
    assert p.nation == "england-and-wales"
    # docs/rebalancing.md
    assert p.workload.tier_points.as_dict() == {
        "A3": 206, "A2": 158, "A1": 146, "A0": 110, "B3": 146, "B2": 115, "B1": 102, "B0": 72,
        "C3": 79, "C2": 63, "C1": 50, "C0": 35, "D3": 51, "D2": 41, "D1": 29, "D0": 29,
    }  # fmt: skip
    assert p.workload.level_points.as_dict() == {"intensive": 150, "enhanced": 100, "standard": 60, "low": 30}
    assert (p.workload.full_time_points, p.workload.full_time_hours) == (2176, 37)
    assert (p.workload.amber_from_pct, p.workload.red_above_pct, p.workload.target_pct) == (90, 110, 110)
    d = p.disruption
    assert (d.base, d.max_weeks, d.sensitive_multiplier, d.known_receiver_multiplier) == (10, 52, 2, 0.5)
    assert (d.known_contact_days, d.per_recent_change, d.recent_change_days) == (730, 20, 365)
    assert d.early_relationship == 26
    e = p.exclusions
    assert (e.absence_working_days, e.absence_window_days, e.leaving_within_days) == (10, 28, 56)
    assert e.sentence_end_within_days == 84
    h = p.handover
    assert (h.default_days_ahead, h.short_notice_days, h.rebalance_days_ahead, h.per_day) == (14, 7, 28, 2)


def test_helpers():
    p = DEFAULT_POLICY
    assert p.threshold("standard", early=True) == 14
    assert p.threshold("low", early=False) == 42
    assert p.threshold("nonsense", early=False) == 28
    assert p.first_contact_working_days("intensive") == 2
    assert p.first_contact_working_days("low") == 5
    assert p.workload.case_points("C2", "standard") == 63
    assert p.workload.case_points(None, "enhanced") == 100
    assert p.workload.available_points(18.5, 20) == pytest.approx(2176 / 2 * 0.8)
    assert [p.workload.band(x) for x in (89.9, 90, 110, 110.1)] == ["green", "amber", "amber", "red"]


def test_frozen():
    with pytest.raises(dataclasses.FrozenInstanceError):
        DEFAULT_POLICY.nation = "scotland"  # type: ignore[misc]


def test_shipped_example_documents_every_key_with_its_default():
    data = tomllib.loads(EXAMPLE.read_text())

    def flatten(table, prefix=""):
        for key, value in table.items():
            if isinstance(value, dict):
                yield from flatten(value, prefix + key + ".")
            else:
                yield prefix + key

    assert sorted(flatten(data)) == sorted(policy_keys())
    assert load_policy(EXAMPLE) == DEFAULT_POLICY


def write(tmp_path, text, name="caseload.toml"):
    path = tmp_path / name
    path.write_text(text)
    return path


def test_partial_file_overrides_only_what_it_names(tmp_path):
    path = write(
        tmp_path,
        '[thresholds.standard]\nafter = 21\n[practitioner_churn]\nhigh_at = 5\n'
        '[workload.tier_points]\nA3 = 200.5\n',
    )
    p = load_policy(path)
    assert p.thresholds.standard.after == 21
    assert p.thresholds.standard.early == 14
    assert p.thresholds.low == DEFAULT_POLICY.thresholds.low
    assert p.practitioner_churn.high_at == 5 and p.practitioner_churn.medium_at == 3
    assert p.workload.tier_points.A3 == 200.5 and p.workload.tier_points.A2 == 158
    assert p.early_window == DEFAULT_POLICY.early_window
    assert load_policy(write(tmp_path, "", name="empty.toml")) == DEFAULT_POLICY
    assert load_policy(str(path)) == p


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[thresholds.standard]\nafter = -3\n",
         "thresholds.standard.after: must be a positive whole number of days, got -3"),
        ("[thresholds.standard]\nafter = 0\n", "thresholds.standard.after: must be a positive whole number of days, got 0"),
        ("[thresholds.standard]\nafter = 28.5\n", "thresholds.standard.after: must be a positive whole number of days, got 28.5"),
        ('[thresholds.standard]\nafter = "28"\n', "thresholds.standard.after: must be a positive whole number of days, got '28'"),
        ("[thresholds.standard]\nafter = true\n", "thresholds.standard.after: must be a positive whole number of days, got true"),
        ("[thresholds.standard]\nlater = 3\n", "thresholds.standard.later: unknown key"),
        ("[thresholds.medium]\nafter = 3\n", "thresholds.medium: unknown key"),
        ("[contact_overdue]\nhigh_multiplier = 0\n", "contact_overdue.high_multiplier: must be a positive number, got 0"),
        ("[contact_overdue]\nhigh_multiplier = 1.25\nmultiplier = 2\n", "contact_overdue.multiplier: unknown key"),
        ("colour = 'red'\n", "colour: unknown key"),
        ("thresholds = 5\n", "thresholds: must be a table, got 5"),
        ("[thresholds]\nstandard = 28\n", "thresholds.standard: must be a table, got 28"),
        ("[early_window]\ndays = [84]\n", "early_window.days: must be a positive whole number of days, got a list"),
        ("nation = 'wales'\n", "nation: must be one of england-and-wales, scotland, northern-ireland, got 'wales'"),
        ("[workload.tier_points]\nE1 = 10\n", "workload.tier_points.E1: unknown key"),
        ("[workload.tier_points]\nA3 = -1\n", "workload.tier_points.A3: must be a number, 0 or more, got -1"),
        ("[severity_weights]\nhigh = 1.5\n", "severity_weights.high: must be a whole number, 0 or more, got 1.5"),
        ("[practitioner_churn]\nhigh_at = 2\n", "practitioner_churn.high_at: must be at least medium_at (3), got 2"),
        ("[missed_appointments]\nmedium_at = 4\n", "missed_appointments.high_at: must be at least medium_at (4), got 3"),
        ("[handover_upcoming]\nhigh_within_days = 30\n", "handover_upcoming.high_within_days: must not exceed horizon_days (28), got 30"),
        ("[contact_due]\nmin_lead_days = 8\n", "contact_due.min_lead_days: must not exceed max_lead_days (7), got 8"),
        ("[practitioner_churn]\nyouth_high_at = 5\n", "practitioner_churn.youth_high_at: must be from medium_at (3) to high_at (4), got 5"),
        ("[practitioner_cancelled]\nhigh_at = 1\n", "practitioner_cancelled.high_at: must be at least medium_at (2), got 1"),
        ("[workload]\nred_above_pct = 80\n", "workload.red_above_pct: must be at least amber_from_pct (90), got 80"),
    ],
)  # fmt: skip
def test_bad_values_name_the_file_and_the_key(tmp_path, text, message):
    path = write(tmp_path, text)
    with pytest.raises(ConfigError) as caught:
        load_policy(path)
    assert str(caught.value).startswith(f"{path}: ")
    assert message in str(caught.value)
    assert "\n" not in str(caught.value)


def test_relative_name_gives_the_spec_message(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    write(tmp_path, "[thresholds.standard]\nafter = -3\n")
    with pytest.raises(ConfigError) as caught:
        load_policy("caseload.toml")
    assert str(caught.value) == (
        "caseload.toml: thresholds.standard.after: must be a positive whole number of days, got -3"
    )


def test_unreadable_files(tmp_path):
    with pytest.raises(ConfigError, match="no such file"):
        load_policy(tmp_path / "missing.toml")
    with pytest.raises(ConfigError, match="not valid TOML"):
        load_policy(write(tmp_path, "[thresholds\n"))
    with pytest.raises(ConfigError, match="is a folder"):
        load_policy(tmp_path)


def test_no_path_reads_the_user_config_file_if_there_is_one(tmp_path, monkeypatch):
    target = tmp_path / "config" / "caseload.toml"
    monkeypatch.setattr(policy_module, "default_config_path", lambda: target)
    assert load_policy() is DEFAULT_POLICY  # no file: defaults
    target.parent.mkdir()
    target.write_text("[early_window]\ndays = 70\n")
    assert load_policy().early_window.days == 70
    assert load_policy(None).early_window.days == 70


def test_default_config_path_is_in_the_platformdirs_config_folder():
    import platformdirs

    path = policy_module.default_config_path()
    assert path.name == "caseload.toml"
    assert path.parent == Path(platformdirs.user_config_dir("caseload"))
