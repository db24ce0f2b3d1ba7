"""The handover life cycle (docs/handovers.md) as pure functions on `Handover`.

    planned --tick--> in_progress --complete--> completed_warm | completed_cold
    planned | in_progress --cancel--> cancelled
    planned | in_progress --replan--> the same, with a new date or receiver

Completion (docs/handovers.md):

- Completing on a date C needs `told`, `summary`, `read` and `three_way`
  done whatever their due date (`ALWAYS_REQUIRED`), plus every other
  required item due on or before C (`due_by(handover, C)`). Completing on D
  therefore needs those four, the group items and `booked`, but not
  `first_contact` (due D + 5 working days) nor `review` (D + 28).
- C is not after the as-of date: a handover is completed on the day it
  happens, or recorded later, never ahead.
- With any of the needed items open, completing needs a team lead's
  override reason (the caller checks who); it is recorded, and the handover
  is `completed_cold`. Without an override it is refused. So completing
  early without a summary, or without the three-way meeting, is refused or
  cold: never warm.
- Items due after C (`first_contact`, `booked` when completed before D,
  `reachable`, `review`) are *follow-up* items: they stay open after
  completion and can still be ticked, unticked, noted, and ticked from the
  records on the completed handover. The four `ALWAYS_REQUIRED` items are
  never follow-ups: whether a handover was warm is settled when it is
  completed. Follow-ups do not change the status. The summary text stays
  editable until `review` is done (`summary_editable`).

Planning (`planning_refusals`) refuses a date before as-of, a receiver who
has left by D or is absent on D, and (unless a team lead overrides with a
reason) a receiver the person's `not_with` list names or who may not hold
the case by grade. A planned handover can be re-planned (`redated`): the
items not yet done get the due dates of the new D, what is done stays.

Every function returns a new `Handover` (or plain facts); storage writes it
and audits the change.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import date, timedelta
from typing import TYPE_CHECKING

from planner.errors import CaseloadError
from planner.model import Case, ChecklistItem, Handover, Practitioner, World

if TYPE_CHECKING:
    from planner.calendar import WorkingDays
    from planner.policy import Policy
    from planner.risk import CaseRisk

#: How long after completion follow-up items still tick themselves from the records.
FOLLOW_UP_DAYS = 84

EVENTS = ("tick", "complete", "cancel")
#: Items that completing always needs, whatever their due date (docs/handovers.md).
ALWAYS_REQUIRED = ("told", "summary", "read", "three_way")


def open_required_ids(handover: Handover, on: date | None = None) -> tuple[str, ...]:
    """Required items not done (only those due on or before `on`, when given)."""
    return tuple(
        item.item_id for item in handover.items
        if item.required and not item.done and (on is None or item.due <= on)
    )


def due_by(handover: Handover, on: date) -> tuple[str, ...]:
    """The required items still open that completing on `on` needs: those due
    on or before `on`, and the `ALWAYS_REQUIRED` ones whenever they are due."""
    return tuple(
        item.item_id for item in handover.items
        if not item.done and (item.item_id in ALWAYS_REQUIRED or (item.required and item.due <= on))
    )


def can_complete(handover: Handover, on: date | None = None) -> tuple[bool, tuple[str, ...]]:
    """(True, ()) when every item that completing on `on` needs is done
    (`due_by`; every required item when `on` is None); else (False, the open ids)."""
    open_ids = open_required_ids(handover) if on is None else due_by(handover, on)
    return (not open_ids, open_ids)


def is_follow_up(handover: Handover, item: ChecklistItem) -> bool:
    """An item of a completed handover that can still be ticked: due after the
    completion date, and not one of `ALWAYS_REQUIRED` (warmth is settled)."""
    return is_follow_up_of(handover.is_completed, handover.completed_on, item.item_id, item.due)


def is_follow_up_of(completed: bool, completed_on: date | None, item_id: str, due: date) -> bool:
    """`is_follow_up` from plain facts (for readers that hold rows, not a `Handover`)."""
    return completed and completed_on is not None and due > completed_on and item_id not in ALWAYS_REQUIRED


def follow_up_ids(handover: Handover, *, open_only: bool = False,
                  required_only: bool = False) -> tuple[str, ...]:
    """Ids of the completed handover's follow-up items (only those not done,
    with `open_only`; only required ones, with `required_only`)."""
    return tuple(
        item.item_id for item in handover.items
        if is_follow_up(handover, item) and not (open_only and item.done)
        and not (required_only and not item.required)
    )


def is_cold(handover: Handover) -> bool:
    """Cold: completed as `completed_cold` (with items open, by a lead's
    override), or carrying an override reason."""
    return handover.status == "completed_cold" or bool(handover.override_reason)


def summary_editable(handover: Handover) -> bool:
    """The summary text can change while the handover is open, and after
    completion until `review` is done (docs/handovers.md)."""
    if handover.is_open:
        return True
    if not handover.is_completed:
        return False
    review = next((i for i in handover.items if i.item_id == "review"), None)
    return review is not None and not review.done


def progress(handover: Handover) -> tuple[int, int, ChecklistItem | None]:
    """(items done, items in all, the open item due first or None)."""
    done = sum(1 for item in handover.items if item.done)
    open_items = [item for item in handover.items if not item.done]
    next_due = min(open_items, key=lambda item: item.due, default=None)
    return done, len(handover.items), next_due


def next_status(handover: Handover, event: str, *, override_reason: str | None = None,
                on: date | None = None, as_of: date | None = None) -> str:
    """The status `handover` moves to on `event` ("tick", "complete", "cancel").
    For "complete", `on` is the completion date (None: every required item
    counts), refused when after `as_of` (when given).

    Raises CaseloadError for a transition the life cycle refuses."""
    if event == "tick":
        _refuse_closed(handover, "tick an item of")
        return "in_progress"
    if event == "cancel":
        _refuse_closed(handover, "cancel")
        return "cancelled"
    if event == "complete":
        _refuse_closed(handover, "complete")
        if on is not None and as_of is not None and on > as_of:
            raise CaseloadError(
                f"cannot complete the handover on {on.isoformat()}: that is after today "
                f"({as_of.isoformat()}); complete it on the day it happens"
            )
        ok, open_ids = can_complete(handover, on)
        if not ok and not (override_reason and override_reason.strip()):
            titles = {i.item_id: i.title for i in handover.items}
            raise CaseloadError(
                "cannot complete the handover: still to do"
                f"{f' by {on:%d %b %Y}' if on else ''}: "
                + "; ".join(titles.get(i, i) for i in open_ids)
                + ". Do them first, or a team lead gives an override reason (the handover then counts as cold)"
            )
        return "completed_warm" if ok else "completed_cold"
    raise CaseloadError(f"unknown handover event {event!r}; expected one of {', '.join(EVENTS)}")


def tick(handover: Handover, item_id: str, on: date, note: str | None = None, *,
         view: str | None = None, words: str | None = None, summary: str | None = None) -> Handover:
    """Mark `item_id` done on `on`. Ticking a done item keeps its first date
    (and adds the note if given). The first tick moves planned to in_progress.
    On a completed handover only its follow-up items can be ticked (the status
    stays as it is). A first tick of `told` or `review` needs the person's
    `view` and `words`, and of `summary` the `summary` text
    (`planner.checklist.check_tick`)."""
    from planner.checklist import check_tick

    ids = [item.item_id for item in handover.items]
    if handover.is_completed:
        status = handover.status
        check_follow_up(handover, item_id, "tick")
    else:
        status = next_status(handover, "tick")
    if item_id not in ids:
        raise CaseloadError(
            f"unknown checklist item {item_id!r}; valid items: {', '.join(ids) or '(none)'}"
        )
    already = next(i for i in handover.items if i.item_id == item_id).done
    if not already or view is not None or words is not None:
        check_tick(item_id, view=view, words=words, summary=summary)
    items = tuple(
        _ticked(item, on, note) if item.item_id == item_id else item for item in handover.items
    )
    return replace(handover, items=items, status=status)


def apply_auto_ticks(handover: Handover, ticks: dict[str, date]) -> Handover:
    """`handover` with the items its records satisfy (from `checklist.auto_ticks`)
    marked done. On a completed handover only follow-up items are ticked (the
    status stays); cancelled handovers and unknown ids are left as they are."""
    if handover.is_completed:
        follow = set(follow_up_ids(handover, open_only=True)) & ticks.keys()
        if not follow:
            return handover
        return replace(handover, items=tuple(
            _ticked(item, ticks[item.item_id], None) if item.item_id in follow else item
            for item in handover.items
        ))
    if not handover.is_open or not {i.item_id for i in handover.items} & ticks.keys():
        return handover
    items = tuple(
        _ticked(item, ticks[item.item_id], None) if item.item_id in ticks else item
        for item in handover.items
    )
    return replace(handover, items=items, status="in_progress")


def complete(handover: Handover, on: date, override_reason: str | None = None,
             as_of: date | None = None) -> Handover:
    """The handover completed on `on` (not after `as_of`, when given). The
    `ALWAYS_REQUIRED` items and the required items due by `on` must be done;
    an override reason is kept only when some of them were open (it is then
    an override, and the handover is cold). Items due later stay open as
    follow-ups (see the module docstring)."""
    status = next_status(handover, "complete", override_reason=override_reason, on=on, as_of=as_of)
    ok, _ = can_complete(handover, on)
    return replace(
        handover,
        status=status,
        completed_on=on,
        override_reason=None if ok else override_reason.strip(),
    )


def cancel(handover: Handover) -> Handover:
    return replace(handover, status=next_status(handover, "cancel"))


def check_follow_up(handover: Handover, item_id: str, verb: str) -> None:
    item = next((i for i in handover.items if i.item_id == item_id), None)
    if item is None or is_follow_up(handover, item):
        return  # unknown ids are refused by the caller, naming the valid ones
    follow = follow_up_ids(handover)
    raise CaseloadError(
        f"cannot {verb} {item_id} of a completed handover (completed {handover.completed_on or 'earlier'}); "
        + (f"only the items due after completion can still change: {', '.join(follow)}" if follow
           else "no items are left to follow up")
    )


def _refuse_closed(handover: Handover, verb: str) -> None:
    if handover.status == "cancelled":
        raise CaseloadError(f"cannot {verb} a cancelled handover")
    if handover.is_completed:
        raise CaseloadError(
            f"cannot {verb} a completed handover (completed {handover.completed_on or 'earlier'})"
        )
    if handover.status not in ("planned", "in_progress"):
        raise CaseloadError(f"cannot {verb} a handover in status {handover.status!r}")


def _ticked(item: ChecklistItem, on: date, note: str | None) -> ChecklistItem:
    if item.done:
        return replace(item, note=note) if note else item
    return replace(item, done=True, done_on=on, note=note or item.note)


# ---------------------------------------------------------------- planning and re-planning


@dataclass(frozen=True, slots=True)
class PlanRefusal:
    """Why a handover may not be planned as asked. `overridable`: a team lead
    may plan it anyway with a reason (recorded and audited)."""

    reason: str
    overridable: bool = False


def planning_refusals(case: Case, receiver: Practitioner, world: World, as_of: date,
                      planned_on: date) -> list[PlanRefusal]:
    """What docs/handovers.md refuses about planning `case` to `receiver` on
    `planned_on`: a date before `as_of`; a receiver who has left by then or is
    absent that day (`planner.exclusions.away_on`); and, overridable by a
    team lead, the person's `not_with` list or a grade that may not hold the
    case (`planner.exclusions.pair_exclusion`). Empty when nothing is refused."""
    from planner.exclusions import away_on, fmt_day, pair_exclusion

    out: list[PlanRefusal] = []
    if planned_on < as_of:
        out.append(PlanRefusal(f"the handover date {fmt_day(planned_on)} is before today ({fmt_day(as_of)})"))
    away = away_on(receiver, world, planned_on)
    if away:
        out.append(PlanRefusal(away))
    bar = pair_exclusion(case, receiver)
    if bar:
        out.append(PlanRefusal(bar, overridable=True))
    return out


def refusal_line(refusals: Sequence[PlanRefusal], *, can_override: bool) -> str:
    """The one line a refused plan says: every reason, and how a lead may
    override when every reason allows it."""
    text = "cannot plan the handover: " + "; ".join(r.reason for r in refusals)
    if refusals and all(r.overridable for r in refusals):
        text += ("; a team lead may plan it anyway with an override reason" if not can_override
                 else "; give an override reason to plan it anyway")
    return text


def redated(case: Case, planned_on: date, working_days: WorkingDays,
            policy: Policy | None = None) -> dict[str, date]:
    """Item id -> its due date for a handover of `case` on `planned_on` (the
    dates a re-planned handover gives its items not yet done)."""
    from planner.checklist import build_checklist

    return {item.item_id: item.due for item in build_checklist(case, planned_on, working_days, policy)}


# ---------------------------------------------------------------- ticks from the records


def ticks_for(cases: Iterable[Case], world: World, as_of: date,
              policy: Policy | None) -> dict[int, tuple[str, dict[str, date]]]:
    """handover id -> (case ref, {item id: date}) for the items that the
    records satisfy and that are not yet done: of the open handover, and the
    follow-up items of handovers completed in the last FOLLOW_UP_DAYS."""
    from planner.calendar import working_days
    from planner.checklist import auto_ticks

    out: dict[int, tuple[str, dict[str, date]]] = {}
    since = as_of - timedelta(days=FOLLOW_UP_DAYS)
    for case in cases:
        for handover in case.handovers:
            if handover.is_open:
                open_ids = {i.item_id for i in handover.items if not i.done}
            elif handover.is_completed and handover.completed_on and handover.completed_on >= since:
                open_ids = set(follow_up_ids(handover, open_only=True))
            else:
                continue
            if not open_ids or handover.id is None:
                continue
            calendar = working_days(world.nation_of(handover.from_practitioner_id))
            ticks = auto_ticks(case, handover, as_of, calendar, policy)
            new = {k: v for k, v in ticks.items() if k in open_ids}
            if new:
                out[handover.id] = (case.case_ref, new)
    return out


def with_auto_ticks(cases: Sequence[Case], world: World, as_of: date,
                    policy: Policy | None = None) -> list[Case]:
    """The cases with the ticks that data gives applied in memory (nothing is
    written): for read-only paths that evaluate warnings without
    `storage.handovers.sync_auto_ticks`."""
    todo = ticks_for(cases, world, as_of, policy)
    out = []
    for case in cases:
        handovers = tuple(_with_risk_item(case, h, world, policy) for h in case.handovers)
        if not any(h.id in todo for h in handovers) and all(a is b for a, b in zip(handovers, case.handovers)):
            out.append(case)
            continue
        out.append(replace(case, handovers=tuple(
            apply_auto_ticks(h, todo[h.id][1]) if h.id in todo else h for h in handovers)))
    return out


def _with_risk_item(case: Case, handover: Handover, world: World, policy: Policy | None) -> Handover:
    """`handover` with the `risk_plan_shared` item it lacks when the case
    became high risk after planning (`checklist.missing_risk_item`, which
    storage.handovers.risk_item stores), in due order."""
    if not handover.is_open or not case.high_risk:
        return handover
    from planner.calendar import working_days
    from planner.checklist import missing_risk_item

    item = missing_risk_item(case, handover, working_days(world.nation_of(handover.from_practitioner_id)), policy)
    if item is None:
        return handover
    return replace(handover, items=tuple(sorted((*handover.items, item), key=lambda i: i.due)))


def evaluate_as_read(cases: Sequence[Case], world: World, as_of: date,
                     policy: Policy | None = None) -> list[CaseRisk]:
    """The warnings of a read-only path (`caseload warnings`, the app's
    caseload), highest risk first: the ticks that the records already give
    count as done (`with_auto_ticks`, in memory; the handover commands and
    the app store them), then `planner.risk.evaluate`. The one set-up both use,
    on the cases of `storage.queries.load_cases_for_warnings(..., policy=policy)`."""
    from planner.policy import DEFAULT_POLICY
    from planner.risk import evaluate

    policy = policy or DEFAULT_POLICY
    return evaluate(with_auto_ticks(cases, world, as_of, policy), world, as_of, policy)
