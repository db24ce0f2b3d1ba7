"""Parameter types shared by every `caseload` command module.

Kept apart from `tui.cli` so command modules can import them at the top
without importing the group that registers them.
"""

from __future__ import annotations

from datetime import date

import click


class DateType(click.ParamType):
    """An ISO date (YYYY-MM-DD); anything else is a usage error naming the option."""

    name = "DATE"

    def convert(self, value, param, ctx):
        if isinstance(value, date):
            return value
        try:
            return date.fromisoformat(value)
        except ValueError:
            self.fail(f"{value!r} is not a date (use YYYY-MM-DD)", param, ctx)


DATE = DateType()
