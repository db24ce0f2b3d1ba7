"""The command line as a user meets it: exit codes, one-line errors, round trips.

These run `caseload` in-process through click's runner (fast) and, where a
real process matters (a kill in the middle of an import), as a subprocess.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import textwrap
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import create_engine, inspect, text

from tui.cli import main

ROOT = Path(__file__).resolve().parents[1]
CSV_DIR = ROOT / "tests" / "data" / "csv"
ERROR_LINE = re.compile(r"^[^:\s]+\.csv:\d+: [a-z_\-]+: .+$")


def run(*args: str, input: str | None = None):
    result = CliRunner().invoke(main, list(args), input=input, catch_exceptions=False)
    return result


def table_rows(db_url: str) -> dict[str, list[tuple]]:
    """Every row of every table except the audit trail, for before/after comparisons."""
    url = db_url if "://" in db_url else f"sqlite:///{db_url}"
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            out = {}
            for table in sorted(inspect(conn).get_table_names()):
                if table in ("audit_event", "alembic_version"):
                    continue
                rows = conn.execute(text(f'SELECT * FROM "{table}"')).all()
                out[table] = sorted(tuple(str(v) for v in row) for row in rows)
            return out
    finally:
        engine.dispose()


@pytest.fixture
def sample_copy(tmp_path) -> str:
    path = tmp_path / "sample.db"
    shutil.copy(ROOT / "storage" / "sample.db", path)
    path.chmod(0o600)
    return str(path)


def test_missing_database_is_one_line_and_non_zero(tmp_path):
    result = run("--db", str(tmp_path / "nope.db"), "warnings")
    assert result.exit_code != 0
    assert "no database at" in result.stderr
    assert "Traceback" not in result.output + result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert not (tmp_path / "nope.db").exists()


def test_garbage_file_is_refused_cleanly(tmp_path):
    bad = tmp_path / "bad.db"
    bad.write_bytes(b"this is not a database" * 100)
    result = run("--db", str(bad), "warnings")
    assert result.exit_code != 0
    assert "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_unreachable_server_is_one_line(tmp_path):
    result = run("--db", "postgresql+psycopg://someone:secret@127.0.0.1:9/nowhere", "warnings")
    assert result.exit_code != 0
    assert "127.0.0.1:9" in result.stderr
    assert "secret" not in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize("value, reason", [("2026-13-01", "'2026-13-01' is not a real date"),
                                           ("27/11/2026", "'27/11/2026' is not a date (use YYYY-MM-DD)")])
def test_bad_date_option_is_a_usage_error(sample_copy, value, reason):
    result = run("--db", sample_copy, "warnings", "--on", value)
    assert result.exit_code == 2
    assert reason in result.stderr


def test_init_creates_then_reports_up_to_date(tmp_path):
    db = str(tmp_path / "new" / "team.db")
    first = run("--db", db, "init")
    assert first.exit_code == 0, first.stderr
    assert first.stdout.startswith("created")
    again = run("--db", db, "init")
    assert again.exit_code == 0
    assert "up to date" in again.stdout
    assert run("--db", db, "check").exit_code == 0


def test_import_export_round_trip_through_the_command_line(tmp_path):
    first, second = str(tmp_path / "a.db"), str(tmp_path / "b.db")
    for db in (first, second):
        assert run("--db", db, "init").exit_code == 0
    files = sorted(str(p) for p in CSV_DIR.glob("*.csv"))
    imported = run("--db", first, "import", *files)  # the administrator's (no --as)
    assert imported.exit_code == 0, imported.stderr
    assert run("--db", first, "export", str(tmp_path / "out1")).exit_code == 0
    exported = sorted(str(p) for p in (tmp_path / "out1").glob("*.csv"))
    assert len(exported) == 9  # with checkins.csv and not_with.csv (docs/voice.md)
    assert run("--db", second, "import", *exported).exit_code == 0
    assert run("--db", second, "export", str(tmp_path / "out2")).exit_code == 0
    for path in (tmp_path / "out1").glob("*.csv"):
        assert path.read_bytes() == (tmp_path / "out2" / path.name).read_bytes(), path.name
    # Re-importing the same rows changes nothing.
    before = table_rows(second)
    again = run("--db", second, "import", *exported)
    assert again.exit_code == 0
    assert table_rows(second) == before


def test_dry_run_writes_nothing(tmp_path):
    db = str(tmp_path / "a.db")
    run("--db", db, "init")
    before = table_rows(db)
    result = run("--db", db, "import", "--dry-run", *sorted(str(p) for p in CSV_DIR.glob("*.csv")))
    assert result.exit_code == 0, result.stderr
    assert "nothing was written" in result.stdout
    assert table_rows(db) == before


@pytest.mark.parametrize(
    "name, content, column",
    [
        ("contacts.csv", "case_ref,contact_date,practitioner_id,kind,outcome\nNG1001,31/02/2026,N1-01,office,attended\n", "contact_date"),
        ("contacts.csv", "case_ref,contact_date,practitioner_id,kind,outcome\nNG1001,2026-11-01,P-NOBODY,office,attended\n", "practitioner_id"),
        ("contacts.csv", "case_ref,contact_date,practitioner_id,kind,outcome,mood\nNG1001,2026-11-01,N1-01,office,attended,ok\n", "mood"),
        ("cases.csv", "case_ref,display_name,practitioner_id,allocated_on\nZZ1,Ann Example,N1-01,2026-01-01\nZZ1,Ann Example,N1-01,2026-01-01\n", "case_ref"),
    ],
)
def test_broken_csv_names_file_row_column_and_changes_nothing(sample_copy, tmp_path, name, content, column):
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    before = table_rows(sample_copy)
    result = run("--db", sample_copy, "import", str(path))
    assert result.exit_code == 1
    lines = [line for line in result.stderr.splitlines() if not line.startswith("caseload:")]
    assert lines, result.stderr
    assert all(ERROR_LINE.match(line) for line in lines), lines
    assert any(f": {column}: " in line for line in lines), lines
    assert "Traceback" not in result.stderr
    assert table_rows(sample_copy) == before


def test_non_utf8_csv_is_refused(sample_copy, tmp_path):
    path = tmp_path / "contacts.csv"
    path.write_bytes(b"case_ref,contact_date,practitioner_id,kind,outcome\nNG1001,2026-11-01,N1-01,office,attended \xff\xfe\n")
    before = table_rows(sample_copy)
    result = run("--db", sample_copy, "import", str(path))
    assert result.exit_code == 1
    assert "contacts.csv:2:" in result.stderr
    assert "UTF-8" in result.stderr
    assert table_rows(sample_copy) == before


def test_process_killed_mid_import_leaves_nothing_and_passes_check(sample_copy, tmp_path):
    """SIGKILL arrives as the import commits: the file must be consistent, the import absent."""
    contacts = tmp_path / "contacts.csv"
    rows = ["case_ref,contact_date,practitioner_id,kind,outcome"]
    rows += [f"NG1001,2025-{m:02d}-{d:02d},N1-01,phone,attended" for m in range(1, 13) for d in range(1, 29)]
    contacts.write_text("\n".join(rows) + "\n", encoding="utf-8")
    before = table_rows(sample_copy)
    script = textwrap.dedent(
        f"""
        import os, signal, sys
        from sqlalchemy import event
        from sqlalchemy.engine import Engine
        def die(conn):
            os.kill(os.getpid(), signal.SIGKILL)
        event.listen(Engine, "commit", die)
        from tui.cli import main
        sys.argv = ["caseload", "--db", {sample_copy!r}, "import", {str(contacts)!r}]
        main()
        """
    )
    proc = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, timeout=120)
    assert proc.returncode == -9, proc.stderr.decode()
    check = run("--db", sample_copy, "check")
    assert check.exit_code == 0, check.stderr
    assert table_rows(sample_copy) == before


def test_warnings_json_matches_the_spec_and_is_reproducible(sample_copy):
    first = run("--db", sample_copy, "warnings", "--on", "2026-11-27", "--format", "json")
    second = run("--db", sample_copy, "warnings", "--on", "2026-11-27", "--format", "json")
    assert first.exit_code == 0, first.stderr
    assert first.stdout == second.stdout
    data = json.loads(first.stdout)
    assert set(data) == {"as_of", "warnings"}
    assert data["as_of"] == "2026-11-27"
    keys = ["case_ref", "practitioner_id", "rule", "severity", "title", "detail", "action", "facts"]
    assert data["warnings"] and all(list(w) == keys for w in data["warnings"])  # README, Using it, in order
    assert all(w["action"] for w in data["warnings"]), "every warning names what to do"
    rules = {w["rule"] for w in data["warnings"]}
    from planner.risk import RULE_IDS

    assert rules == set(RULE_IDS), set(RULE_IDS) - rules
    # early_window is a status: in the JSON with severity info and its badge
    statuses = [w for w in data["warnings"] if w["rule"] == "early_window"]
    assert statuses and {w["severity"] for w in statuses} == {"info"}
    assert all(w["facts"]["tag"].startswith("new: week ") for w in statuses)


def test_warnings_summary_is_the_alert_burden(sample_copy):
    """docs/rules.md: per practitioner and in total, open cases, cases with a low+
    warning, warnings by severity; info not counted. It agrees with the JSON."""
    listed = json.loads(run("--db", sample_copy, "warnings", "--on", "2026-11-27", "--format", "json").stdout)
    result = run("--db", sample_copy, "warnings", "--on", "2026-11-27", "--summary", "--format", "json")
    assert result.exit_code == 0, result.stderr
    summary = json.loads(result.stdout)
    counted = [w for w in listed["warnings"] if w["severity"] != "info"]
    total = summary["total"]
    assert total["warnings"] == {s: sum(1 for w in counted if w["severity"] == s) for s in ("high", "medium", "low")}
    assert total["cases_warned"] == len({w["case_ref"] for w in counted})
    assert total["open_cases"] == sum(p["open_cases"] for p in summary["practitioners"])
    by = {p["practitioner_id"]: p for p in summary["practitioners"]}
    assert by["N1-10"]["cases_warned"] == by["N1-10"]["open_cases"] > 0  # the leaver's cases all warn
    team = run("--db", sample_copy, "warnings", "--on", "2026-11-27", "--summary", "--team", "YJS-E1")
    assert team.exit_code == 0, team.stderr
    lines = team.stdout.splitlines()
    assert lines[0].split() == ["PRACT", "NAME", "OPEN", "WARNED", "HIGH", "MED", "LOW"]
    assert {line.split()[0] for line in lines[1:-2]} == {f"E1-0{n}" for n in range(1, 8)}
    assert lines[-2].startswith("TOTAL") or lines[-2].startswith("total")
    assert "statuses (info) are not counted" in lines[-1]


def test_warnings_for_an_unknown_practitioner_is_an_error(sample_copy):
    result = run("--db", sample_copy, "warnings", "--practitioner", "NOBODY")
    assert result.exit_code == 2
    assert "unknown practitioner NOBODY" in result.stderr


def test_warnings_csv_escapes_formula_cells(sample_copy):
    result = run("--db", sample_copy, "warnings", "--on", "2026-11-27", "--format", "csv")
    assert result.exit_code == 0
    header, *rows = result.stdout.splitlines()
    assert header == "case_ref,practitioner_id,rule,severity,title,detail,action"
    assert len(rows) > 20
    assert not any(line.startswith(("=", "+", "-", "@")) for line in rows)


def test_week_ics_is_a_valid_calendar(sample_copy, tmp_path):
    import icalendar

    out = tmp_path / "week.ics"
    result = run("--db", sample_copy, "week", "--practitioner", "N1-02", "--week-of", "2026-11-27", "--format", "ics", "--output", str(out))
    assert result.exit_code == 0, result.stderr
    assert oct(out.stat().st_mode & 0o777) == "0o600"
    cal = icalendar.Calendar.from_ical(out.read_bytes())
    events = [c for c in cal.walk("VEVENT")]
    todos = [c for c in cal.walk("VTODO")]
    assert events and todos
    for event in events:
        start = event.decoded("DTSTART")
        day = start.date() if hasattr(start, "date") else start
        assert date(2026, 11, 23) <= day <= date(2026, 11, 29)


def test_week_json_lists_seven_days(sample_copy):
    result = run("--db", sample_copy, "week", "--practitioner", "N1-02", "--week-of", "2026-11-27", "--format", "json")
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert [d["day"] for d in data["days"]] == [f"2026-11-{n}" for n in range(23, 30)]


def test_week_needs_a_practitioner(sample_copy):
    result = run("--db", sample_copy, "week")
    assert result.exit_code == 2
    assert "whose week" in result.stderr


def test_backup_then_check_the_copy(sample_copy, tmp_path):
    dest = tmp_path / "backup.db"
    result = run("--db", sample_copy, "backup", str(dest))
    assert result.exit_code == 0, result.stderr
    assert oct(dest.stat().st_mode & 0o777) == "0o600"
    assert table_rows(str(dest)) == table_rows(sample_copy)


def test_backup_to_a_folder_that_does_not_exist_is_refused(sample_copy, tmp_path):
    """`backup DIR/` names a folder: with no such folder it is refused (file
    problem, exit 5), not written as a file called DIR."""
    missing = tmp_path / "backups"
    result = run("--db", sample_copy, "backup", f"{missing}/")
    assert result.exit_code == 5, result.output
    assert result.stderr.strip() == f"caseload: {missing}: no such folder (give an existing folder, or a file name)"
    assert not missing.exists()
    missing.mkdir()
    result = run("--db", sample_copy, "backup", f"{missing}/")
    assert result.exit_code == 0, result.stderr
    assert [p.suffix for p in missing.iterdir()] == [".db"]


def test_console_script_has_no_traceback_on_error(tmp_path):
    env = dict(os.environ, CASELOAD_DB=str(tmp_path / "missing.db"))
    env.pop("CASELOAD_DEBUG", None)
    proc = subprocess.run([sys.executable, "-m", "tui.cli", "warnings"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)
    assert proc.returncode == 4  # database unavailable (README)
    assert proc.stderr.startswith("caseload: no database at")
    assert "Traceback" not in proc.stderr


def test_warnings_follow_a_policy_with_longer_look_backs(sample_copy, tmp_path):
    """The warnings loader trims rows by look-back windows; a policy with
    longer windows must still get exactly the warnings of the full loader."""
    from planner.policy import load_policy
    from planner.risk import evaluate, warning_to_dict
    from storage.engine import make_engine, session
    from storage.handovers import with_auto_ticks
    from storage.queries import load_cases, load_world

    config = tmp_path / "caseload.toml"
    config.write_text("[cold_handover]\nwindow_days = 400\n\n[practitioner_churn]\nwindow_days = 900\n", encoding="utf-8")
    result = run("--db", sample_copy, "--config", str(config), "warnings", "--on", "2026-11-27", "--format", "json")
    assert result.exit_code == 0, result.stderr
    policy = load_policy(config)
    engine = make_engine(sample_copy, create=False)
    try:
        with session(engine) as s:
            cases, world = load_cases(s), load_world(s)
    finally:
        engine.dispose()
    as_of = date(2026, 11, 27)
    ranked = evaluate(with_auto_ticks(cases, world, as_of, policy), world, as_of, policy)
    expected = [warning_to_dict(w) for risk in ranked for w in risk.warnings]
    assert json.loads(result.stdout)["warnings"] == expected
    default = json.loads(run("--db", sample_copy, "warnings", "--on", "2026-11-27", "--format", "json").stdout)
    assert default["warnings"] != expected  # the longer windows do change what fires


@pytest.mark.parametrize("args", [["warnings", "--on", "2026-02-30"], ["audit", "--since", "2026-02-30"],
                                  ["handover", "departures", "N1-03", "--on", "2026-11-27", "--date", "NG1064=2026-02-30"]])
def test_an_impossible_date_is_not_a_real_date(sample_copy, args):
    result = run("--db", sample_copy, *args)
    assert result.exit_code == 2
    assert "'2026-02-30' is not a real date" in result.output
    assert "YYYY-MM-DD" not in result.output


def test_audit_of_an_unknown_user_is_an_error_like_an_unknown_case(sample_copy):
    case = run("--db", sample_copy, "audit", "--case", "NOPE")
    user = run("--db", sample_copy, "audit", "--user", "NOPE")
    assert case.exit_code == user.exit_code == 2
    assert user.output == "caseload: unknown user NOPE: no practitioner has that id and no audit event names it\n"


def test_audit_of_a_known_user_without_events_is_no_error(sample_copy, monkeypatch):
    practitioner = run("--db", sample_copy, "audit", "--user", "N1-05")
    assert practitioner.exit_code == 0 and practitioner.output == "No audit events.\n"
    monkeypatch.setenv("USER", "someone-else")
    monkeypatch.setenv("LOGNAME", "someone-else")
    run("--db", sample_copy, "backup", str(Path(sample_copy).with_name("b.db")))  # an event by the OS user
    import getpass

    os_user = run("--db", sample_copy, "audit", "--user", getpass.getuser(), "--format", "json")
    assert os_user.exit_code == 0, os_user.output
    assert json.loads(os_user.output)["events"]


def test_copy_counts_read_in_words(sample_copy, tmp_path):
    target = tmp_path / "target.db"
    assert run("--db", str(target), "init").exit_code == 0
    result = run("--db", sample_copy, "copy", "--to", str(target))
    assert result.exit_code == 0, result.output
    counts = dict(line.split(": ", 1) for line in result.output.splitlines())
    assert counts["db_login"] == "0 rows" and counts["team"] == "2 rows"
    assert all(re.fullmatch(r"1 row|(0|[2-9]|\d\d+) rows", text) for text in counts.values()), counts
    from planner.words import plural

    assert [plural(n, "row") for n in (0, 1, 2)] == ["0 rows", "1 row", "2 rows"]
    assert plural(1, "match", "matches") == "1 match" and plural(3, "match", "matches") == "3 matches"


def test_an_import_reports_its_side_effects_in_words():
    from collections import Counter

    from storage.csvio import FileReport

    report = FileReport("p.csv", "practitioners", inserted=1, also=Counter({"teams new": 1, "allocations opened": 2}))
    assert report.describe() == "p.csv (practitioners): 1 new, 0 changed, 0 unchanged; 2 allocations opened, 1 team new"
