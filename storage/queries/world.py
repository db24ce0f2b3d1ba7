"""Teams, practitioners and absences: the `World` the rules read beside the cases."""

from __future__ import annotations

from collections import defaultdict

from planner.model import Absence, Practitioner, Team, World
from storage.collector import paused
from storage.queries.rows import (
    DEFAULT_NATION,
    _Dates,
    _make_absence,
    _make_practitioner,
    _raw_rows,
    _rows,
    _team_pk,
    _Words,
)


def _team_rows(session) -> list[Team]:
    rows = _rows(session, "SELECT team_id, name, nation FROM team ORDER BY team_id")
    return [Team(team_id=tid, name=name, nation=nation or DEFAULT_NATION) for tid, name, nation in rows]


def _practitioner_rows(session, team_pk: int | None = None) -> list[Practitioner]:
    sql = (
        "SELECT p.practitioner_id, p.name, t.team_id, p.role, p.grade, p.contracted_hours, p.reduction_pct,"
        " p.leaving_on, p.email, p.nation, t.nation"
        " FROM practitioner p JOIN team t ON t.id = p.team_pk"
    )
    params: tuple = ()
    if team_pk is not None:
        sql += " WHERE p.team_pk = ?"
        params = (team_pk,)
    dates, make = _Dates(), _make_practitioner
    return [
        make(
            pid,  # practitioner_id
            name,  # name
            team_id,  # team_id
            role,  # role
            grade,  # grade
            float(hours),  # contracted_hours
            float(reduction or 0.0),  # reduction_pct
            dates[leaving_on],  # leaving_on
            email,  # email
            own_nation or team_nation or DEFAULT_NATION,  # nation
        )
        for (
            pid, name, team_id, role, grade, hours, reduction, leaving_on, email, own_nation, team_nation
        ) in _rows(session, sql + " ORDER BY p.practitioner_id", params)
    ]


def load_world(session, *, absences_team_id: str | None = None) -> World:
    """Teams, practitioners and absences (grouped by practitioner_id, by start date).

    `absences_team_id`: only the absences of that team's practitioners, for
    a read that evaluates only cases held in that team (the rules and the
    workload read the absences of a case's current practitioner only).

    Three statements."""
    with paused():
        return _build_world(session, absences_team_id)


def _build_world(session, absences_team_id: str | None = None) -> World:
    teams = _team_rows(session)
    practitioners = _practitioner_rows(session)
    where, params = "", ()
    if absences_team_id is not None:
        where, params = " WHERE p.team_pk = (SELECT t.id FROM team t WHERE t.team_id = ?)", (absences_team_id,)
    rows = _raw_rows(
        session,
        "SELECT a.id, p.practitioner_id, a.start_date, a.end_date, a.kind, cover.practitioner_id"
        " FROM absence a JOIN practitioner p ON p.id = a.practitioner_pk"
        " LEFT OUTER JOIN practitioner cover ON cover.id = a.cover_practitioner_pk"
        f"{where} ORDER BY p.practitioner_id, a.start_date, a.id",
        params,
    )
    absences: dict[str, list[Absence]] = defaultdict(list)
    dates, words, make = _Dates(), _Words(), _make_absence
    for aid, pid, start, end, kind, cover in rows:
        absences[pid].append(make(pid, dates[start], dates[end], words[kind], cover, aid))
    return World(
        practitioners={p.practitioner_id: p for p in practitioners},
        teams={t.team_id: t for t in teams},
        absences={pid: tuple(items) for pid, items in absences.items()},
    )


def list_teams(session) -> list[Team]:
    """Every team, by team_id."""
    return _team_rows(session)


def list_practitioners(session, team_id: str | None = None) -> list[Practitioner]:
    """Practitioners by practitioner_id, optionally of one team (CaseloadError if unknown)."""
    team_pk = _team_pk(session, team_id) if team_id is not None else None
    return _practitioner_rows(session, team_pk)
