"""The exhaustive search of planner/rebalance/exhaustive.py: checked against
every plan of small teams (brute force), against HiGHS with the switch off,
and on the sample, where it proves the plan without loading HiGHS or NumPy."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
from test_rebalance import brute_force, random_team
from test_rebalance_exact import like_cases_team

from planner.rebalance import build_problem, greedy_assignment, plan_rebalance
from planner.rebalance import exhaustive
from planner.rebalance.plan import _make_plan
from planner.rebalance.problem import ProblemCase, RebalanceProblem
from planner.rebalance.solver import _cost_step

ROOT = Path(__file__).resolve().parents[2]
TEAMS = [random_team(seed) for seed in range(60)] + [like_cases_team(700 + seed) for seed in range(40)]
#: the teams with someone over target (for the others the solver returns before any search)
OVER = [(data, target) for data, target in TEAMS if build_problem(data, target_pct=target).overload({}) > 1e-9]


def _step(problem) -> float:
    return _cost_step(c for pc in problem.cases for c in pc.costs.values())


@pytest.mark.parametrize("k", range(len(OVER)))
@pytest.mark.parametrize("known", [True, False])
def test_it_finds_the_brute_force_optimum_or_gives_up_when_no_plan_is_under_target(k, known):
    data, target = OVER[k]
    problem = build_problem(data, target_pct=target)
    overload, cost = brute_force(problem)
    start = greedy_assignment(problem) if known else None
    found = exhaustive.exhaustive_plan(problem, max_moves=None, step=_step(problem), known=start)
    if overload > 1e-6:
        assert found is None  # no plan brings everyone under target: HiGHS solves it
    else:
        assert found is not None
        assert problem.overload(found) <= 1e-9
        assert problem.cost(found) == pytest.approx(cost, abs=1e-6)


def test_the_teams_above_hold_both_kinds():
    """The test above sees teams that can come under target and teams that cannot."""
    assert len(OVER) >= 40
    assert {brute_force(build_problem(data, target_pct=target))[0] > 1e-6 for data, target in OVER} == {True, False}


@pytest.mark.parametrize("k", range(0, len(TEAMS), 3))
def test_the_plan_is_the_one_highs_proves_with_the_switch_off(k, monkeypatch):
    data, target = TEAMS[k]
    searched = plan_rebalance(data, target_pct=target)
    monkeypatch.setattr(exhaustive, "SEARCH", False)
    solved = plan_rebalance(data, target_pct=target)
    assert solved.solver.name == "highs"
    assert (searched.solver.status, solved.solver.status) == ("optimal", "optimal")
    assert searched.overload_points == pytest.approx(solved.overload_points, abs=1e-6)
    assert searched.total_cost == pytest.approx(solved.total_cost, abs=1e-6)
    if searched.solver.name == exhaustive.NAME:
        assert searched.overload_points == 0 and searched.solver.gap == 0.0


def test_a_plan_it_proves_is_reported_as_its_own():
    reported = set()
    for data, target in TEAMS:
        plan = plan_rebalance(data, target_pct=target)
        reported.add(plan.solver.name)
        if plan.solver.name == exhaustive.NAME:
            assert plan.solver.status == "optimal" and plan.solver.gap == 0.0
    assert reported == {"highs", exhaustive.NAME}  # the teams under target need no solver at all: "highs"


def _problem(points=(30.0, 20.0), costs=(5.0, 3.0), movable=(True, True)) -> RebalanceProblem:
    cases = tuple(
        ProblemCase(f"C{i}", "P1", p, {"P2": c} if m else {}, None if m else "kept", None)
        for i, (p, c, m) in enumerate(zip(points, costs, movable))
    )
    return RebalanceProblem(
        team_id="T1", as_of=date(2026, 11, 27), target_pct=100.0, practitioners=("P1", "P2"),
        available={"P1": 30.0, "P2": 100.0}, limits={"P1": 30.0, "P2": 100.0}, cases=cases,
        receiver_exclusions={}, left_alone=frozenset(),
    )


def test_a_hand_made_problem_and_where_it_gives_up(monkeypatch):
    problem = _problem()  # P1 holds 50 points of a target of 30: C1 (20 points, 3) is enough
    assert exhaustive.exhaustive_plan(problem, max_moves=None, step=1.0) == {"C1": "P2"}
    assert exhaustive.exhaustive_plan(problem, max_moves=1, step=1.0) is None  # moves capped
    assert exhaustive.exhaustive_plan(_problem(points=(30.0, 20.5)), max_moves=None, step=1.0) is None
    assert exhaustive.exhaustive_plan(_problem(costs=(5.0, -1.0)), max_moves=None, step=1.0) is None
    # P1 must shed 20 points and may move only C1's 5: no plan under target
    assert exhaustive.exhaustive_plan(_problem(points=(45.0, 5.0), movable=(False, True)), max_moves=None,
                                      step=1.0) is None
    monkeypatch.setattr(exhaustive, "NODE_BUDGET", 1)
    assert exhaustive.exhaustive_plan(problem, max_moves=None, step=1.0) is None
    monkeypatch.setattr(exhaustive, "NODE_BUDGET", 100)
    monkeypatch.setattr(exhaustive, "SEARCH", False)
    assert exhaustive.exhaustive_plan(problem, max_moves=None, step=1.0) is None


def test_a_known_plan_nothing_beats_is_returned_as_proven():
    problem = _problem()
    best = {"C1": "P2"}
    assert exhaustive.exhaustive_plan(problem, max_moves=None, step=1.0, known=best) == best
    # a known plan that leaves someone over target is no ceiling
    assert exhaustive.exhaustive_plan(problem, max_moves=None, step=1.0, known={}) == best


def test_out_of_steps_it_leaves_the_team_to_highs(monkeypatch):
    data, target = next((d, t) for d, t in TEAMS
                        if plan_rebalance(d, target_pct=t).solver.name == exhaustive.NAME)
    monkeypatch.setattr(exhaustive, "NODE_BUDGET", 1)
    plan = plan_rebalance(data, target_pct=target)
    assert plan.solver.name == "highs" and plan.solver.status == "optimal"


def test_the_plan_has_no_idle_move():
    """As the solver's: among plans of one cost, none with a move whose undoing keeps everyone under target."""
    for data, target in TEAMS:
        plan = plan_rebalance(data, target_pct=target)
        if plan.solver.name != exhaustive.NAME:
            continue
        problem = build_problem(data, target_pct=target)
        moves = {m.case_ref: m.to_id for m in plan.moves}
        for ref in moves:
            assert problem.overload({r: q for r, q in moves.items() if r != ref}) > 1e-9
        assert _make_plan(problem, moves, plan.solver).total_cost == plan.total_cost


PROBE = """
import atexit, json, os, sys
atexit.register(lambda: open(os.environ["PROBE_OUT"], "w").write(json.dumps(sorted(sys.modules))))
from tui.cli import main
main(sys.argv[1:], prog_name="caseload")
"""


@pytest.mark.parametrize("switch", ["1", "0"])
def test_on_the_sample_the_plan_is_proven_without_highs_or_numpy(switch, tmp_path):
    """The benchmark's command line (bench/bench_commands.py); with the
    switch off, HiGHS (and with it NumPy) proves the same plan."""
    db = tmp_path / "sample.db"
    shutil.copyfile(ROOT / "sample.db", db)
    db.chmod(0o600)
    out = tmp_path / "modules.json"
    env = {**os.environ, "PROBE_OUT": str(out), "HOME": str(tmp_path), "NO_COLOR": "1",
           "CASELOAD_REBALANCE_SEARCH": switch}
    env.pop("CASELOAD_DB", None)
    done = subprocess.run(
        [sys.executable, "-c", PROBE, "--db", str(db), "rebalance", "--team", "NPS-N1", "--on", "2026-11-27",
         "--format", "json"], env=env, capture_output=True, text=True, cwd=ROOT, check=False)
    assert done.returncode == 0, done.stderr
    doc = json.loads(done.stdout)
    modules = {name.split(".")[0] for name in json.loads(out.read_text())}
    assert doc["solver"]["status"] == "optimal" and doc["solver"]["gap"] == 0.0
    assert doc["total_cost"] == 118.5 and doc["overload_points"] == 0 and len(doc["moves"]) == 6
    if switch == "1":
        assert doc["solver"]["name"] == exhaustive.NAME
        assert not modules & {"highspy", "numpy"}
    else:
        assert doc["solver"]["name"] == "highs"
        assert {"highspy", "numpy"} <= modules
