"""The command line on careless or hostile input and files: honest exits,
nothing half-written (README, "Where data lives and how it is protected").

In-process through click's runner, and as a real process where the
operating system is part of the story (a closed pipe, a signal)."""

from __future__ import annotations

import json
import shutil
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner

from tui.cli import main

ROOT = Path(__file__).resolve().parents[1]
CSV_DIR = ROOT / "tests" / "data" / "csv"


def run(*args: str):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


@pytest.fixture
def sample_copy(tmp_path) -> str:
    path = tmp_path / "sample.db"
    shutil.copy(ROOT / "storage" / "sample.db", path)
    path.chmod(0o600)
    return str(path)


@pytest.fixture
def examples_db(tmp_path) -> str:
    db = str(tmp_path / "ex.db")
    assert run("--db", db, "init").exit_code == 0
    files = [str(CSV_DIR / f"{k}.csv") for k in ("practitioners", "cases", "allocations", "contacts")]
    result = run("--db", db, "import", *files)
    assert result.exit_code == 0, result.output
    return db


# --------------------------------------------------------------------------- import and --config


def test_imported_handover_checklists_follow_config_like_handover_plan(examples_db, tmp_path):
    config = tmp_path / "policy.toml"
    config.write_text("[first_contact]\nworking_days = 9\n")
    handovers = tmp_path / "handovers.csv"
    handovers.write_text("case_ref,to_practitioner_id,planned_on\nC1003,P1,2027-01-18\n")
    imported = run("--db", examples_db, "--config", str(config), "import", str(handovers))
    assert imported.exit_code == 0, imported.output
    shown = json.loads(run("--db", examples_db, "handover", "show", "C1003", "--format", "json").output)
    first_contact = next(i for i in shown["items"] if i["id"] == "first_contact")

    def planned_due(case_ref: str, to: str, *config: str) -> str:
        assert run("--db", examples_db, *config, "handover", "plan", case_ref, "--to", to,
                   "--on", "2027-01-18").exit_code == 0
        view = json.loads(run("--db", examples_db, "handover", "show", case_ref, "--format", "json").output)
        return next(i for i in view["items"] if i["id"] == "first_contact")["due"]

    assert planned_due("C1004", "P1", "--config", str(config)) == first_contact["due"]
    assert planned_due("C1002", "P2") != first_contact["due"]  # without --config: the default 5 working days
    # 9 working days after Mon 18 Jan 2027
    assert first_contact["due"] == "2027-01-29"


def test_import_on_counts_today_as_that_date(examples_db, tmp_path):
    handovers = tmp_path / "handovers.csv"
    handovers.write_text("case_ref,to_practitioner_id,planned_on\nC1003,P1,2026-11-30\n")
    refused = run("--db", examples_db, "import", str(handovers), "--on", "2026-12-01")
    assert refused.exit_code == 1
    assert "planned_on: 2026-11-30 is in the past (before 2026-12-01)" in refused.output
    assert run("--db", examples_db, "import", str(handovers), "--on", "2026-11-27").exit_code == 0
