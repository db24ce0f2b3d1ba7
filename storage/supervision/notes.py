"""A session's notes on cases: writing one, pinning a reflective prompt,
flagging a case, marking it reviewed (its warnings stored then); the
review queue the screen works through is storage/queries/supervision.py's."""

from __future__ import annotations

import json
from datetime import date
from typing import TYPE_CHECKING, Any

from planner import validate
from planner.errors import CaseloadError
from storage import audit
from storage.repo.transactions import update_versioned
from storage.supervision.rows import edit_note, note_subject, open_session_row
from storage.tables import t

if TYPE_CHECKING:  # planner.policy and planner.supervision load where a write needs them
    from planner.policy import Policy


def save_note(
    db,
    *,
    session_id: int,
    case_ref: str,
    text: str,
    expected_version: int | None = None,
    actor: str,
) -> int:
    """Write (replace) the case's note in the session; returns its new version.
    Pass the version you read as `expected_version` (0 for "no note yet") and
    a note someone else changed since is refused with ConflictError."""
    row, _ = edit_note(db, session_id, case_ref, expected_version, "write notes", actor)
    validate.text_field("note", text)
    version = update_versioned(db, t.supervision_note, row, note_subject(case_ref),
                               note=text if text and text.strip() else None)
    audit.record(db, actor, "save", "supervision_note", f"{session_id}:{case_ref}",
                 case_ref=case_ref, session_id=session_id, chars=len(text or ""))
    return version


def pin_prompt(
    db,
    *,
    session_id: int,
    case_ref: str,
    prompt_text: str,
    expected_version: int | None = None,
    actor: str,
) -> int:
    """Append a reflective prompt to the case's note as a pinned line
    (planner.supervision.PIN_PREFIX); returns the note's new version."""
    if not prompt_text or not prompt_text.strip():
        raise CaseloadError("a pinned prompt needs some text")
    row, _ = edit_note(db, session_id, case_ref, expected_version, "pin prompts", actor)
    from planner.supervision import pin_line

    line = pin_line(prompt_text)
    existing = (row.note or "").rstrip("\n")
    if line in existing.splitlines():
        return row.version  # already pinned: nothing changes
    version = update_versioned(db, t.supervision_note, row, note_subject(case_ref),
                               note=f"{existing}\n{line}" if existing else line)
    audit.record(db, actor, "pin_prompt", "supervision_note", f"{session_id}:{case_ref}",
                 case_ref=case_ref, session_id=session_id)
    return version


def flag_case(
    db,
    *,
    session_id: int,
    case_ref: str,
    flagged: bool = True,
    expected_version: int | None = None,
    actor: str,
) -> int:
    """Flag the case for discussion (it moves to the front of the queue), or
    clear the flag; returns the note's new version."""
    row, _ = edit_note(db, session_id, case_ref, expected_version, "flag cases", actor)
    if bool(row.flagged) == flagged:
        return row.version
    version = update_versioned(db, t.supervision_note, row, note_subject(case_ref), flagged=flagged)
    audit.record(db, actor, "flag" if flagged else "unflag", "supervision_note",
                 f"{session_id}:{case_ref}", case_ref=case_ref, session_id=session_id)
    return version


def mark_reviewed(
    db,
    *,
    session_id: int,
    case_ref: str,
    reviewed: bool = True,
    expected_version: int | None = None,
    policy: Policy | None = None,
    as_of: date | None = None,
    actor: str,
) -> int:
    """Mark the case reviewed (or not) in the session; returns the note's new
    version. Marking it reviewed stores the case's warnings at that moment
    (as of the session date unless `as_of` is given; README, Using it dicts) so the
    record shows what the lead saw, not what the rules say later."""
    from planner.policy import DEFAULT_POLICY
    from planner.risk import evaluate_case, warning_to_dict
    from storage.queries import load_case, load_world

    sess = open_session_row(db, session_id, "review cases")
    row, _ = edit_note(db, session_id, case_ref, expected_version, "review cases", actor)
    detail: dict[str, Any] = {"session_id": session_id}
    values: dict[str, Any] = {"reviewed": reviewed}
    if reviewed:
        day = as_of or sess.session_date
        case = load_case(db, case_ref)
        warnings = evaluate_case(case, load_world(db), day, policy or DEFAULT_POLICY)
        values["warnings_json"] = json.dumps([warning_to_dict(w) for w in warnings], default=str,
                                             ensure_ascii=False)
        detail.update(as_of=day, warnings=len(warnings))
    version = update_versioned(db, t.supervision_note, row, note_subject(case_ref), **values)
    audit.record(db, actor, "review" if reviewed else "unreview", "supervision_note",
                 f"{session_id}:{case_ref}", case_ref=case_ref, **detail)
    return version
