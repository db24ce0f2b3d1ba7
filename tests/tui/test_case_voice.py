"""The person's voice on the case screen (docs/voice.md), driven by keys:
the trend with dates and practitioners, a check-in after an attended
contact and with `k`, alliance_low after a falling one, preferences with
`L`, and privacy mode hiding the words and the answers."""

from __future__ import annotations

from sqlalchemy import select

from storage import models as m
from storage.engine import session
from tests.tui.helpers import AS_OF, settle, type_into, wait_for
from tui.screens.case import CaseScreen
from tui.screens.caseload import CaseloadScreen
from tui.screens.forms.checkin_form import CheckinForm
from tui.screens.forms.contact_form import ContactForm
from tui.screens.forms.preferences_form import PreferencesForm
from tui.widgets.voice import VoicePanel

FALLING = "NG1016"  # the sample's falling check-ins (storage/sample/voice.py), N1-02's
WORDS = "Feels like you are just ticking boxes lately"


async def open_case(pilot, ref: str) -> CaseScreen:
    await pilot.press("slash", *ref.lower(), "enter")
    await pilot.press("enter")
    return await settle(pilot, CaseScreen)


def panel(screen) -> str:
    return screen.query_one(VoicePanel).shown_text


async def choose(pilot, form, name: str, value: int) -> None:
    form.query_one(f"#{name}").value = value
    await pilot.pause()


async def test_the_trend_shows_dates_practitioners_answers_and_words_and_privacy_hides_them(make_app):
    app = make_app("N1-02")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot, CaseloadScreen)
        screen = await open_case(pilot, FALLING)
        text = panel(screen)
        assert "not a score" in text
        assert "15 → 14 → 8, falling" in text
        assert "20 Nov 2026  N1-02" in text and "listened 3 goals 2 trust 3 = 8" in text
        assert WORDS in text
        assert any(w.rule == "alliance_low" for w in screen.view.warnings)
        await pilot.press("p")
        await wait_for(pilot, lambda: "hidden in privacy mode" in panel(screen))
        hidden = panel(screen)
        assert WORDS not in hidden and "= 8" not in hidden and "15 → 14" not in hidden
        assert "3 check-in(s), the last on 20 Nov 2026" in hidden


async def test_a_contact_offers_a_check_in_that_is_saved_and_shown(make_app, sample_engine):
    app = make_app("N1-02")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot, CaseloadScreen)
        screen = await open_case(pilot, "NG1018")
        loads = screen.loads
        await pilot.press("c")
        assert isinstance(app.screen, ContactForm)
        await pilot.press("ctrl+s")
        form = await settle(pilot, CheckinForm)
        assert form.query_one("#date").value == AS_OF.isoformat()
        await pilot.press("ctrl+s")  # no answers: refused, the form stays
        assert isinstance(app.screen, CheckinForm)
        for name, value in (("listened", 5), ("goals", 2), ("trust", 4)):
            await choose(pilot, form, name, value)
        await type_into(pilot, "#words", "made-up words")
        await pilot.press("ctrl+s")
        await settle(pilot, CaseScreen, after=loads + 1)
        await wait_for(pilot, lambda: "listened 5 goals 2 trust 4 = 11" in panel(screen))
        assert any(w.rule == "alliance_low" for w in screen.view.warnings)  # goals at 2
    with session(sample_engine) as s:
        row = s.execute(select(m.Checkin).join(m.Case, m.Case.id == m.Checkin.case_id)
                        .where(m.Case.case_ref == "NG1018", m.Checkin.checkin_date == AS_OF)).scalar_one()
        assert (row.checkin_date, row.listened, row.goals, row.trust, row.words) == (AS_OF, 5, 2, 4, "made-up words")


async def test_esc_skips_the_check_in_after_a_contact(make_app, sample_engine):
    app = make_app("N1-02")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot, CaseloadScreen)
        screen = await open_case(pilot, "NG1018")
        await pilot.press("c", "ctrl+s")
        await settle(pilot, CheckinForm)
        await pilot.press("escape")
        await settle(pilot, CaseScreen)
        await pilot.press("k")
        assert isinstance(app.screen, CheckinForm)
        await pilot.press("escape")
    with session(sample_engine) as s:
        assert s.execute(select(m.Checkin).join(m.Case, m.Case.id == m.Checkin.case_id)
                         .where(m.Case.case_ref == "NG1018", m.Checkin.checkin_date == AS_OF)).first() is None


async def test_preferences_are_saved_with_a_reason_code(make_app, sample_engine):
    app = make_app("N1-02")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot, CaseloadScreen)
        screen = await open_case(pilot, "NG1018")
        loads = screen.loads
        await pilot.press("L")
        form = await settle(pilot, PreferencesForm)
        await type_into(pilot, "#language", "Polish")
        form.query_one("#interpreter").value = True
        form.query_one("#not_with").value = "N1-05"
        await pilot.pause()
        await pilot.press("ctrl+s")  # no reason code: refused
        assert isinstance(app.screen, PreferencesForm)
        form.query_one("#reason").value = "person_request"
        await pilot.pause()
        await pilot.press("ctrl+s")
        await settle(pilot, CaseScreen, after=loads)
        await wait_for(pilot, lambda: "needs an interpreter" in panel(screen))
        text = panel(screen)
        assert "first language Polish" in text and "not with N1-05" in text and "(person_request)" in text
        await pilot.press("p")
        await wait_for(pilot, lambda: "first language hidden" in panel(screen))
        assert "Polish" not in panel(screen) and "person_request" not in panel(screen)
    with session(sample_engine) as s:
        case = s.execute(select(m.Case).where(m.Case.case_ref == "NG1018")).scalar_one()
        assert (case.language, case.interpreter) == ("Polish", True)
        nw = s.execute(select(m.NotWith).where(m.NotWith.case_id == case.id)).scalar_one()
        assert nw.reason == "person_request"
