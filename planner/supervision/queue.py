"""The supervision review queue and its progress (README supervision):
cases flagged for discussion first, then cases whose person has concerns
about a change of practitioner or asks for someone else (their view on the
handover's `told` or `review` item), then cold handovers, then cases new in
the early window, then the rest; inside each band by risk score (highest
first), then case_ref."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

from planner.model import Case
from planner.policy import DEFAULT_POLICY, Policy
from planner.relationship import relationship_days
from planner.risk import SEVERITY_ORDER, CaseRisk, Warning

#: Why a case sits where it does in the queue, in queue order.
QUEUE_BANDS = ("flagged", "persons_view", "cold_handover", "new", "risk")
_BAND_LABELS = {
    "flagged": "flagged for discussion",
    "persons_view": "the person has concerns or asks for someone else",
    "cold_handover": "cold handover",
    "new": "new relationship",
    "risk": "",
}


@dataclass(frozen=True, slots=True)
class QueueItem:
    """One case in the supervision queue. `display_name` is personal data."""

    case: Case
    warnings: tuple[Warning, ...]
    score: int
    band: str  # one of QUEUE_BANDS
    position: int  # 0-based place in the queue
    relationship_days: int | None = None

    @property
    def case_ref(self) -> str:
        return self.case.case_ref

    @property
    def display_name(self) -> str:
        return self.case.display_name

    @property
    def high_risk(self) -> bool:
        return any(w.severity == "high" for w in self.warnings)

    @property
    def top_severity(self) -> str | None:
        """The worst severity that counts (statuses aside), or None."""
        first = self.warnings[0].severity if self.warnings else None
        return first if first in SEVERITY_ORDER else None

    @property
    def reason(self) -> str:
        """Why the case is early in the queue ("" for the risk-ordered rest)."""
        return _BAND_LABELS[self.band]


#: The views of a handover's `told` or `review` item (planner.checklist VIEWS) that bring a case forward.
UNEASY_VIEWS = ("concerns", "asks_for_other")


def persons_view(case: Case) -> str | None:
    """The person's latest recorded view of a change of practitioner: the
    `review` item's, else the `told` item's, of the case's latest handover
    that is open or completed (docs/voice.md, SPEC §4); None if none recorded."""
    for handover in reversed(case.handovers):
        if not (handover.is_open or handover.is_completed):
            continue
        views = {item.item_id: item.view for item in handover.items if item.view}
        return views.get("review") or views.get("told")
    return None


def review_queue(
    cases_with_risk: Iterable[CaseRisk],
    flagged_refs: Iterable[str],
    as_of: date,
    policy: Policy = DEFAULT_POLICY,
) -> list[QueueItem]:
    """The caseload in supervision order: flagged for discussion, then cold
    handovers, then new relationships (current allocation younger than the
    early window), then everyone else; each band by risk score desc, case_ref."""
    flagged = {flagged_refs} if isinstance(flagged_refs, str) else set(flagged_refs)
    window = policy.early_window.days
    staged: list[tuple[int, int, str, CaseRisk, str, int | None]] = []
    for risk in cases_with_risk:
        case = risk.case
        age = relationship_days(case, as_of)
        if case.case_ref in flagged:
            band = "flagged"
        elif persons_view(case) in UNEASY_VIEWS:
            band = "persons_view"
        elif any(w.rule == "cold_handover" for w in risk.warnings):
            band = "cold_handover"
        elif age is not None and 0 <= age < window:
            band = "new"
        else:
            band = "risk"
        staged.append((QUEUE_BANDS.index(band), -risk.score, case.case_ref, risk, band, age))
    staged.sort(key=lambda row: row[:3])
    return [
        QueueItem(risk.case, tuple(risk.warnings), risk.score, band, position, age)
        for position, (_, _, _, risk, band, age) in enumerate(staged)
    ]


@dataclass(frozen=True, slots=True)
class Progress:
    total: int
    reviewed: int
    high_risk_total: int
    high_risk_left: int

    @property
    def left(self) -> int:
        return self.total - self.reviewed

    @property
    def done(self) -> bool:
        return self.total > 0 and self.reviewed >= self.total

    @property
    def text(self) -> str:
        """ "12 of 41 reviewed, 5 high-risk left" """
        return f"{self.reviewed} of {self.total} reviewed, {self.high_risk_left} high-risk left"

    def __str__(self) -> str:
        return self.text


def progress(queue: Sequence[QueueItem], reviewed_refs: Iterable[str]) -> Progress:
    """How far the session has got through the queue. A high-risk case is one
    with at least one high warning; refs not in the queue are not counted."""
    reviewed = set(reviewed_refs)
    in_queue = [item for item in queue if item.case_ref in reviewed]
    high = [item for item in queue if item.high_risk]
    return Progress(
        total=len(queue),
        reviewed=len(in_queue),
        high_risk_total=len(high),
        high_risk_left=sum(1 for item in high if item.case_ref not in reviewed),
    )


def next_unreviewed(
    queue: Sequence[QueueItem], reviewed_refs: Iterable[str], after: int = -1
) -> QueueItem | None:
    """The first case after position `after` not yet reviewed, wrapping round;
    None when every case is reviewed."""
    reviewed = set(reviewed_refs)
    count = len(queue)
    for step in range(1, count + 1):
        item = queue[(after + step) % count]
        if item.case_ref not in reviewed:
            return item
    return None
