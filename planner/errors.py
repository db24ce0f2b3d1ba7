"""Errors a person can act on. The command line prints `str(error)` on one
line and exits non-zero; the app shows it as a notice. Never a traceback."""


class CaseloadError(Exception):
    """A problem the user can fix: bad input, a missing file, a refused edit."""

    exit_code = 2


class ConfigError(CaseloadError):
    """The policy file has an unknown key or a bad value."""


class DatabaseUnavailable(CaseloadError):
    """The database cannot be opened or reached, or is busy: try again (README exit status 4)."""

    exit_code = 4


class FileProblem(CaseloadError):
    """A file to read or write cannot be: missing, a folder, a link, already
    there, no room (README exit status 5)."""

    exit_code = 5


class ConflictError(CaseloadError):
    """Someone else changed the record since it was read; nothing was written."""

    exit_code = 3


class NotALead(CaseloadError):
    """The signed-in practitioner is not a team lead: the team screen,
    rebalancing and supervision are led by team leads (exit status 2)."""
