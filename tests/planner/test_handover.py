"""The handover life cycle: every transition the SPEC allows, and each one it refuses."""

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
    progress,
    tick,
)
from planner.model import ChecklistItem, Handover

D = date(2026, 12, 9)
REQUIRED = ("told", "summary", "read", "three_way", "booked", "first_contact")


def checklist() -> tuple[ChecklistItem, ...]:
    offsets = {"told": -14, "summary": -7, "read": -3, "three_way": 0, "booked": 0,
               "reachable": 14, "first_contact": 7, "review": 28}
    return tuple(
        ChecklistItem(item_id, item_id.title(), item_id in REQUIRED, D + timedelta(days=offset))
        for item_id, offset in offsets.items()
    )


def planned() -> Handover:
    return Handover("P1", "P2", D, items=checklist())


def tick_all(handover: Handover, ids, on: date = D) -> Handover:
    for item_id in ids:
        handover = tick(handover, item_id, on)
    return handover


# --- ticking ------------------------------------------------------------------


def test_first_tick_moves_planned_to_in_progress_and_records_date_and_note():
    handover = tick(planned(), "told", D - timedelta(days=20), note="agreed by phone")
    assert handover.status == "in_progress"
    told = next(i for i in handover.items if i.item_id == "told")
    assert (told.done, told.done_on, told.note) == (True, D - timedelta(days=20), "agreed by phone")
    assert tick(handover, "summary", D).status == "in_progress"


def test_ticking_a_done_item_keeps_its_first_date():
    handover = tick(tick(planned(), "told", D - timedelta(days=20)), "told", D)
    assert next(i for i in handover.items if i.item_id == "told").done_on == D - timedelta(days=20)


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
    assert not ok and open_ids == ("three_way", "booked", "first_contact")
    assert can_complete(handover, D) == (False, ("three_way", "booked"))
    for reason in (None, "", "   "):
        with pytest.raises(CaseloadError, match=r"due by 09 Dec 2026\): three_way, booked;"):
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
    # first_contact (due D+7) and the optional items stay open as follow-ups
    assert follow_up_ids(done, open_only=True) == ("reachable", "first_contact", "review")


def test_follow_up_items_can_be_ticked_after_completion_and_the_status_stays():
    done = complete(tick_all(planned(), DUE_BY_D), D)
    later = tick(done, "first_contact", D + timedelta(days=3), note="met at the office")
    assert later.status == "completed_warm" and later.completed_on == D
    item = next(i for i in later.items if i.item_id == "first_contact")
    assert (item.done, item.done_on) == (True, D + timedelta(days=3))
    ticked = apply_auto_ticks(done, {"first_contact": D + timedelta(days=2), "three_way": D})
    assert ticked.status == "completed_warm"
    assert {i.item_id for i in ticked.items if i.done} == set(DUE_BY_D) | {"first_contact"}


@pytest.mark.parametrize("item_id", ["told", "three_way", "summary"])
def test_items_due_by_completion_are_settled_and_warm_items_never_follow_up(item_id):
    cold = complete(tick_all(planned(), ("summary", "read", "booked")), D, override_reason="moved away")
    with pytest.raises(CaseloadError, match=f"cannot tick {item_id} of a completed handover.*first_contact"):
        tick(cold, item_id, D + timedelta(days=1))
    assert apply_auto_ticks(cold, {"three_way": D}) is cold


def test_completing_early_needs_the_three_way_meeting_or_an_override_but_not_items_not_yet_due():
    early = D - timedelta(days=5)
    handover = tick_all(planned(), ("told", "summary"))
    # read (D-3) and booked (D) are not due yet; three_way always counts
    assert due_by(handover, early) == ("three_way",)
    with pytest.raises(CaseloadError, match=r"\): three_way;"):
        complete(handover, early)
    done = complete(handover, early, override_reason="court moved the case")
    assert done.status == "completed_cold" and done.override_reason == "court moved the case"
    # three_way stays unticked for good: warmth is settled at completion; booked follows up
    assert "three_way" not in follow_up_ids(done) and "booked" in follow_up_ids(done)
    with pytest.raises(CaseloadError, match="read, three_way, booked"):
        complete(handover, D)
    warm_early = complete(tick(handover, "three_way", early), early)
    assert warm_early.status == "completed_warm" and warm_early.override_reason is None


def test_an_override_reason_that_is_not_needed_is_not_an_override():
    done = complete(tick_all(planned(), REQUIRED), D, override_reason="just in case")
    assert done.status == "completed_warm" and done.override_reason is None


def test_completing_without_told_or_three_way_is_cold_even_when_they_are_missing_from_the_list():
    # An old handover whose list lacks `three_way` has no required item open, yet is cold.
    items = tuple(i for i in checklist() if i.item_id != "three_way")
    handover = tick_all(Handover("P1", "P2", D, items=items), [r for r in REQUIRED if r != "three_way"])
    assert can_complete(handover) == (True, ())
    assert is_cold(handover)
    assert complete(handover, D).status == "completed_cold"


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
