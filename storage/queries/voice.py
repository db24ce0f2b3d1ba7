"""The person's voice on each case (docs/voice.md): their check-ins and their
`not_with` list, two statements for any number of cases (the package
docstring, storage/queries/__init__.py)."""

from __future__ import annotations

from collections import defaultdict

from planner.model import Checkin, NotWith
from storage.queries.rows import _Dates, _PractitionerIds, _Where


def checkins_by_case(reader, for_cases, pids: _PractitionerIds, dates: _Dates) -> dict[int, tuple[Checkin, ...]]:
    """case id -> its check-ins in date order."""
    out: dict[int, list[Checkin]] = defaultdict(list)
    where: _Where = for_cases("ci.case_id")
    for case_id, day, ppk, listened, goals, trust, words in reader.rows(
        "SELECT ci.case_id, ci.checkin_date, ci.practitioner_pk, ci.listened, ci.goals, ci.trust, ci.words"
        f" FROM checkin ci WHERE {where.sql} ORDER BY ci.case_id, ci.checkin_date, ci.id",
        where.params,
    ):
        out[case_id].append(Checkin(dates[day], pids[ppk], int(listened), int(goals), int(trust), words))
    return {case_id: tuple(rows) for case_id, rows in out.items()}


def not_with_by_case(reader, for_cases, pids: _PractitionerIds) -> dict[int, tuple[NotWith, ...]]:
    """case id -> the practitioners the person must not be allocated to."""
    out: dict[int, list[NotWith]] = defaultdict(list)
    where: _Where = for_cases("nw.case_id")
    for case_id, ppk, reason in reader.rows(
        f"SELECT nw.case_id, nw.practitioner_pk, nw.reason FROM not_with nw WHERE {where.sql}"
        " ORDER BY nw.case_id, nw.id",
        where.params,
    ):
        out[case_id].append(NotWith(pids[ppk], reason))
    return {case_id: tuple(rows) for case_id, rows in out.items()}
