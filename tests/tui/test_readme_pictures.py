"""The README's pictures of the app are the snapshot tests' pictures, as
text (tests/tui/readme_pictures.py says how to refresh them)."""

from __future__ import annotations

from tests.tui.readme_pictures import PICTURES, README, picture, screen_text, shown


def test_the_readme_shows_every_picture_as_the_app_draws_it():
    pictures = shown(README.read_text(encoding="utf-8"))
    assert set(pictures) == set(PICTURES)
    for name in PICTURES:
        assert pictures[name] == picture(name), f"README picture {name!r} is stale: python -m tests.tui.readme_pictures"


def test_a_screenshot_reads_back_as_its_lines():
    svg = ('<text class="r1" x="0" y="20" textLength="24.4">ab</text>'
           '<text class="r1" x="36.6" y="44.4" textLength="12.2">&#160;c</text>')
    lines = screen_text(svg)
    assert len(lines) == 24 and all(len(line) == 80 for line in lines)
    assert lines[0].startswith("ab ") and lines[1].startswith("    c")
