"""Fixtures for the app's pilot and snapshot tests.

`sample_engine` is a private copy of the sample database built for
2026-11-27 (never the shipped file), `AS_OF` the date every test runs at.
The user config folder is redirected so the remembered practitioner of a
test never leaks into another test or into the developer's own settings.
"""

from __future__ import annotations

import asyncio
import inspect
import shutil
from pathlib import Path

import pytest

from tests.tui.helpers import AS_OF


@pytest.hookimpl(tryfirst=True)
def pytest_pyfunc_call(pyfuncitem):
    """Run `async def` tests on a fresh event loop (the pilot needs one);
    this avoids a plugin dependency for the few lines it takes."""
    if inspect.iscoroutinefunction(pyfuncitem.obj):
        args = {name: pyfuncitem.funcargs[name] for name in pyfuncitem._fixtureinfo.argnames}
        asyncio.run(pyfuncitem.obj(**args))
        return True
    return None


@pytest.fixture(autouse=True)
def _private_config(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.delenv("CASELOAD_BENCH_OUT", raising=False)


@pytest.fixture(scope="session")
def sample_master(tmp_path_factory) -> Path:
    """The sample, built once per test session by storage.sample."""
    from storage.sample import build_sample

    path = tmp_path_factory.mktemp("sample") / "sample.db"
    build_sample(path, built_for=AS_OF)
    return path


@pytest.fixture
def sample_path(sample_master, tmp_path) -> Path:
    dest = tmp_path / "db" / "sample.db"
    dest.parent.mkdir(mode=0o700)
    shutil.copy2(sample_master, dest)
    return dest


@pytest.fixture
def sample_engine(sample_path):
    from storage.engine import make_engine

    eng = make_engine(str(sample_path), create=False)
    try:
        yield eng
    finally:
        eng.dispose()


@pytest.fixture
def make_app(sample_engine, tmp_path):
    """Build the app on the sample copy: make_app("E1-02", privacy=False)."""
    from tui.app import CaseloadApp

    def build(practitioner_id: str | None = "E1-02", **kwargs):
        kwargs.setdefault("as_of", AS_OF)
        kwargs.setdefault("state_file", tmp_path / "state.json")
        return CaseloadApp(sample_engine, practitioner_id=practitioner_id, **kwargs)

    return build
