#!/usr/bin/env python
"""Start-up and key latency of the app, against a bare Textual app in the same run.

    .venv/bin/python bench/bench_startup.py                       # sample.db + a generated scale db
    .venv/bin/python bench/bench_startup.py --scale scale.db      # your own scale database
    .venv/bin/python bench/bench_startup.py --runs 7
    .venv/bin/python bench/bench_startup.py --scale scale.db --keys-only   # the key latency alone
    .venv/bin/python bench/bench_startup.py --runs 11 --no-keys            # the start-up alone
    .venv/bin/python bench/bench_startup.py --no-keys --before ../main   # and another checkout's command, same rounds

Start-up: each app is started in a fresh process (`App.run(headless=True)`)
with CASELOAD_BENCH_T0 = the time just before the process was spawned and
CASELOAD_BENCH_OUT = a file. The caseload app writes the seconds from spawn
to the first frame painted with the caseload's rows (a long caseload paints
its first screenful first: `CaseloadApp.painted_with_rows`) and to the frame
with every row in the table (`all_rows_shown`), then exits; the bare app (one
Static) writes the time of its first frame, and so does a data-less app with
the caseload screen's widgets (a title line, a summary line, a 24-row
DataTable, a key line): Textual's own cost for such a screen, the floor under the app's ratio.
Medians of --runs rounds (each round runs every process once, in turn),
and the ratios, are printed for each case, with the CPU time each process
had used by its first painted frame (all threads) against the bare app's:
on a machine shared with other work the wall clock's ratio swings with the
load (a free core runs the first read beside Textual's import; a busy one
does not), the CPU ratio much less. Each case is run two ways: the real `caseload --db
DB --as ID` command, what a user starts and what the target is about (its
database and policy checks run first, and it starts reading the first
caseload in a thread before Textual is imported: tui.data.FirstRead), and the
CaseloadApp built and run in-process, whose first read starts as it is built.
With --before DIR, the command of another checkout of the repository (its
code, this virtualenv) runs in the same rounds too, on the same databases:
a change's before and after under the same load.

Cases: on sample.db the practitioner with the case count nearest 60; on the
scale database a practitioner with about 60 cases and a team lead whose team
view holds about 600. Without --scale, bench/scale.py builds one (1 team of
10: 600 cases, 30,000 contacts) in bench/out/.

Key latency (in-process, `App.run_test`, headless), for cursor moves and for
typing into the `/` filter on the team lead's 600-row table, against a bare
DataTable of the same refs and names driven the same way, measured two ways:
the pilot's round trip (press, then its next idle point: the pilot's own
waiting, some 80 ms, is in both), and the app's own handling (from the key
event's timestamp to the end of the last screen update before idle), whose
worst press is printed too: the filter keys' medians can hide the steps that
change most rows. Printed, never asserted.
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
            f"{time.time() - float(os.environ['CASELOAD_BENCH_T0'])} 1 {time.process_time()}\\n")
        self.exit()

Bare().run(headless=True)
"""

# The caseload screen's widgets with no data and none of the app's code: a
# title line, a summary line and a key line (Statics, as tui.widgets.chrome's
# TitleBar and KeyBar are), and a DataTable of nine columns with a screenful
# of 24 plain rows. What Textual itself costs for such a screen: the floor
# under the app's ratio.
WIDGETS = """
import os, time
from pathlib import Path
from textual.app import App
from textual.widgets import DataTable, Static

class Widgets(App):
    CSS = "#title {{ dock: top; height: 1; }} #keys {{ dock: bottom; height: 1; }}"
    def compose(self):
        yield Static("caseload — X01 · A Name · as of Fri 27 Nov 2026", id="title")
        yield Static("24 cases · 3 high · 5 medium")
        yield DataTable(cursor_type="row")
        yield Static(" / Filter  f By rule  s Sort  w Week  ? Help  p Privacy  q Quit", id="keys")
    def on_mount(self):
        table = self.query_one(DataTable)
        table.add_columns("Case", "Name", "Level", "Relationship", "Last seen", "Next", "Warnings", "Handover", "Risk")
        for i in range(24):
            table.add_row(f"X{{i:06d}}", f"Person {{i}} Name", "high", "new: week 3 of 12", "12 Nov", "2 Dec",
                          "! overdue · due", "", str(90 - i), key=str(i))
        table.focus()
        self.call_after_refresh(self.done)
    def done(self):
        Path(os.environ["CASELOAD_BENCH_OUT"]).write_text(
            f"{{time.time() - float(os.environ['CASELOAD_BENCH_T0'])}} 24 {{time.process_time()}}\\n")
        self.exit()

Widgets().run(headless=True)
"""


CASELOAD = """
import sys
sys.path.insert(0, {root!r})
from storage.collector import pause_for_startup
pause_for_startup()  # as the `caseload` entry point starts (tui.startup.main)
from datetime import date
from storage.reader import Database
from tui.app import CaseloadApp

app = CaseloadApp(Database({db!r}), practitioner_id={pid!r},
                  as_of=date.fromisoformat({as_of!r}))
app.run(headless=True)
"""


# The real command (`caseload --db DB --as ID`): run_app's checks (the
# database's schema revision, the policy file) are in the time too.
COMMAND = """
import sys
sys.path.insert(0, {root!r})
from tui.startup import main  # the `caseload` console script

main(["--db", {db!r}, "--as", {pid!r}, "--on", {as_of!r}])
"""


def spawn(code: str) -> tuple[float, int, float, int, float]:
    """Seconds from spawn to the first painted frame with rows, the rows it
    showed, seconds to the frame with every row in the table, and that count
    (the same as the first two unless the caseload painted its first screenful
    first), and the CPU seconds the process had used by the first painted
    frame (all its threads: `time.process_time()`)."""
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "out"
        env = dict(os.environ, CASELOAD_BENCH_OUT=str(out), XDG_CONFIG_HOME=tmp)
        # Bytecode caches as an installed app has them (pip compiles on
        # install): the warm-up run writes them, for the app and the bare one.
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        env["CASELOAD_BENCH_T0"] = repr(time.time())
        subprocess.run([sys.executable, "-c", code], env=env, check=False, timeout=120,
                       stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL)
        if not out.exists():
            raise SystemExit("the app exited without painting its first frame")
        fields = out.read_text().split()
        if fields[0] == "nan":
            raise SystemExit("the app could not load its first caseload (see the log)")
        if len(fields) == 3:  # the bare app, the floor: one frame
            fields = fields[:2] + fields
        elif len(fields) == 4:  # an app from before the CPU time was written
            fields.append("nan")
        seconds, rows, all_seconds, total, cpu = fields
        return float(seconds), int(rows), float(all_seconds), int(total), float(cpu)


def medians(codes: dict, runs: int) -> dict:
    """{name: (median first paint, rows, median all rows, total, median CPU
    seconds at the first paint)} over `runs`
    rounds, each round running every code once in turn, so that the
    machine's drift (other load, clock changes) falls on all of them alike."""
    for code in codes.values():
        spawn(code)  # warm the file cache and .pyc files once
    results: dict = {name: [] for name in codes}
    for _ in range(runs):
        for name, code in codes.items():
            results[name].append(spawn(code))
    return {name: (statistics.median(r[0] for r in rs), rs[0][1], statistics.median(r[2] for r in rs), rs[0][3],
                   statistics.median(r[4] for r in rs))
            for name, rs in results.items()}


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


def key_timer(pilot, handled: dict[str, list[float]]):
    """`await timed(key, name)`: presses `key` through the pilot and returns
    the round trip (press, then the pilot's next idle point); also appends to
    handled[name] the app's own time for it: from the key event's timestamp
    (`Message.time`, taken when the pilot creates the event) to the end of the
    last screen update before idle, which leaves out the pilot's waiting."""
    from textual import _time, events

    app = pilot.app
    marks: dict[str, float | None] = {"key": None, "display": None}
    if not getattr(app, "_bench_timed", False):
        app._bench_timed = True
        display = app._display

        def timed_display(screen, renderable):
            display(screen, renderable)
            marks["display"] = _time.get_time()

        app._display = timed_display
        post = app._post_message  # what the pilot's driver sends keys through

        async def timed_post(message):
            if isinstance(message, events.Key):
                marks["key"] = message.time
            return await post(message)

        app._post_message = timed_post

    async def timed(key: str, name: str) -> float:
        marks["key"] = marks["display"] = None
        start = time.perf_counter()
        await pilot.press(key)
        await pilot.pause()
        elapsed = time.perf_counter() - start
        if marks["key"] is not None and marks["display"] is not None and marks["display"] >= marks["key"]:
            handled.setdefault(name, []).append(marks["display"] - marks["key"])
        return elapsed

    return timed


# A case ref's start on T01-C0001 refs; on bench/scale.py's X000001 refs it
# matches the names with a "t", then nothing: so the name typed after it.
FILTER_TEXT = "t01-c00"


def name_probe(data: list[tuple[str, str]]) -> str:
    """The first five letters of a surname in the middle of the table (rows
    as (ref, name)): typed into the filter, they narrow the rows by name
    step by step."""
    return sorted(data)[len(data) // 2][1].split()[-1][:5].lower()


async def type_filter_keys(timed, probe: str) -> dict[str, float]:
    """The filter keys, the same for the app and the bare table (the filter box has focus)."""
    out = {}
    out["filter keystroke"] = statistics.median([await timed(ch, "filter keystroke") for ch in FILTER_TEXT])
    out["filter backspace"] = statistics.median([await timed("backspace", "filter backspace")
                                                 for _ in FILTER_TEXT])
    out["filter, a name"] = statistics.median([await timed(ch, "filter, a name") for ch in probe])
    out["name backspace"] = statistics.median([await timed("backspace", "name backspace") for _ in probe])
    return out


async def key_latency(db: str, pid: str, presses: int = 40):
    """(pilot round trips, the app's own handling: medians, the same: worst,
    the rows as (ref, name)), for each key on the caseload screen."""
    from storage.reader import Database
    from tui.app import CaseloadApp
    from tui.screens.caseload import CaseloadScreen

    from storage.collector import pause_for_startup

    database = Database(db)  # as the `caseload` command opens it
    pause_for_startup()  # and as it starts: the app freezes what start-up built once painted
    app = CaseloadApp(database, practitioner_id=pid, as_of=AS_OF, state_file=Path(tempfile.mkdtemp()) / "s.json")
    out: dict[str, float] = {}
    handled: dict[str, list[float]] = {}
    async with app.run_test(size=(120, 40)) as pilot:
        for _ in range(1000):
            await pilot.pause()
            screen = app.screen
            if isinstance(screen, CaseloadScreen) and screen.loads:
                break
        data = [(r.case_ref, r.display_name) for r in app.screen.view.rows]

        timed = key_timer(pilot, handled)

        out["cursor down"] = statistics.median([await timed("down", "cursor down") for _ in range(presses)])
        out["cursor up"] = statistics.median([await timed("up", "cursor up") for _ in range(presses)])
        out["page down"] = statistics.median([await timed("pagedown", "page down") for _ in range(10)])
        # The app's own keys, with nothing to compare in the bare table: `/`
        # opens the filter line; esc closes it and empties the filter.
        out["/ (opens filter)"] = await timed("slash", "/ (opens filter)")
        out.update(await type_filter_keys(timed, name_probe(data)))
        for _ in range(5):
            await timed("escape", "esc (clears filter)")
            await timed("slash", "/ (opens filter)")
        await timed("escape", "esc (clears filter)")
        for _ in range(6):
            await timed("s", "s (sort)")
    database.dispose()
    return (out, {key: statistics.median(values) for key, values in handled.items()},
            {key: max(values) for key, values in handled.items()}, data)


async def bare_table_latency(data: list[tuple[str, str]], probe: str, presses: int = 40):
    """The same keys on a bare Textual DataTable of the same refs and names
    (and an Input filtering it the same way: clear, then add_row for each
    match), so the pilot's own overhead is in both."""
    from textual.app import App
    from textual.widgets import DataTable, Input

    class BareTable(App):
        def compose(self):
            yield Input(id="f")
            yield DataTable(cursor_type="row")

        def on_mount(self):
            table = self.query_one(DataTable)
            table.add_columns(*"abcdefgh")
            self.data = [[ref, name] + [f"cell {i} {c}" for c in "cdefgh"]
                         for i, (ref, name) in enumerate(data)]
            self.show("")
            table.focus()

        def show(self, text):
            table = self.query_one(DataTable)
            table.clear()
            text = text.lower()
            for i, row in enumerate(self.data):
                if text in row[0].lower() or text in row[1].lower():
                    table.add_row(*row, key=str(i))

        def on_input_changed(self, event):
            self.show(event.value)

    app = BareTable()
    out: dict[str, float] = {}
    handled: dict[str, list[float]] = {}
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()

        timed = key_timer(pilot, handled)

        out["cursor down"] = statistics.median([await timed("down", "cursor down") for _ in range(presses)])
        out["cursor up"] = statistics.median([await timed("up", "cursor up") for _ in range(presses)])
        out["page down"] = statistics.median([await timed("pagedown", "page down") for _ in range(10)])
        app.query_one(Input).focus()
        await pilot.pause()
        out.update(await type_filter_keys(timed, probe))
    return (out, {key: statistics.median(values) for key, values in handled.items()},
            {key: max(values) for key, values in handled.items()})


def print_key_latency(db: str, lead: str) -> None:
    print(f"\nkey to repaint on the team lead's table ({lead});"
          "\n  pilot = press + pilot.pause() round trip, median (the pilot's own overhead included),"
          "\n  app = the key event's timestamp to the end of the last screen update it caused,"
          " median and worst:")
    latency, handled, worst, data = asyncio.run(key_latency(db, lead))
    probe = name_probe(data)
    bare_latency, bare_handled, bare_worst = asyncio.run(bare_table_latency(data, probe))
    print(f"  {'key':<18} {'pilot: caseload':>15} {'bare':>8} {'ratio':>6}   "
          f"{'app: caseload':>13} {'bare':>8} {'ratio':>6}   {'worst: caseload':>15} {'bare':>8}"
          f"   ({len(data)} rows; typed: {FILTER_TEXT!r}, then {probe!r})")
    for key, seconds in latency.items():
        if key not in bare_latency:
            continue
        base = bare_latency[key]
        own, own_base = handled[key], bare_handled[key]
        print(f"  {key:<18} {seconds * 1000:12.1f} ms {base * 1000:5.1f} ms {seconds / base:5.1f} x   "
              f"{own * 1000:10.1f} ms {own_base * 1000:5.1f} ms {own / own_base:5.1f} x   "
              f"{worst[key] * 1000:12.1f} ms {bare_worst[key] * 1000:5.1f} ms")
    print("  the app's own keys (no bare equivalent): app median and worst")
    for key in handled:
        if key not in bare_handled:
            print(f"  {key:<22} {handled[key] * 1000:8.1f} ms {worst[key] * 1000:8.1f} ms")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sample", default=str(ROOT / "sample.db"))
    parser.add_argument("--scale", help="scale database (bench/scale.py); built in bench/out/ when omitted")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--keys-only", action="store_true", help="only the key latency (needs --scale)")
    parser.add_argument("--no-keys", action="store_true", help="only the start-up, not the key latency")
    parser.add_argument("--before", metavar="DIR",
                        help="another checkout whose `caseload` command runs in the same rounds (before a change)")
    args = parser.parse_args(argv)
    if args.keys_only:
        if not args.scale:
            parser.error("--keys-only needs --scale")
        _worker, lead = pick(args.scale)
        if lead:
            print_key_latency(args.scale, lead)
        return 0

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

    def command_code(db: str, pid: str, root: Path = ROOT) -> str:
        return COMMAND.format(root=str(root), db=db, pid=pid, as_of=AS_OF.isoformat())

    sample_pid, _ = pick(args.sample)
    worker, lead = pick(scale)
    cases = [("sample.db", args.sample, sample_pid), ("scale, practitioner", scale, worker)]
    if lead:
        cases.append(("scale, team lead view", scale, lead))
    codes = {"bare": BARE, "floor": WIDGETS.format()}
    for label, db, pid in cases:
        codes["command", label] = command_code(db, pid)
        codes["app", label] = app_code(db, pid)
        if args.before:
            codes["before", label] = command_code(db, pid, Path(args.before).resolve())
    load_before = os.getloadavg()
    results = medians(codes, args.runs)
    bare, bare_cpu = results["bare"][0], results["bare"][4]
    floor, floor_cpu = results["floor"][0], results["floor"][4]
    print(f"{args.runs} rounds; load average {load_before[0]:.1f} before, {' '.join(f'{x:.1f}' for x in os.getloadavg())}"
          f" after, on {os.cpu_count()} cores")
    print(f"bare Textual app, first frame:           {bare * 1000:7.0f} ms          (CPU {bare_cpu * 1000:4.0f} ms)")
    print(f"the same widgets, no data, first frame:  {floor * 1000:7.0f} ms  {floor / bare:4.2f} x"
          f"  (CPU {floor_cpu * 1000:4.0f} ms {floor_cpu / bare_cpu:4.2f} x)   (Textual's own floor for the caseload screen)")
    ways = [("command", "the `caseload --db DB --as ID` command (what a user starts; the target):"),
            ("app", "CaseloadApp built and run in-process (no command; its first read in a thread):")]
    if args.before:
        ways.insert(1, ("before", f"the same command from {args.before} (before), in the same rounds:"))
    for way, title in ways:
        print(f"\n{title}\n{'':43} first paint with rows           all rows in the table     CPU at first paint")
        for label, _db, pid in cases:
            seconds, rows, all_seconds, total, cpu = results[way, label]
            print(f"  {label:<32} {pid:>6}  {seconds * 1000:5.0f} ms {rows:4d} rows {seconds / bare:4.2f} x"
                  f"   {all_seconds * 1000:5.0f} ms {total:4d} rows {all_seconds / bare:4.2f} x"
                  f"   {cpu * 1000:4.0f} ms {cpu / bare_cpu:4.2f} x")
    print("\n(CPU: the process's CPU time, every thread, by its first painted frame, against the bare app's:"
          "\n steadier than the wall clock when other work shares the cores, which the wall clock's ratio"
          "\n gains from when a core is free: the first read runs beside Textual's import)")
    if lead and not args.no_keys:
        print_key_latency(scale, lead)
    return 0


if __name__ == "__main__":
    sys.exit(main())
