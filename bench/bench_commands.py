#!/usr/bin/env python
"""Every command of the README on a copy of the sample, against `caseload --help`
in the same run.

    .venv/bin/python bench/bench_commands.py              # 5 rounds
    .venv/bin/python bench/bench_commands.py --runs 9 --only warnings,week
    .venv/bin/python bench/bench_commands.py --kind read     # the reads only

Each command runs as a user runs it: a fresh `caseload` process (the console
script of this checkout's virtualenv), its wall clock from spawn to exit.
A round runs `caseload --help` and then every command once, in turn, so a
shared machine's load falls on all of them alike; a write command gets a
fresh copy of the sample before it (copying is not timed). The medians of
--runs rounds are printed with their ratio to `--help`'s median and the
target: a read within 3 x `--help`, a write within 5 x (PASS/MISS, printed,
never asserted). A command that exits with another status than the one
expected stops the bench: it would time an error, not the command.

The interactive app's start-up is `bench/bench_startup.py`'s; `demo` and
`server add-login` and `server logins` (PostgreSQL only) and `team link` (the
administrator's one-off setting of a team, a single-row write) are left out here, and
of the supervision commands that write only `start`, `action add` and
`action done` run (the sample's sessions are ended: `note`, `pin`, `flag`,
`review` and `end` write to an open one, as `start` does).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CASELOAD = Path(sys.executable).parent / "caseload"
ON = "2026-11-27"  # the sample's own date
TARGETS = {"read": 3.0, "write": 5.0}


@dataclass(frozen=True)
class Command:
    label: str
    kind: str  # read | write
    args: tuple[str, ...]
    status: int = 0


def run(db: Path, args: tuple[str, ...], env: dict[str, str]) -> tuple[float, subprocess.CompletedProcess]:
    argv = [str(CASELOAD), *(("--db", str(db)) if args and args[0] != "--help" else ()), *args]
    start = time.perf_counter()
    done = subprocess.run(argv, capture_output=True, text=True, env=env, check=False)
    return time.perf_counter() - start, done


def working_day_after(day: date, days: int) -> date:
    day += timedelta(days=days)
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return day


def pick(db: Path) -> dict[str, str]:
    """Cases and people for the commands, read from the sample itself."""
    con = sqlite3.connect(db)
    try:
        one = lambda sql: con.execute(sql).fetchone()[0]  # noqa: E731
        open_handover = one(
            "SELECT c.case_ref FROM handover h JOIN \"case\" c ON c.id = h.case_id "
            "WHERE h.status = 'in_progress' ORDER BY c.case_ref LIMIT 1")
        plain_case = one(
            "SELECT c.case_ref FROM \"case\" c JOIN allocation a ON a.case_id = c.id AND a.end_date IS NULL "
            "JOIN practitioner p ON p.id = a.practitioner_pk "
            "WHERE p.practitioner_id = 'N1-02' AND c.status = 'active' AND substr(c.tier, 1, 1) NOT IN ('A', 'B') "
            "AND NOT EXISTS (SELECT 1 FROM handover h WHERE h.case_id = c.id) ORDER BY c.case_ref LIMIT 1")
        leaver = one("SELECT practitioner_id FROM practitioner WHERE leaving_on IS NOT NULL "
                     "AND leaving_on >= date('now') ORDER BY leaving_on LIMIT 1")
        supervised = one("SELECT p.practitioner_id FROM supervision_session s "
                         "JOIN practitioner p ON p.id = s.practitioner_pk ORDER BY s.id LIMIT 1")
        session_id = one("SELECT min(id) FROM supervision_session")
        lead = one("SELECT l.practitioner_id FROM supervision_session s "
                   "JOIN practitioner l ON l.id = s.lead_pk ORDER BY s.id LIMIT 1")
        action_id = one("SELECT min(ac.id) FROM action ac JOIN practitioner p ON p.id = ac.owner_pk "
                        "WHERE NOT ac.done AND p.practitioner_id = (SELECT p2.practitioner_id FROM "
                        "supervision_session s JOIN practitioner p2 ON p2.id = s.practitioner_pk ORDER BY s.id LIMIT 1)")
        series = one("SELECT min(a.id) FROM appointment a JOIN practitioner p ON p.id = a.practitioner_pk "
                     "WHERE p.practitioner_id = 'N1-02' AND a.rrule IS NOT NULL AND a.appointment_date = '2026-12-01'")
    finally:
        con.close()
    return {"handover": open_handover, "plain": plain_case, "leaver": leaver, "supervised": supervised,
            "session": str(session_id), "lead": lead, "action": str(action_id), "series": str(series)}


def commands(ids: dict[str, str], work: Path) -> list[Command]:
    today = date.today()
    plan_on = working_day_after(today, 9).isoformat()
    replan_on = working_day_after(today, 4).isoformat()
    csv = work / "absences.csv"
    csv.write_text(f"practitioner_id,start_date,end_date\nN1-02,{working_day_after(today, 40)},"
                   f"{working_day_after(today, 41)}\n")
    summary = work / "summary.txt"
    summary.write_text("Risks, strengths, what works; the person's goals.\n")
    h, c, who, lead = ids["handover"], ids["plain"], ids["supervised"], ids["lead"]
    return [
        Command("warnings --team", "read", ("warnings", "--team", "NPS-N1", "--on", ON, "--format", "json")),
        Command("warnings --practitioner", "read", ("warnings", "--practitioner", "N1-02", "--on", ON)),
        Command("warnings --summary", "read", ("warnings", "--summary", "--on", ON)),
        Command("week", "read", ("week", "--practitioner", "N1-02", "--week-of", ON)),
        Command("week --format ics", "read", ("week", "--practitioner", "N1-02", "--week-of", ON, "--format", "ics")),
        Command("handover list", "read", ("handover", "list", "--format", "json")),
        Command("handover show", "read", ("handover", "show", h)),
        Command("handover departures", "read", ("handover", "departures", ids["leaver"])),
        Command("rebalance", "read", ("rebalance", "--team", "NPS-N1", "--on", ON, "--format", "json")),
        Command("report", "read", ("report", "--team", "NPS-N1", "--on", ON, "--format", "json")),
        Command("supervision export", "read", ("supervision", "export", who)),
        Command("supervision list", "read", ("supervision", "list", who)),
        Command("supervision queue", "read", ("supervision", "queue", ids["session"])),
        Command("supervision prompts", "read", ("supervision", "prompts", c)),
        Command("checkin (list)", "read", ("checkin", "NG1016", "--format", "json")),
        Command("supervision action list", "read", ("supervision", "action", "list", who)),
        Command("audit", "read", ("audit", "--since", "2026-11-01")),
        Command("check", "read", ("check",)),
        Command("import --dry-run", "read", ("import", str(csv), "--dry-run")),
        Command("week --suggest", "read", ("--as", "N1-02", "week", "--suggest", "--week-of", "2026-12-21",
                                           "--on", "2026-12-18")),
        Command("an argument error", "read", ("week", "--no-such-option"), status=2),
        Command("init", "write", ("init",)),
        Command("import", "write", ("import", str(csv))),
        Command("export", "write", ("export", str(work / "export"), "--force")),
        Command("week --output", "write", ("week", "--practitioner", "N1-02", "--format", "ics",
                                           "--output", str(work / "week.ics"), "--force")),
        Command("handover plan", "write", ("handover", "plan", c, "--to", "N1-05", "--on", plan_on)),
        Command("handover replan", "write", ("handover", "replan", h, "--on", replan_on)),
        Command("handover tick", "write", ("handover", "tick", h, "read")),
        Command("handover summary", "write", ("handover", "summary", h, "--file", str(summary))),
        Command("handover complete", "write", ("handover", "complete", h, "--override-reason",
                                               "the person moved area at short notice")),
        Command("handover departures --apply", "write", ("handover", "departures", ids["leaver"], "--apply")),
        Command("rebalance --apply", "write", ("rebalance", "--team", "NPS-N1", "--apply")),
        Command("supervision start", "write", ("--as", lead, "supervision", "start", who)),
        Command("supervision action add", "write", ("--as", lead, "supervision", "action", "add",
                                                    "Book the three-way meeting", "--owner", who,
                                                    "--due", working_day_after(today, 7).isoformat())),
        Command("supervision action done", "write", ("--as", who, "supervision", "action", "done",
                                                     ids["action"])),
        Command("week --suggest --apply", "write", ("--as", "N1-02", "week", "--suggest", "--week-of", "2026-12-21",
                                                    "--on", "2026-12-18", "--apply")),
        Command("appointment cancel", "write", ("appointment", "cancel", ids["series"], "--by", "person",
                                                "--occurrence", "2026-12-08")),
        Command("appointment move", "write", ("appointment", "move", ids["series"], "--occurrence", "2026-12-08",
                                              "--to", "2026-12-09", "--time", "10:00")),
        Command("appointment outcome", "write", ("appointment", "outcome", ids["series"], "--occurrence",
                                                 "2026-12-01", "--outcome", "attended", "--on", "2026-12-02")),
        Command("checkin", "write", ("--as", "N1-02", "checkin", "NG1016", "--listened", "3", "--goals", "2",
                                     "--trust", "3", "--on", today.isoformat())),
        Command("backup", "write", ("backup", str(work / "backup.db"))),
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--db", type=Path, default=ROOT / "sample.db")
    parser.add_argument("--only", help="comma-separated labels (substrings) to run")
    parser.add_argument("--kind", choices=sorted(TARGETS), help="only the reads, or only the writes")
    opts = parser.parse_args(argv)
    work = Path(tempfile.mkdtemp(prefix="bench-commands-"))
    env = {**os.environ, "HOME": str(work / "home"), "XDG_CONFIG_HOME": str(work / "config"),
           "XDG_DATA_HOME": str(work / "data"), "NO_COLOR": "1"}
    env.pop("CASELOAD_DB", None)
    # Bytecode caches as an installed command has them (pip compiles on
    # install): the first round writes them (bench_startup.py does the same).
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    try:
        base = work / "base.db"
        shutil.copyfile(opts.db, base)
        base.chmod(0o600)  # `check` asks for a private file
        todo = commands(pick(base), work)
        if opts.kind:
            todo = [c for c in todo if c.kind == opts.kind]
        if opts.only:
            wanted = opts.only.split(",")
            todo = [c for c in todo if any(w in c.label for w in wanted)]
        times: dict[str, list[float]] = {"--help": [], **{c.label: [] for c in todo}}
        for _ in range(opts.runs):
            times["--help"].append(run(base, ("--help",), env)[0])
            for command in todo:
                db = base
                if command.kind == "write":
                    db = work / "write.db"
                    shutil.copyfile(base, db)
                    db.chmod(0o600)
                    for extra in ("backup.db",):
                        (work / extra).unlink(missing_ok=True)
                seconds, done = run(db, command.args, env)
                if done.returncode != command.status:
                    print(f"{command.label}: exit {done.returncode}, expected {command.status}: "
                          f"{(done.stderr or done.stdout).strip()[:300]}", file=sys.stderr)
                    return 1
                times[command.label].append(seconds)
        report(times, todo, opts.runs)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0


def report(times: dict[str, list[float]], todo: list[Command], runs: int) -> None:
    baseline = statistics.median(times["--help"])
    load = os.getloadavg()[0]
    print(f"caseload --help: median {baseline * 1000:.0f} ms of {runs} rounds (load average {load:.1f})")
    print(f"{'command':30} {'kind':5} {'median':>8} {'ratio':>6}  target")
    summary = {"read": [0, 0], "write": [0, 0]}
    for command in todo:
        median = statistics.median(times[command.label])
        ratio = median / baseline
        ok = ratio <= TARGETS[command.kind]
        summary[command.kind][0 if ok else 1] += 1
        print(f"{command.label:30} {command.kind:5} {median * 1000:6.0f}ms {ratio:6.2f}  "
              f"{'PASS' if ok else 'MISS'} (<= {TARGETS[command.kind]:.0f} x)")
    print(json.dumps({kind: {"pass": p, "miss": m} for kind, (p, m) in summary.items()}))


if __name__ == "__main__":
    sys.exit(main())
