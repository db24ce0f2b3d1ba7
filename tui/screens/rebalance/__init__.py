"""The team lead's rebalance: least-disruption moves (docs/rebalancing.md), accepted or
dropped one by one, applied as planned warm handovers.

Flow: `r` on the team screen opens `RebalanceOptions` (target %, maximum
moves; defaults from the policy), then this screen solves in a thread worker
(HiGHS, "solving…" meanwhile) and shows the proposed moves with points, cost
and reason, and every practitioner's capacity before and after. The after
column is recomputed with `planner.rebalance.with_moves` as moves are
accepted or dropped (space toggles, `a` all, `n` none). Each move shows the
date its handover would get: staggered from as-of + 28 days, at most 2 a
working day for each giving practitioner, riskiest first (docs/handovers.md).
`enter`/`A` asks for confirmation (`ApplyConfirm`: how many handovers, from
when to when; the lead may start them on another day) and then plans one
warm handover with its checklist per accepted move, audited, in one
transaction (`storage.team.apply_plan`); a case that changed meanwhile
(ConflictError) gives a notice and nothing is applied.

The package holds one screen or modal per module, opened by name
(tui/screens/registry.py): `screen` is the moves and capacity screen,
`options_form` the target and maximum moves, `apply_form` the
confirmation with the first handover date.
"""
