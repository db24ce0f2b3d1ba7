#!/usr/bin/env python
"""Alert burden: how much the warnings list asks of practitioners.

    .venv/bin/python bench/bench_burden.py                        # the sample at its own date, and the scale database
    .venv/bin/python bench/bench_burden.py --scale /tmp/scale.db  # reuse (or build there) a scale database
    .venv/bin/python bench/bench_burden.py --json bench/out/burden.json

For each database it runs `caseload warnings --format json` (a fresh
process, the command a user runs) and counts, over the open cases (status
not `closed`): warnings per open case by severity, the share of open cases
with any warning of `low` or above (`info` statuses never count), the
warnings of each rule, and which cases have a `high` warning and why.

The sample is read at its own date (its `meta.built_for`), the scale
database at 2026-11-27 (bench/scale.py's default as-of date). The figures
of the rules before v2 (SPEC §3 revised 2026-12) are kept in
bench/README.md, measured with this script on the code before the change.
"""

from __future__ import annotations

import argparse
import json
import os
import sqlite3
import subprocess
import sys
import tempfile
from collections import Counter
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

SCALE_AS_OF = date(2026, 11, 27)
DEFAULT_SCALE = ROOT / "bench" / "out" / "scale.db"
SEVERITIES = ("high", "medium", "low")
CLI = "from tui.cli import main; main()"


def open_cases(db: str) -> list[str]:
    con = sqlite3.connect(f"{Path(db).absolute().as_uri()}?mode=ro", uri=True)
    try:
        return [ref for (ref,) in con.execute(
            "SELECT case_ref FROM \"case\" WHERE status != 'closed' ORDER BY case_ref")]
    finally:
        con.close()


def built_for(db: str) -> date:
    con = sqlite3.connect(f"{Path(db).absolute().as_uri()}?mode=ro", uri=True)
    try:
        row = con.execute("SELECT value FROM meta WHERE key = 'built_for'").fetchone()
    finally:
        con.close()
    return date.fromisoformat(row[0]) if row else SCALE_AS_OF


def warnings_json(db: str, as_of: date, root: Path = ROOT) -> list[dict]:
    """`caseload --db DB warnings --on AS_OF --format json` in a fresh process
    (no user settings), as the list of warning objects."""
    with tempfile.TemporaryDirectory(prefix="caseload-burden-") as home:
        env = dict(os.environ, XDG_CONFIG_HOME=home, PYTHONPATH=str(root))
        env.pop("CASELOAD_DB", None)
        done = subprocess.run(
            [sys.executable, "-c", CLI, "--db", db, "warnings", "--on", as_of.isoformat(), "--format", "json"],
            cwd=root, env=env, capture_output=True, text=True,
        )
    if done.returncode:
        raise SystemExit(f"caseload warnings failed on {db} ({done.returncode}): {done.stderr.strip()}")
    return json.loads(done.stdout)["warnings"]


def burden(rows: list[dict], cases: list[str]) -> dict:
    """The alert-burden figures of one run of the warnings."""
    open_refs = set(cases)
    counted = [r for r in rows if r["severity"] in SEVERITIES and r["case_ref"] in open_refs]
    by_severity = Counter(r["severity"] for r in counted)
    warned = {r["case_ref"] for r in counted}
    high: dict[str, list[str]] = {}
    for r in counted:
        if r["severity"] == "high":
            high.setdefault(r["case_ref"], []).append(r["rule"])
    n = len(open_refs)
    return {
        "open_cases": n,
        "warnings": len(counted),
        "per_case": {s: (by_severity[s] / n if n else 0.0) for s in SEVERITIES},
        "by_severity": {s: by_severity[s] for s in SEVERITIES},
        "cases_warned": len(warned),
        "share_warned": len(warned) / n if n else 0.0,
        "statuses": sum(1 for r in rows if r["severity"] not in SEVERITIES),
        "by_rule": dict(sorted(Counter(r["rule"] for r in counted).items(), key=lambda kv: (-kv[1], kv[0]))),
        "high_cases": dict(sorted(high.items())),
        "warned_refs": sorted(warned),
    }


def report(label: str, db: str, as_of: date, figures: dict) -> None:
    n = figures["open_cases"]
    print(f"\n{label}: {db} as of {as_of}")
    print(f"  open cases                         {n:>8}")
    print(f"  warnings (low or above)            {figures['warnings']:>8}   {figures['warnings'] / n:.2f} per open case")
    for s in SEVERITIES:
        print(f"    {s:<8} per open case             {figures['per_case'][s]:>8.3f}   ({figures['by_severity'][s]})")
    print(f"  cases with a low+ warning          {figures['cases_warned']:>8}   {figures['share_warned']:.1%} of open cases")
    print(f"  statuses (info, not counted)       {figures['statuses']:>8}")
    print("  warnings by rule: " + ", ".join(f"{rule} {count}" for rule, count in figures["by_rule"].items()))
    print(f"  cases with a high warning: {len(figures['high_cases'])}")


def ensure_scale_db(path: Path) -> None:
    if path.exists():
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    print(f"building {path} with bench/scale.py (about half a minute)...", flush=True)
    subprocess.run([sys.executable, str(ROOT / "bench" / "scale.py"), str(path)], check=True, cwd=ROOT)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sample", type=Path, default=ROOT / "sample.db")
    parser.add_argument("--scale", type=Path, default=DEFAULT_SCALE, help=f"scale database (default {DEFAULT_SCALE})")
    parser.add_argument("--no-scale", action="store_true", help="the sample only")
    parser.add_argument("--json", type=Path, help="also write the figures here")
    args = parser.parse_args(argv)

    out: dict[str, dict] = {}
    runs = [("sample", str(args.sample), built_for(str(args.sample)))]
    if not args.no_scale:
        ensure_scale_db(args.scale)
        runs.append(("scale", str(args.scale), SCALE_AS_OF))
    for label, db, as_of in runs:
        figures = burden(warnings_json(db, as_of), open_cases(db))
        report(label, db, as_of, figures)
        out[label] = {"db": db, "as_of": as_of.isoformat(), **figures}
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(out, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
