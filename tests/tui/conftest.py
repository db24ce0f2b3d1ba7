"""Fixtures for the app's pilot and snapshot tests.

`sample_engine` is a private copy of the sample database built for
2026-11-27 (never the shipped file), `AS_OF` the date every test runs at.
Tests that use it run on every backend of tests/conftest.py: the SQLite
file, and, when CASELOAD_TEST_PG_URL is set, a fresh PostgreSQL database
holding the same rows (copied once per session into a template database
with storage.copy.copy_database, then `CREATE DATABASE ... TEMPLATE`).
Snapshot tests (`snap_compare`) and tests that use the file itself
(`sample_path`) stay on SQLite only, under their unchanged ids.
The user config folder is redirected so the remembered practitioner of a
test never leaks into another test or into the developer's own settings.
"""

from __future__ import annotations

import asyncio
import inspect
import shutil
from pathlib import Path

import pytest

from tests.conftest import BACKENDS, PG_URL, _admin_engine
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


def pytest_generate_tests(metafunc):
    """Parametrise `sample_engine` over the backends, except for snapshot
    tests (one picture file per test id) and tests that also need the
    SQLite file (`sample_path`): those keep running on SQLite as before."""
    names = metafunc.fixturenames
    if "sample_engine" in names and "snap_compare" not in names and "sample_path" not in names:
        metafunc.parametrize("sample_engine", BACKENDS, indirect=True)


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


@pytest.fixture(scope="session")
def sample_pg_template(sample_master):
    """The name of a PostgreSQL database holding the sample, made once per
    session (per xdist worker) as the template of each test's database;
    dropped at the end. No connection to it is left open."""
    import uuid

    from sqlalchemy import text
    from sqlalchemy.engine import make_url

    from storage.copy import copy_database
    from storage.db import init_db
    from storage.engine import make_engine

    assert PG_URL, "CASELOAD_TEST_PG_URL is not set"
    name = "tpl_" + uuid.uuid4().hex[:16]
    admin = _admin_engine()
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        url = make_url(PG_URL).set(database=name).render_as_string(hide_password=False)
        src, dst = make_engine(str(sample_master), create=False), make_engine(url)
        try:
            init_db(dst)
            copy_database(src, dst)
        finally:
            src.dispose()
            dst.dispose()
        yield name
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture
def sample_engine(request):
    """An engine on a private copy of the sample: the SQLite file of
    `sample_path`, or (param "postgresql") a new PostgreSQL database made
    from `sample_pg_template`."""
    from storage.engine import make_engine

    backend = getattr(request, "param", "sqlite")
    if backend == "sqlite":
        eng = make_engine(str(request.getfixturevalue("sample_path")), create=False)
    else:
        template = request.getfixturevalue("sample_pg_template")
        eng = make_engine(request.getfixturevalue("new_pg_database")(template))
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
