"""`caseload handover ...` on a copy of the shipped sample (dates as of
2026-11-27): the leaver's cases all planned in one command, the warnings
following the checklist, the JSON shapes of SPEC §6, one-line errors."""

from __future__ import annotations

import json
from datetime import date

import pytest
from click.testing import CliRunner

from planner.risk import evaluate_case
from storage.engine import make_engine, session
from storage.queries import load_case, load_cases, load_world
from storage.sample import demo_copy, shipped_sample_path
from tui.cli import main

AS_OF = date(2026, 11, 27)
ON = AS_OF.isoformat()
ITEM_KEYS = {"id", "title", "required", "due", "done"}


@pytest.fixture
def db(tmp_path) -> str:
    return str(demo_copy(shipped_sample_path(), tmp_path / "demo", AS_OF))


def run(db: str, *args: str):
    return CliRunner().invoke(main, ["--db", db, "--as", "N1-01", *args], catch_exceptions=False)


def ok(db: str, *args: str) -> str:
    result = run(db, *args)
    assert result.exit_code == 0, result.output
    return result.stdout


def fails_in_one_line(db: str, *args: str) -> str:
    result = run(db, *args)
    assert result.exit_code != 0
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "Traceback" not in result.output
    return lines[0]


def rules_for(db: str, case_ref: str, as_of: date = AS_OF) -> dict:
    engine = make_engine(db)
    try:
        with session(engine) as s:
            case, world = load_case(s, case_ref), load_world(s)
    finally:
        engine.dispose()
    return {w.rule: w for w in evaluate_case(case, world, as_of)}


def leaver_cases(db: str):
    engine = make_engine(db)
    try:
        with session(engine) as s:
            return load_cases(s, practitioner_id="N1-03")
    finally:
        engine.dispose()


def _unplanned_in_the_sample() -> list[tuple[str, frozenset]]:
    """N1-03's cases with no handover planned yet in the shipped sample (the
    lead has planned the rest): (case ref, flags, whether it had a handover before).
    Read through the bare-driver Reader, which writes nothing (an engine would
    switch the shipped file to WAL)."""
    from storage.reader import Database

    with Database(str(shipped_sample_path())).reader() as reader:
        cases = load_cases(reader, practitioner_id="N1-03")
    return [(c.case_ref, c.flags, bool(c.handovers)) for c in cases if c.open_handover is None]


UNPLANNED = _unplanned_in_the_sample()
PLAIN = next(ref for ref, flags, earlier in UNPLANNED if not flags and not earlier)  # six required items


# ------------------------------------------------------------------ departures


def test_the_leavers_cases_are_all_planned_in_one_command_with_checklists(db):
    unplanned = [c.case_ref for c in leaver_cases(db) if c.open_handover is None]
    assert len(unplanned) >= 4
    for ref in unplanned:
        assert "handover_unplanned" in rules_for(db, ref)

    listing = json.loads(ok(db, "handover", "departures", "N1-03", "--on", ON, "--format", "json"))
    assert listing["event"] == {"kind": "leaving", "starts_on": "2026-12-18", "ends_on": None}
    assert sorted(c["case_ref"] for c in listing["cases"]) == sorted(unplanned)
    assert listing["planned"] == []
    for item in listing["cases"]:
        assert item["to"] not in (None, "N1-03", "N1-01", "N1-06")  # leaver, lead, long absence
        assert item["planned_on"] == "2026-12-11"
        assert item["reason"]
        if item["tier"] and item["tier"][0] in "AB":
            assert item["to"] not in ("N1-05", "N1-08")  # PSOs

    out = ok(db, "handover", "departures", "N1-03", "--on", ON, "--apply")
    assert f"planned {len(unplanned)} handover(s)" in out

    for case in leaver_cases(db):
        handover = case.open_handover
        assert handover is not None and len(handover.items) >= 8
        rules = rules_for(db, case.case_ref)
        assert "handover_unplanned" not in rules
        if case.case_ref in unplanned:  # planned for 11 Dec: telling the person is due today
            assert rules["handover_upcoming"].facts["open_items"][0] == "told"
    # nothing left to plan
    again = json.loads(ok(db, "handover", "departures", "N1-03", "--on", ON, "--format", "json"))
    assert again["cases"] == [] and again["event"]["kind"] == "leaving"
    assert "every case already has a handover planned" in ok(db, "handover", "departures", "N1-03", "--on", ON)


def test_departures_for_someone_staying_has_nothing_to_plan(db):
    assert "nothing to plan" in ok(db, "handover", "departures", "N1-02", "--on", ON, "--apply")


def test_ticking_items_moves_the_warning(db):
    ok(db, "handover", "departures", "N1-03", "--on", ON, "--apply")
    ref = PLAIN  # no flags: six required items; planned for Fri 11 Dec
    upcoming = rules_for(db, ref)["handover_upcoming"]
    # SPEC §3 v2: only what is late or due within 3 days counts: telling the person, due today
    assert upcoming.severity == "low" and upcoming.facts["open_items"] == ["told"]

    ok(db, "handover", "tick", ref, "told", "--on", ON, "--note", "agreed")
    assert "handover_upcoming" not in rules_for(db, ref)  # nothing else falls due this week
    later = rules_for(db, ref, date(2026, 12, 9))["handover_upcoming"]  # summary and read late, 2 days to go
    assert later.severity == "high" and later.facts["late_items"] == ["summary", "read"]

    for item in ("summary", "read", "three_way", "booked", "first_contact"):
        ok(db, "handover", "tick", ref, item, "--on", ON)
    assert "handover_upcoming" not in rules_for(db, ref)
    assert "handover_upcoming" not in rules_for(db, ref, date(2026, 12, 9))
    warnings = json.loads(ok(db, "warnings", "--practitioner", "N1-03", "--on", ON, "--format", "json"))
    assert not [w for w in warnings["warnings"] if w["case_ref"] == ref and w["rule"] == "handover_upcoming"]


def test_a_short_absence_gets_named_cover_instead(db):
    out = json.loads(ok(db, "handover", "departures", "N1-08", "--on", ON, "--format", "json"))
    assert out["event"]["kind"] == "short_absence"
    assert out["cases"] == [] and out["cover"]
    assert all(c["cover"] not in (None, "N1-08", "N1-01") for c in out["cover"])


# ------------------------------------------------------------------ list and show


def test_list_json_shape(db):
    out = json.loads(ok(db, "handover", "list", "--on", ON, "--format", "json"))
    assert out["as_of"] == ON
    refs = [h["case_ref"] for h in out["handovers"]]
    assert "NG1007" in refs and "NG1010" not in refs  # open only
    first = out["handovers"][0]
    assert set(first) == {"case_ref", "handover_id", "from", "to", "planned_on", "days_away", "status",
                          "progress"}
    assert set(first["progress"]) == {"done", "total", "required_open", "overdue", "next_item"}
    assert set(first["progress"]["next_item"]) == {"id", "title", "due"}
    team = json.loads(ok(db, "handover", "list", "--team", "NPS-N1", "--on", ON, "--format", "json"))
    assert {h["case_ref"] for h in team["handovers"]} == set(refs)  # the sample's open ones are N1's
    mine = json.loads(ok(db, "handover", "list", "--practitioner", "N1-03", "--on", ON, "--format", "json"))
    planned = {c.case_ref for c in leaver_cases(db) if c.open_handover is not None}
    assert {"NG1007", "NG1009"} <= planned
    assert {h["case_ref"] for h in mine["handovers"]} == planned
    assert "NG1007" in ok(db, "handover", "list", "--on", ON)


def test_show_json_shape_and_items(db):
    out = json.loads(ok(db, "handover", "show", "NG1007", "--on", ON, "--format", "json"))
    assert (out["case_ref"], out["from"], out["to"], out["status"]) == ("NG1007", "N1-03", "N1-09", "in_progress")
    assert out["planned_on"] == "2026-12-07"
    assert {"progress", "items", "cold", "reviewed"} <= set(out)
    for item in out["items"]:
        assert set(item) == ITEM_KEYS
    told = next(i for i in out["items"] if i["id"] == "told")
    assert told["done"] is True and told["required"] is True
    assert "vlo_told" in {i["id"] for i in out["items"]}  # the case's victim_contact flag
    text = ok(db, "handover", "show", "NG1007", "--on", ON)
    assert "[x]" in text and "three_way" in text


def test_show_gives_the_latest_handover_when_none_is_open(db):
    out = json.loads(ok(db, "handover", "show", "NG1010", "--on", ON, "--format", "json"))
    assert out["status"] == "completed_cold" and out["cold"] is True


# ------------------------------------------------------------------ plan, complete, errors


def test_plan_then_complete_with_override_shows_cold(db):
    ref = UNPLANNED[0][0]
    out = ok(db, "handover", "plan", ref, "--to", "N1-07", "--on", "2026-12-11",
             "--reason", "practitioner leaving")
    assert "planned handover" in out and "N1-03 -> N1-07" in out
    line = fails_in_one_line(db, "handover", "plan", ref, "--to", "N1-07", "--on", "2026-12-11")
    assert "already has an open handover" in line

    line = fails_in_one_line(db, "handover", "complete", ref, "--on", "2026-12-11")
    assert "override" in line and "three_way" in line

    out = ok(db, "handover", "complete", ref, "--on", "2026-12-11",
             "--override-reason", "person moved out of area")
    assert "COLD" in out
    shown = json.loads(ok(db, "handover", "show", ref, "--on", "2026-12-20", "--format", "json"))
    assert shown["status"] == "completed_cold" and shown["override_reason"] == "person moved out of area"
    warnings = json.loads(ok(db, "warnings", "--on", "2026-12-20", "--format", "json"))
    cold = [w for w in warnings["warnings"] if w["case_ref"] == ref and w["rule"] == "cold_handover"]
    assert cold and cold[0]["practitioner_id"] == "N1-07"
    assert cold[0]["action"].startswith("team lead to review the handover")


def test_planning_to_an_excluded_receiver_is_allowed_with_a_note(db):
    out = ok(db, "handover", "plan", PLAIN, "--to", "N1-01", "--on", "2026-12-11")
    assert "note: N1-01 is a team lead" in out


@pytest.mark.parametrize("args, words", [
    (("handover", "tick", "NG1007", "tea_made"), "unknown checklist item 'tea_made'"),
    (("handover", "tick", "NOPE1", "told"), "unknown case NOPE1"),
    (("handover", "show", "NOPE1"), "unknown case NOPE1"),
    (("handover", "tick", PLAIN, "told"), "no open handover"),
    (("handover", "plan", PLAIN, "--to", "NOPE", "--on", "2026-12-11"), "unknown practitioner NOPE"),
    (("handover", "departures", "NOPE"), "unknown practitioner NOPE"),
    (("handover", "list", "--team", "NPS-N1", "--practitioner", "N1-03"), "not both"),
    (("handover", "complete", "NG1010"), "no open handover"),
])
def test_errors_are_one_line_and_non_zero(db, args, words):
    assert words in fails_in_one_line(db, *args)
