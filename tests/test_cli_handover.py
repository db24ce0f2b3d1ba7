"""`caseload handover ...` on a copy of the shipped sample (dates as of
2026-11-27): the leaver's cases all planned in one command, the warnings
following the checklist, the JSON shapes of README, Using it, one-line errors."""

from __future__ import annotations

import json
from datetime import date, timedelta

import pytest
from click.testing import CliRunner

from planner.exclusions import fmt_day
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


def _unplanned_in_the_sample() -> list:
    """N1-03's cases with no handover planned yet in the shipped sample (the
    lead has planned the rest). Read through the bare-driver Reader, which
    writes nothing (an engine would switch the shipped file to WAL)."""
    from storage.reader import Database

    with Database(str(shipped_sample_path())).reader() as reader:
        cases = load_cases(reader, practitioner_id="N1-03")
    return [c for c in cases if c.open_handover is None]


#: (case ref, flags, whether it had a handover before) of N1-03's unplanned cases
UNPLANNED = [(c.case_ref, c.flags, bool(c.handovers)) for c in _unplanned_in_the_sample()]
#: no flags (seven required items), no handover before, and a tier a PSO may hold
PLAIN = next(c.case_ref for c in _unplanned_in_the_sample()
             if not c.flags and not c.handovers and not (c.tier and c.tier[0] in "AB"))
#: one of them a PSO may not hold: (case ref, tier)
TIER_AB = next((c.case_ref, c.tier) for c in _unplanned_in_the_sample() if c.tier and c.tier[0] in "AB")


def _away_in_the_sample(pid: str) -> date:
    """A working day on which `pid` is away on a long absence in the shipped sample."""
    from planner.calendar import working_days
    from storage.reader import Database

    with Database(str(shipped_sample_path())).reader() as reader:
        world = load_world(reader)
    leave = next(a for a in world.absences_of(pid)
                 if a.start_date > AS_OF and a.last_day - a.start_date >= timedelta(days=27))
    return working_days().add(leave.start_date, 1)


#: N1-06 is on twelve weeks' leave (from 21 Dec in the sample); a working day in it
N1_06_AWAY = _away_in_the_sample("N1-06")


# ------------------------------------------------------------------ departures


def test_the_leavers_cases_are_staggered_two_a_day_to_nobody_over_the_target(db):
    unplanned = [c.case_ref for c in leaver_cases(db) if c.open_handover is None]
    assert len(unplanned) >= 4  # 5 in the sample; the lead has planned the rest, two a working day
    for ref in unplanned:
        assert "handover_unplanned" in rules_for(db, ref)

    listing = json.loads(ok(db, "handover", "departures", "N1-03", "--on", ON, "--format", "json"))
    assert listing["event"] == {"kind": "leaving", "starts_on": "2026-12-18", "ends_on": None}
    assert sorted(c["case_ref"] for c in listing["cases"]) == sorted(unplanned)
    assert listing["planned"] == []
    per_day: dict[str, int] = {}
    for planned in json.loads(ok(db, "handover", "list", "--practitioner", "N1-03", "--on", ON,
                                 "--format", "json"))["handovers"]:
        if planned["from"] == "N1-03":
            per_day[planned["planned_on"]] = per_day.get(planned["planned_on"], 0) + 1
    for item in listing["cases"]:
        per_day[item["planned_on"]] = per_day.get(item["planned_on"], 0) + 1
        assert date.fromisoformat(item["planned_on"]).weekday() < 5
        assert item["planned_on"] >= "2026-12-04"  # as-of + 7 at the earliest
        assert item["to"] not in ("N1-03", "N1-01", "N1-06")  # leaver, lead, long absence
        assert item["reason"]
        if item["tier"] and item["tier"][0] in "AB":
            assert item["to"] not in ("N1-05", "N1-08")  # PSOs
        if item["to"] is not None:
            assert item["capacity_pct_after"] <= 110  # nobody over the target
            assert all(c["capacity_pct_after"] <= 110 for c in item["candidates"])
    # at most two a day, counting the handovers N1-03 already has planned (her days before she
    # goes are full but for one slot on two of them)
    assert max(per_day.values()) <= 2
    assert any(per_day[c["planned_on"]] == 2 and c["planned_on"] < "2026-12-18" for c in listing["cases"])
    # each suggestion counts the ones made before it: a receiver's capacity after grows
    after: dict[str, float] = {}
    for item in listing["cases"]:
        if item["to"] is not None:
            assert item["capacity_pct_after"] > after.get(item["to"], 0)
            after[item["to"]] = item["capacity_pct_after"]
    # riskiest first; the cases without 14 days' notice are named
    scores = [c["risk_score"] for c in sorted(listing["cases"], key=lambda c: c["planned_on"])]
    assert scores == sorted(scores, reverse=True)
    assert listing["short_notice"] == [c["case_ref"] for c in listing["cases"] if c["notice_days"] < 14]
    assert listing["late"] == [c["case_ref"] for c in listing["cases"] if c["planned_on"] >= "2026-12-18"]
    assert listing["short_notice"] and listing["late"]
    no_receiver = [c["case_ref"] for c in listing["cases"] if c["to"] is None]
    # a tier A or B case: no PO has room under 110 %, and the PSOs may not hold it
    assert [c for c in listing["cases"]
            if c["to"] is None and (c["tier"] or " ")[0] in "AB" and not c["candidates"]]
    assert all("choose a receiver by hand" in c["reason"] for c in listing["cases"] if c["to"] is None)

    shown = ok(db, "handover", "departures", "N1-03", "--on", ON)
    assert "nothing is planned yet" in shown and "at most 2 a working day for N1-03, riskiest first" in shown
    assert "under 14 days' notice: " + ", ".join(listing["short_notice"]) in shown
    assert "no working day left before N1-03 goes: " + ", ".join(listing["late"]) in shown
    assert not [c for c in leaver_cases(db) if c.case_ref in unplanned and c.open_handover is not None]

    late = listing["late"][-1]
    out = ok(db, "handover", "departures", "N1-03", "--on", ON, "--apply", "--date", f"{late}=2026-12-16",
             *(arg for ref in no_receiver for arg in ("--receiver", f"{ref}=N1-09")))
    assert f"planned {len(unplanned)} handovers" in out
    # the lead's date is taken, and the list says it makes a third that day for N1-03
    assert per_day["2026-12-16"] == 2 and late not in per_day_of(listing, "2026-12-16")
    assert ("3 handovers for N1-03 on Wed 16 Dec counting those already planned: more than the 2 a working "
            "day suggested") in out
    handovers = {c.case_ref: c.open_handover for c in leaver_cases(db)}
    assert [handovers[ref].to_practitioner_id for ref in no_receiver] == ["N1-09"] * len(no_receiver)
    assert handovers[late].planned_on == date(2026, 12, 16)
    for ref in unplanned:
        assert handovers[ref] is not None and len(handovers[ref].items) >= 8
        rules = rules_for(db, ref)
        assert "handover_unplanned" not in rules
    # nothing left to plan
    again = json.loads(ok(db, "handover", "departures", "N1-03", "--on", ON, "--format", "json"))
    assert again["cases"] == [] and again["event"]["kind"] == "leaving"
    assert "every case already has a handover planned" in ok(db, "handover", "departures", "N1-03", "--on", ON)


def per_day_of(listing: dict, day: str) -> list[str]:
    return [c["case_ref"] for c in listing["cases"] if c["planned_on"] == day]


def test_departures_changes_are_checked(db):
    ref, tier = TIER_AB
    for args, words in [
        (("--receiver", ref), "expected CASE_REF=VALUE"),
        (("--receiver", "NG1007=N1-09"), "NG1007 is not on this departure's list"),
        (("--receiver", f"{ref}=NOPE"), "unknown practitioner NOPE"),
        (("--date", f"{ref}=31/12/2026"), "not a date"),
        (("--date", f"{ref}=2026-11-20", "--receiver", f"{ref}=N1-09", "--apply"), "before today"),
        (("--receiver", f"{ref}=N1-05", "--apply"), f"N1-05 is a PSO and the case is tier {tier}"),
    ]:
        assert words in fails_in_one_line(db, "handover", "departures", "N1-03", "--on", ON, *args)
    unplanned = {r for r, _flags, _earlier in UNPLANNED}
    assert not [c for c in leaver_cases(db) if c.case_ref in unplanned and c.open_handover is not None]


def test_departures_apply_is_for_the_team_lead(db):
    result = CliRunner().invoke(main, ["--db", db, "--as", "N1-02", "handover", "departures", "N1-03", "--on", ON,
                                       "--apply"])
    assert result.exit_code == 2 and "N1-02 is not a team lead" in result.stderr


def test_departures_for_someone_staying_has_nothing_to_plan(db):
    assert "nothing to plan" in ok(db, "handover", "departures", "N1-02", "--on", ON, "--apply")


def test_ticking_items_moves_the_warning(db):
    ok(db, "handover", "plan", PLAIN, "--to", "N1-08", "--on", "2026-12-11", "--as-of", ON)
    ref = PLAIN  # no flags: seven required items, five due by the handover date (Fri 11 Dec)
    upcoming = rules_for(db, ref)["handover_upcoming"]
    # docs/rules.md: only what is late or due within 3 days counts: telling the person, due today
    assert upcoming.severity == "low" and upcoming.facts["open_items"] == ["told"]

    line = fails_in_one_line(db, "handover", "tick", ref, "told", "--on", ON)
    assert "records the person's view" in line
    out = ok(db, "handover", "tick", ref, "told", "--on", ON, "--note", "agreed",
             "--view", "concerns", "--words", "Worried about the new worker's hours")
    assert out.startswith("ticked 'Person told about the change and why; their view recorded' of " + ref)
    assert "Handover summary" in out and "three_way" not in out and "first_contact" not in out  # titles
    assert "handover_upcoming" not in rules_for(db, ref)  # nothing else falls due this week
    later = rules_for(db, ref, date(2026, 12, 9))["handover_upcoming"]  # summary and read late, 2 days to go
    assert later.severity == "high" and later.facts["late_items"] == ["summary", "read"]

    assert "summary is empty" in fails_in_one_line(db, "handover", "tick", ref, "summary", "--on", ON)
    assert "saved" in ok(db, "handover", "summary", ref, "--text", "Texts work better than calls.")
    for item in ("summary", "read", "booked", "first_contact"):
        ok(db, "handover", "tick", ref, item, "--on", ON)
    # the three-way meeting by its number in `show`
    shown = ok(db, "handover", "show", ref, "--on", ON)
    number = next(line.split()[0] for line in shown.splitlines() if "Three-way meeting held" in line)
    ok(db, "handover", "tick", ref, number, "--on", ON)
    assert "handover_upcoming" not in rules_for(db, ref)
    assert "handover_upcoming" not in rules_for(db, ref, date(2026, 12, 9))
    warnings = json.loads(ok(db, "warnings", "--practitioner", "N1-03", "--on", ON, "--format", "json"))
    assert not [w for w in warnings["warnings"] if w["case_ref"] == ref and w["rule"] == "handover_upcoming"]
    assert "no item 99" in fails_in_one_line(db, "handover", "tick", ref, "99", "--on", ON)


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
    table = ok(db, "handover", "list", "--on", ON)
    assert "NG1007" in table and "Handover summary: what works" in table and "summary due" not in table


def test_show_json_shape_and_items(db):
    out = json.loads(ok(db, "handover", "show", "NG1007", "--on", ON, "--format", "json"))
    assert (out["case_ref"], out["from"], out["to"], out["status"]) == ("NG1007", "N1-03", "N1-09", "in_progress")
    assert out["planned_on"] == "2026-12-07"
    assert {"progress", "items", "cold", "reviewed"} <= set(out)
    for item in out["items"]:
        assert set(item) == ITEM_KEYS | ({"view"} if item["id"] in ("told", "review") else set())
    told = next(i for i in out["items"] if i["id"] == "told")
    assert told["done"] is True and told["required"] is True and told["view"] == "concerns"
    assert "vlo_told" in {i["id"] for i in out["items"]}  # the case's victim_contact flag
    text = ok(db, "handover", "show", "NG1007", "--on", ON)
    assert "[x]" in text and "Three-way meeting held" in text and "[the person has concerns]" in text
    cells = {cell.strip() for line in text.splitlines() for cell in line.split("  ") if cell.strip()}
    assert not cells & {item["id"] for item in out["items"]}  # titles, never ids, in the table
    assert "three_way" not in text and "vlo_told" not in text


def test_show_gives_the_latest_handover_when_none_is_open(db):
    out = json.loads(ok(db, "handover", "show", "NG1010", "--on", ON, "--format", "json"))
    assert out["status"] == "completed_cold" and out["cold"] is True


# ------------------------------------------------------------------ plan, complete, errors


def test_plan_then_complete_with_override_shows_cold(db):
    ref = UNPLANNED[0][0]
    out = ok(db, "handover", "plan", ref, "--to", "N1-07", "--on", "2026-12-11",
             "--reason", "practitioner leaving", "--as-of", ON)
    assert "planned handover" in out and "N1-03 -> N1-07" in out
    line = fails_in_one_line(db, "handover", "plan", ref, "--to", "N1-07", "--on", "2026-12-11",
                             "--as-of", ON)
    assert "already has an open handover" in line and "caseload handover replan" in line

    line = fails_in_one_line(db, "handover", "complete", ref, "--on", "2026-12-11")
    assert "after today" in line  # the machine's clock: 11 Dec is ahead of it
    line = fails_in_one_line(db, "handover", "complete", ref, "--on", "2026-12-11", "--as-of", "2026-12-11")
    assert "override" in line and "Three-way meeting held" in line

    out = ok(db, "handover", "complete", ref, "--on", "2026-12-11", "--as-of", "2026-12-11",
             "--override-reason", "person moved out of area")
    assert "COLD" in out and "caseload handover review " + ref in out
    shown = json.loads(ok(db, "handover", "show", ref, "--on", "2026-12-20", "--format", "json"))
    assert shown["status"] == "completed_cold" and shown["override_reason"] == "person moved out of area"
    warnings = json.loads(ok(db, "warnings", "--on", "2026-12-20", "--format", "json"))
    cold = [w for w in warnings["warnings"] if w["case_ref"] == ref and w["rule"] == "cold_handover"]
    assert cold and cold[0]["practitioner_id"] == "N1-07"
    assert cold[0]["action"].startswith("team lead to review the handover")


def test_planning_to_a_team_lead_is_allowed_with_a_note(db):
    out = ok(db, "handover", "plan", PLAIN, "--to", "N1-01", "--on", "2026-12-11", "--as-of", ON)
    assert "note: N1-01 is a team lead" in out


def test_planning_guards_refuse_in_one_line_and_a_lead_overrides_the_grade(db):
    line = fails_in_one_line(db, "handover", "plan", PLAIN, "--to", "N1-07", "--on", "2026-11-20", "--as-of", ON)
    assert line == "caseload: cannot plan the handover: the handover date 20 Nov 2026 is before today (27 Nov 2026)"
    # N1-06 is on twelve weeks' leave; N1-04 is off sick with no end date
    assert f"N1-06 is away on {fmt_day(N1_06_AWAY)} (leave " in fails_in_one_line(
        db, "handover", "plan", PLAIN, "--to", "N1-06", "--on", N1_06_AWAY.isoformat(), "--as-of", ON)
    assert "N1-04 is away on 11 Dec 2026 (sickness from " in fails_in_one_line(
        db, "handover", "plan", PLAIN, "--to", "N1-04", "--on", "2026-12-11", "--as-of", ON)
    # a tier A or B case; N1-05 is a PSO
    ref, tier = TIER_AB
    line = fails_in_one_line(db, "handover", "plan", ref, "--to", "N1-05", "--on", "2026-12-11", "--as-of", ON)
    assert line == (f"caseload: cannot plan the handover: N1-05 is a PSO and the case is tier {tier}; "
                    "give an override reason to plan it anyway")
    result = CliRunner().invoke(main, ["--db", db, "--as", "N1-02", "handover", "plan", ref, "--to", "N1-05",
                                       "--on", "2026-12-11", "--as-of", ON, "--override-reason", "knows the family"])
    assert result.exit_code == 2 and "N1-02 is not a team lead" in result.stderr
    out = ok(db, "handover", "plan", ref, "--to", "N1-05", "--on", "2026-12-11", "--as-of", ON,
             "--override-reason", "knows the family; senior PSO with a tier B caseload agreed")
    assert "planned with a lead's override (recorded)" in out
    shown = json.loads(ok(db, "handover", "show", ref, "--on", ON, "--format", "json"))
    assert shown["plan_override"] is True


def test_replan_changes_the_date_or_receiver_keeping_what_is_done(db):
    shown = json.loads(ok(db, "handover", "show", "NG1007", "--on", ON, "--format", "json"))
    assert shown["planned_on"] == "2026-12-07"
    out = ok(db, "handover", "replan", "NG1007", "--on", "2026-12-14", "--as-of", ON)
    assert "re-planned handover" in out and "on 2026-12-14" in out
    after = json.loads(ok(db, "handover", "show", "NG1007", "--on", ON, "--format", "json"))
    assert after["handover_id"] == shown["handover_id"] and after["planned_on"] == "2026-12-14"
    items = {i["id"]: i for i in after["items"]}
    assert items["told"]["done"] and items["told"]["due"] == "2026-11-23"  # done: kept as it was
    assert items["summary"]["due"] == "2026-12-07" and items["three_way"]["due"] == "2026-12-14"
    assert "N1-04 is away on 14 Dec 2026 (sickness from " in fails_in_one_line(  # no end date
        db, "handover", "replan", "NG1007", "--to", "N1-04", "--as-of", ON)
    out = ok(db, "handover", "replan", "NG1007", "--to", "N1-07", "--as-of", ON)
    assert "N1-03 -> N1-07 on 2026-12-14" in out
    assert "give a new receiver" in fails_in_one_line(db, "handover", "replan", "NG1007")
    assert "N1-06 is away" in fails_in_one_line(db, "handover", "replan", "NG1007", "--to", "N1-06",
                                               "--on", N1_06_AWAY.isoformat(), "--as-of", ON)


def test_a_cold_handover_reviewed_by_the_lead_leaves_the_caseload(db):
    def cold_on_caseload() -> list:
        warnings = json.loads(ok(db, "warnings", "--practitioner", "N1-07", "--on", ON, "--format", "json"))
        return [w for w in warnings["warnings"] if w["case_ref"] == "NG1010" and w["rule"] == "cold_handover"]

    assert cold_on_caseload()
    result = CliRunner().invoke(main, ["--db", db, "--as", "N1-07", "handover", "review", "NG1010", "--note", "x"])
    assert result.exit_code == 2 and "N1-07 is not a team lead" in result.stderr
    missing = CliRunner().invoke(main, ["--db", db, "--as", "N1-01", "handover", "review", "NG1010"])
    assert missing.exit_code == 2 and "--note" in missing.output
    out = ok(db, "handover", "review", "NG1010", "--on", ON,
             "--note", "Court date moved; first contact was held on time. Three-way to be arranged next time.")
    assert out.startswith("reviewed the cold handover") and "by N1-01 on 2026-11-27" in out
    assert cold_on_caseload() == []
    shown = json.loads(ok(db, "handover", "show", "NG1010", "--on", ON, "--format", "json"))
    assert (shown["reviewed"], shown["reviewed_by"], shown["reviewed_on"]) == (True, "N1-01", ON)
    assert "already reviewed by N1-01" in fails_in_one_line(db, "handover", "review", "NG1010", "--note", "again")


@pytest.mark.parametrize("args, words", [
    (("handover", "tick", "NG1007", "tea_made"), "unknown checklist item 'tea_made'"),
    (("handover", "tick", "NOPE1", "told"), "unknown case NOPE1"),
    (("handover", "show", "NOPE1"), "unknown case NOPE1"),
    (("handover", "tick", PLAIN, "told"), "no open handover"),
    (("handover", "plan", PLAIN, "--to", "NOPE", "--on", "2026-12-11"), "unknown practitioner NOPE"),
    (("handover", "review", "NOPE1", "--note", "x"), "unknown case NOPE1"),
    (("handover", "review", "NG1007", "--note", "x"), "no completed handover to review"),
    (("handover", "summary", "NG1007"), "--text or --file"),
    (("handover", "tick", "NG1007", "told", "--view", "agrees"), "own words"),
    (("handover", "departures", "NOPE"), "unknown practitioner NOPE"),
    (("handover", "list", "--team", "NPS-N1", "--practitioner", "N1-03"), "not both"),
    (("handover", "complete", "NG1010"), "no open handover"),
])
def test_errors_are_one_line_and_non_zero(db, args, words):
    assert words in fails_in_one_line(db, *args)
