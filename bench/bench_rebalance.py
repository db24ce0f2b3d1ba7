"""Rebalance benchmark: HiGHS solve time and optimality for teams of 10, 25
and 50 practitioners, against the greedy baseline in the same run.

    .venv/bin/python bench/bench_rebalance.py            # sizes 10 25 50, seeds 1 2 3
    .venv/bin/python bench/bench_rebalance.py --sizes 25 --seeds 4 5 --time-limit 10

Teams come from bench/scale.py's generator (made-up people, histories of
allocations, contacts, absences, leaving dates and planned handovers), turned
into planner dataclasses in-process: no database. All of a generated region's
practitioners form one team. Each practitioner, the team lead included,
holds 25 to 60 open cases, the number drawn uniformly per
practitioner from the size and the seed (`caseloads`) and dealt by the
generator's `caseloads` option; the lines under the table give the spread.

Two targets per size: the policy's default (110 %, docs/rebalancing.md),
which these teams cannot reach (40-odd cases of the generator's tier mix,
about 80 points a case at the hmpps-workload tier points, are about 3,400
points against 2,176 for a full-time practitioner: the teams are 170-255 %
loaded, the leads, at 75 % reduction, up to 1,500 %), so the solver
minimises overload first and then disruption; and a reachable one (the team's average capacity % + 10,
rounded up to a multiple of 5), where every over-target practitioner must
come under it at least cost. The reachable target is the hard one: everyone
over it sheds an exact cover of their excess and the receivers who may take
tier A and B cases are filled to within a few points.

Targets, printed with PASS/MISS for each seed and target:
- 25 practitioners: a proven-optimal plan in under 2 s;
- 50 practitioners: a plan with a gap under 1 % in under 10 s.
The cost carries the early-relationship term e (26 while a relationship
that has started is under 84 days old). Nothing is asserted: the numbers
are for reading. `cpu` is the process time of the same solve: on a shared
machine it says what the solve itself took when `seconds` (the wall clock,
which the targets and the time limit count) also holds other work's. `seconds` is the wall
clock of `solve_problem` (both phases, model build included); the time is
shared with whatever else runs on the machine. HiGHS runs on one thread, so
a run is reproducible unless it stops on the time limit.

`--caseloads 30 45` deals other caseloads (teams nearer or further from 100 %).
`--targets default` runs the default target alone. `--plain-too` solves each
team a second time with the knapsack fixing of planner/rebalance/core.py off
(the plain path) and prints its status, gap, seconds and cpu, and the ratio
plain cpu / cpu: what the fixing is worth, measured in the same run.
`--base-too` does the same with the pattern bound and its fixing of
planner/rebalance/patterns.py off and the exact run's HiGHS options of
before it (the baseline: the solver before them), and ends with each
target's gap and seconds without and with them.
"""

from __future__ import annotations

import argparse
import math
import random
import sys
import time
from collections import defaultdict
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from planner.model import Absence, Allocation, Case, Contact, Handover, Practitioner, Team, World  # noqa: E402
from planner.rebalance import core as rebalance_core  # noqa: E402
from planner.rebalance import patterns as rebalance_patterns  # noqa: E402
from planner.rebalance import solver as rebalance_solver  # noqa: E402
from planner.policy import DEFAULT_POLICY  # noqa: E402
from planner.rebalance import (  # noqa: E402
    RebalanceInput,
    build_problem,
    greedy_plan,
    prepare_solver,
    solve_problem,
)
from planner.workload import team_workload  # noqa: E402

AS_OF = date(2026, 11, 27)
TEAM_ID = "BENCH"
CASELOAD_RANGE = (25, 60)  # open cases each practitioner holds
CONTACTS_PER_CASE = 25


def _d(ordinal: int | None) -> date | None:
    return None if ordinal is None else date.fromordinal(ordinal)


def caseloads(practitioners: int, seed: int, low: int, high: int) -> list[int]:
    """Open cases per practitioner, uniform from low to high (both included),
    the same for a size and a seed."""
    rng = random.Random(f"caseloads {practitioners} {seed}")
    return [rng.randint(low, high) for _ in range(practitioners)]


def team_input(practitioners: int, seed: int) -> RebalanceInput:
    """One team of `practitioners` from scale.generate, as planner dataclasses;
    each practitioner holds a number of open cases drawn from CASELOAD_RANGE."""
    import scale

    loads = caseloads(practitioners, seed, *CASELOAD_RANGE)
    data = scale.generate(
        practitioners=practitioners, contacts=sum(loads) * CONTACTS_PER_CASE,
        seed=seed, as_of=AS_OF, caseloads=loads,
    )
    pid_of = {row[0]: row[1] for row in data.practitioners}
    people = {
        pid: Practitioner(
            practitioner_id=pid, name=name, team_id=TEAM_ID, role=role, grade=grade,
            contracted_hours=float(hours), reduction_pct=float(reduction), leaving_on=_d(leaving),
        )
        for pk, pid, name, _team, role, grade, hours, reduction, leaving, _email in data.practitioners
    }
    absences: dict[str, list[Absence]] = defaultdict(list)
    for pk, start, end, kind, cover in data.absences:
        absences[pid_of[pk]].append(Absence(pid_of[pk], _d(start), _d(end), kind, pid_of.get(cover)))
    allocations: dict[int, list[Allocation]] = defaultdict(list)
    for _id, cid, pk, start, end, reason in data.allocations:
        allocations[cid].append(Allocation(pid_of[pk], _d(start), _d(end), reason))
    contacts: dict[int, list[Contact]] = defaultdict(list)
    for cid, day, pk, kind, outcome in data.contacts:
        contacts[cid].append(Contact(_d(day), pid_of[pk], kind, outcome))
    handovers: dict[int, list[Handover]] = defaultdict(list)
    for hid, cid, from_pk, to_pk, planned, status, reason, completed in data.handovers:
        handovers[cid].append(
            Handover(pid_of[from_pk], pid_of[to_pk], _d(planned), status, completed_on=_d(completed), reason=reason, id=hid)
        )
    cases = []
    for cid, ref, name, _team, tier, level, youth, _dob, flags, status, paused in data.cases:
        if status == "closed":
            continue
        cases.append(
            Case(
                case_ref=ref, display_name=name, team_id=TEAM_ID, tier=tier,
                contact_level=level or {"A": "intensive", "B": "enhanced", "C": "standard", "D": "low"}[tier[0]],
                youth=bool(youth), flags=frozenset(f for f in flags.split(";") if f), status=status,
                paused_until=_d(paused),
                allocations=tuple(sorted(allocations[cid], key=lambda a: a.start_date)),
                contacts=tuple(sorted(contacts[cid], key=lambda c: c.contact_date)),
                handovers=tuple(sorted(handovers[cid], key=lambda h: h.planned_on)),
            )
        )
    world = World(
        practitioners=people,
        teams={TEAM_ID: Team(TEAM_ID, "Benchmark team")},
        absences={pid: tuple(sorted(items, key=lambda a: a.start_date)) for pid, items in absences.items()},
    )
    return RebalanceInput(TEAM_ID, AS_OF, tuple(cases), world, DEFAULT_POLICY)


def reachable_target(inp: RebalanceInput) -> float:
    loads = [l for l in team_workload(inp.cases, inp.world, TEAM_ID, AS_OF, inp.policy) if l.available_points > 0]
    mean = sum(l.points for l in loads) / sum(l.available_points for l in loads) * 100
    return float(math.ceil((mean + 10) / 5) * 5)


def team_shape(size: int, inp: RebalanceInput) -> str:
    """Open cases per practitioner and capacity % of a generated team, to
    compare with CASELOAD_RANGE."""
    loads = [l for l in team_workload(inp.cases, inp.world, TEAM_ID, AS_OF, inp.policy) if l.available_points > 0]
    counts: dict[str, int] = defaultdict(int)
    for case in inp.cases:
        if case.practitioner_id is not None:
            counts[case.practitioner_id] += 1
    per = sorted(counts.get(l.practitioner_id, 0) for l in loads)
    pct = sorted(l.points / l.available_points * 100 for l in loads)
    low, high = CASELOAD_RANGE
    inside = sum(1 for n in per if low <= n <= high)
    mean = sum(l.points for l in loads) / sum(l.available_points for l in loads) * 100
    return (
        f"team of {size}: {per[0]}-{per[-1]} cases per practitioner (mean {sum(per) / len(per):.0f}, "
        f"{inside} of {len(per)} within {low}-{high}), capacity {pct[0]:.0f}-{pct[-1]:.0f} %, team at {mean:.0f} %"
    )


def _gap(g: float | None) -> str:
    return "   n/a" if g is None else f"{g * 100:6.3f}%"


def _ratio(a: float, b: float) -> str:
    if b == 0:
        return "  1.00" if a == 0 else "   inf"
    return f"{a / b:6.2f}"


BASELINE_COVER_OPTIONS: dict = {}  # the exact run's HiGHS options before the pattern bound


def solve_timed(problem, time_limit: float, core: bool, patterns: bool = True):
    """solve_problem with the knapsack fixing (planner/rebalance/core.py) and
    the pattern bound (planner/rebalance/patterns.py) on or off (off: with
    the exact run's HiGHS options of before it too): (plan, wall seconds,
    cpu seconds)."""
    saved = rebalance_core.CORE_FIXING, rebalance_patterns.PATTERN_BOUND, dict(rebalance_solver.COVER_OPTIONS)
    rebalance_core.CORE_FIXING, rebalance_patterns.PATTERN_BOUND = core, patterns
    if not patterns:
        rebalance_solver.COVER_OPTIONS.clear()
        rebalance_solver.COVER_OPTIONS.update(BASELINE_COVER_OPTIONS)
    try:
        began, cpu_began = time.perf_counter(), time.process_time()
        plan = solve_problem(problem, time_limit=time_limit)
        return plan, time.perf_counter() - began, time.process_time() - cpu_began
    finally:
        rebalance_core.CORE_FIXING, rebalance_patterns.PATTERN_BOUND = saved[:2]
        rebalance_solver.COVER_OPTIONS.clear()
        rebalance_solver.COVER_OPTIONS.update(saved[2])


def compare(label: str, plan, cpu: float, other, o_seconds: float, o_cpu: float) -> str:
    """One line for a second solve of the same team (`other`), with the cpu
    ratio against the first and whether both found the same optimum."""
    same = abs(other.total_cost - plan.total_cost) < 1e-6 and abs(other.overload_points - plan.overload_points) < 1e-6
    proven = other.solver.status == "optimal" and plan.solver.status == "optimal"
    return (
        f"{'':>4} {'':>4} {label:>5} {'':>4} {'':>6} {'':>6} {other.solver.status:>10} {_gap(other.solver.gap):>7} "
        f"{o_seconds:>7.2f} {o_cpu:>5.2f} {len(other.moves):>5} {other.total_cost:>8.1f} {other.overload_points:>8.1f}"
        f" | {label} cpu / cpu {o_cpu / max(cpu, 1e-9):5.2f}{'' if same or not proven else '  DIFFERENT OPTIMUM'}"
    )


def run(sizes: list[int], seeds: list[int], time_limit: float, targets: list[str] = ("default", "reachable"),
        plain_too: bool = False, base_too: bool = False) -> int:
    prepare_solver()
    low, high = CASELOAD_RANGE
    print(
        f"rebalance benchmark: seeds {' '.join(map(str, seeds))}, time limit {time_limit:g} s, as of {AS_OF}, "
        f"{low} to {high} open cases per practitioner, HiGHS via highspy"
    )
    print(
        f"{'team':>4} {'seed':>4} {'cases':>5} {'over':>4} {'target':>6} {'vars':>6} {'status':>10} {'gap':>7} "
        f"{'seconds':>7} {'cpu':>5} {'moves':>5} {'cost':>8} {'overload':>8} | {'greedy cost':>11} {'overload':>8} "
        f"{'ratio':>6} {'ovl gap':>7} {'cost gap':>8}  check"
    )
    verdicts: list[str] = []
    shapes: list[str] = []
    base_checks: list[str] = []
    for size in sizes:
        for seed in seeds:
            inp = team_input(size, seed)
            shapes.append(f"seed {seed}, " + team_shape(size, inp))
            for label, target in (("default", None), ("reachable", None)):
                if label not in targets:
                    continue
                if label == "reachable":
                    target = reachable_target(inp)
                problem = build_problem(inp, target_pct=target)
                n_vars = sum(len(pc.costs) + 1 for pc in problem.cases if pc.costs) + len(problem.practitioners)
                over = sum(1 for q in problem.practitioners if problem.load({})[q] > problem.limits[q] + 1e-9)
                plan, seconds, cpu = solve_timed(problem, time_limit, True)
                greedy = greedy_plan(problem)
                check = ""
                if size == 25:
                    ok = plan.solver.status == "optimal" and seconds < 2.0
                    check = f"{'PASS' if ok else 'MISS'} (proven optimal < 2 s)"
                elif size == 50:
                    ok = plan.solver.gap is not None and plan.solver.gap < 0.01 and seconds < 10.0
                    check = f"{'PASS' if ok else 'MISS'} (gap < 1 % in < 10 s)"
                if check:
                    verdicts.append(f"{size} practitioners, seed {seed}, {label} target: {check}")
                ratio = _ratio(greedy.total_cost, plan.total_cost)
                if greedy.overload_points > plan.overload_points + 1e-6:
                    ratio += "*"
                print(
                    f"{size:>4} {seed:>4} {len(problem.cases):>5} {over:>4} {problem.target_pct:>5.0f}% {n_vars:>6} "
                    f"{plan.solver.status:>10} {_gap(plan.solver.gap):>7} {seconds:>7.2f} {cpu:>5.2f} {len(plan.moves):>5} "
                    f"{plan.total_cost:>8.1f} {plan.overload_points:>8.1f} | {greedy.total_cost:>11.1f} "
                    f"{greedy.overload_points:>8.1f} {ratio:>6} {_gap(plan.solver.overload_gap):>7} "
                    f"{_gap(plan.solver.cost_gap):>8}  {check}",
                    flush=True,
                )
                if plain_too:
                    print(compare("plain", plan, cpu, *solve_timed(problem, time_limit, False)), flush=True)
                if base_too:
                    base = solve_timed(problem, time_limit, True, patterns=False)
                    print(compare("base", plan, cpu, *base), flush=True)
                    if check:
                        base_checks.append(
                            f"{size} practitioners, seed {seed}, {label} target: gap {_gap(base[0].solver.gap).strip()} "
                            f"in {base[1]:.2f} s ({base[2]:.2f} cpu) without the pattern bound, "
                            f"{_gap(plan.solver.gap).strip()} in {seconds:.2f} s ({cpu:.2f} cpu) with it"
                        )
    print()
    for line in shapes:
        print(line)
    print("ratio = greedy cost / HiGHS plan cost (* = greedy also leaves more points above target);")
    print("gap = the larger of the overload phase's (ovl gap) and the cost phase's (cost gap) relative MIP gaps")
    for line in verdicts:
        print(line)
    for size in (25, 50):
        mine = [line for line in verdicts if line.startswith(f"{size} practitioners")]
        if mine:
            passed = sum(1 for line in mine if ": PASS" in line)
            print(f"{size} practitioners: {passed} of {len(mine)} PASS")
    for line in base_checks:
        print(line)
    return 0


def main(argv: list[str] | None = None) -> int:
    global CASELOAD_RANGE
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10, 25, 50])
    parser.add_argument("--seeds", "--seed", type=int, nargs="+", default=[1, 2, 3])
    parser.add_argument("--time-limit", type=float, default=10.0)
    parser.add_argument("--caseloads", type=int, nargs=2, metavar=("LOW", "HIGH"), default=list(CASELOAD_RANGE),
                        help="open cases per practitioner, drawn uniformly (default 25 60)")
    parser.add_argument("--targets", nargs="+", choices=("default", "reachable"), default=["default", "reachable"])
    parser.add_argument("--plain-too", action="store_true",
                        help="also solve with the knapsack fixing off and print the cpu ratio")
    parser.add_argument("--base-too", action="store_true",
                        help="also solve with the pattern bound off (the baseline) and print its gap and the cpu ratio")
    args = parser.parse_args(argv)
    low, high = args.caseloads
    if not 0 <= low <= high:
        parser.error("--caseloads: 0 <= LOW <= HIGH")
    CASELOAD_RANGE = (low, high)
    return run(args.sizes, args.seeds, args.time_limit, args.targets, args.plain_too, args.base_too)


if __name__ == "__main__":
    sys.exit(main())
