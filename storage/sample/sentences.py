"""The sample's sentences, custody and transitions (§11, docs/rules.md): custody
cases with release dates, licences starting on release, children turning 18,
restricted and MAPPA cases. Built last, from its own random generator, so
the other generators' output does not shift.

- NG (next refs after the fillers), in order:
  custody, released in 10 days, not seen for 7 weeks: `release_coming` high
  (RoSH high, MAPPA 2); custody, released in 40 days, seen last week (quiet
  until release); a licence that started on release 2 days ago, taken over
  before it and not yet seen: `first_contact` passed (the release day was
  the deadline); a restricted MAPPA 3 case (RoSH very high); a community
  order ending on Christmas Day: `order_ending` (plan the ending by Thu 24
  Dec); a suspended sentence ending in 60 days (kept out of a rebalance).
- EB: a child turning 18 in 40 days and one turning 18 in 120 days (their
  transitions are planned by storage/sample/transitions.py); a restricted
  child's case.
"""

from __future__ import annotations

import random
from datetime import date

from storage.sample.builder import _Builder
from storage.sample.scenarios import E, N, et, nt

SEED = 20261211


def _set(b: _Builder, case, **fields) -> None:
    row = next(r for r in b.rows["case"] if r["id"] == case.id)
    row.update(fields)


def _eighteen_in(b: _Builder, days: int) -> date:
    turns = b.d(days)
    return turns.replace(year=turns.year - 18)


def sentences(b: _Builder) -> None:
    """Every case of this module, in case_ref order (the order fixes the ids)."""
    shared, b.rng = b.rng, random.Random(SEED)
    try:
        _adults(b)
        _children(b)
    finally:
        b.rng = shared


def _adults(b: _Builder) -> None:
    c = b.case(N, nt, tier="B2", flags=("victim_contact",))
    b.allocate(c, [("N1-09", -160)])
    b.contact(c, -150, "N1-09", "video")
    b.contact(c, -49, "N1-09", "video")
    _set(b, c, sentence="custody", release_on=b.d(10), sentence_end=b.d(700), rosh="high", mappa_level=2)

    c = b.case(N, nt, tier="C1")
    b.allocate(c, [("N1-07", -200)])
    b.contact(c, -120, "N1-07", "video")
    b.contact(c, -6, "N1-07", "video")
    b.appointment(c, 40, "N1-07")
    _set(b, c, sentence="custody", release_on=b.d(40), sentence_end=b.d(400), rosh="medium")

    c = b.case(N, nt, tier="C2")
    b.allocate(c, [("N1-05", -30)])
    b.appointment(c, 2, "N1-05")
    _set(b, c, sentence="licence", release_on=b.d(-2), sentence_end=b.d(180), rosh="low")

    c = b.case(N, nt, tier="A1", flags=("safeguarding",))
    b.allocate(c, [("N1-07", -260)])
    b.history(c)
    _set(b, c, sentence="licence", release_on=b.d(-260), sentence_end=b.d(900), rosh="very_high",
         mappa_level=3, restricted=True)

    c = b.case(N, nt, tier="D1")
    b.allocate(c, [("N1-07", -300)])
    b.history(c)
    _set(b, c, sentence="community_order", sentence_end=date(b.b.year, 12, 25), rosh="low")

    c = b.case(N, nt, tier="C3")
    b.allocate(c, [("N1-05", -330)])
    b.history(c)
    _set(b, c, sentence="suspended_sentence", sentence_end=b.d(60), rosh="medium")


def _children(b: _Builder) -> None:
    c = b.case(E, et, level="enhanced", youth=True)
    b.allocate(c, [("E1-02", -240)])
    b.history(c)
    _set(b, c, sentence="youth_rehabilitation_order", sentence_end=b.d(300), rosh="medium",
         date_of_birth=_eighteen_in(b, 40))

    c = b.case(E, et, level="standard", youth=True)
    b.allocate(c, [("E1-06", -180)])
    b.history(c)
    _set(b, c, sentence="referral_order", sentence_end=b.d(200), date_of_birth=_eighteen_in(b, 120))

    c = b.case(E, et, level="intensive", youth=True, flags=("safeguarding",))
    b.allocate(c, [("E1-03", -120)])
    b.history(c)
    _set(b, c, sentence="youth_rehabilitation_order", sentence_end=b.d(400), rosh="high", restricted=True)

