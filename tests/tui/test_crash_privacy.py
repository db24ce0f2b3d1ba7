"""An unhandled error must not print people's data: Textual's default crash
report shows local variables and the error's message, and here those hold
names and notes (a markup error quotes the text it could not read)."""

from __future__ import annotations

from tests.tui.helpers import settle


async def test_crash_report_has_the_error_but_no_local_values(make_app):
    app = make_app("E1-02")
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        person = "-".join(["Imaginary", "Surname"])  # a local; the joined value is not in the source
        try:
            raise RuntimeError(f"boom in {len(person)} chars")
        except RuntimeError:
            app._fatal_error()
        text = "".join(
            segment.text for renderable in app._exit_renderables for segment in renderable.segments
        )
    assert "RuntimeError" in text
    assert person not in text


async def test_crash_report_has_the_error_type_but_not_its_message(make_app):
    app = make_app("E1-02")
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        name = "".join(["Jo [DOB=", "01/02", "/2003]"])  # the joined value is not in the source
        try:
            try:
                raise KeyError(f"no case for {name}")
            except KeyError as inner:
                raise ValueError(f"while reading {name}") from inner
        except ValueError:
            app._fatal_error()
        text = "".join(
            segment.text for renderable in app._exit_renderables for segment in renderable.segments
        )
    assert "ValueError" in text and "KeyError" in text and "test_crash_privacy.py" in text
    assert "DOB=01/02/2003" not in text
    assert "message not shown" in text


async def test_a_name_the_markup_cannot_read_does_not_stop_the_app(make_app, sample_engine):
    """`Jo [DOB=01/02/2003]` stopped the app in the palette and the pickers."""
    from sqlalchemy import text

    from tests.tui.helpers import wait_for

    with sample_engine.begin() as conn:
        conn.execute(text("UPDATE \"case\" SET display_name = 'Jo [DOB=01/02/2003]'"))
    app = make_app("E1-02")
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+p", *"Jo [D")
        await wait_for(pilot, lambda: app.screen.query("CommandList")
                       and app.screen.query_one("CommandList").option_count > 0)
        assert app.is_running and app._exception is None
        prompt = app.screen.query_one("CommandList").get_option_at_index(0).prompt
        assert "Jo [DOB=01/02/2003]" in str(prompt)
