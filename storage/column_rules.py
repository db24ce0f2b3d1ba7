"""The rule of every column for a practitioner's own PostgreSQL login: the
table the database enforces (schemas 0004, 0007, 0009, 0010 and 0012,
storage/migrations/versions/) and tests/storage/test_pg_attacks.py checks.
`storage.access` re-exports both names."""

from __future__ import annotations

# The rule of every column of every table for a practitioner's own login on
# the team server (README "Team server"), enforced by PostgreSQL (schemas 0004
# and 0007: grants, policies, triggers; storage/migrations/versions/) and
# checked against the database, column by column, by
# tests/storage/test_pg_attacks.py, so a column added without a rule fails it:
# - "free": written as the row's policy allows (on the tables it may write);
# - "fixed": written with the row, never changed after;
# - "lead": only by a team lead of the case;
# - "own name": only the login's own practitioner (`done_by` also `auto`);
# - "once": set once (from NULL), never changed after (schema 0012: an
#   allocation's end, only with another allocation of the case open by
#   commit);
# - "until completed": frozen once the handover completes (schema 0012; a
#   checklist item: unless it is a follow-up, planner.handover.is_follow_up);
# - "with name and date": a tick carries `done_on` and `done_by`, and told
#   and review the person's view and words (schema 0012);
# - "read": read only (no grant to write), where the row may be read;
# - "hidden": not readable at all.
COLUMN_RULES: dict[str, dict[str, str]] = {
    "case": {"version": "free", "id": "fixed", "case_ref": "fixed", "display_name": "free", "team_pk": "free",
             "tier": "free", "contact_level": "free", "youth": "free", "date_of_birth": "free", "flags": "free",
             "status": "free", "paused_until": "free", "language": "free", "interpreter": "free",
             "sentence": "free", "sentence_end": "free", "release_on": "free", "rosh": "free",
             "mappa_level": "free", "restricted": "lead"},
    # schema 0009, the person's voice (docs/voice.md)
    "checkin": {"version": "free", "id": "fixed", "case_id": "fixed", "checkin_date": "fixed",
                "practitioner_pk": "fixed", "listened": "fixed", "goals": "fixed", "trust": "fixed", "words": "fixed"},
    "not_with": {"version": "free", "id": "fixed", "case_id": "fixed", "practitioner_pk": "fixed",
                 "reason": "free"},
    "allocation": {"version": "free", "id": "fixed", "case_id": "fixed", "practitioner_pk": "fixed",
                   "start_date": "fixed", "end_date": "free, once", "reason": "free"},
    "contact": {"version": "free", "id": "fixed", "case_id": "fixed", "contact_date": "free",
                "practitioner_pk": "free", "kind": "free", "outcome": "free", "notes": "free",
                "cancelled_by": "free", "with_practitioner_pk": "free"},
    "appointment": {"version": "free", "id": "fixed", "case_id": "fixed", "appointment_date": "free",
                    "practitioner_pk": "free", "time": "free", "kind": "free", "rrule": "free",
                    "exdates": "free", "series_id": "fixed", "recurrence_date": "fixed", "cancelled_by": "free"},
    "absence": {"version": "free", "id": "fixed", "practitioner_pk": "free", "start_date": "free",
                "end_date": "free", "kind": "free", "cover_practitioner_pk": "free"},
    "handover": {"version": "free", "id": "fixed", "case_id": "fixed", "from_practitioner_pk": "fixed",
                 "to_practitioner_pk": "free, until completed", "planned_on": "free, until completed",
                 "status": "free, until completed", "reason": "free", "summary": "free",
                 "completed_on": "free, until completed", "override_reason": "lead", "reviewed": "lead",
                 "created_at": "fixed", "reviewed_by": "lead, own name", "reviewed_on": "lead", "review_note": "lead",
                 "plan_override_reason": "lead"},
    "handover_item": {"version": "free", "id": "fixed", "handover_id": "fixed", "item_id": "fixed",
                      "title": "fixed", "required": "fixed", "due": "free, until completed", "owner": "fixed",
                      "done": "free, with name and date, until completed",
                      "done_on": "free, with name and date, until completed",
                      "done_by": "free, own name, until completed", "auto": "free, until completed",
                      "note": "free, until completed", "view": "free, with name and date, until completed",
                      "view_words": "free, with name and date, until completed"},
    "supervision_session": {"version": "free", "id": "fixed", "practitioner_pk": "fixed",
                            "lead_pk": "fixed, own name", "session_date": "fixed", "started_at": "fixed",
                            "ended_at": "free"},
    "supervision_note": {"version": "free", "id": "fixed", "session_id": "fixed", "case_id": "fixed",
                         "note": "free", "reviewed": "free", "flagged": "free", "warnings_json": "free"},
    "action": {"version": "free", "id": "fixed", "session_id": "fixed", "case_id": "fixed", "owner_pk": "fixed",
               "text": "fixed", "due": "fixed", "done": "free", "done_on": "free"},
    "case_note": {"version": "free", "id": "fixed", "case_id": "fixed", "author_pk": "fixed, own name",
                  "written_on": "fixed", "text": "fixed"},
    "audit_event": dict.fromkeys(("id", "at", "actor", "action", "entity", "entity_key", "case_ref", "detail",
                                  "login", "xact"), "read"),
    "practitioner": dict.fromkeys(("version", "id", "practitioner_id", "name", "team_pk", "role", "grade",
                                   "contracted_hours", "reduction_pct", "leaving_on", "email", "nation"), "read"),
    "team": dict.fromkeys(("version", "id", "team_id", "name", "nation", "transition_team_pk"), "read"),
    "meta": dict.fromkeys(("key", "value"), "read"),
    "alembic_version": {"version_num": "read"},
    "db_login": dict.fromkeys(("login_name", "practitioner_pk"), "hidden"),
}


def changeable_columns(table: str) -> set[str]:
    """The columns of `table` a practitioner's login may change after the row is written."""
    return {c for c, rule in COLUMN_RULES.get(table, {}).items() if rule.split(",")[0] in ("free", "lead")}
