"""Supervision sessions: start, notes, pinned prompts, flags, reviewed marks,
agreed actions, and the record (issue 7).

Writes follow storage.repo's rules: keyword arguments, `actor` always, one
audit event per change (ids, dates and counts only: never note or action
text, never names), flush but no commit (the caller commits once with
`storage.repo.commit_or_conflict`), CaseloadError for unknown keys and
refused edits, ConflictError for a stale `expected_version`.

    sid = start_session(s, practitioner_id="P1", lead_id="L1", on=today, actor="L1")
    queue, done = session_queue(s, sid, policy=policy)          # for the screen
    v = save_note(s, session_id=sid, case_ref="C1", text="...", expected_version=None, actor="L1")
    pin_prompt(s, session_id=sid, case_ref="C1", prompt_text=prompt.pin_text, actor="L1")
    mark_reviewed(s, session_id=sid, case_ref="C1", actor="L1")  # stores the warnings then
    aid = add_action(s, session_id=sid, case_ref="C1", owner_id="P1", text="...", due=d, actor="L1")
    commit_or_conflict(s)
    record = session_record(s, sid)                              # -> planner.supervision

A session's notes, flags and reviewed marks can only change while it is
open (not ended); actions can be ticked off at any time.

The package, by seam: `views` (what is shown), `rows` (the rows a change
works on), `sessions`, `notes`, `actions` (the writes); every read, the
record's too, is `storage/queries/supervision.py`'s, on a session or a
bare Reader alike.
"""


from __future__ import annotations

from storage.supervision.actions import add_action, tick_action
from storage.supervision.notes import flag_case, mark_reviewed, pin_prompt, save_note
from storage.supervision.sessions import end_session, start_session

#: The reads, storage/queries/supervision.py's: loaded when first asked for, so
#: that a write command (`supervision start`, `action add`, `action done`) does
#: not load them and the planner's supervision package (README "Every command").
_READS = frozenset({
    "MAX_ACTION_TEXT", "NoteState", "SessionSummary", "get_session", "latest_session_id", "list_sessions",
    "open_session_id", "previous_open_actions", "session_actions", "session_notes", "session_queue",
    "session_record",
})


def __getattr__(name: str):
    if name not in _READS:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    from storage.queries import supervision as reads

    return getattr(reads, name)

__all__ = [
    "MAX_ACTION_TEXT",
    "NoteState",
    "SessionSummary",
    "add_action",
    "end_session",
    "flag_case",
    "get_session",
    "latest_session_id",
    "list_sessions",
    "mark_reviewed",
    "open_session_id",
    "pin_prompt",
    "previous_open_actions",
    "save_note",
    "session_notes",
    "session_actions",
    "session_queue",
    "session_record",
    "start_session",
    "tick_action",
]
