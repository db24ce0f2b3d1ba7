"""`risk_plan_shared` on a handover planned before its case became high risk
(SPEC §11, docs/handovers.md "Risk after planning"): the item an open
handover of a case of high or very high RoSH, or under MAPPA, lacks is
added (required, due D−7, `planner.checklist.missing_risk_item`), audited
as `add_item`; idempotent. Called by `sync_auto_ticks`, so the handover
commands, screens and the app's load keep it; read-only paths add it in
memory (`planner.handover.with_auto_ticks`). An item once added stays
when the risk drops again."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import exists, or_, select

from planner.checklist import RISK_ITEM, missing_risk_item
from planner.model import HIGH_ROSH, OPEN_HANDOVER_STATUSES, Case, Handover
from storage import audit
from storage.repo.transactions import connection_of, insert
from storage.tables import t


def add_risk_items(db, refs: Sequence[str], actor: str, policy=None) -> int:
    """Add the `risk_plan_shared` item the open handovers of these cases lack;
    returns how many it added (0 when up to date). `db` a Core Connection, or
    a Session (storage/repo/transactions.py)."""
    from planner.calendar import working_days

    from storage.repo.handover_plans import nation_for

    if not refs:
        return 0
    C, H, HI, P = t.case, t.handover, t.handover_item, t.practitioner
    has_item = exists().where(HI.c.handover_id == H.c.id, HI.c.item_id == RISK_ITEM.item_id)
    rows = connection_of(db).execute(
        select(H.c.id, H.c.planned_on, H.c.status, C.c.case_ref, C.c.rosh, C.c.mappa_level, C.c.team_pk,
               P.c.practitioner_id, P.c.team_pk.label("giver_team_pk"), P.c.nation)
        .join(C, C.c.id == H.c.case_id).join(P, P.c.id == H.c.from_practitioner_pk)
        .where(C.c.case_ref.in_(list(refs)), H.c.status.in_(OPEN_HANDOVER_STATUSES), ~has_item,
               or_(C.c.rosh.in_(sorted(HIGH_ROSH)), C.c.mappa_level.is_not(None)))
        .order_by(H.c.id)
    ).all()
    added = 0
    for row in rows:
        case = Case(case_ref=row.case_ref, display_name="", rosh=row.rosh, mappa_level=row.mappa_level)
        plan = Handover(from_practitioner_id=row.practitioner_id, to_practitioner_id="",
                        planned_on=row.planned_on, status=row.status)
        giver = _Giver(row.giver_team_pk, row.nation)
        item = missing_risk_item(case, plan, working_days(nation_for(db, row, giver)), policy)
        if item is None:
            continue
        insert(db, HI, handover_id=row.id, item_id=item.item_id, title=item.title,
               required=item.required, due=item.due, owner=item.owner)
        audit.record(db, actor, "add_item", "handover_item", f"{row.id}:{item.item_id}",
                     case_ref=row.case_ref, handover_id=row.id, item_id=item.item_id, due=item.due)
        added += 1
    return added


class _Giver:
    """What `nation_for` reads of the giving practitioner."""

    __slots__ = ("team_pk", "nation")

    def __init__(self, team_pk: int | None, nation: str | None) -> None:
        self.team_pk, self.nation = team_pk, nation
