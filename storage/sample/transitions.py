"""The sample's transitions at 18 and the risk context of its handovers (§11,
docs/rules.md, docs/handovers.md). Built after `sentences`, from its own
random generator, so the other generators' output does not shift.

- YJS-E1's transition team is NPS-N1 (`team.transition_team_pk`): its
  practitioners and lead may name an NPS-N1 practitioner as the receiver of
  a child's handover (storage.access.check_receiver).
- The children turning 18 in the next six months (`turning_18`'s window)
  whose orders go on past their birthday have their transition planned,
  as a youth justice team plans them ahead: a warm handover to an NPS-N1
  practitioner four weeks before the birthday (10 days ahead for the
  child whose birthday is nearer), with the early items done; EB2086's
  (18 in 40 days) among them. Still to plan: EB2066 (18 in 71 days:
  `turning_18` medium, the walk-through's case; planned, it is the third
  worker of the child's year, `practitioner_churn` high).
- Risk on the open handovers: a few of the leavers' cases and a child's
  case are of high or very high RoSH or under MAPPA, and their handovers
  carry `risk_plan_shared` (required, D−7), shared already on some, as
  storage.handovers.risk_item keeps them; others are of low or medium RoSH.
"""

from __future__ import annotations

import random

from planner.checklist import RISK_ITEM
from planner.rules.turning_18 import ADULT_AGE, TRANSITION_REASON, birthday
from storage.sample.builder import _Builder

SEED = 20261218
ADULT_TEAM, YOUTH_TEAM = "NPS-N1", "YJS-E1"
# NPS-N1's practitioners who take the transitions (none leaving or away)
RECEIVERS = ("N1-02", "N1-07")
TRANSITION = TRANSITION_REASON
SUMMARY = ("Settled at college; works best with short, practical sessions. Goals: keep the placement and "
           "the football. Risks and what not to repeat are in the plan.")
PLAN_WITHIN = 182  # days: the transitions of the next six months are planned
NOT_YET = ("EB2066",)  # 18 in 71 days: still to plan, from the warning
# case_ref -> (rosh, MAPPA level, risk_plan_shared done this many days ago or None)
RISK = {
    "NG1009": ("high", None, None),
    "NG1085": ("medium", 1, -3),
    "NG1158": ("very_high", 2, None),
    "NG1081": ("high", None, -4),
    "NG1075": ("medium", None, None),
    "NG1146": ("low", None, None),
    "EB2005": ("high", None, None),
}


def transitions(b: _Builder) -> None:
    """The team link, then the planned transitions, then the handovers' risk."""
    shared, b.rng = b.rng, random.Random(SEED)
    try:
        _link(b)
        _plan_transitions(b)
        _risk(b)
    finally:
        b.rng = shared


def _link(b: _Builder) -> None:
    for row in b.rows["team"]:
        row["transition_team_pk"] = b.team_pk[ADULT_TEAM] if row["team_id"] == YOUTH_TEAM else None


def _row(b: _Builder, table: str, **match) -> dict:
    return next(r for r in b.rows[table] if all(r[k] == v for k, v in match.items()))


def _plan_transitions(b: _Builder) -> None:
    for case in sorted((c for c in b.cases if c.youth and c.case_ref not in NOT_YET), key=lambda c: c.case_ref):
        row = _row(b, "case", id=case.id)
        if row["status"] == "closed" or row["date_of_birth"] is None or not case.allocations:
            continue
        turns = birthday(row["date_of_birth"], ADULT_AGE)
        to_go = (turns - b.b).days
        holder, _start, end = case.allocations[-1]
        if end is not None or not 0 <= to_go <= PLAN_WITHIN:
            continue
        if row["sentence_end"] is None:
            row.update(sentence="youth_rehabilitation_order", sentence_end=b.d(to_go + b.rng.randint(90, 300)))
        if row["sentence_end"] <= turns:
            continue
        planned = (b.working(b.d(max(to_go - 28, min(to_go, 10))), back=True) - b.b).days
        receiver = RECEIVERS[len([h for h in b.rows["handover"] if h["reason"] == TRANSITION]) % len(RECEIVERS)]
        early = planned - 7 <= 3  # the items due D−7 are near: done already
        b.handover(case, holder, receiver, planned, created=-35, reason=TRANSITION,
                   summary=SUMMARY if early else None,
                   done={"told": -30, "summary": -6, "carers_told": -9} if early else {"told": -20})


def _risk(b: _Builder) -> None:
    refs = {c.case_ref: c for c in b.cases}
    for ref, (rosh, mappa, shared_on) in RISK.items():
        case = refs[ref]
        _row(b, "case", id=case.id).update(rosh=rosh, mappa_level=mappa)
        if rosh not in ("high", "very_high") and mappa is None:
            continue
        handover = next(h for h in b.rows["handover"] if h["case_id"] == case.id
                        and h["status"] in ("planned", "in_progress"))
        due = RISK_ITEM.due_for(handover["planned_on"], b.calendar)
        b.rows["handover_item"].append(dict(
            id=b._id("handover_item"), handover_id=handover["id"], item_id=RISK_ITEM.item_id,
            title=RISK_ITEM.title, required=RISK_ITEM.required, due=due, owner=RISK_ITEM.owner,
            done=shared_on is not None, done_on=None if shared_on is None else b.d(shared_on),
            done_by=None if shared_on is None else _pid(b, handover["from_practitioner_pk"]),
            auto=False, note=None, version=1, view=None, view_words=None,
        ))


def _pid(b: _Builder, pk: int) -> str:
    return next(pid for pid, p in b.pk.items() if p == pk)
