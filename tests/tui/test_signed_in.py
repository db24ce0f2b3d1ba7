"""Who acts comes from signing in, never from a key press (README, Team server).

Signed in (`--as`, or a practitioner's own PostgreSQL login, which the
command line turns into the same thing), `P` and the palette cannot make
the app act as someone else: a practitioner cannot become their lead, nor
another team's. The owner of a local file who did not sign in may act as
anyone, and the picker says so; what they do is recorded as the
practitioner they chose, and the palette then holds only what that
practitioner may see."""

from __future__ import annotations

from sqlalchemy import text

from storage.engine import session

from tests.tui.helpers import AS_OF, palette_pick, settle, wait_for
from tui.screens.caseload import CaseloadScreen
from tui.screens.picker.practitioner_picker import PractitionerPicker


def notices(app) -> list[str]:
    return [str(n.message) for n in app._notifications]


async def test_p_cannot_switch_a_signed_in_practitioner(make_app):
    app = make_app("N1-02")
    async with app.run_test(size=(120, 40)) as pilot:
        home = await settle(pilot, CaseloadScreen)
        await pilot.press("P")
        await pilot.pause()
        assert not isinstance(app.screen, PractitionerPicker)
        assert any("Signed in as N1-02: the app acts as N1-02 only" in n for n in notices(app))
        # nor through the back door the picker used: the lead of the team, then another team's lead
        for other in ("N1-01", "E1-01"):
            assert app.switch_practitioner(other) is False
        await pilot.pause()
        assert app.practitioner_id == "N1-02" and app.actor == "N1-02"
        assert app.gateway.actor_id == "N1-02" and app.screen is home
        assert home.view.practitioner.practitioner_id == "N1-02" and not home.view.team_view


async def test_the_palette_views_a_colleague_without_becoming_them(make_app, sample_engine):
    app = make_app("N1-02")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot, CaseloadScreen)
        await palette_pick(pilot, "N1-01")
        lead = await settle(pilot, CaseloadScreen)
        await wait_for(pilot, lambda: lead.view is not None and lead.view.practitioner is not None)
        assert lead.view.practitioner.practitioner_id == "N1-01"
        assert app.actor == "N1-02"  # what is written from here is N1-02's
        keys = {e.key for e in app.gateway.search_index()}
    # of the other team, only the cases handed over to NPS-N1 (the transitions
    # at 18, storage/sample/transitions.py): both teams see them until they complete
    with session(sample_engine) as s:
        incoming = set(s.execute(text(
            'SELECT c.case_ref FROM handover h JOIN "case" c ON c.id = h.case_id'
            " JOIN practitioner p ON p.id = h.to_practitioner_pk JOIN team t ON t.id = p.team_pk"
            " WHERE h.status IN ('planned', 'in_progress') AND t.team_id = 'NPS-N1'"
            " AND c.case_ref LIKE 'EB%'")).scalars())
    assert incoming
    assert {k for k in keys if k.startswith("EB")} == incoming
    assert not [k for k in keys if k.startswith("E1-")]


async def test_the_owner_who_did_not_sign_in_is_told_and_may_act_as_anyone(make_app):
    app = make_app(None)  # no --as on their own file
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, PractitionerPicker))
        note = str(app.screen.query_one(".picker--note").render())
        assert "You own this file and did not sign in (--as), so you may act as anyone" in note
        assert "recorded as the practitioner you choose" in note
        app.screen.dismiss("E1-01")
        home = await settle(pilot, CaseloadScreen)
        await wait_for(pilot, lambda: home.view is not None and home.view.practitioner is not None)
        assert app.actor == "E1-01" and app.gateway.actor_id == "E1-01"
        # acting as E1-01, the palette finds E1-01's team's cases only
        keys = {e.key for e in app.gateway.search_index()}
        assert keys and not [k for k in keys if k.startswith("NG")]
        await pilot.press("P")
        await wait_for(pilot, lambda: isinstance(app.screen, PractitionerPicker))
        assert "may act as anyone" in str(app.screen.query_one(".picker--note").render())
        app.screen.dismiss("N1-01")
        await pilot.pause()
        assert app.practitioner_id == "N1-01" and app.actor == "N1-01"


async def test_a_write_after_pressing_p_is_the_signed_in_practitioners(make_app, sample_engine):
    """The attack of the old app: P, pick the lead, and write as the lead."""
    app = make_app("N1-02")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot, CaseloadScreen)
        await pilot.press("P")
        await pilot.pause()
        if isinstance(app.screen, PractitionerPicker):  # the old app: choose the lead
            app.screen.dismiss("N1-01")
            await settle(pilot, CaseloadScreen, after=1)
        mine = next(r.case_ref for r in app.screen.view.rows)
        app.gateway.add_case_note(case_ref=mine, text="made-up", author_id=app.practitioner_id,
                                  written_on=AS_OF, actor=app.actor)
    with sample_engine.connect() as conn:
        actor = conn.execute(text("SELECT actor FROM audit_event WHERE entity = 'case_note' "
                                  "ORDER BY id DESC LIMIT 1")).scalar_one()
    assert actor == "N1-02"
