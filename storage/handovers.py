"""Handovers after they are planned: the checklist, the summary, completion.

Planning itself is `storage.repo.plan_handover` (one case) and `plan_many`
here (a departure's whole list, in one transaction). Everything else a
person does to a handover lives here, with the same rules as `storage.repo`:

- keyword arguments only, `actor` always; every change is audited in the
  caller's transaction with ids, dates and field names only (never the
  summary, a note or an override reason's text);
- no commit inside: the caller commits with `storage.repo.commit_or_conflict`,
  so one command is one transaction;
- `expected_version` (where the caller read one) is compared with the row's
  `version`; a stale one raises `ConflictError` and rolls the transaction back;
- unknown cases and items, and transitions the life cycle refuses
  (`planner.handover`), raise `CaseloadError` with a one-line reason.

Auto-ticks. docs/handovers.md: items tick themselves from data (a `three_way` contact,
an appointment booked with the incoming practitioner, a first contact held).
`sync_auto_ticks` writes those ticks (`auto=True`, audited as `auto_tick`;
idempotent: a second run writes nothing). It runs inside `tick_item` and
`complete_handover` (for that case), `plan_many` (given `as_of`), and at the
start of every `caseload handover` command. The app should call
`sync_auto_ticks_now(engine, ...)` (its own transaction) when it loads data,
so the screens and the warnings follow the records. Read-only paths that must
not write (the `warnings` command) can use `with_auto_ticks`, which applies
the same ticks in memory.

Completion (see `planner.handover` for the rule): completing on a date needs
only the required items due by that date (and `told` and `three_way`); items due later (`first_contact`,
`reachable`, `review`) are follow-ups that stay open on the completed
handover and can still be ticked, unticked, noted and auto-ticked (for
`FOLLOW_UP_DAYS` after completion) without changing its status.

Versions: `HandoverView.version` is the handover row's (pass it to
`save_summary`, `complete_handover`, `cancel_handover`); each `ItemView`
carries its own (pass it to `tick_item`, `untick_item`, `set_item_note`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass, replace
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import or_, select
from sqlalchemy.orm import aliased
from sqlmodel import Session

from planner import validate
from planner.errors import CaseloadError
from planner.model import (
    COMPLETED_HANDOVER_STATUSES,
    OPEN_HANDOVER_STATUSES,
    Case,
    ChecklistItem,
    Handover,
    World,
)
from planner.checklist import VIEW_ITEMS
from planner.handover import FOLLOW_UP_DAYS, with_auto_ticks  # noqa: F401 - with_auto_ticks re-exported
from planner.handover import ticks_for as _ticks_for
from storage import audit
from storage import models as m
from storage.access import actor_for, check_override, guard_case
from storage.repo import _as_date, _case, _check_version, _editing, _flush, _practitioner

if TYPE_CHECKING:
    from planner.departures import DepartureItem
    from planner.policy import Policy

__all__ = [
    "HandoverView",
    "ItemView",
    "cancel_handover",
    "complete_handover",
    "completed_with_follow_ups",
    "handover_detail",
    "open_handovers",
    "plan_many",
    "receiver_concerns",
    "replan_handover",
    "review_handover",
    "save_summary",
    "set_item_note",
    "sync_auto_ticks",
    "syncable_case_refs",
    "sync_auto_ticks_now",
    "tick_item",
    "untick_item",
    "with_auto_ticks",
]

#: The `done_by` of items ticked from data.
AUTO_ACTOR = "auto"


# ---------------------------------------------------------------- views


@dataclass(frozen=True, slots=True)
class ItemView:
    """One checklist item as the screen and the commands show it."""

    id: int
    item_id: str
    title: str
    required: bool
    due: date
    owner: str  # outgoing | incoming | lead
    done: bool
    done_on: date | None
    done_by: str | None
    auto: bool  # ticked from data, not by hand
    note: str | None  # personal data: show it, never log it
    version: int
    overdue: bool  # not done, due before the as-of date, and still to do (open handover, or a follow-up)
    follow_up: bool = False  # on a completed handover: due after completion, can still be ticked
    view: str | None = None  # the person's view on `told` / `review` (planner.checklist.VIEWS)
    view_words: str | None = None  # their words: personal data, never logged

    def to_dict(self) -> dict[str, Any]:
        """SPEC §6: {"id", "title", "required", "due", "done"}; `told` and
        `review` add the person's `view` (its code, not their words)."""
        out = {
            "id": self.item_id,
            "title": self.title,
            "required": self.required,
            "due": self.due.isoformat(),
            "done": self.done,
        }
        if self.item_id in VIEW_ITEMS:
            out["view"] = self.view
        return out


@dataclass(frozen=True, slots=True)
class HandoverView:
    """A handover with its checklist, names and progress, as of a date."""

    id: int
    version: int
    case_ref: str
    display_name: str  # the person's name: personal data
    from_id: str
    from_name: str
    to_id: str
    to_name: str
    planned_on: date
    status: str
    reason: str | None
    summary: str | None  # personal data
    completed_on: date | None
    override_reason: str | None
    reviewed: bool
    items: tuple[ItemView, ...]
    as_of: date
    reviewed_by: str | None = None
    reviewed_on: date | None = None
    review_note: str | None = None  # personal data: show it, never log it
    plan_override_reason: str | None = None

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_HANDOVER_STATUSES

    @property
    def is_completed(self) -> bool:
        return self.status in COMPLETED_HANDOVER_STATUSES

    @property
    def done(self) -> int:
        return sum(1 for item in self.items if item.done)

    @property
    def total(self) -> int:
        return len(self.items)

    @property
    def required_open(self) -> tuple[str, ...]:
        return tuple(i.item_id for i in self.items if i.required and not i.done)

    @property
    def overdue(self) -> int:
        return sum(1 for item in self.items if item.overdue)

    def required_due_by(self, on: date) -> tuple[str, ...]:
        """Open required items that completing on `on` needs (`planner.handover.due_by`)."""
        from planner.handover import due_by

        return due_by(self.to_handover(), on)

    @property
    def follow_ups_open(self) -> tuple[str, ...]:
        """Follow-up items of a completed handover not yet done."""
        return tuple(i.item_id for i in self.items if i.follow_up and not i.done)

    @property
    def next_item(self) -> ItemView | None:
        """The open item due first (None when every item is done)."""
        return min((i for i in self.items if not i.done), key=lambda i: (i.due, i.id), default=None)

    @property
    def days_away(self) -> int:
        return (self.planned_on - self.as_of).days

    @property
    def cold(self) -> bool:
        """Completed cold: with items open, by a lead's override."""
        from planner.handover import is_cold

        return self.is_completed and is_cold(self.to_handover())

    @property
    def summary_editable(self) -> bool:
        """The summary can still change: open, or completed with `review` not done."""
        from planner.handover import summary_editable

        return summary_editable(self.to_handover())

    def title_of(self, item_id: str) -> str:
        """The item's title (its id when the checklist has no such item)."""
        return next((i.title for i in self.items if i.item_id == item_id), item_id)

    def titles(self, item_ids) -> str:
        """Titles of these items, joined for a sentence."""
        return "; ".join(self.title_of(i) for i in item_ids)

    def item(self, item_id: str) -> ItemView:
        for item in self.items:
            if item.item_id == item_id:
                return item
        raise CaseloadError(
            f"unknown checklist item {item_id!r}; valid items: "
            f"{', '.join(i.item_id for i in self.items) or '(none)'}"
        )

    def to_handover(self) -> Handover:
        """The planner's frozen `Handover` (for planner.handover functions)."""
        return Handover(
            from_practitioner_id=self.from_id,
            to_practitioner_id=self.to_id,
            planned_on=self.planned_on,
            status=self.status,
            items=tuple(
                ChecklistItem(
                    item_id=i.item_id, title=i.title, required=i.required, due=i.due,
                    done=i.done, done_on=i.done_on, note=i.note, owner=i.owner,
                )
                for i in self.items
            ),
            completed_on=self.completed_on,
            override_reason=self.override_reason,
            reason=self.reason,
            reviewed=self.reviewed,
            id=self.id,
        )

    def progress_dict(self) -> dict[str, Any]:
        nxt = self.next_item
        return {
            "done": self.done,
            "total": self.total,
            "required_open": list(self.required_open),
            "overdue": self.overdue,
            "next_item": None if nxt is None else {
                "id": nxt.item_id, "title": nxt.title, "due": nxt.due.isoformat()
            },
        }

    def summary_dict(self) -> dict[str, Any]:
        """One line of `caseload handover list --format json` (no personal data)."""
        return {
            "case_ref": self.case_ref,
            "handover_id": self.id,
            "from": self.from_id,
            "to": self.to_id,
            "planned_on": self.planned_on.isoformat(),
            "days_away": self.days_away,
            "status": self.status,
            "progress": self.progress_dict(),
        }

    def to_dict(self) -> dict[str, Any]:
        """`caseload handover show --format json` (SPEC §6): the handover and its
        `items`, each {"id", "title", "required", "due", "done"}. The summary
        text is not included (personal data), only whether there is one."""
        out = self.summary_dict()
        out.update({
            "from_name": self.from_name,
            "to_name": self.to_name,
            "reason": self.reason,
            "completed_on": self.completed_on.isoformat() if self.completed_on else None,
            "override_reason": self.override_reason,
            "cold": self.cold,
            "reviewed": self.reviewed,
            "reviewed_by": self.reviewed_by,
            "reviewed_on": self.reviewed_on.isoformat() if self.reviewed_on else None,
            "plan_override": self.plan_override_reason is not None,
            "has_summary": bool(self.summary and self.summary.strip()),
            "as_of": self.as_of.isoformat(),
            "items": [item.to_dict() for item in self.items],
        })
        return out


def _item_state(still_open: bool, completed_on: date | None, item_id: str, due: date, done: bool,
                as_of: date) -> tuple[bool, bool]:
    """(overdue, follow_up) of an item: a follow-up is due after its completed
    handover's completion (and not a warm item); overdue means still to do."""
    from planner.handover import is_follow_up_of

    follow_up = is_follow_up_of(completed_on is not None, completed_on, item_id, due)
    return (still_open or follow_up) and not done and due < as_of, follow_up


def _load_views(session: Session, clauses: list, as_of: date) -> list[HandoverView]:
    """Handovers matching `clauses` (on Handover/Case/the two practitioners)
    with their items: two statements whatever the number."""
    session.flush()
    H, C, HI = m.Handover, m.Case, m.HandoverItem
    PF, PT = aliased(m.Practitioner), aliased(m.Practitioner)
    rows = session.execute(
        select(
            H.id, H.version, C.case_ref, C.display_name, PF.practitioner_id, PF.name,
            PT.practitioner_id, PT.name, H.planned_on, H.status, H.reason, H.summary,
            H.completed_on, H.override_reason, H.reviewed, H.reviewed_by, H.reviewed_on, H.review_note,
            H.plan_override_reason,
        )
        .join(C, C.id == H.case_id)
        .join(PF, PF.id == H.from_practitioner_pk)
        .join(PT, PT.id == H.to_practitioner_pk)
        .where(*clauses)
        .order_by(H.planned_on, C.case_ref, H.id)
        .execution_options(populate_existing=True)
    ).all()
    if not rows:
        return []
    ids = [row[0] for row in rows]
    if len(ids) <= 500:
        item_filter = HI.handover_id.in_(ids)
    else:
        item_filter = HI.handover_id.in_(
            select(H.id).join(C, C.id == H.case_id)
            .join(PF, PF.id == H.from_practitioner_pk)
            .join(PT, PT.id == H.to_practitioner_pk)
            .where(*clauses)
        )
    items: dict[int, list[ItemView]] = {hid: [] for hid in ids}
    still_open = {row[0] for row in rows if row[9] in OPEN_HANDOVER_STATUSES}
    completed_on = {row[0]: row[12] for row in rows
                    if row[9] in COMPLETED_HANDOVER_STATUSES and row[12] is not None}
    for (iid, hid, item_id, title, required, due, owner, done, done_on, done_by, auto_, note,
         version, view, view_words) in session.execute(
        select(HI.id, HI.handover_id, HI.item_id, HI.title, HI.required, HI.due, HI.owner,
               HI.done, HI.done_on, HI.done_by, HI.auto, HI.note, HI.version, HI.view, HI.view_words)
        .where(item_filter)
        .order_by(HI.handover_id, HI.due, HI.id)
    ).all():
        overdue, follow_up = _item_state(hid in still_open, completed_on.get(hid), item_id, due, bool(done), as_of)
        items[hid].append(ItemView(
            id=iid, item_id=item_id, title=title, required=bool(required), due=due, owner=owner,
            done=bool(done), done_on=done_on, done_by=done_by, auto=bool(auto_), note=note,
            version=version, overdue=overdue, follow_up=follow_up, view=view, view_words=view_words,
        ))
    return [
        HandoverView(
            id=hid, version=version, case_ref=ref, display_name=name, from_id=from_id,
            from_name=from_name, to_id=to_id, to_name=to_name, planned_on=planned_on,
            status=status, reason=reason, summary=summary, completed_on=completed_on,
            override_reason=override, reviewed=bool(reviewed), items=tuple(items[hid]), as_of=as_of,
            reviewed_by=reviewed_by, reviewed_on=reviewed_on, review_note=review_note,
            plan_override_reason=plan_override,
        )
        for (hid, version, ref, name, from_id, from_name, to_id, to_name, planned_on, status,
             reason, summary, completed_on, override, reviewed, reviewed_by, reviewed_on, review_note,
             plan_override) in rows
    ]


def open_handovers(
    session: Session,
    *,
    team_id: str | None = None,
    practitioner_id: str | None = None,
    as_of: date | None = None,
) -> list[HandoverView]:
    """Open handovers (planned, in progress) by date then case ref, each with
    its items and progress. `team_id`: the outgoing or incoming practitioner
    is in that team; `practitioner_id`: they are the outgoing or incoming one.
    Unknown ids raise CaseloadError."""
    as_of = as_of or date.today()
    H = m.Handover
    clauses: list = [H.status.in_(OPEN_HANDOVER_STATUSES)]
    if practitioner_id is not None:
        pk = _practitioner(session, practitioner_id).id
        clauses.append(or_(H.from_practitioner_pk == pk, H.to_practitioner_pk == pk))
    if team_id is not None:
        team_pk = session.execute(select(m.Team.id).where(m.Team.team_id == team_id)).scalar_one_or_none()
        if team_pk is None:
            raise CaseloadError(f"unknown team {team_id}")
        in_team = select(m.Practitioner.id).where(m.Practitioner.team_pk == team_pk)
        clauses.append(or_(H.from_practitioner_pk.in_(in_team), H.to_practitioner_pk.in_(in_team)))
    return _load_views(session, clauses, as_of)


def completed_with_follow_ups(session: Session, *, team_id: str | None = None,
                              as_of: date | None = None) -> list[HandoverView]:
    """Handovers completed in the last FOLLOW_UP_DAYS whose follow-up items
    (due after completion: first contact, review...) are not all done, by
    completion date; `team_id` as in `open_handovers`."""
    as_of = as_of or date.today()
    H = m.Handover
    clauses: list = [H.status.in_(COMPLETED_HANDOVER_STATUSES),
                     H.completed_on >= as_of - timedelta(days=FOLLOW_UP_DAYS)]
    if team_id is not None:
        team_pk = session.execute(select(m.Team.id).where(m.Team.team_id == team_id)).scalar_one_or_none()
        if team_pk is None:
            raise CaseloadError(f"unknown team {team_id}")
        in_team = select(m.Practitioner.id).where(m.Practitioner.team_pk == team_pk)
        clauses.append(or_(H.from_practitioner_pk.in_(in_team), H.to_practitioner_pk.in_(in_team)))
    views = [v for v in _load_views(session, clauses, as_of) if v.follow_ups_open]
    return sorted(views, key=lambda v: (v.completed_on, v.case_ref))


def handover_detail(session: Session, case_ref: str, *, as_of: date | None = None,
                    handover_id: int | None = None) -> HandoverView:
    """The case's open handover, else its latest (or the one `handover_id`
    names), with items. CaseloadError for an unknown case or none at all."""
    as_of = as_of or date.today()
    case = _case(session, case_ref)
    clauses: list = [m.Handover.case_id == case.id]
    if handover_id is not None:
        clauses.append(m.Handover.id == handover_id)
    views = _load_views(session, clauses, as_of)
    if not views:
        if handover_id is not None:
            raise CaseloadError(f"case {case_ref} has no handover {handover_id}")
        raise CaseloadError(f"case {case_ref} has no handover; plan one with `caseload handover plan`")
    open_views = [v for v in views if v.is_open]
    return (open_views or views)[-1]


# ---------------------------------------------------------------- row access


def _latest_handover(session: Session, case_id: int, statuses, newest_first) -> m.Handover | None:
    """The case's newest handover in one of `statuses`, read afresh."""
    return session.execute(
        select(m.Handover)
        .where(m.Handover.case_id == case_id, m.Handover.status.in_(statuses))
        .order_by(newest_first, m.Handover.id.desc())
        .execution_options(populate_existing=True)
    ).scalars().first()


def _open_row(session: Session, case_ref: str, doing: str) -> tuple[m.Case, m.Handover]:
    case = _case(session, case_ref)
    row = _latest_handover(session, case.id, OPEN_HANDOVER_STATUSES, m.Handover.planned_on.desc())
    if row is None:
        raise CaseloadError(f"case {case_ref} has no open handover to {doing}")
    return case, row


def _changeable_row(session: Session, case_ref: str, doing: str) -> tuple[m.Case, m.Handover]:
    """The case's open handover; else its latest completed one (whose follow-up
    items can still change: the planner checks which)."""
    case = _case(session, case_ref)
    row = _latest_handover(session, case.id, OPEN_HANDOVER_STATUSES, m.Handover.planned_on.desc())
    if row is None:
        row = _latest_handover(session, case.id, COMPLETED_HANDOVER_STATUSES, m.Handover.completed_on.desc())
    if row is None:
        raise CaseloadError(f"case {case_ref} has no open handover to {doing}")
    return case, row


def _refuse_settled(session: Session, row: m.Handover, items: list[m.HandoverItem], item_id: str,
                    verb: str) -> None:
    """On a completed handover only follow-up items may change."""
    from planner.handover import check_follow_up

    if row.status in COMPLETED_HANDOVER_STATUSES:
        check_follow_up(_planner_handover(session, row, items), item_id, verb)


def _item_rows(session: Session, handover_id: int) -> list[m.HandoverItem]:
    return list(session.execute(
        select(m.HandoverItem)
        .where(m.HandoverItem.handover_id == handover_id)
        .order_by(m.HandoverItem.due, m.HandoverItem.id)
        .execution_options(populate_existing=True)
    ).scalars())


def _item_row(rows: list[m.HandoverItem], item_id: str) -> m.HandoverItem:
    for row in rows:
        if row.item_id == item_id:
            return row
    raise CaseloadError(
        f"unknown checklist item {item_id!r}; valid items: {', '.join(r.item_id for r in rows) or '(none)'}"
    )


def _pid(session: Session, pk: int) -> str:
    return session.execute(
        select(m.Practitioner.practitioner_id).where(m.Practitioner.id == pk)
    ).scalar_one()


def _planner_handover(session: Session, row: m.Handover, items: list[m.HandoverItem]) -> Handover:
    return Handover(
        from_practitioner_id=_pid(session, row.from_practitioner_pk),
        to_practitioner_id=_pid(session, row.to_practitioner_pk),
        planned_on=row.planned_on,
        status=row.status,
        items=tuple(
            ChecklistItem(item_id=i.item_id, title=i.title, required=bool(i.required), due=i.due,
                          done=bool(i.done), done_on=i.done_on, note=i.note, owner=i.owner)
            for i in items
        ),
        completed_on=row.completed_on,
        override_reason=row.override_reason,
        reason=row.reason,
        reviewed=bool(row.reviewed),
        id=row.id,
    )


def _what(case_ref: str, item_id: str | None = None) -> str:
    return f"handover item {item_id} of case {case_ref}" if item_id else f"the handover of case {case_ref}"


def _set_status(row: m.Handover, status: str) -> str | None:
    """Set a new status; returns the old one when it changed."""
    if row.status == status:
        return None
    old, row.status = row.status, status
    return old


# ---------------------------------------------------------------- auto-ticks


def _syncable(as_of: date):
    """Handovers whose items may still tick themselves: open ones, and ones
    completed in the last FOLLOW_UP_DAYS with an item due after completion not done."""
    H, HI = m.Handover, m.HandoverItem
    follow = select(HI.id).where(HI.handover_id == H.id, HI.done.is_(False), HI.due > H.completed_on)
    return or_(
        H.status.in_(OPEN_HANDOVER_STATUSES),
        (H.status.in_(COMPLETED_HANDOVER_STATUSES)) & (H.completed_on >= as_of - timedelta(days=FOLLOW_UP_DAYS))
        & follow.exists(),
    )


def _open_refs(session: Session, case_refs: Iterable[str] | None, as_of: date) -> list[str]:
    H, C = m.Handover, m.Case
    stmt = select(C.case_ref).join(H, H.case_id == C.id).where(_syncable(as_of))
    if case_refs is not None:
        refs = [case_refs] if isinstance(case_refs, str) else list(case_refs)
        if not refs:
            return []
        stmt = stmt.where(C.case_ref.in_(refs))
    return sorted(set(session.execute(stmt).scalars()))


def syncable_case_refs(session: Session, as_of: date) -> list[str]:
    """The cases whose handover items `sync_auto_ticks` would look at as of
    `as_of` (to limit a sync to the cases someone can see)."""
    return _open_refs(session, None, as_of)


def sync_auto_ticks(
    session: Session,
    *,
    as_of: date,
    case_refs: Iterable[str] | None = None,
    actor: str,
    policy: Policy | None = None,
) -> int:
    """Tick (and mark `auto`) the open handover items that the records already
    satisfy as of `as_of` (`planner.checklist.auto_ticks`): a three-way contact,
    an appointment booked with the incoming practitioner, a first contact.
    Every open handover, or only those of `case_refs`, and the follow-up items
    of handovers completed in the last FOLLOW_UP_DAYS (their status stays).
    A planned handover moves to in_progress. Returns how many items it ticked (0 when up to date:
    running it again writes nothing). One `auto_tick` audit event per item."""
    from planner.checklist import THREE_WAY_WINDOW_DAYS

    from storage.queries import load_cases, load_world

    session.flush()
    refs = _open_refs(session, case_refs, as_of)
    if not refs:
        return 0
    H, HI = m.Handover, m.HandoverItem
    earliest = session.execute(
        select(H.planned_on).join(m.Case, m.Case.id == H.case_id)
        .where(_syncable(as_of), m.Case.case_ref.in_(refs))
        .order_by(H.planned_on).limit(1)
    ).scalar_one()
    cases = load_cases(session, case_refs=refs, include_closed=True,
                       contacts_since=earliest - timedelta(days=THREE_WAY_WINDOW_DAYS))
    todo = _ticks_for(cases, load_world(session), as_of, policy)
    if not todo:
        return 0
    handovers = {
        row.id: row for row in session.execute(
            select(H).where(H.id.in_(list(todo))).execution_options(populate_existing=True)
        ).scalars()
    }
    count = 0
    for item in session.execute(
        select(HI).where(HI.handover_id.in_(list(todo)), HI.done.is_(False))
        .order_by(HI.handover_id, HI.due, HI.id)
        .execution_options(populate_existing=True)
    ).scalars():
        case_ref, ticks = todo[item.handover_id]
        if item.item_id not in ticks:
            continue
        item.done, item.done_on, item.done_by, item.auto = True, ticks[item.item_id], AUTO_ACTOR, True
        row = handovers[item.handover_id]
        if row.status in OPEN_HANDOVER_STATUSES:
            _set_status(row, "in_progress")
        _editing(session, _what(case_ref, item.item_id))
        audit.record(session, actor, "auto_tick", "handover_item", f"{item.handover_id}:{item.item_id}",
                     case_ref=case_ref, handover_id=item.handover_id, item_id=item.item_id,
                     done_on=item.done_on)
        count += 1
    _flush(session)
    return count


def sync_auto_ticks_now(
    engine,
    *,
    as_of: date,
    actor: str,
    case_refs: Iterable[str] | None = None,
    policy: Policy | None = None,
    opener: Callable[[], AbstractContextManager[Session]] | None = None,
) -> int:
    """`sync_auto_ticks` in a transaction of its own, committed: for the app
    when it loads. When someone else ticked the same items at the same
    moment (a ConflictError) nothing is lost: their ticks stand, and 0 is
    returned. `opener` gives the session (the app's own, so that it knows
    the audit events as its own writes); by default one on `engine`."""
    from planner.errors import ConflictError

    from storage.engine import session as open_session
    from storage.repo import commit_or_conflict

    with (opener() if opener is not None else open_session(engine)) as s:
        try:
            count = sync_auto_ticks(s, as_of=as_of, case_refs=case_refs, actor=actor, policy=policy)
            commit_or_conflict(s)
        except ConflictError:
            return 0
    return count


# ---------------------------------------------------------------- checklist items


def tick_item(
    session: Session,
    *,
    case_ref: str,
    item_id: str,
    note: str | None = None,
    on: date,
    actor: str,
    expected_version: int | None = None,
    policy: Policy | None = None,
    view: str | None = None,
    words: str | None = None,
) -> HandoverView:
    """Tick an item of the case's open handover as done on `on` (by `actor`),
    with an optional note. Ticking a done item keeps its first date (a note is
    still saved). The first tick moves the handover to in_progress. With no
    open handover, a follow-up item of the latest completed one. Runs
    `sync_auto_ticks` for the case first. `expected_version` is the item's.

    `told` and `review` need the person's `view` (`planner.checklist.VIEWS`)
    and their `words`; `summary` needs the handover's summary text written
    (`planner.checklist.check_tick`). The audit event records the view's
    code, never the words."""
    from planner.handover import tick

    on = _as_date(on, "on")
    _, row = _changeable_row(session, case_ref, "tick")
    guard_case(session, actor, case_ref)
    items = _item_rows(session, row.id)
    item = _item_row(items, item_id)
    _refuse_settled(session, row, items, item_id, "tick")
    _check_version(session, item, expected_version, _what(case_ref, item_id))
    sync_auto_ticks(session, as_of=on, case_refs=[case_ref], actor=actor, policy=policy)
    session.refresh(row)
    session.refresh(item)
    was_done, old_note, old_view = item.done, item.note, (item.view, item.view_words)
    words = words.strip() if words and words.strip() else words
    validate.text_field("words", words)
    new = tick(_planner_handover(session, row, items), item_id, on, note, view=view, words=words,
               summary=row.summary)
    ticked = next(i for i in new.items if i.item_id == item_id)
    new_view = (view, words) if view is not None else old_view
    if was_done and ticked.note == old_note and new_view == old_view:
        return handover_detail(session, case_ref, as_of=on, handover_id=row.id)
    _editing(session, _what(case_ref, item_id))
    if not was_done:
        item.done, item.done_on, item.done_by, item.auto = True, ticked.done_on, actor[:64], False
    item.note = ticked.note
    item.view, item.view_words = new_view
    old_status = _set_status(row, new.status)
    _flush(session)
    audit.record(session, actor, "tick", "handover_item", f"{row.id}:{item_id}", case_ref=case_ref,
                 handover_id=row.id, item_id=item_id, done_on=item.done_on, already_done=was_done,
                 has_note=bool(item.note), **({"view": item.view} if item.view else {}),
                 **({"status": new.status} if old_status else {}))
    return handover_detail(session, case_ref, as_of=on, handover_id=row.id)


def untick_item(
    session: Session,
    *,
    case_ref: str,
    item_id: str,
    actor: str,
    expected_version: int | None = None,
    on: date | None = None,
) -> HandoverView:
    """Mark an item of the open handover not done again (a tick made by
    mistake; on a completed handover, a follow-up item). Items ticked from the records are refused: correct the record
    (the contact or appointment) instead, or the next sync ticks them again."""
    _, row = _changeable_row(session, case_ref, "untick")
    guard_case(session, actor, case_ref)
    items = _item_rows(session, row.id)
    item = _item_row(items, item_id)
    _refuse_settled(session, row, items, item_id, "untick")
    _check_version(session, item, expected_version, _what(case_ref, item_id))
    if not item.done:
        raise CaseloadError(f"item {item_id} of case {case_ref} is not ticked")
    if item.auto:
        raise CaseloadError(
            f"item {item_id} of case {case_ref} was ticked from the records; "
            "correct the contact or appointment instead"
        )
    done_on = item.done_on
    item.done, item.done_on, item.done_by = False, None, None
    item.view, item.view_words = None, None
    _flush(session)
    audit.record(session, actor, "untick", "handover_item", f"{row.id}:{item_id}", case_ref=case_ref,
                 handover_id=row.id, item_id=item_id, was_done_on=done_on)
    return handover_detail(session, case_ref, as_of=on, handover_id=row.id)


def set_item_note(
    session: Session,
    *,
    case_ref: str,
    item_id: str,
    note: str | None,
    actor: str,
    expected_version: int | None = None,
    on: date | None = None,
) -> HandoverView:
    """Set (or, with None or blank, clear) an item's note on the open handover
    (or a follow-up item of the latest completed one).
    The audit event records that the note changed, never its text."""
    _, row = _changeable_row(session, case_ref, "write a note on")
    guard_case(session, actor, case_ref)
    items = _item_rows(session, row.id)
    item = _item_row(items, item_id)
    _refuse_settled(session, row, items, item_id, "write a note on")
    _check_version(session, item, expected_version, _what(case_ref, item_id))
    note = note if note and note.strip() else None
    validate.text_field("note", note)
    if note != item.note:
        item.note = note
        _flush(session)
        audit.record(session, actor, "note", "handover_item", f"{row.id}:{item_id}", case_ref=case_ref,
                     handover_id=row.id, item_id=item_id, has_note=note is not None)
    return handover_detail(session, case_ref, as_of=on, handover_id=row.id)


# ---------------------------------------------------------------- the handover


def save_summary(
    session: Session,
    *,
    case_ref: str,
    text: str | None,
    expected_version: int | None,
    actor: str,
    on: date | None = None,
) -> HandoverView:
    """Save the outgoing practitioner's handover summary (docs/handovers.md prompts:
    `planner.checklist.HANDOVER_PROMPTS`) on the open handover, or on the
    latest completed one until its `review` is done (docs/handovers.md: the summary
    stays editable until then). It does not tick the `summary` item: the
    practitioner ticks it when the summary is finished; once ticked, the
    summary cannot be emptied. `expected_version` is the handover's."""
    from planner.handover import summary_editable

    _, row = _changeable_row(session, case_ref, "write a summary for")
    guard_case(session, actor, case_ref)
    items = _item_rows(session, row.id)
    if not summary_editable(_planner_handover(session, row, items)):
        raise CaseloadError(
            f"the summary of case {case_ref}'s handover can no longer change: "
            + ("the four-week review is done" if row.status in COMPLETED_HANDOVER_STATUSES
               else f"the handover is {row.status}")
        )
    _check_version(session, row, expected_version, _what(case_ref))
    text = text if text and text.strip() else None
    if text is None and any(i.item_id == "summary" and i.done for i in items):
        raise CaseloadError(f"the summary of case {case_ref}'s handover is ticked done: it cannot be emptied")
    validate.text_field("summary", text)
    if text != row.summary:
        row.summary = text
        _flush(session)
        audit.record(session, actor, "summary", "handover", row.id, case_ref=case_ref,
                     handover_id=row.id, chars=len(text or ""))
    return handover_detail(session, case_ref, as_of=on, handover_id=row.id)


def complete_handover(
    session: Session,
    *,
    case_ref: str,
    on: date,
    override_reason: str | None = None,
    actor: str,
    expected_version: int | None = None,
    policy: Policy | None = None,
    as_of: date | None = None,
) -> HandoverView:
    """Complete the case's open handover on `on`: the old allocation ends and
    the receiver's begins on `on` (`storage.repo.allocate`). `on` may not be
    after `as_of` (default: today).

    Auto-ticks are synced first (as of `on`). `told`, `summary`, `read` and
    `three_way`, and the other required items due on or before `on`, must be
    done (`planner.handover.due_by`); with any of them open a team lead's
    `override_reason` is needed (else CaseloadError naming the items); it is
    recorded, the handover is `completed_cold`, and the `complete` audit
    event says `override: true` with the open items. Items due after `on`
    stay open as follow-ups (listed in the audit event as `follow_up`)."""
    from planner.handover import can_complete, complete, follow_up_ids

    from storage.repo import _open_allocation, allocate

    on = _as_date(on, "on")
    as_of = _as_date(as_of or date.today(), "as_of")
    validate.text_field("override_reason", override_reason)
    case, row = _open_row(session, case_ref, "complete")
    guard_case(session, actor, case_ref)
    _check_version(session, row, expected_version, _what(case_ref))
    if on > as_of:
        complete(_planner_handover(session, row, _item_rows(session, row.id)), on, None, as_of)  # refuses
    sync_auto_ticks(session, as_of=on, case_refs=[case_ref], actor=actor, policy=policy)
    session.refresh(row)
    before = _planner_handover(session, row, _item_rows(session, row.id))
    _, open_ids = can_complete(before, on)
    if open_ids and override_reason and override_reason.strip():  # items open: the team lead's call
        check_override(session, actor_for(session, actor), case_ref)
    done = complete(before, on, override_reason, as_of)  # refuses without an override
    current = _open_allocation(session, case.id)
    if current is None or current.practitioner_pk != row.from_practitioner_pk:
        holder = _pid(session, current.practitioner_pk) if current else "no one"
        raise CaseloadError(
            f"case {case_ref} is now with {holder}, not {before.from_practitioner_id} who was to hand "
            "it over; cancel this handover and plan a new one"
        )
    allocation_id = allocate(
        session, case_ref=case_ref, practitioner_id=before.to_practitioner_id, start_date=on,
        reason=f"handover: {row.reason}"[:400] if row.reason else "planned handover", actor=actor,
    )
    # Read while the handover is open: one into another team hides the case
    # from the outgoing team once it completes (storage.access, schema 0004).
    view = handover_detail(session, case_ref, as_of=on, handover_id=row.id)
    _editing(session, _what(case_ref))
    row.status, row.completed_on, row.override_reason = done.status, on, done.override_reason
    _flush(session)
    audit.record(session, actor, "complete", "handover", row.id, case_ref=case_ref, handover_id=row.id,
                 status=done.status, completed_on=on, override=done.override_reason is not None,
                 open_items=list(open_ids), follow_up=list(follow_up_ids(done, open_only=True)),
                 allocation_id=allocation_id,
                 from_practitioner_id=before.from_practitioner_id,
                 to_practitioner_id=before.to_practitioner_id)
    items = tuple(replace(i, **dict(zip(("overdue", "follow_up"), _item_state(False, on, i.item_id, i.due,
                                                                                i.done, on))))
                  for i in view.items)
    return replace(view, version=row.version, status=row.status, completed_on=on,
                   override_reason=row.override_reason, items=items)


def cancel_handover(
    session: Session,
    *,
    case_ref: str,
    actor: str,
    expected_version: int | None = None,
    on: date | None = None,
) -> HandoverView:
    """Cancel the case's open handover (the case stays where it is)."""
    from planner.handover import cancel

    _, row = _open_row(session, case_ref, "cancel")
    guard_case(session, actor, case_ref)
    _check_version(session, row, expected_version, _what(case_ref))
    old = row.status
    row.status = cancel(_planner_handover(session, row, _item_rows(session, row.id))).status
    _flush(session)
    audit.record(session, actor, "cancel", "handover", row.id, case_ref=case_ref, handover_id=row.id,
                 from_status=old)
    return handover_detail(session, case_ref, as_of=on, handover_id=row.id)


def review_handover(
    session: Session,
    *,
    case_ref: str,
    note: str,
    actor: str,
    on: date | None = None,
    handover_id: int | None = None,
    expected_version: int | None = None,
) -> HandoverView:
    """A team lead reviews a cold handover (docs/handovers.md): the latest completed one
    of the case, or `handover_id`. Records who (`actor`), when (`on`, default
    today) and why (`note`, required), and ends `cold_handover` (the rule
    stops on `reviewed`). Refused for a practitioner who is not the case
    team's lead, an empty note, an open, cancelled or warm handover, and one
    already reviewed. The audit event says that a note was written, never
    its text."""
    from planner.handover import is_cold

    from storage.access import case_team_id, require_lead

    on = _as_date(on or date.today(), "on")
    case = _case(session, case_ref)
    guard_case(session, actor, case_ref)
    require_lead(actor_for(session, actor), case_team_id(session, case_ref),
                 f"review the cold handover of case {case_ref}")
    validate.text_field("note", note)
    if not note or not note.strip():
        raise CaseloadError("a review needs a note: what was learnt, and what is done for the person now")
    stmt = select(m.Handover).where(m.Handover.case_id == case.id)
    if handover_id is not None:
        stmt = stmt.where(m.Handover.id == handover_id)
    else:
        stmt = stmt.where(m.Handover.status.in_(COMPLETED_HANDOVER_STATUSES))
    row = session.execute(
        stmt.order_by(m.Handover.completed_on.desc(), m.Handover.id.desc())
        .execution_options(populate_existing=True)
    ).scalars().first()
    if row is None:
        raise CaseloadError(
            f"case {case_ref} has no handover {handover_id}" if handover_id is not None
            else f"case {case_ref} has no completed handover to review"
        )
    _check_version(session, row, expected_version, _what(case_ref))
    handover = _planner_handover(session, row, _item_rows(session, row.id))
    if not handover.is_completed:
        raise CaseloadError(f"the handover of case {case_ref} is {row.status}; only a completed one is reviewed")
    if not is_cold(handover):
        raise CaseloadError(f"the handover of case {case_ref} was warm; there is nothing to review")
    if row.reviewed:
        raise CaseloadError(
            f"the cold handover of case {case_ref} was already reviewed"
            + (f" by {row.reviewed_by}" if row.reviewed_by else "")
            + (f" on {row.reviewed_on.isoformat()}" if row.reviewed_on else "")
        )
    _editing(session, _what(case_ref))
    row.reviewed, row.reviewed_by, row.reviewed_on, row.review_note = True, actor[:64], on, note.strip()
    _flush(session)
    audit.record(session, actor, "review", "handover", row.id, case_ref=case_ref,
                 handover_id=row.id, status=row.status, reviewed_on=on, has_note=True)
    return handover_detail(session, case_ref, as_of=on, handover_id=row.id)


def replan_handover(
    session: Session,
    *,
    case_ref: str,
    to_practitioner_id: str | None = None,
    planned_on: date | None = None,
    actor: str,
    as_of: date | None = None,
    override_reason: str | None = None,
    expected_version: int | None = None,
    policy: Policy | None = None,
) -> HandoverView:
    """Re-plan the case's open handover: a new date, a new receiver, or both
    (docs/handovers.md), without cancelling it. The planning guards apply as when it
    was planned (`storage.repo.check_plan`; a lead's override reason is kept
    and audited). The checklist keeps what is done by hand; the items not
    yet done take the due dates of the new date; items ticked from the
    records are ticked again from the records against the new date and
    receiver (`sync_auto_ticks`), so a first appointment booked with the
    old receiver no longer counts. `as_of` defaults to today."""
    from planner.calendar import working_days
    from planner.handover import redated

    from storage.queries import load_case, load_world
    from storage.repo import _nation_for, check_plan

    as_of = _as_date(as_of or date.today(), "as_of")
    if to_practitioner_id is None and planned_on is None:
        raise CaseloadError("give a new receiver (--to), a new date (--on), or both")
    case_row, row = _open_row(session, case_ref, "re-plan")
    guard_case(session, actor, case_ref)
    validate.text_field("override_reason", override_reason)
    _check_version(session, row, expected_version, _what(case_ref))
    old_to, old_on = _pid(session, row.to_practitioner_pk), row.planned_on
    new_to = to_practitioner_id or old_to
    new_on = _as_date(planned_on, "planned_on") if planned_on is not None else old_on
    if new_to == old_to and new_on == old_on:
        raise CaseloadError(f"the handover of case {case_ref} is already to {old_to} on {old_on.isoformat()}")
    case = load_case(session, case_ref)
    if case.practitioner_id == new_to:
        raise CaseloadError(f"case {case_ref} is already with {new_to}")
    override = check_plan(session, case, new_to, new_on, as_of=as_of, actor=actor,
                          override_reason=override_reason, world=load_world(session))
    receiver = _practitioner(session, new_to)
    giver = session.get(m.Practitioner, row.from_practitioner_pk)
    dues = redated(case, new_on, working_days(_nation_for(session, case_row, giver)), policy)
    _editing(session, _what(case_ref))
    row.to_practitioner_pk, row.planned_on = receiver.id, new_on
    if override is not None:
        row.plan_override_reason = override
    redone: list[str] = []
    for item in _item_rows(session, row.id):
        if item.done and item.auto:
            item.done, item.done_on, item.done_by, item.auto = False, None, None, False
            redone.append(item.item_id)
        if not item.done and item.item_id in dues:
            item.due = dues[item.item_id]
    _flush(session)
    audit.record(session, actor, "replan", "handover", row.id, case_ref=case_ref, handover_id=row.id,
                 old_to_practitioner_id=old_to, to_practitioner_id=new_to,
                 old_planned_on=old_on, planned_on=new_on, auto_ticks_rechecked=redone,
                 **({"override": True} if override else {}))
    sync_auto_ticks(session, as_of=as_of, case_refs=[case_ref], actor=actor, policy=policy)
    return handover_detail(session, case_ref, as_of=as_of, handover_id=row.id)


# ---------------------------------------------------------------- planning


PlanRow = tuple  # (case_ref, to_practitioner_id, planned_on, reason)


def plan_many(
    session: Session,
    plans: Iterable[PlanRow | DepartureItem],
    *,
    actor: str,
    policy: Policy | None = None,
    as_of: date | None = None,
) -> list[int]:
    """Plan several handovers in the caller's one transaction, each with its
    checklist (`storage.repo.plan_handover`); returns their ids in order.

    `plans` holds (case_ref, to_practitioner_id, planned_on, reason) tuples or
    `planner.departures.DepartureItem`s (items without a receiver are refused:
    filter them first). Any refusal raises and, as the caller rolls back,
    nothing is planned. `as_of` (default today) is the date the planning
    guards count from; auto-ticks are synced for these cases when it is given."""
    from storage.repo import plan_handover

    rows: list[tuple[str, str, date, str | None]] = []
    for plan in plans:
        if hasattr(plan, "to_practitioner_id"):
            if plan.to_practitioner_id is None:
                raise CaseloadError(f"case {plan.case_ref} has no receiver; choose one first")
            rows.append((plan.case_ref, plan.to_practitioner_id, plan.planned_on, plan.handover_reason))
        else:
            case_ref, to_id, planned_on, *rest = plan
            rows.append((case_ref, to_id, planned_on, rest[0] if rest else None))
    seen: set[str] = set()
    for case_ref, *_ in rows:
        if case_ref in seen:
            raise CaseloadError(f"case {case_ref} is in the plan twice")
        seen.add(case_ref)
    ids = [
        plan_handover(session, case_ref=case_ref, to_practitioner_id=to_id, planned_on=planned_on,
                      reason=reason, actor=actor, policy=policy, as_of=as_of)
        for case_ref, to_id, planned_on, reason in rows
    ]
    if as_of is not None and rows:
        sync_auto_ticks(session, as_of=as_of, case_refs=[r[0] for r in rows], actor=actor, policy=policy)
    return ids


def receiver_concerns(
    session: Session,
    *,
    case_ref: str,
    to_practitioner_id: str,
    planned_on: date,
    as_of: date,
    policy: Policy | None = None,
) -> list[str]:
    """What the lead may want to know about a receiver that planning does not
    refuse (`storage.repo.check_plan` refuses the rest): a team lead as
    receiver, someone leaving soon after or away for long in the next weeks
    (`planner.exclusions.receiver_exclusion`), another team. Empty when none."""
    from planner.exclusions import receiver_exclusion
    from planner.policy import DEFAULT_POLICY

    session.flush()
    from storage.queries import load_world

    world = load_world(session)
    receiver = world.practitioners.get(to_practitioner_id)
    if receiver is None:
        raise CaseloadError(f"unknown practitioner {to_practitioner_id}")
    case = _case(session, case_ref)
    from storage.access import case_team_id

    out = []
    reason = receiver_exclusion(receiver, world, as_of, policy or DEFAULT_POLICY)
    if reason:
        out.append(reason)
    team = case_team_id(session, case.case_ref)
    if team is not None and team != receiver.team_id:
        out.append(f"{to_practitioner_id} is in team {receiver.team_id}, the case is with {team}")
    return out
