#!/usr/bin/env python
"""Load test for a team server: concurrent clients against one PostgreSQL database.

    .venv/bin/python bench/bench_load.py                       # own throwaway server (.ci/pg.sh), 20 clients, 60 s
    .venv/bin/python bench/bench_load.py --db "$CASELOAD_TEST_PG_URL" --seconds 60
    .venv/bin/python bench/bench_load.py --clients 5 --seconds 5 --max-writes 200

Setup: a new database (`caseload_load_<pid>`) on the server - by default a
throwaway server this script starts with `.ci/pg.sh` on a spare port and
stops at the end; with `--db URL`, that server (127.0.0.1 only) - created
with `storage.db.init_db` and loaded with a private copy of sample.db
(`storage.copy.copy_database`); handover auto-ticks are synced once so the
clients' writes are the only writes. The database is dropped at the end
unless --keep.

Run: `--clients` processes (multiprocessing, default 20), each with its own
engine and one connection, for `--seconds` (default 60) or `--max-writes`
acknowledged writes each (default 100,000), whichever comes first. Each
loop does one of, at random:

- record a contact on a random open case (`storage.repo.record_contact`),
  a date unique to the client and loop, so no two writes collide by key;
- tick a checklist item of a random open handover with a note naming the
  write (`storage.handovers.tick_item`): read the item (one transaction),
  then tick it with the version read (another), exactly as a person does on
  the handover screen. Twenty clients on ~60 items collide often: a
  ConflictError is counted and the client reloads and tries again (up to
  50 times).

A write is *acknowledged* when its commit returned; every acknowledged write
is recorded by the client (contact id; item, version after and note).

Check, after every client has finished: every acknowledged contact is in the
database as written; no two acknowledged ticks claim the same item version
(that would be a lost update) and each item's note is the one of its last
acknowledged tick; one audit event (`record` / `tick`) per acknowledged
write, per client; the contact count went up by exactly the acknowledged
contacts. Prints writes/s, conflicts, retries and `lost = 0` (exit status 1
if anything is missing). Nothing is asserted about speed.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import os
import random
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections import Counter, defaultdict
from datetime import date, timedelta
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

AS_OF = date(2026, 11, 27)  # sample.db is built for this day
CONTACT_KINDS = ("office", "phone", "home_visit", "video")  # never three_way: no auto-ticks
LOCAL_HOSTS = ("127.0.0.1", "localhost", "::1")


def spare_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


# --------------------------------------------------------------------------- setup


def start_own_server() -> tuple[str, callable]:
    root = Path(tempfile.mkdtemp(prefix="caseload-load-"))
    root.chmod(0o755)  # pg.sh runs the server as the postgres user when run as root
    data = root / "data"
    port = spare_port()
    out = subprocess.run([str(REPO / ".ci" / "pg.sh"), "start", str(data), str(port)],
                         capture_output=True, text=True, check=True)

    def stop() -> None:
        subprocess.run([str(REPO / ".ci" / "pg.sh"), "stop", str(data)], capture_output=True, check=False)
        shutil.rmtree(root, ignore_errors=True)

    return out.stdout.strip().splitlines()[-1], stop


def create_database(server_url: str, name: str) -> str:
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    admin = create_engine(server_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return make_url(server_url).set(database=name).render_as_string(hide_password=False)


def drop_database(server_url: str, name: str) -> None:
    from sqlalchemy import create_engine, text

    admin = create_engine(server_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def load_sample(url: str) -> dict:
    """init_db, copy the sample in, sync auto-ticks; returns the work lists."""
    from sqlalchemy import select
    from sqlmodel import Session

    from planner.model import OPEN_HANDOVER_STATUSES
    from storage import models as m
    from storage.copy import copy_database
    from storage.db import init_db
    from storage.engine import make_engine
    from storage.handovers import sync_auto_ticks_now

    with tempfile.TemporaryDirectory() as tmp:
        copy = Path(tmp) / "sample.db"
        shutil.copyfile(REPO / "sample.db", copy)
        src = make_engine(str(copy), create=False)
        dst = make_engine(url)
        init_db(dst)
        copy_database(src, dst)
        src.dispose()
    sync_auto_ticks_now(dst, as_of=AS_OF, actor="load-setup")
    with Session(dst) as s:
        cases = s.execute(
            select(m.Case.case_ref, m.Practitioner.practitioner_id)
            .join(m.Allocation, (m.Allocation.case_id == m.Case.id) & m.Allocation.end_date.is_(None))
            .join(m.Practitioner, m.Practitioner.id == m.Allocation.practitioner_pk)
            .where(m.Case.status != "closed").order_by(m.Case.case_ref)
        ).all()
        items = s.execute(
            select(m.Case.case_ref, m.HandoverItem.item_id)
            .join(m.Handover, m.Handover.case_id == m.Case.id)
            .join(m.HandoverItem, m.HandoverItem.handover_id == m.Handover.id)
            .where(m.Handover.status.in_(OPEN_HANDOVER_STATUSES))
            .order_by(m.Case.case_ref, m.HandoverItem.item_id)
        ).all()
    dst.dispose()
    return {"cases": [tuple(r) for r in cases], "items": [tuple(r) for r in items]}


# --------------------------------------------------------------------------- a client


def client(n: int, url: str, work: dict, seconds: float, max_writes: int, out_dir: str, seed: int,
           barrier) -> None:
    from sqlalchemy import create_engine
    from sqlmodel import Session

    from planner.errors import CaseloadError, ConflictError
    from storage import handovers as ho
    from storage import repo

    rng = random.Random(seed * 1000 + n)
    engine = create_engine(url, pool_size=1, max_overflow=0, pool_pre_ping=True)
    actor = f"load-c{n:02d}"
    with engine.connect():  # connected and imported before the clock starts
        pass
    barrier.wait()
    deadline = time.monotonic() + seconds
    acked_contacts: list[list] = []
    acked_ticks: list[list] = []
    latencies: list[float] = []  # seconds from first try to acknowledgement
    conflicts = retries_exhausted = errors = 0
    loop = 0
    while time.monotonic() < deadline and len(acked_contacts) + len(acked_ticks) < max_writes:
        loop += 1
        if rng.random() < 0.5 or not work["items"]:
            case_ref, practitioner_id = rng.choice(work["cases"])
            day = date(2027, 1, 1) + timedelta(days=loop * 64 + n)  # unique per client and loop
            kind = rng.choice(CONTACT_KINDS)
            began = time.monotonic()
            try:
                with Session(engine, expire_on_commit=False) as s:
                    cid = repo.record_contact(s, case_ref=case_ref, contact_date=day, practitioner_id=practitioner_id,
                                              kind=kind, outcome="attended", actor=actor)
                    repo.commit_or_conflict(s)
                acked_contacts.append([cid, case_ref, day.isoformat(), practitioner_id, kind])
                latencies.append(time.monotonic() - began)
            except ConflictError:
                conflicts += 1
            except CaseloadError:
                errors += 1
            continue
        case_ref, item_id = rng.choice(work["items"])
        note = f"{actor} write {loop}"
        began = time.monotonic()
        for attempt in range(50):
            if attempt and time.monotonic() >= deadline:
                break  # time is up: this one was never acknowledged
            try:
                with Session(engine) as s:  # what the screen shows
                    version = ho.handover_detail(s, case_ref, as_of=AS_OF).item(item_id).version
                with Session(engine, expire_on_commit=False) as s:  # the save, with the version read
                    view = ho.tick_item(s, case_ref=case_ref, item_id=item_id, note=note, on=AS_OF,
                                        actor=actor, expected_version=version)
                    repo.commit_or_conflict(s)
                item = view.item(item_id)
                acked_ticks.append([item.id, case_ref, item_id, item.version, note])
                latencies.append(time.monotonic() - began)
                break
            except ConflictError:
                conflicts += 1
        else:
            retries_exhausted += 1
    finished = time.monotonic()  # CLOCK_MONOTONIC: the same clock in every process
    engine.dispose()
    with open(Path(out_dir) / f"client-{n:02d}.json", "w") as fh:
        json.dump({"client": n, "actor": actor, "contacts": acked_contacts, "ticks": acked_ticks,
                   "latencies": latencies, "finished": finished, "conflicts": conflicts, "retries_exhausted": retries_exhausted, "errors": errors}, fh)


# --------------------------------------------------------------------------- the check


def check(url: str, results: list[dict], contacts_before: int) -> dict:
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    problems: list[str] = []
    with engine.connect() as conn:
        stored = {r[0]: tuple(r[1:]) for r in conn.execute(text(
            'SELECT ct.id, c.case_ref, ct.contact_date, p.practitioner_id, ct.kind FROM contact ct '
            'JOIN "case" c ON c.id = ct.case_id JOIN practitioner p ON p.id = ct.practitioner_pk'))}
        items = {r[0]: (r[1], r[2]) for r in conn.execute(text("SELECT id, version, note FROM handover_item"))}
        events = Counter(
            (r[0], r[1]) for r in conn.execute(text(
                "SELECT actor, action FROM audit_event WHERE actor LIKE 'load-c%'")))
        contacts_after = len(stored)
    lost = 0
    acked_contacts = acked_ticks = 0
    by_item: dict[int, list] = defaultdict(list)
    for res in results:
        for cid, case_ref, day, pid, kind in res["contacts"]:
            got = stored.get(cid)
            if got is None or (got[0], got[1].isoformat(), got[2], got[3]) != (case_ref, day, pid, kind):
                lost += 1
                problems.append(f"contact {cid} of {res['actor']} missing or changed: {got}")
        for item_pk, _case_ref, _item_id, version, note in res["ticks"]:
            by_item[item_pk].append((version, note, res["actor"]))
        acked_contacts += len(res["contacts"])
        acked_ticks += len(res["ticks"])
        for action, n in (("record", len(res["contacts"])), ("tick", len(res["ticks"]))):
            if events[(res["actor"], action)] != n:
                problems.append(f"{res['actor']}: {n} acknowledged {action} writes, "
                                f"{events[(res['actor'], action)]} audit events")
    for item_pk, acks in by_item.items():
        versions = Counter(v for v, _, _ in acks)
        doubled = [v for v, k in versions.items() if k > 1]
        if doubled:
            lost += sum(versions[v] - 1 for v in doubled)
            problems.append(f"item {item_pk}: two acknowledged ticks claim version(s) {doubled} (lost update)")
        version, note, _ = max(acks)
        db_version, db_note = items[item_pk]
        if db_version < version or (db_version == version and db_note != note):
            lost += 1
            problems.append(f"item {item_pk}: last acknowledged tick (v{version}) is not what the database holds")
    if contacts_after - contacts_before != acked_contacts:
        problems.append(f"contacts went from {contacts_before} to {contacts_after}, "
                        f"but {acked_contacts} were acknowledged")
    engine.dispose()
    return {"lost": lost, "problems": problems, "acked_contacts": acked_contacts, "acked_ticks": acked_ticks,
            "audit_events": sum(events[k] for k in events if k[1] in ("record", "tick"))}


# --------------------------------------------------------------------------- main


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--db", metavar="URL", help="a PostgreSQL server on 127.0.0.1 (default: start a throwaway one)")
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--max-writes", type=int, default=100_000, help="per client")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--keep", action="store_true", help="keep the load database")
    args = parser.parse_args(argv)
    if not 1 <= args.clients <= 100:
        parser.error("--clients: 1 to 100")
    if not 0 < args.seconds <= 3600:
        parser.error("--seconds: up to 3600")

    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    stop_server = None
    if args.db:
        server_url = args.db if "://" in args.db else parser.error("--db: give a postgresql:// URL")
        server_url = server_url.replace("postgresql://", "postgresql+psycopg://", 1)
        if make_url(server_url).host not in LOCAL_HOSTS:
            parser.error("--db: the load test runs against a server on 127.0.0.1 only")
    else:
        server_url, stop_server = start_own_server()
    name = f"caseload_load_{os.getpid()}"
    url = create_database(server_url, name)
    out_dir = tempfile.mkdtemp(prefix="caseload-load-results-")
    try:
        t0 = time.monotonic()
        work = load_sample(url)
        eng = create_engine(url)
        with eng.connect() as conn:
            contacts_before = conn.execute(text("SELECT count(*) FROM contact")).scalar_one()
        eng.dispose()
        print(f"loaded sample.db into {make_url(url).host}:{make_url(url).port}/{name} in "
              f"{time.monotonic() - t0:.1f}s: {len(work['cases'])} open cases, {len(work['items'])} "
              f"checklist items on open handovers")

        ctx = mp.get_context("spawn")
        barrier = ctx.Barrier(args.clients + 1)
        procs = [ctx.Process(target=client,
                             args=(n, url, work, args.seconds, args.max_writes, out_dir, args.seed, barrier))
                 for n in range(args.clients)]
        for p in procs:
            p.start()
        barrier.wait(timeout=120)  # every client imported and connected
        start = time.monotonic()
        for p in procs:
            p.join(timeout=args.seconds + 120)
            if p.is_alive():
                p.kill()
        results = []
        for n in range(args.clients):
            path = Path(out_dir) / f"client-{n:02d}.json"
            if path.exists():
                results.append(json.loads(path.read_text()))
        crashed = args.clients - len(results)
        elapsed = max((r["finished"] for r in results), default=time.monotonic()) - start
        report = check(url, results, contacts_before)
        writes = report["acked_contacts"] + report["acked_ticks"]
        conflicts = sum(r["conflicts"] for r in results)
        print(f"clients: {args.clients} processes ({crashed} crashed), {elapsed:.1f}s from the start signal "
              f"to the last client's last write")
        print(f"acknowledged writes: {writes} ({report['acked_contacts']} contacts, "
              f"{report['acked_ticks']} checklist ticks) = {writes / elapsed:.0f} writes/s")
        lat = sorted(x for r in results for x in r["latencies"])
        if lat:
            print(f"latency per acknowledged write (retries included): median {lat[len(lat) // 2] * 1000:.0f} ms, "
                  f"95th percentile {lat[int(len(lat) * 0.95)] * 1000:.0f} ms, max {lat[-1] * 1000:.0f} ms")
        print(f"conflicts (ConflictError, reloaded and retried): {conflicts}; "
              f"gave up after 50 tries: {sum(r['retries_exhausted'] for r in results)}; "
              f"other refusals: {sum(r['errors'] for r in results)}")
        print(f"audit events for them: {report['audit_events']}")
        print(f"lost = {report['lost']}")
        for problem in report["problems"][:20]:
            print(f"PROBLEM: {problem}")
        ok = report["lost"] == 0 and not report["problems"] and crashed == 0
        print("CHECK PASSED: every acknowledged write is there, one audit event each, counts add up"
              if ok else "CHECK FAILED")
        return 0 if ok else 1
    finally:
        shutil.rmtree(out_dir, ignore_errors=True)
        if not args.keep:
            drop_database(server_url, name)
        if stop_server is not None:
            stop_server()


if __name__ == "__main__":
    sys.exit(main())
