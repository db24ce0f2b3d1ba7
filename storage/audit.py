"""Audit events: who did what, when, to which record.

`detail` carries ids, field names and counts only, never names, notes or
other personal data. Events are only ever inserted.
"""

from __future__ import annotations

import getpass
import json
import os
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection
    from sqlmodel import Session


AUDIT_EVENTS = "audit_events"


def default_actor() -> str:
    """The OS user, for writes made without `--as`."""
    try:
        return getpass.getuser()
    except Exception:  # no passwd entry in some containers
        return os.environ.get("USER", "unknown")


def record(
    session: Session | Connection,
    actor: str,
    action: str,
    entity: str,
    entity_key: str,
    case_ref: str | None = None,
    **detail: object,
) -> int:
    """Add one audit event to the transaction of `session` (a Session, or
    a Core Connection: storage/repo's writes), committed with it; its id.
    SQLite: a row whose `login` is the OS user. PostgreSQL: through
    `caseload_audit()` (schema 0004), the only way a practitioner's login
    writes audit rows: the database stamps the login and refuses an actor
    other than the login's own practitioner.
    The session's (connection's) `info[AUDIT_EVENTS]` lists the ids it
    added, so that whoever opened it can tell its own changes from others'
    (tui.data.Gateway)."""
    new_id = _insert(session, actor, action, entity, entity_key, case_ref, detail)
    session.info.setdefault(AUDIT_EVENTS, []).append(new_id)
    return new_id


def record_now(target, actor: str, action: str, entity: str, entity_key: str, case_ref: str | None = None,
               **detail: object) -> None:
    """One audit event in a transaction of its own: how a file of personal
    data leaving the database is recorded, before the file takes its name
    (storage/files.py), so that an export the trail cannot record leaves no
    file behind. `target` is a `storage.reader.Database` (the driver's own
    connection: a read command that records its export imports no
    SQLAlchemy, README "Every command") or an engine (SQLAlchemy Core)."""
    from storage.reader import Database

    if isinstance(target, Database):
        with target.writer() as writer:
            _insert(writer, actor, action, entity, entity_key, case_ref, detail)
        return
    with target.begin() as connection:
        _insert(connection, actor, action, entity, entity_key, case_ref, detail)


def _insert(executor, actor: str, action: str, entity: str, entity_key: str, case_ref: str | None,
            detail: dict) -> int:
    """The event written through `executor` (a Session, a Connection or a
    `storage.reader.Reader`), as SQL text; its id."""
    from datetime import datetime, timezone

    from storage.reader import reader_of

    run = reader_of(executor)
    actor = actor or default_actor()
    values = (actor, action, entity, str(entity_key), case_ref,
              json.dumps(detail, default=str, sort_keys=True) if detail else None)
    if run.dialect == "postgresql":
        return run.scalar("SELECT caseload_audit(?, ?, ?, ?, ?, ?)", values)
    # SQLite: UTC, as SQLAlchemy's DateTime stores it (storage/models.py's AuditEvent.at)
    at = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M:%S.%f")
    return run.scalar(
        "INSERT INTO audit_event (at, actor, action, entity, entity_key, case_ref, detail, login)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id", (at, *values, default_actor()))
