"""`load_cases_for_warnings`: the bounded read for `caseload warnings`.

The rules look at contacts through `planner.rules.RuleContext.scan`,
a walk from the newest contact dated on or before `as_of` back until it has
found (1) the last meaningful contact with anyone, (2) the current
practitioner's own last meaningful contact within the current allocation
(held by them or with them present; stopping at the allocation start) and
any meaningful contact by someone else after it, and (3) the run of missed
contacts back to the last attended one; and, besides the walk, through
practitioner_cancelled (cancellations by the practitioner's side in its
window), cold_handover (the incoming practitioner's first contact from the
handover day) and practitioner_churn (whether a short ended allocation
had a meaningful contact). The automatic checklist ticks
(`planner.checklist.auto_ticks`) look at contacts from
THREE_WAY_WINDOW_DAYS before the planned date of each open handover, or
one completed in the last FOLLOW_UP_DAYS. So each case keeps its contacts
from a cutoff date to `as_of`, the earliest of:

- for the walk: the own last meaningful contact's date when there is one
  (it is no later than the last meaningful contact, which is no later than
  the last attended one); otherwise the earlier of the allocation start
  and the last meaningful contact's date (or, with none, the last attended
  one's); with no attended contact at all, the whole history;
- for the ticks and cold_handover: the earliest of the planned and
  completion dates of those handovers (completed ones within the longer
  of FOLLOW_UP_DAYS and `lookback_days`) less THREE_WAY_WINDOW_DAYS;
- for practitioner_cancelled: the earliest contact cancelled by the
  practitioner's side in the last `cancelled_days`;
- for practitioner_churn: the start of the earliest ended allocation
  shorter than `short_allocation_days` ending inside its window.

Contacts dated after `as_of` are left out (neither looks at them). Whole
days are kept, so same-day contacts stay in their order.

Every handover is kept, but checklist items only for those whose items
something reads: the open ones (handover_upcoming, the ticks) and the
completed ones whose completion date (planned date when it has none) is
on or after `as_of` less `lookback_days` (cold_handover's policy window;
the ticks' FOLLOW_UP_DAYS, which is never undercut). The others (older
completed ones, cancelled ones) come with `items=()`. Allocations: the
open ones, the first one of each case (`RuleContext.gap_from` with no
meaningful contact) and those ending on or after `as_of` less
`allocation_lookback_days` (practitioner_churn's window); the rules read
no others (the current allocation is an open one; churn counts only
allocations ending inside its window, and its early exit on the number of
allocations plus handovers still fires only when it could count fewer
than medium_at practitioners). The defaults are the default policy's
windows: pass `policy` (a `planner.policy.Policy`) to take every window
from it instead.
tests/storage/test_queries_window.py proves the warnings identical to
those of the full cases on generated histories, the sample and scale data:
a rule or tick that starts reading other contacts must extend the cutoff
(that test will say so). Use `load_cases` (storage/queries/cases.py) for
anything else (screens, checklists, week plans, exports).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta

from planner.model import COMPLETED_HANDOVER_STATUSES, OPEN_HANDOVER_STATUSES, Case, meaningful_sql
from storage.reader import Reader, reader_of
from storage.queries.cases import _CONTACT_COLUMNS, _CONTACT_ORDER, _ContactMode, _load_cases
from storage.queries.rows import _Where

# How far back `load_cases_for_warnings` keeps checklist items of completed
# handovers and ended allocations by default: the default policy's
# cold_handover.window_days and practitioner_churn.window_days
# (tests/storage/test_queries_window.py checks they still match).
WARNINGS_LOOKBACK_DAYS = 84
WARNINGS_ALLOCATION_LOOKBACK_DAYS = 365
# ... and the windows of practitioner_cancelled and of churn's short
# allocations, whose contacts the rules read.
WARNINGS_CANCELLED_DAYS = 56
WARNINGS_SHORT_ALLOCATION_DAYS = 14


def load_cases_for_warnings(
    session,
    as_of: date,
    *,
    practitioner_id: str | None = None,
    team_id: str | None = None,
    case_refs: Iterable[str] | None = None,
    lookback_days: int = WARNINGS_LOOKBACK_DAYS,
    allocation_lookback_days: int = WARNINGS_ALLOCATION_LOOKBACK_DAYS,
    cancelled_days: int = WARNINGS_CANCELLED_DAYS,
    short_allocation_days: int = WARNINGS_SHORT_ALLOCATION_DAYS,
    policy=None,
    viewer=None,
) -> list[Case]:
    """The open cases as `load_cases` selects and builds them, but each with
    only the contacts that `caseload warnings` can tell apart on `as_of`
    (`storage.handovers.with_auto_ticks`, then `planner.risk.evaluate`): the
    same warnings, for any policy, from a few contacts a case instead of fifty.
    Which contacts, checklist items and allocations each case keeps, and
    why: this module's docstring. `viewer`: as `load_cases`'s. The window defaults are the default
    policy's; pass `policy` (a `planner.policy.Policy`) to take every window
    from it instead.

    Nine statements, like `load_cases` (ten with `team_id`); one more on
    PostgreSQL, `SET LOCAL jit = off` for the rest of the transaction: the
    planner's cost estimate for the per-case subqueries is high enough for
    JIT compilation, which took longer (0.5-1.4 s) than the query itself.
    """
    if policy is not None:
        lookback_days, allocation_lookback_days, cancelled_days, short_allocation_days = _policy_windows(policy)
    reader = reader_of(session)
    if reader.dialect == "postgresql":
        reader.execute("SET LOCAL jit = off")
    handover_days = max(lookback_days, _follow_up_days())
    return _load_cases(
        reader,
        practitioner_id=practitioner_id,
        team_id=team_id,
        case_refs=case_refs,
        include_closed=False,
        contacts=_contacts_for_warnings(as_of, handover_days=handover_days, cancelled_days=cancelled_days,
                                        allocation_days=allocation_lookback_days,
                                        short_days=short_allocation_days),
        items_since=as_of - timedelta(days=handover_days),
        allocations_since=as_of - timedelta(days=allocation_lookback_days),
        viewer=viewer,
    )


def _policy_windows(policy) -> tuple[int, int, int, int]:
    """A policy's windows, in the order of `load_cases_for_warnings`'s
    lookback_days, allocation_lookback_days, cancelled_days and
    short_allocation_days."""
    return (
        policy.cold_handover.window_days,
        policy.practitioner_churn.window_days,
        policy.practitioner_cancelled.window_days,
        policy.practitioner_churn.short_allocation_days,
    )


def _follow_up_days() -> int:
    from planner.handover import FOLLOW_UP_DAYS

    return FOLLOW_UP_DAYS


# A meaningful contact (docs/words.md): its one definition is planner.model.is_meaningful.
_MEANINGFUL = meaningful_sql("k.outcome", "k.kind")

# The contact statement of the warnings read. Facts per case from correlated
# subqueries that read a few entries of one case's index ((case_id,
# contact_date) for contacts), in MATERIALIZED stages (SQLite 3.35+,
# PostgreSQL 12+) so that none runs twice and no planner turns one into a
# scan of the contact table. (Joining `contact` on a subquery's id instead
# made PostgreSQL hash all million contacts; a window function over
# allocations made SQLite rescan them for every case.)
#
# warning_facts, per case: the current allocation (the open one latest by
# (start_date, id), as Case.current_allocation picks it); the newest
# meaningful contact's date and practitioner (which of a same-day pair does
# not matter: `seen_by` only spares a search; a contact the holder was at as
# the second practitioner is found by the search, in warning_walk); for the
# checklist ticks and cold_handover, the earliest planned or completion date
# of a handover whose checklist `with_auto_ticks` fills from contacts (the
# open ones and those completed in the last `handover_days`), less
# THREE_WAY_WINDOW_DAYS; the earliest contact cancelled by the practitioner's
# side in the last `cancelled_days`; the start of the earliest short ended
# allocation inside the churn window.
#
# warning_walk: the holder's own last meaningful contact in the allocation
# (usually the newest meaningful contact itself, which spares the search)
# and, with no meaningful contact, the last attended one (it ends the missed
# run).
#
# warning_cutoffs: the earliest date each case needs (see this module's
# docstring).
#
# The {fields} are filled per statement (`_warning_contacts_sql`): they
# depend on the dialect and the selection; every `?` is bound by
# `_warning_contact_params`, in order.
_NEWEST_MEANINGFUL = (
    "SELECT k.{col} FROM contact k WHERE k.case_id = c.id AND k.contact_date <= ? AND "
    + _MEANINGFUL + " ORDER BY k.contact_date DESC LIMIT 1"
)
_FOR_RULES = ("CASE WHEN w.own IS NOT NULL THEN w.own WHEN w.seen IS NULL THEN ?"
              " WHEN w.start IS NULL OR w.seen < w.start THEN w.seen ELSE w.start END")
_HANDOVER_DAY = "CASE WHEN h.completed_on < h.planned_on THEN h.completed_on ELSE h.planned_on END"
_WARNING_CONTACTS_SQL = (
    "WITH warning_facts AS MATERIALIZED (SELECT c.id AS case_id,"
    " (SELECT a.id FROM allocation a WHERE a.case_id = c.id AND a.end_date IS NULL"
    " ORDER BY a.start_date DESC, a.id DESC LIMIT 1) AS allocation_id,"
    f" ({_NEWEST_MEANINGFUL.format(col='contact_date')}) AS seen_on,"
    f" ({_NEWEST_MEANINGFUL.format(col='practitioner_pk')}) AS seen_by,"
    " {handover} AS handover,"
    " (SELECT min(k.contact_date) FROM contact k WHERE k.case_id = c.id AND k.contact_date > ?"
    " AND k.contact_date <= ? AND k.outcome = 'cancelled' AND k.cancelled_by = 'practitioner') AS cancelled,"
    " (SELECT min(a.start_date) FROM allocation a WHERE a.case_id = c.id AND a.end_date IS NOT NULL"
    " AND a.end_date >= ? AND {short}) AS short"
    f' FROM "case" c LEFT OUTER JOIN (SELECT h.case_id AS case_id, min({_HANDOVER_DAY}) AS day'
    " FROM handover h WHERE {handovers}"
    " AND (h.status IN ({open_statuses})"
    " OR (h.status IN ({completed_statuses})"
    " AND coalesce(h.completed_on, h.planned_on) >= ?))"
    " GROUP BY h.case_id) ticked ON ticked.case_id = c.id"
    " WHERE {cases}),"
    " warning_walk AS MATERIALIZED (SELECT f.case_id AS case_id, cur.start_date AS start,"
    " f.handover AS handover, f.cancelled AS cancelled, f.short AS short,"
    " CASE WHEN cur.id IS NULL THEN NULL"
    " WHEN f.seen_by = cur.practitioner_pk AND f.seen_on >= cur.start_date THEN f.seen_on"
    " ELSE (SELECT k.contact_date FROM contact k WHERE k.case_id = f.case_id AND k.contact_date <= ?"
    f" AND {_MEANINGFUL} AND (k.practitioner_pk = cur.practitioner_pk"
    " OR k.with_practitioner_pk = cur.practitioner_pk)"
    " AND k.contact_date >= cur.start_date ORDER BY k.contact_date DESC LIMIT 1) END AS own,"
    " coalesce(f.seen_on, (SELECT k.contact_date FROM contact k WHERE k.case_id = f.case_id"
    " AND k.contact_date <= ? AND k.outcome = 'attended' ORDER BY k.contact_date DESC LIMIT 1)) AS seen"
    " FROM warning_facts f LEFT OUTER JOIN allocation cur ON cur.id = f.allocation_id),"
    " warning_cutoffs AS MATERIALIZED (SELECT w.case_id AS case_id,"
    " {cutoff} AS cutoff"
    " FROM warning_walk w)"
    f" SELECT {_CONTACT_COLUMNS} FROM warning_cutoffs x JOIN contact k ON k.case_id = x.case_id"
    " WHERE k.contact_date >= x.cutoff AND k.contact_date <= ?" + _CONTACT_ORDER
)


def _contacts_for_warnings(
    as_of: date,
    *,
    handover_days: int,
    cancelled_days: int,
    allocation_days: int,
    short_days: int,
) -> _ContactMode:
    """The contact statement of `load_cases_for_warnings` on `as_of`: each
    case's contacts from its cutoff (this module's docstring) to `as_of`."""
    from planner.checklist import THREE_WAY_WINDOW_DAYS

    def statement(reader: Reader, for_cases):
        handovers, cases = for_cases("h.case_id"), for_cases("c.id")
        sql = _warning_contacts_sql(reader, handovers, cases, three_way_days=THREE_WAY_WINDOW_DAYS)
        params = _warning_contact_params(
            as_of, handovers, cases, handover_days=handover_days, cancelled_days=cancelled_days,
            allocation_days=allocation_days, short_days=short_days,
        )
        return sql, params

    return statement


def _warning_contacts_sql(reader: Reader, handovers: _Where, cases: _Where, *, three_way_days: int) -> str:
    """`_WARNING_CONTACTS_SQL` with its fields filled for this dialect and selection."""
    return _WARNING_CONTACTS_SQL.format(
        handover=reader.days_before("ticked.day", three_way_days),
        short=f"{reader.days_between('a.start_date', 'a.end_date')} < ?",
        handovers=handovers.sql,
        open_statuses=reader.placeholders(len(OPEN_HANDOVER_STATUSES)),
        completed_statuses=reader.placeholders(len(COMPLETED_HANDOVER_STATUSES)),
        cases=cases.sql,
        cutoff=reader.least(f"({_FOR_RULES})", "w.handover", "w.cancelled", "w.short"),
    )


def _warning_contact_params(
    as_of: date,
    handovers: _Where,
    cases: _Where,
    *,
    handover_days: int,
    cancelled_days: int,
    allocation_days: int,
    short_days: int,
) -> tuple:
    """The parameters of `_WARNING_CONTACTS_SQL`, in the order of its markers."""
    return (
        as_of, as_of,
        as_of - timedelta(days=cancelled_days), as_of,
        as_of - timedelta(days=allocation_days), short_days,
        *handovers.params, *OPEN_HANDOVER_STATUSES, *COMPLETED_HANDOVER_STATUSES,
        as_of - timedelta(days=handover_days),
        *cases.params,
        as_of, as_of,
        date.min,
        as_of,
    )
