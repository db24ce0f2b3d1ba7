"""Supervision review, the pure part: reflective prompts, the review queue,
progress, and the Markdown record a service keeps.

    prompts = load_prompts()                       # planner/prompts.toml, or a service's own
    groups = prompts_for(case, prompts)            # youth cases add the Relationship Model
    queue = review_queue(evaluate(cases, world, as_of, policy), flagged, as_of, policy)
    progress(queue, reviewed).text                 # "12 of 41 reviewed, 5 high-risk left"
    session_record_markdown(record)                # record from storage.supervision.session_record

The queue order (README supervision, issue 7): cases flagged for discussion
first, then cold handovers (a `cold_handover` warning), then cases new in the
early window, then the rest; inside each band by risk score (highest first),
then case_ref.

A pinned prompt is a line of the supervision note that starts with
`PIN_PREFIX`; `split_note` separates the written note from the pinned prompts.
Nothing here reads a database or a clock: the as-of date is a parameter.
"""

from __future__ import annotations

from planner.supervision.markdown import session_record_markdown
from planner.supervision.prompts import (
    APPLIES_TO,
    DEFAULT_PROMPTS_PATH,
    PIN_PREFIX,
    PROMPTS_FILE_NAME,
    Prompt,
    PromptGroup,
    PromptSet,
    load_prompts,
    pin_line,
    prompts_for,
    choosing_rules,
    prompts_from_dict,
    split_note,
)
from planner.supervision.queue import (
    QUEUE_BANDS,
    Progress,
    QueueItem,
    next_unreviewed,
    progress,
    review_queue,
)
from planner.supervision.record import (
    ActionRecord,
    CaseRecord,
    PersonRef,
    SessionRecord,
    redact,
)
from planner.words import initials

__all__ = [
    "APPLIES_TO",
    "DEFAULT_PROMPTS_PATH",
    "PIN_PREFIX",
    "PROMPTS_FILE_NAME",
    "ActionRecord",
    "CaseRecord",
    "PersonRef",
    "Progress",
    "Prompt",
    "PromptGroup",
    "PromptSet",
    "QUEUE_BANDS",
    "QueueItem",
    "SessionRecord",
    "initials",
    "load_prompts",
    "next_unreviewed",
    "pin_line",
    "progress",
    "prompts_for",
    "choosing_rules",
    "prompts_from_dict",
    "redact",
    "review_queue",
    "session_record_markdown",
    "split_note",
]
