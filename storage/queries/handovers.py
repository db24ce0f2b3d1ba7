"""Handover reads: the open ones, the completed ones with follow-ups still
open, one case's; each a `HandoverView` with its items, in two statements
whatever the number. And the auto-ticks the records give
(docs/handovers.md), which `storage.handovers.sync_auto_ticks` writes.

SQL text on a `storage.reader.Reader` like every query here: `caseload
handover list/show/departures` read without importing SQLAlchemy and open a
write only when the records give a tick not yet written; the app and
`storage.handovers` run the same functions on their session
(`storage/handovers/reading.py` flushes it first).
"""

from __future__ import annotations

from datetime import date, timedelta

from planner.errors import CaseloadError
from planner.handover import FOLLOW_UP_DAYS
from planner.model import COMPLETED_HANDOVER_STATUSES, OPEN_HANDOVER_STATUSES
from storage.queries.handover_views import HandoverView, ItemView, item_state
from storage.queries.rows import _case_pk, _Dates, _known, _rows, _team_pk

#: More handover ids than this are matched by a subquery, not an IN list.
_IN_LIST_LIMIT = 500

_OPEN = "h.status IN ({})".format(", ".join(f"'{s}'" for s in OPEN_HANDOVER_STATUSES))
_COMPLETED = "h.status IN ({})".format(", ".join(f"'{s}'" for s in COMPLETED_HANDOVER_STATUSES))
_FROM = (' FROM handover h JOIN "case" c ON c.id = h.case_id JOIN practitioner pf ON pf.id = h.from_practitioner_pk'
         " JOIN practitioner pt ON pt.id = h.to_practitioner_pk")


def load_views(reader, where: str, params: tuple, as_of: date) -> list[HandoverView]:
    """Handovers matching `where` (SQL on h, c, pf, pt with `?` markers for
    `params`) with their items: two statements whatever the number."""
    rows = _rows(reader, "SELECT h.id, h.version, c.case_ref, c.display_name, pf.practitioner_id, pf.name,"
                         " pt.practitioner_id, pt.name, h.planned_on, h.status, h.reason, h.summary, h.completed_on,"
                         " h.override_reason, h.reviewed, h.reviewed_by, h.reviewed_on, h.review_note,"
                         f" h.plan_override_reason{_FROM} WHERE {where} ORDER BY h.planned_on, c.case_ref, h.id",
                 params)
    if not rows:
        return []
    dates = _Dates()
    items = _item_views(reader, rows, (f"SELECT h.id{_FROM} WHERE {where}", params), as_of, dates)
    return [
        HandoverView(
            id=hid, version=version, case_ref=ref, display_name=name, from_id=from_id, from_name=from_name,
            to_id=to_id, to_name=to_name, planned_on=dates[planned_on], status=status, reason=reason,
            summary=summary, completed_on=dates[completed_on], override_reason=override_reason,
            reviewed=bool(reviewed), items=tuple(items[hid]), as_of=as_of, reviewed_by=reviewed_by,
            reviewed_on=dates[reviewed_on], review_note=review_note, plan_override_reason=plan_override_reason,
        )
        for (hid, version, ref, name, from_id, from_name, to_id, to_name, planned_on, status, reason, summary,
             completed_on, override_reason, reviewed, reviewed_by, reviewed_on, review_note,
             plan_override_reason) in rows
    ]


def _item_views(reader, rows, ids_query: tuple[str, tuple], as_of: date, dates: _Dates) -> dict[int, list[ItemView]]:
    """The items of the handovers in `rows`, by handover id, in due order."""
    ids = [row[0] for row in rows]
    if len(ids) <= _IN_LIST_LIMIT:
        where, params = f"handover_id IN ({', '.join('?' * len(ids))})", tuple(ids)
    else:
        where, params = f"handover_id IN ({ids_query[0]})", ids_query[1]
    items: dict[int, list[ItemView]] = {hid: [] for hid in ids}
    still_open = {row[0] for row in rows if row[9] in OPEN_HANDOVER_STATUSES}
    completed_on = {row[0]: dates[row[12]] for row in rows
                    if row[9] in COMPLETED_HANDOVER_STATUSES and row[12] is not None}
    for (iid, hid, item_id, title, required, due, owner, done, done_on, done_by, auto, note, version, view,
         view_words) in _rows(reader, "SELECT id, handover_id, item_id, title, required, due, owner, done, done_on,"
                                      " done_by, auto, note, version, view, view_words FROM handover_item"
                                      f" WHERE {where} ORDER BY handover_id, due, id", params):
        due = dates[due]
        overdue, follow_up = item_state(hid in still_open, completed_on.get(hid), item_id, due, bool(done), as_of)
        items[hid].append(ItemView(
            id=iid, item_id=item_id, title=title, required=bool(required), due=due, owner=owner, done=bool(done),
            done_on=dates[done_on], done_by=done_by, auto=bool(auto), note=note, version=version, overdue=overdue,
            follow_up=follow_up, view=view, view_words=view_words,
        ))
    return items


def _team_clause(reader, team_id: str) -> tuple[str, tuple]:
    """The outgoing or the incoming practitioner is in team `team_id`."""
    pk = _team_pk(reader, team_id)
    return ("(h.from_practitioner_pk IN (SELECT id FROM practitioner WHERE team_pk = ?)"
            " OR h.to_practitioner_pk IN (SELECT id FROM practitioner WHERE team_pk = ?))", (pk, pk))


def open_handovers(reader, *, team_id: str | None = None, practitioner_id: str | None = None,
                   as_of: date | None = None) -> list[HandoverView]:
    """Open handovers (planned, in progress) by date then case ref, each with
    its items and progress. `team_id`: the outgoing or incoming practitioner
    is in that team; `practitioner_id`: they are the outgoing or incoming one.
    Unknown ids raise CaseloadError."""
    as_of = as_of or date.today()
    clauses, params = [_OPEN], []
    if practitioner_id is not None:
        pk = _known(reader, "SELECT id FROM practitioner WHERE practitioner_id = ?", practitioner_id, "practitioner")
        clauses.append("(h.from_practitioner_pk = ? OR h.to_practitioner_pk = ?)")
        params += [pk, pk]
    if team_id is not None:
        clause, more = _team_clause(reader, team_id)
        clauses.append(clause)
        params += more
    return load_views(reader, " AND ".join(clauses), tuple(params), as_of)


def completed_with_follow_ups(reader, *, team_id: str | None = None,
                              as_of: date | None = None) -> list[HandoverView]:
    """Handovers completed in the last FOLLOW_UP_DAYS whose follow-up items
    (due after completion: first contact, review...) are not all done, by
    completion date; `team_id` as in `open_handovers`."""
    as_of = as_of or date.today()
    clauses, params = [_COMPLETED, "h.completed_on >= ?"], [as_of - timedelta(days=FOLLOW_UP_DAYS)]
    if team_id is not None:
        clause, more = _team_clause(reader, team_id)
        clauses.append(clause)
        params += more
    views = [v for v in load_views(reader, " AND ".join(clauses), tuple(params), as_of) if v.follow_ups_open]
    return sorted(views, key=lambda v: (v.completed_on, v.case_ref))


def handover_detail(reader, case_ref: str, *, as_of: date | None = None,
                    handover_id: int | None = None) -> HandoverView:
    """The case's open handover, else its latest (or the one `handover_id`
    names), with items. CaseloadError for an unknown case or none at all."""
    as_of = as_of or date.today()
    where, params = "h.case_id = ?", (_case_pk(reader, case_ref),)
    if handover_id is not None:
        where, params = where + " AND h.id = ?", (*params, handover_id)
    views = load_views(reader, where, params, as_of)
    if not views:
        if handover_id is not None:
            raise CaseloadError(f"case {case_ref} has no handover {handover_id}")
        raise CaseloadError(f"case {case_ref} has no handover; plan one with `caseload handover plan`")
    open_views = [v for v in views if v.is_open]
    return (open_views or views)[-1]


# --------------------------------------------------------------------------- auto-ticks


def _syncable(as_of: date) -> tuple[str, tuple]:
    """Handovers whose items may still tick themselves: open ones, and ones
    completed in the last FOLLOW_UP_DAYS with an item due after completion not done."""
    return (f"({_OPEN} OR ({_COMPLETED} AND h.completed_on >= ? AND EXISTS (SELECT 1 FROM handover_item hi"
            " WHERE hi.handover_id = h.id AND NOT hi.done AND hi.due > h.completed_on)))",
            (as_of - timedelta(days=FOLLOW_UP_DAYS),))


def syncable_case_refs(reader, as_of: date, case_refs=None) -> list[str]:
    """The cases whose handover items `sync_auto_ticks` looks at as of
    `as_of` (all, or those of `case_refs`), sorted."""
    where, params = _syncable(as_of)
    if case_refs is not None:
        refs = [case_refs] if isinstance(case_refs, str) else list(case_refs)
        if not refs:
            return []
        where, params = f"{where} AND c.case_ref IN ({', '.join('?' * len(refs))})", (*params, *refs)
    return sorted({ref for (ref,) in _rows(
        reader, f'SELECT c.case_ref FROM handover h JOIN "case" c ON c.id = h.case_id WHERE {where}', params)})


def due_ticks(reader, refs: list[str], as_of: date, policy) -> dict[int, tuple[str, dict[str, date]]]:
    """The ticks the records give for these cases' handovers and that are not
    written yet, by handover id: (case_ref, {item_id: done_on})
    (`planner.handover.ticks_for`); empty when there is nothing to write."""
    if not refs:
        return {}
    from planner.checklist import THREE_WAY_WINDOW_DAYS
    from planner.handover import ticks_for
    from storage.queries.cases import load_cases
    from storage.queries.world import load_world

    where, params = _syncable(as_of)
    earliest = _Dates()[_rows(
        reader, f'SELECT min(h.planned_on) FROM handover h JOIN "case" c ON c.id = h.case_id WHERE {where}'
                f" AND c.case_ref IN ({', '.join('?' * len(refs))})", (*params, *refs))[0][0]]
    cases = load_cases(reader, case_refs=refs, include_closed=True,
                       contacts_since=earliest - timedelta(days=THREE_WAY_WINDOW_DAYS))
    return ticks_for(cases, load_world(reader), as_of, policy)
