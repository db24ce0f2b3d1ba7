#!/usr/bin/env python
"""CSV import benchmark: `caseload import` against a bare sqlite3 baseline.

    python bench/bench_import.py                 # 2,000 cases / 100,000 contacts (< 1 min)
    python bench/bench_import.py --full          # 20,000 cases / 1,000,000 contacts
    python bench/bench_import.py --cases 5000 --contacts 250000 --keep bench/out/import

Generates docs/csv.md CSV files with bench/scale.py, then, into a fresh SQLite
file made with `make_engine` + `init_db`, imports them with
`storage.csvio.import_csv` in two calls: first everything but the contacts
(practitioners, cases, allocations, absences, appointments, handovers), then
contacts.csv alone, so the contacts rate can be set against the baseline.
A third call re-imports contacts.csv, which must change nothing (upsert by
natural key). The baseline, in the same run, reads the same contacts.csv
with `csv` and loads it with one `executemany` into a bare sqlite3 table
(no keys, no checks, one transaction, default PRAGMAs). It prints rows per
second for each and the ratio.
"""

from __future__ import annotations

import argparse
import csv
import shutil
import sqlite3
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
for entry in (str(ROOT), str(HERE)):
    if entry not in sys.path:
        sys.path.insert(0, entry)

import scale  # noqa: E402 - bench/scale.py, beside this file


def baseline(contacts_csv: Path, db: Path) -> tuple[int, float]:
    """Bare sqlite3: csv.reader + executemany into an unkeyed table."""
    start = time.perf_counter()
    con = sqlite3.connect(db)
    try:
        with contacts_csv.open(newline="", encoding="utf-8-sig") as fh:
            reader = csv.reader(fh)
            header = next(reader)  # as many columns as the generator writes
            columns = ", ".join(f'"{name}" TEXT' for name in header)
            con.execute(f"CREATE TABLE contacts ({columns})")
            with con:
                con.executemany(f"INSERT INTO contacts VALUES ({', '.join('?' * len(header))})", reader)
        rows = con.execute("SELECT count(*) FROM contacts").fetchone()[0]
    finally:
        con.close()
    return rows, time.perf_counter() - start


def timed_import(engine, paths: list[Path]):
    from storage.csvio import import_csv

    start = time.perf_counter()
    report = import_csv(engine, [str(p) for p in paths], actor="bench")
    return report, time.perf_counter() - start


def rate(rows: int, seconds: float) -> str:
    return f"{rows / seconds:>12,.0f} rows/s" if seconds > 0 else "n/a"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cases", type=int, default=2_000)
    parser.add_argument("--contacts", type=int, default=100_000)
    parser.add_argument("--practitioners", type=int, default=None,
                        help="default: one per 33 cases (at least 20)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--full", action="store_true",
                        help="region scale: 600 practitioners, 20,000 cases, 1,000,000 contacts")
    parser.add_argument("--keep", metavar="DIR", help="keep the CSV files and databases here")
    args = parser.parse_args(argv)
    if args.full:
        args.cases, args.contacts, args.practitioners = 20_000, 1_000_000, 600
    practitioners = args.practitioners or max(20, round(args.cases / 33))

    from storage.db import init_db
    from storage.engine import make_engine

    work = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="caseload-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    try:
        t0 = time.perf_counter()
        # dated from today: the importer refuses handovers planned in the past
        data = scale.generate(practitioners, args.cases, args.contacts, args.seed, as_of=date.today())
        paths = scale.write_csv(data, work / "csv")
        print(f"generated {args.cases:,} cases, {len(data.contacts):,} contacts, "
              f"{practitioners} practitioners as CSV in {time.perf_counter() - t0:.1f} s")
        rows = {name: sum(1 for _ in path.open(encoding="utf-8")) - 1 for name, path in paths.items()}

        db = work / "import.db"
        for suffix in ("", "-wal", "-shm"):
            Path(str(db) + suffix).unlink(missing_ok=True)
        engine = make_engine(str(db))
        try:
            init_db(engine)
            others = [paths[n] for n in scale.CSV_FILES if n != "contacts"]
            other_rows = sum(rows[n] for n in scale.CSV_FILES if n != "contacts")
            _, t_other = timed_import(engine, others)
            report, t_contacts = timed_import(engine, [paths["contacts"]])
            assert report.inserted == rows["contacts"], report.describe()
            again, t_again = timed_import(engine, [paths["contacts"]])
            assert not again.inserted and not again.updated, again.describe()
        finally:
            engine.dispose()

        bare_db = work / "baseline.db"
        bare_db.unlink(missing_ok=True)
        bare_rows, t_bare = baseline(paths["contacts"], bare_db)
        assert bare_rows == rows["contacts"]

        n = rows["contacts"]
        print()
        print(f"{'import_csv: other files':<34} {other_rows:>10,} rows {t_other:8.2f} s {rate(other_rows, t_other)}")
        print(f"{'import_csv: contacts.csv':<34} {n:>10,} rows {t_contacts:8.2f} s {rate(n, t_contacts)}")
        print(f"{'import_csv: contacts.csv again':<34} {n:>10,} rows {t_again:8.2f} s {rate(n, t_again)}"
              "  (no changes)")
        print(f"{'baseline: csv + executemany':<34} {n:>10,} rows {t_bare:8.2f} s {rate(n, t_bare)}")
        print()
        print(f"ratio baseline/import_csv (contacts): {t_contacts / t_bare:.1f}x "
              f"(import_csv runs at {t_bare / t_contacts:.0%} of the bare loader's rate)")
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
