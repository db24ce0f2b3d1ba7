"""The team server's own refusal, said the same way by the app and the
command line."""

from __future__ import annotations


def refused_by_the_database(exc: BaseException) -> str | None:
    """The first line of the team server's refusal (insufficient_privilege,
    SQLSTATE 42501: its row-level security, README "Team server"), on the
    driver's error or on SQLAlchemy's wrapping of it; else None. Its words name
    a table or policy, never a row's data. The app's notice
    (tui/screens/loading.py) and the command line's message
    (tui/cli/errors.py) both say it."""
    for error in (exc, getattr(exc, "orig", None)):
        if getattr(error, "sqlstate", None) == "42501":
            return str(error).strip().splitlines()[0] if str(error).strip() else "not allowed for this login"
    return None
