"""storage.queries.load_cases_for_warnings: the cases with only the contacts
the rules and the automatic checklist ticks can see must give exactly the
warnings of the full cases, computed as `caseload warnings` does
(storage.handovers.with_auto_ticks, then planner.risk.evaluate).

Proved on three kinds of history, for many as-of dates each:
- a generated database built to hit the edges of the contact walk (no
  contacts, only missed ones, only `other` ones attended, contacts after
  as_of, same-day contacts by different people, allocations starting later,
  two open allocations, paused and closed cases, open and completed handovers
  with three-way and first contacts around them), on SQLite and PostgreSQL;
- the sample database (copied to tmp_path first);
- a small database from bench/scale.py (the benchmark's own generator).
"""

from __future__ import annotations

import importlib.util
import random
import shutil
import sys
from dataclasses import replace
from datetime import date, timedelta
from pathlib import Path

from sqlalchemy import event, insert

from planner.policy import DEFAULT_POLICY, LevelThreshold, Policy, Thresholds
from planner.risk import evaluate
from storage import models as m
from storage.engine import make_engine, session
from storage.handovers import with_auto_ticks
from planner.model import COMPLETED_HANDOVER_STATUSES, OPEN_HANDOVER_STATUSES
from storage.handovers import FOLLOW_UP_DAYS
from storage.queries import (
    WARNINGS_ALLOCATION_LOOKBACK_DAYS,
    WARNINGS_LOOKBACK_DAYS,
    load_cases,
    load_cases_for_warnings,
    load_world,
)

ROOT = Path(__file__).resolve().parents[2]
BASE = date(2026, 11, 27)
KINDS = ("office", "home_visit", "phone", "video", "three_way", "other")
OUTCOMES = ("attended", "missed", "cancelled")


def warnings_of(cases, world, as_of, policy=DEFAULT_POLICY):
    """What `caseload warnings` computes from the loaded cases."""
    ticked = with_auto_ticks(cases, world, as_of, policy)
    return [(risk.case.case_ref, risk.score, risk.warnings) for risk in evaluate(ticked, world, as_of, policy)]


def keeps_items(handover, as_of) -> bool:
    """Whether load_cases_for_warnings loads the handover's checklist items:
    open, or completed within the longest window that reads them."""
    if handover.status in OPEN_HANDOVER_STATUSES:
        return True
    since = as_of - timedelta(days=max(WARNINGS_LOOKBACK_DAYS, FOLLOW_UP_DAYS))
    return handover.status in COMPLETED_HANDOVER_STATUSES and (handover.completed_on or handover.planned_on) >= since


def expected_handovers(handovers, as_of):
    """The handovers all kept, with items only where `keeps_items`."""
    return tuple(h if keeps_items(h, as_of) else replace(h, items=()) for h in handovers)


def expected_allocations(allocations, as_of):
    """The first allocation, the open ones and those ending inside the churn window."""
    since = as_of - timedelta(days=WARNINGS_ALLOCATION_LOOKBACK_DAYS)
    return tuple(
        a for n, a in enumerate(allocations) if n == 0 or a.end_date is None or a.end_date >= since
    )


def test_default_lookbacks_cover_the_default_policy_windows():
    assert WARNINGS_LOOKBACK_DAYS >= DEFAULT_POLICY.cold_handover.window_days
    assert WARNINGS_ALLOCATION_LOOKBACK_DAYS >= DEFAULT_POLICY.practitioner_churn.window_days


def assert_same_warnings(engine, as_of_dates, policy=DEFAULT_POLICY, **scope) -> tuple[int, int]:
    """Full and reduced cases give equal warnings (facts and all) on every
    date; returns (contacts in full cases, contacts kept) summed over dates."""
    full_total = kept_total = 0
    with session(engine) as s:
        world = load_world(s)
        full = load_cases(s, **scope)
        for as_of in as_of_dates:
            reduced = load_cases_for_warnings(s, as_of, **scope)
            assert [c.case_ref for c in reduced] == [c.case_ref for c in full]
            expected = warnings_of(full, world, as_of, policy)
            assert warnings_of(reduced, world, as_of, policy) == expected, as_of
            assert any(warnings for _, _, warnings in expected)
            # The ticks themselves, handover by handover, not only their effect.
            # (Every handover the ticks touch keeps its items.)
            assert with_auto_ticks(reduced, world, as_of, policy) == [
                replace(case, contacts=part.contacts, allocations=part.allocations,
                        handovers=expected_handovers(case.handovers, as_of))
                for case, part in zip(with_auto_ticks(full, world, as_of, policy), reduced)
            ]
            for whole, part in zip(full, reduced):
                # Contacts are cut only to a suffix of those up to as_of; every
                # handover is kept, but only the open and recently completed
                # ones keep their checklist items; allocations are cut only to
                # the first, the open and the recently ended ones.
                assert part.allocations == expected_allocations(whole.allocations, as_of)
                assert part.appointments == whole.appointments
                assert part.handovers == expected_handovers(whole.handovers, as_of)
                seen = [c for c in whole.contacts if c.contact_date <= as_of]
                assert list(part.contacts) == seen[len(seen) - len(part.contacts):]
            full_total += sum(len(c.contacts) for c in full)
            kept_total += sum(len(c.contacts) for c in reduced)
    return full_total, kept_total


# ------------------------------------------------------------------ generated edge cases


def seed_varied(engine, *, cases: int = 160, seed: int = 7) -> None:
    """Make-believe cases whose histories stress every branch of the walk."""
    rng = random.Random(seed)

    def day(offset: int) -> date:
        return BASE + timedelta(days=offset)

    with engine.begin() as conn:
        conn.execute(insert(m.Team), [{"id": 1, "team_id": "T1", "name": "North Test Team"}])
        people = [
            {"id": n, "practitioner_id": f"P{n}", "name": f"Tester {n}", "team_pk": 1,
             "leaving_on": day(20) if n == 3 else None}
            for n in range(1, 7)
        ]
        conn.execute(insert(m.Practitioner), people)
        conn.execute(insert(m.Absence), [
            {"practitioner_pk": 1, "start_date": day(-3), "end_date": day(10)},
            {"practitioner_pk": 2, "start_date": day(5), "end_date": day(40), "kind": "sickness"},
            {"practitioner_pk": 4, "start_date": day(-60), "end_date": day(-40), "cover_practitioner_pk": 5},
            {"practitioner_pk": 6, "start_date": day(-30), "end_date": None, "kind": "sickness"},
        ])
        case_rows, allocations, contacts, appointments, handovers = [], [], [], [], []
        used_all: dict[int, set] = {}
        for n in range(1, cases + 1):
            shape = n % 16
            status = "closed" if shape == 15 else "paused" if shape == 14 else "active"
            case_rows.append({
                "id": n, "case_ref": f"X{n:04d}", "display_name": f"Person {n}", "team_pk": 1,
                "tier": rng.choice(("A3", "B2", "C1", "D0", None)),
                "contact_level": rng.choice((None, None, "intensive", "low")),
                "status": status, "paused_until": day(rng.randint(-30, 30)) if status == "paused" else None,
            })
            holders = rng.sample(range(1, 7), 3)
            # Allocation history: previous holders, then the current one.
            start = -rng.randint(5, 700)
            if shape == 1:  # no open allocation at all
                allocations.append({"case_id": n, "practitioner_pk": holders[0],
                                    "start_date": day(start), "end_date": day(start + 100)})
            elif shape != 2:  # shape 2: never allocated
                if rng.random() < 0.6:
                    earlier = start - rng.randint(30, 400)
                    if n % 9 == 0:  # a short one between (churn does not count it without a contact)
                        earlier = start - (n % 20)
                    allocations.append({"case_id": n, "practitioner_pk": holders[1],
                                        "start_date": day(earlier), "end_date": day(start)})
                    if n % 5 == 0:  # an older first one, so the one above is a middle one (no rng: same data)
                        first = earlier - 200 - (n % 7) * 40
                        allocations.append({"case_id": n, "practitioner_pk": holders[2],
                                            "start_date": day(first), "end_date": day(earlier)})
                if shape == 3:  # starts after some as_of dates
                    start = rng.randint(-20, 25)
                allocations.append({"case_id": n, "practitioner_pk": holders[0],
                                    "start_date": day(start), "end_date": None})
                if shape == 4:  # a second open allocation (bad data the loader must still read alike)
                    allocations.append({"case_id": n, "practitioner_pk": holders[2],
                                        "start_date": day(start + rng.randint(-40, 40)), "end_date": None})
            # Contacts, including after BASE and same-day pairs.
            used = used_all.setdefault(n, set())
            if shape != 5:  # shape 5: no contacts
                for _ in range(rng.randint(1, 45)):
                    offset = rng.randint(-800, 40)
                    who = rng.choice(holders + [holders[0]] * 3)
                    if shape == 6:
                        outcome, kind = rng.choice(("missed", "cancelled")), rng.choice(KINDS)
                    elif shape == 7:
                        outcome = rng.choice(OUTCOMES)
                        kind = "other" if outcome == "attended" else rng.choice(KINDS)
                    elif shape == 8:  # long runs of missed near the end
                        outcome = "missed" if offset > -120 else rng.choice(OUTCOMES)
                        kind = rng.choice(KINDS)
                    else:
                        outcome = rng.choices(OUTCOMES, (70, 20, 10))[0]
                        kind = rng.choices(KINDS, (40, 15, 15, 10, 5, 15))[0]
                    if shape == 9 and rng.random() < 0.5:
                        offset = -rng.randint(0, 3)  # crowd the last days
                    for same_day in range(1 + (rng.random() < 0.2)):
                        pk = who if not same_day else rng.choice(holders)
                        key = (offset, pk, kind)
                        if key in used:
                            continue
                        used.add(key)
                        contacts.append({"case_id": n, "contact_date": day(offset), "practitioner_pk": pk,
                                         "kind": kind, "outcome": outcome,
                                         "cancelled_by": (("practitioner", "person")[n % 2]
                                                          if outcome == "cancelled" else None),
                                         "with_practitioner_pk": holders[0] if kind == "three_way" and pk != holders[0]
                                         else None})
            if rng.random() < 0.4:
                appointments.append({"case_id": n, "appointment_date": day(rng.randint(-20, 30)),
                                     "practitioner_pk": holders[0],
                                     "rrule": "FREQ=WEEKLY;COUNT=8" if rng.random() < 0.3 else None})
            if shape in (10, 11, 12, 13) or rng.random() < 0.1:
                # A handover, open or completed, with three-way and first
                # contacts scattered around its date (some inside the windows).
                planned = rng.randint(-200, 40)
                status = rng.choice(("planned", "in_progress", "completed_warm", "completed_cold", "cancelled"))
                completed = day(planned + rng.randint(0, 5)) if status.startswith("completed") else None
                handovers.append({"case_id": n, "from_practitioner_pk": holders[1],
                                  "to_practitioner_pk": holders[0], "planned_on": day(planned),
                                  "status": status, "completed_on": completed})
                for _ in range(rng.randint(0, 4)):
                    offset = planned + rng.randint(-45, 20)
                    key = (offset, rng.choice(holders[:2]), rng.choice(("three_way", "office", "phone")))
                    if key not in used_all.setdefault(n, set()):
                        used_all[n].add(key)
                        contacts.append({"case_id": n, "contact_date": day(offset), "practitioner_pk": key[1],
                                         "kind": key[2], "outcome": rng.choice(("attended", "attended", "missed")),
                                         "cancelled_by": None,
                                         "with_practitioner_pk": holders[0] if key[2] == "three_way"
                                         and key[1] != holders[0] else None})
        conn.execute(insert(m.Case), case_rows)
        conn.execute(insert(m.Allocation), allocations)
        rng.shuffle(contacts)  # ids out of date order, as after imports and back-filling
        conn.execute(insert(m.Contact), contacts)
        conn.execute(insert(m.Appointment), appointments)
        handover_ids = conn.execute(insert(m.Handover).returning(m.Handover.id, m.Handover.planned_on),
                                    handovers).all()
        items = []
        for hid, planned in handover_ids:
            for item_id, due in (("three_way", -7), ("told", -3), ("booked", 2), ("first_contact", 5)):
                items.append({"handover_id": hid, "item_id": item_id, "title": item_id.replace("_", " "),
                              "due": planned + timedelta(days=due), "done": rng.random() < 0.25})
        conn.execute(insert(m.HandoverItem), items)


AS_OF_DATES = [BASE + timedelta(days=d) for d in (-700, -365, -120, -60, -21, -7, -1, 0, 3, 14, 45)]


def test_reduced_cases_give_identical_warnings_on_varied_histories(engine):
    seed_varied(engine)
    full, kept = assert_same_warnings(engine, AS_OF_DATES)
    assert kept < full / 3, "the reduced cases should hold far fewer contacts"


def test_varied_histories_drop_old_items_and_allocations(engine):
    """The contract above is not vacuous: on these histories some handovers
    come without their items and some middle allocations are left out."""
    seed_varied(engine)
    with session(engine) as s:
        full = load_cases(s)
        for as_of in (BASE, BASE + timedelta(days=45)):
            reduced = load_cases_for_warnings(s, as_of)
            assert sum(map(len, (c.allocations for c in reduced))) < sum(map(len, (c.allocations for c in full)))
            items = [len(h.items) for c in reduced for h in c.handovers]
            assert 0 < sum(items) < sum(len(h.items) for c in full for h in c.handovers)
            assert any(not h.items for c in reduced for h in c.handovers if not keeps_items(h, as_of))


def test_identical_under_another_policy_and_per_practitioner(engine):
    seed_varied(engine, cases=80, seed=11)
    strict = Policy(thresholds=Thresholds(
        intensive=LevelThreshold(3, 5), enhanced=LevelThreshold(3, 6),
        standard=LevelThreshold(4, 9), low=LevelThreshold(5, 10),
    ))
    assert_same_warnings(engine, AS_OF_DATES[4:], policy=strict)
    assert_same_warnings(engine, AS_OF_DATES[4:], practitioner_id="P1")
    assert_same_warnings(engine, AS_OF_DATES[6:9], team_id="T1")


def test_reduced_load_takes_as_many_statements_as_the_full_load(engine):
    seed_varied(engine, cases=40)
    seen: list[str] = []

    def count(conn, cursor, statement, parameters, context, executemany):
        seen.append(statement)

    event.listen(engine, "before_cursor_execute", count)
    try:
        with session(engine) as s:
            load_cases(s)
            full = len(seen)
            load_cases_for_warnings(s, BASE)
            reduced = len(seen) - full
    finally:
        event.remove(engine, "before_cursor_execute", count)
    # PostgreSQL: one more, SET LOCAL jit = off (see load_cases_for_warnings).
    extra = 1 if engine.dialect.name == "postgresql" else 0
    assert reduced == full + extra and full <= 9  # two of them the check-ins and not_with (docs/voice.md)


def test_case_id_list_and_subquery_load_the_same(engine, monkeypatch):
    """The child statements name the chosen case ids up to ID_LIST_LIMIT
    (SQLITE_ID_LIST_LIMIT on SQLite), and repeat the case filter as a
    subquery above it: both give the same cases."""
    from storage.queries import cases as case_reads  # where _load_cases looks the limits up

    seed_varied(engine, cases=60, seed=5)
    scopes = ({}, {"team_id": "T1"}, {"practitioner_id": "P1"})
    with session(engine) as s:
        by_list = [load_cases_for_warnings(s, as_of, **scope) for as_of in AS_OF_DATES[5:9] for scope in scopes]
        monkeypatch.setattr(case_reads, "ID_LIST_LIMIT", 3)
        monkeypatch.setattr(case_reads, "SQLITE_ID_LIST_LIMIT", 3)
        by_subquery = [load_cases_for_warnings(s, as_of, **scope) for as_of in AS_OF_DATES[5:9] for scope in scopes]
    assert all(len(cases) > 3 for cases in by_list)
    assert by_subquery == by_list


# ------------------------------------------------------------------ sample and scale data


def test_identical_on_the_sample(tmp_path):
    src = ROOT / "storage" / "sample.db"
    copy = tmp_path / "sample.db"
    shutil.copy(src, copy)
    engine = make_engine(str(copy))
    try:
        dates = [BASE + timedelta(days=d) for d in (-200, -90, -30, -14, -3, 0, 1, 7, 28)]
        assert_same_warnings(engine, dates)
    finally:
        engine.dispose()


def _scale_module():
    spec = importlib.util.spec_from_file_location("caseload_bench_scale", ROOT / "bench" / "scale.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up
    spec.loader.exec_module(module)
    return module


def test_identical_on_small_scale_data(tmp_path):
    scale = _scale_module()
    data = scale.generate(practitioners=40, cases=500, contacts=25_000, seed=3, as_of=BASE)
    path = tmp_path / "scale.db"
    scale.write_db(data, str(path), quiet=True)
    engine = make_engine(str(path))
    try:
        full, kept = assert_same_warnings(engine, [BASE + timedelta(days=d) for d in (-180, -30, 0, 10)])
        assert kept < full / 5
    finally:
        engine.dispose()
