#!/usr/bin/env python
"""Start-up and key latency of the app, against a bare Textual app in the same run.

    .venv/bin/python bench/bench_startup.py                       # sample.db + a generated scale db
    .venv/bin/python bench/bench_startup.py --scale scale.db      # your own scale database
    .venv/bin/python bench/bench_startup.py --runs 7

Start-up: each app is started in a fresh process (`App.run(headless=True)`)
with CASELOAD_BENCH_T0 = the time just before the process was spawned and
CASELOAD_BENCH_OUT = a file. The caseload app writes the seconds from spawn
to the first frame painted with the caseload's rows and exits
(`CaseloadApp.painted_with_rows`); the bare app (one Static) does the same
after its first frame. Medians of --runs runs, and the ratios, are printed.

Cases: on sample.db the practitioner with the case count nearest 60; on the
scale database a practitioner with about 60 cases and a team lead whose team
view holds about 600. Without --scale, bench/scale.py builds one (1 team of
10: 600 cases, 30,000 contacts) in bench/out/.

Key latency (in-process, `App.run_test`, headless): time from a key press to
the pilot's next idle point after the repaint, for cursor moves and for
typing into the `/` filter on the team lead's 600-row table, against a bare
DataTable of as many rows driven the same way (the pilot's own overhead is in
both). Printed, never asserted.
"""

from __future__ import annotations

import argparse
import shutil
import asyncio
import os
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

AS_OF = date(2026, 11, 27)

BARE = """
import os, time
from pathlib import Path
from textual.app import App
from textual.widgets import Static

class Bare(App):
    def compose(self):
        yield Static("hello")
    def on_mount(self):
        self.call_after_refresh(self.done)
    def done(self):
        Path(os.environ["CASELOAD_BENCH_OUT"]).write_text(
            f"{time.time() - float(os.environ['CASELOAD_BENCH_T0'])} 1\\n")
        self.exit()

Bare().run(headless=True)
"""

CASELOAD = """
import sys
from datetime import date
sys.path.insert(0, {root!r})
from storage.engine import make_engine
from tui.app import CaseloadApp

app = CaseloadApp(make_engine({db!r}, create=False), practitioner_id={pid!r},
                  as_of=date.fromisoformat({as_of!r}))
app.run(headless=True)
"""


def spawn(code: str) -> tuple[float, int]:
    """Seconds from spawn to the first painted frame, and the rows it showed."""
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "out"
        env = dict(os.environ, CASELOAD_BENCH_OUT=str(out), XDG_CONFIG_HOME=tmp)
        env["CASELOAD_BENCH_T0"] = repr(time.time())
        subprocess.run([sys.executable, "-c", code], env=env, check=False, timeout=120,
                       stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL)
        if not out.exists():
            raise SystemExit("the app exited without painting its first frame")
        seconds, rows = out.read_text().split()
        if seconds == "nan":
            raise SystemExit("the app could not load its first caseload (see the log)")
        return float(seconds), int(rows)


def median_of(code: str, runs: int) -> tuple[float, int]:
    spawn(code)  # warm the file cache and .pyc files once
    results = [spawn(code) for _ in range(runs)]
    return statistics.median(r[0] for r in results), results[0][1]


def pick(db: str) -> tuple[str, str | None]:
    """(practitioner with the case count nearest 60, team lead with the biggest team view)."""
    from collections import Counter

    from sqlalchemy import select

    from storage import models as m
    from storage.engine import make_engine, session

    engine = make_engine(db, create=False)
    with session(engine) as s:
        held = Counter(pk for (pk,) in s.execute(
            select(m.Allocation.practitioner_pk).join(m.Case, m.Case.id == m.Allocation.case_id)
            .where(m.Allocation.end_date.is_(None), m.Case.status != "closed")))
        people = s.execute(select(m.Practitioner.id, m.Practitioner.practitioner_id, m.Practitioner.role,
                                  m.Practitioner.team_pk)).all()
    engine.dispose()
    team_cases = Counter()
    for pk, _pid, _role, team in people:
        team_cases[team] += held.get(pk, 0)
    workers = [(abs(held.get(pk, 0) - 60), pid) for pk, pid, role, _t in people if role != "team_lead" and held.get(pk)]
    leads = [(-team_cases[team], pid) for _pk, pid, role, team in people if role == "team_lead"]
    return min(workers)[1], (min(leads)[1] if leads else None)


def build_scale(path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.exists():
        return
    print(f"building {path} with bench/scale.py (10 practitioners, 600 cases, 30,000 contacts)…")
    subprocess.run([sys.executable, str(ROOT / "bench" / "scale.py"), str(path), "--practitioners", "10",
                    "--cases", "600", "--contacts", "30000"], check=True, stdout=subprocess.DEVNULL)


async def key_latency(db: str, pid: str, presses: int = 40) -> dict[str, float]:
    from storage.engine import make_engine
    from tui.app import CaseloadApp
    from tui.screens.caseload import CaseloadScreen

    engine = make_engine(db, create=False)
    app = CaseloadApp(engine, practitioner_id=pid, as_of=AS_OF, state_file=Path(tempfile.mkdtemp()) / "s.json")
    out: dict[str, float] = {}
    async with app.run_test(size=(120, 40)) as pilot:
        for _ in range(1000):
            await pilot.pause()
            screen = app.screen
            if isinstance(screen, CaseloadScreen) and screen.loads:
                break
        out["rows"] = len(app.screen.view.rows)

        async def timed(key: str) -> float:
            start = time.perf_counter()
            await pilot.press(key)
            await pilot.pause()
            return time.perf_counter() - start

        out["cursor down"] = statistics.median([await timed("down") for _ in range(presses)])
        out["cursor up"] = statistics.median([await timed("up") for _ in range(presses)])
        out["page down"] = statistics.median([await timed("pagedown") for _ in range(10)])
        await pilot.press("slash")
        typing = [await timed(ch) for ch in "t01-c00"]  # narrows the 600 rows step by step
        out["filter keystroke"] = statistics.median(typing)
        out["filter backspace"] = statistics.median([await timed("backspace") for _ in range(7)])
    engine.dispose()
    return out


async def bare_table_latency(rows: int, presses: int = 40) -> dict[str, float]:
    """The same keys on a bare Textual DataTable of as many rows (and an Input
    filtering it the same way), so the pilot's own overhead is in both."""
    from textual.app import App
    from textual.widgets import DataTable, Input

    class BareTable(App):
        def compose(self):
            yield Input(id="f")
            yield DataTable(cursor_type="row")

        def on_mount(self):
            table = self.query_one(DataTable)
            table.add_columns(*"abcdefgh")
            self.data = [[f"T01-C{i:04d}"] + [f"cell {i} {c}" for c in "bcdefgh"] for i in range(rows)]
            self.show("")
            table.focus()

        def show(self, text):
            table = self.query_one(DataTable)
            table.clear()
            for i, row in enumerate(self.data):
                if text.lower() in row[0].lower():
                    table.add_row(*row, key=str(i))

        def on_input_changed(self, event):
            self.show(event.value)

    app = BareTable()
    out: dict[str, float] = {}
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()

        async def timed(key: str) -> float:
            start = time.perf_counter()
            await pilot.press(key)
            await pilot.pause()
            return time.perf_counter() - start

        out["cursor down"] = statistics.median([await timed("down") for _ in range(presses)])
        out["cursor up"] = statistics.median([await timed("up") for _ in range(presses)])
        out["page down"] = statistics.median([await timed("pagedown") for _ in range(10)])
        app.query_one(Input).focus()
        await pilot.pause()
        out["filter keystroke"] = statistics.median([await timed(ch) for ch in "t01-c00"])
        out["filter backspace"] = statistics.median([await timed("backspace") for _ in range(7)])
    return out


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sample", default=str(ROOT / "sample.db"))
    parser.add_argument("--scale", help="scale database (bench/scale.py); built in bench/out/ when omitted")
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args(argv)

    scale = args.scale or str(ROOT / "bench" / "out" / "scale-startup.db")
    if not args.scale:
        build_scale(Path(scale))

    def app_code(db: str, pid: str) -> str:
        return CASELOAD.format(root=str(ROOT), db=db, pid=pid, as_of=AS_OF.isoformat())

    # Never open the shipped sample in place (opening switches it to WAL):
    # measure a private copy instead.
    sample_copy = ROOT / "bench" / "out" / "sample-startup.db"
    sample_copy.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(args.sample, sample_copy)
    args.sample = str(sample_copy)

    bare, _ = median_of(BARE, args.runs)
    print(f"bare Textual app, first frame:           {bare * 1000:7.0f} ms")
    rows_out = []
    sample_pid, _ = pick(args.sample)
    seconds, rows = median_of(app_code(args.sample, sample_pid), args.runs)
    rows_out.append(("sample.db", sample_pid, seconds, rows))
    worker, lead = pick(scale)
    seconds, rows = median_of(app_code(scale, worker), args.runs)
    rows_out.append(("scale, practitioner", worker, seconds, rows))
    if lead:
        seconds, rows = median_of(app_code(scale, lead), args.runs)
        rows_out.append(("scale, team lead view", lead, seconds, rows))
    for label, pid, seconds, rows in rows_out:
        print(f"caseload {label:<22} {pid:>6} {rows:4d} rows: {seconds * 1000:7.0f} ms"
              f"  = {seconds / bare:4.1f} x bare")
    if lead:
        print(f"\nkey to repaint on the team lead's table ({lead}), median:")
        latency = asyncio.run(key_latency(scale, lead))
        rows = int(latency.pop("rows"))
        bare_latency = asyncio.run(bare_table_latency(rows))
        print(f"  {'key':<18} {'caseload':>9} {'bare table':>11}  ratio   ({rows} rows)")
        for key, seconds in latency.items():
            base = bare_latency[key]
            print(f"  {key:<18} {seconds * 1000:6.1f} ms {base * 1000:8.1f} ms  {seconds / base:4.1f} x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
