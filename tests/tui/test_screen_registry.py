"""tui/screens/registry.py: every name loads its screen, and every screen or
modal under tui/screens/ has a name, so screens can open each other by name."""

import importlib
import inspect
import pkgutil

import pytest
from textual.screen import Screen

import tui.screens
from tui.screens.registry import SCREENS, is_showing, screen_class

# Bases that are only ever subclassed, never opened themselves.
BASES = {"tui.screens.forms.base:FormScreen"}


def screen_classes():
    """module:Class of every Screen subclass defined in a module under tui/screens/."""
    found = set()
    for info in pkgutil.walk_packages(tui.screens.__path__, prefix="tui.screens."):
        module = importlib.import_module(info.name)
        for name, obj in inspect.getmembers(module, inspect.isclass):
            if obj.__module__ == module.__name__ and issubclass(obj, Screen):
                found.add(f"{module.__name__}:{name}")
    return found


@pytest.mark.parametrize("name", sorted(SCREENS))
def test_every_registered_name_loads_a_screen(name):
    cls = screen_class(name)
    assert inspect.isclass(cls) and issubclass(cls, Screen)
    assert f"{cls.__module__}:{cls.__name__}" == SCREENS[name]


def test_every_screen_module_is_registered():
    found = screen_classes()
    assert len(found) > 20  # the walk saw the packages too (supervision/, handover/)
    assert found - BASES - set(SCREENS.values()) == set()
    assert set(SCREENS.values()) <= found  # and no name points at a class that moved


def test_one_screen_or_modal_per_module():
    per_module: dict[str, list[str]] = {}
    for target in screen_classes() - BASES:
        module, _, name = target.partition(":")
        per_module.setdefault(module, []).append(name)
    split = [m for m in per_module if m.startswith(("tui.screens.supervision.", "tui.screens.handover.",
                                                     "tui.screens.forms.", "tui.screens.picker."))]
    assert split and all(len(per_module[m]) == 1 for m in split), per_module


def test_an_unknown_name_says_where_names_live():
    with pytest.raises(KeyError, match="registry.py"):
        screen_class("no-such-screen")


def test_is_showing_matches_the_class_and_its_subclasses_only():
    picker = screen_class("picker")
    rules = screen_class("rule-picker")
    assert is_showing(rules.__new__(rules), "picker")
    assert not is_showing(picker.__new__(picker), "rule-picker")
