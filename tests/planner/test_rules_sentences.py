"""§11 rules: release_coming, order_ending (a status), turning_18; and what
custody does to the contact rules and the first-contact deadline
(docs/rules.md)."""

from dataclasses import replace
from datetime import date

import pytest

from planner.model import Handover, Practitioner, World
from planner.risk import evaluate_case
from planner.rules import first_contact, order_ending, release_coming, turning_18
from rules_kit import AS_OF, TEAMS, WORLD, ahead, booked, case, only, run, seen, severity


def custody(release_in: int | None, *, contacts=(), appointments=(), sentence="custody", start_ago=200):
    base = case(contacts=list(contacts), appointments=list(appointments), start_ago=start_ago)
    return replace(base, sentence=sentence, release_on=None if release_in is None else ahead(release_in))


# --------------------------------------------------------------------------- release_coming


@pytest.mark.parametrize(
    ("release_in", "contacts", "expected"),
    [
        (0, [], "high"),  # release today
        (1, [], "high"),  # tomorrow
        (14, [], "high"),  # the last day of high
        (15, [], "medium"),
        (56, [], "medium"),  # in 56 days: the last day it fires
        (57, [], None),  # too far
        (-1, [], None),  # released yesterday: first_contact's, not this rule's
        (10, [seen(27)], None),  # seen 27 days ago: inside the 28
        (10, [seen(28)], "high"),  # 28 days ago is not "in the last 28 days"
        (30, [seen(5, pid="P2")], "medium"),  # someone else saw them: not the practitioner's own
        (None, [], None),  # no release date
    ],
)
def test_release_coming(release_in, contacts, expected):
    assert severity(release_coming, custody(release_in, contacts=contacts)) == expected


@pytest.mark.parametrize("sentence", ["licence", "community_order", None])
def test_release_coming_is_for_custody_cases_only(sentence):
    assert severity(release_coming, custody(10, sentence=sentence)) is None


def test_release_coming_says_what_to_do_with_dates():
    w = only(release_coming, custody(10))
    # the last working day before the release day (Mon 7 Dec): Fri 4 Dec
    assert w.action == "see them before release (prison visit or video) by Fri 4 Dec, and book the first " \
                       "appointment on Mon 7 Dec"
    assert w.facts == {"release_on": "2026-12-07", "days_to_release": 10, "own_last_contact": None,
                       "release_day_booked": False, "first_contact_deadline": "2026-12-07",
                       "first_booked_on": None}
    booked_on_day = only(release_coming, custody(10, appointments=[booked(10)]))
    assert booked_on_day.action == "see them before release (prison visit or video) by Fri 4 Dec"
    assert booked_on_day.facts["release_day_booked"] is True
    assert only(release_coming, custody(0)).action == "book and hold the first appointment today"


# --------------------------------------------------------------------------- custody and the contact rules


def test_a_custody_case_gets_no_contact_rules_until_release():
    never_seen = custody(30, start_ago=400)
    rules = {w.rule for w in evaluate_case(never_seen, WORLD, AS_OF)}
    assert "release_coming" in rules
    assert not rules & {"first_contact", "contact_overdue", "no_appointment", "relationship_gap"}
    on_release = {w.rule for w in evaluate_case(never_seen, WORLD, ahead(30))}
    assert "first_contact" in on_release


@pytest.mark.parametrize(
    ("as_of_offset", "expected"),
    [(-8, None), (-7, "low"), (0, "low"), (1, "high")],  # the deadline is the release day itself
)
def test_the_first_contact_deadline_of_a_release_is_the_release_day(as_of_offset, expected):
    # allocated 20 days before a release 10 days from AS_OF; a licence now (moved from custody)
    c = replace(case(start_ago=10), sentence="licence", release_on=ahead(10))
    day = ahead(10 + as_of_offset)
    assert severity(first_contact, c, WORLD, day) == expected
    if expected:
        assert only(first_contact, c, WORLD, day).facts["deadline"] == "2026-12-07"


def test_an_allocation_after_the_release_keeps_the_working_day_deadline():
    c = replace(case(start_ago=3), sentence="licence", release_on=ahead(-10))
    assert only(first_contact, c).facts["deadline"] == "2026-12-01"  # Tue 24 Nov + 5 working days


# --------------------------------------------------------------------------- order_ending


@pytest.mark.parametrize(
    ("ends_in", "fires"),
    [(-1, False), (0, True), (28, True), (29, False), (None, False)],
)
def test_order_ending_window(ends_in, fires):
    c = replace(case(), sentence="community_order", sentence_end=None if ends_in is None else ahead(ends_in))
    found = run(order_ending, c)
    assert bool(found) == fires
    if fires:
        assert found[0].severity == "info"


def test_an_order_ending_on_a_bank_holiday_is_ended_with_on_the_working_day_before():
    # Fri 25 Dec 2026 is Christmas Day: the good ending is planned by Thu 24 Dec
    c = replace(case(), sentence="licence", sentence_end=date(2026, 12, 25))
    w = only(order_ending, c)
    assert w.action == "plan a good ending by Thu 24 Dec"
    assert w.facts["last_working_day"] == "2026-12-24" and w.facts["tag"] == "ends 25 Dec"
    assert "Christmas Day" in w.detail
    # a plain weekday: that day itself
    assert only(order_ending, replace(c, sentence_end=date(2026, 12, 10))).action == \
        "plan a good ending by Thu 10 Dec"
    # a Saturday: the Friday before
    assert only(order_ending, replace(c, sentence_end=date(2026, 12, 12))).facts["last_working_day"] == "2026-12-11"


def test_order_ending_weighs_nothing():
    c = replace(case(contacts=[seen(1)]), sentence="licence", sentence_end=ahead(3))
    from planner.risk import risk_score

    found = evaluate_case(c, WORLD, AS_OF)
    assert "order_ending" in {w.rule for w in found} and risk_score(found) == 0


# --------------------------------------------------------------------------- turning_18


def child(born: date, handovers=()):
    return replace(case(youth=True, handovers=list(handovers)), date_of_birth=born)


PEOPLE = {
    "P1": Practitioner("P1", "Alex Kent", "T1", grade="YJW"),
    "P2": Practitioner("P2", "Sam Reed", "T1", grade="YJW"),  # a colleague in youth justice
    "P3": Practitioner("P3", "Priya Shah", "T1", grade="PO"),  # same team, adult grade
    "A1": Practitioner("A1", "Jo Marsh", "T2", grade="YJW"),  # another team
}
YOUTH_WORLD = World(practitioners=PEOPLE, teams=TEAMS)


@pytest.mark.parametrize(
    ("born", "as_of", "expected"),
    [
        (date(2009, 5, 28), AS_OF, "medium"),  # 18 in 182 days: the last day it fires
        (date(2009, 5, 29), AS_OF, None),  # 183 days
        (date(2009, 1, 22), AS_OF, "high"),  # 56 days
        (date(2009, 1, 23), AS_OF, "medium"),  # 57 days
        (date(2008, 11, 27), AS_OF, "high"),  # 18 today
        (date(2008, 11, 26), AS_OF, None),  # 18 yesterday
        # born on 29 February: 18 on 1 March 2026 (a common year), not 28 February
        (date(2008, 2, 29), date(2026, 2, 28), "high"),
        (date(2008, 2, 29), date(2026, 3, 1), "high"),
        (date(2008, 2, 29), date(2026, 3, 2), None),
    ],
)
def test_turning_18(born, as_of, expected):
    assert severity(turning_18, child(born), YOUTH_WORLD, as_of) == expected


def test_turning_18_on_29_february_names_1_march():
    w = only(turning_18, child(date(2008, 2, 29)), YOUTH_WORLD, date(2026, 1, 10))
    assert w.facts == {"turns_18_on": "2026-03-01", "days_to_18": 50}
    assert w.action == "plan the transition by Fri 27 Feb"  # the working day before Sun 1 Mar


@pytest.mark.parametrize(
    ("to", "quiet"),
    [("P2", False), ("P3", True), ("A1", True)],  # a YJW colleague is no transition; adult grade or team is
)
def test_a_planned_transition_ends_turning_18(to, quiet):
    handover = Handover("P1", to, ahead(30))
    c = child(date(2009, 1, 1), handovers=[handover])
    assert (severity(turning_18, c, YOUTH_WORLD) is None) == quiet


def test_turning_18_is_for_children_only():
    adult = replace(case(), date_of_birth=date(2009, 1, 1))
    assert severity(turning_18, adult, YOUTH_WORLD) is None


@pytest.mark.parametrize(
    ("ends_in", "expected"),
    [
        (None, "medium"),  # no order recorded
        (20, "medium"),  # the order ends before 18: §11 asks all the same
        (100, "medium"),  # on the birthday itself
        (101, "medium"),  # a day past it
    ],
)
def test_turning_18_asks_whatever_the_order_end(ends_in, expected):
    turns = ahead(100)
    c = replace(child(turns.replace(year=turns.year - 18)),
                sentence="referral_order", sentence_end=None if ends_in is None else ahead(ends_in))
    assert severity(turning_18, c, YOUTH_WORLD) == expected
