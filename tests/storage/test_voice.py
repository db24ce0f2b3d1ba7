"""The person's voice stored (docs/voice.md): check-ins, not_with and the
case's language and interpreter, written by storage.repo and by the
`checkins` and `not_with` CSV kinds, read back on the planner's Case. Every
test runs on SQLite and, when CASELOAD_TEST_PG_URL is set, on PostgreSQL."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select
from sqlmodel import Session

from planner.errors import CaseloadError
from planner.model import Checkin, NotWith
from storage import models as m
from storage import repo
from storage.csvio import ImportFailed, export_dir, import_csv
from storage.queries import load_case

try:
    from .csv_helpers import EXAMPLES, dump, write
except ImportError:  # tests/storage is not a package
    from csv_helpers import EXAMPLES, dump, write

DAY = date(2026, 11, 27)


@pytest.fixture
def seeded(engine, seed_cases):
    seed_cases(engine)
    return engine


def _checkin(s, **kw):
    args = dict(case_ref="C2", checkin_date=DAY, practitioner_id="P1", listened=4, goals=3, trust=5,
                words="made-up words", today=DAY, actor="P1")
    args.update(kw)
    return repo.record_checkin(s, **args)


def test_a_check_in_is_recorded_read_back_and_audited_without_its_words(seeded):
    with Session(seeded) as s:
        _checkin(s)
        repo.commit_or_conflict(s)
        case = load_case(s, "C2")
        event = s.execute(select(m.AuditEvent).where(m.AuditEvent.entity == "checkin")).scalar_one()
    assert case.checkins == (Checkin(DAY, "P1", 4, 3, 5, "made-up words"),)
    assert case.checkins[0].total == 12
    assert "made-up" not in event.detail and '"has_words": true' in event.detail


@pytest.mark.parametrize(("kw", "message"), [
    (dict(listened=0), "listened: answer 1 (not at all) to 5 (completely), not 0"),
    (dict(goals=6), "goals: answer 1 (not at all) to 5 (completely), not 6"),
    (dict(trust=True), "trust: answer 1"),
    (dict(checkin_date=date(2026, 11, 28)), "checkin_date: 2026-11-28 is in the future"),
    (dict(case_ref="NOPE"), "unknown case NOPE"),
    (dict(practitioner_id="P3"), "P3 is in team T2, not a team of case C2"),
    (dict(words="bad\x07bell"), "words:"),
])
def test_a_bad_check_in_is_refused_in_one_line_and_nothing_is_written(seeded, kw, message):
    before = dump(seeded)
    with Session(seeded) as s, pytest.raises(CaseloadError, match=message.replace("(", r"\(").replace(")", r"\)")):
        _checkin(s, **kw, **({} if "practitioner_id" not in kw else {"actor": "P1"}))
    assert dump(seeded) == before


def test_a_second_check_in_the_same_day_with_the_same_practitioner_is_refused(seeded):
    with Session(seeded) as s:
        _checkin(s)
        repo.commit_or_conflict(s)
        with pytest.raises(CaseloadError, match="already has a check-in on 2026-11-27 with P1"):
            _checkin(s, listened=1)


def test_not_with_takes_reason_codes_only_and_language_and_interpreter_are_kept(seeded):
    with Session(seeded) as s:
        with pytest.raises(CaseloadError, match="unknown not_with reason 'he is rude'"):
            repo.set_not_with(s, case_ref="C2", practitioner_id="P2", reason="he is rude", actor="P1")
        repo.set_not_with(s, case_ref="C2", practitioner_id="P2", reason="complaint", actor="P1")
        repo.set_preferences(s, case_ref="C2", language="Polish", interpreter=True, actor="P1")
        repo.commit_or_conflict(s)
        case = load_case(s, "C2")
        assert (case.language, case.interpreter, case.not_with) == ("Polish", True, (NotWith("P2", "complaint"),))
        assert repo.remove_not_with(s, case_ref="C2", practitioner_id="P2", actor="P1") is True
        assert repo.remove_not_with(s, case_ref="C2", practitioner_id="P2", actor="P1") is False
        repo.commit_or_conflict(s)
        assert load_case(s, "C2").not_with == ()


def test_a_practitioner_of_another_team_may_not_write_the_voice_of_a_case_they_do_not_see(seeded):
    with Session(seeded) as s:
        with pytest.raises(CaseloadError):
            _checkin(s, actor="P3")
        with pytest.raises(CaseloadError):
            repo.set_not_with(s, case_ref="C2", practitioner_id="P2", reason="boundary", actor="P3")
        with pytest.raises(CaseloadError):
            repo.set_preferences(s, case_ref="C2", language="Welsh", interpreter=False, actor="P3")
        with pytest.raises(CaseloadError, match="cannot see practitioner P3"):  # P3 is of T2, named nowhere on C2
            repo.set_not_with(s, case_ref="C2", practitioner_id="P3", reason="boundary", actor="P1")


# --------------------------------------------------------------------------- the CSV kinds

CHECKINS = "case_ref,checkin_date,practitioner_id,listened,goals,trust,words\n"


def test_the_csv_kinds_import_reimport_unchanged_and_export_round_trips(engine, tmp_path):
    import_csv(engine, EXAMPLES, actor="tester")
    with Session(engine) as s:
        case = load_case(s, "C1001")
    assert [(k.checkin_date.isoformat(), k.total) for k in case.checkins] == [("2026-10-05", 14), ("2026-11-16", 8)]
    assert case.not_with == (NotWith("P2", "person_request"),)
    assert (case.language, case.interpreter) == ("Polish", True)
    before = dump(engine)
    again = import_csv(engine, EXAMPLES, actor="tester")
    assert again.inserted == again.updated == 0 and dump(engine) == before
    export_dir(engine, tmp_path / "out", actor="tester")
    assert (tmp_path / "out" / "checkins.csv").read_text(encoding="utf-8").splitlines()[:3] == [
        CHECKINS.strip(), "C1001,2026-10-05,P1,5,4,5,Feels like we get somewhere.", "C1001,2026-11-16,P1,3,2,3,"]
    assert (tmp_path / "out" / "not_with.csv").read_text(encoding="utf-8").splitlines() == [
        "case_ref,practitioner_id,reason", "C1001,P2,person_request"]


def test_a_changed_answer_updates_the_row(engine, tmp_path):
    import_csv(engine, EXAMPLES, actor="tester")
    path = write(tmp_path, "k.csv", CHECKINS + "C1001,2026-11-16,P1,4,2,3,\n")
    report = import_csv(engine, [path], actor="tester")
    assert (report.inserted, report.updated) == (0, 1)
    with Session(engine) as s:
        assert load_case(s, "C1001").checkins[-1].listened == 4


@pytest.mark.parametrize(("content", "expected"), [
    (CHECKINS + "C1001,2026-11-20,P1,6,4,4,\n", "k.csv:2: listened: 6 is out of range (at least 1 and at most 5)"),
    (CHECKINS + "C1001,2026-11-20,P1,4,2.5,4,\n", "k.csv:2: goals: 2.5 is not a whole number"),
    (CHECKINS + "C1001,2026-11-20,P1,4,4,,\n", "k.csv:2: trust: required, but blank"),
    (CHECKINS + "C1001,2026-12-20,P1,4,4,4,\n", "k.csv:2: checkin_date: 2026-12-20 is in the future"),
    (CHECKINS + "C1001,2026-11-20,P1,4,4,4,\nC1001,20/11/2026,P1,3,3,3,\n", "k.csv:3: checkin_date: duplicate"),
    ("case_ref,practitioner_id,reason\nC1001,P2,rude\n", "k.csv:2: reason: "),
    ("case_ref,practitioner_id,reason\nC1001,P9,boundary\n", "k.csv:2: practitioner_id: unknown practitioner"),
])
def test_bad_rows_are_named_and_nothing_is_written(engine, tmp_path, content, expected):
    import_csv(engine, EXAMPLES, actor="tester")
    before = dump(engine)
    path = write(tmp_path, "k.csv", content)
    with pytest.raises(ImportFailed) as info:
        import_csv(engine, [path], actor="tester")
    lines = [line.replace(f"{tmp_path}/", "") for line in info.value.errors]
    assert any(line.startswith(expected) for line in lines), lines
    assert dump(engine) == before


def test_the_checkin_and_not_with_rows_are_counted_in_one_statement_each(seeded):
    with Session(seeded) as s:
        _checkin(s)
        _checkin(s, checkin_date=date(2026, 11, 20), listened=2)
        repo.commit_or_conflict(s)
        assert s.execute(select(func.count()).select_from(m.Checkin)).scalar_one() == 2
        assert [k.checkin_date for k in load_case(s, "C2").checkins] == [date(2026, 11, 20), DAY]
