"""Parameter types shared by every `caseload` command module.

Kept apart from `tui.cli` so command modules can import them at the top
without importing the group that registers them.
"""

from __future__ import annotations

from datetime import date

import click


def iso_date(value: str) -> date:
    """An ISO date within the dates a record may hold (planner.validate:
    1900-01-01 to 2999-12-31, so that counting days from it never leaves the
    calendar); ValueError with the reason otherwise."""
    from planner.validate import EARLIEST, LATEST

    try:
        day = date.fromisoformat(value)
    except ValueError:
        raise ValueError(f"{value!r} is not a date (use YYYY-MM-DD)") from None
    if not EARLIEST <= day <= LATEST:
        raise ValueError(f"{value!r} is out of range (dates run from {EARLIEST} to {LATEST})")
    return day


class DateType(click.ParamType):
    """An ISO date (YYYY-MM-DD) from 1900 to 2999; anything else is a usage
    error naming the option."""

    name = "DATE"

    def convert(self, value, param, ctx):
        if isinstance(value, date):
            return value
        try:
            return iso_date(value)
        except ValueError as exc:
            self.fail(str(exc), param, ctx)


DATE = DateType()
