"""practitioner_cancelled (docs/rules.md, rules v2): 2 or more contacts cancelled by the
practitioner's side (`cancelled_by = practitioner`) in the last 56 days:
medium; high at 3 or more."""

import pytest

from planner.rules import practitioner_cancelled
from rules_kit import AS_OF, ahead, booked, cancelled, case, only, seen, severity


@pytest.mark.parametrize(
    ("contacts", "expected"),
    [
        ([cancelled(10, by="practitioner")], None),
        ([cancelled(10, by="practitioner"), cancelled(3, by="practitioner")], "medium"),
        ([cancelled(50, by="practitioner"), cancelled(30, by="practitioner"), cancelled(3, by="practitioner")], "high"),
        # "in the last 56 days": 55 days ago counts, 56 does not
        ([cancelled(55, by="practitioner"), cancelled(3, by="practitioner")], "medium"),
        ([cancelled(56, by="practitioner"), cancelled(3, by="practitioner")], None),
        # cancelled by the person, or not recorded: not counted
        ([cancelled(10, by="person"), cancelled(3, by="practitioner")], None),
        ([cancelled(10), cancelled(3, by="practitioner")], None),
        # another practitioner's cancellations on the case count too (duty, cover)
        ([cancelled(10, "P2", by="practitioner"), cancelled(3, by="practitioner")], "medium"),
        # future ones are not counted
        ([cancelled(10, by="practitioner"), cancelled(-3, by="practitioner")], None),
        # attended contacts between do not reset it
        ([cancelled(20, by="practitioner"), seen(10), cancelled(3, by="practitioner")], "medium"),
    ],
)
def test_counts(contacts, expected):
    assert severity(practitioner_cancelled, case(contacts=contacts)) == expected


def test_words_action_and_facts():
    c = case(contacts=[cancelled(20, by="practitioner"), cancelled(6, "P2", by="practitioner")],
             appointments=[booked(4)])
    w = only(practitioner_cancelled, c)
    assert w.title == "2 appointments cancelled by us in 8 weeks"
    assert w.detail == ("2 contacts were cancelled by the practitioner's side in the last 56 days "
                        "(7 Nov 2026 and 21 Nov 2026, by Alex Kent (P1) and Sam Reed (P2)).")
    assert w.action == "keep the appointment on Tue 1 Dec; no more cancellations from our side"
    assert w.facts["cancelled_on"] == ["2026-11-07", "2026-11-21"]
    unbooked = only(practitioner_cancelled, case(contacts=c.contacts))
    assert unbooked.action == "rebook with the person by Tue 1 Dec and keep it"
    assert AS_OF.isoformat() == "2026-11-27"
