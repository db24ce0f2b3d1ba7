"""Policy sections' repr, == and hash are a frozen dataclass's own
(planner/policy/shape.py, Section): by the fields' values, in order."""

from __future__ import annotations

import dataclasses

import pytest

from planner.policy import DEFAULT_POLICY, ContactOverdue, EarlyWindow, Policy, Thresholds
from planner.policy.shape import Section


def _sections(value):
    yield value
    for spec in dataclasses.fields(value):
        inner = getattr(value, spec.name)
        if isinstance(inner, Section):
            yield from _sections(inner)


@pytest.mark.parametrize("section", list(_sections(DEFAULT_POLICY)), ids=lambda s: type(s).__name__)
def test_every_section_compares_hashes_and_prints_by_its_values(section):
    values = tuple(getattr(section, f.name) for f in dataclasses.fields(section))
    assert hash(section) == hash(values)  # as dataclass's generated __hash__
    copy = dataclasses.replace(section)
    assert copy == section and copy is not section and hash(copy) == hash(section)
    inner = ", ".join(f"{f.name}={getattr(section, f.name)!r}" for f in dataclasses.fields(section))
    assert repr(section) == f"{type(section).__qualname__}({inner})"
    with pytest.raises(dataclasses.FrozenInstanceError):
        setattr(section, dataclasses.fields(section)[0].name, None)


def test_a_changed_value_or_another_section_is_not_equal():
    assert ContactOverdue(high_multiplier=2.0) != ContactOverdue()
    assert ContactOverdue() != (1.5, 7)
    assert EarlyWindow() != EarlyWindow(days=85) and EarlyWindow() == EarlyWindow(days=84)
    assert Policy() == DEFAULT_POLICY and dataclasses.replace(DEFAULT_POLICY, nation="scotland") != DEFAULT_POLICY
    assert Thresholds() == DEFAULT_POLICY.thresholds
    assert {ContactOverdue(): 1}[ContactOverdue()] == 1  # the rules' caches look sections up by hash
