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
    bind = session.get_bind() if hasattr(session, "get_bind") else session
    new_id = _insert(session, bind.dialect.name, actor, action, entity, entity_key, case_ref, detail)
    session.info.setdefault(AUDIT_EVENTS, []).append(new_id)
    return new_id


def record_now(engine, actor: str, action: str, entity: str, entity_key: str, case_ref: str | None = None,
               **detail: object) -> None:
    """One audit event in a transaction of its own: how a file of personal
    data leaving the database is recorded, before the file takes its name
    (storage/files.py), so that an export the trail cannot record leaves no
    file behind. SQLAlchemy Core on the engine: a read command that records
    its export imports no ORM (README "Performance")."""
    with engine.begin() as connection:
        _insert(connection, engine.dialect.name, actor, action, entity, entity_key, case_ref, detail)


def _insert(executor, dialect: str, actor: str, action: str, entity: str, entity_key: str,
            case_ref: str | None, detail: dict) -> int:
    """The event written through `executor` (a Session or a Connection); its id."""
    from sqlalchemy import text as sql

    actor = actor or default_actor()
    values = {"actor": actor, "action": action, "entity": entity, "key": str(entity_key), "case_ref": case_ref,
              "detail": json.dumps(detail, default=str, sort_keys=True) if detail else None}
    if dialect == "postgresql":
        return executor.execute(
            sql("SELECT caseload_audit(:actor, :action, :entity, :key, :case_ref, :detail)"), values).scalar()
    from datetime import datetime, timezone

    from sqlalchemy import DateTime, column, table

    events = table("audit_event", column("at", DateTime(timezone=True)), *map(column, (
        "actor", "action", "entity", "entity_key", "case_ref", "detail", "login")), column("id"))
    result = executor.execute(events.insert().values(
        at=datetime.now(timezone.utc), actor=actor, action=action, entity=entity, entity_key=values["key"],
        case_ref=case_ref, detail=values["detail"], login=default_actor()).returning(events.c.id))
    return result.scalar_one()
