"""Whole cases at the edges rules v2 were written for: what a practitioner
sees on the case, every rule together."""

from planner.risk import evaluate_case, is_warning
from rules_kit import AS_OF, Allocation, Handover, absence, ago, ahead, booked, case, checklist, seen, world


def fired(c, w=None):
    return {(x.rule, x.severity) for x in evaluate_case(c, w or world(), AS_OF)}


def test_the_day_of_a_warm_handover_is_quiet():
    """v1 made this case high on its first day: the new relationship's early
    threshold (7 days, enhanced) against the old worker's last contact."""
    handover = Handover("P2", "P1", AS_OF, status="completed_warm", completed_on=AS_OF, items=checklist())
    c = case(level="enhanced", allocations=[Allocation("P2", ago(300), AS_OF), Allocation("P1", AS_OF)],
             contacts=[seen(12, "P2"), seen(0, "P2", kind="three_way", with_pid="P1")],
             appointments=[booked(4)], handovers=[handover])
    assert fired(c) == {("early_window", "info")}  # they met at the three-way today
    cold_day = case(level="enhanced", allocations=[Allocation("P2", ago(300), AS_OF), Allocation("P1", AS_OF)],
                    contacts=[seen(12, "P2")], appointments=[booked(4)],
                    handovers=[Handover("P2", "P1", AS_OF, status="completed_warm", completed_on=AS_OF,
                                        items=checklist("three_way"))])
    assert fired(cold_day) == {("early_window", "info"), ("first_contact", "low")}
    first = [x for x in evaluate_case(cold_day, world(), AS_OF) if x.rule == "first_contact"][0]
    assert first.action == "keep the first meeting booked for Tue 1 Dec"


def test_open_ended_sickness_asks_for_a_plan_once():
    w = world(absences=[absence("P1", ago(20), None, kind="sickness")])
    c = case(contacts=[seen(20)])
    found = fired(c, w)
    assert ("handover_unplanned", "high") in found
    assert not any(rule == "cover_needed" for rule, _ in found) or ("cover_needed", "medium") in found
    action = [x for x in evaluate_case(c, w, AS_OF) if x.rule == "handover_unplanned"][0].action
    assert action == "plan a handover, or name cover: P1 has been away since Sat 7 Nov with no end date"


def test_a_leaver_after_the_leaving_date_still_holding_the_case():
    w = world(leaving={"P1": ago(10)}, absences=[absence("P1", ahead(1), ahead(30))])
    c = case(contacts=[seen(26)])  # due Mon 30 Nov
    found = fired(c, w)
    assert ("handover_unplanned", "high") in found
    assert not any(rule == "cover_needed" for rule, _ in found)  # handover_unplanned's, not cover's
    due = [x for x in evaluate_case(c, w, AS_OF) if x.rule == "contact_due"][0]
    assert due.action == "ask the team lead to book a contact on or before Mon 30 Nov: P1 left on Tue 17 Nov"


def test_a_case_on_track_has_no_warning():
    c = case(level="intensive", start_ago=200, contacts=[seen(6), seen(13)], appointments=[booked(3)])
    assert not [x for x in evaluate_case(c, world(), AS_OF) if is_warning(x)]
