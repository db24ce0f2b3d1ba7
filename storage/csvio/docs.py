"""The columns section of docs/csv.md, generated from the spec
(storage/csvio/spec.py) so that the two cannot drift:

    python -m storage.csvio.docs            # rewrite the section in docs/csv.md
    python -m storage.csvio.docs --check    # exit 1 if docs/csv.md differs

tests/storage/test_csv_docs.py runs the check."""

from __future__ import annotations

import sys
from pathlib import Path

from storage.csvio.spec import KINDS, PARSERS, Column, KindSpec

__all__ = ["BEGIN", "END", "columns_markdown", "replace_section"]

BEGIN = "<!-- columns: generated from storage/csvio/spec.py by `python -m storage.csvio.docs` -->"
END = "<!-- end of generated columns -->"
DOC = Path(__file__).resolve().parents[2] / "docs" / "csv.md"


def _rules(col: Column) -> str:
    parts: list[str] = []
    if col.choices:
        parts.append("one of " + ", ".join(f"`{c}`" for c in col.choices))
    if col.parser == "number":
        parts.append(f"{'more than' if col.low_open else 'at least'} {col.low:g}, at most {col.high:g}")
    if col.max_len and col.parser in ("name", "text", "key"):
        parts.append(f"at most {col.max_len} characters")
    if col.check is not None:
        parts.append(f"checked by planner/validate.py `{col.check.__name__}`")
    if col.default is not None:
        parts.append(f"blank: `{col.fmt(col.default)}`" if col.fmt(col.default) else "blank: none")
    if col.blank and not col.doc:
        parts.append("may be blank")
    if col.doc:
        parts.append(col.doc)
    return "; ".join(parts)


def _kind_markdown(kind: KindSpec) -> list[str]:
    lines = [
        f"### {kind.name}",
        "",
        f"Natural key: {', '.join(f'`{k}`' for k in kind.key)}.",
        "",
        "| column | required | type | stored in | rules |",
        "|---|---|---|---|---|",
    ]
    for col in kind.specs:
        stored = f"`{kind.entity.capitalize()}.{col.field}`" if col.field else col.via
        lines.append(f"| `{col.name}` | {'yes' if col.required else 'no'} | {col.parser} | {stored} | "
                     f"{_rules(col)} |")
    lines.append("")
    return lines


def columns_markdown() -> str:
    """The generated section, markers included."""
    lines = [BEGIN, "", "Types (how a cell is read):", ""]
    lines += [f"- {name}: {what}" for name, what in PARSERS.items()]
    lines.append("")
    for kind in KINDS.values():
        lines += _kind_markdown(kind)
    lines.append(END)
    return "\n".join(lines)


def replace_section(text: str) -> str:
    """`text` (docs/csv.md) with its generated section brought up to date."""
    start, end = text.index(BEGIN), text.index(END) + len(END)
    return text[:start] + columns_markdown() + text[end:]


def main(argv: list[str]) -> int:
    text = DOC.read_text(encoding="utf-8")
    fresh = replace_section(text)
    if "--check" in argv:
        if fresh != text:
            print(f"{DOC}: the columns section differs from storage/csvio/spec.py; "
                  "run python -m storage.csvio.docs", file=sys.stderr)
            return 1
        return 0
    DOC.write_text(fresh, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
