"""The warning a rule returns, and its severities (docs/rules.md)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from planner.model import fast_constructor

#: The severities (docs/rules.md); `info` is a status, not a warning, and is never counted.
HIGH, MEDIUM, LOW, INFO = "high", "medium", "low", "info"


@dataclass(frozen=True, slots=True)
class Warning:  # noqa: A001 - the name is the contract (docs/rules.md)
    """One relationship-risk warning (or, with severity `info`, a status) for
    one case (docs/rules.md): a plain-words `title`, a `detail` with the numbers
    behind it, an `action` saying what to do and by when, and `facts`."""

    case_ref: str
    practitioner_id: str | None
    rule: str
    severity: str
    title: str
    detail: str
    action: str = ""
    facts: dict[str, Any] = field(default_factory=dict, hash=False)


# Warning(...) without the frozen __init__ (a region makes ten thousand).
make_warning = fast_constructor(Warning)
