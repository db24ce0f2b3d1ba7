"""A youth justice team's transition team (SPEC §11, schema 0011): the adult
team its children's cases move to at 18, whose practitioners its logins may
name as a child's receiver (storage.access.check_receiver). The
administrator's to set, as every column of `team` is (PostgreSQL grants a
practitioner's login no write on `team`)."""

from __future__ import annotations

from sqlalchemy import select
from sqlmodel import Session

from planner.errors import CaseloadError
from storage import audit
from storage import models as m
from storage.access import actor_for, require_admin


def set_transition_team(session: Session, *, team_id: str, to_team_id: str | None, actor: str) -> None:
    """Link `team_id` to `to_team_id` (None: unlink), audited. CaseloadError
    for an unknown team, a team linked to itself, or anyone but the
    administrator; nothing is written then."""
    require_admin(actor_for(session, actor), "link a team to its transition team")
    teams = {t.team_id: t for t in session.execute(select(m.Team)).scalars()}
    for name in (team_id, to_team_id):
        if name is not None and name not in teams:
            raise CaseloadError(f"unknown team {name}")
    if team_id == to_team_id:
        raise CaseloadError(f"team {team_id} cannot be its own transition team")
    team = teams[team_id]
    team.transition_team_pk = None if to_team_id is None else teams[to_team_id].id
    team.version += 1
    session.add(team)
    session.flush()
    audit.record(session, actor, "link", "team", team_id, transition_team=to_team_id)


def transition_team_of(session: Session, team_id: str) -> str | None:
    """The team_id of `team_id`'s transition team (None: none)."""
    linked = m.Team.__table__.alias("linked")
    return session.execute(
        select(linked.c.team_id).select_from(m.Team).join(linked, linked.c.id == m.Team.transition_team_pk)
        .where(m.Team.team_id == team_id)).scalar()
