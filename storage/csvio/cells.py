"""Formula escaping of cells (README, Where data lives; docs/csv.md "Formula escaping").

Spreadsheets run a cell that starts with `=`, `+`, `-` or `@` (or a tab or
carriage return) as a formula. The exporter therefore writes such a cell with
one added leading single quote: `=HYPERLINK("x")` is written
`'=HYPERLINK("x")`. The importer strips exactly that added quote again: a cell
that starts with `'` followed by (any further quotes and then) one of those
characters loses its first quote. To keep this reversible a value that itself
starts with quotes before such a character gets one more quote on export, so
every value round-trips unchanged. A value starting with a quote followed by
anything else (`'tis`) is neither escaped nor stripped.
"""

from __future__ import annotations

__all__ = ["escape_cell", "unescape_cell"]

_ESCAPE_START = ("=", "+", "-", "@", "\t", "\r")


def escape_cell(value: str) -> str:
    """The cell as exported: one `'` added before a value that a spreadsheet
    would run as a formula (see the module docstring)."""
    if value and (value[0] in _ESCAPE_START or (value[0] == "'" and value.lstrip("'")[:1] in _ESCAPE_START)):
        return "'" + value
    return value


def unescape_cell(value: str) -> str:
    """The inverse of `escape_cell`: strips exactly the one added quote."""
    if value[:1] == "'" and value[1:].lstrip("'")[:1] in _ESCAPE_START and len(value) > 1:
        return value[1:]
    return value

