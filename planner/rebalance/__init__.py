"""Continuity-preserving rebalancing of one team's caseloads (docs/rebalancing.md).

docs/rebalancing.md explains the model: the cost of a move (with the
early-relationship term e), the target, the exclusions, the solver and its
limits. The package, by seam:

    costs       the disruption cost of a move, and the facts behind it
    explain     a move's cost in a person's words
    problem     a team's problem: cases, allowed receivers, costs, targets
    plan        the plan, its moves, the solver's report, the JSON
    highs       the MILP as HiGHS sees it, and one HiGHS run
    bounds      covers, the overload floor and the cost phase's cuts
    core        knapsack fixing (a switch back to the plain path)
    heuristics  starts for HiGHS and the greedy baseline
    solver      the two-phase exact solve
    dates       the dates of an applied plan's handovers

Callers import from `planner.rebalance`; the names below are its interface.
"""

#: Each name of the interface and the module that holds it. Loaded on first
#: use (PEP 562), so a caller needing only the costs (planner/departures.py,
#: `handover departures`) does not load the solver, HiGHS and NumPy.
_HOME = {
    "PSO_BARRED_TIER_BANDS": "planner.exclusions",
    "absent_working_days": "planner.exclusions",
    "grade_bar": "planner.exclusions",
    "cover_pick": "planner.rebalance.bounds",
    "min_cover_cost": "planner.rebalance.bounds",
    "overload_floor": "planner.rebalance.bounds",
    "SENSITIVE_FLAGS": "planner.rebalance.costs",
    "CaseFacts": "planner.rebalance.costs",
    "DisruptionCost": "planner.rebalance.costs",
    "case_facts": "planner.rebalance.costs",
    "disruption_cost": "planner.rebalance.costs",
    "handover_dates": "planner.rebalance.dates",
    "held_for": "planner.rebalance.explain",
    "move_reason": "planner.rebalance.explain",
    "cover_assignment": "planner.rebalance.heuristics",
    "fill_assignment": "planner.rebalance.heuristics",
    "greedy_assignment": "planner.rebalance.heuristics",
    "greedy_plan": "planner.rebalance.heuristics",
    "shed_assignment": "planner.rebalance.heuristics",
    "prepare_solver": "planner.rebalance.highs",
    "Move": "planner.rebalance.plan",
    "PlanCase": "planner.rebalance.plan",
    "PlanPractitioner": "planner.rebalance.plan",
    "RebalancePlan": "planner.rebalance.plan",
    "SolverReport": "planner.rebalance.plan",
    "plan_to_dict": "planner.rebalance.plan",
    "with_moves": "planner.rebalance.plan",
    "ProblemCase": "planner.rebalance.problem",
    "RebalanceInput": "planner.rebalance.problem",
    "RebalanceProblem": "planner.rebalance.problem",
    "build_problem": "planner.rebalance.problem",
    "case_exclusion": "planner.rebalance.problem",
    "receiver_exclusion": "planner.rebalance.problem",
    "DEFAULT_MIP_GAP": "planner.rebalance.solver",
    "DEFAULT_TIME_LIMIT": "planner.rebalance.solver",
    "plan_rebalance": "planner.rebalance.solver",
    "solve_problem": "planner.rebalance.solver",
}

__all__ = [
    "DEFAULT_MIP_GAP",
    "DEFAULT_TIME_LIMIT",
    "PSO_BARRED_TIER_BANDS",
    "SENSITIVE_FLAGS",
    "CaseFacts",
    "DisruptionCost",
    "Move",
    "PlanCase",
    "PlanPractitioner",
    "ProblemCase",
    "RebalanceInput",
    "RebalancePlan",
    "RebalanceProblem",
    "SolverReport",
    "absent_working_days",
    "build_problem",
    "case_exclusion",
    "case_facts",
    "cover_assignment",
    "cover_pick",
    "disruption_cost",
    "fill_assignment",
    "grade_bar",
    "greedy_assignment",
    "greedy_plan",
    "handover_dates",
    "held_for",
    "min_cover_cost",
    "move_reason",
    "overload_floor",
    "plan_rebalance",
    "plan_to_dict",
    "prepare_solver",
    "receiver_exclusion",
    "shed_assignment",
    "solve_problem",
    "with_moves",
]


def __getattr__(name: str):
    if name not in _HOME:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    from importlib import import_module

    value = getattr(import_module(_HOME[name]), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)
