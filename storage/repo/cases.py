"""Case notes and edits of a case's own fields."""

from __future__ import annotations

from datetime import date
from typing import Any

from planner import validate
from planner.errors import CaseloadError
from planner.model import CONTACT_LEVELS, FLAGS, MAPPA_LEVELS, ROSH_LEVELS, SENTENCES, STATUSES, TIERS
from storage import audit
from storage.access import actor_for, check_case_edit, check_restrict, guard_case, note_author, require_lead
from storage.repo.lookups import as_bool, as_date, case_row, one_of, practitioner_row, team_row
from storage.repo.transactions import check_version, insert, update_versioned
from storage.tables import t

# Case fields a person may edit with update_case (team_id is the team's
# natural key, stored as team_pk).
EDITABLE_CASE_FIELDS = (
    "display_name",
    "tier",
    "contact_level",
    "youth",
    "date_of_birth",
    "flags",
    "status",
    "paused_until",
    "team_id",
    # schema 0010 (§11): sentence, custody and risk; `restricted` a lead's of the case's team
    "sentence",
    "sentence_end",
    "release_on",
    "rosh",
    "mappa_level",
    "restricted",
)


def add_case_note(
    session,
    *,
    case_ref: str,
    text: str,
    author_id: str | None,
    written_on: date,
    actor: str,
) -> int:
    """Add a case note; returns its id. The audit event never holds the text."""
    case = case_row(session, case_ref)
    guard_case(session, actor, case_ref)
    if author_id:
        practitioner_row(session, author_id)  # an unknown author is named as such
    author_id = note_author(session, actor, author_id)  # a practitioner writes in their own name
    author_pk = practitioner_row(session, author_id).id if author_id else None
    if not text or not text.strip():
        raise CaseloadError("a case note needs some text")
    validate.text_field("text", text)
    written_on = as_date(written_on, "written_on")
    note_id = insert(session, t.case_note, case_id=case.id, author_pk=author_pk, written_on=written_on, text=text)
    audit.record(session, actor, "add", "case_note", note_id, case_ref=case_ref, author_id=author_id,
                 written_on=written_on)
    return note_id


def _normalise_flags(value: Any) -> str:
    """Flags (an iterable or a ';'-separated string), checked, sorted, ';'-joined."""
    if value is None:
        flags: list[str] = []
    elif isinstance(value, str):
        flags = [f.strip() for f in value.split(";") if f.strip()]
    else:
        flags = [str(f).strip() for f in value if str(f).strip()]
    for flag in flags:
        one_of(flag, FLAGS, "flag")
    return ";".join(sorted(set(flags)))


def update_case(
    session,
    *,
    case_ref: str,
    expected_version: int,
    actor: str,
    **changes: Any,
) -> tuple[int, int]:
    """Edit a case's own fields (EDITABLE_CASE_FIELDS); returns (id, new version).

    ConflictError when the case changed since `expected_version` was read;
    CaseloadError for an unknown field or value. `flags` takes an iterable or
    a ';'-separated string; `status="paused"` needs a `paused_until`; leaving
    `paused` clears it.
    """
    unknown = sorted(set(changes) - set(EDITABLE_CASE_FIELDS))
    if unknown:
        raise CaseloadError(
            f"cannot edit case field {', '.join(unknown)}; editable: {', '.join(EDITABLE_CASE_FIELDS)}"
        )
    row = case_row(session, case_ref)
    check_case_edit(session, actor, case_ref)
    check_version(session, row, expected_version, f"case {case_ref}")

    values = _case_values(session, row, case_ref, actor, changes)
    _check_pause(values, row, case_ref)
    _check_sentence(values, row, case_ref)
    changed = sorted(
        ("team_id" if name == "team_pk" else name)
        for name, value in values.items()
        if getattr(row, name) != value
    )
    if not changed:
        return row.id, row.version
    version = update_versioned(session, t.case, row, f"case {case_ref}", **values)
    audit.record(session, actor, "update", "case", case_ref, case_ref=case_ref, fields=changed,
                 from_version=row.version, version=version)
    return row.id, version


def _case_values(session, row, case_ref: str, actor: str,
                 changes: dict[str, Any]) -> dict[str, Any]:
    """The columns `changes` set, each value checked (`team_id` becomes `team_pk`;
    moving a case to another team needs a team lead)."""
    values: dict[str, Any] = {}
    for name, value in changes.items():
        if name == "display_name":
            if not value or not str(value).strip():
                raise CaseloadError("display_name: cannot be empty")
            values[name] = str(value).strip()
            validate.text_field(name, values[name], is_name=True)
        elif name == "tier":
            values[name] = one_of(str(value).upper(), TIERS, "tier") if value else None
        elif name == "contact_level":
            values[name] = one_of(value, CONTACT_LEVELS, "contact level") if value else None
        elif name == "youth":
            values[name] = as_bool(value, name)
        elif name in ("sentence", "rosh"):
            values[name] = one_of(value, SENTENCES if name == "sentence" else ROSH_LEVELS,
                                  name.replace("rosh", "RoSH level")) if value else None
        elif name == "mappa_level":
            values[name] = _mappa_level(value)
        elif name == "restricted":
            values[name] = as_bool(value, name)
            if values[name] != row.restricted:
                check_restrict(session, actor, case_ref)
        elif name in ("date_of_birth", "paused_until", "sentence_end", "release_on"):
            values[name] = as_date(value, name) if value else None
        elif name == "flags":
            values[name] = _normalise_flags(value)
        elif name == "status":
            values[name] = one_of(value, STATUSES, "status")
        elif name == "team_id":
            values["team_pk"] = team_row(session, value).id if value else None
            if values["team_pk"] != row.team_pk:  # moving a case between teams
                require_lead(actor_for(session, actor), None, f"move case {case_ref} to another team")
    return values


def _mappa_level(value: Any) -> int | None:
    """A MAPPA level 1 to 3, or None (blank: not managed under MAPPA)."""
    if value is None or str(value).strip() == "":
        return None
    text = str(value).strip()
    if not text.isdigit() or int(text) not in MAPPA_LEVELS:
        raise CaseloadError(f"mappa_level: {value!r} is not one of {', '.join(map(str, MAPPA_LEVELS))} (or blank)")
    return int(text)


def _check_sentence(values: dict[str, Any], row, case_ref: str) -> None:
    """A release day belongs to a custody case, or the licence or supervision
    after it, on or before the sentence's end (planner.validate.sentence_dates)."""
    wrong = validate.sentence_dates(*(values[f] if f in values else getattr(row, f)
                             for f in ("sentence", "sentence_end", "release_on")))
    if wrong:
        raise CaseloadError(f"case {case_ref}: {wrong[0]} {wrong[1]}")


def _check_pause(values: dict[str, Any], row, case_ref: str) -> None:
    """A paused case needs `paused_until`; leaving `paused` clears it (in `values`)."""
    status = values.get("status", row.status)
    paused_until = values["paused_until"] if "paused_until" in values else row.paused_until
    if status == "paused" and paused_until is None:
        raise CaseloadError(f"case {case_ref}: a paused case needs paused_until")
    if status != "paused" and paused_until is not None:
        if "paused_until" in values:
            raise CaseloadError(f"case {case_ref}: paused_until only applies to a paused case")
        values["paused_until"] = None  # leaving `paused` ends the pause
