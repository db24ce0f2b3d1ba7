"""Reading the audit trail (`caseload audit`) through a `storage.reader`
Reader: SQL text, no SQLAlchemy import, so the command reads as fast as
`caseload warnings`. Writing events is `storage.audit`'s.

What an actor reads of it is `storage.access.audit_scope` (the database's
`audit_event` policy of schema 0004 on a team server).
"""

from __future__ import annotations

import json
from datetime import date, datetime, time, timedelta, timezone

from planner.errors import CaseloadError
from storage.access import Actor, audit_scope, check_case_access
from storage.reader import reader_of

_COLUMNS = "id, at, actor, action, entity, entity_key, case_ref, detail, login, xact"


def audit_events(source, actor: Actor, *, case_ref: str | None = None, user: str | None = None,
                 since: date | None = None, until: date | None = None, limit: int | None = None) -> list[dict]:
    """The events `actor` may read, oldest first, as dicts (`at` in UTC, ISO;
    `detail` parsed): of one case (refused if the actor cannot see it), made
    by one `user`, from `since` to `until` (UTC days, both inclusive), the
    newest `limit` of them."""
    reader = reader_of(source)
    clauses: list[str] = []
    params: list = []
    scope = audit_scope(source, actor)
    if scope is not None:  # a practitioner: as the database's audit_event policy (storage.access)
        refs, team, login = sorted(scope[0]), sorted(scope[1]), scope[2]
        same_login = "login IS NULL" if login is None else "login = ?"  # as SQLAlchemy's `== None`
        clauses.append(f"(case_ref IN ({_list(reader, refs)}) OR (case_ref IS NULL AND "
                       f"(actor IN ({_list(reader, team)}) OR {same_login})))")
        params += [*refs, *team, *([] if login is None else [login])]
    in_scope = list(clauses), list(params)
    if case_ref:
        check_case_access(source, actor, case_ref)  # also: unknown case
        clauses.append("case_ref = ?")
        params.append(case_ref)
    if user:
        _check_user(reader, user, *in_scope)
        clauses.append("actor = ?")
        params.append(user)
    if since:
        clauses.append("at >= ?")
        params.append(_instant(reader, since))
    if until:
        clauses.append("at < ?")
        params.append(_instant(reader, until + timedelta(days=1)))
    where = f" WHERE {' AND '.join(clauses)}" if clauses else ""
    if limit:
        rows = reader.all(f"SELECT {_COLUMNS} FROM audit_event{where} ORDER BY id DESC LIMIT {int(limit)}", params)
        rows.reverse()
    else:
        rows = reader.all(f"SELECT {_COLUMNS} FROM audit_event{where} ORDER BY id", params)
    return [_event_dict(row) for row in rows]


def _check_user(reader, user: str, clauses: list[str], params: list) -> None:
    """CaseloadError for a `user` that is neither a practitioner's id nor the
    actor of any event the reader may see (`clauses`: the actor's scope), as
    `--case` refuses an unknown case."""
    if reader.first("SELECT 1 FROM practitioner WHERE practitioner_id = ?", (user,)) is not None:
        return
    where = " AND ".join([*clauses, "actor = ?"])
    if reader.first(f"SELECT 1 FROM audit_event WHERE {where} LIMIT 1", [*params, user]) is None:
        raise CaseloadError(f"unknown user {user}: no practitioner has that id and no audit event names it")


def _list(reader, values: list) -> str:
    """Markers for an IN list; an empty list matches nothing."""
    return reader.placeholders(len(values)) if values else "NULL"


def _instant(reader, day: date):
    """Midnight UTC at the start of `day`, as the column compares: SQLite
    holds UTC as text (SQLAlchemy's format), PostgreSQL a timestamptz."""
    if reader.dialect == "sqlite":
        return f"{day.isoformat()} 00:00:00.000000"
    return datetime.combine(day, time(), timezone.utc)


def _event_dict(row: tuple) -> dict:
    event_id, at, actor, action, entity, key, case_ref, detail, login, xact = row
    if isinstance(at, str):
        at = datetime.fromisoformat(at)
    at = at if at.tzinfo else at.replace(tzinfo=timezone.utc)
    try:
        parsed = json.loads(detail) if detail else None
    except ValueError:
        parsed = detail
    return {
        "id": event_id,
        "at": at.astimezone(timezone.utc).isoformat(),
        "actor": actor,
        "action": action,
        "entity": entity,
        "entity_key": key,
        "case_ref": case_ref,
        "detail": parsed,
        "login": login,
        "xact": xact,
    }
