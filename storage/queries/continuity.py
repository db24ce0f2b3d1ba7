"""The read for the continuity report (SPEC §12, docs/continuity.md): every
case a team's practitioners held in the report's months, with its whole
allocation and handover history and the contacts the measures look at."""

from __future__ import annotations

from datetime import date, timedelta

from planner.continuity.measures import YEAR_DAYS
from planner.model import Case, World
from storage.queries.cases import _contacts_since, _load_cases
from storage.queries.world import load_world


def load_cases_for_continuity(reader, team_id: str, first: date, last: date) -> list[Case]:
    """The cases any practitioner of the team held from `first` to `last`
    (closed ones too), with every allocation and handover (checklist items
    only of the open ones and those completed from `last` on) and the
    contacts from 365 days before `first` (the continuity index's
    look-back, which also covers the 84 days of an early break). A fixed
    number of statements (storage/queries/__init__.py); CaseloadError for
    an unknown team."""
    return _load_cases(
        reader,
        practitioner_id=None,
        team_id=team_id,
        case_refs=None,
        include_closed=True,
        contacts=_contacts_since(first - timedelta(days=YEAR_DAYS)),
        items_since=last,
        team_between=(first, last),
    )


def load_continuity_input(reader, team_id: str, first: date, last: date) -> tuple[list[Case], World]:
    """The cases (`load_cases_for_continuity`) and the world (teams and
    practitioners; absences of the team's practitioners only, which the
    report does not read) for `planner.continuity.continuity_report`."""
    cases = load_cases_for_continuity(reader, team_id, first, last)
    return cases, load_world(reader, absences_team_id=team_id)
