"""The relationship-risk rules of docs/rules.md (rules v2), one small pure function per rule id.

Every rule takes a `RuleContext` (one case, the world, the as-of date and the
policy) and returns a list of `Warning`s, usually empty or one long. The
context works out the shared facts once per case (the gap, the threshold T,
the due date, the practitioner's own last contact, the run of missed
contacts...) in one walk over the contacts from the newest back, and caches
them, so running all sixteen rules over a case costs little more than
running one.

Every warning says what to do (`action`, a few words with a date: "book a
contact before Thu 3 Dec"). `info` is a status, not a warning (docs/rules.md): it
is shown, never counted (planner/risk.py).

All day counts are calendar days (`as_of` minus a date); contacts dated after
`as_of` are ignored except where a rule says "booked". A contact is a
practitioner's when they held it or were there (`Contact.involves`: the
incoming practitioner named at a three-way meeting). Case collections are in
date order (planner/model.py). docs/rules.md says what each rule is for,
its severity, its action and its policy keys.
"""

from __future__ import annotations

from planner.appointments import appointment_dates, next_appointment_date
from planner.rules.absences import merged_absences
from planner.rules.contact import (
    contact_due,
    contact_overdue,
    first_contact,
    missed_appointments,
    no_appointment,
    practitioner_cancelled,
    relationship_gap,
)
from planner.rules.context import (
    CONTACT_RULES,
    SENSITIVE_FLAGS,
    ContactScan,
    RuleContext,
    RuleFunction,
    lazy_property,
)
from planner.rules.continuity import (
    Churn,
    churn,
    early_break,
    early_window,
    practitioner_churn,
)
from planner.rules.cover import cover_needed
from planner.rules.order_ending import order_ending
from planner.rules.release import release_coming
from planner.rules.turning_18 import turning_18
from planner.rules.handovers import (
    ITEM_ACTIONS,
    cold_handover,
    handover_unplanned,
    handover_upcoming,
)
from planner.rules.voice import alliance_low, checkin_due
from planner.rules.warning import HIGH, INFO, LOW, MEDIUM, Warning
from planner.words import fmt_date, fmt_day

__all__ = [
    "CONTACT_RULES",
    "HIGH",
    "INFO",
    "ITEM_ACTIONS",
    "LOW",
    "MEDIUM",
    "RULE_FUNCTIONS",
    "SENSITIVE_FLAGS",
    "Churn",
    "ContactScan",
    "RuleContext",
    "RuleFunction",
    "Warning",
    "appointment_dates",
    "churn",
    "fmt_date",
    "fmt_day",
    "lazy_property",
    "merged_absences",
    "next_appointment_date",
    "first_contact",
    "contact_overdue",
    "contact_due",
    "no_appointment",
    "relationship_gap",
    "early_window",
    "early_break",
    "handover_upcoming",
    "handover_unplanned",
    "cold_handover",
    "practitioner_churn",
    "missed_appointments",
    "practitioner_cancelled",
    "cover_needed",
    "alliance_low",
    "checkin_due",
    "release_coming",
    "order_ending",
    "turning_18",
]

#: Every rule, in the order of docs/rules.md (the order warnings of equal severity are listed in).
RULE_FUNCTIONS: tuple[RuleFunction, ...] = (
    first_contact,
    contact_overdue,
    contact_due,
    no_appointment,
    relationship_gap,
    early_window,
    early_break,
    handover_upcoming,
    handover_unplanned,
    cold_handover,
    practitioner_churn,
    missed_appointments,
    practitioner_cancelled,
    cover_needed,
    alliance_low,
    checkin_due,
    release_coming,
    order_ending,
    turning_18,
)
