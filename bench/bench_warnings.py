#!/usr/bin/env python
"""`caseload warnings` on a region-sized database, against the bare aggregate query in the same run.

    .venv/bin/python bench/bench_warnings.py                      # builds bench/out/scale.db once, then reuses it
    .venv/bin/python bench/bench_warnings.py --db /tmp/scale.db   # reuse (or build there) a scale database
    .venv/bin/python bench/bench_warnings.py --pg postgresql+psycopg://user@host/db   # PostgreSQL too
    .venv/bin/python bench/bench_warnings.py --runs 5 --practitioner P0002

The database is bench/scale.py's full size (20,000 cases, 1,000,000
contacts) unless --db names a smaller one. The baseline is the cheapest
honest question about every case's contacts, asked of the same file in the
same run through the bare driver:

    SELECT case_id, max(contact_date) FROM contact GROUP BY case_id

(sqlite3; psycopg for --pg), best of --runs. Against it, best of --runs each:

- `caseload warnings --format json` for the whole database, in a fresh
  process (`python -c "from tui.cli import main; main()"`, so start-up and
  imports count): wall time, and the child's own peak RSS (os.wait4);
- the same with `--practitioner ID` (default: who holds the most cases);
- in process: the load (`load_cases_for_warnings`, and the full `load_cases`
  the app uses, for comparison), `load_world`, `evaluate`, and one
  practitioner's load + evaluate.

It also checks that two runs of the command print the same bytes, and, with
--pg, that PostgreSQL prints the same bytes as SQLite. With --pg the scale
data is copied into that database by `storage.copy.copy_database` when it is
empty (initialised first); a database already holding the same number of
contacts is reused; anything else is refused.

Targets (printed PASS/MISS, never asserted): whole-database warnings under
2 s and within 10x the bare query; one practitioner's warnings under 100 ms
(in process: a fresh process spends more than that importing Python
libraries); peak RSS under 300 MB.
"""

from __future__ import annotations

import argparse
import gc
import hashlib
import inspect
import os
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Callable

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

AS_OF = date(2026, 11, 27)
DEFAULT_DB = ROOT / "bench" / "out" / "scale.db"
BARE_SQL = "SELECT case_id, max(contact_date) FROM contact GROUP BY case_id"
CLI = "from tui.cli import main; main()"

WHOLE_S, WHOLE_RATIO, ONE_S, RSS_MB = 2.0, 10.0, 0.100, 300.0


@dataclass
class Run:
    seconds: float
    rss_mb: float | None = None
    digest: str | None = None
    size: int | None = None


def best(fn: Callable[[], object], runs: int) -> float:
    times = []
    for _ in range(runs):
        gc.collect()
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


# ------------------------------------------------------------------ data


def ensure_scale_db(path: Path, rebuild: bool) -> None:
    if path.exists() and not rebuild:
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    print(f"building {path} with bench/scale.py (about half a minute)...", flush=True)
    subprocess.run([sys.executable, str(ROOT / "bench" / "scale.py"), str(path)], check=True, cwd=ROOT)


def contact_count(engine) -> int:
    from sqlalchemy import func, select

    from storage import models as m

    with engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(m.Contact)).scalar_one()


def ensure_pg_copy(sqlite_db: str, url: str) -> None:
    from sqlalchemy import inspect as sa_inspect

    from storage.copy import copy_database
    from storage.db import init_db
    from storage.engine import make_engine

    src, dst = make_engine(sqlite_db), make_engine(url)
    try:
        if "contact" not in sa_inspect(dst).get_table_names():
            print(f"initialising {url.split('@')[-1]}...", flush=True)
            init_db(dst)
        have, want = contact_count(dst), contact_count(src)
        if have == want:
            print(f"reusing PostgreSQL data ({have:,} contacts)", flush=True)
            return
        if have:
            raise SystemExit(f"{url.split('@')[-1]} holds {have:,} contacts, not {want:,}: give an empty database")
        print(f"copying {want:,} contacts and the rest into PostgreSQL...", flush=True)
        t0 = time.perf_counter()
        report = copy_database(src, dst, batch_rows=20_000)
        with dst.begin() as conn:
            conn.exec_driver_sql("ANALYZE")
        print(f"copied {report.total:,} rows in {time.perf_counter() - t0:.1f} s", flush=True)
    finally:
        src.dispose()
        dst.dispose()


def busiest_practitioner(db: str) -> str:
    from sqlalchemy import func, select

    from storage import models as m
    from storage.engine import make_engine

    engine = make_engine(db)
    try:
        with engine.connect() as conn:
            A, P = m.Allocation, m.Practitioner
            return conn.execute(
                select(P.practitioner_id)
                .join(A, A.practitioner_pk == P.id)
                .where(A.end_date.is_(None))
                .group_by(P.practitioner_id)
                .order_by(func.count().desc(), P.practitioner_id)
                .limit(1)
            ).scalar_one()
    finally:
        engine.dispose()


# ------------------------------------------------------------------ measurements


def bare_sqlite(path: str, runs: int) -> float:
    import sqlite3

    conn = sqlite3.connect(f"{Path(path).absolute().as_uri()}?mode=ro", uri=True)
    try:
        return best(lambda: conn.execute(BARE_SQL).fetchall(), runs)
    finally:
        conn.close()


def bare_pg(url: str, runs: int) -> float:
    import psycopg
    from sqlalchemy.engine import make_url

    u = make_url(url)
    conn = psycopg.connect(
        host=u.host, port=u.port, user=u.username, password=u.password, dbname=u.database
    )
    try:
        def run():
            with conn.cursor() as cur:
                cur.execute(BARE_SQL)
                cur.fetchall()

        return best(run, runs)
    finally:
        conn.close()


def cli_run(db: str, args: list[str], env: dict[str, str]) -> Run:
    """One `caseload --db DB ARGS` in a fresh process: wall time, its own
    peak RSS (wait4), and a digest of what it printed."""
    with tempfile.TemporaryFile() as out:
        t0 = time.perf_counter()
        proc = subprocess.Popen(
            [sys.executable, "-c", CLI, "--db", db, *args],
            cwd=ROOT, env=env, stdout=out, stderr=subprocess.PIPE,
        )
        _, status, usage = os.wait4(proc.pid, 0)
        seconds = time.perf_counter() - t0
        proc.returncode = os.waitstatus_to_exitcode(status)
        err = proc.stderr.read().decode(errors="replace")
        proc.stderr.close()
        if proc.returncode:
            raise SystemExit(f"caseload {' '.join(args)} failed ({proc.returncode}): {err.strip()}")
        out.seek(0)
        data = out.read()
    rss_mb = usage.ru_maxrss / 1024  # kilobytes on Linux
    return Run(seconds, rss_mb, hashlib.sha256(data).hexdigest(), len(data))


def cli_best(db: str, args: list[str], env: dict[str, str], runs: int) -> tuple[Run, set[str]]:
    results = [cli_run(db, args, env) for _ in range(runs)]
    fastest = min(results, key=lambda r: r.seconds)
    fastest.rss_mb = max(r.rss_mb for r in results)
    return fastest, {r.digest for r in results}


def in_process(db: str, as_of: date, practitioner: str, runs: int) -> dict[str, float]:
    from planner.risk import evaluate
    from storage import queries
    from storage.engine import make_engine, session

    engine = make_engine(db)
    out: dict[str, float] = {}
    try:
        with session(engine) as s:
            reduced = hasattr(queries, "load_cases_for_warnings")

            def load_warning_cases(**scope):
                if reduced:
                    return queries.load_cases_for_warnings(s, as_of, **scope)
                return queries.load_cases(s, **scope)

            out["load_cases (full, as the app loads)"] = best(lambda: queries.load_cases(s), runs)
            out["load_cases_for_warnings"] = best(load_warning_cases, runs)
            out["load_world"] = best(lambda: queries.load_world(s), runs)
            cases, world = load_warning_cases(), queries.load_world(s)
            try:  # what the command does between loading and evaluating, where it exists
                from storage.handovers import with_auto_ticks
            except ImportError:
                def with_auto_ticks(cases, world, as_of):
                    return cases
            out["with_auto_ticks + evaluate"] = best(
                lambda: evaluate(with_auto_ticks(cases, world, as_of), world, as_of), runs
            )
            del cases

            def one():
                world = queries.load_world(s)
                cases = load_warning_cases(practitioner_id=practitioner)
                evaluate(with_auto_ticks(cases, world, as_of), world, as_of)

            out["one practitioner: load + world + ticks + evaluate"] = best(one, max(runs, 5))
    finally:
        engine.dispose()
    return out


def cli_loader() -> str:
    """Which loader `caseload warnings` uses today (read from tui.cli.warnings)."""
    import tui.cli.warnings

    source = inspect.getsource(tui.cli.warnings)
    return "load_cases_for_warnings" if "load_cases_for_warnings" in source else "load_cases (full)"


# ------------------------------------------------------------------ report


def verdict(ok: bool) -> str:
    return "PASS" if ok else "MISS"


def print_table(title: str, bare: float, rows: list[tuple[str, float, str, str]]) -> None:
    print(f"\n{title}")
    width = max(len(r[0]) for r in rows) + 2
    print(f"{'measurement':<{width}}{'seconds':>9}{'x bare':>9}  {'target':<24}result")
    print(f"{'bare aggregate query':<{width}}{bare:>9.3f}{1:>9.1f}")
    for name, seconds, target, result in rows:
        print(f"{name:<{width}}{seconds:>9.3f}{seconds / bare:>9.1f}  {target:<24}{result}")


def backend_report(label: str, db: str, bare: float, args, env) -> tuple[str | None, list[str]]:
    notes: list[str] = []
    on = ["warnings", "--on", args.on.isoformat(), "--format", "json"]
    whole, digests = cli_best(db, on, env, args.runs)
    if len(digests) != 1:
        notes.append(f"{label}: MISS the whole-database output differed between runs")
    one, one_digests = cli_best(db, [*on, "--practitioner", args.practitioner], env, args.runs)
    if len(one_digests) != 1:
        notes.append(f"{label}: MISS one practitioner's output differed between runs")
    split = in_process(db, args.on, args.practitioner, args.runs)
    one_in = split.pop("one practitioner: load + world + ticks + evaluate")
    rows = [
        ("warnings --format json (process)", whole.seconds, f"< {WHOLE_S:g} s and <= {WHOLE_RATIO:g}x",
         f"{verdict(whole.seconds < WHOLE_S)} time, {verdict(whole.seconds / bare <= WHOLE_RATIO)} ratio"),
    ]
    rows += [(f"  in process: {name}", seconds, "", "") for name, seconds in split.items()]
    rows += [
        (f"--practitioner {args.practitioner} (process)", one.seconds, "(start-up bound)", ""),
        (f"--practitioner {args.practitioner} (in process)", one_in, f"< {ONE_S * 1000:g} ms",
         verdict(one_in < ONE_S)),
    ]
    print_table(f"{label}: {db.split('@')[-1]}  (best of {args.runs}; the command uses {cli_loader()})", bare, rows)
    print(f"{'peak RSS, whole database (process)':<40}{whole.rss_mb:>8.0f} MB  < {RSS_MB:g} MB  "
          f"{verdict(whole.rss_mb < RSS_MB)}")
    print(f"output: {whole.size:,} bytes, {len(digests)} distinct across {args.runs} runs"
          f" (sha256 {whole.digest[:12]})")
    return whole.digest, notes


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", type=Path, default=DEFAULT_DB, help=f"scale database (default {DEFAULT_DB})")
    parser.add_argument("--rebuild", action="store_true", help="rebuild the database even if it exists")
    parser.add_argument("--pg", metavar="URL", help="also run on this PostgreSQL database")
    parser.add_argument("--on", type=date.fromisoformat, default=AS_OF, help=f"as-of date (default {AS_OF})")
    parser.add_argument("--practitioner", help="for the one-practitioner rows (default: who holds most cases)")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args(argv)

    ensure_scale_db(args.db, args.rebuild)
    db = str(args.db)
    args.practitioner = args.practitioner or busiest_practitioner(db)
    with tempfile.TemporaryDirectory(prefix="caseload-bench-") as home:
        # No user settings (a caseload.toml would change the policy) in the child processes.
        env = dict(os.environ, XDG_CONFIG_HOME=home, PYTHONPATH=str(ROOT))
        env.pop("CASELOAD_DB", None)
        digest, notes = backend_report("SQLite", db, bare_sqlite(db, args.runs), args, env)
        if args.pg:
            ensure_pg_copy(db, args.pg)
            pg_digest, pg_notes = backend_report("PostgreSQL", args.pg, bare_pg(args.pg, args.runs), args, env)
            notes += pg_notes
            notes.append(
                "PostgreSQL output is byte-identical to SQLite's: "
                + verdict(pg_digest == digest)
            )
    for note in notes:
        print(note)
    return 0


if __name__ == "__main__":
    sys.exit(main())
