"""An unhandled error must not print people's data: Textual's default crash
report shows local variables, and here those hold names and notes."""

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
    assert "RuntimeError" in text and "boom in 17 chars" in text
    assert person not in text
