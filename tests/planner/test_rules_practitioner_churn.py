"""practitioner_churn (docs/rules.md, rules v2): n = the larger of (distinct practitioners
whose allocations overlap the last 365 days, plus a planned receiver) and
(1 + allocations other than the first that started in the last 365 days);
ended allocations shorter than 14 days with no meaningful contact are not
counted. 3 is medium; 4 or more high, and 3 is high for a child."""

import pytest

from planner.rules import practitioner_churn
from rules_kit import Allocation, Handover, ago, ahead, case, checklist, only, seen, severity


def held_by(*spans, planned_to=None, handover_status="planned", youth=False, contacts=()):
    """spans: (pid, start_ago, end_ago or None)."""
    allocations = [Allocation(pid, ago(s), ago(e) if e is not None else None) for pid, s, e in spans]
    handovers = []
    if planned_to:
        handovers.append(Handover(spans[-1][0], planned_to, ahead(14), status=handover_status, items=checklist()))
    return case(allocations=allocations, handovers=handovers, youth=youth, contacts=list(contacts))


@pytest.mark.parametrize(
    ("c", "expected"),
    [
        (held_by(("P1", 100, None)), None),
        (held_by(("P2", 500, 100), ("P1", 100, None)), None),
        (held_by(("P3", 600, 300), ("P2", 300, 100), ("P1", 100, None)), "medium"),
        # "the last 365 days": an allocation that ended 364 days ago overlaps; 365 does not
        (held_by(("P3", 600, 364), ("P2", 364, 100), ("P1", 100, None)), "medium"),
        (held_by(("P3", 600, 365), ("P2", 365, 100), ("P1", 100, None)), None),
        # A -> B -> A: two people, but three changes' worth (1 + 2 that started this year)
        (held_by(("P1", 300, 200), ("P2", 200, 100), ("P1", 100, None)), "medium"),
        (held_by(("P1", 600, 200), ("P2", 200, 100), ("P1", 100, None)), "medium"),
        # A -> B -> A -> B: 1 + 3 = 4
        (held_by(("P1", 600, 300), ("P2", 300, 200), ("P1", 200, 100), ("P2", 100, None)), "high"),
        (held_by(("P4", 360, 300), ("P3", 300, 200), ("P2", 200, 100), ("P1", 100, None)), "high"),
        # a planned handover pushes two to three, three to four
        (held_by(("P2", 300, 100), ("P1", 100, None), planned_to="P3"), "medium"),
        (held_by(("P3", 300, 200), ("P2", 200, 100), ("P1", 100, None), planned_to="P4"), "high"),
        # a handover back to someone already counted adds nobody; nor does a cancelled one
        (held_by(("P2", 300, 100), ("P1", 100, None), planned_to="P2"), None),
        (held_by(("P2", 300, 100), ("P1", 100, None), planned_to="P3", handover_status="cancelled"), None),
    ],
)
def test_counts(c, expected):
    assert severity(practitioner_churn, c) == expected


@pytest.mark.parametrize(
    ("spans", "contacts", "expected"),
    [
        # P2 held it for 5 days and never met the person: a slip, not a change of worker
        ((("P3", 600, 105), ("P2", 105, 100), ("P1", 100, None)), [], None),
        # ... unless they met them
        ((("P3", 600, 105), ("P2", 105, 100), ("P1", 100, None)), [seen(103, "P2")], "medium"),
        # 14 days is not short
        ((("P3", 600, 114), ("P2", 114, 100), ("P1", 100, None)), [], "medium"),
        # the current allocation counts however new it is
        ((("P3", 600, 200), ("P2", 200, 5), ("P1", 5, None)), [], "medium"),
    ],
)
def test_short_empty_allocations_are_not_counted(spans, contacts, expected):
    assert severity(practitioner_churn, held_by(*spans, contacts=contacts)) == expected


@pytest.mark.parametrize(
    ("youth", "spans", "expected"),
    [
        (True, (("P3", 300, 200), ("P2", 200, 100), ("P1", 100, None)), "high"),  # a child with three workers
        (False, (("P3", 300, 200), ("P2", 200, 100), ("P1", 100, None)), "medium"),
        (True, (("P2", 300, 100), ("P1", 100, None)), None),
    ],
)
def test_three_is_high_for_a_child(youth, spans, expected):
    assert severity(practitioner_churn, held_by(*spans, youth=youth)) == expected


def test_words_action_and_facts():
    w = only(practitioner_churn, held_by(("P2", 300, 100), ("P1", 100, None), planned_to="P3"))
    assert (w.facts["count"], w.facts["distinct"], w.facts["changes"]) == (3, 3, 1)
    assert w.facts["practitioner_ids"] == ["P2", "P1"]
    assert w.facts["planned_receiver_ids"] == ["P3"]
    assert w.title == "3 workers in a year"
    assert w.detail == (
        "In the 365 days to 27 Nov 2026, Sam Reed (P2) and Alex Kent (P1) held the case (1 change of "
        "worker), and a handover to Priya Shah (P3) is planned."
    )
    assert w.action == "keep the planned handover warm and the receiver for good; avoid any further change"
    child = only(practitioner_churn, held_by(("P3", 300, 200), ("P2", 200, 100), ("P1", 100, None), youth=True))
    assert child.detail.endswith("(2 changes of worker); 3 is high for a child.")
    assert child.action == "keep this worker: avoid any further change of worker this year"
