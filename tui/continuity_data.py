"""The continuity screen's side of the database (SPEC §12, docs/continuity.md).

Called from a thread worker like `tui.team_data`: one short read through the
app's `Gateway` (the Reader, storage.queries, no ORM objects), the access
check first (team leads of their own team: `storage.access.require_lead`),
and a plain frozen view back; the figures come from `planner.continuity`.

    view = continuity_view(gateway, "N1-01", as_of)   # NotALead for anyone but a team lead
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

__all__ = ["ContinuityView", "continuity_view"]


@dataclass(frozen=True)
class ContinuityView:
    report: object  # planner.continuity.ContinuityReport
    team_name: str
    names: dict  # practitioner_id -> name


def continuity_view(gateway, practitioner_id: str | None, as_of: date) -> ContinuityView:
    """The 12 months to `as_of` for the signed-in lead's team."""
    from planner.continuity import continuity_report, report_months
    from storage.access import require_lead
    from storage.queries import load_continuity_input

    from tui.team_data import check_lead

    months = report_months(as_of)
    with gateway.reader() as reader:
        me = check_lead(reader, practitioner_id)
        acting = gateway.me(reader)
        if not acting.is_admin and acting.practitioner_id != me.practitioner_id:
            require_lead(acting, me.team_id, "see the team's continuity")
        cases, world = load_continuity_input(reader, me.team_id, months[0].first, months[-1].last)
    report = continuity_report(cases, world, me.team_id, as_of, policy=gateway.policy)
    team = world.teams.get(me.team_id)
    return ContinuityView(
        report=report,
        team_name=team.name if team is not None else me.team_id,
        names={pid: world.practitioners[pid].name for pid in report.practitioner_ids},
    )
