"""Text reaches WCAG AA (4.5:1) in both themes the app offers, and under
NO_COLOR HIGH is bold, never dim (issue: light MED/LOW 1.2:1, dark HIGH
2.8:1). The ratios are computed here from the theme's colours, apart from
the app's own computation in tui/widgets/severity.py."""

from __future__ import annotations

import pytest
from rich.color import Color as RichColor
from textual.filter import monochrome_style
from rich.style import Style

from tests.tui.helpers import settle
from tui.screens.caseload import CaseloadScreen
from tui.widgets import severity

THEMES = ("textual-dark", "textual-light")  # what `t` toggles between (tui/app.py)
AA = 4.5


def rgba(text: str) -> tuple[float, float, float, float]:
    """'#RRGGBB' or '#RRGGBBAA' as 0..255 channels and alpha 0..1."""
    text = text.lstrip("#")
    r, g, b = (int(text[i:i + 2], 16) for i in (0, 2, 4))
    return r, g, b, int(text[6:8], 16) / 255 if len(text) == 8 else 1.0


def over(top: str | tuple, under: tuple) -> tuple:
    r, g, b, a = rgba(top) if isinstance(top, str) else top
    return tuple(u + (c - u) * a for c, u in zip((r, g, b), under[:3])) + (1.0,)


def wcag_luminance(rgb) -> float:
    """Relative luminance, WCAG 2.x (sRGB, linearised)."""
    lin = [(c / 255) / 12.92 if c / 255 <= 0.03928 else ((c / 255 + 0.055) / 1.055) ** 2.4 for c in rgb[:3]]
    return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]


def ratio(fg, bg) -> float:
    hi, lo = sorted((wcag_luminance(fg), wcag_luminance(bg)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


def grounds(v: dict[str, str]) -> dict[str, tuple]:
    """Every background text is drawn on: screen, table, panel, and the
    $boost strips over the screen and a table."""
    screen = rgba(v["background"])
    found = {name: over(v[name], screen) for name in ("background", "surface", "panel")}
    found["boost on background"] = over(v["boost"], found["background"])
    found["boost on surface"] = over(v["boost"], found["surface"])
    return found


def muted(v: dict[str, str], ground: tuple) -> tuple:
    """$text-muted is `auto 60%`: black or white, whichever contrasts, at 60%."""
    word, _, pct = v["text-muted"].partition(" ")
    assert word == "auto"
    ink = (0, 0, 0) if wcag_luminance(ground) > 0.179 else (255, 255, 255)
    return over(ink + (float(pct.rstrip("%")) / 100,), ground)


@pytest.mark.parametrize("theme", THEMES)
async def test_every_text_style_reaches_aa_on_every_background(make_app, theme):
    app = make_app("N1-02")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot, CaseloadScreen)
        app.theme = theme
        await pilot.pause()
        v = app.theme_variables
        texts = {f"{sev} (style_for)": tuple(severity.style_for(app, sev).color.get_truecolor()) + (1.0,)
                 for sev in ("high", "medium", "low", "info")}
        texts.update({name: rgba(v[name]) for name in ("foreground", "severity-high", "severity-medium",
                                                      "severity-low", "readable-primary", "readable-success")})
        low = []
        for gname, ground in grounds(v).items():
            for tname, colour in texts.items():
                r = ratio(over(colour, ground), ground)
                if r < AA:
                    low.append(f"{tname} on {gname}: {r:.2f}")
            r = ratio(muted(v, ground), ground)
            if r < AA:
                low.append(f"text-muted on {gname}: {r:.2f}")
        assert not low, f"{theme}: " + "; ".join(low)


async def test_no_color_high_is_bold_never_dim_and_reads_as_the_foreground(make_app, monkeypatch):
    monkeypatch.setenv("NO_COLOR", "1")
    app = make_app("N1-02")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot, CaseloadScreen)
        assert app.no_color
        high = severity.style_for(app, "high")
        assert high.bold and not high.dim and high.color is None
        for sev in ("medium", "low", "info"):
            assert severity.style_for(app, sev).color is None and not severity.style_for(app, sev).dim
        assert severity.style_for(app, "high", bold=False).bold  # HIGH stays bold where colour would have told
        # what the terminal shows: the monochrome of the theme's foreground on its background
        for theme in THEMES:
            app.theme = theme
            await pilot.pause()
            v = app.theme_variables
            shown = monochrome_style(Style(color=RichColor.parse(v["foreground"][:7]),
                                           bgcolor=RichColor.parse(v["background"][:7])))
            fg, bg = shown.color.get_truecolor(), shown.bgcolor.get_truecolor()
            assert ratio(fg, bg) >= AA, (theme, ratio(fg, bg))


def lab(rgb) -> tuple[float, float, float]:
    """CIE L*a*b* (D65) of an sRGB colour, for telling colours apart."""
    lin = [(c / 255) / 12.92 if c / 255 <= 0.04045 else ((c / 255 + 0.055) / 1.055) ** 2.4 for c in rgb[:3]]
    x = (0.4124 * lin[0] + 0.3576 * lin[1] + 0.1805 * lin[2]) / 0.95047
    y = 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]
    z = (0.0193 * lin[0] + 0.1192 * lin[1] + 0.9505 * lin[2]) / 1.08883

    def f(t: float) -> float:
        return t ** (1 / 3) if t > 0.008856 else 7.787 * t + 16 / 116

    return 116 * f(y) - 16, 500 * (f(x) - f(y)), 200 * (f(y) - f(z))


@pytest.mark.parametrize("theme", THEMES)
async def test_each_severity_has_its_own_colour(make_app, theme):
    """MED and LOW were the same orange (the stock themes' warning and
    accent): each severity now differs from the others by a CIE76 colour
    difference of at least 20 (clearly different at a glance), besides its
    symbol and word."""
    app = make_app("N1-02")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot, CaseloadScreen)
        app.theme = theme
        await pilot.pause()
        colours = {sev: lab(severity.style_for(app, sev).color.get_truecolor()) for sev in severity.SEVERITIES}
        for a, b in (("high", "medium"), ("medium", "low"), ("high", "low")):
            delta = sum((x - y) ** 2 for x, y in zip(colours[a], colours[b])) ** 0.5
            assert delta >= 20, (theme, a, b, round(delta, 1))
        assert [severity.label(sev) for sev in severity.SEVERITIES] == ["▲ HIGH", "◆ MED", "○ LOW"]


def cursor_row_ratios(table, no_color: bool) -> list[tuple[str, float]]:
    """(text, contrast) of every piece of text in the table's cursor row as
    drawn: its colour on its background (reverse swapped; under NO_COLOR as
    the terminal shows it, in monochrome)."""
    y = table.cursor_row - table.scroll_offset.y + table.header_height
    found = []
    for segment in table.render_line(y):
        if not segment.text.strip() or segment.style is None:
            continue
        style = monochrome_style(segment.style) if no_color else segment.style
        fg, bg = style.color.get_truecolor(), style.bgcolor.get_truecolor()
        if style.reverse:
            fg, bg = bg, fg
        found.append((segment.text.strip(), ratio(fg, bg)))
    return found


@pytest.mark.parametrize("no_color", [False, True], ids=["colour", "NO_COLOR"])
@pytest.mark.parametrize("theme", THEMES)
async def test_the_cursor_rows_text_reaches_aa_on_its_highlight(make_app, monkeypatch, theme, no_color):
    """The highlighted row's text on the highlight, focused and not (the
    dark theme's white on primary blue was 3.8:1), measured from what the
    table draws."""
    from tui.widgets.case_table import CaseTable

    if no_color:
        monkeypatch.setenv("NO_COLOR", "1")
    app = make_app("N1-02")
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await settle(pilot, CaseloadScreen)
        app.theme = theme
        await pilot.pause()
        table = screen.query_one(CaseTable)
        await pilot.press("down")  # a row with warnings of more than one severity, below the first
        await pilot.pause()
        for focused in (True, False):
            if focused:
                table.focus()
            else:
                screen.set_focus(None)
            await pilot.pause()
            assert table.has_focus == focused
            measured = cursor_row_ratios(table, no_color)
            assert measured and any(text.startswith(("▲", "◆", "○")) for text, _r in measured)
            low = [(text, round(r, 2)) for text, r in measured if r < AA]
            assert not low, (theme, "focused" if focused else "blurred", low)
