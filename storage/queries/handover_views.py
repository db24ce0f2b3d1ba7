"""What the screens and commands show of a handover: `HandoverView` with its
`ItemView`s, frozen, as of a date (built by `storage.queries.handovers`)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from planner.checklist import VIEW_ITEMS
from planner.errors import CaseloadError
from planner.model import ChecklistItem, Handover, HandoverStatus


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
        """README, Using it: {"id", "title", "required", "due", "done"}; `told` and
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
class HandoverView(HandoverStatus):
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
        """`caseload handover show --format json` (README, Using it): the handover and its
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


def item_state(still_open: bool, completed_on: date | None, item_id: str, due: date, done: bool,
               as_of: date) -> tuple[bool, bool]:
    """(overdue, follow_up) of an item: a follow-up is due after its completed
    handover's completion (and not a warm item); overdue means still to do."""
    from planner.handover import is_follow_up_of

    follow_up = is_follow_up_of(completed_on is not None, completed_on, item_id, due)
    return (still_open or follow_up) and not done and due < as_of, follow_up

