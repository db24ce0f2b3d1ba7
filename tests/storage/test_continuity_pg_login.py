"""The continuity report through practitioners' own PostgreSQL logins (SPEC
§12; storage/access/, the row-level policies): the team lead's login gets
its team's figures, the same as the administrator's on the hand-computed
June of tests/continuity_kit.py; the logins of a practitioner of the team
and of one of another team are refused.

PostgreSQL only: collected only when CASELOAD_TEST_PG_URL names a server (as
`.ci/run` sets it), so there is never a skip."""

from __future__ import annotations

import json
import os
import uuid

import pytest
from click.testing import CliRunner

from planner.continuity import MEASURE_NAMES
from tests.continuity_kit import EXPECTED_JUNE, seed
from tests.storage.team_helpers import PASSWORD, drop_logins, login_url
from tui.cli import main

PG_URL = os.environ.get("CASELOAD_TEST_PG_URL")
JUNE = ["report", "--team", "T1", "--on", "2026-06-30", "--from", "2026-06-01", "--format", "json"]


@pytest.fixture
def kit_server(pg_database):
    from storage.db import init_db
    from storage.engine import make_engine
    from storage.serverops import add_login

    engine = make_engine(pg_database)
    init_db(engine)
    seed(engine)
    suffix = uuid.uuid4().hex[:8]
    logins = {"L1": f"l1_{suffix}", "P1": f"p1_{suffix}", "Q1": f"q1_{suffix}"}
    for pid, login in logins.items():
        add_login(engine, practitioner_id=pid, login=login, password=PASSWORD, actor="admin")
    try:
        yield pg_database, logins
    finally:
        engine.dispose()
        drop_logins(pg_database, logins.values())


def test_the_leads_own_login_gets_the_teams_figures(kit_server):
    url, logins = kit_server
    as_lead = CliRunner().invoke(main, ["--db", login_url(url, logins["L1"]), *JUNE])
    as_owner = CliRunner().invoke(main, ["--db", url, *JUNE])
    assert as_lead.exit_code == 0, as_lead.output
    assert as_lead.output == as_owner.output
    team = json.loads(as_lead.output)["months"][0]["team"]
    expected = EXPECTED_JUNE["team"]
    assert team == {n: (None if expected[n] is None else pytest.approx(expected[n])) for n in MEASURE_NAMES}


@pytest.mark.parametrize(("who", "message"), [
    ("P1", "P1 is not a team lead: only a team lead may see a team's continuity report"),
    ("Q1", "Q1 is not a team lead: only a team lead may see a team's continuity report"),
])
def test_other_logins_are_refused(kit_server, who, message):
    url, logins = kit_server
    result = CliRunner().invoke(main, ["--db", login_url(url, logins[who]), *JUNE])
    assert result.exit_code == 2
    assert result.output.strip().splitlines() == [f"caseload: {message}"]


if not PG_URL:  # no server given: nothing to collect (never a skip); `.ci/run` always sets it
    for _name in [n for n in globals() if n.startswith("test_")]:
        del globals()[_name]
