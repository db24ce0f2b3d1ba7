"""`caseload checkin` (docs/voice.md): record the person's check-in, list
them, refuse half an answer in one line with nothing written. In-process
through click's runner, on SQLite and (with CASELOAD_TEST_PG_URL) PostgreSQL."""

from __future__ import annotations

import json

from click.testing import CliRunner
from sqlalchemy import func, select
from sqlmodel import Session

from storage import models as m
from tui.cli import main


def run(db: str, *args: str):
    return CliRunner().invoke(main, ["--db", db, *args])


def checkins(engine) -> int:
    with Session(engine) as s:
        return s.execute(select(func.count()).select_from(m.Checkin)).scalar_one()


def test_record_then_list_as_table_and_json(engine, db_url, seed_cases):
    seed_cases(engine)
    done = run(db_url, "--as", "P1", "checkin", "C2", "--listened", "4", "--goals", "2", "--trust", "5",
               "--words", "made-up words", "--on", "2026-11-20")
    assert done.exit_code == 0, done.output
    assert done.output.strip() == ("recorded the check-in on C2 of 2026-11-20 with P1: listened 4, goals 2, "
                                   "trust 5, with their words")
    listed = json.loads(run(db_url, "checkin", "C2", "--format", "json").output)
    assert listed == {"case_ref": "C2", "checkins": [{"checkin_date": "2026-11-20", "practitioner_id": "P1",
                                                     "listened": 4, "goals": 2, "trust": 5, "total": 11,
                                                     "words": "made-up words"}]}
    table = run(db_url, "checkin", "C2").output
    assert "2026-11-20" in table and "made-up words" in table
    assert run(db_url, "checkin", "C1").output.strip() == "no check-ins on C1 yet"


def test_without_as_the_cases_practitioner_asked(engine, db_url, seed_cases):
    seed_cases(engine)
    done = run(db_url, "checkin", "C2", "--listened", "3", "--goals", "3", "--trust", "3", "--on", "2026-11-20")
    assert done.exit_code == 0 and "with P1" in done.output


def test_half_an_answer_or_one_out_of_range_is_refused_in_one_line(engine, db_url, seed_cases):
    seed_cases(engine)
    partial = run(db_url, "checkin", "C2", "--listened", "3", "--on", "2026-11-20")
    assert partial.exit_code != 0
    assert "a check-in has all three answers: give --goals, --trust too" in partial.output
    assert "Traceback" not in partial.output
    wide = run(db_url, "checkin", "C2", "--listened", "6", "--goals", "3", "--trust", "3")
    assert wide.exit_code == 2 and "6 is not in the range 1<=x<=5" in wide.output
    words = run(db_url, "checkin", "C2", "--words", "made-up")
    assert words.exit_code != 0 and "--words goes with the three answers" in words.output
    again = ["checkin", "C2", "--listened", "3", "--goals", "3", "--trust", "3", "--on", "2026-11-20"]
    assert run(db_url, *again).exit_code == 0
    twice = run(db_url, *again)
    assert twice.exit_code != 0 and "already has a check-in on 2026-11-20 with P1" in twice.output
    assert checkins(engine) == 1
