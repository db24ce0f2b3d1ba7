"""Properties of the rules, checked on generated cases (hypothesis).

Contact severity = the worst of first_contact, contact_overdue, contact_due
and no_appointment (none < low < medium < high): the rules about when the
person is next seen.
"""

from bisect import bisect_right
from collections import defaultdict
from dataclasses import replace
from datetime import timedelta

from hypothesis import assume, given, settings
from hypothesis import strategies as st

from planner.model import CONTACT_KINDS, CONTACT_LEVELS, OUTCOMES, Appointment, Contact
from planner.risk import evaluate_case
from planner.rules import RuleContext, contact_due, contact_overdue, first_contact, no_appointment
from rules_kit import AS_OF, WORLD, Allocation, Handover, absence, ago, ahead, case, checklist, world

RANK = {None: 0, "info": 0, "low": 1, "medium": 2, "high": 3}
MEANINGFUL_KINDS = [k for k in CONTACT_KINDS if k != "other"]
CONTACT_RULES = (first_contact, contact_overdue, contact_due, no_appointment)


def contact_severity(c, as_of=AS_OF, w=WORLD):
    ctx = RuleContext(c, w, as_of)
    found = [warning for rule in CONTACT_RULES for warning in rule(ctx)]
    return max((RANK[x.severity] for x in found), default=0)


contacts_st = st.lists(
    st.builds(
        lambda days, pid, kind, outcome, by, with_pid: Contact(
            ago(days), pid, kind, outcome, cancelled_by=by if outcome == "cancelled" else None,
            with_practitioner_id=with_pid),
        st.integers(0, 500),
        st.sampled_from(["P1", "P2", "P3"]),
        st.sampled_from(CONTACT_KINDS),
        st.sampled_from(OUTCOMES),
        st.sampled_from([None, "person", "practitioner"]),
        st.sampled_from([None, None, "P1", "P2"]),
    ),
    max_size=12,
)

appointments_st = st.lists(
    st.builds(
        lambda days, pid, rrule: Appointment(ahead(days), pid, rrule=rrule),
        st.integers(-30, 60),
        st.sampled_from(["P1", "P2"]),
        st.sampled_from([None, None, "FREQ=WEEKLY;COUNT=4", "FREQ=WEEKLY;INTERVAL=2;COUNT=6"]),
    ),
    max_size=3,
)


@st.composite
def cases(draw, with_appointments=False, with_handovers=False, recent=False):
    level = draw(st.sampled_from(CONTACT_LEVELS))
    start = draw(st.integers(0, 400))
    allocations = [Allocation("P1", ago(start))]
    if draw(st.booleans()):
        allocations.insert(0, Allocation("P2", ago(start + draw(st.integers(1, 400))), ago(start)))
    handovers = []
    if with_handovers and draw(st.booleans()):
        days = draw(st.integers(-5, 40))
        handovers.append(Handover("P1", "P3", ahead(days), items=checklist(
            *draw(st.lists(st.sampled_from(["told", "summary", "read", "three_way"]), max_size=3)),
            due=ahead(days - draw(st.integers(0, 14))))))
    contacts = draw(contacts_st)
    if recent:  # seen lately, so the due date is still ahead
        contacts.append(Contact(ago(draw(st.integers(0, min(start, 42)))), draw(st.sampled_from(["P1", "P2"])),
                                draw(st.sampled_from(MEANINGFUL_KINDS))))
    return case(level=level, allocations=allocations, contacts=contacts,
                appointments=draw(appointments_st) if with_appointments else [],
                handovers=handovers, youth=draw(st.booleans()))


@st.composite
def worlds(draw):
    absences = []
    for _ in range(draw(st.integers(0, 2))):
        start = draw(st.integers(-60, 60))
        length = draw(st.one_of(st.none(), st.integers(1, 90)))
        absences.append(absence("P1", ahead(start), None if length is None else ahead(start + length - 1),
                                cover=draw(st.sampled_from([None, None, "P2"]))))
    leaving = {}
    if draw(st.booleans()):
        leaving["P1"] = ahead(draw(st.integers(-30, 90)))
    # one practitioner cannot have two absences starting the same day (the schema's key)
    absences = list({a.start_date: a for a in absences}.values())
    return world(absences=absences, leaving=leaving)


def with_contact(c, contact):
    contacts = list(c.contacts)
    contacts.insert(bisect_right([x.contact_date for x in contacts], contact.contact_date), contact)
    return replace(c, contacts=tuple(contacts))


@settings(max_examples=400, deadline=None)
@given(c=cases(), data=st.data())
def test_a_new_meaningful_contact_never_raises_contact_severity(c, data):
    ctx = RuleContext(c, WORLD, AS_OF)
    oldest = (AS_OF - ctx.gap_from).days  # the last meaningful contact, or the first allocation
    days_ago = data.draw(st.integers(0, max(oldest, 0)))
    new = Contact(
        ago(days_ago),
        data.draw(st.sampled_from(["P1", "P2", "P4"])),
        data.draw(st.sampled_from(MEANINGFUL_KINDS)),
        "attended",
        with_practitioner_id=data.draw(st.sampled_from([None, "P1"])),
    )
    assert contact_severity(with_contact(c, new)) <= contact_severity(c)


def warnings_by_rule(c, w):
    out: dict[str, list[int]] = defaultdict(list)
    for warning in evaluate_case(c, w, AS_OF):
        out[warning.rule].append(RANK[warning.severity])
    return {rule: sorted(ranks, reverse=True) for rule, ranks in out.items()}


@settings(max_examples=400, deadline=None)
@given(c=cases(with_appointments=True, with_handovers=True, recent=True), w=worlds(), data=st.data())
def test_a_new_booking_before_the_due_date_never_adds_a_warning(c, w, data):
    """A booking from as-of to the due date, with anyone, on a day its
    practitioner is not away (an appointment they cannot keep is
    cover_needed's to report), adds no warning and raises none."""
    due = RuleContext(c, w, AS_OF).due_on
    assume(due is not None and due >= AS_OF)
    day = AS_OF + timedelta(days=data.draw(st.integers(0, (due - AS_OF).days)))
    free = [pid for pid in ("P1", "P2", "P3") if not any(a.covers(day) for a in w.absences_of(pid))]
    assume(free)
    pid = data.draw(st.sampled_from(free))
    booked = replace(c, appointments=tuple(sorted((*c.appointments, Appointment(day, pid)),
                                                  key=lambda a: a.appointment_date)))
    before, after = warnings_by_rule(c, w), warnings_by_rule(booked, w)
    for rule, ranks in after.items():
        assert rule in before, (rule, before, after)
        assert len(ranks) <= len(before[rule])
        assert all(a <= b for a, b in zip(ranks, before[rule])), (rule, before, after)


@settings(max_examples=300, deadline=None)
@given(c=cases(), later=st.integers(1, 200))
def test_time_passing_without_contact_never_lowers_contact_severity(c, later):
    as_of_2 = AS_OF + timedelta(days=later)
    early_1 = RuleContext(c, WORLD, AS_OF).in_early_window
    early_2 = RuleContext(c, WORLD, as_of_2).in_early_window
    # T switches column when the relationship leaves the early window (see below).
    assume(early_1 == early_2)
    assert contact_severity(c, as_of_2) >= contact_severity(c)


def test_leaving_the_early_window_can_lower_contact_severity():
    """Not a bug but the spec's arithmetic: at 84 days T jumps from the early to
    the later column (standard 14 -> 28), so a gap that was overdue is not even due."""
    c = case(start_ago=60, contacts=[Contact(ago(0), "P1")])
    day_83, day_84 = AS_OF + timedelta(days=23), AS_OF + timedelta(days=24)
    assert RuleContext(c, WORLD, day_83).in_early_window
    assert not RuleContext(c, WORLD, day_84).in_early_window
    assert contact_severity(c, day_83) == RANK["high"]  # gap 23 > 21, nothing booked
    assert contact_severity(c, day_84) == RANK[None]  # due Tue 29 Dec: 8 days away


@settings(max_examples=200, deadline=None)
@given(
    drawn=st.lists(
        st.tuples(
            cases(with_appointments=True, with_handovers=True),
            st.sampled_from(["active", "active", "paused", "closed"]),
            st.one_of(st.none(), st.integers(-30, 30)),
        ),
        max_size=8,
    ),
    w=worlds(),
)
def test_evaluate_agrees_with_evaluate_case_on_every_case(drawn, w):
    """`evaluate` (the list, by risk) gives each case exactly the warnings and
    score that `evaluate_case` and `risk_score` give it, closed cases left out."""
    from planner.risk import evaluate, risk_score

    batch = [
        replace(c, case_ref=f"C{i:02}", status=status,
                paused_until=None if status != "paused" or until is None else ahead(until))
        for i, (c, status, until) in enumerate(drawn)
    ]
    expected = []
    for c in batch:
        if c.status == "closed":
            continue
        warnings = evaluate_case(c, w, AS_OF)
        expected.append((c.case_ref, warnings, risk_score(warnings)))
    expected.sort(key=lambda row: (-row[2], row[0]))
    got = [(risk.case_ref, list(risk.warnings), risk.score) for risk in evaluate(batch, w, AS_OF)]
    assert got == expected
