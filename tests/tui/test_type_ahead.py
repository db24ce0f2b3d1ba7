"""Type-ahead (issue 18, item 1; tui/type_ahead.py): keys sent in one burst,
without waiting between them, end in the same state as keys typed slowly."""

from __future__ import annotations

import pytest
from textual import events

from tests.tui.helpers import settle
from tui.screens.caseload import CaseloadScreen

NAMED = {" ": "space", ":": "colon", "-": "minus"}


def keys_of(text: str) -> list[str]:
    return [NAMED.get(ch, ch) for ch in text]


async def quiet(pilot) -> None:
    """Pause until no worker runs (a reload cancelled by a newer one is no error here)."""
    app = pilot.app
    for _ in range(1000):
        await pilot.pause(0.01)
        if not any(not w.is_finished for w in app.workers):
            break
    else:
        raise AssertionError("the app never settled")
    for _ in range(5):
        await pilot.pause()


async def burst(pilot, *keys: str) -> None:
    """Send every key to the driver at once, as a fast typist's terminal
    does (`pilot.press` waits for the app between keys), then settle."""
    app = pilot.app
    chars = {v: k for k, v in NAMED.items()}
    for key in keys:
        event = events.Key(key, key if len(key) == 1 else chars.get(key))
        event.set_sender(app)
        app._driver.send_message(event)
    await quiet(pilot)


async def slowly(pilot, *keys: str) -> None:
    """One key at a time, each after the app has finished with the one before."""
    for key in keys:
        await pilot.press(key)
        await quiet(pilot)


async def end_state(make_app, who: str, keys: list[str], fast: bool, fields: tuple[str, ...] = ()):
    """The screens open (bottom to top), what has focus, and the values of `fields` on top."""
    app = make_app(who)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot, CaseloadScreen)
        await (burst if fast else slowly)(pilot, *keys)
        stack = [type(s).__name__ for s in app.screen_stack]
        values = tuple(app.screen.query_one(f"#{name}").value for name in fields)
        return stack, getattr(app.focused, "id", None), values


async def test_text_after_tabs_lands_in_the_field_tab_went_to(make_app, sample_engine):
    # enter opens the top case, c the contact form; five tabs reach Notes
    keys = ["enter", "c", *["tab"] * 5, *keys_of("fast note 1")]
    slow = await end_state(make_app, "E1-02", keys, False, ("date", "notes"))
    assert slow[0][-1] == "ContactForm" and slow[1] == "notes" and slow[2][1] == "fast note 1"
    assert await end_state(make_app, "E1-02", keys, True, ("date", "notes")) == slow


async def test_a_time_after_a_date_lands_in_the_time_field(make_app, sample_engine):
    keys = ["enter", "a", "ctrl+u", *keys_of("2027-01-05"), "tab", *keys_of("09:00")]
    slow = await end_state(make_app, "E1-02", keys, False, ("date", "time"))
    assert slow[0][-1] == "AppointmentForm" and slow[2] == ("2027-01-05", "09:00")
    assert await end_state(make_app, "E1-02", keys, True, ("date", "time")) == slow


SEQUENCES = [
    ("N1-01", ["T", "escape", "H", "escape"]),
    ("N1-01", ["enter", "escape", "enter", "escape", "w", "escape", "T", "escape"]),
    ("E1-02", ["H", "escape"]),
    ("E1-02", ["enter", "escape", "enter", "escape", "w", "escape"]),
]


@pytest.mark.parametrize(("who", "keys"), SEQUENCES, ids=[f"{w}:{'-'.join(k)}" for w, k in SEQUENCES])
async def test_screens_opened_and_left_at_speed_are_all_left(make_app, sample_engine, who, keys):
    slow = await end_state(make_app, who, keys, False)
    assert slow[0] == ["CaseloadScreen"]
    assert await end_state(make_app, who, keys, True) == slow


def keys_read(data: str) -> list[str]:
    from tui.type_ahead import BurstParser

    parser = BurstParser()
    return [getattr(t, "key", type(t).__name__) for t in [*parser.feed(data), *parser.feed("")]]


def test_esc_in_a_burst_is_the_escape_key_not_alt_or_a_caret():
    # what a terminal sends for `T Esc H Esc` and `Enter Esc w Esc` typed quickly
    assert keys_read("T\x1bH\x1b") == ["T", "escape", "H", "escape"]
    assert keys_read("\r\x1b\r\x1bw\x1b") == ["enter", "escape", "enter", "escape", "w", "escape"]
    # escape sequences and an Alt+key read on its own are read as before
    assert keys_read("\x1b[A\x1b[B\x1bOP") == ["up", "down", "f1"]
    assert keys_read("\x1bh") == ["alt+h"]
