"""`caseload warnings --format json` is a stable artefact: byte-identical
from run to run, and the same from SQLite and from PostgreSQL holding the
same data (the sample, copied with storage.copy.copy_database)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from storage.copy import copy_database
from storage.db import init_db
from storage.engine import make_engine
from tui.cli import main

ROOT = Path(__file__).resolve().parents[1]
ARGS = ["warnings", "--on", "2026-11-27", "--format", "json"]


@pytest.fixture(autouse=True)
def _no_user_settings(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data-home"))
    monkeypatch.delenv("CASELOAD_DB", raising=False)


@pytest.fixture
def sample_copy(tmp_path) -> str:
    path = tmp_path / "sample" / "sample.db"
    path.parent.mkdir()
    shutil.copy(ROOT / "storage" / "sample.db", path)
    engine = make_engine(str(path))
    try:
        init_db(engine, backup_dir=tmp_path / "backups")  # up to this code's schema if the file lags
    finally:
        engine.dispose()
    return str(path)


def warnings_json(db: str, *extra: str) -> str:
    result = CliRunner().invoke(main, ["--db", db, *ARGS, *extra], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.output


def test_warnings_json_is_byte_identical_across_runs(sample_copy):
    first = warnings_json(sample_copy)
    assert warnings_json(sample_copy) == first
    data = json.loads(first)
    assert data["as_of"] == "2026-11-27" and len(data["warnings"]) > 10


def test_warnings_json_is_the_same_from_every_backend(sample_copy, db_url):
    """db_url: a fresh SQLite file, and a fresh PostgreSQL database when
    CASELOAD_TEST_PG_URL is set."""
    target = make_engine(db_url)
    source = make_engine(sample_copy)
    try:
        init_db(target)
        copy_database(source, target)
    finally:
        source.dispose()
        target.dispose()
    expected = warnings_json(sample_copy)
    assert warnings_json(db_url) == expected
    one = json.loads(expected)["warnings"][0]["practitioner_id"]
    assert warnings_json(db_url, "--practitioner", one) == warnings_json(sample_copy, "--practitioner", one)
