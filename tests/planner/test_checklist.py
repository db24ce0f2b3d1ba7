"""The docs/handovers.md checklist: which items, who does them, when they are due
(off weekends and bank holidays), what a tick needs, and which ones the
case's own records tick."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from planner.calendar import working_days
from planner.checklist import (
    FLAG_ITEMS,
    HANDOVER_PROMPTS,
    TEMPLATE,
    VIEWS,
    auto_ticks,
    build_checklist,
    check_tick,
)
from planner.errors import CaseloadError
from planner.model import FLAGS, NATIONS, Allocation, Appointment, Case, Contact, Handover
from planner.policy import DEFAULT_POLICY, FirstContact

D = date(2026, 12, 9)  # a Wednesday, no bank holiday within 5 working days
OUT, IN = "P1", "P2"
WD = working_days("england-and-wales")


def make_case(**kw) -> Case:
    base = dict(
        case_ref="C100",
        display_name="Alex Example",
        allocations=(Allocation(OUT, date(2026, 1, 5)),),
    )
    base.update(kw)
    return Case(**base)


def handover_for(case: Case, planned_on: date = D) -> Handover:
    return Handover(OUT, IN, planned_on, items=build_checklist(case, planned_on, WD))


def test_plain_adult_case_gets_the_eight_standard_items_with_their_due_dates():
    items = build_checklist(make_case(), D, WD)
    due = {item.item_id: item.due for item in items}
    assert due == {
        "told": D - timedelta(days=14),
        "summary": D - timedelta(days=7),
        "read": date(2026, 12, 4),  # D - 3 is Sunday 6 Dec: the working day before, Friday
        "three_way": D,
        "booked": D,
        "reachable": D + timedelta(days=14),
        "first_contact": date(2026, 12, 16),  # Wed + 5 working days
        "review": D + timedelta(days=28),
    }
    required = {item.item_id for item in items if item.required}
    assert required == {"told", "summary", "read", "three_way", "booked", "first_contact", "review"}
    owners = {item.item_id: item.owner for item in items}
    assert owners["summary"] == "outgoing" and owners["read"] == "incoming"
    assert owners["first_contact"] == "incoming" and owners["review"] == "lead"
    assert not any(item.done for item in items)


def test_items_are_ordered_by_due_date_then_template_order():
    items = build_checklist(make_case(youth=True, flags=frozenset({"safeguarding"})), D, WD)
    assert [item.due for item in items] == sorted(item.due for item in items)
    assert [item.item_id for item in items] == [
        "told", "summary", "carers_told", "safeguarding_lead_told", "read",
        "three_way", "booked", "first_contact", "reachable", "review",
    ]


def test_youth_safeguarding_care_experienced_case_gets_group_items_due_d_minus_7():
    case = make_case(youth=True, flags=frozenset({"safeguarding", "care_experienced", "do_not_move"}))
    items = {item.item_id: item for item in build_checklist(case, D, WD)}
    group = {"carers_told", "social_worker_told", "safeguarding_lead_told"}
    assert group <= items.keys()
    assert len(items) == len(TEMPLATE) + 3
    for item_id in group:
        assert items[item_id].required
        assert items[item_id].due == D - timedelta(days=7)
    assert not {"vlo_told", "ap_keyworker_told", "opd_consulted", "rj_facilitator_told"} & items.keys()


@pytest.mark.parametrize(
    ("flag", "item_id"),
    [
        ("victim_contact", "vlo_told"),
        ("approved_premises", "ap_keyworker_told"),
        ("opd", "opd_consulted"),
        ("restorative_justice", "rj_facilitator_told"),
    ],
)
def test_each_flag_adds_its_group_item(flag, item_id):
    items = {i.item_id: i for i in build_checklist(make_case(flags=frozenset({flag})), D, WD)}
    assert items[item_id].required and items[item_id].due == D - timedelta(days=7)
    assert FLAG_ITEMS[flag].item_id == item_id


def test_due_dates_move_off_weekends_and_bank_holidays_before_d_back_after_d_forward():
    # D = Mon 4 Jan 2027: D - 14 is Mon 21 Dec (kept), D - 7 Mon 28 Dec is the
    # Boxing Day substitute bank holiday (back to Thu 24 Dec), D - 3 Fri 1 Jan
    # is New Year's Day (back to Thu 31 Dec).
    d = date(2027, 1, 4)
    items = {i.item_id: i.due for i in build_checklist(make_case(youth=True), d, WD)}
    assert items["told"] == date(2026, 12, 21)
    assert items["summary"] == items["carers_told"] == date(2026, 12, 24)
    assert items["read"] == date(2026, 12, 31)
    # D on a Saturday: the items due on D move to the Friday before; D + 14 and
    # D + 28 (Saturdays) to the Monday after.
    sat = date(2026, 12, 12)
    items = {i.item_id: i.due for i in build_checklist(make_case(), sat, WD)}
    assert items["three_way"] == items["booked"] == date(2026, 12, 11)
    assert items["reachable"] == date(2026, 12, 29)  # Sat 26 Dec; Mon 28 Dec is a bank holiday
    assert items["review"] == date(2027, 1, 11)


def test_first_contact_due_counts_five_working_days_across_a_bank_holiday():
    # Thu 21 May 2026; Mon 25 May is the spring bank holiday in England and Wales.
    d = date(2026, 5, 21)
    items = {i.item_id: i for i in build_checklist(make_case(), d, WD)}
    assert items["first_contact"].due == date(2026, 5, 29)


def test_first_contact_due_over_christmas():
    d = date(2026, 12, 23)  # 25, 28 Dec and 1 Jan are bank holidays
    items = {i.item_id: i for i in build_checklist(make_case(), d, WD)}
    assert items["first_contact"].due == date(2027, 1, 4)


def test_handover_prompts_cover_the_summary_topics():
    text = " ".join(HANDOVER_PROMPTS).lower()
    for topic in ("works in the relationship", "goals", "risks", "not want to have to repeat"):
        assert topic in text


# --- auto ticks -------------------------------------------------------------


def test_a_three_way_recorded_by_the_incoming_practitioner_ticks_three_way():
    case = make_case(contacts=(Contact(D - timedelta(days=2), IN, "three_way"),))
    assert auto_ticks(case, handover_for(case), D, WD) == {"three_way": D - timedelta(days=2)}


def test_a_three_way_held_by_the_outgoing_worker_alone_does_not_tick():
    case = make_case(contacts=(Contact(D - timedelta(days=2), OUT, "three_way"),))
    assert "three_way" not in auto_ticks(case, handover_for(case), D, WD)


def with_second(day: date, who: str, second: str | None, kind: str = "three_way", outcome: str = "attended"):
    """A contact naming a second practitioner present (docs/words.md `with_practitioner_id`).
    planner.model.Contact gains the field with the rules v2 work; until then a
    stand-in with the same attributes exercises `auto_ticks`."""
    from types import SimpleNamespace

    return SimpleNamespace(contact_date=day, practitioner_id=who, kind=kind, outcome=outcome,
                           meaningful=outcome == "attended" and kind != "other", with_practitioner_id=second)


def test_a_three_way_recorded_by_the_outgoing_worker_naming_the_incoming_one_ticks():
    named = make_case(contacts=(with_second(D - timedelta(days=1), OUT, IN),))
    assert auto_ticks(named, handover_for(named), D, WD) == {"three_way": D - timedelta(days=1)}
    for second in (None, "P9", OUT):
        other = make_case(contacts=(with_second(D - timedelta(days=1), OUT, second),))
        assert "three_way" not in auto_ticks(other, handover_for(other), D, WD)


@pytest.mark.parametrize(
    "contact",
    [
        Contact(D - timedelta(days=29), IN, "three_way"),  # too early
        Contact(D + timedelta(days=1), IN, "three_way"),  # after D
        Contact(D - timedelta(days=1), "P9", "three_way"),  # someone else
        Contact(D - timedelta(days=1), IN, "three_way", "missed"),  # not held
        Contact(D - timedelta(days=1), IN, "office"),  # not a three-way
    ],
)
def test_three_way_needs_an_attended_three_way_meeting_in_the_28_days_to_d(contact):
    case = make_case(contacts=(contact,))
    assert "three_way" not in auto_ticks(case, handover_for(case), D + timedelta(days=30), WD)


def test_three_way_window_edges_count():
    case = make_case(contacts=(Contact(D - timedelta(days=28), IN, "three_way"), Contact(D, IN, "three_way")))
    assert auto_ticks(case, handover_for(case), D, WD)["three_way"] == D - timedelta(days=28)
    on_d = make_case(contacts=(Contact(D, IN, "three_way"),))
    assert auto_ticks(on_d, handover_for(on_d), D, WD)["three_way"] == D


def test_booked_ticks_for_an_appointment_with_the_incoming_practitioner_in_the_window():
    case = make_case(appointments=(Appointment(date(2026, 12, 15), IN),))
    as_of = D - timedelta(days=5)
    assert auto_ticks(case, handover_for(case), as_of, WD) == {"booked": as_of}
    # Once the appointment date is past, it is the appointment date.
    assert auto_ticks(case, handover_for(case), date(2026, 12, 20), WD)["booked"] == date(2026, 12, 15)


@pytest.mark.parametrize(
    "appointment",
    [
        Appointment(D - timedelta(days=1), IN),  # before D
        Appointment(D, IN),  # on D: not in the working days after it
        Appointment(date(2026, 12, 17), IN),  # 6th working day
        Appointment(date(2026, 12, 14), OUT),  # with the outgoing practitioner
        Appointment(date(2026, 12, 14), IN, kind="three_way"),  # the three-way meeting is not the first appointment
    ],
)
def test_booked_not_ticked_outside_the_window_or_with_someone_else(appointment):
    case = make_case(appointments=(appointment,))
    assert "booked" not in auto_ticks(case, handover_for(case), D, WD)


def test_booking_the_three_way_meeting_does_not_tick_booked():
    three_way = Appointment(D, IN, kind="three_way")
    case = make_case(appointments=(three_way,))
    assert auto_ticks(case, handover_for(case), D - timedelta(days=3), WD) == {}


def test_booked_counts_a_series_occurrence_in_the_window():
    series = Appointment(date(2026, 11, 2), IN, rrule="FREQ=WEEKLY;BYDAY=MO")
    case = make_case(appointments=(series,))
    assert auto_ticks(case, handover_for(case), D, WD) == {"booked": D}  # Monday 14 Dec, as of D


def test_first_contact_ticks_from_a_meaningful_contact_by_the_incoming_practitioner_on_or_after_d():
    case = make_case(
        contacts=(
            Contact(D - timedelta(days=1), IN, "office"),  # before D: not the first contact
            Contact(D + timedelta(days=1), IN, "phone", "missed"),
            Contact(D + timedelta(days=2), IN, "other"),  # not meaningful
            Contact(D + timedelta(days=3), IN, "home_visit"),
        )
    )
    assert auto_ticks(case, handover_for(case), D + timedelta(days=10), WD) == {
        "first_contact": D + timedelta(days=3)
    }


def test_nothing_ticks_from_records_dated_after_as_of():
    case = make_case(
        contacts=(
            Contact(D - timedelta(days=1), IN, "three_way"),
            Contact(D + timedelta(days=1), IN, "office"),
        ),
    )
    handover = handover_for(case)
    assert auto_ticks(case, handover, D - timedelta(days=2), WD) == {}
    assert auto_ticks(case, handover, D, WD) == {"three_way": D - timedelta(days=1)}
    assert auto_ticks(case, handover, D + timedelta(days=1), WD) == {
        "three_way": D - timedelta(days=1),
        "first_contact": D + timedelta(days=1),
    }


def test_the_first_contact_days_follow_the_policy():
    policy = replace(DEFAULT_POLICY, first_contact=FirstContact(working_days=3))
    items = {i.item_id: i for i in build_checklist(make_case(), D, WD, policy)}
    assert items["first_contact"].due == date(2026, 12, 14)  # Wed + 3 working days
    case = make_case(appointments=(Appointment(date(2026, 12, 15), IN),))  # 4th working day
    handover = Handover(OUT, IN, D, items=tuple(items.values()))
    assert "booked" not in auto_ticks(case, handover, D, WD, policy)
    assert "booked" in auto_ticks(case, handover, D, WD)


@given(
    planned_on=st.dates(min_value=date(2025, 1, 1), max_value=date(2029, 12, 31)),
    youth=st.booleans(),
    flags=st.frozensets(st.sampled_from(FLAGS)),
    nation=st.sampled_from(NATIONS),
)
def test_checklist_properties(planned_on, youth, flags, nation):
    calendar = working_days(nation)
    items = build_checklist(make_case(youth=youth, flags=flags), planned_on, calendar)
    assert [i.due for i in items] == sorted(i.due for i in items)
    ids = [i.item_id for i in items]
    assert len(ids) == len(set(ids))
    expected_group = {FLAG_ITEMS[f].item_id for f in flags if f in FLAG_ITEMS}
    if youth:
        expected_group.add("carers_told")
    assert set(ids) - {t.item_id for t in TEMPLATE} == expected_group
    templates = {t.item_id: t for t in TEMPLATE} | {t.item_id: t for t in FLAG_ITEMS.values()}
    for item in items:
        if item.item_id in expected_group:
            assert item.required
        if item.item_id == "first_contact":
            continue
        # a working day; the day itself when it is one, else the nearest one
        # before (items due on or before D) or after (items due after D)
        offset = templates[item.item_id].offset_days
        nominal = planned_on + timedelta(days=offset)
        assert calendar.is_working(item.due)
        if calendar.is_working(nominal):
            assert item.due == nominal
        elif offset <= 0:
            assert item.due < nominal and calendar.count_between(item.due, nominal) == 0
        else:
            assert item.due > nominal and calendar.count_between(nominal, item.due) == 1
    first = next(i for i in items if i.item_id == "first_contact")
    assert calendar.is_working(first.due)
    assert calendar.count_between(planned_on, first.due) == 5


# --- what a tick needs ------------------------------------------------------


@pytest.mark.parametrize("item_id", ["told", "review"])
def test_told_and_review_need_the_persons_view_and_their_words(item_id):
    with pytest.raises(CaseloadError, match="records the person's view"):
        check_tick(item_id)
    with pytest.raises(CaseloadError, match="unknown view 'happy'"):
        check_tick(item_id, view="happy", words="fine")
    with pytest.raises(CaseloadError, match="own words"):
        check_tick(item_id, view="agrees", words="   ")
    for view in VIEWS:
        check_tick(item_id, view=view, words="I'd rather keep Sam but I understand")


def test_a_view_belongs_to_told_and_review_only():
    with pytest.raises(CaseloadError, match="only told and review record the person's view"):
        check_tick("read", view="agrees", words="ok")


def test_summary_cannot_be_ticked_while_the_summary_text_is_empty():
    for empty in (None, "", "  \n "):
        with pytest.raises(CaseloadError, match="summary is empty"):
            check_tick("summary", summary=empty)
    check_tick("summary", summary="Works best with morning phone calls.")
    check_tick("read")  # other items need nothing


def test_the_three_way_notes_an_interpreter_when_the_person_needs_one():
    """docs/voice.md: the person's interpreter, on the three-way item's title."""
    from dataclasses import replace as _replace

    from planner.calendar import working_days
    from planner.checklist import INTERPRETER_NOTE, build_checklist
    from planner.model import Case

    base = Case("C1", "Made-up Person")
    days = working_days("england-and-wales")
    needs = {i.item_id: i.title for i in build_checklist(_replace(base, interpreter=True), date(2026, 12, 14), days)}
    plain_titles = {i.item_id: i.title for i in build_checklist(base, date(2026, 12, 14), days)}
    assert needs["three_way"] == plain_titles["three_way"] + INTERPRETER_NOTE
    assert "interpreter" not in plain_titles["three_way"]
    assert {k: v for k, v in needs.items() if k != "three_way"} == {
        k: v for k, v in plain_titles.items() if k != "three_way"}


@pytest.mark.parametrize(
    ("risk", "has_item"),
    [({"rosh": "high"}, True), ({"rosh": "very_high"}, True), ({"mappa_level": 1}, True),
     ({"rosh": "medium"}, False), ({"rosh": "low"}, False), ({}, False)],
)
def test_a_high_risk_or_mappa_case_adds_risk_plan_shared(risk, has_item):
    items = {i.item_id: i for i in build_checklist(make_case(**risk), D, WD)}
    assert ("risk_plan_shared" in items) is has_item
    if has_item:
        item = items["risk_plan_shared"]
        assert item.required and item.owner == "outgoing"
        assert item.due == WD.on_or_before(D - timedelta(days=7))
