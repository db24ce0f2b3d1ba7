"""A youth justice team's transition team (SPEC §11, schema 0011): the adult
team its children's cases move to at 18, whose practitioners its logins may
name as a child's receiver (storage.access.check_receiver). The
administrator's to set, as every column of `team` is (PostgreSQL grants a
practitioner's login no write on `team`).

The write runs on SQLAlchemy Core as storage/repo's do (docs/ARCHITECTURE.md
"The write path"): a Core `Connection` from `transaction(engine)` (or a
Session, whose connection then runs it), importing SQLAlchemy only when it
writes; the read on a `storage.reader.Reader`, with no SQLAlchemy at all."""

from __future__ import annotations

from planner.errors import CaseloadError


def set_transition_team(db, *, team_id: str, to_team_id: str | None, actor: str) -> None:
    """Link `team_id` to `to_team_id` (None: unlink), audited. CaseloadError
    for an unknown team, a team linked to itself, or anyone but the
    administrator; nothing is written then."""
    from storage import audit
    from storage.access import actor_for, require_admin
    from storage.repo.lookups import team_row
    from storage.repo.transactions import update_versioned
    from storage.tables import t

    require_admin(actor_for(db, actor), "link a team to its transition team")
    team = team_row(db, team_id)
    to_team = None if to_team_id is None else team_row(db, to_team_id)
    if team_id == to_team_id:
        raise CaseloadError(f"team {team_id} cannot be its own transition team")
    update_versioned(db, t.team, team, f"team {team_id}", transition_team_pk=None if to_team is None else to_team.id)
    audit.record(db, actor, "link", "team", team_id, transition_team=to_team_id)


def transition_team_of(reader, team_id: str) -> str | None:
    """The team_id of `team_id`'s transition team (None: none). CaseloadError
    naming the team when there is no such team (or the login cannot see it)."""
    linked = reader.all("SELECT l.team_id FROM team t LEFT JOIN team l ON l.id = t.transition_team_pk"
                        " WHERE t.team_id = ?", (team_id,))
    if not linked:
        raise CaseloadError(f"unknown team {team_id}")
    return linked[0][0]
