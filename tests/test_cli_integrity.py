"""The command line on careless or hostile input and files: honest exits,
nothing half-written (README, "Where data lives and how it is protected").

In-process through click's runner, and as a real process where the
operating system is part of the story (a closed pipe, a signal)."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner

from tests.test_cli import sample_copy  # noqa: F401 - a fixture: a copy of sample.db
from tui.cli import main

ROOT = Path(__file__).resolve().parents[1]
CSV_DIR = ROOT / "tests" / "data" / "csv"


def run(*args: str):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


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


# --------------------------------------------------------------------------- RRULEs already in a database


def test_rrules_stored_before_the_booking_rules_do_not_hang_commands(sample_copy):
    """Rows the importer took before it applied the app's booking rules:
    dateutil walks each of these to the year 9999 (FREQ=SECONDLY for
    minutes). Every command reads them within their window."""
    import sqlite3
    import subprocess
    import sys

    hostile = ["FREQ=SECONDLY", "FREQ=MINUTELY;BYMONTH=2;BYMONTHDAY=30", "FREQ=DAILY;BYMONTH=2;BYMONTHDAY=30",
               "FREQ=DAILY;BYSETPOS=2", "FREQ=HOURLY;BYHOUR=1,2,3;BYMINUTE=1,2,3"]
    with sqlite3.connect(sample_copy) as con:
        cases = con.execute("SELECT a.case_id, a.practitioner_pk, p.practitioner_id FROM allocation a "
                            "JOIN practitioner p ON p.id = a.practitioner_pk WHERE a.end_date IS NULL "
                            "ORDER BY a.case_id LIMIT 10").fetchall()
        for i, (case_id, prac_pk, _pid) in enumerate(cases):
            con.execute("INSERT INTO appointment (case_id, appointment_date, practitioner_pk, kind, rrule, version) "
                        "VALUES (?, ?, ?, 'office', ?, 1)", (case_id, "2025-01-0%d" % (i % 9 + 1), prac_pk,
                                                              hostile[i % len(hostile)]))
    pid = cases[0][2]
    for args in (["warnings", "--on", "2026-11-27"], ["warnings", "--practitioner", pid, "--on", "2026-11-27"],
                 ["week", "--practitioner", pid, "--week-of", "2026-11-30"], ["check"]):
        done = subprocess.run([sys.executable, "-c", "from tui.cli import main; main()", "--db", sample_copy, *args],
                              capture_output=True, text=True, timeout=120, cwd=ROOT)
        assert "Traceback" not in done.stderr
        if args == ["check"]:  # says which rows the app would not book today
            assert done.returncode == 2
            assert "rrule 'FREQ=SECONDLY': appointments repeat daily at most" in done.stderr
        else:
            assert done.returncode == 0, done.stderr


# --------------------------------------------------------------------------- terminal escapes in names


def test_terminal_escape_sequences_in_names_never_reach_the_terminal(sample_copy):
    """A name holding an escape sequence (title change, screen clear, bell)
    is printed without it by every command; the rest of the name stays."""
    import sqlite3

    with sqlite3.connect(sample_copy) as con:
        con.execute("UPDATE practitioner SET name = ? WHERE practitioner_id = 'N1-02'",
                    ("Dev \x1b]0;pwned\x07\x1b[2J\x9b31mOkonjo",))
        con.execute("UPDATE \"case\" SET display_name = ? WHERE case_ref = 'NG1002'", ("Ash \x1b[31mRed\x07",))
    outputs = []
    for args in (["warnings", "--practitioner", "N1-02", "--on", "2026-11-27"],
                 ["warnings", "--practitioner", "N1-02", "--on", "2026-11-27", "--format", "csv"],
                 ["week", "--practitioner", "N1-02", "--week-of", "2026-11-30", "--names"],
                 ["handover", "list", "--team", "NPS-N1"]):
        result = CliRunner().invoke(main, ["--db", sample_copy, *args], catch_exceptions=False)
        assert result.exit_code == 0, result.output
        outputs.append(result.output)
    printed = "".join(outputs)
    assert "Dev Okonjo" in printed and "pwned" not in printed
    assert not any(ch in printed for ch in "\x1b\x07\x9b")
