#!/usr/bin/env python
"""The continuity report (SPEC §12) on a region-sized database, against one
bare SQL aggregate over the same contacts in the same run; and the
continuity screen's first chart for a 60-case team.

    .venv/bin/python bench/bench_continuity.py                     # builds bench/out/scale.db once, then reuses it
    .venv/bin/python bench/bench_continuity.py --db /tmp/scale.db  # reuse (or build there) a scale database
    .venv/bin/python bench/bench_continuity.py --runs 3 --skip-screen

The database is bench/scale.py's full size (20,000 cases, 1,000,000
contacts, 30 teams). Measured, best of --runs each:

- the region: every team's report in one process (storage.queries'
  `load_continuity_input` and `planner.continuity.continuity_report`, the
  12 months to the as-of date), against the bare aggregate over the
  contacts those reports read (every contact from a year before the first
  month), counted and split by month and outcome, through sqlite3:

      SELECT case_id, substr(contact_date, 1, 7), count(*), sum(outcome = 'attended')
      FROM contact WHERE contact_date >= ? GROUP BY 1, 2

  the two interleaved, run after run, best of each; target (PASS/MISS,
  never asserted): within 10 x the aggregate;
- one team's `caseload report --format json` in a fresh process (start-up
  and imports count), and the same aggregate over that team's cases, for
  scale; two runs must print the same bytes;
- the screen: a 60-case team built by bench/scale.py (bench/out/
  continuity-60.db), the app headless (Textual's pilot) at 80x24, from `C`
  pressed on the team screen to the first chart drawn with its data;
  target: within 1 s. The team screen's own load in the same run is printed
  beside it.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import sqlite3
import subprocess
import sys
import time
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench_warnings import best  # noqa: E402 - beside this file: best of n runs, collected first

AS_OF = date(2026, 11, 27)
DEFAULT_DB = ROOT / "bench" / "out" / "scale.db"
SMALL_DB = ROOT / "bench" / "out" / "continuity-60.db"
BARE_SQL = ("SELECT case_id, substr(contact_date, 1, 7), count(*), sum(outcome = 'attended')"
            " FROM contact WHERE contact_date >= ? {team} GROUP BY 1, 2")
TEAM_CASES = ("AND case_id IN (SELECT al.case_id FROM allocation al JOIN practitioner p ON p.id = al.practitioner_pk"
              " JOIN team t ON t.id = p.team_pk WHERE t.team_id = ? AND al.start_date <= ?"
              " AND (al.end_date IS NULL OR al.end_date >= ?))")
CLI = "from tui.cli import main; main()"
RATIO, SCREEN_S = 10.0, 1.0


def ensure_db(path: Path, *args: str) -> None:
    if path.exists():
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    print(f"building {path} with bench/scale.py {' '.join(args)}...", flush=True)
    subprocess.run([sys.executable, str(ROOT / "bench" / "scale.py"), str(path), *args], check=True, cwd=ROOT)


def window() -> tuple[date, date, date]:
    from planner.continuity import report_months
    from planner.continuity.measures import YEAR_DAYS

    months = report_months(AS_OF)
    return months[0].first, months[-1].last, months[0].first - timedelta(days=YEAR_DAYS)


def bare(db: str, runs: int, team: str | None = None) -> float:
    first, last, since = window()
    conn = sqlite3.connect(f"{Path(db).absolute().as_uri()}?mode=ro", uri=True)
    sql = BARE_SQL.format(team=TEAM_CASES if team else "")
    params = (since.isoformat(), team, last.isoformat(), first.isoformat()) if team else (since.isoformat(),)
    try:
        return best(lambda: conn.execute(sql, params).fetchall(), runs)
    finally:
        conn.close()


def region(db: str, runs: int) -> tuple[float, int, int]:
    """Every team's report in one process, through one lean Reader
    (storage.reader, as the command reads): seconds, teams, cases read."""
    from planner.continuity import continuity_report
    from storage.queries import list_teams, load_continuity_input
    from storage.reader import Database

    first, last, _ = window()
    counts = {}

    def run():
        with Database(db).reader() as r:
            teams = [t.team_id for t in list_teams(r)]
            n = 0
            for team in teams:
                cases, world = load_continuity_input(r, team, first, last)
                continuity_report(cases, world, team, AS_OF)
                n += len(cases)
        counts["teams"], counts["cases"] = len(teams), n

    return best(run, runs), counts["teams"], counts["cases"]


def one_team(db: str, team: str, runs: int) -> tuple[float, set[str]]:
    times, digests = [], set()
    for _ in range(runs):
        t0 = time.perf_counter()
        out = subprocess.run([sys.executable, "-c", CLI, "--db", db, "report", "--team", team, "--on",
                              AS_OF.isoformat(), "--format", "json"], cwd=ROOT, capture_output=True, check=True)
        times.append(time.perf_counter() - t0)
        digests.add(hashlib.sha256(out.stdout).hexdigest())
    return min(times), digests


def screen(db: str, runs: int) -> tuple[float, float, int]:
    """(first chart after C, the team screen's load, cases of the team), best of runs."""
    from storage.engine import make_engine
    from tui.app import CaseloadApp

    engine = make_engine(db, create=False)
    with engine.connect() as conn:
        lead, team = conn.exec_driver_sql(
            "SELECT p.practitioner_id, t.team_id FROM practitioner p JOIN team t ON t.id = p.team_pk"
            " WHERE p.role = 'team_lead' ORDER BY p.practitioner_id").first()
        cases = conn.exec_driver_sql(
            "SELECT count(DISTINCT al.case_id) FROM allocation al JOIN practitioner p ON p.id = al.practitioner_pk"
            " JOIN team t ON t.id = p.team_pk WHERE t.team_id = ? AND al.end_date IS NULL", (team,)).scalar()

    async def once() -> tuple[float, float]:
        import tempfile

        from tui.screens.continuity import ContinuityScreen
        from tui.screens.team import TeamScreen

        with tempfile.TemporaryDirectory() as tmp:
            app = CaseloadApp(engine, practitioner_id=lead, as_of=AS_OF, state_file=Path(tmp) / "state.json")
            async with app.run_test(size=(80, 24)) as pilot:
                await _until(pilot, lambda: getattr(app.screen, "loads", 0) > 0)
                t0 = time.perf_counter()
                await pilot.press("T")
                await _until(pilot, lambda: isinstance(app.screen, TeamScreen) and app.screen.loads > 0)
                team_s = time.perf_counter() - t0
                t0 = time.perf_counter()
                await pilot.press("C")
                await _until(pilot, lambda: isinstance(app.screen, ContinuityScreen) and app.screen.loads > 0
                             and app.screen.query_one("#chart").shown is not None)
                await pilot.pause()  # the frame with the chart
                chart_s = time.perf_counter() - t0
                assert app.screen.view is not None, "the continuity screen refused the lead"
        return chart_s, team_s

    results = [asyncio.run(once()) for _ in range(runs)]
    engine.dispose()
    return min(r[0] for r in results), min(r[1] for r in results), cases


async def _until(pilot, predicate, rounds: int = 2000) -> None:
    for _ in range(rounds):
        if predicate():
            return
        await pilot.pause(0.005)
    raise SystemExit("the screen never loaded")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", default=str(DEFAULT_DB), help="scale database (built there when missing)")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--team", default="T01")
    parser.add_argument("--skip-screen", action="store_true")
    args = parser.parse_args(argv)
    ensure_db(Path(args.db))

    # interleaved, so that both see the same load on a shared machine; best of each
    rounds = [(bare(args.db, 1), region(args.db, 1)) for _ in range(args.runs)]
    base = min(b for b, _ in rounds)
    seconds, teams, cases = min((r for _, r in rounds), key=lambda r: r[0])
    ratio = seconds / base
    print(f"bare aggregate over the contacts the reports read: {base:.3f} s")
    print(f"every team's report ({teams} teams, {cases:,} cases read): {seconds:.3f} s = {ratio:.1f} x the aggregate "
          f"[{'PASS' if ratio <= RATIO else 'MISS'} within {RATIO:g} x]")

    team_base = bare(args.db, args.runs, args.team)
    team_s, digests = one_team(args.db, args.team, args.runs)
    print(f"caseload report --team {args.team} --format json, fresh process: {team_s:.3f} s "
          f"(the aggregate over its cases {team_base:.3f} s); same bytes on every run: {len(digests) == 1}")

    if not args.skip_screen:
        ensure_db(SMALL_DB, "--practitioners", "2", "--cases", "60", "--contacts", "3000")
        chart_s, team_screen_s, n = screen(str(SMALL_DB), args.runs)
        print(f"continuity screen, team of {n} open cases at 80x24: first chart {chart_s:.3f} s after C "
              f"[{'PASS' if chart_s <= SCREEN_S else 'MISS'} within {SCREEN_S:g} s]; "
              f"the team screen's load in the same run {team_screen_s:.3f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
