"""The person's voice in the sample (docs/voice.md): check-ins over time at
attended contacts, a few first languages and interpreters, and a short
`not_with` list. Driven by its own `random.Random(VOICE_SEED)`, after every
other generator, so their rows do not shift.

- about two cases in five have check-ins with their current practitioner,
  one every five or so attended contacts, steady (no rule fires on them);
- NG1016 (N1-02 cancelled twice lately) has check-ins that fall (15, 14,
  then 8, with `goals` at 2): `alliance_low`;
- EB2001 (a child with four workers this year) falls by 3 with no answer
  low: `alliance_low` on the drop alone. Both cases are warned already, so
  the share of cases with a warning stays where docs/rules.md's alert
  burden holds it (tests/storage/test_alert_burden.py);
- one case in twelve has a first language other than English recorded,
  half of them needing an interpreter; three cases have a `not_with` entry
  (reason codes only).
"""

from __future__ import annotations

import random
from collections import defaultdict

from storage.sample.builder import _Builder, _Case

VOICE_SEED = 20_1027
_SCENARIO_REFS = {f"NG{1001 + n}" for n in range(20)} | {f"EB{2001 + n}" for n in range(5)}
_LANGUAGES = ("Polish", "Arabic", "Romanian", "Urdu", "Somali", "Welsh", "Punjabi", "Lithuanian", "Tigrinya")
_WORDS = (
    "Feels like we actually get somewhere now.",
    "Good that you remembered about my mum.",
    "Still not sure what the point of some of this is.",
    "Easier to talk on the phone than in the office.",
    "You listen, which helps.",
)
_FALLING_WORDS = "Feels like you are just ticking boxes lately. Nobody asks what I want."
_NOT_WITH_REASONS = ("person_request", "complaint", "boundary")


def _voice(b: _Builder) -> None:
    rng = random.Random(VOICE_SEED)
    seen = _attended_by_case(b)
    falling = {"NG1016": "low", "EB2001": "drop"}
    for case in b.cases:
        holder = _current_holder(case)
        if holder is None:
            continue
        pid, start = holder
        days = [d for d, ppk in seen.get(case.id, ()) if ppk == b.pk[pid] and d >= start]
        if case.case_ref in falling:
            _falling(b, case, pid, days, falling[case.case_ref])
        elif days and rng.random() < 0.4:
            _steady(b, rng, case, pid, days)
    _preferences(b, rng)
    _not_with(b, rng)


def _attended_by_case(b: _Builder) -> dict[int, list]:
    out: dict[int, list] = defaultdict(list)
    for row in b.rows["contact"]:
        if row["outcome"] == "attended" and row["kind"] != "other":
            out[row["case_id"]].append((row["contact_date"], row["practitioner_pk"]))
    for rows in out.values():
        rows.sort()
    return out


def _current_holder(case: _Case):
    if case.allocations and case.allocations[-1][2] is None:
        return case.allocations[-1][0], case.allocations[-1][1]
    return None


def _checkin(b: _Builder, case: _Case, pid: str, day, answers: tuple[int, int, int], words: str | None) -> None:
    listened, goals, trust = answers
    b.rows["checkin"].append(dict(
        id=b._id("checkin"), case_id=case.id, checkin_date=day, practitioner_pk=b.pk[pid],
        listened=listened, goals=goals, trust=trust, words=words, version=1,
    ))


def _steady(b: _Builder, rng: random.Random, case: _Case, pid: str, days: list) -> None:
    """One check-in every five or so attended contacts, the newest included;
    answers around a level of 3 to 5 that moves by 1 at most (no rule fires)."""
    level = rng.choice((3, 4, 4, 5))
    picked = days[::-5][:4][::-1]
    for day in picked:
        answers = [level] * 3
        if level < 5 and rng.random() < 0.5:
            answers[rng.randrange(3)] += 1
        _checkin(b, case, pid, day, tuple(answers), rng.choice(_WORDS) if rng.random() < 0.35 else None)


def _falling(b: _Builder, case: _Case, pid: str, days: list, how: str) -> None:
    """Two good check-ins, then a lower one at the newest contact: an answer
    of 2 (`low`), or a total 3 below the one before (`drop`)."""
    first, second, newest = days[-5], days[-3], days[-1]
    _checkin(b, case, pid, first, (5, 5, 5), "You listen, which helps.")
    _checkin(b, case, pid, second, (5, 5, 4) if how == "low" else (5, 5, 5), None)
    _checkin(b, case, pid, newest, (3, 2, 3) if how == "low" else (4, 4, 4), _FALLING_WORDS)


def _preferences(b: _Builder, rng: random.Random) -> None:
    for row in b.rows["case"]:
        language, interpreter = None, False
        if rng.random() < 1 / 12:
            language = rng.choice(_LANGUAGES)
            interpreter = rng.random() < 0.5
        row["language"], row["interpreter"] = language, interpreter


def _not_with(b: _Builder, rng: random.Random) -> None:
    """Three filler cases with one not_with entry each: a team colleague who
    is not their practitioner (a reason code, never words about staff)."""
    candidates = [c for c in b.cases if c.case_ref not in _SCENARIO_REFS and _current_holder(c) is not None]
    for case in rng.sample(candidates, 3):
        holder = _current_holder(case)[0]
        colleagues = sorted(p for p, team in b.team_of.items() if team == case.team and p != holder
                            and not p.endswith("-01"))
        named = rng.choice(colleagues)
        b.rows["not_with"].append(dict(
            id=b._id("not_with"), case_id=case.id, practitioner_pk=b.pk[named],
            reason=rng.choice(_NOT_WITH_REASONS), version=1,
        ))
