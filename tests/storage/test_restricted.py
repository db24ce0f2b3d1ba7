"""Restricted cases (§11, §9): seen only by their current practitioner, the
receiver of their open handover and their team's leads, in the app and on
the command line (warnings, exports, search, the case itself), on both
databases (storage.access.restricted_filter). The database's own rule for a
practitioner's PostgreSQL login is tests/storage/test_pg_restricted.py's.

Seed (tests/conftest.py) plus: lead L1 in T1. C1 (T1) is P2's and
restricted; C2 (T1) is P1's and not."""

from __future__ import annotations

import json
from datetime import date

import pytest
from click.testing import CliRunner
from sqlalchemy import text
from sqlmodel import Session

from planner.errors import CaseloadError
from storage import access, repo
from storage.queries import load_cases
from tests.storage.team_helpers import add_lead, add_person


@pytest.fixture
def restricted(engine, seed_cases, db_url):
    seed_cases(engine)
    add_lead(engine, "L1", "T1")
    with engine.begin() as conn:
        conn.execute(text("UPDATE \"case\" SET restricted = true WHERE case_ref = 'C1'"))
    return engine, db_url


def cli(db_url, *args):
    from tui.cli import main

    return CliRunner().invoke(main, ["--db", db_url, *args])


@pytest.mark.parametrize(("who", "sees"), [("P1", False), ("P2", True), ("L1", True), ("P3", False)])
def test_who_sees_a_restricted_case(restricted, who, sees):
    engine, _url = restricted
    with Session(engine) as s:
        me = access.resolve_actor(s, who)
        assert access.can_see_case(s, me, "C1") is sees
        assert ("C1" in access.visible_case_refs(s, me)) is sees
        assert ("C1" in {c.case_ref for c in load_cases(s, team_id="T1", viewer=me)}) is sees
        if who != "P3":  # the same team: the other case is seen either way
            assert access.can_see_case(s, me, "C2")


def test_the_refusal_says_the_case_is_restricted(restricted):
    engine, _url = restricted
    with Session(engine) as s, pytest.raises(CaseloadError) as caught:
        access.check_case_access(s, access.resolve_actor(s, "P1"), "C1")
    assert str(caught.value) == ("case C1 is restricted: P1 is not its practitioner, its planned receiver "
                                 "nor a lead of its team")


def test_a_colleague_cannot_write_to_it(restricted):
    engine, _url = restricted
    with Session(engine) as s, pytest.raises(CaseloadError):
        repo.add_case_note(s, case_ref="C1", text="made-up", author_id="P1", written_on=date(2026, 11, 27),
                           actor="P1")


def test_the_planned_receiver_sees_it_until_then(restricted):
    engine, _url = restricted
    with Session(engine) as s:
        repo.plan_handover(s, case_ref="C1", to_practitioner_id="P1", planned_on=date(2026, 12, 14),
                           actor="L1", as_of=date(2026, 11, 27))
        repo.commit_or_conflict(s)
    with Session(engine) as s:
        assert access.can_see_case(s, access.resolve_actor(s, "P1"), "C1")


def test_commands_and_exports_leave_it_out_for_a_colleague(restricted, tmp_path):
    engine, url = restricted
    for who, sees in (("P1", False), ("L1", True)):
        got = cli(url, "--as", who, "warnings", "--team", "T1", "--on", "2026-11-27", "--format", "json")
        assert got.exit_code == 0, got.output
        refs = {w["case_ref"] for w in json.loads(got.output)["warnings"]}
        assert ("C1" in refs) is sees, (who, refs)
        out = tmp_path / who
        got = cli(url, "--as", who, "export", str(out))
        assert got.exit_code == 0, got.output
        exported = (out / "cases.csv").read_text()
        assert ("C1," in exported) is sees
        assert ("C2," in exported)
    refused = cli(url, "--as", "P1", "handover", "show", "C1")
    assert refused.exit_code != 0 and "restricted" in refused.output


def test_only_a_lead_of_its_team_restricts_a_case(restricted):
    engine, _url = restricted
    with Session(engine) as s:
        with pytest.raises(CaseloadError):
            access.check_restrict(s, "P1", "C2")
        with pytest.raises(CaseloadError):
            access.check_restrict(s, "P3", "C2")  # a lead, of another team
        access.check_restrict(s, "L1", "C2")


def test_the_handover_list_leaves_out_a_colleague_s_restricted_case(restricted):
    engine, url = restricted
    with Session(engine) as s:
        repo.plan_handover(s, case_ref="C2", to_practitioner_id="P2", planned_on=date(2026, 12, 14),
                           actor="L1", as_of=date(2026, 11, 27))
        repo.commit_or_conflict(s)
    with engine.begin() as conn:  # C2 restricted too: P1 holds it, P2 receives it, nobody else of T1 but L1
        conn.execute(text("UPDATE \"case\" SET restricted = true WHERE case_ref = 'C2'"))
    add_person(engine, "P9", "T1")
    for who, sees in (("P9", False), ("P1", True), ("P2", True), ("L1", True)):
        got = cli(url, "--as", who, "handover", "list", "--on", "2026-11-27", "--format", "json")
        assert got.exit_code == 0, got.output
        assert ("C2" in {h["case_ref"] for h in json.loads(got.output)["handovers"]}) is sees, who
