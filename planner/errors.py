"""Errors a person can act on. The command line prints `str(error)` on one
line and exits non-zero; the app shows it as a notice. Never a traceback."""


class CaseloadError(Exception):
    """A problem the user can fix: bad input, a missing file, a refused edit."""

    exit_code = 2


class ConfigError(CaseloadError):
    """The policy file has an unknown key or a bad value."""


class ConflictError(CaseloadError):
    """Someone else changed the record since it was read; nothing was written."""

    exit_code = 3
