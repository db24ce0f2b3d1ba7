"""cold_handover: completed in the last 84 days with three_way or told not done."""

import pytest

from planner.rules import cold_handover
from rules_kit import Allocation, Handover, ago, case, checklist, only, run, severity


def completed(days_ago: int, *open_ids: str, status: str = "completed_cold", reviewed=False, items=None):
    return case(
        allocations=[Allocation("P2", ago(400), ago(days_ago)), Allocation("P1", ago(days_ago))],
        handovers=[
            Handover(
                "P2",
                "P1",
                ago(days_ago),
                status=status,
                items=checklist(*open_ids) if items is None else items,
                completed_on=ago(days_ago),
                override_reason="person in custody" if open_ids else None,
                reviewed=reviewed,
            )
        ],
    )


@pytest.mark.parametrize(
    ("days_ago", "open_ids", "expected"),
    [
        (10, ("three_way",), "medium"),
        (10, ("told",), "medium"),
        (10, ("three_way", "told"), "medium"),
        (10, ("summary", "read"), None),  # other items open: not cold by this rule
        (10, (), None),
        (84, ("told",), "medium"),  # completed 84 days ago: still in the last 84 days
        (85, ("told",), None),
        (-1, ("told",), None),  # dated after as_of
    ],
)
def test_window_and_items(days_ago, open_ids, expected):
    assert severity(cold_handover, completed(days_ago, *open_ids)) == expected


def test_status_warm_with_items_open_still_counts():
    # The rule looks at the items, not at the label.
    assert severity(cold_handover, completed(5, "three_way", status="completed_warm")) == "medium"


def test_open_or_cancelled_handovers_are_not_cold():
    assert severity(cold_handover, completed(5, "told", status="planned")) is None
    assert severity(cold_handover, completed(5, "told", status="cancelled")) is None


def test_missing_items_count_as_not_done():
    assert severity(cold_handover, completed(5, items=())) == "medium"


def test_shows_until_reviewed():
    w = only(cold_handover, completed(20, "three_way", "told"))
    assert w.facts["reviewed"] is False
    assert w.facts["missing_items"] == ["three_way", "told"]
    assert w.facts["override"] is True
    assert w.detail.startswith(
        "The handover from Sam Reed (P2) to Alex Kent (P1) was completed on 7 Nov 2026 "
        "(20 days ago) without the three-way introduction meeting or telling the person "
        "about the change."
    )
    assert w.detail.endswith("It has not been reviewed yet.")


def test_a_reviewed_cold_handover_no_longer_fires():
    assert run(cold_handover, completed(20, "three_way", "told", reviewed=True)) == []
