"""A year of relationship history for the continuity report (SPEC §12,
docs/continuity.md): NPS-N1 gets better and YJS-E1 gets worse, so the
report and the lead's continuity screen show something a lead would act on.

Each team gets closed cases (orders that ended on the built-for day, so they
are in no caseload, warning, workload or rebalance, only in the history):

- NPS-N1 "got better": its cases changed hands every six weeks or so
  through the winter (cold handovers, first contacts late, relationships
  broken early, more missed contacts), then from spring each stayed with
  one practitioner, handed over warm where it moved at all;
- YJS-E1 "got worse": its cases kept one youth justice worker until the
  summer, then changed hands every five to seven weeks.

Driven by its own `random.Random(SEED)` (the builder's own generator is set
aside while it runs), so the other generators' output does not shift.
"""

from __future__ import annotations

import random

from storage.sample.builder import _Builder, _Case

SEED = 20261222
CASES_PER_TEAM = 10
# Offsets from the built-for day (2026-11-27): the report's year starts at -361 (2025-12-01).
_N1_WORKERS = ("N1-02", "N1-04", "N1-05", "N1-06", "N1-07", "N1-08", "N1-09")
_E1_WORKERS = ("E1-02", "E1-03", "E1-04", "E1-05", "E1-06", "E1-07")
_SUMMARY = ("Works best with a set weekly time and a text the day before. Goals: keep the tenancy, "
            "finish the course. Does not want to retell the offence to someone new.")
_N1_SETTLED = -200  # mid-May 2026: from here the NPS-N1 cases stay put
_E1_UNSETTLED = -150  # end of June 2026: from here the YJS-E1 cases move


def continuity_history(b: _Builder) -> None:
    """The closed cases of both teams, with their allocations, contacts and handovers."""
    rng = random.Random(SEED)
    saved, b.rng = b.rng, rng  # names and birth dates from this generator too
    try:
        for _ in range(CASES_PER_TEAM):
            _improving(b, rng)
        for _ in range(CASES_PER_TEAM):
            _worsening(b, rng)
    finally:
        b.rng = saved


def _holders(rng: random.Random, workers, start: int, changes_from: int, changes_to: int,
             gap: tuple[int, int]) -> list[tuple[str, int]]:
    """The first holder from `start`; a change every `gap` days between the two offsets."""
    holders = [(rng.choice(workers), start)]
    day = changes_from + rng.randint(0, gap[1] - gap[0])
    while day < changes_to:
        holders.append((rng.choice([w for w in workers if w != holders[-1][0]]), day))
        day += rng.randint(*gap)
    return holders


def _improving(b: _Builder, rng: random.Random) -> None:
    case = b.case("NG", "NPS-N1", tier=rng.choice(("C1", "C2", "C3", "B1", "D2")), status="closed")
    holders = _holders(rng, _N1_WORKERS, rng.randint(-520, -420), -360, _N1_SETTLED, (35, 55))
    if rng.random() < 0.4:  # a few move once more later, warmly
        holders.append((rng.choice([w for w in _N1_WORKERS if w != holders[-1][0]]), rng.randint(-120, -40)))
    _history(b, rng, case, holders, settled_from=_N1_SETTLED, worse_before=True)


def _worsening(b: _Builder, rng: random.Random) -> None:
    case = b.case("EB", "YJS-E1", level=rng.choice(("enhanced", "standard")), youth=True, status="closed")
    holders = _holders(rng, _E1_WORKERS, rng.randint(-520, -420), _E1_UNSETTLED, -10, (30, 50))
    _history(b, rng, case, holders, settled_from=_E1_UNSETTLED, worse_before=False)


def _follow_ups(start: int, first_seen: int) -> dict[str, int]:
    """The follow-up items, all done: these cases are closed, and nothing of
    theirs is left for the handovers screen or a sync to tick."""
    return {"booked": start, "first_contact": first_seen, "reachable": start + 14, "review": start + 28}


def _history(b: _Builder, rng: random.Random, case: _Case, holders: list[tuple[str, int]], *,
             settled_from: int, worse_before: bool) -> None:
    """Allocations ending on the built-for day; a contact every 10 to 16 days
    by whoever held the case; a handover at every change. In the unsettled
    stretch: first contacts 6 to 12 days after a change, handovers cold, a
    quarter of contacts missed and some cancelled by the practitioner; in the
    settled one: first contacts within 2 days, handovers warm, few missed."""
    b.allocate(case, holders, end=0, reasons=["new order from court"] + ["reallocated"] * (len(holders) - 1))

    def unsettled(day: int) -> bool:
        return day < settled_from if worse_before else day >= settled_from

    for i, (pid, start) in enumerate(holders):
        stop = holders[i + 1][1] if i + 1 < len(holders) else 0
        rough = unsettled(start)
        day = start + (rng.randint(6, 12) if rough and i else rng.randint(0, 2))
        first_seen = day  # the first contact's day: its checklist item is ticked (nothing left to tick itself)
        while day < stop:
            roll = rng.random()
            if rough and roll < 0.25:
                b.contact(case, day, pid, outcome="missed")
            elif rough and roll < 0.32:
                b.contact(case, day, pid, outcome="cancelled", cancelled_by="practitioner")
            elif not rough and roll < 0.05:
                b.contact(case, day, pid, outcome="missed")
            else:
                b.contact(case, day, pid, kind=rng.choice(("office", "office", "home_visit", "phone")))
            day += rng.randint(10, 16)
        if i:
            before = holders[i - 1][0]
            if rough:
                b.handover(case, before, pid, start, status="completed_cold", completed=start,
                           done={"told": start - 3, **_follow_ups(start, first_seen)},
                           override="Moved at short notice: caseload pressure.",
                           created=start - 5)
            else:
                b.handover(case, before, pid, start, status="completed_warm", completed=start,
                           done={"told": start - 14, "summary": start - 7, "read": start - 3, "three_way": start,
                                 "carers_told": start - 7, **_follow_ups(start, first_seen)},
                           created=start - 21, summary=_SUMMARY)
