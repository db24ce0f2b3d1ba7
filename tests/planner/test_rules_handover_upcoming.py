"""handover_upcoming: a planned handover 28 days ahead or sooner with required items open."""

from dataclasses import replace

import pytest

from planner.rules import handover_upcoming
from rules_kit import Handover, ago, ahead, case, checklist, item, only, run, severity


def planned(days_away: int, *open_ids: str, status: str = "planned", items=None):
    return case(
        handovers=[
            Handover(
                "P1",
                "P2",
                ahead(days_away),
                status=status,
                items=checklist(*open_ids) if items is None else items,
            )
        ]
    )


@pytest.mark.parametrize(
    ("days_away", "expected"),
    [
        (29, None),
        (28, "low"),
        (15, "low"),
        (14, "medium"),
        (4, "medium"),
        (3, "high"),
        (0, "high"),
        (-5, "high"),  # the date has passed and the handover is still open
    ],
)
def test_bands(days_away, expected):
    assert severity(handover_upcoming, planned(days_away, "told")) == expected


def test_all_required_done_is_quiet_even_with_optional_items_open():
    c = planned(5)  # `reachable` and `review` (not required) are open
    assert severity(handover_upcoming, c) is None


def test_in_progress_counts_completed_and_cancelled_do_not():
    assert severity(handover_upcoming, planned(5, "read", status="in_progress")) == "medium"
    assert severity(handover_upcoming, planned(5, "read", status="cancelled")) is None
    assert severity(handover_upcoming, planned(-5, "read", status="completed_cold")) is None


def test_facts_and_detail():
    items = (
        item("told", due=ago(2)),
        item("summary", due=ahead(1)),
        item("three_way", done=True),
        item("reachable", required=False),
    )
    w = only(handover_upcoming, planned(7, items=items))
    assert w.facts["open_items"] == ["told", "summary"]
    assert w.facts["late_items"] == ["told"]
    assert w.facts["to_practitioner_id"] == "P2"
    assert w.facts["days_away"] == 7
    assert w.title == "Handover in 7 days: 2 items open"
    assert w.detail == (
        "Handover to Sam Reed (P2) planned for 4 Dec 2026 (in 7 days); 2 required "
        "checklist items open: told, summary (1 past its due date)."
    )


def test_paused_case_still_warns():
    c = planned(2, "told")
    paused = replace(c, status="paused", paused_until=ahead(30))
    assert run(handover_upcoming, paused)[0].severity == "high"
