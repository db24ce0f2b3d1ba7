"""`caseload report` (SPEC §12): the hand-computed June of
tests/continuity_kit.py in every format, the same output for the same data
and date, the access rule (team leads of the team and the administrator),
and bad input refused with one line."""

from __future__ import annotations

import csv
import io
import json
from datetime import date

import pytest
from click.testing import CliRunner

from planner.continuity import MEASURE_NAMES
from tests.continuity_kit import EXPECTED_JUNE, seed
from tui.cli import main

JUNE = ["--team", "T1", "--on", "2026-06-30", "--from", "2026-06-01"]


@pytest.fixture
def kit_db(tmp_path) -> str:
    from storage.db import init_db
    from storage.engine import make_engine

    path = str(tmp_path / "kit.db")
    engine = make_engine(path)
    try:
        init_db(engine)
        seed(engine)
    finally:
        engine.dispose()
    return path


def run(db: str, *args: str):
    return CliRunner().invoke(main, ["--db", db, "report", *args])


def test_json_is_the_spec_shape_with_the_hand_computed_figures(kit_db):
    result = run(kit_db, *JUNE, "--format", "json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["team"] == "T1" and data["as_of"] == "2026-06-30"
    assert [m["month"] for m in data["months"]] == ["2026-06"]
    june = data["months"][0]
    assert list(june["practitioners"]) == ["L1", "P1", "P2", "P3"]
    for scope, figures in [("team", june["team"]), *june["practitioners"].items()]:
        assert list(figures) == list(MEASURE_NAMES)
        expected = EXPECTED_JUNE[scope]
        assert figures == {n: (None if expected[n] is None else pytest.approx(expected[n])) for n in MEASURE_NAMES}


def test_twelve_months_by_default(kit_db):
    data = json.loads(run(kit_db, "--team", "T1", "--on", "2026-06-30", "--format", "json").output)
    assert [m["month"] for m in data["months"]][::11] == ["2025-07", "2026-06"]


@pytest.mark.parametrize("fmt", ["table", "md", "csv", "json"])
def test_the_same_data_and_date_print_the_same_report(kit_db, fmt):
    one = run(kit_db, "--team", "T1", "--on", "2026-06-30", "--format", fmt)
    two = run(kit_db, "--team", "T1", "--on", "2026-06-30", "--format", fmt)
    assert one.exit_code == 0 and one.output == two.output


def test_csv_has_a_row_per_month_and_scope(kit_db):
    result = run(kit_db, *JUNE, "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(result.output)))
    assert [r["scope"] for r in rows] == ["team", "L1", "P1", "P2", "P3"]
    team = rows[0]
    assert team["month"] == "2026-06" and team["early_breaks"] == "1" and team["warm_handovers"] == "0.5"
    assert float(team["continuity_index"]) == pytest.approx(5 / 12)
    assert rows[1]["contact_kept"] == ""  # None: nothing to count


def test_markdown_pack_has_tables_and_charts(kit_db):
    md = run(kit_db, *JUNE, "--format", "md").output
    assert md.startswith("# Relationship continuity: team T1 (North)\n")
    assert "| 2026-06 | 4.40 | 17% | 50% | 3.5 | 1 | 0.42 | 56% | 13% | 22% | 11% |" in md
    assert "| P1 | Alex Kent | 5.53 | 33% | 0% | 5.0 | 0 | 0.17 | 50% | 12% | 25% | 0% |" in md
    assert md.count("```text") == 1 + len(MEASURE_NAMES)  # at a glance, then one per measure
    glance = md.split("```text\n")[1].split("```")[0].splitlines()
    assert glance[5].startswith("continuity index") and "▄" in glance[5]  # 0.42 on a 0-1 scale


def test_table(kit_db):
    out = run(kit_db, *JUNE).output
    assert "2026-06  4.40    17%   50%   3.5    1       0.42   56%   13%  22%     11%" in out
    assert "INDEX   continuity index" in out


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--as", "P1", *JUNE], "P1 is not a team lead: only a team lead may see a team's continuity report"),
        (["--as", "L1", "--team", "T2", "--on", "2026-06-30"],
         "L1 leads team T1, not T2: only its lead may see a team's continuity report"),
        (["--team", "T9", "--on", "2026-06-30"], "unknown team T9"),
        (["--team", "T1", "--on", "2026-06-30", "--from", "2026-07-01", "--to", "2026-06-01"],
         "--from 2026-07-01 is after --to 2026-06-01"),
        (["--team", "T1", "--on", "2026-06-30", "--to", "2026-07-01"],
         "--to 2026-07-01 is after the as-of date 2026-06-30"),
    ],
)
def test_refused_with_one_line(kit_db, args, message):
    result = run(kit_db, *args)
    assert result.exit_code == 2
    assert result.output.strip().splitlines() == [f"caseload: {message}"]


def test_the_team_lead_sees_their_team(kit_db):
    result = run(kit_db, "--as", "L1", *JUNE, "--format", "json")
    assert result.exit_code == 0
    assert json.loads(result.output)["months"][0]["team"]["early_breaks"] == 1


def test_the_sample_has_a_team_getting_better_and_one_getting_worse(tmp_path):
    """storage/sample/continuity.py: NPS-N1's winter of changes gives way to
    settled, warm-handed-over cases; YJS-E1's summer starts the opposite."""
    from planner.continuity.text import trend
    from storage.sample import demo_copy, shipped_sample_path

    db = str(demo_copy(shipped_sample_path(), tmp_path, date(2026, 11, 27)))

    def series(team: str, name: str) -> list:
        data = json.loads(run(db, "--team", team, "--on", "2026-11-27", "--format", "json").output)
        return [m["team"][name] for m in data["months"]]

    for name in ("changes_per_person_year", "warm_handovers", "early_breaks"):
        assert trend(name, series("NPS-N1", name)) == "better", name
        assert trend(name, series("YJS-E1", name)) == "worse", name
    assert trend("many_workers", series("YJS-E1", "many_workers")) == "worse"


def test_progress_month_by_month_on_a_terminal_and_nothing_piped(kit_db, monkeypatch):
    import subprocess
    import sys

    from rich.console import Console

    import tui.cli.progress as progress

    screen = io.StringIO()
    monkeypatch.setattr(progress, "_terminal_console",
                        lambda: Console(file=screen, force_terminal=True, width=160, color_system=None))
    assert run(kit_db, "--team", "T1", "--on", "2026-06-30", "--format", "csv").exit_code == 0
    assert "continuity of team T1, month by month" in screen.getvalue() and "12/12" in screen.getvalue()
    piped = subprocess.run([sys.executable, "-m", "tui.cli", "--db", kit_db, "report", "--team", "T1", "--on",
                            "2026-06-30"], capture_output=True, text=True, timeout=120)
    assert piped.returncode == 0 and piped.stderr == ""


def test_the_markdown_pack_parses_as_tables_and_code_blocks(kit_db):
    """What a Markdown viewer renders (CommonMark with GFM tables, as GitHub's
    and VS Code's do): the two tables, and the charts as code blocks, each
    line of the at-a-glance block one measure."""
    from markdown_it import MarkdownIt

    md = run(kit_db, "--team", "T1", "--on", "2026-06-30", "--format", "md").output
    tokens = MarkdownIt("commonmark").enable("table").parse(md)
    assert [t.type for t in tokens].count("table_open") == 2
    fences = [t for t in tokens if t.type == "fence"]
    assert len(fences) == 1 + len(MEASURE_NAMES) and all(f.info == "text" for f in fences)
    assert len(fences[0].content.splitlines()) == len(MEASURE_NAMES)
    rows = [t for t in tokens if t.type == "tr_open"]
    assert len(rows) == (1 + 12) + (1 + 4)  # header and months; header and practitioners
