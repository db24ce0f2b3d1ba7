"""`caseload appointment cancel|move|outcome` on a copy of the sample
(tui/cli/appointment.py): one occurrence or the whole series, the clash
note, and bad input refused with one line and status 2, nothing written."""

from __future__ import annotations

import json
import shutil
import sqlite3

import pytest
from click.testing import CliRunner

from storage.sample import shipped_sample_path
from tui.cli import main


@pytest.fixture
def db(tmp_path):
    path = tmp_path / "sample.db"
    shutil.copyfile(shipped_sample_path(), path)
    return str(path)


def run(db, *args):
    return CliRunner().invoke(main, ["--db", db, "--as", "N1-02", *args])


def series_of(db, practitioner="N1-02", time="14:00:00.000000"):
    """N1-02's weekly series at 14:00 from Tue 1 Dec 2026 (the sample's)."""
    with sqlite3.connect(db) as con:
        return con.execute("SELECT min(a.id) FROM appointment a JOIN practitioner p ON p.id = a.practitioner_pk"
                           " WHERE p.practitioner_id = ? AND a.rrule IS NOT NULL AND a.time = ?"
                           " AND a.appointment_date = '2026-12-01'", (practitioner, time)).fetchone()[0]


def week(db, week_of="2026-12-07"):
    out = run(db, "week", "--practitioner", "N1-02", "--week-of", week_of, "--format", "json")
    assert out.exit_code == 0, out.output
    return json.loads(out.output)


def appointment_days(plan, aid):
    return [(d["day"], e["time"]) for d in plan["days"] for e in d["entries"]
            if e["kind"] == "appointment" and e["appointment_id"] == aid]


def test_cancel_one_occurrence_then_the_series(db):
    aid = series_of(db)
    assert appointment_days(week(db), aid) == [("2026-12-08", "14:00")]
    out = run(db, "appointment", "cancel", str(aid), "--by", "practitioner", "--occurrence", "2026-12-08")
    assert out.exit_code == 0, out.output
    assert appointment_days(week(db), aid) == []
    assert appointment_days(week(db, "2026-12-14"), aid) == [("2026-12-15", "14:00")]
    out = run(db, "appointment", "cancel", str(aid), "--by", "person", "--series", "--on", "2026-12-09")
    assert out.exit_code == 0, out.output
    assert appointment_days(week(db, "2026-12-14"), aid) == []


def test_move_one_occurrence_and_the_note_of_a_clash(db):
    aid = series_of(db)
    other = series_of(db, time="10:00:00.000000")
    assert other and other != aid
    out = run(db, "appointment", "move", str(aid), "--occurrence", "2026-12-08", "--to", "2026-12-09",
              "--time", "10:00")
    assert out.exit_code == 0, out.output
    moved = int(out.output.split("as appointment ")[1].rstrip(")\n"))
    assert appointment_days(week(db), aid) == [] and appointment_days(week(db), moved) == [("2026-12-09", "10:00")]
    out = run(db, "appointment", "move", str(aid), "--occurrence", "2026-12-15", "--to", "2026-12-09")
    assert out.exit_code == 2 and "already has an appointment on 2026-12-09" in out.output
    out = run(db, "appointment", "move", str(moved), "--to", "2026-12-15", "--time", "10:00")
    assert out.exit_code == 0 and "note: N1-02 has another appointment at 10:00 that day" in out.output


def test_move_an_occurrence_to_another_time_the_same_day(db):
    aid = series_of(db)
    out = run(db, "appointment", "move", str(aid), "--occurrence", "2026-12-08", "--to", "2026-12-08",
              "--time", "16:30")
    assert out.exit_code == 0, out.output
    assert [t for d, t in appointment_days(week(db), aid)] == []
    assert [(d["day"], e["time"]) for d in week(db)["days"] for e in d["entries"]
            if e["kind"] == "appointment" and e["time"] == "16:30"] == [("2026-12-08", "16:30")]


def test_move_the_series(db):
    aid = series_of(db)
    out = run(db, "appointment", "move", str(aid), "--series", "--occurrence", "2026-12-08", "--to", "2026-12-10",
              "--time", "09:30")
    assert out.exit_code == 0, out.output
    assert appointment_days(week(db), aid) == [("2026-12-10", "09:30")]
    assert appointment_days(week(db, "2026-12-14"), aid) == [("2026-12-17", "09:30")]


def test_outcome_records_the_contact_and_leaves_catch_up(db):
    aid = series_of(db)
    before = week(db, "2026-12-07")
    out = run(db, "appointment", "outcome", str(aid), "--occurrence", "2026-12-01", "--outcome", "missed",
              "--note", "no answer at the door", "--on", "2026-12-02")
    assert out.exit_code == 0, out.output
    with sqlite3.connect(db) as con:
        row = con.execute("SELECT c.contact_date, c.outcome, c.notes FROM contact c JOIN appointment a"
                          " ON a.case_id = c.case_id WHERE a.id = ? AND c.contact_date = '2026-12-01'",
                          (aid,)).fetchone()
    assert row == ("2026-12-01", "missed", "no answer at the door")
    assert before  # the week reads before and after


@pytest.mark.parametrize(("args", "message"), [
    (["cancel", "999999", "--by", "person"], "unknown appointment 999999"),
    (["cancel", "{aid}", "--by", "person"], "is a series: give the occurrence's date"),
    (["cancel", "{aid}", "--by", "person", "--occurrence", "2026-12-09"], "no occurrence on 2026-12-09"),
    (["move", "{aid}", "--to", "2026-12-25", "--occurrence", "2026-12-15"], "bank holiday (Christmas Day)"),
    (["move", "{aid}", "--to", "2026-12-09", "--time", "25:00", "--occurrence", "2026-12-08"], "not a time"),
    (["outcome", "{aid}", "--outcome", "attended", "--occurrence", "2026-12-15", "--on", "2026-12-02"],
     "has not happened yet"),
    (["outcome", "{aid}", "--outcome", "attended", "--by", "person", "--occurrence", "2026-12-01"],
     "only a cancelled appointment says who cancelled it"),
])
def test_bad_input_is_one_line_and_status_2_with_nothing_written(db, args, message):
    aid = series_of(db)
    before = rows(db)
    out = run(db, "appointment", *(a.replace("{aid}", str(aid)) for a in args))
    assert out.exit_code == 2, out.output
    lines = out.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("caseload: ") and message in lines[0], lines
    assert rows(db) == before


def rows(db):
    with sqlite3.connect(db) as con:
        return [con.execute(f"SELECT * FROM {t} ORDER BY id").fetchall() for t in ("appointment", "contact",
                                                                                 "audit_event")]
