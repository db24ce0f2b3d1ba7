"""The shipped sample: two made-up teams whose data make every docs/rules.md rule fire.

`build_sample(path, built_for)` writes a fresh database (created and
Alembic-stamped through `storage.db.init_db`) from a seeded
`random.Random`, so the same `built_for` always gives the same rows; every
date is relative to `built_for`, never to the wall clock. `demo_copy` copies
the file and moves every date by `today - built_for` days so the demo looks
current whatever day it is opened. Every person in it is made up.

Rebuild the shipped copies (repo root and package) with:

    python -m storage.sample build sample.db storage/sample.db

A realistic team (docs/rules.md, rules v2): caseloads of 35 to 45 for full-time probation
officers and PSOs, fewer for part-timers and 8 to 14 for youth justice
workers; several absences a year each (leave in blocks, training, the odd
short sickness; cover named for most); missed appointments about one in ten
and cancellations about one in seventeen, a third of them by the
practitioner's side; about one case in four changed hands before; the next
appointment booked for most cases, never on a weekend or bank holiday (a
series only Tuesday to Thursday). `demo_copy` keeps it so (whole weeks, and
bank holidays stepped over).

The scenarios, as of `built_for` (case refs are stable for a given version):

- NG1001 contact_overdue medium (standard, last seen 35 days ago; booked in 3 days)
- NG1002 contact_overdue high + no_appointment (enhanced, last seen 39 days ago)
- NG1003 contact_due (standard, last seen 24 days ago; booked after the due date)
- NG1004 relationship_gap (own last contact 63 days ago, duty officer since)
- NG1005 first_contact passed (reallocated 10 days ago, not yet seen) + early_window
- NG1006 first_contact coming (new from court 3 days ago, booked)
- NG1007 handover_upcoming low (leaver's case, D+10, `vlo_told` due in 3 days) +
         practitioner_churn medium (two holders this year + the receiver)
- NG1008 handover_upcoming high (D on Monday, in 3 days; `rj_facilitator_told` late)
- NG1009 handover_upcoming low (D+17, `told` due in 3 days)
- NG1010 cold_handover (completed cold 30 days ago, no three-way, override recorded)
- NG1011 missed_appointments medium (two missed in a row)
- NG1012 paused (in custody until built_for + 30): no contact rules
- NG1013 closed 20 days ago: no warnings, history kept
- NG1014 every flag, do_not_move included (A3, approved premises)
- NG1015 early_break medium (5 weeks into a new relationship, a handover planned)
- NG1016 practitioner_cancelled medium (the officer cancelled twice in 8 weeks)
- NG1017 cold_handover (a warm handover, but the first contact came 11 days after)
- NG1018 practitioner_churn medium: A -> B -> A (N1-02, N1-07, N1-02)
- NG1019 cover_needed (appointment booked in N1-08's leave next week, no cover)
- NG1020 handover_upcoming medium (D+6 before N1-06's leave; `told` and `summary` late)
- N1-03 (leaving_on built_for + 21): all but five cases have handovers
         planned, two a working day (docs/handovers.md), with one slot free on the
         last day and a week before it; the rest handover_unplanned
         medium; early_break on new relationships
- N1-04 (off sick with no end date since built_for - 12, no cover):
         handover_unplanned high on every case, cover_needed where contact falls due
- N1-06 (12 weeks' leave from built_for + 24, no cover): handovers planned
         two a working day for all but five cases (handover_unplanned
         medium on those)
- N1-08 (away next week, no cover named): cover_needed
- N1-10 (left 9 days ago, still holding four cases): handover_unplanned high
- N1-02 is over 110% capacity
- EB2001 practitioner_churn high (a child with four workers this year)
- EB2002 missed_appointments high (three missed, a cancellation between)
- EB2003 practitioner_churn high (a child with three workers this year)
- EB2004 first_contact coming (intensive, 2nd working day)
- EB2005 early_break high (a child, safeguarding, 6 weeks in, a handover planned)
- NG1016 alliance_low (check-ins falling to 8, `goals` at 2) and EB2001
  alliance_low (a fall of 3); about two cases in five with steady check-ins;
  checkin_due on the rest (storage/sample/voice.py)

Sentences, custody and transitions (§11; storage/sample/sentences.py, built
last from its own seed, so they take the refs after the fillers): a custody
case released in 10 days and not seen (`release_coming` high), a custody
case seen last week, a licence from a release 2 days ago not yet seen
(`first_contact`: the release day was the deadline), a restricted MAPPA 3
case, a community order ending on Christmas Day (`order_ending`), a
suspended sentence ending in 60 days (kept out of a rebalance), children
turning 18 in 40 and 120 days (`turning_18`), a restricted child's case.
- supervision actions due in the week of built_for for N1-02, N1-09 and E1-02
"""

from __future__ import annotations

from storage.sample.build import build_sample
from storage.sample.builder import (
    DEFAULT_BUILT_FOR,
    DEMO_FILENAME,
    GENERATOR_VERSION,
    LEVEL_POINTS,
    SEED,
    TIER_POINTS,
)
from storage.sample.cli import main
from storage.sample.demo import _is_dated, demo_copy, demo_shift, read_built_for, shipped_sample_path

__all__ = [
    "DEFAULT_BUILT_FOR",
    "DEMO_FILENAME",
    "GENERATOR_VERSION",
    "LEVEL_POINTS",
    "SEED",
    "TIER_POINTS",
    "_is_dated",
    "build_sample",
    "demo_copy",
    "demo_shift",
    "main",
    "read_built_for",
    "shipped_sample_path",
]
