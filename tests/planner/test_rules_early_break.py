"""early_break (docs/rules.md, rules v2): a relationship under 84 days old that has started
(first contact held) and will break before its 84th day, through a planned
handover, the practitioner leaving, or an absence of 10+ working days:
medium; high for a child or a person flagged safeguarding, care_experienced
or opd."""

from datetime import date

import pytest

from planner.rules import early_break
from rules_kit import Allocation, Handover, absence, ago, ahead, case, checklist, only, seen, severity, world

STARTED = dict(start_ago=30, contacts=[seen(25)])  # 84th day: ahead(54)


@pytest.mark.parametrize(
    ("planned", "expected"),
    [(10, "medium"), (53, "medium"), (54, None), (-2, "medium")],  # before the 84th day (ahead 54), or past
)
def test_a_planned_handover(planned, expected):
    c = case(**STARTED, handovers=[Handover("P1", "P2", ahead(planned), items=checklist())])
    assert severity(early_break, c) == expected


@pytest.mark.parametrize(
    ("leaves", "expected"),
    [(20, "medium"), (53, "medium"), (54, None), (0, "medium"), (-1, "medium")],
)
def test_the_practitioner_leaving(leaves, expected):
    assert severity(early_break, case(**STARTED), world(leaving={"P1": ahead(leaves)})) == expected


@pytest.mark.parametrize(
    ("start", "end", "expected"),
    [
        (date(2026, 12, 7), date(2026, 12, 18), "medium"),  # Mon to Fri next week: 10 working days
        (date(2026, 12, 7), date(2026, 12, 17), None),  # 9 working days
        (date(2026, 12, 21), date(2027, 1, 4), None),  # 15 calendar days over Christmas: 8 working days
        (date(2026, 12, 21), date(2027, 1, 7), "medium"),  # 11 working days
        (date(2026, 12, 7), None, "medium"),  # open-ended: 28+ days
        (ago(3), ahead(12), "medium"),  # under way now
        (ago(30), ago(15), None),  # over: nothing to act on
        (ahead(54), ahead(90), None),  # starts on the 84th day: after the window
    ],
)
def test_a_long_absence(start, end, expected):
    w = world(absences=[absence("P1", start, end)])
    assert severity(early_break, case(**STARTED), w) == expected


def test_back_to_back_absences_join_up():
    w = world(absences=[absence("P1", date(2026, 12, 7), date(2026, 12, 11)),
                        absence("P1", date(2026, 12, 12), date(2026, 12, 18), kind="training")])
    assert severity(early_break, case(**STARTED), w) == "medium"


@pytest.mark.parametrize(
    ("youth", "flags", "expected"),
    [
        (False, frozenset(), "medium"),
        (True, frozenset(), "high"),
        (False, frozenset({"safeguarding"}), "high"),
        (False, frozenset({"care_experienced"}), "high"),
        (False, frozenset({"opd"}), "high"),
        (False, frozenset({"victim_contact", "do_not_move"}), "medium"),
    ],
)
def test_high_for_a_child_or_a_sensitive_flag(youth, flags, expected):
    c = case(**STARTED, youth=youth, flags=flags,
             handovers=[Handover("P1", "P2", ahead(10), items=checklist())])
    assert severity(early_break, c) == expected


def test_not_before_the_relationship_has_started_nor_after_the_window():
    handover = [Handover("P1", "P2", ahead(10), items=checklist())]
    pending = case(start_ago=30, contacts=[seen(40, "P2")], handovers=handover)
    assert severity(early_break, pending) is None  # first contact pending: first_contact's
    old = case(start_ago=84, contacts=[seen(5)], handovers=handover)
    assert severity(early_break, old) is None


def test_the_earliest_event_and_the_words():
    c = case(**STARTED, handovers=[Handover("P1", "P2", ahead(20), items=checklist())])
    w = only(early_break, c, world(leaving={"P1": ahead(10)}))
    assert w.facts["event"] == "leaving"
    assert w.title == "New relationship cut short in week 6: worker leaves on Mon 7 Dec"
    assert w.detail == (
        "The relationship with Alex Kent (P1) started on 28 Oct 2026 and is in its early window "
        "until 20 Jan 2027; Alex Kent (P1) leaves on 7 Dec 2026."
    )
    assert w.action == "plan a warm handover before Mon 7 Dec, to someone the person knows if possible"
    h = only(early_break, case(**STARTED, youth=True,
                               handovers=[Handover("P1", "P2", ahead(20), items=checklist())]))
    assert h.action == "plan to keep P1: move the handover to Wed 20 Jan 2027 or later if it can wait, or make it warm"
    assert h.detail.endswith("High because of: a child.")
    assert h.facts["to_practitioner_id"] == "P2"


def test_a_handover_before_the_holder_leaves_is_not_told_to_wait():
    """The holder leaves before the early window ends: moving the handover
    past the window is no option (they will be gone), so the action asks for
    it to be warm, on its date."""
    c = case(**STARTED, handovers=[Handover("P1", "P2", ahead(5), items=checklist())])
    w = only(early_break, c, world(leaving={"P1": ahead(15)}))
    assert w.facts["event"] == "handover"
    assert w.action == "make the handover on Wed 2 Dec warm: P1 leaves Sat 12 Dec, so it cannot wait"
    stays = only(early_break, c, world(leaving={"P1": ahead(120)}))
    assert stays.action.startswith("plan to keep P1: move the handover to ")
