"""tui.screens.confirm.ConfirmScreen, the app's one yes/no question: y says
yes, n or esc no, and enter presses the highlighted button, "No" until tab
moves to "Yes" (an enter typed ahead never says yes)."""

from __future__ import annotations

import pytest
from textual.app import App

from tui.screens.confirm import ConfirmScreen


class _Asker(App):
    def __init__(self) -> None:
        super().__init__()
        self.answers: list[bool | None] = []

    def on_mount(self) -> None:
        self.push_screen(ConfirmScreen("Cancel the handover?", "The checklist is kept."), self.answers.append)


@pytest.mark.parametrize(
    ("keys", "answer"),
    [
        (["enter"], False),
        (["tab", "enter"], True),
        (["y"], True),
        (["n"], False),
        (["escape"], False),
    ],
)
async def test_keys_answer_the_question(keys, answer):
    app = _Asker()
    async with app.run_test() as pilot:
        await pilot.pause()
        assert isinstance(app.screen, ConfirmScreen)
        for key in keys:
            await pilot.press(key)
        await pilot.pause()
        assert app.answers == [answer]
        assert not isinstance(app.screen, ConfirmScreen)


def test_the_screens_ask_with_the_one_registered_confirm_screen():
    from tui.screens.registry import screen_class

    assert screen_class("confirm") is ConfirmScreen
