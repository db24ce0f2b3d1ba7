"""Supervision: who reads records, runs sessions and agrees or ticks actions
(storage/access/__init__.py says the rules)."""

from __future__ import annotations

from planner.errors import CaseloadError
from storage.access.actors import Actor, actor_for, lookup_actor
from storage.access.cases import can_see_case, check_case_access, practitioner_team_id
from storage.access.teams import require_lead


def check_supervision_access(session, actor: Actor, practitioner_id: str) -> None:
    """A practitioner reads their own supervision records (their sessions,
    notes and actions); another practitioner's are read only by the lead of
    that practitioner's team. The server's `action` policy (schema 0012)
    lets the practitioner of the session an action was agreed in read it
    too: the session's record shows it."""
    if actor.is_admin or actor.practitioner_id == practitioner_id:
        return
    require_lead(actor, practitioner_team_id(session, practitioner_id),
                 f"read the supervision records of {practitioner_id}")


def reads_supervision_of(session, actor: Actor, practitioner_id: str) -> bool:
    """`check_supervision_access` as a yes or no (a colleague's week leaves
    their actions out)."""
    try:
        check_supervision_access(session, actor, practitioner_id)
    except CaseloadError:
        return False
    return True


def check_supervision_lead(session, actor: str | Actor | None, practitioner_id: str, what: str) -> None:
    """Running a practitioner's supervision (starting or ending a session,
    its notes, flags, reviews) is for their team's lead, never themselves."""
    me = actor_for(session, actor)
    if me.is_admin:
        return
    if me.practitioner_id == practitioner_id:
        raise CaseloadError(f"{practitioner_id} cannot {what} in their own supervision; their team lead does")
    require_lead(me, practitioner_team_id(session, practitioner_id), what)


def check_supervision_case(session, actor: str | Actor | None, practitioner_id: str, case_ref: str) -> None:
    """A session's notes and reviews are about cases of the practitioner's
    team (those the practitioner sees), and the actor must see the case."""
    me = actor_for(session, actor)
    subject = lookup_actor(session, practitioner_id)
    if subject is None:
        raise CaseloadError(f"unknown practitioner {practitioner_id}")
    if not can_see_case(session, subject, case_ref):
        raise CaseloadError(
            f"case {case_ref} is not a case of team {subject.team_id}: a supervision session of "
            f"{practitioner_id} covers their team's cases only"
        )
    check_case_access(session, me, case_ref)


def check_action_add(session, actor: str | Actor | None, owner_id: str, case_ref: str | None,
                     session_practitioner_id: str | None) -> None:
    """An action is agreed by its owner for themselves (outside a session),
    or by the owner's team lead (in a session of their team, or outside one)."""
    me = actor_for(session, actor)
    if case_ref:
        check_case_access(session, me, case_ref)
    if me.is_admin:
        return
    if session_practitioner_id is None and owner_id == me.practitioner_id:
        return
    require_lead(me, practitioner_team_id(session, owner_id), f"agree an action for {owner_id}")
    if session_practitioner_id is not None:
        check_supervision_lead(session, me, session_practitioner_id, "agree actions")


def check_action_tick(session, actor: str | Actor | None, owner_id: str, action_id: int) -> None:
    """An action is ticked off (or reopened) by its owner or their team's lead."""
    me = actor_for(session, actor)
    if me.is_admin or me.practitioner_id == owner_id:
        return
    require_lead(me, practitioner_team_id(session, owner_id), f"tick off action {action_id} of {owner_id}")
