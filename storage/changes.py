"""The change marker the app polls (tui/data/gateway.py `changes_since`):
plain SQL on a `storage.reader.Reader`, so the poll at start-up does not wait
for SQLAlchemy's import. Every write is audited (storage/audit.py), so the
audit events' ids tell every change."""

from __future__ import annotations

from collections.abc import Iterable


def newest_event_id(reader) -> int:
    """The newest audit event's id (0 for none): the app's change marker."""
    return reader.scalar("SELECT max(id) FROM audit_event") or 0


def changed_between(reader, since: int, top: int, *, own: Iterable[int] = (), exclude_actor: str | None = None,
                    team_id: str | None = None) -> bool:
    """Whether an audit event after `since` up to `top`, not one of `own`
    (nor, on PostgreSQL, a `db_write` row of their transactions), nor by
    `exclude_actor`, touched a case of `team_id` (None: any) or no case at
    all (a practitioner, an absence, a team, a whole import file)."""
    sql, params = "SELECT e.id FROM audit_event e", [since, top]
    where = " WHERE e.id > ? AND e.id <= ?"
    own = sorted(own)
    if own:
        marks = ", ".join("?" * len(own))
        where += (f" AND e.id NOT IN ({marks}) AND NOT (e.action = 'db_write' AND e.xact IN"
                  f" (SELECT o.xact FROM audit_event o WHERE o.id IN ({marks})))")
        params += own + own
    if exclude_actor:
        where += " AND e.actor != ?"
        params.append(exclude_actor)
    if team_id is not None:
        sql += ' LEFT JOIN "case" c ON c.case_ref = e.case_ref LEFT JOIN team t ON t.id = c.team_pk'
        where += " AND (e.case_ref IS NULL OR t.team_id = ?)"
        params.append(team_id)
    return reader.first(sql + where + " LIMIT 1", params) is not None
