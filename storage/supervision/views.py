"""What the supervision screens and commands show of a session and its
notes: defined beside the reads that build them (storage/queries/supervision.py)."""

from __future__ import annotations

from storage.queries.supervision import MAX_ACTION_TEXT, NoteState, SessionSummary

__all__ = ["MAX_ACTION_TEXT", "NoteState", "SessionSummary"]
