"""Administration commands (issue 8): the audit trail, backup and restore,
the integrity check and the SQLite -> PostgreSQL move.

    caseload audit [--case REF] [--user ID] [--since DATE] [--until DATE] [--format table|json]
    caseload backup DEST
    caseload restore SRC [--force]
    caseload copy --to URL
    caseload check
"""

from __future__ import annotations

import json
from pathlib import Path

import click

from planner.errors import CaseloadError
from planner.words import plural
from tui.cli.base import Ctx, FilePath, parse_date, print_table


# --------------------------------------------------------------------------- audit


@click.command("audit")
@click.option("--case", "case_ref", metavar="REF", help="Events of this case only.")
@click.option("--user", "user", metavar="ID", help="Events made by this actor (practitioner id or OS user).")
@click.option("--since", metavar="DATE", help="From this date (UTC, inclusive).")
@click.option("--until", metavar="DATE", help="To this date (UTC, inclusive).")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
@click.option("--limit", type=click.IntRange(min=1), default=None, help="At most this many (the newest).")
@click.option("--db-writes", "db_writes", is_flag=True,
              help="List every row a practitioner's login wrote (db_write) on its own line.")
@click.pass_obj
def audit(c: Ctx, case_ref, user, since, until, fmt, limit, db_writes):
    """The audit trail: who changed what, when (oldest first)."""
    from storage.access import resolve_actor
    from storage.audit_trail import audit_events

    since_d, until_d = parse_date(since, "--since"), parse_date(until, "--until")
    if since_d and until_d and until_d < since_d:
        raise CaseloadError("--until is before --since")
    with c.reader() as r:
        rows = audit_events(r, resolve_actor(r, c.actor_id), case_ref=case_ref, user=user,
                            since=since_d, until=until_d, limit=limit)
    if fmt == "json":
        click.echo(json.dumps({"events": rows}, indent=2, ensure_ascii=False))
        return
    if not rows:
        click.echo("No audit events.")
        return
    shown = rows if db_writes else _fold_db_writes(rows)
    print_table(
        ["WHEN (UTC)", "ACTOR", "LOGIN", "ACTION", "ENTITY", "KEY", "CASE", "DETAIL"],
        [[r["at"][:19].replace("T", " "), r["actor"], r["login"] or "-", r["action"], r["entity"],
          r["entity_key"], r["case_ref"] or "-",
          (json.dumps(r["detail"], sort_keys=True) if r["detail"] else "") + _rows_note(r)] for r in shown],
    )
    folded = len(rows) - len(shown)
    click.echo(plural(len(rows), "event") + (f", {plural(folded, 'row write')} folded into the change that made them "
                                          "(--db-writes lists them)" if folded else ""))


def _fold_db_writes(rows: list[dict]) -> list[dict]:
    """The database's own `db_write` rows (schema 0004: one per row a
    practitioner's login wrote) of a transaction that also has the app's
    event are counted on that event's line ("+ rows: contact insert 1");
    those of a transaction with no app event (a direct write, e.g. from
    psql) stay on lines of their own."""
    from collections import Counter

    app_xacts = {r["xact"] for r in rows if r["action"] != "db_write" and r["xact"] is not None}
    writes: dict[int, Counter] = {}
    shown = []
    for r in rows:
        if r["action"] == "db_write" and r["xact"] in app_xacts:
            op = (r["detail"] or {}).get("op", "write") if isinstance(r["detail"], dict) else "write"
            writes.setdefault(r["xact"], Counter())[f"{r['entity']} {op}"] += 1
            continue
        shown.append(r)
    last: dict[int, dict] = {}
    for r in shown:
        if r["action"] != "db_write" and r["xact"] in writes:
            last[r["xact"]] = r
    for xact, r in last.items():
        r["_rows"] = writes[xact]
    return shown


def _rows_note(row: dict) -> str:
    counts = row.get("_rows")
    if not counts:
        return ""
    return " + rows: " + ", ".join(f"{what} {n}" for what, n in sorted(counts.items()))


# --------------------------------------------------------------------------- restore, copy


@click.command("restore")
@click.argument("src", type=FilePath())
@click.option("--force", is_flag=True, help="SQLite: replace a database that already holds data.")
@click.pass_obj
def restore(c: Ctx, src, force):
    """Restore a backup into --db: a SQLite backup file, or a pg_dump file into an empty PostgreSQL database."""
    from storage.serverops import restore_db

    c.refuse_practitioner("restore a backup")
    engine = c.engine(create=False, ready=False)  # restore_db creates the file (0600) once SRC checks out
    try:
        click.echo(restore_db(engine, src, force=force))
    finally:
        engine.dispose()


@click.command("copy")
@click.option("--to", "to", required=True, metavar="URL", help="The new database (initialised with `caseload init`, empty).")
@click.pass_obj
def copy(c: Ctx, to):
    """Copy every record of --db into another database (SQLite -> PostgreSQL)."""
    from storage.copy import copy_database
    from storage.engine import make_engine

    from tui.cli.progress import shown

    src = c.engine()
    c.require_admin("copy the database")
    dst = make_engine(to, create=False)
    try:
        with shown() as progress:
            report = copy_database(src, dst, progress=progress)
    finally:
        dst.dispose()
        src.dispose()
    for line in report.describe():
        click.echo(line)


@click.command()
@click.argument("dest", type=click.Path())
@click.pass_obj
def backup(c: Ctx, dest):
    """Take an online backup (SQLite) or a pg_dump (PostgreSQL) to DEST (a new file, or a folder)."""
    from storage.db import backup_db

    engine = c.engine()
    c.require_admin("take a backup")
    written = backup_db(engine, dest, actor=c.actor)  # a trailing slash says "a folder"
    click.echo(f"backup written to {written}")


@click.command()
@click.pass_obj
def check(c: Ctx):
    """Integrity and schema check."""
    from storage.db.drift import check_on
    from storage.reader import Database

    database = Database(c.db)  # a lean read: no SQLAlchemy, SQLModel or Alembic (storage/db/drift.py)
    with database.reader() as reader:
        problems = check_on(reader, Path(database.target) if database.kind == "sqlite" else None)
    if problems:
        for problem in problems:
            click.echo(f"problem: {problem}", err=True)
        raise CaseloadError(f"check failed: {plural(len(problems), 'problem')}")
    click.echo("ok: integrity, foreign keys and schema version are fine")


COMMANDS = (audit, backup, restore, copy, check)
