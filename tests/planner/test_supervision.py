"""planner.supervision: the prompt set (data, validated), the review queue
order, progress, and the Markdown record. Pure: no database, no clock."""

from __future__ import annotations

import tomllib
from dataclasses import replace
from datetime import date, datetime, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from planner.errors import ConfigError
from planner.model import Allocation, Case
from planner.policy import DEFAULT_POLICY
from planner.risk import CaseRisk
from planner.rules import Warning
from planner.supervision import (
    DEFAULT_PROMPTS_PATH,
    PIN_PREFIX,
    QUEUE_BANDS,
    ActionRecord,
    CaseRecord,
    PersonRef,
    SessionRecord,
    initials,
    load_prompts,
    next_unreviewed,
    pin_line,
    progress,
    prompts_for,
    prompts_from_dict,
    redact,
    review_queue,
    session_record_markdown,
    split_note,
)

AS_OF = date(2026, 11, 27)
D = date.fromisoformat


# ============================================================================ prompts


def test_default_prompts_hold_the_research_groups():
    prompts = load_prompts(DEFAULT_PROMPTS_PATH)
    groups = {g.id: g for g in prompts.groups}
    assert list(groups) == ["six_elements", "alliance", "relationship_model", "relational_security",
                            "core_correctional", "ideas", "youth_frameworks", "what_children_said",
                            "care_experienced", "opd", "approved_premises", "restorative_justice",
                            "victim_contact", "alliance_low"]
    six = groups["six_elements"]
    assert [p.id for p in six.prompts] == [
        "understanding", "collaboration", "commitment", "communication", "empowerment", "time",
    ]
    assert "Bell" in six.source and "Smerdon" in six.source and "2011" in six.source
    assert [p.id for p in groups["alliance"].prompts] == ["bond", "goals", "tasks"]
    model = groups["relationship_model"]
    assert model.applies_to == "youth"
    assert [p.id for p in model.prompts] == [
        "creating_safety", "trust", "time", "support", "young_person_centred",
    ]
    assert "O'Meara Daly" in model.source and "2025" in model.source
    for group in prompts.groups:
        for prompt in group.prompts:
            assert prompt.text.endswith("?"), prompt.key  # every prompt is a question
            assert prompt.title


def test_no_path_means_the_users_own_file_else_the_packaged_one(tmp_path, monkeypatch):
    import platformdirs

    monkeypatch.setattr(platformdirs, "user_config_dir", lambda app: str(tmp_path / app))
    assert load_prompts().source_file == str(DEFAULT_PROMPTS_PATH)
    own = tmp_path / "caseload" / "prompts.toml"
    own.parent.mkdir()
    own.write_text(SERVICE_FILE)
    assert [g.id for g in load_prompts().groups] == ["ours"]


def _case(ref: str = "C1", *, youth: bool = False, start: date = D("2025-01-06"), name: str = "Made Up") -> Case:
    return Case(case_ref=ref, display_name=name, youth=youth,
                allocations=(Allocation("P1", start),))


def test_youth_cases_add_the_relationship_model():
    prompts = load_prompts(DEFAULT_PROMPTS_PATH)
    adult = [g.id for g in prompts_for(_case(youth=False), prompts)]
    child = [g.id for g in prompts_for(_case(youth=True), prompts)]
    assert adult == ["six_elements", "alliance", "relational_security", "core_correctional"]
    assert child == ["six_elements", "alliance", "relationship_model", "relational_security", "ideas",
                     "youth_frameworks", "what_children_said"]
    assert [p.key for p in prompts.flat(_case(youth=True))][-1] == "what_children_said.worst_spells"
    assert len(prompts.flat(_case(youth=False))) == 15


@pytest.mark.parametrize("flag", ["care_experienced", "opd", "approved_premises", "restorative_justice",
                                  "victim_contact"])
def test_a_flag_brings_its_group_first(flag):
    prompts = load_prompts(DEFAULT_PROMPTS_PATH)
    flagged = replace(_case(), flags=frozenset({flag}))
    assert [g.id for g in prompts_for(flagged, prompts)][0] == flag
    assert flag not in [g.id for g in prompts_for(_case(), prompts)]


def test_alliance_low_brings_its_prompts_first_and_only_with_the_warning():
    prompts = load_prompts(DEFAULT_PROMPTS_PATH)
    case = replace(_case(), flags=frozenset({"opd"}))
    assert [g.id for g in prompts_for(case, prompts, rules=["alliance_low"])][:2] == ["alliance_low", "opd"]
    assert "alliance_low" not in [g.id for g in prompts_for(case, prompts, rules=["contact_overdue"])]
    assert prompts.flat(case, rules={"alliance_low"})[0].key == "alliance_low.their_view"


def test_choosing_rules_reads_the_check_ins():
    from planner.model import Checkin
    from planner.supervision import choosing_rules

    as_of = D("2026-11-27")
    falling = replace(_case(), checkins=(Checkin(D("2026-10-01"), "P1", 5, 5, 5), Checkin(D("2026-11-20"), "P1", 3, 2, 3)))
    steady = replace(_case(), checkins=(Checkin(D("2026-11-20"), "P1", 4, 4, 4),))
    assert choosing_rules(falling, as_of) == {"alliance_low"}
    assert choosing_rules(steady, as_of) == frozenset()


def test_deep_values_commitment_is_thorough_prepared_and_mutual():
    commitment = load_prompts(DEFAULT_PROMPTS_PATH).find("six_elements.commitment")
    assert all(word in commitment.text for word in ("thorough", "prepared", "mutual"))


def test_a_flag_or_a_rule_is_a_valid_applies_to_and_a_typo_is_not():
    ok = SERVICE_FILE.replace('applies_to = "adult"', 'applies_to = "alliance_low"')
    assert prompts_from_dict(tomllib.loads(ok)).groups[0].applies_to == "alliance_low"
    with pytest.raises(ConfigError, match="applies_to: 'aliance_low' must be one of"):
        prompts_from_dict(tomllib.loads(SERVICE_FILE.replace('applies_to = "adult"', 'applies_to = "aliance_low"')))


def test_find_by_key_and_unknown_key_lists_the_choices():
    prompts = load_prompts(DEFAULT_PROMPTS_PATH)
    goals = prompts.find("alliance.goals")
    assert goals.pin_text.startswith("Working alliance, Goals: ")
    with pytest.raises(ConfigError, match=r"unknown prompt 'alliance\.nope'.*alliance\.goals"):
        prompts.find("alliance.nope")


SERVICE_FILE = """
[[groups]]
id = "ours"
title = "Our practice framework"
source = "A made-up service's own guide"
applies_to = "adult"

  [[groups.prompts]]
  id = "hope"
  text = "What gives this person hope right now?"
"""


def test_a_service_can_use_its_own_file(tmp_path):
    path = tmp_path / "service-prompts.toml"
    path.write_text(SERVICE_FILE)
    prompts = load_prompts(path)
    assert [g.id for g in prompts.groups] == ["ours"]
    assert prompts.find("ours.hope").title == "Hope"  # made from the id when absent
    assert prompts_for(_case(youth=True), prompts) == ()
    assert prompts.source_file == str(path)


BAD_FILES = [
    ("", "groups: missing"),
    ("groups = []", "groups: must be a list"),
    ("colour = 'red'\n" + SERVICE_FILE, "colour: unknown key"),
    ("version = 2\n" + SERVICE_FILE, "version: 2 is not supported"),
    (SERVICE_FILE.replace('title = "Our practice framework"\n', ""), r"groups\[0\] \(ours\)\.title: missing"),
    (SERVICE_FILE.replace('applies_to = "adult"', 'applies_to = "kids"'), r"\(ours\)\.applies_to: 'kids'"),
    (SERVICE_FILE.replace('applies_to = "adult"', 'applies_to = "adult"\nicon = "x"'),
     r"groups\[0\]\.icon: unknown key"),
    (SERVICE_FILE.replace('text = "What gives', 'words = "What gives'),
     r"\(ours\)\.prompts\[0\]\.text: missing|prompts\[0\]\.words: unknown key"),
    (SERVICE_FILE.replace('text = "What gives this person hope right now?"', "text = 3"),
     r"prompts\[0\]\.text: must be a non-empty string"),
    (SERVICE_FILE.replace('id = "hope"', 'id = "has space"'), r"prompts\[0\]\.id: 'has space' must be"),
    (SERVICE_FILE + SERVICE_FILE, r"groups\[1\]\.id: 'ours' is used by another group"),
    (SERVICE_FILE + '\n  [[groups.prompts]]\n  id = "hope"\n  text = "Again?"\n',
     r"prompts\[1\]\.id: 'hope' is used by another prompt of ours"),
    (SERVICE_FILE.split("  [[groups.prompts]]")[0], r"\(ours\)\.prompts: needs at least one"),
    ("[[groups]\nid=1", "not valid TOML"),
]


@pytest.mark.parametrize("content, message", BAD_FILES)
def test_bad_prompt_files_name_the_file_and_the_key(tmp_path, content, message):
    path = tmp_path / "prompts.toml"
    path.write_text(content)
    with pytest.raises(ConfigError, match=message) as caught:
        load_prompts(path)
    assert str(caught.value).startswith(f"{path}: ")


def test_missing_prompt_file_and_folder(tmp_path):
    with pytest.raises(ConfigError, match=r"nope\.toml: no such file"):
        load_prompts(tmp_path / "nope.toml")
    with pytest.raises(ConfigError, match="is a folder"):
        load_prompts(tmp_path)


def test_pinned_prompts_are_note_lines_that_split_back_out():
    prompts = load_prompts(DEFAULT_PROMPTS_PATH)
    line = pin_line(prompts.find("alliance.bond"))
    assert line.startswith(PIN_PREFIX + "Working alliance, Bond: ")
    note = "Talked about the new job.\nShe wants evening slots.\n" + line
    written, pins = split_note(note)
    assert written == "Talked about the new job.\nShe wants evening slots."
    assert pins == (line[len(PIN_PREFIX):],)
    assert split_note(None) == ("", ())


# ============================================================================ queue


def _w(ref: str, rule: str, severity: str) -> Warning:
    return Warning(ref, "P1", rule, severity, f"{rule} title", f"{rule} detail", {})


def _risk(ref: str, warnings: list[Warning], *, start: date = D("2025-01-06"), youth: bool = False) -> CaseRisk:
    weights = {"high": 100, "medium": 10, "low": 1}
    return CaseRisk(_case(ref, start=start, youth=youth), tuple(warnings),
                    sum(weights[w.severity] for w in warnings))


NEW_START = D("2026-10-01")  # 57 days before AS_OF: inside the 84-day early window


def _caseload() -> list[CaseRisk]:
    return [
        _risk("A1", [_w("A1", "contact_overdue", "high")]),                       # 100, rest
        _risk("A2", [_w("A2", "contact_due", "low")]),                            # 1, rest
        _risk("A3", []),                                                          # 0, rest
        _risk("B1", [_w("B1", "cold_handover", "medium")]),                       # 10, cold
        _risk("B2", [_w("B2", "cold_handover", "medium"), _w("B2", "first_contact", "high")],
              start=NEW_START),                                                   # 110, cold (and new)
        _risk("N1", [_w("N1", "early_window", "low")], start=NEW_START),          # 1, new
        _risk("N2", [_w("N2", "early_window", "low"), _w("N2", "contact_overdue", "medium")],
              start=NEW_START),                                                   # 11, new
        _risk("F1", [], start=NEW_START),                                         # flagged
        _risk("F2", [_w("F2", "contact_due", "low")]),                            # flagged
    ]


def test_queue_order_flagged_cold_new_then_risk():
    queue = review_queue(_caseload(), {"F1", "F2", "ZZ-not-in-caseload"}, AS_OF, DEFAULT_POLICY)
    assert [(i.case_ref, i.band) for i in queue] == [
        ("F2", "flagged"), ("F1", "flagged"),            # score 1 before 0
        ("B2", "cold_handover"), ("B1", "cold_handover"),
        ("N2", "new"), ("N1", "new"),
        ("A1", "risk"), ("A2", "risk"), ("A3", "risk"),
    ]
    assert [i.position for i in queue] == list(range(9))
    assert queue[0].reason == "flagged for discussion"
    assert queue[2].reason == "cold handover" and queue[2].high_risk
    assert queue[4].reason == "new relationship" and queue[4].relationship_days == 57
    assert queue[-1].reason == "" and queue[-1].top_severity is None


def test_queue_ties_break_on_case_ref():
    risks = [_risk(ref, [_w(ref, "contact_due", "low")]) for ref in ("C9", "C1", "C5")]
    assert [i.case_ref for i in review_queue(risks, (), AS_OF)] == ["C1", "C5", "C9"]


def test_early_window_follows_the_policy():
    from planner.policy import policy_from_dict

    short = policy_from_dict({"early_window": {"days": 30}})
    risks = [_risk("N1", [], start=NEW_START)]
    assert review_queue(risks, (), AS_OF, DEFAULT_POLICY)[0].band == "new"
    assert review_queue(risks, (), AS_OF, short)[0].band == "risk"


def test_progress_counts_reviewed_and_high_risk_left():
    queue = review_queue(_caseload(), {"F1"}, AS_OF)
    assert progress(queue, ()).text == "0 of 9 reviewed, 2 high-risk left"
    done = progress(queue, {"A1", "F1", "not-in-queue"})
    assert (done.total, done.reviewed, done.high_risk_total, done.high_risk_left) == (9, 2, 2, 1)
    assert str(done) == "2 of 9 reviewed, 1 high-risk left"
    assert not done.done and done.left == 7
    assert progress(queue, {i.case_ref for i in queue}).done


def test_next_unreviewed_wraps_and_ends():
    queue = review_queue(_caseload(), (), AS_OF)
    refs = [i.case_ref for i in queue]
    assert next_unreviewed(queue, {refs[1]}, after=0).case_ref == refs[2]
    assert next_unreviewed(queue, set(refs[:-1]), after=len(refs) - 1).case_ref == refs[-1]
    assert next_unreviewed(queue, set(refs[1:]), after=3).case_ref == refs[0]  # wraps round
    assert next_unreviewed(queue, set(refs)) is None


@given(
    st.lists(
        st.tuples(
            st.sampled_from(["contact_due", "contact_overdue", "cold_handover", "early_window"]),
            st.sampled_from(["low", "medium", "high"]),
            st.integers(min_value=0, max_value=400),  # relationship age in days
            st.booleans(),  # flagged
        ),
        max_size=25,
    )
)
def test_queue_is_a_permutation_in_band_then_score_order(rows):
    risks, flagged = [], set()
    for n, (rule, sev, age, flag) in enumerate(rows):
        ref = f"C{n:03d}"
        risks.append(_risk(ref, [_w(ref, rule, sev)], start=date.fromordinal(AS_OF.toordinal() - age)))
        if flag:
            flagged.add(ref)
    queue = review_queue(risks, flagged, AS_OF)
    assert sorted(i.case_ref for i in queue) == sorted(r.case.case_ref for r in risks)
    keys = [(QUEUE_BANDS.index(i.band), -i.score, i.case_ref) for i in queue]
    assert keys == sorted(keys)
    for item in queue:
        assert (item.band == "flagged") == (item.case_ref in flagged)


# ============================================================================ the record


def _record() -> SessionRecord:
    ada = PersonRef("P1", "Ada Brightwater")
    lead = PersonRef("L1", "Drew Lead")
    act1 = ActionRecord(7, "Book a three-way | with the AP keyworker", ada, D("2026-12-04"),
                        case_ref="C1", session_id=2, session_date=D("2026-11-27"))
    act2 = ActionRecord(8, "Arrange cover for Thursday", lead, D("2026-12-01"), done=True,
                        done_on=D("2026-11-30"), session_id=2, session_date=D("2026-11-27"))
    old = ActionRecord(3, "Read the handover summary for Eli Sample", ada, D("2026-11-20"),
                       case_ref="C2", session_id=1, session_date=D("2026-11-13"))
    warnings = (
        {"case_ref": "C1", "practitioner_id": "P1", "rule": "contact_overdue", "severity": "high",
         "title": "Contact overdue by 20 days",
         "detail": "Last seen 48 days ago by Ada Brightwater (P1); allows 28 days.", "facts": {"gap": 48}},
        {"case_ref": "C1", "practitioner_id": "P1", "rule": "contact_due", "severity": "low",
         "title": "Contact due", "detail": "", "facts": {}},
    )
    return SessionRecord(
        session_id=2, session_date=D("2026-11-27"), practitioner=ada, lead=lead,
        started_at=datetime(2026, 11, 27, 9, 5, tzinfo=timezone.utc), ended_at=None,
        cases=(
            CaseRecord("C1", "Dana Example", reviewed=True, flagged=True,
                       note="Dana Example has a new job.\nEvenings only.",
                       prompts=("Working alliance, Goals: Do they agree?",), warnings=warnings,
                       actions=(act1,)),
            CaseRecord("C2", "Eli Sample", youth=True, note=""),
        ),
        actions=(act2, act1),
        carried_forward=(old,),
    )


def test_markdown_record_reads_like_a_supervision_record():
    md = session_record_markdown(_record())
    headings = [line for line in md.splitlines() if line.startswith("#")]
    assert headings == [
        "# Supervision record: Ada Brightwater (P1), Friday 27 November 2026",
        "## Summary",
        "## Actions carried forward from earlier sessions",
        "## Cases discussed",
        "### C1: Dana Example",
        "### C2: Eli Sample (youth)",
        "## All actions agreed",
        "## Sign-off",
    ]
    assert "- **Team lead:** Drew Lead (L1)" in md
    assert "- **Session:** 2 (started 09:05 UTC, not yet ended)" in md
    assert "- Cases discussed: 2; marked reviewed: 1; flagged for discussion: 1" in md
    assert "- Warnings at the time on reviewed cases: 1 high, 0 medium, 1 low" in md
    assert "- Actions agreed: 2 (1 done since, 1 open)" in md
    assert "| 3 | Read the handover summary for Eli Sample | C2 | Ada Brightwater (P1) | 2026-11-20 | session 1, 2026-11-13 | open |" in md
    c1 = md.split("### C1")[1].split("### C2")[0]
    assert "- **Reviewed:** yes" in c1 and "- **Flagged for discussion:** yes" in c1
    assert "**HIGH** Contact overdue by 20 days (`contact_overdue`): Last seen 48 days ago" in c1
    assert "**LOW** Contact due (`contact_due`)" in c1
    assert "> Dana Example has a new job.\n> Evenings only." in c1
    assert "- Working alliance, Goals: Do they agree?" in c1
    assert "- [ ] Book a three-way \\| with the AP keyworker — owner Ada Brightwater (P1), due Fri 4 Dec 2026 (action #7)" in c1
    c2 = md.split("### C2")[1].split("## All actions")[0]
    assert "not recorded (the case was not marked reviewed)" in c2
    assert "No notes." in c2 and "None." in c2
    table = md.split("## All actions agreed")[1].split("## Sign-off")[0]
    assert "| 7 | Book a three-way \\| with the AP keyworker | C1 |" in table  # pipes escaped
    assert "| 8 | Arrange cover for Thursday | - | Drew Lead (L1) | 2026-12-01 | done 2026-11-30 |" in table
    signoff = md.split("## Sign-off")[1]
    assert "Practitioner: Ada Brightwater (P1). Signed:" in signoff
    assert "Team lead: Drew Lead (L1). Signed:" in signoff


def test_peoples_text_in_the_record_is_text_not_markdown():
    """A name, a note or an action that holds Markdown (a link, an image, a
    heading, HTML, emphasis, a control character) reads as typed in the
    record: nothing in it becomes a link, a heading or a tag."""
    from dataclasses import replace

    record = _record()
    hostile = "[click](http://evil.example) ![x](http://evil.example/i.png) <b>*bold*</b> _u_ `c` ~s~"
    case = replace(record.cases[0], display_name="# Dana \x1b[31mExample", note=hostile + "\n# not a heading")
    action = replace(record.actions[1], text=hostile)
    md = session_record_markdown(replace(record, cases=(case, *record.cases[1:]), actions=(record.actions[0], action),
                                         practitioner=PersonRef("P1", "Ada <script>x</script>")))
    escaped = (r"\[click\](http://evil.example) !\[x\](http://evil.example/i.png) \<b\>\*bold\*\</b\> "
               r"\_u\_ \`c\` \~s\~")
    assert f"> {escaped}" in md and "> \\# not a heading" in md
    assert "### C1: \\# Dana Example" in md and "\x1b" not in md
    assert f"| 7 | {escaped} |" in md
    assert "# Supervision record: Ada \\<script\\>x\\</script\\> (P1)" in md
    assert "](http" not in md.replace("\\](http", "")  # every link's bracket is escaped
    assert "<" not in md.replace("\\<", "")


def test_privacy_record_has_initials_only():
    private = redact(_record(), known_names=["Cai Moorland"])
    md = session_record_markdown(private)
    for name in ("Ada Brightwater", "Drew Lead", "Dana Example", "Eli Sample"):
        assert name not in md
    assert "# Supervision record: A.B. (P1)" in md
    assert "### C1: D.E." in md and "### C2: E.S. (youth)" in md
    assert "> D.E. has a new job." in md  # whole names in notes too
    assert "Last seen 48 days ago by A.B. (P1)" in md  # and in warning details
    assert "Read the handover summary for E.S." in md
    assert "- **Privacy mode:** names are shown as initials" in md
    assert redact(private) is private  # idempotent


def test_initials():
    assert initials("Jo Bloggs") == "J.B."
    assert initials("Ruth Abernathy-Cole") == "R.A.C."
    assert initials("") == "?"


def _with_view(risk: CaseRisk, told: str | None, review: str | None = None, status: str = "planned") -> CaseRisk:
    from planner.model import ChecklistItem, Handover

    items = tuple(ChecklistItem(i, i, True, AS_OF, done=v is not None, view=v)
                  for i, v in (("told", told), ("review", review)))
    handover = Handover("P1", "P2", D("2026-12-14"), status=status, items=items)
    return replace(risk, case=replace(risk.case, handovers=(handover,)))


@pytest.mark.parametrize(("told", "review", "status", "band"), [
    ("concerns", None, "planned", "persons_view"),
    ("asks_for_other", None, "planned", "persons_view"),
    ("agrees", None, "planned", "risk"),
    ("concerns", "agrees", "completed_warm", "risk"),  # the review is their latest word
    ("agrees", "asks_for_other", "completed_warm", "persons_view"),
    ("concerns", None, "cancelled", "risk"),
])
def test_a_person_uneasy_about_a_change_comes_right_after_the_flagged_cases(told, review, status, band):
    risks = _caseload()
    risks[0] = _with_view(risks[0], told, review, status)  # A1
    queue = review_queue(risks, {"F1", "F2"}, AS_OF)
    a1 = next(i for i in queue if i.case_ref == "A1")
    assert a1.band == band
    if band == "persons_view":
        assert [i.case_ref for i in queue][:3] == ["F2", "F1", "A1"]
        assert a1.reason == "the person has concerns or asks for someone else"


def test_the_record_shows_the_persons_check_ins_and_privacy_leaves_out_answers_and_words():
    from planner.model import Checkin

    checkins = (Checkin(D("2026-09-07"), "P1", 5, 5, 5, "You listen."),
                Checkin(D("2026-11-20"), "P1", 3, 2, 3, "Feels like ticking boxes"))
    record = _record()
    record = replace(record, cases=(replace(record.cases[0], checkins=checkins), *record.cases[1:]))
    text = session_record_markdown(record)
    assert ("- **The person's voice** (prompts for a conversation, not a score): █▄ 15 → 8, falling "
            "(Mon 7 Sep 2026 P1, Fri 20 Nov 2026 P1); latest: listened 3 goals 2 trust 3 = 8") in text
    assert "  - in their words: “Feels like ticking boxes”" in text
    private = session_record_markdown(redact(record))
    assert "2 check-in(s), the latest on Fri 20 Nov 2026 with P1; answers and words left out (privacy mode)" in private
    assert "ticking boxes" not in private and "listened 3" not in private
