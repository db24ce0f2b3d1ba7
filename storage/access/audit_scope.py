"""The audit trail: what of it an actor reads (storage/access/__init__.py)."""

from __future__ import annotations

from storage.access.actors import Actor, database_login
from storage.access.cases import visible_case_refs
from storage.reader import reader_of


def audit_scope(session, actor: Actor) -> tuple[set[str], set[str], str | None] | None:
    """What of the audit trail the actor reads: (case refs they see,
    practitioner ids of their team, their database login). An event of a
    case is read by whoever sees the case; an event of no case only by the
    actor's team (or the login that made it). None: all of it (the
    administrator). Mirrors the `audit_event` policy of schema 0004."""
    if actor.is_admin:
        return None
    team = {pid for (pid,) in reader_of(session).rows(
        "SELECT p.practitioner_id FROM practitioner p JOIN team t ON t.id = p.team_pk WHERE t.team_id = ?",
        (actor.team_id,))}
    return visible_case_refs(session, actor) or set(), team, database_login(session).name
