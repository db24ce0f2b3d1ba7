"""handover_upcoming (docs/rules.md, rules v2): a planned handover dated 28 days ahead or
sooner (or past) with required checklist items late (due before as-of) or due
within the next 3 days: low with none late; medium with a late item; high with
a late item and 3 days or fewer to go."""

from dataclasses import replace

import pytest

from planner.rules import handover_upcoming
from rules_kit import Handover, ago, ahead, case, item, only, run, severity


def planned(days_away: int, *items, status: str = "planned"):
    return case(handovers=[Handover("P1", "P2", ahead(days_away), status=status, items=tuple(items))])


@pytest.mark.parametrize(
    ("days_away", "items", "expected"),
    [
        (29, [item("told", due=ago(1))], None),  # beyond the horizon
        (28, [item("told", due=ago(1))], "medium"),  # late, 28 days to go
        (4, [item("told", due=ago(1))], "medium"),
        (3, [item("told", due=ago(1))], "high"),  # late and 3 days to go
        (0, [item("read", due=ago(3))], "high"),
        (-5, [item("three_way", due=ago(5))], "high"),  # the date has passed, still open
        (10, [item("summary", due=ahead(3))], "low"),  # due within 3 days, nothing late
        (10, [item("summary", due=ahead(4))], None),  # due in 4 days: nothing to do yet
        (10, [item("summary", due=ago(0))], "low"),  # due today is not late
        (2, [item("booked", due=ahead(2))], "low"),  # close, but nothing late
        (10, [item("told", due=ago(1), done=True)], None),
        (10, [item("reachable", due=ago(1), required=False)], None),  # optional
    ],
)
def test_late_or_soon_items(days_away, items, expected):
    assert severity(handover_upcoming, planned(days_away, *items)) == expected


def test_a_handover_weeks_ahead_with_nothing_falling_due_is_quiet():
    """v1 warned (low) on any handover within 28 days with items open."""
    assert severity(handover_upcoming, planned(20, item("told", due=ahead(6)), item("read", due=ahead(17)))) is None


def test_in_progress_counts_completed_and_cancelled_do_not():
    late = item("read", due=ago(1))
    assert severity(handover_upcoming, planned(5, late, status="in_progress")) == "medium"
    assert severity(handover_upcoming, planned(5, late, status="cancelled")) is None
    assert severity(handover_upcoming, planned(-5, late, status="completed_cold")) is None


def test_words_action_and_facts():
    items = (item("told", due=ago(2)), item("summary", due=ahead(1)), item("three_way", done=True),
             item("read", due=ahead(9)))
    w = only(handover_upcoming, planned(7, *items))
    assert w.facts["open_items"] == ["told", "summary"]
    assert w.facts["late_items"] == ["told"]
    assert w.facts["to_practitioner_id"] == "P2"
    assert w.facts["days_away"] == 7
    assert w.title == "Handover checklist: 1 item late, handover in 7 days"
    assert w.detail == (
        "Handover to Sam Reed (P2) planned for 4 Dec 2026 (in 7 days); required checklist items open: "
        "told (late since 25 Nov 2026); summary (due 28 Nov 2026)."
    )
    assert w.action == "now: tell the person and record their view; write the handover summary"
    soon = only(handover_upcoming, planned(10, item("summary", due=ahead(2))))
    assert soon.title == "Handover checklist: 1 item due, handover in 10 days"
    assert soon.action == "by Sun 29 Nov: write the handover summary"
    past = only(handover_upcoming, planned(-1, item("three_way", due=ago(1))))
    assert past.title == "Handover checklist: 1 item late, the handover date passed"
    assert past.action == "now: hold the three-way meeting; then complete the handover"


def test_paused_case_still_warns():
    paused = replace(planned(2, item("told", due=ago(1))), status="paused", paused_until=ahead(30))
    assert run(handover_upcoming, paused)[0].severity == "high"
