"""The handover life cycle: every transition docs/handovers.md allows, and each one it
refuses; what a tick needs; completing (docs/handovers.md, revised); planning guards."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

import pytest

from planner.errors import CaseloadError
from planner.handover import (
    apply_auto_ticks,
    can_complete,
    cancel,
    complete,
    due_by,
    follow_up_ids,
    is_cold,
    next_status,
    planning_refusals,
    progress,
    redated,
    refusal_line,
    summary_editable,
    tick,
)
from planner.model import Absence, Allocation, Case, ChecklistItem, Handover, Practitioner, Team, World

D = date(2026, 12, 9)
REQUIRED = ("told", "summary", "read", "three_way", "booked", "first_contact", "review")
VIEW = {"view": "agrees", "words": "Fine by me if Sam comes to the first meeting"}
SUMMARY = "Phones in the morning; working towards a college place; not the family history again."


def checklist() -> tuple[ChecklistItem, ...]:
    offsets = {"told": -14, "summary": -7, "read": -3, "three_way": 0, "booked": 0,
               "reachable": 14, "first_contact": 7, "review": 28}
    return tuple(
        ChecklistItem(item_id, item_id.title(), item_id in REQUIRED, D + timedelta(days=offset))
        for item_id, offset in offsets.items()
    )


def planned() -> Handover:
    return Handover("P1", "P2", D, items=checklist())


def needs(item_id: str) -> dict:
    """What ticking `item_id` needs: the person's view, or the summary text."""
    if item_id in ("told", "review"):
        return VIEW
    return {"summary": SUMMARY} if item_id == "summary" else {}


def tick_all(handover: Handover, ids, on: date = D) -> Handover:
    for item_id in ids:
        handover = tick(handover, item_id, on, **needs(item_id))
    return handover


# --- ticking ------------------------------------------------------------------


def test_first_tick_moves_planned_to_in_progress_and_records_date_and_note():
    handover = tick(planned(), "told", D - timedelta(days=20), note="agreed by phone", **VIEW)
    assert handover.status == "in_progress"
    told = next(i for i in handover.items if i.item_id == "told")
    assert (told.done, told.done_on, told.note) == (True, D - timedelta(days=20), "agreed by phone")
    assert tick(handover, "summary", D, summary=SUMMARY).status == "in_progress"


def test_ticking_a_done_item_keeps_its_first_date():
    handover = tick(tick(planned(), "told", D - timedelta(days=20), **VIEW), "told", D)
    assert next(i for i in handover.items if i.item_id == "told").done_on == D - timedelta(days=20)


@pytest.mark.parametrize("item_id", ["told", "review"])
def test_told_and_review_cannot_be_ticked_without_the_persons_view(item_id):
    with pytest.raises(CaseloadError, match="records the person's view"):
        tick(planned(), item_id, D)
    with pytest.raises(CaseloadError, match="own words"):
        tick(planned(), item_id, D, view="concerns", words="")
    done = tick(planned(), item_id, D, view="asks_for_other", words="I want a woman worker")
    assert next(i for i in done.items if i.item_id == item_id).done


def test_summary_cannot_be_ticked_while_the_summary_is_empty():
    with pytest.raises(CaseloadError, match="summary is empty"):
        tick(planned(), "summary", D, summary="   ")
    assert next(i for i in tick(planned(), "summary", D, summary=SUMMARY).items if i.item_id == "summary").done


def test_ticking_an_unknown_item_is_refused_naming_the_valid_ids():
    with pytest.raises(CaseloadError) as err:
        tick(planned(), "tea_made", D)
    message = str(err.value)
    assert "tea_made" in message
    for item_id in ("told", "summary", "three_way", "review"):
        assert item_id in message


@pytest.mark.parametrize("status", ["completed_warm", "completed_cold", "cancelled"])
def test_ticking_a_closed_handover_is_refused(status):
    with pytest.raises(CaseloadError, match="cannot tick"):
        tick(replace(planned(), status=status), "told", D)


def test_auto_ticks_mark_items_and_start_the_handover():
    handover = apply_auto_ticks(planned(), {"three_way": D - timedelta(days=1), "nonsense": D})
    assert handover.status == "in_progress"
    item = next(i for i in handover.items if i.item_id == "three_way")
    assert item.done and item.done_on == D - timedelta(days=1)
    assert apply_auto_ticks(planned(), {}) == planned()
    closed = replace(planned(), status="cancelled")
    assert apply_auto_ticks(closed, {"three_way": D}) is closed


# --- completing ----------------------------------------------------------------


def test_completing_with_every_required_item_done_is_warm():
    handover = tick_all(planned(), REQUIRED)
    assert can_complete(handover) == (True, ())
    assert not is_cold(handover)
    done = complete(handover, D + timedelta(days=8))
    assert (done.status, done.completed_on, done.override_reason) == (
        "completed_warm", D + timedelta(days=8), None
    )
    assert not is_cold(done)


def test_completing_with_required_items_open_without_override_is_refused_naming_them():
    # Only the items due by the completion date are needed: first_contact (D+7) is not.
    handover = tick_all(planned(), ("told", "summary", "read"))
    ok, open_ids = can_complete(handover)
    assert not ok and open_ids == ("three_way", "booked", "first_contact", "review")
    assert can_complete(handover, D) == (False, ("three_way", "booked"))
    for reason in (None, "", "   "):
        # titles, not ids
        with pytest.raises(CaseloadError, match=r"still to do by 09 Dec 2026: Three_Way; Booked\. .*team lead"):
            complete(handover, D, override_reason=reason)


def test_completing_with_an_override_is_cold_and_keeps_the_reason():
    handover = tick_all(planned(), ("told", "summary", "read", "booked"))
    done = complete(handover, D, override_reason=" person moved out of area ")
    assert done.status == "completed_cold"
    assert done.override_reason == "person moved out of area"
    assert is_cold(done)


# --- completion around the handover date ---------------------------------------------

DUE_BY_D = ("told", "summary", "read", "three_way", "booked")


def test_completing_on_the_date_with_every_item_due_by_then_done_is_warm_without_override():
    handover = tick_all(planned(), DUE_BY_D)
    assert due_by(handover, D) == ()
    done = complete(handover, D)
    assert (done.status, done.override_reason) == ("completed_warm", None)
    assert not is_cold(done)
    # first_contact (due D+7), the review and the optional item stay open as follow-ups
    assert follow_up_ids(done, open_only=True) == ("reachable", "first_contact", "review")
    assert follow_up_ids(done, open_only=True, required_only=True) == ("first_contact", "review")


def test_follow_up_items_can_be_ticked_after_completion_and_the_status_stays():
    done = complete(tick_all(planned(), DUE_BY_D), D)
    later = tick(done, "first_contact", D + timedelta(days=3), note="met at the office")
    assert later.status == "completed_warm" and later.completed_on == D
    item = next(i for i in later.items if i.item_id == "first_contact")
    assert (item.done, item.done_on) == (True, D + timedelta(days=3))
    ticked = apply_auto_ticks(done, {"first_contact": D + timedelta(days=2), "three_way": D})
    assert ticked.status == "completed_warm"
    assert {i.item_id for i in ticked.items if i.done} == set(DUE_BY_D) | {"first_contact"}


@pytest.mark.parametrize("item_id", ["told", "three_way", "summary", "read"])
def test_items_due_by_completion_are_settled_and_the_four_never_follow_up(item_id):
    cold = complete(tick_all(planned(), ("booked",)), D, override_reason="moved away")
    with pytest.raises(CaseloadError, match=f"cannot tick {item_id} of a completed handover.*first_contact"):
        tick(cold, item_id, D + timedelta(days=1), **needs(item_id))
    assert apply_auto_ticks(cold, {"three_way": D}) is cold


def test_completing_early_needs_told_summary_read_and_three_way_but_not_items_not_yet_due():
    early = D - timedelta(days=5)
    handover = tick_all(planned(), ("told",))
    # booked (D) is not due yet; summary, read and three_way always count
    assert due_by(handover, early) == ("summary", "read", "three_way")
    with pytest.raises(CaseloadError, match=r"by 04 Dec 2026: Summary; Read; Three_Way\."):
        complete(handover, early)
    done = complete(handover, early, override_reason="court moved the case")
    assert done.status == "completed_cold" and done.override_reason == "court moved the case"
    # three_way stays unticked for good: warmth is settled at completion; booked follows up
    assert "three_way" not in follow_up_ids(done) and "booked" in follow_up_ids(done)
    warm_early = complete(tick_all(handover, ("summary", "read", "three_way"), early), early)
    assert warm_early.status == "completed_warm" and warm_early.override_reason is None


def test_completing_early_without_a_summary_is_refused_or_cold_with_an_override():
    early = D - timedelta(days=5)
    handover = tick_all(planned(), ("told", "read", "three_way"), early)
    assert due_by(handover, early) == ("summary",)
    with pytest.raises(CaseloadError, match="Summary"):
        complete(handover, early)
    done = complete(handover, early, override_reason="moved to another area at short notice")
    assert done.status == "completed_cold" and is_cold(done)


def test_the_completion_date_is_not_after_today():
    handover = tick_all(planned(), DUE_BY_D)
    with pytest.raises(CaseloadError, match="after today"):
        complete(handover, D + timedelta(days=1), as_of=D)
    assert complete(handover, D, as_of=D).status == "completed_warm"
    assert complete(handover, D, as_of=D + timedelta(days=3)).completed_on == D  # recorded later


def test_the_summary_stays_editable_until_the_review_is_done():
    done = complete(tick_all(planned(), DUE_BY_D), D)
    assert summary_editable(planned()) and summary_editable(done)
    reviewed = tick(done, "review", D + timedelta(days=28), **VIEW)
    assert not summary_editable(reviewed)
    assert not summary_editable(cancel(planned()))


def test_an_override_reason_that_is_not_needed_is_not_an_override():
    done = complete(tick_all(planned(), REQUIRED), D, override_reason="just in case")
    assert done.status == "completed_warm" and done.override_reason is None


def test_an_old_checklist_without_three_way_completes_on_what_it_has():
    # A list that lacks an item cannot be held to it: the items it has decide.
    items = tuple(i for i in checklist() if i.item_id != "three_way")
    handover = tick_all(Handover("P1", "P2", D, items=items), [r for r in REQUIRED if r != "three_way"])
    assert can_complete(handover) == (True, ())
    assert complete(handover, D).status == "completed_warm"


@pytest.mark.parametrize("status", ["completed_warm", "completed_cold"])
def test_completing_twice_is_refused(status):
    with pytest.raises(CaseloadError, match="cannot complete a completed handover"):
        complete(replace(tick_all(planned(), REQUIRED), status=status), D)


def test_completing_a_cancelled_handover_is_refused():
    with pytest.raises(CaseloadError, match="cannot complete a cancelled handover"):
        complete(cancel(tick_all(planned(), REQUIRED)), D)


# --- cancelling -----------------------------------------------------------------


@pytest.mark.parametrize("start", ["planned", "in_progress"])
def test_open_handovers_can_be_cancelled(start):
    assert cancel(replace(planned(), status=start)).status == "cancelled"


@pytest.mark.parametrize("status", ["completed_warm", "completed_cold", "cancelled"])
def test_cancelling_a_closed_handover_is_refused(status):
    with pytest.raises(CaseloadError, match="cannot cancel"):
        cancel(replace(planned(), status=status))


# --- the table of transitions ------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "event", "expected"),
    [
        ("planned", "tick", "in_progress"),
        ("in_progress", "tick", "in_progress"),
        ("planned", "cancel", "cancelled"),
        ("in_progress", "cancel", "cancelled"),
        ("in_progress", "complete", "completed_cold"),  # with override
    ],
)
def test_next_status(status, event, expected):
    handover = replace(planned(), status=status)
    assert next_status(handover, event, override_reason="left the service") == expected


def test_next_status_refuses_an_unknown_event():
    with pytest.raises(CaseloadError, match="unknown handover event 'reopen'"):
        next_status(planned(), "reopen")


def test_a_status_outside_the_life_cycle_is_refused():
    with pytest.raises(CaseloadError, match="status 'paused'"):
        next_status(replace(planned(), status="paused"), "tick")


# --- progress ------------------------------------------------------------------------


def test_progress_counts_done_items_and_names_the_next_due():
    done, total, next_due = progress(planned())
    assert (done, total, next_due.item_id) == (0, 8, "told")
    done, total, next_due = progress(tick_all(planned(), ("told", "summary")))
    assert (done, total, next_due.item_id) == (2, 8, "read")
    assert progress(tick_all(planned(), [i.item_id for i in checklist()]))[2] is None


# --- planning guards (docs/handovers.md) -----------------------------------------------------

AS_OF = date(2026, 11, 27)


def guard_world(**receiver) -> tuple[Case, World]:
    people = {
        "P1": Practitioner("P1", "Made-up Outgoing", "T1"),
        "P2": Practitioner("P2", "Made-up Incoming", "T1", **receiver),
    }
    absences = {"P2": (Absence("P2", date(2026, 12, 14), date(2026, 12, 18)),)}
    case = Case("C1", "Made-up Person", tier="B2", allocations=(Allocation("P1", date(2026, 1, 5)),))
    return case, World(people, {"T1": Team("T1", "North")}, absences)


def test_planning_refuses_a_date_before_as_of():
    case, world = guard_world()
    (refusal,) = planning_refusals(case, world.practitioners["P2"], world, AS_OF, AS_OF - timedelta(days=1))
    assert refusal.reason == "the handover date 26 Nov 2026 is before today (27 Nov 2026)"
    assert not refusal.overridable
    assert planning_refusals(case, world.practitioners["P2"], world, AS_OF, AS_OF) == []


def test_planning_refuses_a_receiver_who_has_left_by_d_or_is_absent_on_d():
    case, world = guard_world(leaving_on=date(2026, 12, 11))
    p2 = world.practitioners["P2"]
    (left,) = planning_refusals(case, p2, world, AS_OF, date(2026, 12, 11))
    assert left.reason == "P2 leaves on 11 Dec 2026, by 11 Dec 2026" and not left.overridable
    assert planning_refusals(case, p2, world, AS_OF, date(2026, 12, 10)) == []
    case, world = guard_world()
    (away,) = planning_refusals(case, world.practitioners["P2"], world, AS_OF, date(2026, 12, 16))
    assert away.reason.startswith("P2 is away on 16 Dec 2026 (leave 14 Dec 2026 to 18 Dec 2026)")


def test_planning_refuses_a_receiver_off_sick_with_no_end_date_on_any_day_after_it_starts():
    case, world = guard_world()
    open_ended = Absence("P2", date(2026, 12, 3), None, kind="sickness")
    world = replace(world, absences={"P2": (open_ended,)})
    p2 = world.practitioners["P2"]
    assert planning_refusals(case, p2, world, AS_OF, date(2026, 12, 2)) == []
    for day in (date(2026, 12, 3), date(2027, 6, 30)):
        (away,) = planning_refusals(case, p2, world, AS_OF, day)
        assert away.reason == (f"P2 is away on {day.day} {day:%b %Y} "
                               "(sickness from 3 Dec 2026 with no end date)") and not away.overridable


def test_a_pso_for_a_tier_a_or_b_case_is_refused_but_a_lead_may_override():
    case, world = guard_world(grade="PSO")
    (bar,) = planning_refusals(case, world.practitioners["P2"], world, AS_OF, date(2026, 12, 11))
    assert bar.reason == "P2 is a PSO and the case is tier B2" and bar.overridable
    assert refusal_line([bar], can_override=False).endswith(
        "a team lead may plan it anyway with an override reason")
    assert planning_refusals(replace(case, tier="C1"), world.practitioners["P2"], world, AS_OF,
                             date(2026, 12, 11)) == []


def test_the_refusal_is_one_line_naming_every_reason():
    case, world = guard_world(grade="PSO")
    refusals = planning_refusals(case, world.practitioners["P2"], world, AS_OF, date(2026, 12, 15))
    line = refusal_line(refusals, can_override=True)
    assert "\n" not in line and "away on 15 Dec 2026" in line and "PSO" in line
    assert "override" not in line  # an absence cannot be overridden


def test_a_replanned_handover_gets_the_due_dates_of_its_new_date():
    from planner.calendar import working_days

    case, _ = guard_world()
    dues = redated(case, date(2026, 12, 21), working_days())
    assert dues["told"] == date(2026, 12, 7) and dues["three_way"] == date(2026, 12, 21)
    assert dues["review"] == date(2027, 1, 18)
