"""The supervision record as Markdown, the record a service keeps
(`caseload supervision export`, the app's export)."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from datetime import date, datetime

from planner.risk import SEVERITY_ORDER, count_severities
from planner.supervision.record import ActionRecord, CaseRecord, SessionRecord
from planner.text import plain
from planner.voice import CAVEAT, answers_words, sparkline, trend_words

# Markdown's punctuation that people's text could use to make links, images,
# emphasis, headings, HTML or table cells: each is escaped with a backslash, so
# a note reading `[see here](http://...)` is that text in the record, not a link.
_MARKDOWN = re.compile(r"([\\`*_\[\]<>#|~])")


def _long_date(day: date) -> str:
    return f"{day:%A} {day.day} {day:%B %Y}"


def _short_date(day: date | None) -> str:
    return f"{day:%a} {day.day} {day:%b %Y}" if day else "-"


def _time(moment: datetime | None) -> str:
    return f"{moment:%H:%M} UTC" if moment else ""


def _text(text: object) -> str:
    """People's text as Markdown shows it as typed: no control characters,
    Markdown's punctuation escaped."""
    return _MARKDOWN.sub(r"\\\1", plain(text))


def _cell(text: object) -> str:
    """People's text safe inside a Markdown table cell: one line, escaped."""
    return _text(" ".join(str(text).split())) or "-"


def _inline(text: object) -> str:
    """People's text on one line, escaped."""
    return _text(" ".join(str(text).split()))


def _status(action: ActionRecord) -> str:
    if action.done:
        return f"done {action.done_on.isoformat()}" if action.done_on else "done"
    return "open"


def _action_line(action: ActionRecord, *, with_case: bool) -> str:
    box = "[x]" if action.done else "[ ]"
    case = f" (case {action.case_ref})" if with_case and action.case_ref else ""
    done = f"; done {action.done_on.isoformat()}" if action.done and action.done_on else ""
    return (
        f"- {box} {_inline(action.text)}{case} — owner {_inline(action.owner.label)}, "
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
    """The stored warnings' counts by severity (planner/risk.py `count_severities`)."""
    return count_severities(
        warning.get("severity") for case in cases for warning in case.warnings or ()
    )


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
    for status in statuses:  # info (docs/rules.md): a status, shown, never counted
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
    for section in (_heading, _summary, _carried_forward, _cases_discussed, _all_actions, _sign_off):
        out.extend(section(record))
    return "\n".join(out)


def _heading(record: SessionRecord) -> list[str]:
    who = record.practitioner
    times = []
    if record.started_at:
        times.append(f"started {_time(record.started_at)}")
    times.append(f"ended {_time(record.ended_at)}" if record.ended_at else "not yet ended")
    out = [
        f"# Supervision record: {_inline(who.label)}, {_long_date(record.session_date)}",
        "",
        f"- **Date:** {_long_date(record.session_date)}",
        f"- **Practitioner:** {_inline(who.label)}",
        f"- **Team lead:** {_inline(record.lead.label) if record.lead else 'not recorded'}",
        f"- **Session:** {record.session_id} ({', '.join(times)})",
    ]
    if record.privacy:
        out.append("- **Privacy mode:** names are shown as initials")
    out.append("")
    return out


def _summary(record: SessionRecord) -> list[str]:
    totals = _severity_totals(record.cases)
    done = sum(1 for a in record.actions if a.done)
    still_open = sum(1 for a in record.carried_forward if not a.done)
    return [
        "## Summary",
        "",
        f"- Cases discussed: {len(record.cases)}; marked reviewed: {record.reviewed_count}; "
        f"flagged for discussion: {record.flagged_count}",
        "- Warnings at the time on reviewed cases: " + ", ".join(f"{totals[s]} {s}" for s in SEVERITY_ORDER),
        f"- Actions agreed: {len(record.actions)} ({done} done since, {len(record.actions) - done} open)",
        f"- Actions carried forward from earlier sessions: {len(record.carried_forward)} "
        f"({still_open} still open)",
        "",
    ]


def _titled(title: str, body: list[str]) -> list[str]:
    """A `## title` section with its lines, or "None." when it has none."""
    return [f"## {title}", "", *(body or ["None."]), ""]


def _carried_forward(record: SessionRecord) -> list[str]:
    body = []
    if record.carried_forward:
        body = ["Open when this session began; the status column shows where each stands now.", "",
                *_action_table(record.carried_forward, agreed=True)]
    return _titled("Actions carried forward from earlier sessions", body)


def _cases_discussed(record: SessionRecord) -> list[str]:
    out = ["## Cases discussed", ""]
    if not record.cases:
        out += ["No cases were discussed.", ""]
    for case in record.cases:
        out += _case_section(case, record.privacy)
    return out


def _voice_lines(case: CaseRecord, privacy: bool) -> list[str]:
    """The person's check-ins (docs/voice.md): the trend, and the latest
    answers and words unless the record is in privacy mode."""
    if not case.checkins:
        return []
    latest = case.checkins[-1]
    dates = ", ".join(f"{_short_date(k.checkin_date)} {k.practitioner_id}" for k in case.checkins[-4:])
    line = f"- **The person's voice** ({CAVEAT}): "
    if privacy:
        return [line + f"{len(case.checkins)} check-in(s), the latest on {_short_date(latest.checkin_date)} "
                       f"with {latest.practitioner_id}; answers and words left out (privacy mode)"]
    out = [line + f"{sparkline(case.checkins)} {trend_words(case.checkins)} ({dates}); "
                  f"latest: {answers_words(latest)}"]
    if latest.words:
        out.append(f"  - in their words: “{_inline(latest.words)}”")
    return out


def _case_section(case: CaseRecord, privacy: bool = False) -> list[str]:
    youth = " (youth)" if case.youth else ""
    out = [
        f"### {case.case_ref}: {_inline(case.display_name)}{youth}",
        "",
        f"- **Reviewed:** {'yes' if case.reviewed else 'no (not marked reviewed)'}",
    ]
    if case.flagged:
        out.append("- **Flagged for discussion:** yes")
    out += _warning_lines(case)
    out += _voice_lines(case, privacy)
    out += ["", "**Notes**", ""]
    if case.note.strip():
        out += [f"> {_text(line)}".rstrip() for line in case.note.splitlines()]
    else:
        out.append("No notes.")
    out.append("")
    if case.prompts:
        out += ["**Prompts pinned**", ""]
        out += [f"- {' '.join(prompt.split())}" for prompt in case.prompts]  # the app's own text
        out.append("")
    out += ["**Actions agreed**", ""]
    if case.actions:
        out += [_action_line(action, with_case=False) for action in case.actions]
    else:
        out.append("None.")
    out.append("")
    return out


def _all_actions(record: SessionRecord) -> list[str]:
    return _titled("All actions agreed", _action_table(record.actions, agreed=False) if record.actions else [])


def _sign_off(record: SessionRecord) -> list[str]:
    lead = _inline(record.lead.label) if record.lead else "____________________"
    return [
        "## Sign-off",
        "",
        f"- Practitioner: {_inline(record.practitioner.label)}. Signed: ____________________  Date: ____________",
        f"- Team lead: {lead}. Signed: ____________________  Date: ____________",
        "",
    ]
