"""Supervision review, the pure part: reflective prompts, the review queue,
progress, and the Markdown record a service keeps.

    prompts = load_prompts()                       # planner/prompts.toml, or a service's own
    groups = prompts_for(case, prompts)            # youth cases add the Relationship Model
    queue = review_queue(evaluate(cases, world, as_of, policy), flagged, as_of, policy)
    progress(queue, reviewed).text                 # "12 of 41 reviewed, 5 high-risk left"
    session_record_markdown(record)                # record from storage.supervision.session_record

The queue order (SPEC §1 supervision, issue 7): cases flagged for discussion
first, then cold handovers (a `cold_handover` warning), then cases new in the
early window, then the rest; inside each band by risk score (highest first),
then case_ref.

A pinned prompt is a line of the supervision note that starts with
`PIN_PREFIX`; `split_note` separates the written note from the pinned prompts.
Nothing here reads a database or a clock: the as-of date is a parameter.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

from planner.errors import ConfigError
from planner.model import Case
from planner.policy import DEFAULT_POLICY, Policy
from planner.risk import SEVERITY_ORDER, CaseRisk, Warning
from planner.tomlfile import read_toml

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
    "redact",
    "review_queue",
    "session_record_markdown",
    "split_note",
]

DEFAULT_PROMPTS_PATH = Path(__file__).with_name("prompts.toml")
PROMPTS_FILE_NAME = "prompts.toml"  # a service's own set in the user config folder
APPLIES_TO = ("all", "youth", "adult")
PIN_PREFIX = "[prompt] "

# ============================================================================ prompts


@dataclass(frozen=True, slots=True)
class Prompt:
    group_id: str
    id: str
    title: str
    text: str
    group_title: str = ""

    @property
    def key(self) -> str:
        """`group.prompt`, how a prompt is named on the command line."""
        return f"{self.group_id}.{self.id}"

    @property
    def pin_text(self) -> str:
        """What `storage.supervision.pin_prompt` appends to the note."""
        head = f"{self.group_title}, {self.title}" if self.group_title else self.title
        return f"{head}: {self.text}"


@dataclass(frozen=True, slots=True)
class PromptGroup:
    id: str
    title: str
    source: str
    applies_to: str
    prompts: tuple[Prompt, ...]

    def applies(self, case: Case | None) -> bool:
        """`all` groups always; `youth` for children, `adult` for adults;
        every group when no case is given (a listing)."""
        if self.applies_to == "all" or case is None:
            return True
        return case.youth == (self.applies_to == "youth")


@dataclass(frozen=True, slots=True)
class PromptSet:
    groups: tuple[PromptGroup, ...]
    source_file: str = ""

    def for_case(self, case: Case | None) -> tuple[PromptGroup, ...]:
        """The groups that apply to the case (every group when case is None)."""
        return tuple(group for group in self.groups if group.applies(case))

    def flat(self, case: Case | None = None) -> tuple[Prompt, ...]:
        """The prompts for the case in file order: what a lead cycles through."""
        return tuple(prompt for group in self.for_case(case) for prompt in group.prompts)

    def find(self, key: str) -> Prompt:
        """A prompt by `group.prompt` key; ConfigError naming the choices if unknown."""
        for group in self.groups:
            for prompt in group.prompts:
                if prompt.key == key:
                    return prompt
        keys = ", ".join(p.key for g in self.groups for p in g.prompts)
        raise ConfigError(f"unknown prompt {key!r}; use one of: {keys}")


_ID = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
_TOP_KEYS = {"version", "groups"}
_GROUP_KEYS = {"id", "title", "source", "applies_to", "prompts"}
_PROMPT_KEYS = {"id", "title", "text"}


def _default_user_prompts() -> Path | None:
    try:
        from platformdirs import user_config_dir
    except ImportError:  # pragma: no cover - platformdirs is a dependency
        return None
    candidate = Path(user_config_dir("caseload")) / PROMPTS_FILE_NAME
    return candidate if candidate.is_file() else None


def load_prompts(path: str | Path | None = None) -> PromptSet:
    """The prompt set from a TOML file.

    With no path: the user config folder's prompts.toml if there is one, else
    the default set shipped as planner/prompts.toml. Raises ConfigError
    "FILE: key: reason" for a missing or unreadable file, bad TOML, an unknown
    or missing key, a wrong type or a repeated id.
    """
    if path is None:
        user = _default_user_prompts()
        if user is None:
            return _default_prompts()
        path = user
    return _read_prompts(Path(path))


@lru_cache(maxsize=1)
def _default_prompts() -> PromptSet:
    return _read_prompts(DEFAULT_PROMPTS_PATH)


def _read_prompts(path: Path) -> PromptSet:
    label = str(path)
    data = read_toml(path)
    return prompts_from_dict(data, label=label)


def _text(table: dict[str, Any], key: str, where: str, label: str, *, required: bool = True) -> str:
    value = table.get(key)
    if value is None:
        if required:
            raise ConfigError(f"{label}: {where}.{key}: missing")
        return ""
    if not isinstance(value, str) or not value.strip():
        raise ConfigError(f"{label}: {where}.{key}: must be a non-empty string")
    return " ".join(value.split())


def _identifier(table: dict[str, Any], where: str, label: str) -> str:
    value = _text(table, "id", where, label)
    if not _ID.match(value):
        raise ConfigError(f"{label}: {where}.id: {value!r} must be letters, digits, _ or - (64 at most)")
    return value


def _unknown(table: dict[str, Any], allowed: set[str], where: str, label: str) -> None:
    extra = sorted(set(table) - allowed)
    if extra:
        place = f"{where}.{extra[0]}" if where else extra[0]
        raise ConfigError(f"{label}: {place}: unknown key (allowed: {', '.join(sorted(allowed))})")


def prompts_from_dict(data: dict[str, Any], label: str = PROMPTS_FILE_NAME) -> PromptSet:
    """Validate a parsed prompts document (see load_prompts)."""
    _unknown(data, _TOP_KEYS, "", label)
    version = data.get("version", 1)
    if version != 1:
        raise ConfigError(f"{label}: version: {version!r} is not supported (use 1)")
    raw_groups = data.get("groups")
    if raw_groups is None:
        raise ConfigError(f"{label}: groups: missing (add at least one [[groups]] table)")
    if not isinstance(raw_groups, list) or not raw_groups:
        raise ConfigError(f"{label}: groups: must be a list of [[groups]] tables, at least one")
    groups: list[PromptGroup] = []
    seen_groups: set[str] = set()
    for g_index, raw in enumerate(raw_groups):
        where = f"groups[{g_index}]"
        if not isinstance(raw, dict):
            raise ConfigError(f"{label}: {where}: must be a table")
        _unknown(raw, _GROUP_KEYS, where, label)
        group_id = _identifier(raw, where, label)
        if group_id in seen_groups:
            raise ConfigError(f"{label}: {where}.id: {group_id!r} is used by another group")
        seen_groups.add(group_id)
        where = f"groups[{g_index}] ({group_id})"
        title = _text(raw, "title", where, label)
        source = _text(raw, "source", where, label)
        applies_to = raw.get("applies_to", "all")
        if applies_to not in APPLIES_TO:
            raise ConfigError(
                f"{label}: {where}.applies_to: {applies_to!r} must be one of {', '.join(APPLIES_TO)}"
            )
        raw_prompts = raw.get("prompts")
        if not isinstance(raw_prompts, list) or not raw_prompts:
            raise ConfigError(f"{label}: {where}.prompts: needs at least one [[groups.prompts]] table")
        prompts: list[Prompt] = []
        seen_prompts: set[str] = set()
        for p_index, raw_prompt in enumerate(raw_prompts):
            p_where = f"{where}.prompts[{p_index}]"
            if not isinstance(raw_prompt, dict):
                raise ConfigError(f"{label}: {p_where}: must be a table")
            _unknown(raw_prompt, _PROMPT_KEYS, p_where, label)
            prompt_id = _identifier(raw_prompt, p_where, label)
            if prompt_id in seen_prompts:
                raise ConfigError(f"{label}: {p_where}.id: {prompt_id!r} is used by another prompt of {group_id}")
            seen_prompts.add(prompt_id)
            prompt_title = _text(raw_prompt, "title", p_where, label, required=False)
            prompts.append(
                Prompt(
                    group_id=group_id,
                    id=prompt_id,
                    title=prompt_title or prompt_id.replace("_", " ").replace("-", " ").capitalize(),
                    text=_text(raw_prompt, "text", p_where, label),
                    group_title=title,
                )
            )
        groups.append(PromptGroup(group_id, title, source, applies_to, tuple(prompts)))
    return PromptSet(tuple(groups), source_file=label)


def prompts_for(case: Case | None, prompts: PromptSet | None = None) -> tuple[PromptGroup, ...]:
    """The prompt groups for a case: every `all` group, plus `youth` groups
    (the Relationship Model) for children, `adult` groups otherwise."""
    return (prompts or load_prompts()).for_case(case)


def pin_line(prompt: Prompt | str) -> str:
    """The note line a pinned prompt becomes."""
    text = prompt.pin_text if isinstance(prompt, Prompt) else str(prompt)
    return PIN_PREFIX + " ".join(text.split())


def split_note(note: str | None) -> tuple[str, tuple[str, ...]]:
    """(the written note, the pinned prompts) of a stored supervision note."""
    written: list[str] = []
    pins: list[str] = []
    for line in (note or "").splitlines():
        if line.startswith(PIN_PREFIX):
            pins.append(line[len(PIN_PREFIX):].strip())
        else:
            written.append(line)
    return "\n".join(written).strip("\n"), tuple(pins)


# ============================================================================ queue

#: Why a case sits where it does in the queue, in queue order.
QUEUE_BANDS = ("flagged", "cold_handover", "new", "risk")
_BAND_LABELS = {
    "flagged": "flagged for discussion",
    "cold_handover": "cold handover",
    "new": "new relationship",
    "risk": "",
}


@dataclass(frozen=True, slots=True)
class QueueItem:
    """One case in the supervision queue. `display_name` is personal data."""

    case: Case
    warnings: tuple[Warning, ...]
    score: int
    band: str  # one of QUEUE_BANDS
    position: int  # 0-based place in the queue
    relationship_days: int | None = None

    @property
    def case_ref(self) -> str:
        return self.case.case_ref

    @property
    def display_name(self) -> str:
        return self.case.display_name

    @property
    def high_risk(self) -> bool:
        return any(w.severity == "high" for w in self.warnings)

    @property
    def top_severity(self) -> str | None:
        """The worst severity that counts (statuses aside), or None."""
        first = self.warnings[0].severity if self.warnings else None
        return first if first in SEVERITY_ORDER else None

    @property
    def reason(self) -> str:
        """Why the case is early in the queue ("" for the risk-ordered rest)."""
        return _BAND_LABELS[self.band]


def _relationship_days(case: Case, as_of: date) -> int | None:
    alloc = case.current_allocation
    return None if alloc is None else (as_of - alloc.start_date).days


def review_queue(
    cases_with_risk: Iterable[CaseRisk],
    flagged_refs: Iterable[str],
    as_of: date,
    policy: Policy = DEFAULT_POLICY,
) -> list[QueueItem]:
    """The caseload in supervision order: flagged for discussion, then cold
    handovers, then new relationships (current allocation younger than the
    early window), then everyone else; each band by risk score desc, case_ref."""
    flagged = {flagged_refs} if isinstance(flagged_refs, str) else set(flagged_refs)
    window = policy.early_window.days
    staged: list[tuple[int, int, str, CaseRisk, str, int | None]] = []
    for risk in cases_with_risk:
        case = risk.case
        age = _relationship_days(case, as_of)
        if case.case_ref in flagged:
            band = "flagged"
        elif any(w.rule == "cold_handover" for w in risk.warnings):
            band = "cold_handover"
        elif age is not None and 0 <= age < window:
            band = "new"
        else:
            band = "risk"
        staged.append((QUEUE_BANDS.index(band), -risk.score, case.case_ref, risk, band, age))
    staged.sort(key=lambda row: row[:3])
    return [
        QueueItem(risk.case, tuple(risk.warnings), risk.score, band, position, age)
        for position, (_, _, _, risk, band, age) in enumerate(staged)
    ]


@dataclass(frozen=True, slots=True)
class Progress:
    total: int
    reviewed: int
    high_risk_total: int
    high_risk_left: int

    @property
    def left(self) -> int:
        return self.total - self.reviewed

    @property
    def done(self) -> bool:
        return self.total > 0 and self.reviewed >= self.total

    @property
    def text(self) -> str:
        """ "12 of 41 reviewed, 5 high-risk left" """
        return f"{self.reviewed} of {self.total} reviewed, {self.high_risk_left} high-risk left"

    def __str__(self) -> str:
        return self.text


def progress(queue: Sequence[QueueItem], reviewed_refs: Iterable[str]) -> Progress:
    """How far the session has got through the queue. A high-risk case is one
    with at least one high warning; refs not in the queue are not counted."""
    reviewed = set(reviewed_refs)
    in_queue = [item for item in queue if item.case_ref in reviewed]
    high = [item for item in queue if item.high_risk]
    return Progress(
        total=len(queue),
        reviewed=len(in_queue),
        high_risk_total=len(high),
        high_risk_left=sum(1 for item in high if item.case_ref not in reviewed),
    )


def next_unreviewed(
    queue: Sequence[QueueItem], reviewed_refs: Iterable[str], after: int = -1
) -> QueueItem | None:
    """The first case after position `after` not yet reviewed, wrapping round;
    None when every case is reviewed."""
    reviewed = set(reviewed_refs)
    count = len(queue)
    for step in range(1, count + 1):
        item = queue[(after + step) % count]
        if item.case_ref not in reviewed:
            return item
    return None


# ============================================================================ the record


@dataclass(frozen=True, slots=True)
class PersonRef:
    """A practitioner or lead as the record names them."""

    id: str
    name: str

    @property
    def label(self) -> str:
        return f"{self.name} ({self.id})" if self.name and self.name != self.id else self.id


@dataclass(frozen=True, slots=True)
class ActionRecord:
    id: int
    text: str
    owner: PersonRef
    due: date
    done: bool = False
    done_on: date | None = None
    case_ref: str | None = None
    session_id: int | None = None
    session_date: date | None = None


@dataclass(frozen=True, slots=True)
class CaseRecord:
    """One case discussed in a session. `warnings` is the snapshot stored when
    the case was marked reviewed (SPEC §6 dicts); None when never reviewed."""

    case_ref: str
    display_name: str
    youth: bool = False
    reviewed: bool = False
    flagged: bool = False
    note: str = ""
    prompts: tuple[str, ...] = ()
    warnings: tuple[dict[str, Any], ...] | None = None
    actions: tuple[ActionRecord, ...] = ()


@dataclass(frozen=True, slots=True)
class SessionRecord:
    session_id: int
    session_date: date
    practitioner: PersonRef
    lead: PersonRef | None
    started_at: datetime | None = None
    ended_at: datetime | None = None
    cases: tuple[CaseRecord, ...] = ()
    actions: tuple[ActionRecord, ...] = ()
    carried_forward: tuple[ActionRecord, ...] = ()
    privacy: bool = False

    @property
    def reviewed_count(self) -> int:
        return sum(1 for case in self.cases if case.reviewed)

    @property
    def flagged_count(self) -> int:
        return sum(1 for case in self.cases if case.flagged)


def initials(name: str) -> str:
    """`Jo Bloggs` -> `J.B.`, what privacy mode shows (as the app does)."""
    parts = [p for p in name.replace("-", " ").split() if p[:1].isalpha()]
    return ".".join(p[0].upper() for p in parts) + "." if parts else "?"


def _name_scrubber(names: Iterable[str]):
    """A function replacing every whole known name in a text by its initials."""
    wanted = sorted({n.strip() for n in names if n and len(n.strip()) >= 3}, key=len, reverse=True)
    if not wanted:
        return lambda text: text
    pattern = re.compile(r"(?<!\w)(?:" + "|".join(re.escape(n) for n in wanted) + r")(?!\w)")
    return lambda text: pattern.sub(lambda match: initials(match.group(0)), text) if text else text


def redact(record: SessionRecord, known_names: Iterable[str] = ()) -> SessionRecord:
    """The record with every person's name cut to initials: the practitioner,
    the lead, action owners and the people on probation, and those names
    (plus `known_names`, e.g. every colleague's) wherever they appear whole in
    warnings, notes, prompts and action texts. Ids and case refs stay.
    Idempotent: a record already in privacy mode comes back as is.
    A note that names someone some other way (a first name alone) is kept as
    written: privacy mode is for screen sharing, not anonymisation."""
    if record.privacy:
        return record
    people = [record.practitioner, record.lead]
    actions = list(record.actions) + list(record.carried_forward)
    people += [a.owner for a in actions]
    for case in record.cases:
        people += [a.owner for a in case.actions]
    names = [p.name for p in people if p is not None]
    names += [case.display_name for case in record.cases]
    scrub = _name_scrubber([*names, *known_names])

    def person(p: PersonRef | None) -> PersonRef | None:
        return None if p is None else replace(p, name=initials(p.name))

    def action(a: ActionRecord) -> ActionRecord:
        return replace(a, owner=person(a.owner), text=scrub(a.text))

    def warning(w: dict[str, Any]) -> dict[str, Any]:
        out = dict(w)
        for key in ("title", "detail"):
            if isinstance(out.get(key), str):
                out[key] = scrub(out[key])
        return out

    return replace(
        record,
        practitioner=person(record.practitioner),
        lead=person(record.lead),
        cases=tuple(
            replace(
                case,
                display_name=initials(case.display_name),
                note=scrub(case.note),
                prompts=tuple(scrub(p) for p in case.prompts),
                warnings=None if case.warnings is None else tuple(warning(w) for w in case.warnings),
                actions=tuple(action(a) for a in case.actions),
            )
            for case in record.cases
        ),
        actions=tuple(action(a) for a in record.actions),
        carried_forward=tuple(action(a) for a in record.carried_forward),
        privacy=True,
    )


# ---------------------------------------------------------------------------- Markdown


def _long_date(day: date) -> str:
    return f"{day:%A} {day.day} {day:%B %Y}"


def _short_date(day: date | None) -> str:
    return f"{day:%a} {day.day} {day:%b %Y}" if day else "-"


def _time(moment: datetime | None) -> str:
    return f"{moment:%H:%M} UTC" if moment else ""


def _cell(text: object) -> str:
    """Text safe inside a Markdown table cell: one line, pipes escaped."""
    return " ".join(str(text).split()).replace("|", "\\|") or "-"


def _inline(text: object) -> str:
    return " ".join(str(text).split())


def _status(action: ActionRecord) -> str:
    if action.done:
        return f"done {action.done_on.isoformat()}" if action.done_on else "done"
    return "open"


def _action_line(action: ActionRecord, *, with_case: bool) -> str:
    box = "[x]" if action.done else "[ ]"
    case = f" (case {action.case_ref})" if with_case and action.case_ref else ""
    done = f"; done {action.done_on.isoformat()}" if action.done and action.done_on else ""
    return (
        f"- {box} {_inline(action.text)}{case} — owner {action.owner.label}, "
        f"due {_short_date(action.due)}{done} (action #{action.id})"
    )


def _action_table(actions: Sequence[ActionRecord], *, agreed: bool) -> list[str]:
    head = ["#", "Action", "Case", "Owner", "Due"] + (["Agreed"] if agreed else []) + ["Status"]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for action in actions:
        cells = [str(action.id), _cell(action.text), _cell(action.case_ref or "-"),
                 _cell(action.owner.label), action.due.isoformat()]
        if agreed:
            cells.append(
                f"session {action.session_id}, {action.session_date.isoformat()}"
                if action.session_date else "-"
            )
        cells.append(_status(action))
        lines.append("| " + " | ".join(cells) + " |")
    return lines


def _severity_totals(cases: Iterable[CaseRecord]) -> dict[str, int]:
    totals = {severity: 0 for severity in SEVERITY_ORDER}
    for case in cases:
        for warning in case.warnings or ():
            severity = warning.get("severity")
            if severity in totals:
                totals[severity] += 1
    return totals


def _warning_lines(case: CaseRecord) -> list[str]:
    if case.warnings is None:
        why = "none stored at review" if case.reviewed else "the case was not marked reviewed"
        return [f"- **Warnings at the time:** not recorded ({why})"]
    counted = [w for w in case.warnings if w.get("severity") in SEVERITY_ORDER]
    statuses = [w for w in case.warnings if w.get("severity") not in SEVERITY_ORDER]
    lines = []
    if not counted:
        lines.append("- **Warnings at the time of review:** none")
    else:
        lines.append(f"- **Warnings at the time of review ({len(counted)}):**")
    for warning in counted:
        severity = str(warning.get("severity", "")).upper() or "?"
        title = _inline(warning.get("title", ""))
        rule = warning.get("rule", "")
        detail = _inline(warning.get("detail", ""))
        action = _inline(warning.get("action", ""))
        lines.append(f"  - **{severity}** {title} (`{rule}`)" + (f": {detail}" if detail else "")
                     + (f" **Action:** {action}" if action else ""))
    for status in statuses:  # info (SPEC §3): a status, shown, never counted
        tag = _inline((status.get("facts") or {}).get("tag") or status.get("title", ""))
        action = _inline(status.get("action", ""))
        lines.append(f"- **Status:** {tag} (`{status.get('rule', '')}`)" + (f"; {action}" if action else ""))
    return lines


def session_record_markdown(record: SessionRecord) -> str:
    """The session as a Markdown supervision record: who, when, a summary,
    actions carried forward, each case discussed (warnings at the time,
    notes, prompts pinned, actions agreed, reviewed mark), every action
    agreed, and sign-off lines. Names are initials when `record.privacy`."""
    out: list[str] = []
    add = out.append
    who = record.practitioner
    add(f"# Supervision record: {who.label}, {_long_date(record.session_date)}")
    add("")
    add(f"- **Date:** {_long_date(record.session_date)}")
    add(f"- **Practitioner:** {who.label}")
    add(f"- **Team lead:** {record.lead.label if record.lead else 'not recorded'}")
    times = []
    if record.started_at:
        times.append(f"started {_time(record.started_at)}")
    times.append(f"ended {_time(record.ended_at)}" if record.ended_at else "not yet ended")
    add(f"- **Session:** {record.session_id} ({', '.join(times)})")
    if record.privacy:
        add("- **Privacy mode:** names are shown as initials")
    add("")

    add("## Summary")
    add("")
    discussed = len(record.cases)
    add(f"- Cases discussed: {discussed}; marked reviewed: {record.reviewed_count}; "
        f"flagged for discussion: {record.flagged_count}")
    totals = _severity_totals(record.cases)
    add("- Warnings at the time on reviewed cases: "
        + ", ".join(f"{totals[s]} {s}" for s in SEVERITY_ORDER))
    done = sum(1 for a in record.actions if a.done)
    add(f"- Actions agreed: {len(record.actions)} ({done} done since, {len(record.actions) - done} open)")
    still_open = sum(1 for a in record.carried_forward if not a.done)
    add(f"- Actions carried forward from earlier sessions: {len(record.carried_forward)} "
        f"({still_open} still open)")
    add("")

    add("## Actions carried forward from earlier sessions")
    add("")
    if record.carried_forward:
        add("Open when this session began; the status column shows where each stands now.")
        add("")
        out.extend(_action_table(record.carried_forward, agreed=True))
    else:
        add("None.")
    add("")

    add("## Cases discussed")
    add("")
    if not record.cases:
        add("No cases were discussed.")
        add("")
    for case in record.cases:
        youth = " (youth)" if case.youth else ""
        add(f"### {case.case_ref}: {_inline(case.display_name)}{youth}")
        add("")
        add(f"- **Reviewed:** {'yes' if case.reviewed else 'no (not marked reviewed)'}")
        if case.flagged:
            add("- **Flagged for discussion:** yes")
        out.extend(_warning_lines(case))
        add("")
        add("**Notes**")
        add("")
        if case.note.strip():
            for line in case.note.splitlines():
                add(f"> {line}".rstrip())
        else:
            add("No notes.")
        add("")
        if case.prompts:
            add("**Prompts pinned**")
            add("")
            for prompt in case.prompts:
                add(f"- {_inline(prompt)}")
            add("")
        add("**Actions agreed**")
        add("")
        if case.actions:
            for action in case.actions:
                add(_action_line(action, with_case=False))
        else:
            add("None.")
        add("")

    add("## All actions agreed")
    add("")
    if record.actions:
        out.extend(_action_table(record.actions, agreed=False))
    else:
        add("None.")
    add("")

    add("## Sign-off")
    add("")
    add(f"- Practitioner: {who.label}. Signed: ____________________  Date: ____________")
    lead = record.lead.label if record.lead else "____________________"
    add(f"- Team lead: {lead}. Signed: ____________________  Date: ____________")
    add("")
    return "\n".join(out)
