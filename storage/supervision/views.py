"""What the supervision screens and commands show of a session and its notes."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from planner.supervision import split_note

MAX_ACTION_TEXT = 1000  # the action.text column


@dataclass(frozen=True, slots=True)
class SessionSummary:
    """One session in a list. `lead_name` is a staff name (not case data)."""

    id: int
    session_date: date
    practitioner_id: str
    lead_id: str | None
    lead_name: str | None
    started_at: datetime | None
    ended_at: datetime | None
    cases_discussed: int = 0
    reviewed: int = 0
    flagged: int = 0
    actions: int = 0
    open_actions: int = 0
    version: int = 1

    @property
    def is_open(self) -> bool:
        return self.ended_at is None


@dataclass(frozen=True, slots=True)
class NoteState:
    """A case's supervision note as the screen edits it. `text` is the whole
    stored note (pinned prompt lines included); pass `version` back as
    `expected_version`."""

    case_ref: str
    text: str
    version: int
    reviewed: bool
    flagged: bool

    @property
    def written(self) -> str:
        return split_note(self.text)[0]

    @property
    def pinned(self) -> tuple[str, ...]:
        return split_note(self.text)[1]
