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
from sqlmodel import Session

from planner.checklist import RISK_ITEM, missing_risk_item
from planner.model import HIGH_ROSH, OPEN_HANDOVER_STATUSES, Case, Handover
from storage import audit
from storage import models as m
from storage.repo.transactions import flush


def add_risk_items(session: Session, refs: Sequence[str], actor: str, policy=None) -> int:
    """Add the `risk_plan_shared` item the open handovers of these cases lack;
    returns how many it added (0 when up to date)."""
    from planner.calendar import working_days

    from storage.repo.handover_plans import nation_for

    if not refs:
        return 0
    C, H, HI, P = m.Case, m.Handover, m.HandoverItem, m.Practitioner
    has_item = exists().where(HI.handover_id == H.id, HI.item_id == RISK_ITEM.item_id)
    rows = session.execute(
        select(H, C, P)
        .join(C, C.id == H.case_id).join(P, P.id == H.from_practitioner_pk)
        .where(C.case_ref.in_(list(refs)), H.status.in_(OPEN_HANDOVER_STATUSES), ~has_item,
               or_(C.rosh.in_(sorted(HIGH_ROSH)), C.mappa_level.is_not(None)))
        .order_by(H.id)
    ).all()
    added = 0
    for handover, row, giver in rows:
        case = Case(case_ref=row.case_ref, display_name="", rosh=row.rosh, mappa_level=row.mappa_level)
        plan = Handover(from_practitioner_id=giver.practitioner_id, to_practitioner_id="",
                        planned_on=handover.planned_on, status=handover.status)
        item = missing_risk_item(case, plan, working_days(nation_for(session, row, giver)), policy)
        if item is None:
            continue
        session.add(m.HandoverItem(handover_id=handover.id, item_id=item.item_id, title=item.title,
                                   required=item.required, due=item.due, owner=item.owner))
        audit.record(session, actor, "add_item", "handover_item", f"{handover.id}:{item.item_id}",
                     case_ref=row.case_ref, handover_id=handover.id, item_id=item.item_id, due=item.due)
        added += 1
    if added:
        flush(session)
    return added
