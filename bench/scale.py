#!/usr/bin/env python
"""Build a region-sized caseload database (or the same data as CSV files).

    python bench/scale.py scale.db                      # 600 practitioners, 20k cases, 1M contacts
    python bench/scale.py scale.db --cases 2000 --contacts 100000 --practitioners 60
    python bench/scale.py --csv bench/out/csv           # docs/csv.md CSV files instead
    python bench/scale.py scale.db --csv bench/out/csv  # both

The shape: teams of 20 practitioners (one lead each; every sixth team a
youth justice team), about 33 cases per practitioner, about 50 contacts per
case over two years, a third of cases with earlier workers, handovers with
their checklists (completed, and some planned), appointments (some weekly
series) and absences (some long, some covered). Everything comes from
`random.Random(seed)` and dates are relative to `--as-of`, so a size and a
seed always give the same data.

The database is created through `storage.db.init_db` (Alembic head), then
filled with Core executemany in large batches inside one transaction; for
SQLite the build alone runs with `synchronous=OFF` and a large page cache,
and the file is left with the app's usual settings (WAL, `synchronous=FULL`).
All names are made up.
"""

from __future__ import annotations

import argparse
import csv
import os
import random
import sys
import time
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

DEFAULT_AS_OF = date(2026, 11, 27)
TEAM_SIZE = 20
BATCH = 50_000
HISTORY_DAYS = 730

_FIRST = ("Alex", "Bailey", "Casey", "Dana", "Eden", "Frankie", "Gale", "Harper", "Indy", "Jules",
          "Kit", "Lane", "Morgan", "Noel", "Oakley", "Parker", "Quinn", "Reese", "Sam", "Tate",
          "Umar", "Vic", "Wren", "Yusuf", "Zuri", "Ash", "Blair", "Cody", "Drew", "Ellis")
_LAST = ("Ashworth", "Brenchley", "Carrowmore", "Delaby", "Elmstead", "Fernhill", "Glenavy",
         "Hawksmoor", "Ilbury", "Jessop-Vale", "Kirkwood", "Lowther", "Morvane", "Nettlefold",
         "Ormskirk-Bey", "Pellow", "Quenby", "Redbrook", "Stourton", "Tarrant", "Upcott",
         "Vexley", "Wainfleet", "Yeardley", "Zennor", "Ambrey", "Bolsover-Nkem", "Crantock")
_TIERS = [f"{band}{n}" for band in "ABCD" for n in (3, 2, 1, 0)]
_TIER_WEIGHTS = [2, 3, 3, 2, 6, 8, 9, 7, 9, 12, 14, 10, 3, 4, 5, 3]
_LEVEL_OF = {"A": "intensive", "B": "enhanced", "C": "standard", "D": "low"}
_LEVEL_RATE = {"intensive": 2.0, "enhanced": 1.4, "standard": 1.0, "low": 0.6}
_KINDS = ("office", "home_visit", "phone", "video", "three_way", "other")
_KIND_W = (55, 12, 16, 10, 1, 6)
_YOUTH_KIND_W = (35, 35, 14, 10, 1, 5)
_OUTCOMES = ("attended", "missed", "cancelled")
_OUTCOME_W = (86, 8, 6)
_FLAG_ODDS = (("safeguarding", 0.08, 0.35), ("care_experienced", 0.06, 0.3),
              ("approved_premises", 0.04, 0.0), ("restorative_justice", 0.03, 0.1),
              ("opd", 0.04, 0.0), ("victim_contact", 0.1, 0.05), ("do_not_move", 0.02, 0.03))
_TIMES = ("09:30:00.000000", "10:00:00.000000", "11:00:00.000000", "14:00:00.000000",
          "15:30:00.000000")

# docs/handovers.md checklist ids, for planned handovers' ticked items
_EARLY_ITEMS = ("told", "summary")


@dataclass
class ScaleData:
    """Rows as tuples; dates as proleptic ordinals (converted when written)."""

    as_of: date
    seed: int
    teams: list[tuple] = field(default_factory=list)          # id, team_id, name, nation
    practitioners: list[tuple] = field(default_factory=list)  # id, pid, name, team_pk, role, grade, hours, reduction, leaving_on, email
    cases: list[tuple] = field(default_factory=list)          # id, ref, name, team_pk, tier, level, youth, dob, flags, status, paused_until
    allocations: list[tuple] = field(default_factory=list)    # id, case_id, practitioner_pk, start, end, reason
    contacts: list[tuple] = field(default_factory=list)       # case_id, date, practitioner_pk, kind, outcome
    appointments: list[tuple] = field(default_factory=list)   # case_id, date, practitioner_pk, time, kind, rrule
    absences: list[tuple] = field(default_factory=list)       # practitioner_pk, start, end, kind, cover_pk
    handovers: list[tuple] = field(default_factory=list)      # id, case_id, from_pk, to_pk, planned_on, status, reason, completed_on
    items: list[tuple] = field(default_factory=list)          # handover_id, item_id, title, required, due, owner, done, done_on, auto

    def counts(self) -> dict[str, int]:
        return {name: len(getattr(self, name)) for name in (
            "teams", "practitioners", "cases", "allocations", "contacts", "appointments",
            "absences", "handovers", "items")}


def generate(practitioners: int = 600, cases: int = 20_000, contacts: int = 1_000_000,
             seed: int = 1, as_of: date = DEFAULT_AS_OF,
             caseloads: Sequence[int] | None = None) -> ScaleData:
    """The data, from `random.Random(seed)`.

    `caseloads` (one count per practitioner, in order; default None) deals
    the cases instead: practitioner i then holds exactly caseloads[i] open
    (active or paused) cases, each in that practitioner's team, and closed
    cases are dealt on top, so `cases` is ignored. Without it each case goes
    to a random team and, within it, to a practitioner by caseload weight."""
    import itertools

    from planner.calendar import working_days
    from planner.checklist import build_checklist
    from planner.model import Case as PlannerCase

    rng = random.Random(seed)
    today = as_of.toordinal()
    data = ScaleData(as_of, seed)
    n_teams = max(1, round(practitioners / TEAM_SIZE))
    team_youth: list[bool] = []
    for t in range(n_teams):
        nation = "scotland" if t % 30 == 17 else "northern-ireland" if t % 30 == 23 else "england-and-wales"
        youth = t % 6 == 5
        team_youth.append(youth)
        label = "Youth Justice" if youth else "Probation Delivery Unit"
        data.teams.append((t + 1, f"T{t + 1:02d}", f"Region {label} {t + 1}", nation))

    members: list[list[int]] = [[] for _ in range(n_teams)]
    leads: set[int] = set()
    weight: dict[int, float] = {}
    leaving: dict[int, int] = {}
    for p in range(practitioners):
        pk = p + 1
        t = p * n_teams // practitioners
        youth = team_youth[t]
        lead = not members[t]
        members[t].append(pk)
        if lead:
            leads.add(pk)
            role, grade = "team_lead", ("other" if youth else "SPO")
        else:
            role = "practitioner"
            grade = rng.choices(("YJW", "PO", "PSO"), (80, 10, 10))[0] if youth else \
                rng.choices(("PO", "PSO", "other"), (60, 35, 5))[0]
        hours = 37.0 if rng.random() < 0.8 else 22.5
        reduction = 75.0 if lead else (0.0 if rng.random() < 0.75 else float(rng.choice((10, 20, 25, 50))))
        leave_on = today + rng.randint(7, 120) if not lead and rng.random() < 0.02 else None
        if leave_on:
            leaving[pk] = leave_on
        name = f"{rng.choice(_FIRST)} {rng.choice(_LAST)}"
        email = f"p{pk:04d}@example.org"
        data.practitioners.append((pk, f"P{pk:04d}", name, t + 1, role, grade, hours, reduction,
                                   leave_on, email))
        weight[pk] = 0.3 if lead else rng.gammavariate(9, 1) * hours / 37 * (1 - reduction / 100)

    # Absences: leave twice a year, some sickness and training, a few long
    # absences ahead (some with cover named).
    for members_of in members:
        for pk in members_of:
            start = today - HISTORY_DAYS + rng.randint(0, 60)
            while start < today + 60:
                kind = rng.choices(("leave", "sickness", "training"), (60, 20, 20))[0]
                length = {"leave": rng.randint(4, 13), "sickness": rng.randint(0, 14), "training": 0}[kind]
                cover = rng.choice(members_of) if rng.random() < 0.3 else None
                data.absences.append((pk, start, start + length, kind, cover if cover != pk else None))
                start += length + rng.randint(45, 120)
            if rng.random() < 0.04:
                start = max(start, today + rng.randint(1, 50))
                cover = rng.choice(members_of) if rng.random() < 0.3 else None
                data.absences.append((pk, start, start + rng.randint(40, 120), "leave",
                                      cover if cover != pk else None))

    # Cases, their allocations and the contact "weight" that shares out the contacts.
    holders_of: list[list[tuple[int, int, int | None]]] = []
    spans: list[tuple[int, int]] = []
    rates: list[float] = []
    alloc_id = 0
    deal: list[int] | None = None
    if caseloads is not None:
        if len(caseloads) != practitioners or any(n < 0 for n in caseloads):
            raise ValueError("caseloads: one count of 0 or more per practitioner")
        deal = [pk for pk, n in enumerate(caseloads, start=1) for _ in range(n)]
        rng.shuffle(deal)
        team_of = {pk: t for t, pks in enumerate(members) for pk in pks}
    for c in (range(cases) if deal is None else itertools.count()):
        if deal is not None and not deal:
            break
        cid = c + 1
        if deal is None:
            t = rng.randrange(n_teams)
            pool = members[t]
            pk = rng.choices(pool, [weight[p] for p in pool])[0]
        else:
            pk = deal.pop()
            t = team_of[pk]
            pool = members[t]
        youth = team_youth[t]
        if youth:
            tier, level = None, rng.choices(("intensive", "enhanced", "standard"), (25, 45, 30))[0]
            age = rng.randint(10, 17)
        else:
            tier = rng.choices(_TIERS, _TIER_WEIGHTS)[0]
            level = None
            age = rng.randint(18, 70)
        resolved = level or _LEVEL_OF[tier[0]]
        flags = ";".join(f for f, adult, child in _FLAG_ODDS if rng.random() < (child if youth else adult))
        roll = rng.random()
        status = "closed" if roll < 0.05 else "paused" if roll < 0.08 else "active"
        if deal is not None and status == "closed":
            deal.insert(rng.randrange(len(deal) + 1), pk)  # deal this holder another (open) case
        first = today - rng.randint(20, 900)
        end = today - rng.randint(1, 120) if status == "closed" else None
        if end is not None and end <= first + 30:
            end = min(first + 31, today - 1)  # a closed case ended before today
        changes = sorted(rng.sample(range(first + 30, (end or today) - 5), k=min(
            rng.choices((0, 1, 2), (62, 30, 8))[0], max(0, (end or today) - first - 40))))
        others = [p for p in pool if p != pk and p not in leads] or [pk]
        chain = [rng.choice(others) for _ in changes] + [pk]
        starts = [first] + changes
        holders = []
        for i, (holder, start) in enumerate(zip(chain, starts)):
            stop = starts[i + 1] if i + 1 < len(starts) else end
            alloc_id += 1
            reason = "new order from court" if i == 0 else rng.choice(("reallocated", "rebalancing", "handover"))
            data.allocations.append((alloc_id, cid, holder, start, stop, reason))
            holders.append((holder, start, stop))
        holders_of.append(holders)
        dob = today - age * 365 - rng.randint(0, 364)
        data.cases.append((cid, f"X{cid:06d}", f"{rng.choice(_FIRST)} {rng.choice(_LAST)}", t + 1,
                           tier, level, youth, dob, flags, status,
                           today + rng.randint(5, 90) if status == "paused" else None))
        lo = max(first, today - HISTORY_DAYS)
        hi = (end if end is not None else today) - 1
        spans.append((lo, hi))
        rates.append(max(0, hi - lo) * _LEVEL_RATE[resolved])

        # Handovers at each change of worker: most completed warm, some cold.
        wd = working_days(data.teams[t][3])
        pcase = PlannerCase(case_ref="", display_name="", contact_level=resolved, youth=youth,
                            flags=frozenset(flags.split(";")) if flags else frozenset())
        for i in range(1, len(holders)):
            if rng.random() < 0.5:
                continue
            planned = holders[i][1]
            cold = rng.random() < 0.2
            _handover(data, cid, holders[i - 1][0], holders[i][0], planned, today,
                      "completed_cold" if cold else "completed_warm", planned, pcase, wd, build_checklist, rng)
        if status == "active" and rng.random() < 0.04 and len(others) > 0:
            planned = today + rng.randint(3, 40)
            status_h = "in_progress" if rng.random() < 0.5 else "planned"
            _handover(data, cid, pk, rng.choice(others), planned, today, status_h, None,
                      pcase, wd, build_checklist, rng)

    # Contacts: shared out by how long each case has run and its contact level.
    total = sum(rates) or 1.0
    scale = contacts / total
    carry = 0.0
    kinds_w = _KIND_W
    for c, (lo, hi) in enumerate(spans):
        cid = c + 1
        want = rates[c] * scale + carry
        k = int(want)
        carry = want - k
        span = hi - lo + 1
        if k <= 0 or span <= 0:
            continue
        k = min(k, span)
        step = span / k
        holders = holders_of[c]
        youth = data.cases[c][6]
        kinds = rng.choices(_KINDS, _YOUTH_KIND_W if youth else kinds_w, k=k)
        outcomes = rng.choices(_OUTCOMES, _OUTCOME_W, k=k)
        h = 0
        last = lo - 1
        rnd = rng.random
        for i in range(k):
            day = lo + int(i * step + rnd() * step)
            if day <= last:  # two draws in one day: take the next one
                day = last + 1
                if day > hi:
                    break
            last = day
            while h + 1 < len(holders) and holders[h + 1][1] <= day:
                h += 1
            data.contacts.append((cid, day, holders[h][0], kinds[i], outcomes[i]))

    # Appointments: the next one for most open cases (a weekly series for some).
    for c, case in enumerate(data.cases):
        if case[9] != "active":
            continue
        holder = holders_of[c][-1][0]
        if rng.random() < 0.85:
            day = today + rng.randint(0, 14)
            series = "FREQ=WEEKLY;COUNT=8" if rng.random() < 0.1 else None
            data.appointments.append((c + 1, day, holder, rng.choice(_TIMES),
                                      "home_visit" if case[6] and rng.random() < 0.4 else "office", series))
        if rng.random() < 0.3:
            data.appointments.append((c + 1, today + rng.randint(15, 40), holder, rng.choice(_TIMES),
                                      "office", None))
    _departures_and_cancellations(data, leads, today)
    return data


def _departures_and_cancellations(data: ScaleData, leads: set[int], today: int) -> None:
    """What rules v2 read, added without drawing from the random stream (the
    rest of the data is what it was): about one practitioner in a hundred
    off sick with no end date and no cover named, about one in a hundred and
    fifty who has left and still holds cases. (Who cancelled a cancelled
    contact is worked out as the rows are written: `_cancelled_by`.)"""
    starts = {(a[0], a[1]) for a in data.absences}
    for n, p in enumerate(data.practitioners):
        pk = p[0]
        if pk in leads:
            continue
        if pk % 97 == 13 and (pk, today - 1 - pk % 20) not in starts:
            data.absences.append((pk, today - 1 - pk % 20, None, "sickness", None))
        elif pk % 151 == 29:
            data.practitioners[n] = (*p[:8], today - 1 - pk % 25, p[9])


def _cancelled_by(case_id: int, day: int, outcome: str) -> str | None:
    """About a third of cancellations by the practitioner's side, the rest by the person."""
    if outcome != "cancelled":
        return None
    return "practitioner" if (case_id + day) % 3 == 0 else "person"


def _handover(data: ScaleData, cid: int, from_pk: int, to_pk: int, planned: int, today: int,
              status: str, completed: int | None, pcase, wd, build_checklist, rng) -> None:
    hid = len(data.handovers) + 1
    reason = "practitioner leaving" if rng.random() < 0.3 else "rebalancing"
    data.handovers.append((hid, cid, from_pk, to_pk, planned, status, reason, completed))
    for item in build_checklist(pcase, date.fromordinal(planned), wd):
        due = item.due.toordinal()
        if completed is not None:
            done = not (status == "completed_cold" and item.item_id == "three_way") and due < today
        else:
            done = status == "in_progress" and item.item_id in _EARLY_ITEMS and due < today
        data.items.append((hid, item.item_id, item.title, item.required, due, item.owner, done,
                           min(due, today - 1) if done else None,
                           done and item.item_id in ("three_way", "booked", "first_contact")))


# ---------------------------------------------------------------------------
# Writing the database

class _Days:
    """Ordinal -> the value the driver wants (ISO text for SQLite), cached:
    a million contacts fall on a few hundred distinct days."""

    def __init__(self, as_text: bool) -> None:
        self.as_text = as_text
        self.cache: dict[int, object] = {}

    def __call__(self, ordinal: int | None):
        if ordinal is None:
            return None
        value = self.cache.get(ordinal)
        if value is None:
            day = date.fromordinal(ordinal)
            value = day.isoformat() if self.as_text else day
            self.cache[ordinal] = value
        return value


def _rows(data: ScaleData, day: _Days) -> Iterator[tuple[str, Sequence[str], Iterable[tuple]]]:
    stamp = day(data.as_of.toordinal() - 1)
    created = f"{stamp} 09:00:00.000000" if day.as_text else None
    yield "team", ("id", "team_id", "name", "nation", "version"), (r + (1,) for r in data.teams)
    yield "practitioner", ("id", "practitioner_id", "name", "team_pk", "role", "grade",
                           "contracted_hours", "reduction_pct", "leaving_on", "email", "version"), (
        (*r[:8], day(r[8]), r[9], 1) for r in data.practitioners)
    yield "case", ("id", "case_ref", "display_name", "team_pk", "tier", "contact_level", "youth",
                   "date_of_birth", "flags", "status", "paused_until", "version"), (
        (*r[:7], day(r[7]), r[8], r[9], day(r[10]), 1) for r in data.cases)
    yield "allocation", ("id", "case_id", "practitioner_pk", "start_date", "end_date", "reason",
                         "version"), ((r[0], r[1], r[2], day(r[3]), day(r[4]), r[5], 1) for r in data.allocations)
    yield "contact", ("case_id", "contact_date", "practitioner_pk", "kind", "outcome", "cancelled_by", "version"), (
        (r[0], day(r[1]), r[2], r[3], r[4], _cancelled_by(r[0], r[1], r[4]), 1) for r in data.contacts)
    yield "appointment", ("case_id", "appointment_date", "practitioner_pk", "time", "kind", "rrule",
                          "version"), ((r[0], day(r[1]), r[2], r[3] if day.as_text else _time(r[3]), r[4], r[5], 1)
                                       for r in data.appointments)
    yield "absence", ("practitioner_pk", "start_date", "end_date", "kind", "cover_practitioner_pk",
                      "version"), ((r[0], day(r[1]), day(r[2]), r[3], r[4], 1) for r in data.absences)
    yield "handover", ("id", "case_id", "from_practitioner_pk", "to_practitioner_pk", "planned_on",
                       "status", "reason", "completed_on", "reviewed", "created_at", "version"), (
        (*r[:4], day(r[4]), r[5], r[6], day(r[7]), False, created or _created(data.as_of), 1)
        for r in data.handovers)
    yield "handover_item", ("handover_id", "item_id", "title", "required", "due", "owner", "done",
                            "done_on", "auto", "version"), (
        (*r[:4], day(r[4]), r[5], r[6], day(r[7]), r[8], 1) for r in data.items)


def _time(text: str):
    from datetime import time as dtime

    return dtime.fromisoformat(text[:8])


def _created(as_of: date):
    from datetime import datetime, timezone

    return datetime.combine(as_of - timedelta(days=1), datetime.min.time(), tzinfo=timezone.utc)


def _batches(rows: Iterable[tuple], size: int = BATCH) -> Iterator[list[tuple]]:
    batch: list[tuple] = []
    for row in rows:
        batch.append(row)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def write_db(data: ScaleData, db: str, *, quiet: bool = False) -> dict[str, float]:
    """Create `db` through init_db and fill it in one transaction. Returns timings."""
    from sqlalchemy import insert
    from sqlmodel import SQLModel

    from storage.db import init_db
    from storage.engine import make_engine, resolve_db, sqlite_path

    path = sqlite_path(resolve_db(db))
    if path is not None:
        for suffix in ("", "-wal", "-shm"):
            Path(str(path) + suffix).unlink(missing_ok=True)
    engine = make_engine(db)
    timings: dict[str, float] = {}
    try:
        t0 = time.perf_counter()
        init_db(engine)
        timings["init_db"] = time.perf_counter() - t0
        tables = SQLModel.metadata.tables
        with engine.connect() as conn:
            sqlite = conn.dialect.name == "sqlite"
            if sqlite:
                for pragma in ("PRAGMA synchronous=OFF", "PRAGMA cache_size=-262144",
                               "PRAGMA temp_store=MEMORY"):
                    conn.exec_driver_sql(pragma)
                conn.commit()
            day = _Days(as_text=sqlite)
            with conn.begin():
                for name, cols, rows in _rows(data, day):
                    t1 = time.perf_counter()
                    table = tables[name]
                    n = 0
                    if sqlite:
                        quoted = ", ".join(f'"{c}"' for c in cols)
                        marks = ", ".join("?" * len(cols))
                        sql = f'INSERT INTO "{name}" ({quoted}) VALUES ({marks})'
                        cursor = conn.connection.driver_connection.cursor()
                        for batch in _batches(rows):
                            cursor.executemany(sql, batch)
                            n += len(batch)
                        cursor.close()
                    else:
                        stmt = insert(table)
                        for batch in _batches(rows, 10_000):
                            conn.execute(stmt, [dict(zip(cols, r)) for r in batch])
                            n += len(batch)
                    timings[name] = time.perf_counter() - t1
                    if not quiet:
                        print(f"  {name:<14} {n:>9,} rows  {timings[name]:6.2f} s", flush=True)
                meta = tables["meta"]
                conn.execute(insert(meta), [
                    {"key": "built_for", "value": data.as_of.isoformat()},
                    {"key": "generator", "value": f"bench/scale.py seed={data.seed}"},
                ])
            if sqlite:
                t1 = time.perf_counter()
                conn.exec_driver_sql("ANALYZE")
                conn.exec_driver_sql("PRAGMA synchronous=FULL")
                conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
                conn.commit()
                timings["analyze"] = time.perf_counter() - t1
    finally:
        engine.dispose()
    return timings


# ---------------------------------------------------------------------------
# Writing docs/csv.md CSV files

CSV_FILES = ("practitioners", "cases", "allocations", "absences", "appointments", "handovers",
             "contacts")


def write_csv(data: ScaleData, dest: str | os.PathLike[str]) -> dict[str, Path]:
    """The same data as docs/csv.md CSV files, one per kind. Completed handovers
    and checklist ticks have no CSV form; planned ones go to handovers.csv."""
    out = Path(dest)
    out.mkdir(parents=True, exist_ok=True)
    day = _Days(as_text=True)
    teams = {t[0]: t for t in data.teams}
    pid = {p[0]: p[1] for p in data.practitioners}
    ref = {c[0]: c[1] for c in data.cases}
    current = {a[1]: a for a in data.allocations}  # each case's latest allocation
    paths: dict[str, Path] = {}

    def write(name: str, header: Sequence[str], rows: Iterable[Sequence]) -> None:
        path = out / f"{name}.csv"
        with path.open("w", newline="", encoding="utf-8") as fh:
            writer = csv.writer(fh)
            writer.writerow(header)
            writer.writerows(rows)
        paths[name] = path

    write("practitioners", ("practitioner_id", "name", "team_id", "role", "grade", "team_name",
                            "contracted_hours", "reduction_pct", "leaving_on", "email", "nation"),
          ((p[1], p[2], teams[p[3]][1], p[4], p[5], teams[p[3]][2], p[6], p[7], day(p[8]) or "",
            p[9], teams[p[3]][3]) for p in data.practitioners))
    write("cases", ("case_ref", "display_name", "practitioner_id", "allocated_on", "tier",
                    "contact_level", "youth", "date_of_birth", "flags", "status", "paused_until"),
          ((c[1], c[2], pid[current[c[0]][2]], day(current[c[0]][3]), c[4] or "", c[5] or "",
            "true" if c[6] else "false", day(c[7]), c[8], c[9], day(c[10]) or "")
           for c in data.cases))
    write("allocations", ("case_ref", "practitioner_id", "start_date", "end_date", "reason"),
          ((ref[a[1]], pid[a[2]], day(a[3]), day(a[4]) or "", a[5]) for a in data.allocations))
    write("absences", ("practitioner_id", "start_date", "end_date", "kind", "cover_practitioner_id"),
          ((pid[a[0]], day(a[1]), day(a[2]) or "", a[3], pid[a[4]] if a[4] else "") for a in data.absences))
    write("appointments", ("case_ref", "appointment_date", "practitioner_id", "time", "kind", "rrule"),
          ((ref[a[0]], day(a[1]), pid[a[2]], a[3][:5], a[4], a[5] or "") for a in data.appointments))
    write("handovers", ("case_ref", "to_practitioner_id", "planned_on", "reason"),
          ((ref[h[1]], pid[h[3]], day(h[4]), h[6]) for h in data.handovers
           if h[5] in ("planned", "in_progress")))
    write("contacts", ("case_ref", "contact_date", "practitioner_id", "kind", "outcome", "cancelled_by"),
          ((ref[c[0]], day(c[1]), pid[c[2]], c[3], c[4], _cancelled_by(c[0], c[1], c[4]) or "")
           for c in data.contacts))
    return paths


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("db", nargs="?", help="database file or URL to (re)create")
    parser.add_argument("--practitioners", type=int, default=600)
    parser.add_argument("--cases", type=int, default=20_000)
    parser.add_argument("--contacts", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--as-of", type=date.fromisoformat, default=DEFAULT_AS_OF,
                        help=f"date the data is built around (default {DEFAULT_AS_OF})")
    parser.add_argument("--csv", metavar="DIR", help="also (or only) write docs/csv.md CSV files here")
    args = parser.parse_args(argv)
    if not args.db and not args.csv:
        parser.error("give a database PATH, --csv DIR, or both")
    start = time.perf_counter()
    data = generate(args.practitioners, args.cases, args.contacts, args.seed, args.as_of)
    gen = time.perf_counter() - start
    counts = data.counts()
    print(f"generated in {gen:.1f} s: " + ", ".join(f"{v:,} {k}" for k, v in counts.items()))
    if args.csv:
        t0 = time.perf_counter()
        paths = write_csv(data, args.csv)
        print(f"wrote {len(paths)} CSV files to {args.csv} in {time.perf_counter() - t0:.1f} s")
    if args.db:
        t0 = time.perf_counter()
        write_db(data, args.db)
        took = time.perf_counter() - t0
        rows = sum(counts.values())
        print(f"wrote {args.db} in {took:.1f} s ({rows / took:,.0f} rows/s)")
    print(f"total {time.perf_counter() - start:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
