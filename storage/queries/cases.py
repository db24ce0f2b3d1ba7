"""The cases with their children (allocations, contacts, appointments,
handovers with checklist items), in a fixed number of statements; see the
package docstring (storage/queries/__init__.py)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import replace
from datetime import date

from planner.appointments import parse_exdates

from planner.errors import CaseloadError
from planner import model
from planner.model import COMPLETED_HANDOVER_STATUSES, OPEN_HANDOVER_STATUSES, level_for
from storage.access import restricted_filter
from storage.collector import paused
from storage.reader import Reader, reader_of
from storage.queries.voice import checkins_by_case, not_with_by_case
from storage.queries.rows import (
    _Dates,
    _FlagSets,
    _make_allocation,
    _make_appointment,
    _make_case,
    _make_contact,
    _make_handover,
    _make_item,
    _PractitionerIds,
    _known,
    _team_pk,
    _Times,
    _Where,
    _Words,
)

# At or below this many selected cases the child queries name the case ids
# (`case_id IN (...)`); above it they repeat the case filter as a subquery.
# SQLite takes far more: naming the ids is quicker than the subquery at every
# size measured (a team lead's 700 cases: about 1 ms less per child query,
# 4 ms a caseload read), and SQLite 3.32+ takes 32,766 parameters a statement
# (the warnings read names the ids twice).
ID_LIST_LIMIT = 500
SQLITE_ID_LIST_LIMIT = 5_000


# How the contact statement is chosen: (reader, for_cases) -> (sql, params),
# given `for_cases(column)`, the selection as a condition on a case id column.
_ContactMode = Callable[[Reader, Callable[[str], _Where]], tuple[str, tuple]]

_CONTACT_COLUMNS = (
    "k.id, k.case_id, k.contact_date, k.practitioner_pk, k.kind, k.outcome, k.cancelled_by, k.with_practitioner_pk"
)
_CONTACT_ORDER = " ORDER BY k.case_id, k.contact_date, k.id"


def _contacts_since(since: date | None) -> _ContactMode:
    def statement(reader: Reader, for_cases):
        where = for_cases("k.case_id")
        sql = f"SELECT {_CONTACT_COLUMNS} FROM contact k WHERE {where.sql}"
        if since is None:
            return sql + _CONTACT_ORDER, where.params
        return sql + " AND k.contact_date >= ?" + _CONTACT_ORDER, (*where.params, since)

    return statement


def _case_filter(
    session,
    pids: _PractitionerIds,
    *,
    practitioner_id: str | None,
    team_id: str | None,
    case_refs: Iterable[str] | None,
    include_closed: bool,
    team_between: tuple[date, date] | None = None,
    viewer=None,
) -> _Where:
    """The condition on `"case" c` for the selection; CaseloadError for unknown ids.

    `team_between` (first, last): with `team_id`, the cases held by the
    team's practitioners at any time from first to last (any allocation
    overlapping them), not only those they hold now. `viewer` (a
    `storage.access.Actor`): leave out the restricted cases they may not see
    (`storage.access.restricted_filter`)."""
    clauses: list[str] = []
    params: list = []
    if viewer is not None and not viewer.is_admin:
        where, more = restricted_filter(viewer)
        clauses.append(where)
        params.extend(more)
    if not include_closed:
        clauses.append("c.status != 'closed'")
    if case_refs is not None:
        refs = sorted({case_refs} if isinstance(case_refs, str) else set(case_refs))
        if refs:
            clauses.append(f"c.case_ref IN ({reader_of(session).placeholders(len(refs))})")
            params.extend(refs)
        else:
            clauses.append("1 = 0")
    # "Has an open allocation to ..." as `id IN (cases of open allocations)`:
    # the database starts from the allocation index (practitioner_pk,
    # end_date) instead of testing every case.
    if practitioner_id is not None:
        clauses.append(
            "c.id IN (SELECT al.case_id FROM allocation al WHERE al.practitioner_pk = ? AND al.end_date IS NULL)"
        )
        params.append(pids.pk_of(practitioner_id))
    if team_id is not None and team_between is not None:
        clauses.append(
            "c.id IN (SELECT al.case_id FROM allocation al JOIN practitioner pr ON pr.id = al.practitioner_pk"
            " WHERE pr.team_pk = ? AND al.start_date <= ? AND (al.end_date IS NULL OR al.end_date >= ?))"
        )
        params.extend((_team_pk(session, team_id), team_between[1], team_between[0]))
    elif team_id is not None:
        t_pk = _team_pk(session, team_id)
        clauses.append(
            "c.id IN (SELECT al.case_id FROM allocation al JOIN practitioner pr ON pr.id = al.practitioner_pk"
            " WHERE al.end_date IS NULL AND pr.team_pk = ?)"
        )
        params.append(t_pk)
    return _Where(" AND ".join(clauses) or "1 = 1", tuple(params))


def load_cases(
    session,
    *,
    practitioner_id: str | None = None,
    team_id: str | None = None,
    case_refs: Iterable[str] | None = None,
    include_closed: bool = False,
    contacts_since: date | None = None,
    viewer=None,
) -> list[model.Case]:
    """The selected cases, by case_ref, each with its allocations, contacts,
    appointments and handovers (with checklist items) in date order.

    - `practitioner_id`: cases currently allocated to them (open allocation);
    - `team_id`: cases whose current practitioner is in that team;
    - `case_refs`: only these cases (meant for a handful; refs not found are
      simply absent, `load_case` reports an unknown one);
    - `include_closed`: closed cases too (history screens, exports);
    - `contacts_since`: drop older contacts (a bounded read for large
      databases; the caller must pick a date early enough for its rules);
    - `viewer`: the `storage.access.Actor` reading: restricted cases they may
      not see are left out (§11).

    Unknown practitioner or team ids raise CaseloadError. Statement count is
    fixed whatever the number of cases: seven (eight with `team_id`).
    """
    return _load_cases(
        session,
        practitioner_id=practitioner_id,
        team_id=team_id,
        case_refs=case_refs,
        include_closed=include_closed,
        contacts=_contacts_since(contacts_since),
        viewer=viewer,
    )


@paused()  # no cyclic collection while the dataclasses are built (storage/collector.py)
def _load_cases(
    session,
    *,
    practitioner_id: str | None,
    team_id: str | None,
    case_refs: Iterable[str] | None,
    include_closed: bool,
    contacts: _ContactMode,
    items_since: date | None = None,
    allocations_since: date | None = None,
    team_between: tuple[date, date] | None = None,
    viewer=None,
) -> list[model.Case]:
    """`items_since`: checklist items only of open handovers and of completed
    ones completed (or, with no completion date, planned) on or after it;
    `allocations_since`: only each case's first allocation, the open ones and
    those ending on or after it. None: everything."""
    reader = reader_of(session)
    pids = _PractitionerIds(reader)
    selection = _case_filter(
        reader,
        pids,
        practitioner_id=practitioner_id,
        team_id=team_id,
        case_refs=case_refs,
        include_closed=include_closed,
        team_between=team_between,
        viewer=viewer,
    )
    case_rows = reader.all(
        "SELECT c.id, c.case_ref, c.display_name, t.team_id, c.tier, c.contact_level, c.youth, c.flags,"
        " c.status, c.paused_until, c.date_of_birth, c.language, c.interpreter, c.sentence, c.sentence_end,"
        " c.release_on, c.rosh, c.mappa_level, c.restricted"
        ' FROM "case" c LEFT OUTER JOIN team t ON t.id = c.team_pk'
        f" WHERE {selection.sql} ORDER BY c.case_ref",
        selection.params,
    )
    if not case_rows:
        return []

    ids = [row[0] for row in case_rows]
    if len(ids) <= (SQLITE_ID_LIST_LIMIT if reader.dialect == "sqlite" else ID_LIST_LIMIT):
        id_list = reader.placeholders(len(ids))

        def for_cases(column: str) -> _Where:
            return _Where(f"{column} IN ({id_list})", tuple(ids))
    else:
        def for_cases(column: str) -> _Where:
            return _Where(f'{column} IN (SELECT c.id FROM "case" c WHERE {selection.sql})', selection.params)

    dates = _Dates()
    words = _Words()
    allocations = _allocations_by_case(reader, for_cases, pids, dates, allocations_since)
    contact_lists = _contact_lists(reader.rows(*contacts(reader, for_cases)), pids, dates, words)
    appointments = _appointments_by_case(reader, for_cases, pids, dates, words)
    handovers = _handovers_by_case(reader, for_cases, pids, dates, words, items_since)
    voice = (checkins_by_case(reader, for_cases, pids, dates), not_with_by_case(reader, for_cases, pids))
    return _assemble_cases(case_rows, dates, words, allocations, contact_lists, appointments, handovers, voice)


def _allocations_by_case(reader, for_cases, pids: _PractitionerIds, dates: _Dates,
                         allocations_since: date | None) -> dict[int, list[model.Allocation]]:
    allocations: dict[int, list[model.Allocation]] = defaultdict(list)
    make = _make_allocation
    where = for_cases("a.case_id")
    alloc_rows = reader.rows(
        "SELECT a.case_id, a.practitioner_pk, a.start_date, a.end_date, a.reason FROM allocation a"
        f" WHERE {where.sql} ORDER BY a.case_id, a.start_date, a.id",
        where.params,
    )
    if allocations_since is None:
        for case_id, ppk, start, end, reason in alloc_rows:
            allocations[case_id].append(make(pids[ppk], dates[start], dates[end], reason))
    else:
        # Filtered here, not in SQL: "the first of the case" is the row order.
        for case_id, ppk, start, end, reason in alloc_rows:
            end_date = dates[end]
            if end_date is None or end_date >= allocations_since or case_id not in allocations:
                allocations[case_id].append(make(pids[ppk], dates[start], end_date, reason))
    return allocations


def _appointments_by_case(reader, for_cases, pids: _PractitionerIds, dates: _Dates,
                          words: _Words) -> dict[int, list[model.Appointment]]:
    appointments: dict[int, list[model.Appointment]] = defaultdict(list)
    times = _Times()
    make = _make_appointment
    where = for_cases("ap.case_id")
    moved: dict[int, list] = defaultdict(list)
    for (aid, case_id, day, ppk, time, kind, rrule, exdates, series_id, recurrence_date, cancelled_by,
         version) in reader.rows(
        "SELECT ap.id, ap.case_id, ap.appointment_date, ap.practitioner_pk, ap.time, ap.kind, ap.rrule,"
        " ap.exdates, ap.series_id, ap.recurrence_date, ap.cancelled_by, ap.version"
        f" FROM appointment ap WHERE {where.sql} ORDER BY ap.case_id, ap.appointment_date, ap.id",
        where.params,
    ):
        recurrence_on = dates[recurrence_date] if recurrence_date is not None else None
        appointments[case_id].append(make(dates[day], pids[ppk], times[time], words[kind], rrule, aid,
                                          parse_exdates(exdates), series_id, recurrence_on, cancelled_by, (),
                                          version))
        if series_id is not None and recurrence_on is not None:
            moved[series_id].append(recurrence_on)
    if moved:  # a series' occurrences that an override replaces (planner.model.Appointment.moved)
        for case_id, found in appointments.items():
            found[:] = [replace(a, moved=tuple(sorted(moved[a.id]))) if a.id in moved else a for a in found]
    return appointments


def _handovers_by_case(reader, for_cases, pids: _PractitionerIds, dates: _Dates, words: _Words,
                       items_since: date | None) -> dict[int, list[model.Handover]]:
    items: dict[int, list[model.ChecklistItem]] = defaultdict(list)
    make = _make_item
    where = for_cases("h.case_id")
    with_items, item_params = where.sql, list(where.params)
    if items_since is not None:
        with_items += (
            f" AND (h.status IN ({reader.placeholders(len(OPEN_HANDOVER_STATUSES))})"
            f" OR (h.status IN ({reader.placeholders(len(COMPLETED_HANDOVER_STATUSES))})"
            " AND coalesce(h.completed_on, h.planned_on) >= ?))"
        )
        item_params += [*OPEN_HANDOVER_STATUSES, *COMPLETED_HANDOVER_STATUSES, items_since]
    for hid, item_id, title, required, due, done, done_on, note, owner, view in reader.rows(
        # `IN` rather than a join: SQLite then walks the items in handover_id
        # order and sorts only each handover's few by (due, id).
        "SELECT hi.handover_id, hi.item_id, hi.title, hi.required, hi.due, hi.done, hi.done_on, hi.note, hi.owner,"
        " hi.view"
        f" FROM handover_item hi WHERE hi.handover_id IN (SELECT h.id FROM handover h WHERE {with_items})"
        " ORDER BY hi.handover_id, hi.due, hi.id",
        item_params,
    ):
        items[hid].append(
            make(item_id, title, bool(required), dates[due], bool(done), dates[done_on], note, owner, view and words[view])
        )

    handovers: dict[int, list[model.Handover]] = defaultdict(list)
    make = _make_handover
    for row in reader.rows(
        "SELECT h.id, h.case_id, h.from_practitioner_pk, h.to_practitioner_pk, h.planned_on, h.status,"
        " h.completed_on, h.override_reason, h.reason, h.reviewed"
        f" FROM handover h WHERE {where.sql} ORDER BY h.case_id, h.planned_on, h.id",
        where.params,
    ):
        hid, case_id, from_pk, to_pk, planned_on, status, completed_on, override, reason, reviewed = row
        handovers[case_id].append(
            make(
                pids[from_pk],
                pids[to_pk],
                dates[planned_on],
                words[status],
                tuple(items.get(hid, ())),
                dates[completed_on],
                override,
                reason,
                bool(reviewed),
                hid,
            )
        )
    return handovers


def _assemble_cases(case_rows, dates: _Dates, words: _Words, allocations, contact_lists, appointments,
                    handovers, voice) -> list[model.Case]:
    make = _make_case
    flag_sets = _FlagSets()
    levels: dict[tuple[str | None, str | None], str] = {}
    no_contacts: tuple[model.Contact, ...] = ()
    cases: list[model.Case] = []
    checkins, not_with = voice
    for (case_id, ref, name, team, tier, level, youth, flags, status, paused_until, dob, language, interp,
         sentence, sentence_end, release_on, rosh, mappa_level, restricted) in case_rows:
        resolved = levels.get((tier, level))
        if resolved is None:
            resolved = levels[(tier, level)] = level_for(tier, level)
        cases.append(
            make(
                ref,
                name,
                team,
                tier,
                resolved,
                bool(youth),
                flag_sets[flags],
                words[status],
                dates[paused_until],
                dates[dob],
                tuple(allocations.get(case_id, ())),
                contact_lists.get(case_id, no_contacts),
                tuple(appointments.get(case_id, ())),
                tuple(handovers.get(case_id, ())),
                case_id,
                language,
                bool(interp),
                checkins.get(case_id, ()),
                not_with.get(case_id, ()),
                sentence,
                dates[sentence_end],
                dates[release_on],
                rosh,
                mappa_level,
                bool(restricted),
            )
        )
    return cases


def _contact_lists(rows, pids: _PractitionerIds, dates: _Dates, words: _Words) -> dict[int, tuple[model.Contact, ...]]:
    """Contact rows (id, case_id, date, practitioner pk, kind, outcome,
    cancelled_by, with practitioner pk), in case order, as a tuple of
    Contacts per case id. The hot loop of a whole-region load (a million
    rows): no per-row attribute look-ups, no frozen __init__, shared date and
    word objects."""
    out: dict[int, tuple[model.Contact, ...]] = {}
    make = _make_contact
    current: int | None = None
    bucket: list[model.Contact] = []
    append = bucket.append
    for cid, case_id, day, ppk, kind, outcome, by, wpk in rows:
        if case_id != current:
            if bucket:
                out[current] = tuple(bucket)
            current = case_id
            bucket = []
            append = bucket.append
        append(make(dates[day], pids[ppk], words[kind], words[outcome], cid, by and words[by],
                    None if wpk is None else pids[wpk]))
    if bucket:
        out[current] = tuple(bucket)
    return out


def load_case(session, case_ref: str, *, contacts_since: date | None = None) -> model.Case:
    """One case, open or closed; CaseloadError "unknown case REF" if absent."""
    cases = load_cases(session, case_refs=[case_ref], include_closed=True, contacts_since=contacts_since)
    if not cases:
        raise CaseloadError(f"unknown case {case_ref}")
    return cases[0]


def case_versions(session, case_ref: str) -> int:
    """The case row's current version, to pass back as `expected_version`."""
    return _known(session, 'SELECT version FROM "case" WHERE case_ref = ?', case_ref, "case")


def appointment_version(session, appointment_id: int) -> int:
    """An appointment's current version, to pass back as `expected_version`
    to `storage.repo.move_appointment` / `cancel_appointment`."""
    return _known(session, "SELECT version FROM appointment WHERE id = ?", appointment_id, "appointment")
