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


# ---------------------------------------------------------------------------- week --suggest


def suggested(db, practitioner, week_of, on, *extra):
    out = CliRunner().invoke(main, ["--db", db, "--as", practitioner, "week", "--suggest", "--week-of", week_of,
                                    "--on", on, "--format", "json", *extra])
    assert out.exit_code == 0, out.output
    return json.loads(out.output)


@pytest.mark.parametrize("practitioner", ["N1-02", "E1-02"])
def test_suggest_on_the_sample_books_every_due_case_in_time_where_it_can(db, practitioner):
    """The week of Christmas (bank holidays 25 and 28 Dec, 1 Jan) seen from
    Fri 18 Dec: every proposal on a working day the practitioner is not
    away, clear of the rest; a late one only when every slot up to its due
    date is taken; the same plan twice; booked with --apply, and then
    nothing is left to propose."""
    from datetime import date, timedelta

    from planner.calendar import working_days
    from planner.policy import DEFAULT_POLICY
    from planner.suggest import _slots
    from storage.queries import load_cases, load_world
    from storage.reader import Database

    plan = suggested(db, practitioner, "2026-12-21", "2026-12-18")
    assert plan == suggested(db, practitioner, "2026-12-21", "2026-12-18")
    proposals = plan["proposals"]
    assert len(proposals) >= 10
    with Database(db).reader() as r:
        cases, world = load_cases(r), load_world(r)
    wd = working_days(world.nation_of(practitioner))
    away = world.absences_of(practitioner)
    from planner.appointments import appointment_dates

    minutes = lambda hhmm: int(hhmm[:2]) * 60 + int(hhmm[3:5])  # noqa: E731
    busy = [(p["date"], minutes(p["time"])) for p in proposals]
    assert len(busy) == len(set(busy))  # no two proposals in one slot
    for c in cases:
        for a in c.appointments:
            if a.practitioner_id == practitioner and a.time is not None:
                for day in appointment_dates(a, date(2026, 12, 19), date(2027, 2, 28)):
                    busy.append((day.isoformat(), a.time.hour * 60 + a.time.minute))
    slots = [t.hour * 60 + t.minute for t in _slots(DEFAULT_POLICY)]
    taken = lambda day, s: any(d == day and abs(m - s) < 60 for d, m in busy)  # noqa: E731
    for p in proposals:  # clear of every appointment of theirs (an hour each)
        assert not any(d == p["date"] and abs(m - minutes(p["time"])) < 60 for d, m in busy
                       if (d, m) != (p["date"], minutes(p["time"]))), p
    for p in proposals:
        day = date.fromisoformat(p["date"])
        assert wd.is_working(day) and not any(a.covers(day) for a in away), p
        if p["date"] > p["due"]:  # late: every slot from the first day to the due date is taken
            d = date(2026, 12, 21)
            while d <= date.fromisoformat(p["due"]):
                if wd.is_working(d) and not any(a.covers(d) for a in away):
                    assert all(taken(d.isoformat(), s) for s in slots), (p, d)
                d += timedelta(days=1)
    applied = suggested(db, practitioner, "2026-12-21", "2026-12-18", "--apply")
    assert [p["case_ref"] for p in applied["proposals"]] == [p["case_ref"] for p in proposals]
    assert all(p["appointment_id"] for p in applied["proposals"])
    assert suggested(db, practitioner, "2026-12-21", "2026-12-18")["proposals"] == []
