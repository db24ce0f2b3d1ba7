"""`pause_ending` (docs/rules.md)."""

from __future__ import annotations

from dataclasses import replace

from rules_kit import ahead, case, severity

from planner.rules import pause_ending


def test_fires_when_the_pause_ends_within_the_window():
    c = replace(case(start_ago=200), status="paused", paused_until=ahead(30))
    assert severity(pause_ending, c) == "info"


def test_does_not_fire_further_off_or_when_active():
    assert severity(pause_ending, replace(case(start_ago=200), status="paused", paused_until=ahead(60))) is None
    assert severity(pause_ending, replace(case(start_ago=200), paused_until=ahead(30))) is None
