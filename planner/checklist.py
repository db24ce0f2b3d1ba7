"""The warm handover checklist of docs/handovers.md, as data, and the items that data ticks.

`build_checklist` turns the template into dated `ChecklistItem`s for one
handover date D: an item due on a weekend or bank holiday moves to the
working day before (items due on or before D) or after (items due after D).
`auto_ticks` says which items the case's own records already satisfy (a
three-way meeting the incoming practitioner was at, a first appointment
booked with them, a first contact held) and since when. Both are pure: the
caller passes the working-day calendar and the as-of date.

`told` and `review` record the person's view (`VIEWS`, with their words);
`summary` needs the summary text. `check_tick` says what a tick needs.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import date, timedelta

from planner.calendar import WorkingDays
from planner.errors import CaseloadError
from planner.model import Case, ChecklistItem, Contact, Handover
from planner.policy import DEFAULT_POLICY, Policy
from planner.appointments import appointment_dates

OWNERS = ("outgoing", "incoming", "lead")

#: The person's view, recorded on `told` and `review` (docs/handovers.md).
VIEWS = ("agrees", "concerns", "asks_for_other")
VIEW_WORDS = {"agrees": "agrees", "concerns": "has concerns", "asks_for_other": "asks for someone else"}
#: Items that record the person's view: they cannot be ticked without it.
VIEW_ITEMS = ("told", "review")

#: Summary prompts for the outgoing practitioner's handover summary (`summary`).
HANDOVER_PROMPTS: tuple[str, ...] = (
    "What works in the relationship: how the person likes to be contacted, what helps them engage.",
    "Goals the person is working towards, in their own words.",
    "Risks, and what helps to manage them.",
    "What the person does not want to have to repeat to a new practitioner.",
)

#: Days before D in which a three-way meeting counts towards `three_way`.
THREE_WAY_WINDOW_DAYS = 28


@dataclass(frozen=True, slots=True)
class ItemTemplate:
    """One checklist line: due `offset_days` calendar days from D (moved off a
    weekend or bank holiday: to the working day before when on or before D,
    after when after D), or, for the first contact, on the n-th working day
    after D (D not counted), where n is `policy.first_contact.working_days`
    (5 by default, as docs/handovers.md says)."""

    item_id: str
    title: str
    owner: str
    required: bool
    offset_days: int = 0
    first_contact_deadline: bool = False

    def due_for(
        self, planned_on: date, working_days: WorkingDays, policy: Policy = DEFAULT_POLICY
    ) -> date:
        if self.first_contact_deadline:
            return first_contact_deadline(planned_on, working_days, policy)
        due = planned_on + timedelta(days=self.offset_days)
        if working_days.is_working(due):
            return due
        return working_days.add(due, 1 if self.offset_days > 0 else -1)


TEMPLATE: tuple[ItemTemplate, ...] = (
    ItemTemplate("told", "Person told about the change and why; their view recorded",
                 "outgoing", True, -14),
    ItemTemplate("summary", "Handover summary: what works, goals, risks, what not to repeat",
                 "outgoing", True, -7),
    ItemTemplate("read", "Incoming practitioner has read the record and the summary",
                 "incoming", True, -3),
    ItemTemplate("three_way", "Three-way meeting held (outgoing, incoming, person)",
                 "outgoing", True, 0),
    ItemTemplate("booked", "First appointment with the incoming practitioner booked",
                 "incoming", True, 0),
    ItemTemplate("reachable", "Outgoing practitioner reachable for questions for 2 weeks",
                 "outgoing", False, 14),
    ItemTemplate("first_contact", "First meaningful contact with the incoming practitioner",
                 "incoming", True, first_contact_deadline=True),
    ItemTemplate("review", "Four-week check with the person; their view recorded",
                 "lead", True, 28),
)

#: Group items added by the case's flags ("youth" stands for `Case.youth`):
#: each the outgoing practitioner's, required, due a week before the handover.
FLAG_ITEMS: dict[str, ItemTemplate] = {
    flag: ItemTemplate(item_id, title, "outgoing", True, -7)
    for flag, (item_id, title) in {
        "youth": ("carers_told", "Parents or carers informed"),
        "care_experienced": ("social_worker_told", "Social worker told"),
        "safeguarding": ("safeguarding_lead_told", "Safeguarding lead told"),
        "victim_contact": ("vlo_told", "Victim liaison officer told"),
        "approved_premises": ("ap_keyworker_told", "Approved premises keyworker told"),
        "opd": ("opd_consulted", "Offender personality disorder pathway consulted"),
        "restorative_justice": ("rj_facilitator_told", "Restorative justice facilitator told"),
    }.items()
}


#: §11: a handover of a case of high or very high RoSH, or managed under MAPPA.
RISK_ITEM = ItemTemplate("risk_plan_shared", "Risk management plan shared with the incoming practitioner",
                         "outgoing", True, -7)


def missing_risk_item(case: Case, handover: Handover, working_days: WorkingDays,
                      policy: Policy | None = None) -> ChecklistItem | None:
    """The `risk_plan_shared` item (`RISK_ITEM`, due D−7) that an open handover
    of a high-risk case (§11) lacks because the case became high risk after the
    handover was planned; None when it has the item, is not open, or the case
    is not high risk. An item once added stays when the risk drops again
    (docs/handovers.md, "Risk after planning")."""
    if not handover.is_open or not case.high_risk or any(i.item_id == RISK_ITEM.item_id for i in handover.items):
        return None
    return ChecklistItem(item_id=RISK_ITEM.item_id, title=RISK_ITEM.title, required=RISK_ITEM.required,
                         due=RISK_ITEM.due_for(handover.planned_on, working_days, policy or DEFAULT_POLICY),
                         owner=RISK_ITEM.owner)


def first_contact_deadline(
    planned_on: date, working_days: WorkingDays, policy: Policy = DEFAULT_POLICY
) -> date:
    """The last day for the incoming practitioner's first appointment and contact."""
    return working_days.add(planned_on, policy.first_contact.working_days)


#: Added to the three-way item's title when the person needs an interpreter (docs/voice.md).
INTERPRETER_NOTE = "; an interpreter is needed"


def templates_for(case: Case) -> tuple[ItemTemplate, ...]:
    """The template lines that apply to `case`: the standard items (the
    three-way noting an interpreter when the person needs one), then its
    group items, then `risk_plan_shared` for a high-risk case (§11)."""
    group = tuple(
        item for flag, item in FLAG_ITEMS.items()
        if (case.youth if flag == "youth" else flag in case.flags)
    )
    base = TEMPLATE
    if case.interpreter:
        base = tuple(replace(t, title=t.title + INTERPRETER_NOTE) if t.item_id == "three_way" else t for t in base)
    return base + group + ((RISK_ITEM,) if case.high_risk else ())


def build_checklist(
    case: Case,
    planned_on: date,
    working_days: WorkingDays,
    policy: Policy | None = None,
) -> tuple[ChecklistItem, ...]:
    """The open checklist for a handover of `case` on `planned_on` (D), ordered
    by due date, then template order."""
    policy = policy or DEFAULT_POLICY
    templates = templates_for(case)
    dated = [(t.due_for(planned_on, working_days, policy), i, t) for i, t in enumerate(templates)]
    dated.sort(key=lambda row: (row[0], row[1]))
    return tuple(
        ChecklistItem(item_id=t.item_id, title=t.title, required=t.required, due=due, owner=t.owner)
        for due, _, t in dated
    )


def auto_ticks(
    case: Case,
    handover: Handover,
    as_of: date,
    working_days: WorkingDays,
    policy: Policy | None = None,
) -> dict[str, date]:
    """Item id -> the date by which the case's records show it done.

    - `three_way`: an attended `three_way` contact from 28 days before D up
      to D that the incoming practitioner was at: recorded by them, or by
      the outgoing practitioner naming them as `with_practitioner_id`
      (`incoming_was_there`); the date of the first such contact. One held
      by the outgoing practitioner alone does not count.
    - `booked`: an appointment (or a series occurrence) that is not a
      `three_way`, with the incoming practitioner, in the 5 working days
      after D (`policy.first_contact.working_days`; D itself not counted).
      Booking the three-way meeting does not tick it. The records do not say
      when it was booked, so the date is the earlier of as-of and the
      appointment's date.
    - `first_contact`: a meaningful contact held by the incoming practitioner
      on or after D; its date.

    Nothing dated after `as_of` counts."""
    d = handover.planned_on
    incoming = handover.to_practitioner_id
    contacts = [c for c in case.contacts if c.contact_date <= as_of]
    ticks: dict[str, date] = {}

    three_way = _first(
        c.contact_date for c in contacts
        if c.kind == "three_way" and c.outcome == "attended"
        and d - timedelta(days=THREE_WAY_WINDOW_DAYS) <= c.contact_date <= d
        and incoming_was_there(c, handover)
    )
    if three_way:
        ticks["three_way"] = three_way

    window_end = first_contact_deadline(d, working_days, policy or DEFAULT_POLICY)
    booked = _first(
        day for appt in case.appointments
        if appt.practitioner_id == incoming and appt.kind != "three_way"
        for day in appointment_dates(appt, d + timedelta(days=1), window_end)
    )
    if booked:
        ticks["booked"] = min(booked, as_of)

    first_contact = _first(
        c.contact_date for c in contacts
        if c.meaningful and c.practitioner_id == incoming and c.contact_date >= d
    )
    if first_contact:
        ticks["first_contact"] = first_contact
    return ticks


def incoming_was_there(contact: Contact, handover: Handover) -> bool:
    """The incoming practitioner was at this contact: they recorded it, or the
    outgoing practitioner recorded it naming them as `with_practitioner_id`
    (docs/words.md; a contact without that field names no second practitioner)."""
    incoming = handover.to_practitioner_id
    if contact.practitioner_id == incoming:
        return True
    return (contact.practitioner_id == handover.from_practitioner_id
            and getattr(contact, "with_practitioner_id", None) == incoming)


def check_tick(item_id: str, *, view: str | None = None, words: str | None = None,
               summary: str | None = None) -> None:
    """Refuse (CaseloadError, one line) a tick that docs/handovers.md does not allow:
    `told` and `review` without the person's view (one of `VIEWS`) and their
    words; `summary` while the summary text is empty. A view given for
    another item is refused too."""
    if item_id in VIEW_ITEMS:
        if view is None or not view.strip():
            raise CaseloadError(
                f"{item_id} records the person's view: give it ({', '.join(VIEWS)}) and their words"
            )
        if view not in VIEWS:
            raise CaseloadError(f"unknown view {view!r}; expected one of {', '.join(VIEWS)}")
        if words is None or not words.strip():
            raise CaseloadError(f"{item_id}: write the person's own words about the change")
    elif view is not None or words is not None:
        raise CaseloadError(f"only {' and '.join(VIEW_ITEMS)} record the person's view, not {item_id}")
    if item_id == "summary" and not (summary and summary.strip()):
        raise CaseloadError("the handover summary is empty: write it before ticking summary")


def _first(days: Iterable[date]) -> date | None:
    return min(days, default=None)
