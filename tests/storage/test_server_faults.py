"""The PostgreSQL server going away under the app: a clear one-line error
and a retry, never a traceback, and nothing acknowledged is lost.

These tests start their OWN throwaway server with `.ci/pg.sh start DIR PORT`
on a spare port (never the shared CI server, which other tests use), stop
it and start it again. PostgreSQL only: collected only when
CASELOAD_TEST_PG_URL is set (as `.ci/run` sets it), so never a skip.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import create_engine, text
from sqlmodel import Session

from storage import repo
from storage.db import init_db
from storage.engine import make_engine
from storage.serverops import ServerUnavailable, run_unit
from tui.cli import main

PG_URL = os.environ.get("CASELOAD_TEST_PG_URL")
PG_SH = Path(__file__).resolve().parents[2] / ".ci" / "pg.sh"
D = date.fromisoformat


def spare_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class OwnServer:
    """A throwaway PostgreSQL server of this module's own."""

    def __init__(self) -> None:
        self.root = Path(tempfile.mkdtemp(prefix="caseload-faults-"))
        self.root.chmod(0o755)  # pg.sh runs the server as the postgres user
        self.data = self.root / "data"
        self.port = spare_port()
        self.url = ""

    def start(self) -> None:
        out = subprocess.run([str(PG_SH), "start", str(self.data), str(self.port)],
                             capture_output=True, text=True, check=True)
        self.url = out.stdout.strip().splitlines()[-1]

    def stop(self) -> None:
        subprocess.run([str(PG_SH), "stop", str(self.data)], capture_output=True, check=True)

    def new_database(self, name: str) -> str:
        admin = create_engine(self.url, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        admin.dispose()
        return self.url.rsplit("/", 1)[0] + f"/{name}"


@pytest.fixture(scope="module")
def server():
    own = OwnServer()
    own.start()
    try:
        yield own
    finally:
        own.stop()
        shutil.rmtree(own.root, ignore_errors=True)


@pytest.fixture
def db(server, request, seed_cases):
    """A caseload database with the seed data on the module's own server."""
    url = server.new_database("faults_" + request.node.name.split("[")[0][-40:].lower())
    engine = make_engine(url)
    init_db(engine)
    seed_cases(engine)
    engine.dispose()
    return url


def cli(*args: str):
    result = CliRunner().invoke(main, list(args), catch_exceptions=False)
    assert "Traceback" not in result.output
    return result


def contact_count(url: str) -> int:
    engine = create_engine(url)
    with engine.connect() as conn:
        n = conn.execute(text("SELECT count(*) FROM contact")).scalar_one()
    engine.dispose()
    return n


def test_the_command_line_says_so_in_one_line_and_the_retry_works(server, db):
    planned = cli("--db", db, "--as", "P1", "handover", "plan", "C2", "--to", "P2", "--on", "2026-12-14",
                  "--as-of", "2026-11-27")
    assert planned.exit_code == 0, planned.output
    server.stop()
    try:
        down = cli("--db", db, "--as", "P1", "handover", "tick", "C2", "read", "--on", "2026-11-27")
        assert down.exit_code != 0
        lines = down.output.strip().splitlines()
        assert len(lines) == 1, down.output
        assert lines[0].startswith(f"caseload: cannot connect to the database server at 127.0.0.1:{server.port}")
    finally:
        server.start()
    # Everything acknowledged before the stop is there; the same command now works.
    shown = cli("--db", db, "handover", "show", "C2", "--on", "2026-11-27", "--format", "json")
    assert shown.exit_code == 0 and '"status": "planned"' in shown.output
    again = cli("--db", db, "--as", "P1", "handover", "tick", "C2", "read", "--on", "2026-11-27")
    assert again.exit_code == 0, again.output
    assert again.output.startswith("ticked 'Incoming practitioner has read the record and the summary' of C2")


def record(case_ref: str, day: str):
    def work(s: Session) -> int:
        return repo.record_contact(s, case_ref=case_ref, contact_date=D(day), practitioner_id="P1",
                                   kind="office", outcome="attended", actor="P1")
    return work


def test_a_long_running_app_gets_a_notice_then_its_retry_succeeds(server, db):
    """One engine for the whole session, as the app holds one: its pooled
    connections die with the server; pool_pre_ping replaces them after."""
    engine = make_engine(db)
    try:
        acknowledged = [run_unit(engine, record("C2", "2026-11-20"))]
        server.stop()
        try:
            with pytest.raises(ServerUnavailable) as caught:
                run_unit(engine, record("C2", "2026-11-21"), attempts=2)
            message = str(caught.value)
            assert "\n" not in message and f"127.0.0.1:{server.port}" in message
            assert message.endswith("nothing was saved: try again when it is back")
        finally:
            server.start()
        acknowledged.append(run_unit(engine, record("C2", "2026-11-21")))  # the retry
        with Session(engine) as s:
            ids = s.execute(text("SELECT id FROM contact WHERE case_id = "
                                 "(SELECT id FROM \"case\" WHERE case_ref = 'C2') "
                                 "AND contact_date >= '2026-11-20' ORDER BY id")).scalars().all()
            events = s.execute(text("SELECT count(*) FROM audit_event WHERE entity = 'contact'")).scalar_one()
        assert ids == acknowledged and events == 2
    finally:
        engine.dispose()


def test_the_server_stopping_in_the_middle_of_a_change_saves_none_of_it(server, db):
    before = contact_count(db)
    engine = make_engine(db)

    def two_contacts_with_a_crash_between(s: Session) -> None:
        repo.record_contact(s, case_ref="C1", contact_date=D("2026-11-24"), practitioner_id="P2",
                            kind="phone", outcome="attended", actor="P2")
        if server_up[0]:
            server.stop()
            server_up[0] = False
        repo.record_contact(s, case_ref="C1", contact_date=D("2026-11-25"), practitioner_id="P2",
                            kind="phone", outcome="attended", actor="P2")

    server_up = [True]
    try:
        with pytest.raises(ServerUnavailable, match="nothing was saved"):
            run_unit(engine, two_contacts_with_a_crash_between, attempts=2)
    finally:
        server.start()
        engine.dispose()
    assert contact_count(db) == before  # the half-made change is gone with the transaction


if not PG_URL:  # no server given: nothing to collect (never a skip); `.ci/run` always sets it
    for _name in [n for n in globals() if n.startswith("test_")]:
        del globals()[_name]
