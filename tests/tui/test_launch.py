"""`caseload` with only the app's options starts the app without the command
line (tui/launch.py): click is never imported, and what it takes and refuses
is what the command line takes and refuses."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

import pytest

from tui.launch import SWITCH, app_options

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize(("argv", "options"), [
    ([], {}),
    (["--db", "x.db"], {"db": "x.db"}),
    (["--db=x.db", "--as", "N1-02", "--privacy"], {"db": "x.db", "actor_id": "N1-02", "privacy": True}),
    (["--privacy", "--on", "2026-11-27", "--config", "c.toml"],
     {"privacy": True, "as_of": date(2026, 11, 27), "config": "c.toml"}),
    # every date the command line's --on takes (planner.validate.iso_date), the compact form too
    (["--on", "20261127"], {"as_of": date(2026, 11, 27)}),
])
def test_the_app_options_alone_are_read_here(argv, options, monkeypatch):
    monkeypatch.delenv(SWITCH, raising=False)
    assert app_options(argv) == options


@pytest.mark.parametrize("argv", [
    ["warnings"], ["--db", "x.db", "demo"], ["--help"], ["-h"], ["--version"],
    ["--as", "N1-01", "--as", "N1-02"], ["--privacy", "--privacy"], ["--db"], ["--db", "--as", "N1-01"],
    ["--db="], ["--on", "2026-02-30"], ["--on", "1899-12-31"], ["--on", "3000-01-01"], ["--on", "soon"],
    ["--config", "/"], ["--", "--db", "x.db"], ["--unknown"],
])
def test_anything_else_goes_to_the_command_line(argv, monkeypatch):
    monkeypatch.delenv(SWITCH, raising=False)
    assert app_options(argv) is None


def test_the_switch_sends_every_start_through_the_command_line(monkeypatch):
    monkeypatch.setenv(SWITCH, "click")
    assert app_options(["--db", "x.db"]) is None


def _run(args: list[str], tmp_path: Path, **env) -> subprocess.CompletedProcess:
    code = ("import sys\nfrom tui.startup import main\n"
            f"try:\n    main({args!r})\n    code = 0\nexcept SystemExit as e:\n    code = e.code\n"
            "print('EXIT', code, 'click' in sys.modules, 'textual' in sys.modules)")
    environ = dict(os.environ, XDG_CONFIG_HOME=str(tmp_path / "config"), **env)
    return subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120,
                          env=environ, stdin=subprocess.DEVNULL)


def test_the_app_starts_and_paints_without_click(sample_path, tmp_path):
    out = tmp_path / "painted"
    done = _run(["--db", str(sample_path), "--as", "N1-02", "--on", "2026-11-27"], tmp_path,
                CASELOAD_BENCH_OUT=str(out), CASELOAD_BENCH_T0=repr(time.time()))
    assert done.stdout.strip().splitlines()[-1] == "EXIT 0 False True", done.stdout + done.stderr
    assert int(out.read_text().split()[1]) > 0  # the first frame had the caseload's rows


@pytest.mark.parametrize("switch", [None, "click"])
def test_a_refusal_is_the_command_line_s_line_and_status(sample_path, tmp_path, switch):
    env = {SWITCH: switch} if switch else {}
    done = _run(["--db", str(sample_path), "--as", "N9-99"], tmp_path, **env)
    assert done.stdout.strip().splitlines()[-1] == "EXIT 2 True False", done.stdout + done.stderr
    assert done.stderr == "caseload: --as N9-99: no such practitioner\n"


def test_a_missing_database_is_status_4_as_on_the_command_line(tmp_path):
    missing = str(tmp_path / "none.db")
    fast = _run(["--db", missing, "--as", "N1-02"], tmp_path)
    command = _run(["--db", missing, "--as", "N1-02"], tmp_path, **{SWITCH: "click"})
    assert fast.stderr == command.stderr and fast.stderr.startswith("caseload: ")
    assert fast.stdout.split()[:2] == command.stdout.split()[:2] == ["EXIT", "4"]
