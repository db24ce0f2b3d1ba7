"""planner.model.fast_constructor builds objects equal (and alike in every
way the rules use) to those the class itself builds, and refuses classes it
cannot build safely."""

from __future__ import annotations

import dataclasses
from datetime import date, time

import pytest

from planner.model import (
    Absence,
    Allocation,
    Appointment,
    Case,
    ChecklistItem,
    Contact,
    Handover,
    fast_constructor,
)

D = date(2026, 11, 27)
ITEM = ChecklistItem("told", "Tell them", True, D, done=True, done_on=D, note="n", owner="outgoing")
EXAMPLES = [
    Contact(D, "P1", "three_way", "missed", 7),
    Allocation("P1", D, None, "new"),
    Appointment(D, "P2", time(9, 30), "home_visit", "FREQ=WEEKLY;COUNT=3", 4),
    Absence("P1", D, D, "sickness", "P2", 9),
    ITEM,
    Handover("P1", "P2", D, "in_progress", (ITEM,), None, None, "leaving", False, 3),
    Case("C1", "Alex Example", "T1", "B2", "enhanced", True, frozenset({"opd"}), "paused", D, None,
         (Allocation("P1", D),), (Contact(D, "P1"),), (), (), 1),
]


@pytest.mark.parametrize("original", EXAMPLES, ids=lambda obj: type(obj).__name__)
def test_built_objects_equal_the_class_built_ones(original):
    cls = type(original)
    values = [getattr(original, f.name) for f in dataclasses.fields(cls)]
    built = fast_constructor(cls)(*values)
    assert type(built) is cls
    assert built == original and hash(built) == hash(original)
    assert repr(built) == repr(original)
    first = dataclasses.fields(cls)[0].name
    assert dataclasses.replace(built, **{first: values[0]}) == original
    with pytest.raises(dataclasses.FrozenInstanceError):
        setattr(built, first, values[0])  # still frozen


def test_contact_properties_work_on_built_contacts():
    build = fast_constructor(Contact)
    assert build(D, "P1", "office", "attended", None, None, None).meaningful
    assert not build(D, "P1", "other", "attended", None, None, None).meaningful
    assert not build(D, "P1", "office", "missed", None, None, None).meaningful
    three_way = build(D, "P1", "three_way", "attended", None, None, "P2")
    assert three_way.involves("P2") and three_way.involves("P1") and not three_way.involves("P3")


def test_every_field_is_required_and_positional():
    build = fast_constructor(Contact)
    with pytest.raises(TypeError):
        build(D, "P1")  # no defaults: a loader must pass every column


def test_classes_it_cannot_build_safely_are_refused():
    @dataclasses.dataclass(frozen=True)
    class NoSlots:
        a: int

    @dataclasses.dataclass(frozen=True, slots=True)
    class Checked:
        a: int

        def __post_init__(self):
            if self.a < 0:
                raise ValueError

    for cls in (NoSlots, Checked):
        with pytest.raises(TypeError):
            fast_constructor(cls)
