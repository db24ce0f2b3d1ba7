"""missed_appointments: the run of missed before the last attended (cancelled skipped): 2 medium, 3 high."""

import pytest

from planner.rules import missed_appointments
from rules_kit import cancelled, case, missed, only, seen, severity


@pytest.mark.parametrize(
    ("contacts", "expected"),
    [
        ([seen(30), missed(20)], None),
        ([seen(30), missed(20), missed(10)], "medium"),
        ([seen(30), missed(20), missed(10), missed(3)], "high"),
        # cancelled contacts are skipped, they neither count nor end the run
        ([seen(30), missed(20), cancelled(15), missed(10)], "medium"),
        ([seen(30), missed(20), cancelled(15), cancelled(12), missed(10), missed(5)], "high"),
        ([seen(30), cancelled(20), cancelled(10)], None),
        # an attended contact ends the run, even one of kind `other`
        ([missed(30), missed(25), seen(20), missed(10)], None),
        ([missed(30), missed(25), seen(20, kind="other"), missed(10)], None),
        # never attended at all
        ([missed(20), missed(10)], "medium"),
        # misses after as_of are ignored
        ([seen(30), missed(10), missed(-2)], None),
    ],
)
def test_runs(contacts, expected):
    assert severity(missed_appointments, case(contacts=contacts)) == expected


def test_words_action_and_facts():
    w = only(missed_appointments, case(contacts=[seen(31), missed(24), cancelled(17), missed(10), missed(3)]))
    assert w.severity == "high"
    assert w.facts == {
        "missed_count": 3,
        "missed_on": ["2026-11-03", "2026-11-17", "2026-11-24"],
        "last_attended_on": "2026-10-27",
        "next_booked_on": None,
    }
    assert w.title == "3 appointments missed in a row"
    assert w.action == "reach them by Tue 1 Dec to find out why, and rebook"
    assert w.detail == (
        "3 missed in a row (3 Nov 2026, 17 Nov 2026 and 24 Nov 2026) since the last attended "
        "contact on 27 Oct 2026; cancelled ones are not counted."
    )
