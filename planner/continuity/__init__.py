"""Relationship continuity by month (SPEC §12, docs/continuity.md): the
measures (`measures`) and the report that puts them together (`report`,
whose names are importable from here)."""

from planner.continuity import report as _report
from planner.continuity.report import *  # noqa: F403 - the report's public names

__all__ = list(_report.__all__)
