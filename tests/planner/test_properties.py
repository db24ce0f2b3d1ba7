"""Properties of the contact rules, checked on generated cases (hypothesis).

Contact severity = the worse of contact_overdue and contact_due (none < low <
medium < high).
"""

from bisect import bisect_right
from dataclasses import replace
from datetime import timedelta

from hypothesis import assume, given, settings
from hypothesis import strategies as st

from planner.model import CONTACT_KINDS, CONTACT_LEVELS, OUTCOMES, Contact
from planner.rules import RuleContext, contact_due, contact_overdue
from rules_kit import AS_OF, WORLD, Allocation, ago, case

RANK = {None: 0, "low": 1, "medium": 2, "high": 3}
MEANINGFUL_KINDS = [k for k in CONTACT_KINDS if k != "other"]


def contact_severity(c, as_of=AS_OF):
    ctx = RuleContext(c, WORLD, as_of)
    found = contact_overdue(ctx) + contact_due(ctx)
    return max((RANK[w.severity] for w in found), default=0)


contacts_st = st.lists(
    st.builds(
        lambda days, pid, kind, outcome: Contact(ago(days), pid, kind, outcome),
        st.integers(0, 500),
        st.sampled_from(["P1", "P2", "P3"]),
        st.sampled_from(CONTACT_KINDS),
        st.sampled_from(OUTCOMES),
    ),
    max_size=12,
)


@st.composite
def cases(draw):
    level = draw(st.sampled_from(CONTACT_LEVELS))
    start = draw(st.integers(0, 400))
    allocations = [Allocation("P1", ago(start))]
    if draw(st.booleans()):
        allocations.insert(0, Allocation("P2", ago(start + draw(st.integers(1, 400))), ago(start)))
    return case(level=level, allocations=allocations, contacts=draw(contacts_st))


def with_contact(c, contact):
    contacts = list(c.contacts)
    contacts.insert(bisect_right([x.contact_date for x in contacts], contact.contact_date), contact)
    return replace(c, contacts=tuple(contacts))


@settings(max_examples=300, deadline=None)
@given(c=cases(), data=st.data())
def test_a_newer_meaningful_contact_never_raises_contact_severity(c, data):
    ctx = RuleContext(c, WORLD, AS_OF)
    oldest = (AS_OF - ctx.gap_from).days  # the last meaningful contact, or the first allocation
    days_ago = data.draw(st.integers(0, max(oldest, 0)))
    new = Contact(
        ago(days_ago),
        data.draw(st.sampled_from(["P1", "P2", "P4"])),
        data.draw(st.sampled_from(MEANINGFUL_KINDS)),
        "attended",
    )
    assert contact_severity(with_contact(c, new)) <= contact_severity(c)


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
    the later column (standard 14 -> 28), so a gap that was overdue becomes due."""
    c = case(start_ago=60, contacts=[Contact(ago(0), "P1")])
    day_83, day_84 = AS_OF + timedelta(days=23), AS_OF + timedelta(days=24)
    assert RuleContext(c, WORLD, day_83).in_early_window
    assert not RuleContext(c, WORLD, day_84).in_early_window
    assert contact_severity(c, day_83) == RANK["high"]  # gap 23 > 21
    assert contact_severity(c, day_84) == RANK["low"]  # gap 24 <= 28, due
