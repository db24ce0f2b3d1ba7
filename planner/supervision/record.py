"""The supervision record as plain data (built by storage.supervision from
the database), and `redact`, the same record with every name cut to initials
(planner/words.py `initials`) for privacy mode."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import Any

from planner.model import Checkin
from planner.words import initials


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
    the case was marked reviewed (README, Using it dicts); None when never reviewed."""

    case_ref: str
    display_name: str
    youth: bool = False
    reviewed: bool = False
    flagged: bool = False
    note: str = ""
    prompts: tuple[str, ...] = ()
    warnings: tuple[dict[str, Any], ...] | None = None
    actions: tuple[ActionRecord, ...] = ()
    checkins: tuple[Checkin, ...] = ()  # the person's check-ins up to the session (docs/voice.md)


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
                checkins=tuple(replace(k, words=None) for k in case.checkins),  # their words stay out
            )
            for case in record.cases
        ),
        actions=tuple(action(a) for a in record.actions),
        carried_forward=tuple(action(a) for a in record.carried_forward),
        privacy=True,
    )
