#!/usr/bin/env python
"""`caseload warnings` with a repeating appointment on every open case, for
the costliest RRULEs the importer accepts, against the same database with
the same appointments but no RRULE.

    .venv/bin/python bench/bench_rrule.py                   # a copy of sample.db
    .venv/bin/python bench/bench_rrule.py --db scale.db     # a copy of any caseload SQLite file
    .venv/bin/python bench/bench_rrule.py --runs 7

For each rule: a copy of the database gets one appointment per open case,
with its current practitioner, on a date the rule is read from (a series
started in 1900 for the endless ones: the first date the importer accepts;
a year before the as-of date for a counted one), first checked with
`planner.recurrence.check`, the importer's own test. The baseline copy has
the same rows without the rule (one-off appointments, on the same dates).
`caseload warnings --format json --on AS_OF` runs in a fresh process on
each, interleaved, best of --runs; the ratio is rule / baseline.

Target (printed PASS/MISS, never asserted): every ratio under 2. Beside it,
in process, the rules' part alone (load, tick, evaluate; the series caches
emptied), where the series are a larger share of the time.
Before planner/recurrence.py, python-dateutil walked each series from its
first date to the end of the window, and a rule with no more dates to the
year 9999: the run with FREQ=DAILY from 1900 alone read 46,000 dates a case.
"""

from __future__ import annotations

import argparse
import os
import sqlite3
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

AS_OF = date(2026, 11, 27)
CLI = "from tui.cli import main; main()"
TARGET = 2.0
LONG_AGO = date(1900, 1, 1)

#: (rule, how far back its series starts): the costliest shapes the checks let
#: through: every day for a century and more, a date a year found by walking
#: days, sets chosen by position, the first Monday of each year, the 31st
#: (skipping short months), the most a COUNT may hold.
RULES = [
    ("FREQ=DAILY", LONG_AGO),
    ("FREQ=DAILY;BYDAY=MO,TU,WE,TH,FR", LONG_AGO),
    ("FREQ=DAILY;BYMONTH=1;BYMONTHDAY=1", LONG_AGO),
    ("FREQ=DAILY;INTERVAL=371", LONG_AGO),
    ("FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR,SA,SU;BYSETPOS=-1", LONG_AGO),
    ("FREQ=MONTHLY;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-1", LONG_AGO),
    ("FREQ=MONTHLY;BYMONTHDAY=31", LONG_AGO),
    ("FREQ=YEARLY;BYMONTH=1;BYDAY=1MO", LONG_AGO),
    ("FREQ=YEARLY;BYMONTH=1,2,3,4,5,6,7,8,9,10,11,12;BYMONTHDAY=1,-1;BYDAY=MO,TU,WE,TH,FR,SA,SU", LONG_AGO),
    ("FREQ=DAILY;COUNT=1000", AS_OF - timedelta(days=365)),
    ("FREQ=WEEKLY;COUNT=520", AS_OF - timedelta(days=365)),
]


def with_appointments(source: Path, dest: Path, rule: str | None, start: date) -> int:
    """Copy `source` to `dest` and give every open case one appointment
    starting on `start` (a few days apart), with `rule` (None: one-off)."""
    for leftover in (dest, Path(f"{dest}-wal"), Path(f"{dest}-shm")):
        leftover.unlink(missing_ok=True)
    with sqlite3.connect(f"{source.absolute().as_uri()}?mode=ro", uri=True) as src, sqlite3.connect(dest) as copy:
        src.backup(copy)
    dest.chmod(0o600)
    with sqlite3.connect(dest) as con:
        rows = con.execute("SELECT a.case_id, a.practitioner_pk FROM allocation a JOIN \"case\" c ON c.id = a.case_id "
                           "WHERE a.end_date IS NULL AND c.status != 'closed' ORDER BY a.case_id").fetchall()
        con.executemany(
            "INSERT INTO appointment (case_id, appointment_date, practitioner_pk, time, kind, rrule, version) "
            "VALUES (?, ?, ?, NULL, 'office', ?, 1)",
            [(case_id, (start + timedelta(days=i % 7)).isoformat(), prac_pk, rule) for i, (case_id, prac_pk)
             in enumerate(rows)])
    return len(rows)


def timed(db: Path) -> float:
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    t0 = time.perf_counter()
    done = subprocess.run([sys.executable, "-c", CLI, "--db", str(db), "warnings", "--format", "json",
                           "--on", AS_OF.isoformat()], capture_output=True, env=env, cwd=ROOT)
    seconds = time.perf_counter() - t0
    if done.returncode != 0:
        raise SystemExit(f"caseload warnings failed on {db}: {done.stderr.decode().strip()}")
    return seconds


def in_process(db: Path, runs: int) -> float:
    """Best of `runs`: the rules' part of the command (load the cases as
    `caseload warnings` does, tick what the records show, evaluate), with
    the series caches emptied before each."""
    from planner import recurrence
    from planner.handover import with_auto_ticks
    from planner.policy import DEFAULT_POLICY
    from planner.risk import evaluate
    from tui.cli.base import Ctx
    from tui.cli.warnings import _load_for_warnings

    ctx = Ctx(db=str(db), actor_id=None, config=None)
    with ctx.reader() as reader:
        cases, world = _load_for_warnings(reader, None, None, None, AS_OF, DEFAULT_POLICY)
    best = float("inf")
    for _ in range(runs):
        for cached in (recurrence.dates, recurrence._counted_end, recurrence.parse):
            cached.cache_clear()
        t0 = time.perf_counter()
        evaluate(with_auto_ticks(cases, world, AS_OF, DEFAULT_POLICY), world, AS_OF, DEFAULT_POLICY)
        best = min(best, time.perf_counter() - t0)
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", type=Path, default=ROOT / "sample.db", help="a caseload SQLite file (copied)")
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()

    from planner.recurrence import RuleError, check

    with tempfile.TemporaryDirectory(prefix="bench-rrule-") as tmp:
        folder = Path(tmp)
        print(f"database: {args.db} (a copy); as of {AS_OF}; best of {args.runs} fresh processes each")
        misses = 0
        baselines: dict[date, Path] = {}
        print(f"{'RRULE':<60} {'start':>10} {'cases':>6} {'rule s':>7} {'none s':>7} {'ratio':>6}"
              f"       {'rules: rule s':>13} {'none s':>7} {'ratio':>6}")
        for rule, start in RULES:
            try:
                check(rule, start)
            except RuleError as exc:
                print(f"{rule:<60} refused by the importer ({exc}): skipped")
                continue
            if start not in baselines:
                baselines[start] = folder / f"none-{start}.db"
                with_appointments(args.db, baselines[start], None, start)
            db = folder / "rule.db"
            n = with_appointments(args.db, db, rule, start)
            timed(db)  # warm the file cache once
            rule_s, none_s = [], []
            for _ in range(args.runs):  # interleaved, so both see the same machine
                rule_s.append(timed(db))
                none_s.append(timed(baselines[start]))
            ratio = min(rule_s) / min(none_s)
            verdict = "PASS" if ratio < TARGET else "MISS"
            misses += verdict == "MISS"
            rules_rule, rules_none = in_process(db, args.runs), in_process(baselines[start], args.runs)
            shown = rule if len(rule) <= 60 else rule[:57] + "..."
            print(f"{shown:<60} {start.isoformat():>10} {n:>6} {min(rule_s):>7.3f} {min(none_s):>7.3f} "
                  f"{ratio:>5.2f}x {verdict}  {rules_rule:>13.3f} {rules_none:>7.3f} {rules_rule / rules_none:>5.2f}x")
        print(f"target: every ratio under {TARGET:g}x: {'PASS' if not misses else f'MISS ({misses})'}")


if __name__ == "__main__":
    main()
