"""What a value must be before it is stored: one set of checks for the app's
forms, the storage functions behind them and the CSV importer, so that a
file cannot bring in what the app would refuse (README, "Where data lives and
how it is protected").

Each check returns None when the value is fine, else the reason in a few
words ("is in the future (after 2026-12-07)"); the caller names the field or
column. `today` is a parameter: the app passes its as-of date, the importer
the day it runs (or `--on`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date

from planner.errors import CaseloadError
from planner.model import CHECKIN_HIGH, CHECKIN_LOW, RELEASE_SENTENCES
from planner.words import plural

#: Every date a record may hold. Rules count up to a few years either side of
#: a date; inside these bounds that arithmetic can never leave the calendar
#: Python knows (years 1 to 9999).
EARLIEST = date(1900, 1, 1)
LATEST = date(2999, 12, 31)

#: Control characters (Unicode category Cc: C0, DEL and C1) but tab, line
#: feed and carriage return: never in any text.
TEXT_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
#: Every control character, line and paragraph separators, the
#: bidirectional embeddings, overrides and isolates that make a name display
#: as something other than it is, and the invisible ones that make two names
#: look alike (zero-width space, word joiner and invisible operators, the
#: byte-order mark): never in a name. The zero-width joiner and non-joiner
#: stay: scripts such as Persian and Hindi write names with them.
NAME_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u200b\u2028\u2029\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]")


def _named(ch: str) -> str:
    names = {"\x00": "NUL", "\x1b": "ESC", "\t": "a tab", "\n": "a line break", "\r": "a carriage return"}
    return names.get(ch, f"U+{ord(ch):04X}")


def name(text: str) -> str | None:
    """A person's or a team's name: one line of plain text."""
    bad = NAME_CONTROL.search(text)
    if bad is not None:
        return f"contains a control character ({_named(bad.group())}); a name is one line of plain text"
    return None


def free_text(text: str) -> str | None:
    """Notes, reasons, summaries: any text, with tabs and line breaks, but no
    other control characters (a NUL cannot even be stored on PostgreSQL)."""
    bad = TEXT_CONTROL.search(text)
    if bad is not None:
        return f"contains a control character ({_named(bad.group())})"
    return None


_ISO_SHAPE = re.compile(r"\d{4}-\d{2}-\d{2}")


def iso_date(value: str) -> date:
    """An ISO date within the dates a record may hold (EARLIEST to LATEST, so
    that counting days from it never leaves the calendar); ValueError with the
    reason otherwise. The command line's DATE options and the app's `--on`
    (tui/launch.py) both read dates with it."""
    try:
        day = date.fromisoformat(value)
    except ValueError:
        if _ISO_SHAPE.fullmatch(value):  # 2026-02-30: the shape is right, the day is not
            raise ValueError(f"{value!r} is not a real date") from None
        raise ValueError(f"{value!r} is not a date (use YYYY-MM-DD)") from None
    if not EARLIEST <= day <= LATEST:
        raise ValueError(f"{value!r} is out of range (dates run from {EARLIEST} to {LATEST})")
    return day


def sentence_dates(sentence: str | None, sentence_end: date | None,
                   release_on: date | None) -> tuple[str, str] | None:
    """(field, problem) when a case's sentence and its dates do not fit
    together (SPEC §11), else None: a release day belongs to a custody case
    or the licence or supervision after it, and falls on or before the
    sentence's end. The form, the case's storage write and the CSV import all
    ask this."""
    if release_on is None:
        return None
    if sentence not in RELEASE_SENTENCES:
        return "release_on", f"only for sentence {', '.join(RELEASE_SENTENCES)}"
    if sentence_end is not None and release_on > sentence_end:
        return "release_on", f"{release_on.isoformat()} is after the sentence ends ({sentence_end.isoformat()})"
    return None


def in_range(day: date) -> str | None:
    if day < EARLIEST:
        return f"{day.isoformat()} is before {EARLIEST.isoformat()}"
    if day > LATEST:
        return f"{day.isoformat()} is after {LATEST.isoformat()}"
    return None


def _not_after(day: date, today: date, why: str) -> str | None:
    problem = in_range(day)
    if problem is None and day > today:
        problem = f"{day.isoformat()} is in the future (after {today.isoformat()}); {why}"
    return problem


def _not_before(day: date, today: date, why: str) -> str | None:
    problem = in_range(day)
    if problem is None and day < today:
        problem = f"{day.isoformat()} is in the past (before {today.isoformat()}); {why}"
    return problem


def contact_date(day: date, today: date) -> str | None:
    """A contact is recorded once it has happened."""
    return _not_after(day, today, "a contact is recorded once it has happened (book an appointment instead)")


def date_of_birth(day: date, today: date) -> str | None:
    return _not_after(day, today, "a date of birth has happened")


def allocated_on(day: date, today: date) -> str | None:
    """An allocation starts today or earlier: a move ahead is a planned handover."""
    return _not_after(day, today, "plan a handover for a change ahead")


def appointment_date(day: date, today: date) -> str | None:
    """A new booking is for today or later (a past meeting is a contact)."""
    return _not_before(day, today, "record a past meeting as a contact")


def handover_date(day: date, today: date) -> str | None:
    """A new handover is planned for today or later."""
    return _not_before(day, today, "a handover is planned for today or later")


def refuse(field: str, problem: str | None) -> None:
    """Raise CaseloadError("field: problem") when a check above found one
    (the storage functions' way of using them)."""
    if problem is not None:
        raise CaseloadError(f"{field}: {problem}")


def text_field(field: str, value: str | None, *, is_name: bool = False) -> None:
    """`refuse` for a text value (None is fine)."""
    if value is not None:
        refuse(field, (name if is_name else free_text)(value))


def stranded_cases(practitioner_id: str, new_team: str, held: Iterable[tuple[str, str | None]]) -> str | None:
    """Moving a practitioner to `new_team` while they hold open cases of
    another team would leave those cases with someone who can no longer see
    them (access is by team). `held` is (case_ref, the case's team) for each
    case the practitioner holds now."""
    refs = sorted(ref for ref, team in held if team != new_team)
    if not refs:
        return None
    shown = ", ".join(refs[:10]) + (f" and {len(refs) - 10} more" if len(refs) > 10 else "")
    return (f"moving {practitioner_id} to team {new_team} would strand the {plural(len(refs), 'open case')} "
            f"they hold outside it: {shown}; hand them over first "
            f"(caseload handover departures {practitioner_id})")


__all__ = [
    "EARLIEST",
    "LATEST",
    "NAME_CONTROL",
    "TEXT_CONTROL",
    "allocated_on",
    "appointment_date",
    "contact_date",
    "date_of_birth",
    "free_text",
    "handover_date",
    "in_range",
    "iso_date",
    "name",
    "refuse",
    "sentence_dates",
    "stranded_cases",
    "text_field",
]


def checkin_date(day: date, today: date) -> str | None:
    """A check-in is recorded at or after the contact it was asked at."""
    return _not_after(day, today, "a check-in is recorded once it has happened")


def checkin_answer(question: str, value: object) -> str | None:
    """An answer to one of the check-in's questions (docs/voice.md): a whole number 1 to 5."""
    if isinstance(value, bool) or not isinstance(value, int) or not CHECKIN_LOW <= value <= CHECKIN_HIGH:
        return f"answer {CHECKIN_LOW} (not at all) to {CHECKIN_HIGH} (completely), not {value!r}"
    return None
