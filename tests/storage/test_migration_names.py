"""The migrations' text names the app's code it mirrors (`storage.access.
restricted_filter`, `planner.model.OPEN_HANDOVER_STATUSES`...): every such
dotted name resolves, so a reader who follows one finds it."""

from __future__ import annotations

import importlib
import re
from pathlib import Path

import pytest

MIGRATIONS = Path(__file__).resolve().parents[2] / "storage" / "migrations"
NAME = re.compile(r"\b(?:storage|planner)(?:\.[A-Za-z_][A-Za-z0-9_]*)+")


def named() -> list[tuple[str, str]]:
    """(file, dotted name) for every name of the app's code a migration's text gives."""
    return sorted({(path.name, name) for path in MIGRATIONS.rglob("*.py")
                   for name in NAME.findall(path.read_text(encoding="utf-8"))})


def resolves(name: str) -> bool:
    """The longest importable module of `name`, then attributes for the rest."""
    parts = name.split(".")
    for cut in range(len(parts), 0, -1):
        try:
            found = importlib.import_module(".".join(parts[:cut]))
        except ImportError:
            continue
        for attr in parts[cut:]:
            if not hasattr(found, attr):
                return False
            found = getattr(found, attr)
        return True
    return False


def test_the_migrations_name_code_at_all():
    assert len(named()) > 10 and ("0010_sentence_custody_risk.py", "storage.access.restricted_filter") in named()


@pytest.mark.parametrize(("migration", "name"), named())
def test_every_name_a_migration_gives_exists(migration, name):
    assert resolves(name), f"{migration} names {name}, which does not exist"


def test_a_missing_name_is_caught():
    assert not resolves("storage.access.NO_SUCH_NAME") and resolves("storage.access.restricted_filter")
