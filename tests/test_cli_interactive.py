"""`caseload` with no command, the app (issue 18, items 3 and 9): an unknown
`--as` ends in the command line's one-line error before Textual starts, and
the practitioner chosen in the app is remembered per database."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tui import state
from tui.cli.base import Ctx

ROOT = Path(__file__).resolve().parents[1]


def sample_at(path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(ROOT / "sample.db", path)
    path.chmod(0o600)
    return path


def run_main(args: list[str]) -> subprocess.CompletedProcess:
    code = ("import sys\nfrom tui.startup import main\n"
            f"try:\n    main({args!r})\nexcept SystemExit as e:\n    code = e.code\n"
            "print('EXIT', code, 'textual' in sys.modules)")
    return subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120)


@pytest.mark.parametrize("where", [["--as", "N9-99"], ["--as", "N9-99", "demo"], ["demo", "--as", "N9-99"]])
def test_an_unknown_practitioner_is_the_one_line_error_before_textual_starts(tmp_path, where):
    db = sample_at(tmp_path / "sample.db")
    done = run_main(["--db", str(db), *where])
    assert done.stdout.strip().splitlines()[-1] == "EXIT 2 False", done.stdout + done.stderr
    assert done.stderr == "caseload: --as N9-99: no such practitioner\n"


def test_the_app_error_is_the_same_as_a_command_error(tmp_path):
    db = sample_at(tmp_path / "sample.db")
    app = run_main(["--db", str(db), "--as", "N9-99"])
    command = run_main(["--db", str(db), "--as", "N9-99", "warnings"])
    assert app.stderr == command.stderr
    assert app.stdout.split()[:2] == command.stdout.split()[:2] == ["EXIT", "2"]


class _Started(Exception):
    """Raised instead of starting Textual: what the app would have opened on."""


@pytest.fixture
def opened(monkeypatch, tmp_path):
    """run_app up to the app: returns (first practitioner read, state file)."""
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    from tui.data import FirstRead

    seen = {}

    def start(cls, gateway, first, as_of, **kwargs):
        seen["first"] = first
        raise _Started

    monkeypatch.setattr(FirstRead, "start", classmethod(start))

    def open_app(db: Path, actor_id: str | None = None, **kwargs):
        from tui.cli.interactive import run_app

        with pytest.raises(_Started):
            run_app(Ctx(db=str(db), actor_id=actor_id, config=None), **kwargs)
        return seen["first"]

    return open_app


def test_the_remembered_practitioner_is_per_database(opened, tmp_path):
    one, other = sample_at(tmp_path / "one" / "caseload.db"), sample_at(tmp_path / "other" / "caseload.db")
    from storage.reader import Database
    from tui.cli.interactive import database_label

    state.save_practitioner("N1-02", state.state_path(database_label(Database(str(one)))))
    assert opened(one) == "N1-02"
    assert opened(other) is None  # the choice made on `one` is not offered on `other`
    assert opened(other, "N1-05") == "N1-05"  # --as wins


def test_a_remembered_practitioner_the_database_does_not_know_is_forgotten(opened, tmp_path):
    db = sample_at(tmp_path / "caseload.db")
    from storage.reader import Database
    from tui.cli.interactive import database_label

    path = state.state_path(database_label(Database(str(db))))
    state.save_practitioner("N9-99", path)
    assert opened(db) is None
    assert state.saved_practitioner(path) is None


def test_state_files_differ_by_database_and_hold_no_path(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    a, b = state.state_path("sqlite:/a/caseload.db"), state.state_path("sqlite:/b/caseload.db")
    assert a != b and a.parent == b.parent == state.state_path().parent
    state.save_practitioner("N1-02", a)
    assert state.saved_practitioner(a) == "N1-02" and state.saved_practitioner(b) is None
    assert "caseload.db" not in a.read_text(encoding="utf-8")
