"""The README's pictures of the app at 80x24, as text, made from the
snapshot tests' pictures (tests/tui/__snapshots__/), so they show the app
as it is. After `pytest tests/tui/test_snapshots.py --snapshot-update`:

    python -m tests.tui.readme_pictures      # rewrites the README's pictures

tests/tui/test_readme_pictures.py fails while they differ. In the README
each picture is the code block after a `<!-- picture: NAME -->` line.
"""

from __future__ import annotations

import html
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SNAPSHOTS = Path(__file__).resolve().parent / "__snapshots__"
README = ROOT / "README.md"
# name in the README -> the snapshot it is drawn from
PICTURES = {
    "caseload": "test_snapshots/test_caseload_screen[80x24].svg",
    "team-caseload": "test_snapshots/test_team_leads_caseload_screen.svg",
    "case": "test_snapshots/test_case_screen[80x24].svg",
}
SIZE = (80, 24)
# Textual's SVG export: a cell is 12.2 wide and a line 24.4 high, the first line's text at y=20
CELL_X, LINE_Y, FIRST_Y = 12.2, 24.4, 20.0
TEXT = re.compile(r'<text class="[^"]*" x="([\d.]+)" y="([\d.]+)"[^>]*>([^<]*)</text>')


def screen_text(svg: str) -> list[str]:
    """The terminal's lines in a Textual SVG screenshot, SIZE[0] cells each."""
    width, height = SIZE
    lines = [[" "] * width for _ in range(height)]
    for x, y, text in TEXT.findall(svg):
        row = round((float(y) - FIRST_Y) / LINE_Y)
        column = round(float(x) / CELL_X)
        for i, char in enumerate(html.unescape(text).replace("\xa0", " ")):
            if 0 <= row < height and column + i < width:
                lines[row][column + i] = char
    return ["".join(line) for line in lines]


def boxed(lines: list[str]) -> str:
    """The screen in a frame, as the README shows a terminal."""
    width = max(len(line) for line in lines)
    return "\n".join(["┌" + "─" * width + "┐", *(f"│{line}│" for line in lines), "└" + "─" * width + "┘"])


def picture(name: str) -> str:
    return boxed(screen_text((SNAPSHOTS / PICTURES[name]).read_text(encoding="utf-8")))


BLOCK = re.compile(r"(<!-- picture: ([\w-]+) -->\n```\n)(.*?)(\n```)", re.S)


def shown(readme: str) -> dict[str, str]:
    """The pictures in the README, by name."""
    return {m.group(2): m.group(3) for m in BLOCK.finditer(readme)}


def refreshed(readme: str) -> str:
    return BLOCK.sub(lambda m: m.group(1) + picture(m.group(2)) + m.group(4), readme)


if __name__ == "__main__":
    text = README.read_text(encoding="utf-8")
    new = refreshed(text)
    README.write_text(new, encoding="utf-8")
    print("README pictures " + ("refreshed" if new != text else "already as the app is"), file=sys.stderr)
