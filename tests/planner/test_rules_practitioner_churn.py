"""practitioner_churn: practitioners in the last 365 days plus a planned receiver: 3 medium, 4 high."""

import pytest

from planner.rules import practitioner_churn
from rules_kit import Allocation, Handover, ago, ahead, case, checklist, only, severity


def held_by(*spans, planned_to=None, handover_status="planned"):
    """spans: (pid, start_ago, end_ago or None)."""
    allocations = [Allocation(pid, ago(s), ago(e) if e is not None else None) for pid, s, e in spans]
    handovers = []
    if planned_to:
        handovers.append(
            Handover(spans[-1][0], planned_to, ahead(14), status=handover_status, items=checklist())
        )
    return case(allocations=allocations, handovers=handovers)


@pytest.mark.parametrize(
    ("c", "expected"),
    [
        (held_by(("P1", 100, None)), None),
        (held_by(("P2", 500, 100), ("P1", 100, None)), None),
        (held_by(("P3", 600, 300), ("P2", 300, 100), ("P1", 100, None)), "medium"),
        # an allocation that ended 365 days ago still overlaps the window; 366 does not
        (held_by(("P3", 600, 365), ("P2", 365, 100), ("P1", 100, None)), "medium"),
        (held_by(("P3", 600, 366), ("P2", 366, 100), ("P1", 100, None)), None),
        # the same practitioner twice is one practitioner
        (held_by(("P1", 300, 200), ("P2", 200, 100), ("P1", 100, None)), None),
        (
            held_by(("P4", 360, 300), ("P3", 300, 200), ("P2", 200, 100), ("P1", 100, None)),
            "high",
        ),
        # a planned handover pushes two to three
        (held_by(("P2", 300, 100), ("P1", 100, None), planned_to="P3"), "medium"),
        # ... and three to four
        (held_by(("P3", 300, 200), ("P2", 200, 100), ("P1", 100, None), planned_to="P4"), "high"),
        # a handover back to someone already counted adds nobody
        (held_by(("P2", 300, 100), ("P1", 100, None), planned_to="P2"), None),
        # a cancelled handover adds nobody
        (held_by(("P2", 300, 100), ("P1", 100, None), planned_to="P3", handover_status="cancelled"), None),
    ],
)
def test_counts(c, expected):
    assert severity(practitioner_churn, c) == expected


def test_facts_and_detail():
    w = only(practitioner_churn, held_by(("P2", 300, 100), ("P1", 100, None), planned_to="P3"))
    assert w.facts["count"] == 3
    assert w.facts["practitioner_ids"] == ["P2", "P1"]
    assert w.facts["planned_receiver_ids"] == ["P3"]
    assert w.detail == (
        "3 practitioners in 365 days to 27 Nov 2026: Sam Reed (P2) and Alex Kent (P1) held "
        "the case, and a handover to Priya Shah (P3) is planned."
    )
