"""§11 on the case screen: the sentence and risk part, `s` to edit it, and the
transition at 18 planned from `turning_18`'s warning with `t`; the risk tag on
the caseload. Driven by keys, checked in the database."""

from __future__ import annotations

import io

from sqlalchemy import select

from storage import models as m
from storage.engine import session
from tests.tui.helpers import AS_OF, find_case, settle, wait_for
from tui.screens.case import CaseScreen
from tui.screens.caseload import CaseloadScreen
from tui.screens.forms.handover_form import HandoverForm
from tui.screens.forms.sentence_form import SentenceForm
from tui.widgets.case_table import CaseTable


async def open_case(pilot, ref: str) -> CaseScreen:
    await pilot.press("slash", *ref.lower(), "enter", "enter")
    return await settle(pilot, CaseScreen)


async def transition_form(pilot, ref: str) -> HandoverForm:
    """From the caseload: open the case, press t, and the handover form it opens."""
    await settle(pilot, CaseloadScreen)
    await open_case(pilot, ref)
    await pilot.press("t")
    await wait_for(pilot, lambda: isinstance(pilot.app.screen, HandoverForm))
    return pilot.app.screen


def yj_lead(engine):
    """(practitioner_id -> row, the lead of YJS-E1): the youth team whose transition team is NPS-N1."""
    with session(engine) as s:
        people = {p.practitioner_id: p for p in s.execute(select(m.Practitioner)).scalars()}
    return people, next(pid for pid, p in people.items() if p.role == "team_lead" and pid.startswith("E1"))


async def test_a_custody_case_coming_up_to_release_shows_what_to_do(make_app, sample_engine):
    pid, ref = find_case(sample_engine, AS_OF, "release_coming")
    app = make_app(pid)
    async with app.run_test(size=(80, 24)) as pilot:
        caseload = await settle(pilot, CaseloadScreen)
        row = next(r for r in caseload.view.rows if r.case_ref == ref)
        assert row.risk == "H M2"  # RoSH high, MAPPA 2
        assert "H M2" in str(caseload.query_one(CaseTable).get_row(ref)[6])
        screen = await open_case(pilot, ref)
        part = str(screen.query_one("#sentence").render())
        assert "Sentence: custody" in part and "in custody: first contact on the release day" in part
        assert "RoSH high · MAPPA level 2" in part
        warning = next(w for w in screen.view.warnings if w.rule == "release_coming")
        assert warning.severity == "high" and "book the first appointment on" in warning.action
        from rich.console import Console

        console = Console(width=78, record=True, file=io.StringIO())
        from tui.widgets.case_detail import warnings_block

        console.print(warnings_block(app, screen.view.warnings))  # what #warnings shows
        assert "→ see them before release" in console.export_text()


async def test_the_transition_at_18_is_planned_from_the_warning(make_app, sample_engine):
    pid, ref = find_case(sample_engine, AS_OF, "turning_18", without_handover=True)
    app = make_app(pid)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot, CaseloadScreen)
        screen = await open_case(pilot, ref)
        assert any(w.rule == "turning_18" for w in screen.view.warnings)
        assert "t: plan the transition at 18" in str(screen.query_one("#sentence").render())
        loads = screen.loads
        await pilot.press("t")
        await wait_for(pilot, lambda: isinstance(app.screen, HandoverForm))
        form = app.screen
        assert "transition at 18" in form.title_text
        options = [pid for _label, pid in form.receivers]
        assert options
        form.query_one("#to").value = options[0]
        await pilot.press("ctrl+s")
        from tui.screens.handover.screen import HandoverScreen

        await settle(pilot, HandoverScreen)
        await pilot.press("escape")
        await settle(pilot, CaseScreen, after=loads)
        assert not any(w.rule == "turning_18" for w in screen.view.warnings)
    with session(sample_engine) as s:
        case_id = s.execute(select(m.Case.id).where(m.Case.case_ref == ref)).scalar_one()
        handover = s.execute(select(m.Handover).where(m.Handover.case_id == case_id,
                                                      m.Handover.status == "planned")).scalar_one()
        receiver = s.get(m.Practitioner, handover.to_practitioner_pk)
        holder = s.execute(select(m.Practitioner).where(m.Practitioner.practitioner_id == pid)).scalar_one()
        assert receiver.team_pk != holder.team_pk or receiver.grade != "YJW"
        assert handover.reason == "transition to adult services at 18"


async def test_edit_the_sentence_and_risk(make_app, sample_engine):
    pid, ref = find_case(sample_engine, AS_OF, "contact_overdue")
    app = make_app(pid)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot, CaseloadScreen)
        screen = await open_case(pilot, ref)
        loads = screen.loads
        await pilot.press("s")
        await wait_for(pilot, lambda: isinstance(app.screen, SentenceForm))
        form = app.screen
        form.query_one("#sentence").value = "community_order"
        form.query_one("#release_on").value = "2027-01-10"
        await pilot.press("ctrl+s")  # a release day needs custody or a licence
        await pilot.pause()
        assert app.screen is form and "Only for" in str(form.query_one("#field-release_on .field--error").render())
        form.query_one("#sentence").value = "licence"  # a release after the sentence's end
        form.query_one("#sentence_end").value = "2027-01-09"
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert app.screen is form and "after the sentence ends" in str(
            form.query_one("#field-release_on .field--error").render())
        form.query_one("#sentence").value = "community_order"
        form.query_one("#release_on").value = ""
        form.query_one("#sentence_end").value = "9999-01-01"
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert app.screen is form
        form.query_one("#sentence_end").value = "2027-06-30"
        form.query_one("#rosh").value = "high"
        await pilot.press("ctrl+s")
        await settle(pilot, CaseScreen, after=loads)
        assert "RoSH high" in str(screen.query_one("#sentence").render())
    with session(sample_engine) as s:
        case = s.execute(select(m.Case).where(m.Case.case_ref == ref)).scalar_one()
        assert (case.sentence, str(case.sentence_end), case.rosh) == ("community_order", "2027-06-30", "high")


async def test_a_yj_lead_plans_a_transition_to_the_adult_team_from_the_warning(make_app, sample_engine):
    """YJS-E1's transition team is NPS-N1 (storage/sample/transitions.py): `t`
    offers its practitioners first, never its lead (storage.access.check_receiver)."""
    people, lead = yj_lead(sample_engine)
    _pid, ref = find_case(sample_engine, AS_OF, "turning_18", without_handover=True)
    app = make_app(lead)
    async with app.run_test(size=(80, 24)) as pilot:
        options = [pid for _label, pid in (await transition_form(pilot, ref)).receivers]
        adults = [pid for pid in options if people[pid].team_pk != people[lead].team_pk]
        assert adults and options[:len(adults)] == adults  # the transition team first
        assert all(people[pid].role != "team_lead" for pid in options)
        # nobody who has already left (the guards would refuse them); the sample has one in NPS-N1
        gone = {pid for pid, p in people.items() if p.leaving_on is not None and p.leaving_on <= AS_OF}
        assert gone and not gone & set(options)
        # nor anyone who leaves by the form's date (N1-03, 18 Dec, for an 8 Jan transition): the
        # planning guards would refuse them on save (planner/exclusions.py, away_on)
        from datetime import date

        day = date.fromisoformat(app.screen.query_one("#date").value)
        leaving = {pid for pid, p in people.items() if p.leaving_on is not None and AS_OF < p.leaving_on <= day}
        assert leaving and not leaving & set(options)
        # the reason is a transition's, not an ordinary handover's
        placeholder = str(app.screen.query_one("#reason").placeholder)
        assert "transition to adult services at 18" in placeholder and "leaving the team" not in placeholder
        app.screen.query_one("#to").value = adults[0]
        await pilot.press("ctrl+s")
        from tui.screens.handover.screen import HandoverScreen

        await settle(pilot, HandoverScreen)
    with session(sample_engine) as s:
        case_id = s.execute(select(m.Case.id).where(m.Case.case_ref == ref)).scalar_one()
        handover = s.execute(select(m.Handover).where(m.Handover.case_id == case_id,
                                                      m.Handover.status == "planned")).scalar_one()
        assert s.get(m.Practitioner, handover.to_practitioner_pk).practitioner_id == adults[0]


async def test_the_transition_form_offers_a_working_day_four_weeks_before_the_birthday(make_app, sample_engine):
    """SPEC §3/§4: handovers fall on working days. The sample's child still to
    plan turns 18 on a Saturday, so four weeks before it is a Saturday too: the
    form offers the working day before (planner/calendar.py), not the weekend."""
    from datetime import date, timedelta

    from planner.calendar import working_days
    from planner.rules.turning_18 import birthday

    _people, lead = yj_lead(sample_engine)
    _pid, ref = find_case(sample_engine, AS_OF, "turning_18", without_handover=True)
    app = make_app(lead)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot, CaseloadScreen)
        screen = await open_case(pilot, ref)
        calendar = working_days(screen.view.nation)
        four_weeks = birthday(screen.view.case.date_of_birth, 18) - timedelta(days=28)
        assert not calendar.is_working(four_weeks)  # the case this test is about
        await pilot.press("t")
        await wait_for(pilot, lambda: isinstance(app.screen, HandoverForm))
        offered = date.fromisoformat(app.screen.query_one("#date").value)
        assert calendar.is_working(offered) and offered == calendar.on_or_before(four_weeks)
        hint = " ".join(str(w.render()) for w in app.screen.query(".field--hint"))
        assert "Four weeks before the 18th birthday" in hint and "Two weeks ahead" not in hint


async def test_t_is_worded_for_what_it_does_once_the_transition_is_planned(make_app, sample_engine):
    """A child whose transition is planned: `t` opens the handover (it plans
    nothing), and the key line of the part says so."""
    from storage.queries import load_cases
    from tui.screens.handover.screen import HandoverScreen

    with session(sample_engine) as s:
        case = next(c for c in load_cases(s) if c.youth and c.open_handover is not None)
    app = make_app(case.practitioner_id)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot, CaseloadScreen)
        screen = await open_case(pilot, case.case_ref)
        part = str(screen.query_one("#sentence").render())
        assert "t: open the planned handover" in part and "plan the transition" not in part
        await pilot.press("t")
        handover = await settle(pilot, HandoverScreen)
        assert handover.case_ref == case.case_ref


async def test_a_lead_is_offered_and_may_name_only_whom_the_server_lets_them(make_app, sample_engine):
    """A third team's practitioner, whom the YJ lead neither sees nor has as
    the transition team: not offered by `t`, and refused if named anyway
    (storage.access.check_receiver), as the lead's PostgreSQL login is."""
    import pytest

    from planner.errors import CaseloadError

    with session(sample_engine) as s:
        team = m.Team(team_id="NPS-X9", name="Made-up Far Team")
        s.add(team)
        s.flush()
        s.add(m.Practitioner(practitioner_id="X9-02", name="Far Away", team_pk=team.id, role="practitioner",
                             grade="PO"))
        s.commit()
    _people, lead = yj_lead(sample_engine)
    _pid, ref = find_case(sample_engine, AS_OF, "turning_18", without_handover=True)
    app = make_app(lead)
    async with app.run_test(size=(80, 24)) as pilot:
        options = [pid for _label, pid in (await transition_form(pilot, ref)).receivers]
        assert options and "X9-02" not in options
    with pytest.raises(CaseloadError, match=f"cannot name X9-02 as the receiver of case {ref}"):
        app.gateway.plan_handover(case_ref=ref, to_practitioner_id="X9-02", planned_on=AS_OF.replace(day=30),
                                  reason=None, actor=lead, as_of=AS_OF)
