"""The caseload screen's style sheet is read with the app's (tui/app.py,
CSS_PATH): Textual parses the styles once less before the first frame."""

from __future__ import annotations

from textual.css.stylesheet import Stylesheet

from tests.tui.helpers import settle
from tui.screens.caseload import CaseloadScreen


async def test_the_styles_are_reparsed_once_before_the_first_caseload(make_app, monkeypatch):
    reparses: list[int] = []
    reparse = Stylesheet.reparse

    def counted(self):
        reparses.append(1)
        return reparse(self)

    monkeypatch.setattr(Stylesheet, "reparse", counted)
    app = make_app("E1-02")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot, CaseloadScreen)
        assert app.first_paint_seconds is not None
        # the home screen's first refresh, as a mode; its own file is
        # already the app's (it made one more reparse when it was not)
        assert len(reparses) == 1
