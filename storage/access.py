"""Who may see and change what: access by team, in the application.

SPEC §9: practitioners see and edit their own team's cases; team leads
rebalance their team. Issue 8 adds: only a team lead completes a handover
with an override (required checklist items still open) and reads another
practitioner's supervision records.

Who is acting:

- `--as PRACTITIONER_ID` names a practitioner: an `Actor` with their team
  and role (`resolve_actor`, strict: an unknown id is an error).
- No `--as`: the OS user, who is the *administrator* of a personal SQLite
  file (they own the file and could read it with any tool anyway), so
  nothing is refused. On a team server, people sign in with `--as`, and
  PostgreSQL's row-level security (schema 0003, `caseload server
  add-login`) also holds when someone bypasses the app with their login.

The write functions in `storage.repo` call `guard_case(session, actor,
case_ref)` with the audit actor string they were given: a string naming a
known practitioner is checked, anything else (the OS user, "import",
"auto") is the administrator. Commands and screens that read should call
`check_case_access` / `visible_team` with the `Actor` from `resolve_actor`.

A case belongs to the team in `case.team_pk`; a case with no team belongs
to the team of the practitioner it is allocated to (if any). The receiver of
a case's open handover sees it too, whatever their team (a handover to
another team is prepared by both sides). The database's row-level security
does not know that exception: a receiver in another team uses the app.
"""

from __future__ import annotations

from dataclasses import dataclass

from planner.errors import CaseloadError
from storage.reader import reader_of

LEAD_ROLE = "team_lead"
ADMIN_ROLE = "administrator"
_CACHE = "caseload.actors"  # session.info key: actor string -> Actor


@dataclass(frozen=True, slots=True)
class Actor:
    """The person acting: a practitioner of a team, or the administrator
    (practitioner_id None: the OS user on their own file)."""

    practitioner_id: str | None
    team_id: str | None
    role: str

    @property
    def is_admin(self) -> bool:
        return self.practitioner_id is None

    @property
    def is_lead(self) -> bool:
        return self.role == LEAD_ROLE

    def describe(self) -> str:
        return self.practitioner_id or "the administrator"


ADMIN = Actor(practitioner_id=None, team_id=None, role=ADMIN_ROLE)


def _lookup(session, practitioner_id: str) -> Actor | None:
    row = reader_of(session).first(
        "SELECT p.role, t.team_id FROM practitioner p JOIN team t ON t.id = p.team_pk"
        " WHERE p.practitioner_id = ?",
        (practitioner_id,),
    )
    if row is None:
        return None
    return Actor(practitioner_id=practitioner_id, team_id=row[1], role=row[0])


def resolve_actor(session, actor_id: str | None) -> Actor:
    """The Actor for `--as` (None: the administrator). CaseloadError for an
    id that names no practitioner."""
    if not actor_id:
        return ADMIN
    actor = _lookup(session, actor_id)
    if actor is None:
        raise CaseloadError(f"--as {actor_id}: no such practitioner")
    return actor


def actor_for(session, actor: str | Actor | None) -> Actor:
    """Lenient: the Actor behind an audit actor string. A known practitioner
    id gives that practitioner; anything else is the administrator. Cached
    on the session."""
    if isinstance(actor, Actor):
        return actor
    if not actor:
        return ADMIN
    cache = session.info.setdefault(_CACHE, {})
    if actor not in cache:
        cache[actor] = _lookup(session, actor) or ADMIN
    return cache[actor]


def visible_team(actor: Actor) -> str | None:
    """The team whose cases the actor sees; None = every team (administrator)."""
    return None if actor.is_admin else actor.team_id


def case_team_id(session, case_ref: str) -> str | None:
    """The team a case belongs to (see the module docstring); CaseloadError
    for an unknown case."""
    reader = reader_of(session)
    row = reader.first(
        'SELECT c.id, t.team_id FROM "case" c LEFT OUTER JOIN team t ON t.id = c.team_pk WHERE c.case_ref = ?',
        (case_ref,),
    )
    if row is None:
        raise CaseloadError(f"unknown case {case_ref}")
    case_id, team_id = row
    if team_id is not None:
        return team_id
    return reader.scalar(
        "SELECT t.team_id FROM team t JOIN practitioner p ON p.team_pk = t.id"
        " JOIN allocation a ON a.practitioner_pk = p.id"
        " WHERE a.case_id = ? AND a.end_date IS NULL ORDER BY a.start_date DESC, a.id DESC",
        (case_id,),
    )


def check_case_access(session, actor: Actor, case_ref: str) -> None:
    """Refuse (CaseloadError) when the actor's team is not the case's team.
    The administrator sees every case."""
    team = case_team_id(session, case_ref)
    if actor.is_admin or team == actor.team_id or _receives(session, actor, case_ref):
        return
    raise CaseloadError(
        f"{actor.practitioner_id} is in team {actor.team_id} and cannot see case {case_ref}"
        + (f" of team {team}" if team else " (it has no team)")
    )


def can_see_case(session, actor: Actor, case_ref: str) -> bool:
    """`check_case_access` as a test: does the actor see the case?"""
    if actor.is_admin:
        return True
    return case_team_id(session, case_ref) == actor.team_id or _receives(session, actor, case_ref)


def _receives(session, actor: Actor, case_ref: str) -> bool:
    """The actor is the receiver of the case's open handover (a handover to
    another team: the incoming practitioner prepares before it completes)."""
    from planner.model import OPEN_HANDOVER_STATUSES

    reader = reader_of(session)
    return reader.first(
        'SELECT h.id FROM handover h JOIN "case" c ON c.id = h.case_id'
        " JOIN practitioner p ON p.id = h.to_practitioner_pk"
        " WHERE c.case_ref = ? AND p.practitioner_id = ?"
        f" AND h.status IN ({reader.placeholders(len(OPEN_HANDOVER_STATUSES))})",
        (case_ref, actor.practitioner_id, *OPEN_HANDOVER_STATUSES),
    ) is not None


def guard_case(session, actor: str | Actor | None, case_ref: str) -> None:
    """`check_case_access` for the audit actor string a write was given (see
    `actor_for`): what `storage.repo`'s writes call."""
    check_case_access(session, actor_for(session, actor), case_ref)


def require_lead(actor: Actor, team_id: str | None, what: str) -> None:
    """Refuse (CaseloadError) unless the actor leads `team_id` (or is the
    administrator). `what` completes "only a team lead may ...", e.g.
    "apply a rebalance"."""
    if actor.is_admin:
        return
    if not actor.is_lead:
        raise CaseloadError(f"{actor.practitioner_id} is not a team lead: only a team lead may {what}")
    if team_id is not None and actor.team_id != team_id:
        raise CaseloadError(
            f"{actor.practitioner_id} leads team {actor.team_id}, not {team_id}: only its lead may {what}"
        )


def check_team_visible(actor: Actor, team_id: str) -> None:
    """Refuse a practitioner a view of another team as a whole (`warnings
    --team`, `handover list --team`, a rebalance plan)."""
    if actor.is_admin or actor.team_id == team_id:
        return
    raise CaseloadError(f"{actor.practitioner_id} is in team {actor.team_id} and cannot see team {team_id}")


def practitioner_team_id(session, practitioner_id: str) -> str:
    team = reader_of(session).scalar(
        "SELECT t.team_id FROM team t JOIN practitioner p ON p.team_pk = t.id WHERE p.practitioner_id = ?",
        (practitioner_id,),
    )
    if team is None:
        raise CaseloadError(f"unknown practitioner {practitioner_id}")
    return team


def check_practitioner_visible(session, actor: Actor, practitioner_id: str) -> None:
    """Refuse when the practitioner is in another team than the actor's
    (their week, their caseload)."""
    team = practitioner_team_id(session, practitioner_id)
    if actor.is_admin or team == actor.team_id:
        return
    raise CaseloadError(
        f"{actor.practitioner_id} is in team {actor.team_id} and cannot see {practitioner_id} of team {team}"
    )


def check_supervision_access(session, actor: Actor, practitioner_id: str) -> None:
    """A practitioner reads their own supervision records; another
    practitioner's are read only by the lead of that practitioner's team."""
    if actor.is_admin or actor.practitioner_id == practitioner_id:
        return
    require_lead(actor, practitioner_team_id(session, practitioner_id),
                 f"read the supervision records of {practitioner_id}")


def check_override(session, actor: Actor, case_ref: str) -> None:
    """Completing a handover with an override reason is for the case's team lead."""
    require_lead(actor, case_team_id(session, case_ref),
                 f"complete the handover of case {case_ref} with an override")


__all__ = [
    "ADMIN",
    "Actor",
    "actor_for",
    "can_see_case",
    "case_team_id",
    "check_case_access",
    "check_override",
    "check_practitioner_visible",
    "check_supervision_access",
    "check_team_visible",
    "guard_case",
    "practitioner_team_id",
    "require_lead",
    "resolve_actor",
    "visible_team",
]
