"""The sections of the relationship-risk rules (docs/rules.md), one per rule id."""

from __future__ import annotations

from functools import partial

from planner.policy.shape import (
    ANSWER,
    COUNT,
    DAYS,
    DAYS_OR_ZERO,
    MULTIPLIER,
    WEIGHT,
    WORKING_DAYS,
    Section,
    frozen_section,
    keyed_section,
    same_check,
    section,
    setting,
)

# --------------------------------------------------------------------------
# docs/rules.md: relationship-risk rules
#
# The sections are built once, at import, on the app's start-up path: frozen
# dataclasses without slots (a few instances, nothing needs them, and
# `slots=True` builds every class twice) whose repr, == and hash are
# Section's (planner/policy/shape.py), each with a docstring (without one,
# `dataclass` works one out with `inspect.signature`).


@frozen_section
class LevelThreshold(Section):
    """Gap threshold T in calendar days for one contact level."""

    early: int = setting(14, DAYS)  # while the current relationship is in the early window
    after: int = setting(28, DAYS)  # after the early window


_LEVEL_DAYS = {"intensive": (7, 14), "enhanced": (7, 21), "standard": (14, 28), "low": (14, 42)}  # (early, after)
Thresholds = keyed_section(
    "Thresholds", "Gap threshold T by contact level (`[thresholds.<level>]`).", __name__,
    {
        level: (LevelThreshold, section(LevelThreshold, partial(LevelThreshold, early, after)))
        for level, (early, after) in _LEVEL_DAYS.items()
    },
)


@frozen_section
class EarlyWindow(Section):
    """How long a relationship counts as new (`early_window`)."""

    days: int = setting(84, DAYS)  # the current relationship is "new" while under this age


@frozen_section
class ContactOverdue(Section):
    """When a contact past its due date turns from medium to high (`contact_overdue`)."""

    high_multiplier: float = setting(1.5, MULTIPLIER)  # high when gap > multiplier x T...
    booked_within_days: int = setting(7, DAYS_OR_ZERO)  # ...and nothing is booked within this many days


@frozen_section
class ContactDue(Section):
    """How early a contact falls due (`contact_due`): lead = min(max, max(min, floor((T + 2) / 4)))."""

    max_lead_days: int = setting(7, DAYS)
    min_lead_days: int = setting(1, DAYS)


@frozen_section
class RelationshipGap(Section):
    """The practitioner's own gap that warns (`relationship_gap`)."""

    multiplier: float = setting(2.0, MULTIPLIER)  # own gap (absences not counted) > multiplier x T


@frozen_section
class FirstContact(Section):
    """The first-contact deadline with a new practitioner (`first_contact`)."""

    working_days: int = setting(5, WORKING_DAYS)  # deadline: nth working day after allocation start
    intensive_working_days: int = setting(2, WORKING_DAYS)
    lookahead_days: int = setting(7, DAYS_OR_ZERO)  # warn (low) this many days before the deadline


@frozen_section
class EarlyBreak(Section):
    """A new relationship that will break before its early window ends (`early_break`)."""

    absence_working_days: int = setting(10, WORKING_DAYS)  # absences this long (working days) break it


@frozen_section
class HandoverUpcoming(Section):
    """A planned handover with checklist items late or falling due (`handover_upcoming`)."""

    horizon_days: int = setting(28, DAYS)  # handovers this many days ahead or sooner (or past)
    soon_days: int = setting(3, DAYS_OR_ZERO)  # items due within this many days count as well as late ones
    high_within_days: int = setting(3, DAYS_OR_ZERO)  # high: a late item and this many days or fewer to go


@frozen_section
class HandoverUnplanned(Section):
    """A departure or long absence with no handover planned (`handover_unplanned`)."""

    horizon_days: int = setting(56, DAYS)
    long_absence_days: int = setting(28, DAYS)  # absences this long (calendar days), or open-ended
    high_within_days: int = setting(14, DAYS_OR_ZERO)


@frozen_section
class ColdHandover(Section):
    """How long a cold or slow handover keeps warning until reviewed (`cold_handover`)."""

    window_days: int = setting(84, DAYS)


@frozen_section
class PractitionerChurn(Section):
    """How many practitioners within a window warn of churn (`practitioner_churn`)."""

    window_days: int = setting(365, DAYS)
    medium_at: int = setting(3, COUNT)
    high_at: int = setting(4, COUNT)
    youth_high_at: int = setting(3, COUNT)  # for a child
    short_allocation_days: int = setting(14, DAYS)  # shorter ones with no meaningful contact are not counted


@frozen_section
class MissedAppointments(Section):
    """Runs of missed contacts that warn (`missed_appointments`)."""

    medium_at: int = setting(2, COUNT)
    high_at: int = setting(3, COUNT)


@frozen_section
class PractitionerCancelled(Section):
    """Contacts cancelled by the practitioner's side (`practitioner_cancelled`)."""

    window_days: int = setting(56, DAYS)
    medium_at: int = setting(2, COUNT)
    high_at: int = setting(3, COUNT)


@frozen_section
class CoverNeeded(Section):
    """How far ahead an absence without cover warns (`cover_needed`)."""

    horizon_days: int = setting(28, DAYS)


@frozen_section
class AllianceLow(Section):
    """The person's check-ins that warn (`alliance_low`, docs/voice.md)."""

    window_days: int = setting(84, DAYS)  # the latest check-in with the current practitioner, this recent
    low_answer: int = setting(2, ANSWER)  # an answer at or below this
    drop: int = setting(3, COUNT)  # or a total this much below the previous check-in with the same practitioner


@frozen_section
class CheckinDue(Section):
    """When a relationship is due a check-in (`checkin_due`, docs/voice.md)."""

    relationship_days: int = setting(28, DAYS)  # a relationship older than this
    window_days: int = setting(84, DAYS)  # with no check-in with the current practitioner this recent


@frozen_section
class ReleaseComing(Section):
    """A custody case coming up to release (`release_coming`, §11)."""

    window_days: int = setting(56, DAYS)  # release within this many days...
    no_contact_days: int = setting(28, DAYS)  # ...and no own meaningful contact in this many days: medium
    high_within_days: int = setting(14, DAYS_OR_ZERO)  # high when the release is this near


@frozen_section
class OrderEnding(Section):
    """The end of an order or licence (`order_ending`, a status)."""

    window_days: int = setting(28, DAYS)


@frozen_section
class Turning18(Section):
    """A child turning 18 without a transition planned (`turning_18`)."""

    window_days: int = setting(182, DAYS)
    high_within_days: int = setting(56, DAYS_OR_ZERO)


SeverityWeights = keyed_section(
    "SeverityWeights", "Risk-score points per warning severity (`severity_weights`).", __name__,
    same_check(int, WEIGHT, {"high": 100, "medium": 10, "low": 1}),
)
