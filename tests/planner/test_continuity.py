"""The continuity measures of SPEC §12 against hand-computed figures
(tests/continuity_kit.py) and the Bice–Boxerman index's edge cases."""

from __future__ import annotations

from datetime import date

import pytest

from planner.continuity import MEASURE_NAMES, continuity_report, report_months
from planner.continuity.measures import Month, Scope, bice_boxerman, case_index, cases_of, days_held, held_on
from planner.errors import CaseloadError
from planner.model import Allocation, Case, Contact
from tests.continuity_kit import AS_OF, CASES, EXPECTED_JUNE, JUNE, WORLD


def _june():
    report = continuity_report(CASES, WORLD, "T1", AS_OF, first=date(2026, 6, 1))
    assert [m.month.label for m in report.months] == [JUNE]
    return report.months[0]


def _approx(expected):
    return None if expected is None else pytest.approx(expected)


@pytest.mark.parametrize("name", MEASURE_NAMES)
@pytest.mark.parametrize("scope", sorted(EXPECTED_JUNE))
def test_each_measure_matches_the_hand_computed_june(scope, name):
    month = _june()
    figures = month.team if scope == "team" else month.practitioners[scope]
    assert getattr(figures, name) == _approx(EXPECTED_JUNE[scope][name])


def test_practitioners_are_the_team_members_by_id():
    report = continuity_report(CASES, WORLD, "T1", AS_OF)
    assert report.practitioner_ids == ("L1", "P1", "P2", "P3")
    assert "Q1" not in report.to_dict()["months"][0]["practitioners"]


@pytest.mark.parametrize(
    ("counts", "expected"),
    [
        ([], None),               # no contacts
        ([1], None),              # one contact: left out
        ([0, 1], None),
        ([2], 1.0),               # one practitioner
        ([7], 1.0),
        ([1, 1], 0.0),            # evenly split, one each
        ([2, 2], 1 / 3),          # evenly split: (8 - 4) / 12
        ([3, 3, 3], 1 / 4),       # (27 - 9) / 72
        ([1, 1, 1, 1], 0.0),      # everyone different
        ([3, 1], 1 / 2),          # (10 - 4) / 12
    ],
)
def test_bice_boxerman_edges(counts, expected):
    assert bice_boxerman(counts) == _approx(expected)


def test_index_counts_meaningful_contacts_of_the_year_up_to_the_day():
    case = Case("X", "Made-up", allocations=(Allocation("P1", date(2024, 1, 1)),), contacts=(
        Contact(date(2025, 6, 30), "P2"),               # exactly 365 days before: outside
        Contact(date(2025, 7, 1), "P1"),
        Contact(date(2026, 1, 1), "P1", "other"),       # not meaningful
        Contact(date(2026, 2, 1), "P2", outcome="missed"),
        Contact(date(2026, 3, 1), "P1"),
        Contact(date(2026, 7, 1), "P2"),                # after the day
    ))
    assert case_index(case, date(2026, 6, 30)) == 1.0
    # a day later 2025-07-01 falls out: P1 on 03-01 and P2 on 07-01, one each
    assert case_index(case, date(2026, 7, 1)) == 0.0


def test_days_held_counts_both_ends_and_overlaps_once():
    june = Month(JUNE, date(2026, 6, 1), date(2026, 6, 30))
    case = Case("X", "Made-up", allocations=(
        Allocation("P1", date(2026, 5, 1), date(2026, 6, 10)),
        Allocation("P2", date(2026, 6, 10), date(2026, 6, 10)),   # overlaps a day
        Allocation("P1", date(2026, 6, 29)),
    ))
    assert days_held(case, Scope(frozenset({"P1", "P2"})), june) == 12
    assert days_held(case, Scope(frozenset({"P2"})), june) == 1
    assert held_on(case, date(2026, 6, 10)).practitioner_id == "P2"
    assert held_on(case, date(2026, 6, 20)) is None


def test_months_default_to_the_twelve_to_as_of_and_end_on_it():
    months = report_months(date(2026, 11, 27))
    assert [m.label for m in months][0] == "2025-12"
    assert [m.label for m in months][-1] == "2026-11"
    assert len(months) == 12
    assert months[-1].last == date(2026, 11, 27)
    assert months[1].first == date(2026, 1, 1) and months[1].last == date(2026, 1, 31)


def test_months_from_to():
    months = report_months(date(2026, 11, 27), date(2026, 2, 15), date(2026, 4, 2))
    assert [(m.label, m.first, m.last) for m in months] == [
        ("2026-02", date(2026, 2, 1), date(2026, 2, 28)),
        ("2026-03", date(2026, 3, 1), date(2026, 3, 31)),
        ("2026-04", date(2026, 4, 1), date(2026, 4, 30)),
    ]


@pytest.mark.parametrize(
    ("first", "last", "message"),
    [(date(2026, 5, 1), date(2026, 4, 1), "--from 2026-05-01 is after --to 2026-04-01"),
     (None, date(2026, 12, 1), "--to 2026-12-01 is after the as-of date 2026-11-27")],
)
def test_bad_ranges_are_refused(first, last, message):
    with pytest.raises(CaseloadError, match=message):
        report_months(date(2026, 11, 27), first, last)


def test_contacts_after_the_as_of_date_are_not_counted():
    as_of = date(2026, 6, 21)
    month = continuity_report(CASES, WORLD, "T1", as_of, first=date(2026, 6, 1)).months[0]
    assert month.month.last == as_of
    # C1's P2 met on the 12th (2 working days); C2's P1 not until the 22nd
    assert month.team.days_to_first_contact == 2.0
    assert month.practitioners["P1"].days_to_first_contact is None


def test_the_same_data_and_date_give_the_same_report():
    one = continuity_report(CASES, WORLD, "T1", AS_OF).to_dict()
    two = continuity_report(tuple(reversed(CASES)), WORLD, "T1", AS_OF).to_dict()
    assert one == two
    assert list(one["months"][-1]["team"]) == list(MEASURE_NAMES)


def test_the_cases_of_a_scope_are_those_held_at_month_end():
    june = Month(JUNE, date(2026, 6, 1), date(2026, 6, 30))
    assert [c.case_ref for c in cases_of(CASES, Scope({"P1"}), june)] == ["C2", "C3", "C5"]
    assert [c.case_ref for c in cases_of(CASES, Scope({"P1", "P2", "P3", "L1"}), june)] == [
        "C1", "C2", "C3", "C4", "C5", "C6"]  # not C8, closed on 06-05; not C7, Q1's
