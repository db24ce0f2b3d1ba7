"""§11's moments as a practitioner meets them (docs/rules.md): a release on a
day no appointment can be booked, or while the practitioner is away; the
release day itself (one warning, the contact clocks restarted); a first
appointment booked after the first-contact deadline; a planned transition at
18 and practitioner_churn; turning_18's working day."""

from dataclasses import replace
from datetime import date

import pytest

from planner.model import Handover, Practitioner, World
from planner.risk import evaluate_case
from planner.rules import churn, first_contact, practitioner_churn, release_coming, turning_18
from rules_kit import (
    AS_OF,
    PRACTITIONERS,
    TEAMS,
    WORLD,
    Allocation,
    absence,
    ago,
    ahead,
    booked,
    case,
    checklist,
    only,
    seen,
    severity,
    world,
)

CHRISTMAS = date(2026, 12, 25)  # a Friday and a bank holiday; Mon 28 Dec is Boxing Day's substitute


def custody(release: date | None, *, contacts=(), appointments=(), sentence="custody", start_ago=200):
    base = case(contacts=list(contacts), appointments=list(appointments), start_ago=start_ago)
    return replace(base, sentence=sentence, release_on=release)


def on(day: date) -> int:
    """Days from AS_OF to `day`."""
    return (day - AS_OF).days


def warned(c, w=WORLD, as_of=AS_OF) -> list[str]:
    return sorted(x.rule for x in evaluate_case(c, w, as_of) if x.severity != "info")


# --------------------------------------------------------------------------- 1. a release on a non-working day


@pytest.mark.parametrize(
    ("release", "first_day", "words"),
    [
        (date(2026, 12, 7), "2026-12-07", "Mon 7 Dec"),  # a Monday: the day itself
        (date(2026, 12, 12), "2026-12-14", "Mon 14 Dec"),  # a Saturday: the Monday after
        (CHRISTMAS, "2026-12-29", "Tue 29 Dec"),  # Christmas, then the Boxing Day substitute
        (date(2027, 1, 1), "2027-01-04", "Mon 4 Jan 2027"),  # New Year's Day
    ],
)
def test_release_coming_books_the_first_working_day_on_or_after_release(release, first_day, words):
    w = only(release_coming, custody(release), WORLD, ago(20, release))
    assert w.action.endswith(f"book the first appointment on {words}")
    assert w.facts["first_contact_deadline"] == first_day
    if first_day != release.isoformat():
        assert "not a working day" in w.detail


@pytest.mark.parametrize(
    ("sentence", "as_of", "expected"),
    [
        ("licence", date(2026, 12, 24), "low"),  # a release on Christmas Day: due Tue 29 Dec
        ("licence", date(2026, 12, 29), "low"),  # the deadline itself: still coming
        ("licence", date(2026, 12, 30), "high"),  # passed
    ],
)
def test_the_first_contact_deadline_of_a_release_on_a_holiday_is_the_next_working_day(sentence, as_of, expected):
    c = replace(case(start_ago=10), sentence=sentence, release_on=CHRISTMAS)
    assert severity(first_contact, c, WORLD, as_of) == expected
    assert only(first_contact, c, WORLD, as_of).facts["deadline"] == "2026-12-29"


@pytest.mark.parametrize(
    ("cover", "visit_by", "book"),
    [
        # away 21 Dec to 1 Jan: the visit before the leave, the first appointment with the cover
        ("P2", "Fri 18 Dec", "book the first appointment on Tue 29 Dec with the cover, Sam Reed (P2)"),
        (None, "Fri 18 Dec", "book the first appointment on Tue 29 Dec with a colleague (name cover for that day)"),
    ],
)
def test_release_coming_names_the_cover_when_the_practitioner_is_away(cover, visit_by, book):
    away = world(absences=[absence("P1", date(2026, 12, 21), date(2027, 1, 1), cover=cover)])
    w = only(release_coming, custody(CHRISTMAS), away)
    assert w.action == f"see them before release (prison visit or video) by {visit_by}, and {book}"
    assert "P1 is away (leave) from 21 Dec 2026 to 1 Jan 2027" in w.detail


def test_release_coming_on_a_holiday_release_while_away_asks_the_cover_once():
    away = world(absences=[absence("P1", date(2026, 12, 21), date(2027, 1, 1), cover="P2")])
    w = only(release_coming, custody(CHRISTMAS), away, CHRISTMAS)
    assert w.action == "ask the cover, Sam Reed (P2), to book and hold the first appointment on Tue 29 Dec"


# --------------------------------------------------------------------------- 2. the release day: one warning


@pytest.mark.parametrize(
    ("contacts", "appointments", "as_of", "expected"),
    [
        # seen 60 days before release, released today: hold the first appointment, nothing else
        ([seen(60)], [], AS_OF, ["release_coming"]),
        ([seen(60)], [booked(0)], AS_OF, ["release_coming"]),
        # seen a week ago in prison, the first appointment booked today: nothing to do but hold it
        ([seen(7)], [booked(0)], AS_OF, []),
        # a day after release, met in prison but not since: first appointment not held
        ([seen(60)], [], ahead(1), ["release_coming"]),
        # met on the release day: the clock runs from that contact
        ([seen(60), seen(0)], [], ahead(3), []),
        # T (28 days) after release with no contact: overdue, counted from the release day
        ([seen(60)], [], ahead(33), ["contact_overdue", "no_appointment"]),
    ],
)
def test_on_and_after_the_release_day_the_contact_clocks_restart(contacts, appointments, as_of, expected):
    assert warned(custody(AS_OF, contacts=contacts, appointments=appointments), WORLD, as_of) == expected


def test_release_day_action_and_the_restarted_clock_in_words():
    c = custody(AS_OF, contacts=[seen(60)])
    assert only(release_coming, c).action == "book and hold the first appointment today"
    after = [x for x in evaluate_case(c, WORLD, ahead(33)) if x.rule == "contact_overdue"][0]
    assert after.detail.startswith("Released on 27 Nov 2026, 33 days ago, with no meaningful contact since")
    assert after.facts["gap_from"] == "2026-11-27" and after.facts["due_on"] == "2026-12-29"


def test_a_licence_case_released_days_ago_is_not_overdue_from_before_custody():
    c = replace(case(contacts=[seen(90)]), sentence="licence", release_on=ago(5))
    assert warned(c) == []


# --------------------------------------------------------------------------- 3. a stale first appointment


@pytest.mark.parametrize(
    ("first_booking", "expected"),
    [
        (date(2026, 12, 29), None),  # on the deadline
        (date(2026, 12, 24), None),  # before release (a prison visit): not after release
        (date(2027, 1, 6), "medium"),  # after it: move it
        (None, None),  # nothing booked, seen lately: release_coming keeps quiet as before
    ],
)
def test_a_first_appointment_after_the_deadline_is_warned(first_booking, expected):
    appointments = [] if first_booking is None else [booked(on(first_booking))]
    c = custody(CHRISTMAS, contacts=[seen(5)], appointments=appointments)
    assert severity(release_coming, c) == expected
    if expected:
        w = only(release_coming, c)
        assert w.action == "move the first appointment from Wed 6 Jan 2027 to Tue 29 Dec"
        assert w.facts["first_booked_on"] == "2027-01-06"


def test_a_late_first_appointment_and_no_recent_contact_say_both():
    c = custody(CHRISTMAS, contacts=[seen(40)], appointments=[booked(on(date(2027, 1, 6)))])
    assert only(release_coming, c).action == ("see them before release (prison visit or video) by Thu 24 Dec, "
                                              "and move the first appointment from Wed 6 Jan 2027 to Tue 29 Dec")


# --------------------------------------------------------------------------- 4. a planned transition and churn

YOUTH_PEOPLE = {**PRACTITIONERS, "P1": Practitioner("P1", "Alex Kent", "T1", grade="YJW"),
                "P2": Practitioner("P2", "Sam Reed", "T1", grade="YJW"),
                "Y3": Practitioner("Y3", "Kit Lane", "T1", grade="YJW"),
                "A1": Practitioner("A1", "Jo Marsh", "T2", grade="PO")}
YOUTH_WORLD = World(practitioners=YOUTH_PEOPLE, teams=TEAMS)


@pytest.mark.parametrize(
    ("to", "expected"),
    [
        ("A1", None),  # the transition to adult services at 18: required, not counted
        ("Y3", "high"),  # another YJW colleague: a change to avoid, counted (3 is high for a child)
    ],
)
def test_a_planned_transition_at_18_is_not_churn(to, expected):
    c = case(allocations=[Allocation("P2", ago(300), ago(100)), Allocation("P1", ago(100))], youth=True,
             handovers=[Handover("P1", to, ahead(30), items=checklist())])
    c = replace(c, date_of_birth=date(2009, 2, 6))
    assert severity(practitioner_churn, c, YOUTH_WORLD) == expected


def test_churn_with_a_planned_transition_says_keep_it_warm_not_avoid_it():
    c = case(allocations=[Allocation("P2", ago(300), ago(200)), Allocation("Y3", ago(200), ago(100)),
                          Allocation("P1", ago(100))], youth=True,
             handovers=[Handover("P1", "A1", ahead(30), items=checklist())])
    w = only(practitioner_churn, c, YOUTH_WORLD)
    assert w.severity == "high" and w.facts["count"] == 3 and w.facts["transition_receiver_id"] == "A1"
    assert "transition at 18 to Jo Marsh (A1) is planned" in w.detail
    assert w.action == "keep this worker until the transition at 18, make that handover warm, and avoid any other change"
    # the case screens count as the rule does (planner.rules.churn): the transition's receiver left out
    found = churn(c, AS_OF, world=YOUTH_WORLD)
    assert (found.count, found.planned, found.transition) == (3, (), "A1")


# --------------------------------------------------------------------------- 5. turning_18's working day


@pytest.mark.parametrize(
    ("born", "words"),
    [
        (date(2009, 2, 6), "Fri 5 Feb 2027"),  # 18 on Sat 6 Feb 2027: the Friday before
        (date(2009, 2, 8), "Fri 5 Feb 2027"),  # 18 on a Monday: the working day before it
        (date(2008, 12, 28), "Thu 24 Dec"),  # 18 on Mon 28 Dec (a bank holiday): Thu 24 Dec
    ],
)
def test_turning_18_names_the_working_day_before_the_birthday(born, words):
    c = replace(case(youth=True), date_of_birth=born)
    assert only(turning_18, c, YOUTH_WORLD).action == f"plan the transition by {words}"
