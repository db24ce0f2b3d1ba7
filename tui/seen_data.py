"""How many practitioners the signed-in lead's team has (a throwaway screen's data)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class SeenView:
    team_id: str
    practitioners: int


def seen_view(gateway, practitioner_id: str | None) -> SeenView:
    """The signed-in lead's team and how many practitioners it has."""
    from storage.access import require_lead
    from storage.queries import list_practitioners

    from tui.team_data import check_lead

    with gateway.reader() as reader:
        me = check_lead(reader, practitioner_id)
        acting = gateway.me(reader)
        if not acting.is_admin and acting.practitioner_id != me.practitioner_id:
            require_lead(acting, me.team_id, "see the team")
        n = sum(1 for p in list_practitioners(reader) if p.team_id == me.team_id)
    return SeenView(me.team_id, n)
