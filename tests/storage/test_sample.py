"""The shipped sample.db: reproducible, up to date, safe to copy for the demo,
realistic (caseload sizes, absences, missed appointments, departures), and
rich enough that every docs/rules.md (v2) rule fires on it at its `built_for` date."""

from __future__ import annotations

import hashlib
import sqlite3
from collections import defaultdict
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
from sqlmodel import SQLModel

from planner.risk import RULE_IDS
from storage import sample
from storage.sample import build_sample, demo_copy, read_built_for, shipped_sample_path

REPO = Path(__file__).resolve().parents[2]
ROOT_SAMPLE = REPO / "sample.db"
PACKAGED_SAMPLE = REPO / "storage" / "sample.db"
BUILT_FOR = sample.DEFAULT_BUILT_FOR

# Every rule of the registry (tests/planner/test_rules_risk.py holds it to docs/rules.md),
# so that a new rule (docs/ARCHITECTURE.md "A new warning rule") is asked of the sample here
# with no list to keep in step.
RULES = set(RULE_IDS)
CONTACT_RULES = {
    "first_contact", "contact_overdue", "contact_due", "no_appointment", "relationship_gap",
    "missed_appointments", "practitioner_cancelled", "cover_needed",
}
# Columns written by the clock rather than by the generator (none today: the
# generator dates its audit events, but a future one might not).
IGNORED = {("audit_event", "at")}


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def table_rows(path: Path, ignore=IGNORED) -> dict[str, tuple[list[str], list[tuple]]]:
    """Every table's columns and rows, ordered by primary key (content, not bytes)."""
    con = sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True)
    try:
        names = [r[0] for r in con.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
            " ORDER BY name")]
        out = {}
        for name in names:
            info = con.execute(f'PRAGMA table_info("{name}")').fetchall()
            cols = [c[1] for c in info if (name, c[1]) not in ignore]
            pks = [c[1] for c in sorted(info, key=lambda c: c[5]) if c[5]] or cols
            quoted = ", ".join(f'"{c}"' for c in cols)
            order = ", ".join(f'"{c}"' for c in pks)
            out[name] = (cols, con.execute(f'SELECT {quoted} FROM "{name}" ORDER BY {order}').fetchall())
        return out
    finally:
        con.close()


@pytest.fixture(scope="module")
def rebuilt(tmp_path_factory) -> Path:
    return build_sample(tmp_path_factory.mktemp("sample") / "sample.db", BUILT_FOR)


def test_the_two_shipped_copies_are_the_same_file():
    assert ROOT_SAMPLE.is_file() and PACKAGED_SAMPLE.is_file()
    assert sha256(ROOT_SAMPLE) == sha256(PACKAGED_SAMPLE)
    # a rollback-journal file as built: opened read-write by an engine (WAL) it would not be
    for path in (ROOT_SAMPLE, PACKAGED_SAMPLE):
        assert path.read_bytes()[18:20] == b"\x01\x01", f"{path} was opened in WAL mode; rebuild it"
    assert shipped_sample_path().resolve() == PACKAGED_SAMPLE.resolve()


def test_shipped_sample_is_reproducible_and_up_to_date(rebuilt):
    """Rebuilding from the generator gives the shipped rows, table by table and
    row by row; a schema migration or generator change without a rebuild fails here."""
    shipped, fresh = table_rows(ROOT_SAMPLE), table_rows(rebuilt)
    assert sorted(shipped) == sorted(fresh), "tables differ: rebuild with python -m storage.sample"
    for name in sorted(fresh):
        cols, rows = fresh[name]
        assert shipped[name][0] == cols, f"{name}: columns differ"
        assert len(shipped[name][1]) == len(rows), f"{name}: row counts differ"
        for old, new in zip(shipped[name][1], rows):
            assert old == new, f"{name}: row differs: shipped {old!r}, rebuilt {new!r}"


def test_sample_is_at_the_alembic_head_and_passes_the_integrity_check(tmp_path):
    from storage.db import check_db, ensure_ready, head_revision
    from storage.engine import make_engine

    copy = demo_copy(ROOT_SAMPLE, tmp_path, BUILT_FOR)
    with sqlite3.connect(copy) as con:
        assert con.execute("SELECT version_num FROM alembic_version").fetchall() == [(head_revision(),)]
    engine = make_engine(str(copy), create=False)
    try:
        ensure_ready(engine)
        assert check_db(engine) == []
    finally:
        engine.dispose()


def test_building_twice_gives_the_same_bytes(tmp_path, rebuilt):
    again = build_sample(tmp_path / "again.db", BUILT_FOR)
    assert sha256(again) == sha256(rebuilt)


def test_meta_records_built_for_and_generator_version():
    rows = dict(sqlite3.connect(f"{ROOT_SAMPLE.as_uri()}?mode=ro", uri=True)
                .execute("SELECT key, value FROM meta").fetchall())
    assert rows["built_for"] == BUILT_FOR.isoformat()
    assert rows["generator_version"] == sample.GENERATOR_VERSION


def dated_columns() -> dict[str, list[str]]:
    return {
        table.name: [c.name for c in table.columns if sample._is_dated(c.type)]
        for table in SQLModel.metadata.sorted_tables
    }


def as_value(raw):
    if raw is None:
        return None
    text = str(raw)
    return datetime.fromisoformat(text) if len(text) > 10 else date.fromisoformat(text)


@pytest.mark.parametrize("days", [45, -400, 0, 3, -4])
def test_demo_copy_shifts_every_date_by_whole_weeks_and_leaves_the_source_untouched(tmp_path, days):
    today = BUILT_FOR + timedelta(days=days)
    before = sha256(ROOT_SAMPLE)
    copy = demo_copy(ROOT_SAMPLE, tmp_path / "demo", today)
    assert sha256(ROOT_SAMPLE) == before, "demo_copy changed the shipped file"
    assert copy.parent == tmp_path / "demo" and copy != ROOT_SAMPLE
    shift = timedelta(days=7 * round(days / 7))
    assert abs((today - (BUILT_FOR + shift)).days) <= 3
    assert read_built_for(copy) == BUILT_FOR + shift

    old, new = table_rows(ROOT_SAMPLE, ignore=()), table_rows(copy, ignore=())
    checked = defaultdict(int)
    for table, cols in dated_columns().items():
        if table == "appointment" and shift:
            continue  # a few move off bank holidays: test_no_appointment_on_a_weekend_or_bank_holiday
        names = old[table][0]
        for col in cols:
            i = names.index(col)
            for a, b in zip(old[table][1], new[table][1]):
                assert a[0] == b[0]  # same primary key order
                if a[i] is None:
                    assert b[i] is None
                else:
                    assert as_value(b[i]) - as_value(a[i]) == shift, (table, col, a[i], b[i])
                    checked[table] += 1
    # The generic walk reached the tables the rules read, and some datetimes.
    for table in ("allocation", "contact", "absence", "handover",
                  "handover_item", "practitioner", "case", "action", "supervision_session"):
        assert checked[table] > 0 or not shift, table
    # Everything that is not a date is unchanged.
    for table, (names, rows) in old.items():
        keep = [i for i, n in enumerate(names) if n not in dated_columns().get(table, [])]
        if table in ("meta", "appointment"):
            continue
        assert [tuple(r[i] for i in keep) for r in rows] == \
               [tuple(r[i] for i in keep) for r in new[table][1]], table


def _appointment_days(path: Path, first: date, days: int = 200) -> list[date]:
    from planner.model import Appointment
    from planner.rules import appointment_dates

    con = sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True)
    try:
        rows = con.execute("SELECT id, appointment_date, rrule, exdates, series_id, recurrence_date, cancelled_by"
                           " FROM appointment").fetchall()
    finally:
        con.close()
    from planner.appointments import parse_exdates

    moved = defaultdict(list)  # a series' occurrences moved to a row of their own (RFC 5545 overrides)
    for _aid, _day, _rrule, _ex, series_id, recurrence_date, _by in rows:
        if series_id is not None:
            moved[series_id].append(date.fromisoformat(recurrence_date))
    out = []
    for aid, day, rrule, exdates, _series, _recurrence, cancelled_by in rows:
        start = date.fromisoformat(day)
        appointment = Appointment(start, "", rrule=rrule, exdates=parse_exdates(exdates),
                                  cancelled_by=cancelled_by, moved=tuple(moved[aid]))
        out += appointment_dates(appointment, min(start, first), first + timedelta(days=days))
    return out


@pytest.mark.parametrize("today", [None, date(2026, 12, 21), date(2027, 3, 24), date(2027, 12, 22),
                                   date(2028, 4, 12), date(2029, 8, 24)])
def test_no_appointment_on_a_weekend_or_bank_holiday(tmp_path, today):
    """Neither in the shipped sample nor in a demo copy moved to a date
    whose weeks hold Christmas, Easter or a summer bank holiday."""
    from planner.calendar import working_days

    path = ROOT_SAMPLE if today is None else demo_copy(ROOT_SAMPLE, tmp_path, today)
    wd = working_days("england-and-wales")
    days = _appointment_days(path, today or BUILT_FOR)
    assert len(days) > 200
    bad = sorted({d for d in days if not wd.is_working(d)})
    assert not bad, bad[:5]


def test_demo_copy_replaces_an_earlier_copy(tmp_path):
    first = demo_copy(ROOT_SAMPLE, tmp_path, BUILT_FOR + timedelta(days=3))
    second = demo_copy(ROOT_SAMPLE, tmp_path, BUILT_FOR + timedelta(days=10))
    assert first == second
    assert read_built_for(second) == BUILT_FOR + timedelta(days=7)


def evaluate_file(path: Path, as_of: date):
    from planner.policy import DEFAULT_POLICY
    from planner.risk import evaluate
    from storage.engine import make_engine, session
    from storage.queries import load_cases, load_world

    engine = make_engine(str(path), create=False)
    try:
        with session(engine) as s:
            world = load_world(s)
            cases = load_cases(s)
            closed = load_cases(s, include_closed=True)
    finally:
        engine.dispose()
    return evaluate(cases, world, as_of, DEFAULT_POLICY), cases, closed


@pytest.fixture(scope="module")
def risks(tmp_path_factory):
    copy = demo_copy(ROOT_SAMPLE, tmp_path_factory.mktemp("risks"), BUILT_FOR)
    return evaluate_file(copy, BUILT_FOR)


def fired(case_risks) -> dict[str, set[str]]:
    out: dict[str, set[str]] = defaultdict(set)
    for risk in case_risks:
        for warning in risk.warnings:
            out[warning.rule].add(warning.severity)
    return out


def test_every_v2_rule_fires_for_at_least_one_case_at_built_for(risks):
    case_risks, _cases, _all = risks
    seen = fired(case_risks)
    assert set(seen) == RULES, f"missing: {RULES - set(seen)}"
    assert {"medium", "high"} <= seen["contact_overdue"]
    assert {"high", "low"} <= seen["first_contact"]  # passed and coming
    assert {"low", "medium", "high"} <= seen["handover_upcoming"]
    assert {"medium", "high"} <= seen["handover_unplanned"]
    assert {"medium", "high"} <= seen["practitioner_churn"]
    assert {"medium", "high"} <= seen["missed_appointments"]
    assert {"medium", "high"} <= seen["early_break"]
    assert seen["early_window"] == {"info"}


def by_ref(case_risks) -> dict[str, dict[str, str]]:
    return {r.case_ref: {w.rule: w.severity for w in r.warnings} for r in case_risks}


@pytest.mark.parametrize(
    ("ref", "rule", "severity"),
    [
        ("NG1001", "contact_overdue", "medium"),
        ("NG1002", "contact_overdue", "high"),
        ("NG1002", "no_appointment", "low"),
        ("NG1003", "contact_due", "low"),
        ("NG1004", "relationship_gap", "medium"),
        ("NG1005", "first_contact", "high"),
        ("NG1006", "first_contact", "low"),
        ("NG1007", "handover_upcoming", "low"),
        ("NG1007", "practitioner_churn", "medium"),
        ("NG1008", "handover_upcoming", "high"),
        ("NG1009", "handover_upcoming", "low"),
        ("NG1010", "cold_handover", "medium"),
        ("NG1011", "missed_appointments", "medium"),
        ("NG1015", "early_break", "medium"),
        ("NG1016", "practitioner_cancelled", "medium"),
        ("NG1017", "cold_handover", "medium"),
        ("NG1018", "practitioner_churn", "medium"),
        ("NG1019", "cover_needed", "medium"),
        ("NG1020", "handover_upcoming", "medium"),
        ("EB2001", "practitioner_churn", "high"),
        ("EB2002", "missed_appointments", "high"),
        ("EB2003", "practitioner_churn", "high"),
        ("EB2004", "first_contact", "low"),
        ("EB2005", "early_break", "high"),
    ],
)
def test_the_scenarios_say_what_storage_sample_says(risks, ref, rule, severity):
    assert by_ref(risks[0])[ref].get(rule) == severity


def test_the_handovers_planned_in_the_sample_keep_to_the_planning_rules():
    """docs/handovers.md on every open handover of the sample, as the lead would have
    planned them: on working days, at most two a working day for each
    outgoing practitioner (the departures' stagger), never to a receiver who
    is away that day or has left, never a tier A or B case to a PSO; and on
    every handover, a ticked summary has its text and a ticked `told` or
    `review` the person's view."""
    from planner.calendar import working_days

    wd = working_days("england-and-wales")
    con = sqlite3.connect(f"{ROOT_SAMPLE.as_uri()}?mode=ro", uri=True)
    try:
        handovers = con.execute(
            "SELECT h.id, c.case_ref, c.tier, f.practitioner_id, t.practitioner_id, t.grade, t.leaving_on,"
            " t.id, h.planned_on FROM handover h JOIN \"case\" c ON c.id = h.case_id"
            " JOIN practitioner f ON f.id = h.from_practitioner_pk"
            " JOIN practitioner t ON t.id = h.to_practitioner_pk"
            " WHERE h.status IN ('planned', 'in_progress')").fetchall()
        absences = con.execute("SELECT practitioner_pk, start_date, end_date FROM absence").fetchall()
        ticked = con.execute("SELECT handover_id, item_id, view FROM handover_item WHERE done = 1").fetchall()
        summaries = dict(con.execute("SELECT id, summary FROM handover").fetchall())
    finally:
        con.close()
    assert len(handovers) >= 40  # the lead's planning of two departures, and the scenarios
    per_day: dict[tuple[str, str], int] = defaultdict(int)
    for _hid, ref, tier, giver, to, grade, leaving_on, to_pk, day in handovers:
        d = date.fromisoformat(day)
        assert wd.is_working(d), (ref, day)
        per_day[(giver, day)] += 1
        assert leaving_on is None or leaving_on > day, (ref, to, "has left")
        away = [(s, e) for pk, s, e in absences if pk == to_pk and s <= day and (e is None or day <= e)]
        assert not away, (ref, to, day, away)
        assert not (grade == "PSO" and tier and tier[0] in "AB"), (ref, to, tier)
    assert max(per_day.values()) <= 2, [k for k, n in per_day.items() if n > 2]
    for hid, item, view in ticked:
        if item == "summary":
            assert summaries[hid], (hid, "summary ticked with no text")
        if item in ("told", "review"):
            assert view, (hid, item, "ticked without the person's view")


def test_departures_the_new_rules_speak_up_about(risks):
    """A practitioner who has left and still holds cases, and one off sick
    with no end date and no cover named: every case they hold is
    handover_unplanned high."""
    case_risks, cases, _ = risks
    con = sqlite3.connect(f"{ROOT_SAMPLE.as_uri()}?mode=ro", uri=True)
    try:
        left = [pid for (pid,) in con.execute(
            "SELECT practitioner_id FROM practitioner WHERE leaving_on < ?", (BUILT_FOR.isoformat(),))]
        sick = [pid for (pid,) in con.execute(
            "SELECT p.practitioner_id FROM absence a JOIN practitioner p ON p.id = a.practitioner_pk"
            " WHERE a.end_date IS NULL AND a.cover_practitioner_pk IS NULL AND a.start_date <= ?",
            (BUILT_FOR.isoformat(),))]
    finally:
        con.close()
    assert left and sick
    for pid in left + sick:
        theirs = [r for r in case_risks if r.case.practitioner_id == pid]
        assert theirs, pid
        for risk in theirs:
            assert by_ref([risk])[risk.case_ref].get("handover_unplanned") == "high", (pid, risk.case_ref)


def test_realistic_caseloads_absences_and_missed_appointments():
    """About 35 to 45 cases for a full-time probation officer or PSO (the
    busiest over capacity, the team as a whole under it), fewer for youth
    justice workers; several absences a year each; missed appointments about
    one in ten."""
    con = sqlite3.connect(f"{ROOT_SAMPLE.as_uri()}?mode=ro", uri=True)
    try:
        held = dict(con.execute(
            "SELECT p.practitioner_id, count(*) FROM allocation a JOIN practitioner p ON p.id = a.practitioner_pk"
            " JOIN \"case\" c ON c.id = a.case_id WHERE a.end_date IS NULL AND c.status != 'closed'"
            " GROUP BY p.practitioner_id").fetchall())
        staff = con.execute("SELECT practitioner_id, grade, contracted_hours * (1 - reduction_pct / 100), role,"
                            " leaving_on FROM practitioner").fetchall()
        away = dict(con.execute(
            "SELECT p.practitioner_id, count(*) FROM absence a JOIN practitioner p ON p.id = a.practitioner_pk"
            " WHERE a.start_date > ? GROUP BY p.practitioner_id",
            ((BUILT_FOR - timedelta(days=365)).isoformat(),)).fetchall())
        outcomes = dict(con.execute("SELECT outcome, count(*) FROM contact GROUP BY outcome").fetchall())
        by_us = con.execute("SELECT count(*) FROM contact WHERE cancelled_by = 'practitioner'").fetchone()[0]
    finally:
        con.close()
    for pid, grade, hours, role, leaving_on in staff:  # hours: after any workload reduction
        if role == "team_lead" or leaving_on is not None and leaving_on < BUILT_FOR.isoformat():
            continue
        n = held.get(pid, 0)
        if grade in ("PO", "PSO") and pid.startswith("N1") and hours >= 37:
            assert 30 <= n <= 45, (pid, n)
        if grade == "YJW":
            assert 6 <= n <= 15, (pid, n)
        assert away.get(pid, 0) >= 4, (pid, "several absences a year")
    total = sum(outcomes.values())
    assert 0.07 <= outcomes["missed"] / total <= 0.14
    assert 0 < by_us < outcomes["cancelled"]


def test_paused_case_gets_no_contact_rules_and_closed_case_leaves_the_lists(risks):
    case_risks, cases, everything = risks
    paused = [r for r in case_risks if r.case.status == "paused"]
    assert paused and all(r.case.paused_until > BUILT_FOR for r in paused)
    for risk in paused:
        assert not {w.rule for w in risk.warnings} & CONTACT_RULES
    closed = [c for c in everything if c.status == "closed"]
    assert closed and closed[0].contacts, "the closed case keeps its history"
    assert not [c for c in cases if c.status == "closed"]


def test_the_same_rules_fire_on_a_demo_copy_moved_to_another_day(tmp_path):
    today = date(2027, 3, 10)
    copy = demo_copy(ROOT_SAMPLE, tmp_path, today)
    case_risks, _, _ = evaluate_file(copy, read_built_for(copy))
    assert set(fired(case_risks)) == RULES


def test_flags_statuses_and_supervision_actions_are_all_represented(risks):
    from planner.model import FLAGS

    _, cases, everything = risks
    flags = set().union(*(c.flags for c in cases))
    assert flags == set(FLAGS)
    assert any(set(FLAGS) <= c.flags for c in cases), "one case carries every flag"
    assert {c.status for c in everything} == {"active", "paused", "closed"}
    assert any(c.youth for c in cases) and any(not c.youth for c in cases)
    con = sqlite3.connect(f"{ROOT_SAMPLE.as_uri()}?mode=ro", uri=True)
    week_start = BUILT_FOR - timedelta(days=BUILT_FOR.weekday())
    due = [date.fromisoformat(d) for (d,) in con.execute("SELECT due FROM action WHERE done = 0")]
    assert any(week_start <= d <= week_start + timedelta(days=6) for d in due)
    series = con.execute("SELECT count(*) FROM appointment WHERE rrule LIKE 'FREQ=WEEKLY%'").fetchone()[0]
    one_off = con.execute("SELECT count(*) FROM appointment WHERE rrule IS NULL").fetchone()[0]
    assert series > 0 and one_off > 0
    con.close()


POINTS = {
    "A3": 206, "A2": 158, "A1": 146, "A0": 110, "B3": 146, "B2": 115, "B1": 102, "B0": 72,
    "C3": 79, "C2": 63, "C1": 50, "C0": 35, "D3": 51, "D2": 41, "D1": 29, "D0": 29,
}
LEVEL_POINTS = {"intensive": 150, "enhanced": 100, "standard": 60, "low": 30}


def test_two_teams_of_six_to_ten_with_one_lead_each_and_someone_over_110_percent(risks):
    """docs/rebalancing.md capacity, computed here from the policy's own numbers."""
    _, cases, _ = risks
    con = sqlite3.connect(f"{ROOT_SAMPLE.as_uri()}?mode=ro", uri=True)
    teams = con.execute("SELECT team_id FROM team ORDER BY team_id").fetchall()
    assert [t for (t,) in teams] == ["NPS-N1", "YJS-E1"]
    staff = con.execute(
        "SELECT p.practitioner_id, t.team_id, p.role, p.contracted_hours, p.reduction_pct "
        "FROM practitioner p JOIN team t ON t.id = p.team_pk").fetchall()
    con.close()
    per_team = defaultdict(list)
    for pid, team, role, *_ in staff:
        per_team[team].append(role)
    for team, roles in per_team.items():
        assert 6 <= len(roles) <= 11, team
        assert roles.count("team_lead") == 1, team
    youth_team = {c.team_id for c in cases if c.youth}
    assert youth_team == {"YJS-E1"}
    points = defaultdict(float)
    for case in cases:
        points[case.practitioner_id] += POINTS[case.tier] if case.tier else LEVEL_POINTS[case.contact_level]
    capacity = {
        pid: points[pid] / (2176 * hours / 37 * (1 - reduction / 100)) * 100
        for pid, _team, _role, hours, reduction in staff
    }
    assert max(capacity.values()) > 110
    assert min(capacity.values()) < 90, "a realistic mix, not everyone overloaded"


def test_command_line_builds_the_file_and_its_copies(tmp_path, capsys):
    first, second = tmp_path / "a" / "sample.db", tmp_path / "b.db"
    assert sample.main(["build", str(first), str(second), "--built-for", "2027-02-03"]) == 0
    assert sha256(first) == sha256(second)
    assert read_built_for(first) == date(2027, 2, 3)
    assert "2027-02-03" in capsys.readouterr().out
