"""The command line on careless or hostile input and files: honest exits,
nothing half-written (README, "Where data lives and how it is protected").

In-process through click's runner, and as a real process where the
operating system is part of the story (a closed pipe, a signal)."""

from __future__ import annotations

import json
import os
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
    imported = run("--db", examples_db, "--config", str(config), "import", str(handovers), "--on", "2026-12-07")
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
    is printed without it by every command, the .ics written to standard
    output included; the rest of the name stays."""
    import sqlite3

    with sqlite3.connect(sample_copy) as con:
        con.execute("UPDATE practitioner SET name = ? WHERE practitioner_id = 'N1-02'",
                    ("Dev \x1b]0;pwned\x07\x1b[2J\x9b31mOkonjo",))
        con.execute("UPDATE \"case\" SET display_name = ? WHERE case_ref = 'NG1002'", ("Ash \x1b[31mRed\x07",))
    outputs = []
    for args in (["warnings", "--practitioner", "N1-02", "--on", "2026-11-27"],
                 ["warnings", "--practitioner", "N1-02", "--on", "2026-11-27", "--format", "csv"],
                 ["week", "--practitioner", "N1-02", "--week-of", "2026-11-30", "--names"],
                 ["week", "--practitioner", "N1-02", "--week-of", "2026-11-30", "--format", "ics", "--names"],
                 ["handover", "list", "--team", "NPS-N1"]):
        result = CliRunner().invoke(main, ["--db", sample_copy, *args], catch_exceptions=False)
        assert result.exit_code == 0, result.output
        outputs.append(result.output)
    printed = "".join(outputs)
    assert "Dev Okonjo" in printed and "pwned" not in printed
    assert not any(ch in printed for ch in "\x1b\x07\x9b")


# --------------------------------------------------------------------------- config values and extreme dates


def one_line_failure(result, code: int = 2) -> str:
    assert result.exit_code == code, result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in result.output, result.stderr
    return lines[0]


@pytest.mark.parametrize(("toml", "key"), [
    ("[contact_overdue]\nhigh_multiplier = nan\n", "contact_overdue.high_multiplier: must be a finite number"),
    ("[workload.tier_points]\nA3 = 1e308\n", "workload.tier_points.A3: must be at most 100000"),
    ("[practitioner_churn]\nwindow_days = 99999999\n", "practitioner_churn.window_days: must be at most 3660"),
])
@pytest.mark.parametrize("args", [["warnings"], ["rebalance", "--team", "NPS-N1"],
                                  ["week", "--practitioner", "N1-02"]])
def test_unusable_config_numbers_are_one_line_errors(sample_copy, tmp_path, toml, key, args):
    config = tmp_path / "policy.toml"
    config.write_text(toml)
    runner = CliRunner()
    line = one_line_failure(runner.invoke(main, ["--db", sample_copy, "--config", str(config), *args]))
    assert line == f"caseload: {config}: {key}, got " + line.split(", got ")[-1]


@pytest.mark.parametrize("day", ["9999-12-31", "0001-01-01", "1899-12-31", "3000-01-01"])
@pytest.mark.parametrize("args", [
    ["warnings", "--on"], ["rebalance", "--team", "NPS-N1", "--on"], ["week", "--practitioner", "N1-02", "--week-of"],
    ["handover", "plan", "NG1045", "--to", "N1-04", "--on"], ["audit", "--since"], ["--on"],
])
def test_dates_out_of_range_are_one_line_errors(sample_copy, day, args):
    line = one_line_failure(CliRunner().invoke(main, ["--db", sample_copy, *args, day]))
    assert f"'{day}' is out of range (dates run from 1900-01-01 to 2999-12-31)" in line


def test_dates_stored_out_of_range_do_not_stop_commands(sample_copy):
    """Dates the importer took before it checked them (an absence "to
    9999-12-31", a contact in year 1): the rules read them as the nearer
    end of the range and `caseload check` lists them."""
    import sqlite3

    with sqlite3.connect(sample_copy) as con:
        con.execute("UPDATE absence SET end_date = '9999-12-31' WHERE id = (SELECT min(id) FROM absence)")
        con.execute("UPDATE practitioner SET leaving_on = '9999-12-31' WHERE practitioner_id = 'N1-02'")
        con.execute("UPDATE \"case\" SET paused_until = '9999-12-31', status = 'paused' WHERE case_ref = 'NG1001'")
        con.execute("UPDATE handover SET planned_on = '9999-12-31' WHERE id = "
                    "(SELECT min(id) FROM handover WHERE status = 'planned')")
        con.execute("UPDATE allocation SET start_date = '0001-01-01' WHERE id IN "
                    "(SELECT min(id) FROM allocation GROUP BY case_id LIMIT 10)")
        con.execute("INSERT INTO contact (case_id, contact_date, practitioner_pk, kind, outcome, version) "
                    "SELECT case_id, '0001-01-01', practitioner_pk, 'office', 'attended', 1 FROM allocation "
                    "WHERE end_date IS NULL LIMIT 5")
    for on in ("1900-01-01", "2026-11-27", "2999-12-31"):
        for args in (["warnings"], ["handover", "list"], ["handover", "departures", "N1-03"],
                     ["rebalance", "--team", "NPS-N1"], ["week", "--practitioner", "N1-02", "--week-of", on]):
            result = CliRunner().invoke(main, ["--db", sample_copy, *args, "--on", on])
            assert result.exit_code == 0, (args, on, result.output)
    check = CliRunner().invoke(main, ["--db", sample_copy, "check"])
    assert check.exit_code == 2
    assert "absence 1: end_date 9999-12-31 is outside 1900-01-01 to 2999-12-31" in check.stderr


# --------------------------------------------------------------------------- files of personal data


def listing(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())} if folder.exists() else {}


def test_export_refuses_to_overwrite_without_force_and_never_writes_through_a_link(sample_copy, tmp_path):
    out = tmp_path / "out"
    assert run("--db", sample_copy, "export", str(out)).exit_code == 0
    first = listing(out)
    again = CliRunner().invoke(main, ["--db", sample_copy, "export", str(out)])
    line = one_line_failure(again, 5)
    assert line == f"caseload: {out}/practitioners.csv already exists; give --force to replace it"
    assert listing(out) == first
    assert run("--db", sample_copy, "export", str(out), "--force").exit_code == 0
    assert listing(out) == first and all((p.stat().st_mode & 0o777) == 0o600 for p in out.iterdir())

    elsewhere = tmp_path / "elsewhere.txt"
    elsewhere.write_text("not yours to overwrite")
    linked = tmp_path / "linked"
    linked.mkdir()
    (linked / "contacts.csv").symlink_to(elsewhere)
    for extra in ([], ["--force"]):
        line = one_line_failure(CliRunner().invoke(main, ["--db", sample_copy, "export", str(linked), *extra]), 5)
        assert "contacts.csv is a symbolic link; refusing to write through it" in line
        assert elsewhere.read_text() == "not yours to overwrite"
        assert sorted(p.name for p in linked.iterdir()) == ["contacts.csv"]  # nothing else written either


def test_an_export_the_audit_trail_cannot_record_leaves_no_file(sample_copy, tmp_path, monkeypatch):
    """As with a read-only database: the files are whole on disk before the
    audit event, and are removed when it cannot be committed."""
    import sqlite3

    from sqlalchemy.exc import OperationalError

    from storage import audit

    def read_only(*_args, **_kwargs):
        raise OperationalError("INSERT INTO audit_event", {}, sqlite3.OperationalError(
            "attempt to write a readonly database"))

    monkeypatch.setattr(audit, "_insert", read_only)  # where record and record_now both write
    for args in (["export", str(tmp_path / "out")], ["export", str(tmp_path / "out"), "--format", "json"],
                 ["week", "--practitioner", "N1-02", "--output", str(tmp_path / "out" / "week.txt")],
                 ["backup", str(tmp_path / "out")]):
        result = CliRunner().invoke(main, ["--db", sample_copy, *args])
        assert result.exit_code == 4, result.output
        assert listing(tmp_path / "out") == {}  # no file, whole or partial, and no temporary one


def test_a_full_disk_leaves_no_partial_export(sample_copy, tmp_path, monkeypatch):
    import errno
    import os

    real_fsync = os.fsync

    def full(fd):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "fsync", full)
    line = one_line_failure(CliRunner().invoke(main, ["--db", sample_copy, "export", str(tmp_path / "out")]), 5)
    assert "No space left on device" in line and "nothing was written" in line
    monkeypatch.setattr(os, "fsync", real_fsync)
    assert listing(tmp_path / "out") == {}


@pytest.mark.parametrize("command", [
    ["week", "--practitioner", "N1-02", "--week-of", "2026-11-30", "--format", "ics"],
    ["supervision", "export", "N1-02"],
])
def test_week_and_supervision_files_are_private_refused_over_existing_and_audited(sample_copy, tmp_path, command):
    import sqlite3

    if command[0] == "supervision":
        assert run("--db", sample_copy, "--as", "N1-01", "supervision", "start", "N1-02",
                   "--on", "2026-11-27").exit_code == 0
    target = tmp_path / "out.file"
    target.write_text("an older file, open to all")
    target.chmod(0o644)
    line = one_line_failure(CliRunner().invoke(main, ["--db", sample_copy, *command, "--output", str(target)]), 5)
    assert line.endswith("already exists; give --force to replace it")
    assert target.read_text() == "an older file, open to all"
    result = CliRunner().invoke(main, ["--db", sample_copy, *command, "--output", str(target), "--force"])
    assert result.exit_code == 0, result.output
    assert (target.stat().st_mode & 0o777) == 0o600 and target.read_text() != "an older file, open to all"
    link = tmp_path / "link.file"
    link.symlink_to(target)
    line = one_line_failure(CliRunner().invoke(main, ["--db", sample_copy, *command, "--output", str(link),
                                                      "--force"]), 5)
    assert "is a symbolic link" in line
    with sqlite3.connect(sample_copy) as con:
        events = con.execute("SELECT action, entity, detail FROM audit_event WHERE action = 'export'").fetchall()
    assert len(events) == 1 and events[0][1] == ("week" if command[0] == "week" else "supervision_session")
    assert '"file": "out.file"' in events[0][2]


def test_two_backups_in_one_second_do_not_collide_and_are_audited(sample_copy, tmp_path, monkeypatch):
    import sqlite3
    from datetime import datetime, timezone

    import storage.db.backups

    class Frozen(datetime):
        @classmethod
        def now(cls, tz=None):
            return datetime(2026, 11, 27, 9, 0, 0, tzinfo=timezone.utc)

    monkeypatch.setattr(storage.db.backups, "datetime", Frozen)
    folder = tmp_path / "backups"
    folder.mkdir()
    written = []
    for _ in range(3):
        result = run("--db", sample_copy, "backup", str(folder))
        assert result.exit_code == 0, result.output
        written.append(result.output.split("backup written to ")[1].strip())
    assert [Path(w).name for w in written] == ["caseload-20261127T090000Z.db", "caseload-20261127T090000Z-1.db",
                                              "caseload-20261127T090000Z-2.db"]
    assert sorted(p.name for p in folder.iterdir()) == sorted(Path(w).name for w in written)
    with sqlite3.connect(sample_copy) as con:
        assert con.execute("SELECT count(*) FROM audit_event WHERE action = 'backup'").fetchone()[0] == 3


def damaged_copy(source: str, dest: Path) -> Path:
    """A copy of `source` with two b-tree pages of the contact table broken."""
    import sqlite3

    with sqlite3.connect(source) as src, sqlite3.connect(dest) as copy:
        src.backup(copy)
        copy.execute("PRAGMA journal_mode=DELETE").fetchall()
        page = copy.execute("PRAGMA page_size").fetchone()[0]
        root = copy.execute("SELECT rootpage FROM sqlite_master WHERE name = 'contact'").fetchone()[0]
    data = bytearray(dest.read_bytes())
    for number in (root + 5, root + 6):
        data[(number - 1) * page + 8:(number - 1) * page + 40] = b"\xff" * 32
    dest.write_bytes(bytes(data))
    dest.chmod(0o600)
    return dest


def test_a_damaged_database_is_neither_backed_up_nor_restored(sample_copy, tmp_path):
    damaged = damaged_copy(sample_copy, tmp_path / "damaged.db")
    folder = tmp_path / "backups"
    folder.mkdir()
    line = one_line_failure(CliRunner().invoke(main, ["--db", str(damaged), "backup", str(folder)]), 4)
    assert "is damaged (" in line and "not backing it up" in line
    assert listing(folder) == {}
    good = Path(sample_copy).read_bytes()
    line = one_line_failure(CliRunner().invoke(main, ["--db", sample_copy, "restore", str(damaged), "--force"]), 5)
    assert "damaged.db is damaged (" in line and "not restoring it" in line
    assert Path(sample_copy).read_bytes() == good


# --------------------------------------------------------------------------- exit statuses, pipes and signals


def test_exit_statuses_follow_the_readme(sample_copy, tmp_path):
    """4 database unavailable, 5 file problem (README, "Using it")."""
    line = one_line_failure(CliRunner().invoke(main, ["--db", str(tmp_path / "nope.db"), "warnings"]), 4)
    assert "no database at" in line
    garbage = tmp_path / "garbage.db"
    garbage.write_bytes(b"not a database" * 300)
    one_line_failure(CliRunner().invoke(main, ["--db", str(garbage), "warnings"]), 4)
    line = one_line_failure(CliRunner().invoke(main, ["--db", sample_copy, "import", str(tmp_path / "gone.csv")]), 5)
    assert "gone.csv: no such file" in line
    folder_as_file = tmp_path / "folder.csv"
    folder_as_file.mkdir()
    one_line_failure(CliRunner().invoke(main, ["--db", sample_copy, "import", str(folder_as_file)]), 5)
    one_line_failure(CliRunner().invoke(main, ["--db", sample_copy, "backup", str(tmp_path / "no" / "such" / "x.db")]), 5)
    one_line_failure(CliRunner().invoke(main, ["--db", sample_copy, "--config", str(tmp_path / "none.toml"),
                                               "warnings"]), 5)
    folder_as_config = tmp_path / "policy.toml"
    folder_as_config.mkdir()
    line = one_line_failure(CliRunner().invoke(main, ["--db", sample_copy, "--config", str(folder_as_config),
                                                      "warnings"]), 5)
    assert line == f"caseload: {folder_as_config}: is a folder, not a file"


@pytest.mark.parametrize(("args", "wants"), [
    (["handover", "summary", "NG1067", "--as", "N1-03", "--file"], "file"),
    (["week", "--practitioner", "N1-02", "--output"], "file"),
    (["supervision", "export", "N1-02", "--as", "N1-01", "--output"], "file"),
    (["supervision", "prompts", "--prompts"], "file"),
    (["restore"], "file"),
    (["export"], "folder"),
    (["demo", "--keep"], "folder"),
])
def test_a_folder_for_a_file_or_a_file_for_a_folder_is_status_5(sample_copy, tmp_path, args, wants):
    """README's statuses: a folder where a file goes is a file problem (5),
    said as the importer says it, not click's usage error (2)."""
    wrong = tmp_path / ("given" if wants == "file" else "given.txt")
    if wants == "file":
        wrong.mkdir()
    else:
        wrong.write_text("x")
    line = one_line_failure(CliRunner().invoke(main, ["--db", sample_copy, *args, str(wrong)]), 5)
    other = "folder, not a file" if wants == "file" else "file, not a folder"
    assert line == f"caseload: {wrong}: is a {other}"


@pytest.mark.parametrize("args", [
    ["handover", "show", "NG1067\udcff"],
    ["warnings", "--practitioner", "N1-0\udcff2"],
    ["handover", "summary", "NG1067", "--as", "N1-03", "--text", "works \udc9b well"],
    ["checkin", "NG1068", "--as", "N1-07", "--listened", "5", "--goals", "5", "--trust", "5",
     "--on", "2026-11-27", "--words", "bad \udcff"],
])
def test_an_argument_of_bytes_that_are_not_utf8_is_status_2_and_writes_nothing(sample_copy, args):
    """Bytes that are not UTF-8 on the command line reach Python as lone
    surrogates (surrogateescape); the database driver cannot encode them.
    That is bad input (status 2), not an unexpected error (70)."""
    import sqlite3

    def rows():
        with sqlite3.connect(sample_copy) as con:
            return [con.execute(f"SELECT count(*), max(version) FROM {t}").fetchone() for t in ("checkin", "handover")]

    before = rows()
    line = one_line_failure(CliRunner().invoke(main, ["--db", sample_copy, *args]))
    assert line.startswith("caseload: an argument is not valid UTF-8 (byte 0x")
    assert rows() == before


@pytest.mark.parametrize("journal", ["delete", "wal"])
def test_a_locked_database_is_status_4_with_try_again(sample_copy, tmp_path, monkeypatch, journal):
    """Another program holds the write lock past the busy timeout (shortened
    here): the import waits, then says to try again; nothing is written.
    (With a rollback journal the lock stops the opening already; in WAL mode
    the writes.)"""
    import sqlite3

    import storage.engine

    with sqlite3.connect(sample_copy) as con:
        con.execute(f"PRAGMA journal_mode={journal}").fetchall()

    monkeypatch.setattr(storage.engine, "SQLITE_PRAGMAS", tuple(
        "PRAGMA busy_timeout=50" if p.startswith("PRAGMA busy_timeout") else p for p in storage.engine.SQLITE_PRAGMAS))
    absences = tmp_path / "absences.csv"
    absences.write_text("practitioner_id,start_date,end_date\nN1-02,2027-03-15,2027-03-18\n")
    with sqlite3.connect(sample_copy) as con:
        assert con.execute("SELECT count(*) FROM absence WHERE start_date = '2027-03-15'").fetchone()[0] == 0
    holder = sqlite3.connect(sample_copy, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")  # the write lock, as a long write elsewhere holds it
    try:
        line = one_line_failure(CliRunner().invoke(main, ["--db", sample_copy, "import", str(absences)]), 4)
        assert "is busy (another program holds a lock on it)" in line and "try again" in line
        assert "changed the same records" not in line
        line = one_line_failure(CliRunner().invoke(main, ["--db", sample_copy, "handover", "tick", "NG1007",
                                                          "vlo_told"]), 4)
        assert "busy" in line and "try again" in line
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    with sqlite3.connect(sample_copy) as con:
        assert con.execute("SELECT count(*) FROM absence WHERE start_date = '2027-03-15'").fetchone()[0] == 0


if os.environ.get("CASELOAD_TEST_PG_URL"):  # PostgreSQL only: collected when a server is given, never a skip

    def test_a_lock_held_on_the_team_server_is_status_4_with_try_again(pg_database, seed_cases, tmp_path,
                                                                       monkeypatch):
        """Another session holds a lock the write needs past the lock timeout
        (shortened here): the command gives up with the same status and
        words as a locked SQLite file, instead of waiting for ever. (The
        lock is let go after 30 s whatever happens, so a command that waits
        finishes, and fails this test, rather than hanging it.)"""
        import threading

        import psycopg

        import storage.engine
        from storage.db import init_db
        from storage.engine import make_engine

        engine = make_engine(pg_database)
        init_db(engine)
        seed_cases(engine)
        engine.dispose()
        monkeypatch.setattr(storage.engine, "PG_LOCK_TIMEOUT_MS", 300)
        absences = tmp_path / "absences.csv"
        absences.write_text("practitioner_id,start_date,end_date\nP1,2027-03-15,2027-03-18\n")
        holder = psycopg.connect(pg_database.replace("postgresql+psycopg://", "postgresql://"))
        holder.execute("LOCK TABLE absence IN EXCLUSIVE MODE")  # as a long write elsewhere holds it
        release = threading.Timer(30, holder.rollback)
        release.start()
        try:
            line = one_line_failure(CliRunner().invoke(main, ["--db", pg_database, "import", str(absences)]), 4)
            assert "is busy (another program holds a lock on it)" in line and "try again" in line
        finally:
            release.cancel()
            holder.rollback()
            holder.close()
        with psycopg.connect(pg_database.replace("postgresql+psycopg://", "postgresql://")) as conn:
            assert conn.execute("SELECT count(*) FROM absence WHERE start_date = '2027-03-15'").fetchone() == (0,)


def test_a_reader_that_stops_early_ends_the_command_quietly(sample_copy):
    """`caseload warnings | head`: no traceback, no "Broken pipe", status 0."""
    import subprocess
    import sys

    proc = subprocess.Popen([sys.executable, "-c", "from tui.cli import main; main()", "--db", sample_copy,
                             "warnings", "--on", "2026-11-27"], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            cwd=ROOT)
    proc.stdout.readline()
    proc.stdout.close()  # like head after its first line
    err = proc.stderr.read()
    proc.wait(timeout=120)
    assert err == b"" and proc.returncode == 0


@pytest.mark.parametrize("signame", ["SIGTERM", "SIGHUP"])
def test_demo_removes_its_copy_when_ended_by_a_signal(tmp_path, signame):
    import fcntl
    import os
    import pty
    import select
    import signal
    import struct
    import subprocess
    import sys
    import termios

    sig = getattr(signal, signame)
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 80, 0, 0))
    env = dict(os.environ, TMPDIR=str(tmp_path), TERM="xterm-256color", XDG_CONFIG_HOME=str(tmp_path / "config"),
               XDG_DATA_HOME=str(tmp_path / "data"))
    env.pop("CASELOAD_BENCH_OUT", None)
    proc = subprocess.Popen([sys.executable, "-c", "from tui.cli import main; main()", "demo"],
                            stdin=slave, stdout=slave, stderr=slave, env=env, cwd=ROOT, start_new_session=True)
    os.close(slave)
    painted = b""

    def read(timeout: float) -> bool:
        nonlocal painted
        ready, _, _ = select.select([master], [], [], timeout)
        if not ready:
            return False
        try:
            painted += os.read(master, 1 << 16)
        except OSError:  # the terminal closed
            return False
        return True

    try:
        while b"practitioner" not in painted:  # the first screen (the picker, on first run): the app is up
            assert read(60), "the demo never painted"
        [copy] = list(tmp_path.glob("caseload-demo-*"))
        assert (copy / "caseload.db").exists() or any(copy.iterdir())
        proc.send_signal(sig)
        while proc.poll() is None:
            read(1)
        assert proc.wait(timeout=60) == 128 + sig, painted[-3000:]
        assert not copy.exists()
    finally:
        if proc.poll() is None:
            proc.kill()
        os.close(master)
