"""Progress of long commands (issue 18, item 8; README "Progress"): on a
terminal, a bar per step with counts on standard error; piped, nothing."""

from __future__ import annotations

import io
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from rich.console import Console

import tui.cli.progress as progress
from storage.progress import NO_PROGRESS
from tui.cli import main

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def sample(tmp_path) -> Path:
    path = tmp_path / "sample.db"
    shutil.copyfile(ROOT / "sample.db", path)
    path.chmod(0o600)
    return path


@pytest.fixture
def terminal(monkeypatch) -> io.StringIO:
    """Standard error as a terminal: what rich draws lands in the buffer."""
    screen = io.StringIO()
    monkeypatch.setattr(progress, "_terminal_console",
                        lambda: Console(file=screen, force_terminal=True, width=160, color_system=None))
    return screen


def caseload(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "tui.cli", *args], cwd=ROOT, capture_output=True, text=True,
                          timeout=120)


def test_piped_commands_print_no_progress(sample, tmp_path):
    exported = caseload("--db", str(sample), "export", str(tmp_path / "out"))
    assert exported.returncode == 0, exported.stderr
    assert exported.stderr == ""
    contacts = tmp_path / "out" / "contacts.csv"
    imported = caseload("--db", str(sample), "import", str(contacts), "--dry-run")
    assert imported.returncode == 0, imported.stderr
    assert imported.stderr == ""
    assert "contacts.csv (contacts)" in imported.stdout  # the report itself, on standard output


def test_piped_progress_is_nothing_and_loads_no_rich():
    code = ("import sys\nfrom tui.cli.progress import shown\nfrom storage.progress import NO_PROGRESS\n"
            "with shown() as p:\n    print(p is NO_PROGRESS, 'rich' in sys.modules)")
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert done.stdout.split() == ["True", "False"], done.stderr


def test_import_on_a_terminal_shows_each_file_with_its_counts(sample, tmp_path, terminal):
    runner = CliRunner()
    assert runner.invoke(main, ["--db", str(sample), "export", str(tmp_path / "out")]).exit_code == 0
    contacts = tmp_path / "out" / "contacts.csv"
    rows = len(contacts.read_text(encoding="utf-8").splitlines()) - 1
    assert rows > 2048  # more than one report's worth (storage.progress.EVERY)
    terminal.truncate(0)
    result = runner.invoke(main, ["--db", str(sample), "import", str(contacts), "--dry-run"])
    assert result.exit_code == 0, result.output
    drawn = terminal.getvalue()
    assert "contacts.csv (contacts)" in drawn
    assert f"{rows}/{rows}" in drawn
    assert "left" in drawn


def test_export_on_a_terminal_counts_the_rows_of_each_file(sample, tmp_path, terminal):
    result = CliRunner().invoke(main, ["--db", str(sample), "export", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    drawn = terminal.getvalue()
    practitioners = len((tmp_path / "out" / "practitioners.csv").read_text(encoding="utf-8").splitlines()) - 1
    assert f"practitioners.csv" in drawn
    assert f"{practitioners}/?" in drawn  # counted as written; the total is not known beforehand


def test_copy_on_a_terminal_counts_each_table(sample, tmp_path, terminal):
    target = tmp_path / "target.db"
    runner = CliRunner()
    assert runner.invoke(main, ["--db", str(target), "init"]).exit_code == 0
    terminal.truncate(0)
    result = runner.invoke(main, ["--db", str(sample), "copy", "--to", str(target)])
    assert result.exit_code == 0, result.output
    line = next(line for line in result.output.splitlines() if line.startswith("practitioner:"))
    count = int(line.split()[1])
    assert f"{count}/{count}" in terminal.getvalue()


def test_rebalance_on_a_terminal_shows_the_search_against_its_time_limit(sample, terminal):
    result = CliRunner().invoke(main, ["--db", str(sample), "--as", "N1-01", "rebalance", "--team", "NPS-N1",
                                       "--on", "2026-11-27", "--time-limit", "3"])
    assert result.exit_code == 0, result.output
    drawn = terminal.getvalue()
    assert "searching for moves in team NPS-N1" in drawn
    assert "of 3 s" in drawn


def test_storage_defaults_to_no_progress():
    advance = NO_PROGRESS.task("anything", 10)
    assert advance(5) is None
