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
    other than the login's own practitioner."""
    actor = actor or default_actor()
    text = json.dumps(detail, default=str, sort_keys=True) if detail else None
    if session.get_bind().dialect.name == "postgresql":
        from sqlalchemy import text as sql

        session.execute(
            sql("SELECT caseload_audit(:actor, :action, :entity, :key, :case_ref, :detail)"),
            {"actor": actor, "action": action, "entity": entity, "key": str(entity_key),
             "case_ref": case_ref, "detail": text},
        )
        return None
    event = AuditEvent(actor=actor, action=action, entity=entity, entity_key=str(entity_key),
                       case_ref=case_ref, detail=text, login=default_actor())
    session.add(event)
    return event
