"""Who may not take which case, and which cases stay where they are.

One home for the exclusions of planning a handover (docs/handovers.md), of docs/rebalancing.md
(rebalancing and departures), §10 (`not_with`) and §11 (`sentence_end`,
`restricted`), so that planning one handover, a departure's suggestions and
a rebalance refuse the same pairs for the same reasons, in the same words:

- `case_exclusion`: a case that a rebalance or a departure's suggestion
  leaves where it is (`do_not_move`; an order ending in the next 84 days; a
  restricted case);
- `receiver_exclusion`: someone who receives nothing from a rebalance or a
  departure (a team lead; away 10+ working days in the next 28 days;
  leaving, or starting an absence of 28+ days, in the next 56 days);
- `pair_exclusion`: a case that one practitioner may not hold (a PSO and a
  tier A or B case; the person's `not_with` list). When planning one
  handover by hand a team lead may override these two with a reason;
- `away_on`: a receiver who has left by a date or is absent on it (a
  handover on that date is refused, whoever plans it).

`sentence_end` and `restricted` are fields of the case (schema 0010, §11).
`not_with` is a field the person's-voice work adds (docs/rebalancing.md,
exclusions); until a `Case` carries it, `not_with_reason` reads it with
`getattr` and finds nothing.

Every reason is one short clause with ids and dates only (no names), fit for
a command's one-line refusal, the JSON of a rebalance and an audit event.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta

from planner.calendar import working_days
from planner.model import Case, Practitioner, World
from planner.policy import DEFAULT_POLICY, Policy
from planner.rules import merged_absences
from planner.words import fmt_date

PSO_BARRED_TIER_BANDS = ("A", "B")

__all__ = [
    "PSO_BARRED_TIER_BANDS",
    "Exclusions",
    "absent_working_days",
    "away_on",
    "case_exclusion",
    "exclusions_of",
    "fmt_day",
    "grade_bar",
    "not_with_reason",
    "pair_exclusion",
    "receiver_exclusion",
]

#: `3 Dec 2026`: the one date wording (planner/words.py).
fmt_day = fmt_date


# ---------------------------------------------------------------- the case


def case_exclusion(case: Case, as_of: date, policy: Policy = DEFAULT_POLICY) -> str | None:
    """Why a case stays where it is in a rebalance (docs/rebalancing.md), or None."""
    if "do_not_move" in case.flags:
        return "flagged do_not_move"
    ends = case.sentence_end
    within = policy.exclusions.sentence_end_within_days
    if ends is not None and as_of <= ends <= as_of + timedelta(days=within):
        return f"the order ends on {fmt_day(ends)}, within {within} days: plan a good ending instead"
    if case.restricted:
        return "a restricted case"
    return None


# ---------------------------------------------------------------- the receiver


def absent_working_days(practitioner_id: str, world: World, first: date, last: date) -> int:
    """Working days from first to last (both counted) the practitioner is away."""
    calendar = working_days(world.nation_of(practitioner_id))
    total = 0
    for start, end in merged_absences(world.absences_of(practitioner_id)):
        lo, hi = max(start, first), min(end, last)
        if lo <= hi:
            total += calendar.count_in(lo, hi)
    return total


def receiver_exclusion(
    practitioner: Practitioner, world: World, as_of: date, policy: Policy = DEFAULT_POLICY
) -> str | None:
    """Why a practitioner receives no case from a rebalance or a departure
    (docs/rebalancing.md), or None: a team lead; leaving within `leaving_within_days`
    (or already gone); away `absence_working_days`+ working days in the next
    `absence_window_days`; or, like leaving, starting a long absence (28+
    days or no end date: a departure, `planner.departures.departure_events`)
    within `leaving_within_days`. That last one is ours (README, "Choices"):
    a twelve weeks' leave starting in 24 days is only 4 working days of the
    next 28, yet whatever they received would have to be handed over again
    at once, and `handover_unplanned` would say so."""
    pid = practitioner.practitioner_id
    if practitioner.is_lead:
        return f"{pid} is a team lead"
    ex = policy.exclusions
    if practitioner.leaving_on is not None and practitioner.leaving_on <= as_of + timedelta(
        days=ex.leaving_within_days
    ):
        verb = "left" if practitioner.leaving_on <= as_of else "leaves"
        return f"{pid} {verb} on {fmt_day(practitioner.leaving_on)}"
    away = absent_working_days(pid, world, as_of, as_of + timedelta(days=ex.absence_window_days))
    if away >= ex.absence_working_days:
        return f"{pid} is away {away} working days in the next {ex.absence_window_days} days"
    from planner.departures import departure_events

    horizon = as_of + timedelta(days=ex.leaving_within_days)
    for event in departure_events(pid, world, as_of, policy):
        if event.kind == "absence" and event.starts_on <= horizon:
            until = f"to {fmt_day(event.ends_on)}" if event.ends_on else "with no end date"
            return f"{pid} is away from {fmt_day(event.starts_on)} {until}, a long absence"
    return None


def away_on(practitioner: Practitioner, world: World, day: date) -> str | None:
    """Why the practitioner cannot take a case on `day`: they have left by
    then (`leaving_on` on or before it), or an absence covers it."""
    pid = practitioner.practitioner_id
    if practitioner.leaving_on is not None and practitioner.leaving_on <= day:
        return f"{pid} leaves on {fmt_day(practitioner.leaving_on)}, by {fmt_day(day)}"
    for absence in world.absences_of(pid):
        if absence.covers(day):
            when = (f"from {fmt_day(absence.start_date)} with no end date" if absence.open_ended
                    else f"{fmt_day(absence.start_date)} to {fmt_day(absence.end_date)}")
            return f"{pid} is away on {fmt_day(day)} ({absence.kind} {when})"
    return None


# ---------------------------------------------------------------- the pair


def grade_bar(case: Case, practitioner: Practitioner) -> str | None:
    """A PSO may not hold a tier A or B case (by policy)."""
    if practitioner.grade == "PSO" and case.tier and case.tier[0].upper() in PSO_BARRED_TIER_BANDS:
        return f"{practitioner.practitioner_id} is a PSO and the case is tier {case.tier.upper()}"
    return None


def not_with_reason(case: Case, practitioner_id: str) -> str | None:
    """Why the person's `not_with` list (docs/rebalancing.md, exclusions) bars this practitioner, or
    None. The list may hold practitioner ids, (id, reason code) pairs, a
    mapping of id to reason code, or records with `practitioner_id` and
    `reason`."""
    entries = getattr(case, "not_with", None)
    if not entries:
        return None
    found: tuple[bool, str | None] = (False, None)
    if isinstance(entries, Mapping):
        if practitioner_id in entries:
            found = (True, entries[practitioner_id])
    else:
        for entry in entries:
            if isinstance(entry, str):
                pid, code = entry, None
            elif isinstance(entry, tuple):
                pid, code = entry[0], (entry[1] if len(entry) > 1 else None)
            else:
                pid, code = getattr(entry, "practitioner_id", None), getattr(entry, "reason", None)
            if pid == practitioner_id:
                found = (True, code)
                break
    if not found[0]:
        return None
    code = found[1]
    return f"the person's not_with list names {practitioner_id}" + (f" ({code})" if code else "")


def pair_exclusion(case: Case, practitioner: Practitioner) -> str | None:
    """Why this practitioner may not hold this case (a lead may override
    either when planning one handover by hand), or None."""
    return not_with_reason(case, practitioner.practitioner_id) or grade_bar(case, practitioner)


# ---------------------------------------------------------------- all of them, for a report


@dataclass(frozen=True, slots=True)
class Exclusions:
    """Every exclusion of a team's cases and people, with its reason."""

    cases: dict[str, str]  # case_ref -> why it stays
    receivers: dict[str, str]  # practitioner_id -> why they receive nothing
    pairs: dict[tuple[str, str], str]  # (case_ref, practitioner_id) -> why not that pair

    def to_dict(self) -> dict[str, list[dict[str, str]]]:
        return {
            "cases": [{"case_ref": ref, "reason": why} for ref, why in sorted(self.cases.items())],
            "receivers": [{"practitioner_id": pid, "reason": why}
                          for pid, why in sorted(self.receivers.items())],
            "pairs": [{"case_ref": ref, "practitioner_id": pid, "reason": why}
                      for (ref, pid), why in sorted(self.pairs.items())],
        }


def exclusions_of(
    cases: Iterable[Case],
    members: Iterable[Practitioner],
    world: World,
    as_of: date,
    policy: Policy = DEFAULT_POLICY,
) -> Exclusions:
    """The excluded cases, receivers and pairs of a team (docs/rebalancing.md): the pairs
    are listed only for cases that may move and receivers who may receive."""
    members = list(members)
    receivers = {p.practitioner_id: why for p in members
                 if (why := receiver_exclusion(p, world, as_of, policy)) is not None}
    open_to = [p for p in members if p.practitioner_id not in receivers]
    out_cases: dict[str, str] = {}
    pairs: dict[tuple[str, str], str] = {}
    for case in cases:
        if case.status == "closed":
            continue
        why = case_exclusion(case, as_of, policy)
        if why is not None:
            out_cases[case.case_ref] = why
            continue
        for p in open_to:
            if p.practitioner_id == case.practitioner_id:
                continue
            bar = pair_exclusion(case, p)
            if bar is not None:
                pairs[(case.case_ref, p.practitioner_id)] = bar
    return Exclusions(out_cases, receivers, pairs)
