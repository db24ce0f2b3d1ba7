"""Audit events: who did what, when, to which record.

`detail` carries ids, field names and counts only, never names, notes or
other personal data. Events are only ever inserted.
"""

from __future__ import annotations

import getpass
import json
import os

from sqlmodel import Session

from storage.models import AuditEvent


AUDIT_EVENTS = "audit_events"


def default_actor() -> str:
    """The OS user, for writes made without `--as`."""
    try:
        return getpass.getuser()
    except Exception:  # no passwd entry in some containers
        return os.environ.get("USER", "unknown")


def record(
    session: Session,
    actor: str,
    action: str,
    entity: str,
    entity_key: str,
    case_ref: str | None = None,
    **detail: object,
) -> AuditEvent | None:
    """Add one audit event to the session's transaction (committed with it).

    SQLite: a row whose `login` is the OS user. PostgreSQL: through
    `caseload_audit()` (schema 0004), the only way a practitioner's login
    writes audit rows: the database stamps the login and refuses an actor
    other than the login's own practitioner.

    The session's `info[AUDIT_EVENTS]` lists what it added (the event, or on
    PostgreSQL its id), so that whoever opened it can tell its own changes
    from others' (tui.data.Gateway)."""
    actor = actor or default_actor()
    text = json.dumps(detail, default=str, sort_keys=True) if detail else None
    if session.get_bind().dialect.name == "postgresql":
        from sqlalchemy import text as sql

        new_id = session.execute(
            sql("SELECT caseload_audit(:actor, :action, :entity, :key, :case_ref, :detail)"),
            {"actor": actor, "action": action, "entity": entity, "key": str(entity_key),
             "case_ref": case_ref, "detail": text},
        ).scalar()
        session.info.setdefault(AUDIT_EVENTS, []).append(new_id)
        return None
    event = AuditEvent(actor=actor, action=action, entity=entity, entity_key=str(entity_key),
                       case_ref=case_ref, detail=text, login=default_actor())
    session.add(event)
    session.info.setdefault(AUDIT_EVENTS, []).append(event)
    return event


def record_now(engine, actor: str, action: str, entity: str, entity_key: str, case_ref: str | None = None,
               **detail: object) -> None:
    """One audit event in a transaction of its own: how a file of personal
    data leaving the database is recorded, before the file takes its name
    (storage/files.py), so that an export the trail cannot record leaves no
    file behind."""
    with Session(engine) as session:
        record(session, actor, action, entity, entity_key, case_ref, **detail)
        session.commit()
