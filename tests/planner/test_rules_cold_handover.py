"""cold_handover (docs/rules.md, rules v2): a handover completed in the last 84 days and
not yet reviewed that was completed cold (a lead's override with required
items open), or whose incoming practitioner's first meaningful contact was not
held by the first-contact deadline counted from the handover: medium."""

from datetime import date

import pytest

from planner.rules import cold_handover
from rules_kit import Allocation, Contact, Handover, ago, case, checklist, only, run, seen, severity


def completed(days_ago: int, *open_ids: str, status: str = "completed_cold", reviewed=False,
              contacts=(), level="standard", on: date | None = None):
    day = on or ago(days_ago)
    return case(
        level=level,
        allocations=[Allocation("P2", ago(400), day), Allocation("P1", day)],
        contacts=list(contacts),
        handovers=[
            Handover("P2", "P1", day, status=status, items=checklist(*open_ids), completed_on=day,
                     override_reason="person in custody" if status == "completed_cold" else None,
                     reviewed=reviewed)
        ],
    )


@pytest.mark.parametrize(
    ("days_ago", "expected"),
    [(0, "medium"), (10, "medium"), (83, "medium"), (84, None), (-1, None)],  # "in the last 84 days"
)
def test_cold_within_the_window(days_ago, expected):
    assert severity(cold_handover, completed(days_ago, "three_way", contacts=[seen(0)])) == expected


@pytest.mark.parametrize(
    ("first_met", "as_of", "expected"),
    [
        # completed Mon 2 Nov 2026: the 5th working day after it is Mon 9 Nov
        (None, date(2026, 11, 9), None),  # the deadline has not passed yet
        (None, date(2026, 11, 10), "medium"),  # passed, not met
        (date(2026, 11, 9), date(2026, 11, 20), None),  # met on the deadline: on time
        (date(2026, 11, 10), date(2026, 11, 20), "medium"),  # met the day after: late
        (date(2026, 11, 2), date(2026, 11, 20), None),  # met on the day of the handover
    ],
)
def test_a_warm_handover_whose_first_contact_came_late(first_met, as_of, expected):
    contacts = [Contact(first_met, "P1", kind="home_visit")] if first_met else []
    c = completed(0, status="completed_warm", contacts=contacts, on=date(2026, 11, 2))
    assert severity(cold_handover, c, as_of=as_of) == expected


def test_the_deadline_is_two_working_days_for_intensive():
    c = completed(0, status="completed_warm", level="intensive", on=date(2026, 11, 2),
                  contacts=[Contact(date(2026, 11, 5), "P1")])
    assert only(cold_handover, c, as_of=date(2026, 11, 20)).facts["first_contact_deadline"] == "2026-11-04"


def test_the_outgoing_practitioner_or_someone_else_is_not_the_first_contact():
    c = completed(20, status="completed_warm", contacts=[seen(18, "P2"), seen(15, "P3")])
    assert severity(cold_handover, c) == "medium"
    present = completed(20, status="completed_warm", contacts=[seen(20, "P2", kind="three_way", with_pid="P1")])
    assert severity(cold_handover, present) is None  # the incoming was there


def test_open_or_cancelled_handovers_are_not_cold():
    assert severity(cold_handover, completed(5, "told", status="planned")) is None
    assert severity(cold_handover, completed(5, "told", status="cancelled")) is None


def test_shows_until_reviewed():
    w = only(cold_handover, completed(20, "three_way", "told", contacts=[seen(19)]))
    assert w.facts["reviewed"] is False
    assert w.facts["cold"] is True and w.facts["first_contact_late"] is False
    assert w.facts["override"] is True
    assert w.title == "Cold handover on Sat 7 Nov, not yet reviewed"
    assert w.detail == (
        "The handover from Sam Reed (P2) to Alex Kent (P1) was completed on 7 Nov 2026 (20 days ago): "
        "it was completed cold, by a lead's override, with 2 required items not done "
        "(told; three way). "  # the items' titles (the fixture's), not their ids
        "It has not been reviewed yet."
    )
    assert w.action == "team lead to review the handover with P1 and the person, by Fri 4 Dec"
    assert run(cold_handover, completed(20, "three_way", "told", reviewed=True)) == []


def test_late_words():
    w = only(cold_handover, completed(20, status="completed_warm", contacts=[seen(3)]))
    assert w.title == "New worker's first contact came late after the handover on Sat 7 Nov"
    assert "Alex Kent (P1) first met the person on 24 Nov 2026, after the deadline of 13 Nov 2026" in w.detail
