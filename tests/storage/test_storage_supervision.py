"""storage.supervision: sessions, notes, pinned prompts, flags, reviews with
their warnings snapshot, actions, and the record; every write audited, stale
note edits refused. Runs on SQLite and, with CASELOAD_TEST_PG_URL, PostgreSQL."""

from __future__ import annotations

import json
from datetime import date

import pytest
from sqlmodel import Session, select

from planner.errors import CaseloadError, ConflictError
from planner.risk import WARNING_KEYS, evaluate_case
from planner.supervision import load_prompts, session_record_markdown
from planner.week import week_plan
from storage import models as m
from storage import repo
from storage import supervision as sv
from storage.queries import load_actions, load_case, load_cases, load_world

D = date.fromisoformat
DAY = D("2026-11-27")
NOTE = "Dana Example has started a new job; evening appointments only."
ACTION = "Book an evening appointment with Dana"
PERSONAL = ("Dana Example", "Eli Sample", "Avery Test", "new job", "evening", ACTION)


@pytest.fixture
def db(engine):
    """Team T1: practitioners P1, P2; team leads L1, L2. P1 holds C1 (adult,
    last seen 2026-10-01: contact overdue, high), C2 (a child, new since
    2026-10-19) and C3 (seen 2026-11-25); P2 holds C4."""
    with Session(engine) as s:
        t1 = m.Team(team_id="T1", name="North Team")
        s.add(t1)
        s.flush()
        people = {
            pid: m.Practitioner(practitioner_id=pid, name=name, team_pk=t1.id, role=role)
            for pid, name, role in [
                ("P1", "Avery Test", "practitioner"),
                ("P2", "Blake Test", "practitioner"),
                ("L1", "Drew Lead", "team_lead"),
                ("L2", "Emery Lead", "team_lead"),
            ]
        }
        s.add_all(people.values())
        s.flush()
        cases = {
            ref: m.Case(case_ref=ref, display_name=name, team_pk=t1.id, tier=tier, youth=youth)
            for ref, name, tier, youth in [
                ("C1", "Dana Example", "C2", False),
                ("C2", "Eli Sample", None, True),
                ("C3", "Fay Placeholder", "C1", False),
                ("C4", "Gil Madeup", "C1", False),
            ]
        }
        s.add_all(cases.values())
        s.flush()
        for ref, pid, start, seen in [
            ("C1", "P1", "2026-01-05", "2026-10-01"),
            ("C2", "P1", "2026-10-19", "2026-11-20"),
            ("C3", "P1", "2025-03-03", "2026-11-25"),
            ("C4", "P2", "2025-06-02", "2026-11-20"),
        ]:
            s.add(m.Allocation(case_id=cases[ref].id, practitioner_pk=people[pid].id, start_date=D(start)))
            s.add(m.Contact(case_id=cases[ref].id, practitioner_pk=people[pid].id, contact_date=D(seen)))
        s.commit()
    return engine


def _audit(engine) -> list[m.AuditEvent]:
    with Session(engine) as s:
        return list(s.exec(select(m.AuditEvent).order_by(m.AuditEvent.id)))


def _start(engine, on: date = DAY, practitioner: str = "P1") -> int:
    with Session(engine) as s:
        sid = sv.start_session(s, practitioner_id=practitioner, lead_id="L1", on=on, actor="L1")
        repo.commit_or_conflict(s)
    return sid


# ------------------------------------------------------------------ starting


@pytest.mark.parametrize(
    "practitioner, lead, message",
    [
        ("P1", "P2", r"P2 is not a team lead \(role practitioner\); a supervision session is led by a team lead"),
        ("L1", "L1", "L1 cannot lead their own supervision"),
        ("P9", "L1", "unknown practitioner P9"),
        ("P1", "L9", "unknown practitioner L9"),
    ],
)
def test_start_is_refused_clearly(db, practitioner, lead, message):
    with Session(db) as s:
        with pytest.raises(CaseloadError, match=message):
            sv.start_session(s, practitioner_id=practitioner, lead_id=lead, on=DAY, actor=lead)
        s.rollback()
        assert s.exec(select(m.SupervisionSession)).all() == []


def test_one_open_session_per_practitioner(db):
    sid = _start(db)
    with Session(db) as s:
        with pytest.raises(CaseloadError, match=f"session {sid} for P1 is still open"):
            sv.start_session(s, practitioner_id="P1", lead_id="L2", on=DAY, actor="L2")
        s.rollback()
        assert sv.open_session_id(s, "P1") == sid
        sv.end_session(s, session_id=sid, actor="L1")
        repo.commit_or_conflict(s)
        assert sv.open_session_id(s, "P1") is None
        second = sv.start_session(s, practitioner_id="P1", lead_id="L2", on=DAY, actor="L2")
        repo.commit_or_conflict(s)
    assert second != sid


# ------------------------------------------------------------------ a whole session


def test_a_session_end_to_end_is_stored_and_audited(db):
    prompts = load_prompts()
    sid = _start(db)
    with Session(db) as s:
        v1 = sv.save_note(s, session_id=sid, case_ref="C1", text=NOTE, actor="L1")
        v2 = sv.pin_prompt(s, session_id=sid, case_ref="C1",
                           prompt_text=prompts.find("alliance.goals").pin_text, actor="L1")
        assert v2 == v1 + 1
        # pinning the same prompt twice changes nothing
        assert sv.pin_prompt(s, session_id=sid, case_ref="C1",
                             prompt_text=prompts.find("alliance.goals").pin_text, actor="L1") == v2
        sv.flag_case(s, session_id=sid, case_ref="C2", actor="L1")
        sv.mark_reviewed(s, session_id=sid, case_ref="C1", actor="L1")
        a1 = sv.add_action(s, session_id=sid, case_ref="C1", owner_id="P1", text=ACTION,
                           due=D("2026-12-02"), actor="L1")
        a2 = sv.add_action(s, session_id=sid, owner_id="L1", text="Ask duty to cover Thursday",
                           due=D("2026-12-03"), actor="L1")
        sv.end_session(s, session_id=sid, actor="L1")
        repo.commit_or_conflict(s)

    with Session(db) as s:
        notes = sv.session_notes(s, sid)
        assert set(notes) == {"C1", "C2"}
        assert notes["C1"].written == NOTE
        assert notes["C1"].pinned == (prompts.find("alliance.goals").pin_text,)
        assert notes["C1"].reviewed and not notes["C1"].flagged
        assert notes["C2"].flagged and not notes["C2"].reviewed
        actions = {a.id: a for a in load_actions(s, owner_id=None)}
        assert actions[a1].text == ACTION and actions[a1].case_ref == "C1" and actions[a1].session_id == sid
        assert actions[a2].owner_id == "L1" and actions[a2].case_ref is None
        [summary] = sv.list_sessions(s, "P1")
        assert (summary.id, summary.cases_discussed, summary.reviewed, summary.flagged,
                summary.actions, summary.open_actions, summary.is_open) == (sid, 2, 1, 1, 2, 2, False)
        assert sv.latest_session_id(s, "P1") == sid

    events = [(e.action, e.entity, e.case_ref) for e in _audit(db)]
    assert events == [
        ("start", "supervision_session", None),
        ("save", "supervision_note", "C1"),
        ("pin_prompt", "supervision_note", "C1"),
        ("flag", "supervision_note", "C2"),
        ("review", "supervision_note", "C1"),
        ("add", "action", "C1"),
        ("add", "action", None),
        ("end", "supervision_session", None),
    ]
    for event in _audit(db):
        assert event.actor == "L1"
        for words in PERSONAL:
            assert words not in (event.detail or ""), (event.action, event.detail)


def test_review_stores_the_warnings_at_the_time_and_keeps_them(db):
    sid = _start(db)
    with Session(db) as s:
        sv.mark_reviewed(s, session_id=sid, case_ref="C1", actor="L1")
        repo.commit_or_conflict(s)
        stored = json.loads(s.exec(select(m.SupervisionNote.warnings_json)).one())
    assert [tuple(w) for w in stored] == [WARNING_KEYS] * len(stored)  # README, Using it dicts, in order
    assert ("contact_overdue", "high") in {(w["rule"], w["severity"]) for w in stored}

    # C1 is seen the next day: the rules now say nothing is overdue ...
    with Session(db) as s:
        repo.record_contact(s, case_ref="C1", contact_date=D("2026-11-28"), practitioner_id="P1",
                            kind="office", outcome="attended", actor="P1")
        repo.commit_or_conflict(s)
        now = evaluate_case(load_case(s, "C1"), load_world(s), D("2026-11-28"))
        assert "contact_overdue" not in {w.rule for w in now}
        # ... but the record still shows what the lead saw at review time
        record = sv.session_record(s, sid)
    [case] = record.cases
    assert case.reviewed and case.warnings == tuple(stored)
    md = session_record_markdown(record)
    overdue = [w for w in stored if w["rule"] == "contact_overdue"][0]
    assert f"**HIGH** {overdue['title']} (`contact_overdue`)" in md
    assert f"**Action:** {overdue['action']}" in md  # what to do, in the record too


def test_review_uses_the_session_date_and_the_policy(db):
    from planner.policy import policy_from_dict

    lenient = policy_from_dict({"thresholds": {"standard": {"after": 90}}})
    sid = _start(db, on=D("2026-10-10"))
    with Session(db) as s:
        sv.mark_reviewed(s, session_id=sid, case_ref="C1", policy=lenient, actor="L1")
        repo.commit_or_conflict(s)
        stored = json.loads(s.exec(select(m.SupervisionNote.warnings_json)).one())
    assert "contact_overdue" not in {w["rule"] for w in stored}


def test_unreviewing_keeps_nothing_in_the_record(db):
    sid = _start(db)
    with Session(db) as s:
        sv.mark_reviewed(s, session_id=sid, case_ref="C3", actor="L1")
        sv.mark_reviewed(s, session_id=sid, case_ref="C3", reviewed=False, actor="L1")
        repo.commit_or_conflict(s)
        [case] = sv.session_record(s, sid).cases
    assert not case.reviewed and case.warnings is None
    assert [e.action for e in _audit(db)][-2:] == ["review", "unreview"]


# ------------------------------------------------------------------ locking and refusals


def test_a_stale_note_edit_is_refused_and_nothing_overwritten(db):
    sid = _start(db)
    with Session(db) as s:
        version = sv.save_note(s, session_id=sid, case_ref="C1", text="first", actor="L1")
        repo.commit_or_conflict(s)
    with Session(db) as lead, Session(db) as other:
        read = sv.session_notes(lead, sid)["C1"].version
        assert read == version
        # someone else who may write it (the administrator: P1 is the practitioner supervised)
        sv.save_note(other, session_id=sid, case_ref="C1", text="theirs", expected_version=read, actor="admin")
        repo.commit_or_conflict(other)
        with pytest.raises(ConflictError, match="supervision note on case C1 was changed by someone else"):
            sv.save_note(lead, session_id=sid, case_ref="C1", text="mine", expected_version=read, actor="L1")
    with Session(db) as s:
        assert sv.session_notes(s, sid)["C1"].written == "theirs"
        # 0 means "I saw no note yet": refused once there is one
        with pytest.raises(ConflictError):
            sv.save_note(s, session_id=sid, case_ref="C1", text="x", expected_version=0, actor="L1")
    with Session(db) as s:
        assert sv.save_note(s, session_id=sid, case_ref="C2", text="new", expected_version=0, actor="L1") >= 1


def test_an_ended_session_is_fixed_but_its_actions_can_be_ticked(db):
    sid = _start(db)
    with Session(db) as s:
        aid = sv.add_action(s, session_id=sid, owner_id="P1", text="Plan leave cover", due=DAY, actor="L1")
        sv.end_session(s, session_id=sid, actor="L1")
        repo.commit_or_conflict(s)
    for write in (
        lambda s: sv.save_note(s, session_id=sid, case_ref="C1", text="late", actor="L1"),
        lambda s: sv.flag_case(s, session_id=sid, case_ref="C1", actor="L1"),
        lambda s: sv.mark_reviewed(s, session_id=sid, case_ref="C1", actor="L1"),
        lambda s: sv.pin_prompt(s, session_id=sid, case_ref="C1", prompt_text="x", actor="L1"),
        lambda s: sv.add_action(s, session_id=sid, owner_id="P1", text="late", due=DAY, actor="L1"),
        lambda s: sv.end_session(s, session_id=sid, actor="L1"),
    ):
        with Session(db) as s:
            with pytest.raises(CaseloadError, match=f"supervision session {sid} has ended"):
                write(s)
    with Session(db) as s:
        sv.tick_action(s, action_id=aid, on=DAY, actor="P1")
        repo.commit_or_conflict(s)
        assert load_actions(s, owner_id="P1") == []


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"text": "  "}, "an action needs some text"),
        ({"text": "x" * 1001}, "1000 at most"),
        ({"owner_id": "P9"}, "unknown practitioner P9"),
        ({"case_ref": "C9"}, "unknown case C9"),
        ({"session_id": 999}, "unknown supervision session 999"),
        ({"due": "next week"}, "not a date"),
    ],
)
def test_bad_actions_are_refused(db, kwargs, message):
    args = {"owner_id": "P1", "text": "Something", "due": DAY, **kwargs}
    with Session(db) as s:
        with pytest.raises(CaseloadError, match=message):
            sv.add_action(s, actor="L1", **args)


def test_unknown_things(db):
    with Session(db) as s:
        with pytest.raises(CaseloadError, match="unknown supervision session 42"):
            sv.save_note(s, session_id=42, case_ref="C1", text="x", actor="L1")
        with pytest.raises(CaseloadError, match="unknown action 42"):
            sv.tick_action(s, action_id=42, on=DAY, actor="L1")
        with pytest.raises(CaseloadError, match="P1 has no supervision sessions yet"):
            sv.latest_session_id(s, "P1")
    sid = _start(db)
    with Session(db) as s:
        with pytest.raises(CaseloadError, match="unknown case C9"):
            sv.save_note(s, session_id=sid, case_ref="C9", text="x", actor="L1")


# ------------------------------------------------------------------ actions over time


def test_earlier_sessions_open_actions_are_carried_forward(db):
    first = _start(db, on=D("2026-11-13"))
    with Session(db) as s:
        still_open = sv.add_action(s, session_id=first, case_ref="C1", owner_id="P1",
                                   text="Three-way with the AP keyworker", due=D("2026-11-20"), actor="L1")
        done_before = sv.add_action(s, session_id=first, owner_id="P1", text="Read the policy",
                                    due=D("2026-11-16"), actor="L1")
        done_in_session = sv.add_action(s, session_id=first, owner_id="L1", text="Sort cover",
                                        due=D("2026-11-25"), actor="L1")
        sv.end_session(s, session_id=first, actor="L1")
        repo.commit_or_conflict(s)
        sv.tick_action(s, action_id=done_before, on=D("2026-11-18"), actor="P1")
        repo.commit_or_conflict(s)
    second = _start(db, on=DAY)
    with Session(db) as s:
        # at the start of the second session both are still open
        assert [a.id for a in sv.previous_open_actions(s, "P1", second)] == [still_open, done_in_session]
        sv.tick_action(s, action_id=done_in_session, on=DAY, actor="L1")  # done during the session
        repo.commit_or_conflict(s)
        carried = sv.previous_open_actions(s, "P1", second)
        assert [(a.id, a.done, a.session_id, a.session_date) for a in carried] == [
            (still_open, False, first, D("2026-11-13")),
            (done_in_session, True, first, D("2026-11-13")),
        ]
        assert [a.id for a in sv.previous_open_actions(s, "P1")] == [still_open]  # open now
        assert sv.previous_open_actions(s, "P1", first) == []
        record = sv.session_record(s, second)
    assert [a.id for a in record.carried_forward] == [still_open, done_in_session]
    md = session_record_markdown(record)
    section = md.split("## Actions carried forward from earlier sessions")[1].split("## Cases discussed")[0]
    assert f"| {still_open} | Three-way with the AP keyworker | C1 | Avery Test (P1) | 2026-11-20 | session {first}, 2026-11-13 | open |" in section
    assert f"| {done_in_session} | Sort cover | - | Drew Lead (L1) | 2026-11-25 | session {first}, 2026-11-13 | done {DAY} |" in section
    assert "Read the policy" not in md


def test_actions_show_in_the_week_plan_until_ticked(db):
    sid = _start(db)
    with Session(db) as s:
        aid = sv.add_action(s, session_id=sid, case_ref="C1", owner_id="P1", text=ACTION,
                            due=D("2026-12-01"), actor="L1")
        repo.commit_or_conflict(s)

    def plan_entries():
        with Session(db) as s:
            plan = week_plan("P1", D("2026-11-30"), load_cases(s), load_world(s),
                             load_actions(s, owner_id="P1"), DAY)
        return [e for e in plan.entries() if e.kind == "action"]

    [entry] = plan_entries()
    assert (entry.action_id, entry.day, entry.case_ref, entry.title) == (aid, D("2026-12-01"), "C1", ACTION)
    with Session(db) as s:
        version = sv.tick_action(s, action_id=aid, on=D("2026-11-30"), actor="P1")
        repo.commit_or_conflict(s)
    assert plan_entries() == []
    with Session(db) as s:
        with pytest.raises(ConflictError):
            sv.tick_action(s, action_id=aid, done=False, on=DAY, expected_version=version - 1, actor="P1")
    with Session(db) as s:
        sv.tick_action(s, action_id=aid, done=False, on=DAY, expected_version=version, actor="P1")
        repo.commit_or_conflict(s)
    assert [e.action_id for e in plan_entries()] == [aid]
    assert [e.action for e in _audit(db) if e.entity == "action"] == ["add", "done", "reopen"]


# ------------------------------------------------------------------ queue and record


def test_session_queue_puts_flagged_cases_first_and_counts_progress(db):
    sid = _start(db)
    with Session(db) as s:
        queue, done = sv.session_queue(s, sid)
        assert [(i.case_ref, i.band) for i in queue] == [("C2", "new"), ("C1", "risk"), ("C3", "risk")]
        assert done.text == "0 of 3 reviewed, 1 high-risk left"
        sv.flag_case(s, session_id=sid, case_ref="C3", actor="L1")
        sv.mark_reviewed(s, session_id=sid, case_ref="C1", actor="L1")
        repo.commit_or_conflict(s)
        queue, done = sv.session_queue(s, sid)
    assert [i.case_ref for i in queue] == ["C3", "C2", "C1"]
    assert done.text == "1 of 3 reviewed, 0 high-risk left"


def test_the_record_lists_cases_in_the_order_discussed_with_names_or_initials(db):
    sid = _start(db)
    with Session(db) as s:
        sv.save_note(s, session_id=sid, case_ref="C3", text="Settled.", actor="L1")
        sv.add_action(s, session_id=sid, case_ref="C2", owner_id="P1", text="Ask Eli Sample's carer to call",
                      due=D("2026-12-01"), actor="L1")
        sv.save_note(s, session_id=sid, case_ref="C1", text=NOTE, actor="L1")
        sv.mark_reviewed(s, session_id=sid, case_ref="C1", actor="L1")
        repo.commit_or_conflict(s)
        record = sv.session_record(s, sid)
        private = sv.session_record(s, sid, privacy=True)
    assert [(c.case_ref, c.display_name) for c in record.cases] == [
        ("C3", "Fay Placeholder"), ("C1", "Dana Example"), ("C2", "Eli Sample"),
    ]
    assert record.practitioner.label == "Avery Test (P1)" and record.lead.label == "Drew Lead (L1)"
    assert record.cases[2].actions[0].text == "Ask Eli Sample's carer to call"
    md = session_record_markdown(private)
    for words in ("Fay Placeholder", "Dana Example", "Eli Sample", "Avery Test", "Drew Lead"):
        assert words not in md
    assert "### C1: D.E." in md and "### C2: E.S. (youth)" in md
    assert "Ask E.S.'s carer to call" in md
    assert "Practitioner: A.T. (P1)" in md and "Team lead: D.L. (L1)" in md


# ------------------------------------------------------------------ a whole caseload (sample data)


def test_a_lead_walks_a_whole_sample_caseload(tmp_path):
    """On a copy of the shipped sample: every case of one practitioner's
    caseload reviewed in queue order, then the record holds them all."""
    from planner.supervision import next_unreviewed
    from storage.engine import make_engine
    from storage.sample import demo_copy, shipped_sample_path

    today = D("2026-11-27")
    engine = make_engine(str(demo_copy(shipped_sample_path(), tmp_path, today)))
    try:
        with Session(engine) as s:
            leads = s.exec(select(m.Practitioner).where(m.Practitioner.role == "team_lead")).all()
            lead = leads[0]
            staff = s.exec(select(m.Practitioner).where(m.Practitioner.team_pk == lead.team_pk,
                                                        m.Practitioner.role == "practitioner")).all()
            # the practitioner with the most cases
            who = max(staff, key=lambda p: (len(load_cases(s, practitioner_id=p.practitioner_id)),
                                            p.practitioner_id)).practitioner_id
            open_sid = sv.open_session_id(s, who)
            if open_sid is not None:
                sv.end_session(s, session_id=open_sid, actor=lead.practitioner_id)
            sid = sv.start_session(s, practitioner_id=who, lead_id=lead.practitioner_id, on=today,
                                   actor=lead.practitioner_id)
            repo.commit_or_conflict(s)
            queue, done = sv.session_queue(s, sid)
            assert done.total == len(load_cases(s, practitioner_id=who)) >= 20
            reviewed: set[str] = set()
            item = next_unreviewed(queue, reviewed)
            while item is not None:
                sv.mark_reviewed(s, session_id=sid, case_ref=item.case_ref, actor=lead.practitioner_id)
                reviewed.add(item.case_ref)
                item = next_unreviewed(queue, reviewed, after=item.position)
            repo.commit_or_conflict(s)
            queue, done = sv.session_queue(s, sid)
            assert done.done and done.high_risk_left == 0
            assert done.text == f"{done.total} of {done.total} reviewed, 0 high-risk left"
            record = sv.session_record(s, sid)
        assert len(record.cases) == done.total and all(c.reviewed for c in record.cases)
        assert [c.case_ref for c in record.cases] == [i.case_ref for i in queue]  # reviewed in queue order
        md = session_record_markdown(record)
        assert md.count("- **Reviewed:** yes") == done.total
    finally:
        engine.dispose()
