"""Teams and leads: what needs a team lead, and seeing a team or a colleague
(storage/access/__init__.py says the rules)."""

from __future__ import annotations

from planner.errors import CaseloadError
from storage.access.actors import Actor, actor_for
from storage.access.cases import case_team_id, handover_teams, practitioner_team_id


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


def check_restrict(session, actor: str | Actor | None, case_ref: str) -> None:
    """Only a lead of the case's team restricts a case or lifts the restriction (§11)."""
    require_lead(actor_for(session, actor), case_team_id(session, case_ref), "restrict a case or lift the restriction")


def check_team_visible(actor: Actor, team_id: str) -> None:
    """Refuse a practitioner a view of another team as a whole (`warnings
    --team`, `handover list --team`, a rebalance plan)."""
    if actor.is_admin or actor.team_id == team_id:
        return
    raise CaseloadError(f"{actor.practitioner_id} is in team {actor.team_id} and cannot see team {team_id}")


def check_practitioner_visible(session, actor: Actor, practitioner_id: str) -> None:
    """Refuse when the practitioner is in another team than the actor's
    (their week, their caseload, their actions)."""
    team = practitioner_team_id(session, practitioner_id)
    if actor.is_admin or team == actor.team_id:
        return
    raise CaseloadError(
        f"{actor.practitioner_id} is in team {actor.team_id} and cannot see {practitioner_id} of team {team}"
    )


def check_override(session, actor: Actor, case_ref: str) -> None:
    """Completing a handover with an override reason is for the case's team
    lead (or the outgoing practitioner's, should the case have moved)."""
    team = case_team_id(session, case_ref)
    if actor.is_lead and actor.team_id in handover_teams(session, case_ref, outgoing_only=True):
        return
    require_lead(actor, team, f"complete the handover of case {case_ref} with an override")
