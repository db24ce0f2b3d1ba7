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

from planner.exclusions import PSO_BARRED_TIER_BANDS, absent_working_days, grade_bar
from planner.rebalance.bounds import cover_pick, min_cover_cost, overload_floor
from planner.rebalance.costs import SENSITIVE_FLAGS, CaseFacts, DisruptionCost, case_facts, disruption_cost
from planner.rebalance.dates import handover_dates
from planner.rebalance.explain import held_for, move_reason
from planner.rebalance.heuristics import (
    cover_assignment,
    fill_assignment,
    greedy_assignment,
    greedy_plan,
    shed_assignment,
)
from planner.rebalance.highs import prepare_solver
from planner.rebalance.plan import (
    Move,
    PlanCase,
    PlanPractitioner,
    RebalancePlan,
    SolverReport,
    plan_to_dict,
    with_moves,
)
from planner.rebalance.problem import (
    ProblemCase,
    RebalanceInput,
    RebalanceProblem,
    build_problem,
    case_exclusion,
    receiver_exclusion,
)
from planner.rebalance.solver import DEFAULT_MIP_GAP, DEFAULT_TIME_LIMIT, plan_rebalance, solve_problem

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
