"""What the handover screens read and write, for their thread workers.

The handover screen (one case), the team view of open handovers and the
departures planning list call these functions from `@work(thread=True)`
workers; each opens one short session through the app's `Gateway`, reads
(or writes and commits, one transaction) and returns plain frozen views.
Nothing here touches a widget or decides a rule: the checklist, completion
and departures rules are `planner.handover`, `planner.departures` and
`storage.handovers`.

Auto-ticks: `sync_team_ticks` writes the checklist ticks that the records
give (`storage.handovers.sync_auto_ticks_now`) for the handovers of one
team; the caseload screen calls it in a worker once its rows are painted
(`Gateway.caseload` itself only reads, applying the ticks in memory with
`storage.handovers.with_auto_ticks`), and the handover screens call it
before they read, so what they show follows the records.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field, replace
from datetime import date, time, timedelta

from planner.errors import CaseloadError
from planner.model import Practitioner

log = logging.getLogger("caseload.tui")

#: Item owner -> who that is, in words, on the screen.
OWNER_WORDS = {"outgoing": "outgoing", "incoming": "incoming", "lead": "team lead"}


# ----------------------------------------------------------------------------- views


@dataclass(frozen=True)
class HandoverScreenView:
    """One case's handover (open, else its latest) and who does what."""

    handover: object  # storage.handovers.HandoverView
    leads: tuple[tuple[str, str], ...]  # (practitioner_id, name) of the outgoing team's leads
    prompts: tuple[str, ...]
    as_of: date
    incoming_appointments: tuple[tuple[date, str], ...] = ()  # (day, kind) booked with the receiver
    receivers: tuple[tuple[str, str], ...] = ()  # (label, practitioner_id) who could receive instead

    @property
    def case_ref(self) -> str:
        return self.handover.case_ref

    def leads_it(self, practitioner_id: str | None) -> bool:
        """May this person do a team lead's part here (review, overrides)?
        The administrator (no practitioner) may; storage has the last word."""
        return practitioner_id is None or practitioner_id in {pid for pid, _ in self.leads}


@dataclass(frozen=True)
class TeamHandoverRow:
    case_ref: str
    display_name: str
    from_id: str
    to_id: str
    planned_on: date
    days_away: int
    status: str
    done: int
    total: int
    required_open: int
    overdue: int
    next_title: str | None
    next_id: str | None
    next_due: date | None
    handover_id: int  # the row's key: a case may have a completed one with follow-ups open and a new one
    follow_up: bool = False  # completed; follow-up items still open

    def matches(self, text: str) -> bool:
        text = text.strip().lower()
        return not text or text in self.case_ref.lower() or text in self.display_name.lower()


@dataclass(frozen=True)
class Departure:
    """A practitioner of the team who leaves or goes away within the horizon."""

    practitioner_id: str
    name: str
    what: str  # "leaves on 18 Dec 2026" ...
    needs_handover: bool


@dataclass(frozen=True)
class TeamHandoversView:
    as_of: date
    team_id: str | None
    team_name: str
    rows: tuple[TeamHandoverRow, ...]
    departures: tuple[Departure, ...] = ()
    is_lead: bool = False


@dataclass(frozen=True)
class PlanRow:
    """One row of the departures list, as the lead edits it: the planner's
    `DepartureItem` (date, receiver, reason, notice) and the person's name."""

    item: object  # planner.departures.DepartureItem
    display_name: str
    changed: bool = False  # the lead chose another receiver or date

    @property
    def case_ref(self) -> str:
        return self.item.case_ref

    @property
    def tier(self) -> str | None:
        return self.item.tier

    @property
    def to_id(self) -> str | None:
        return self.item.to_practitioner_id

    @property
    def reason(self) -> str:
        return self.item.reason

    @property
    def planned_on(self) -> date:
        return self.item.planned_on

    @property
    def handover_reason(self) -> str:
        return self.item.handover_reason

    @property
    def candidates(self) -> tuple[tuple[str, str], ...]:
        return tuple((c.practitioner_id, c.reason) for c in self.item.candidates)

    @property
    def notes(self) -> tuple[str, ...]:
        return self.item.notes

    @property
    def short_notice(self) -> bool:
        return self.item.short_notice


@dataclass(frozen=True)
class CoverRow:
    case_ref: str
    display_name: str
    cover_id: str | None
    reason: str
    candidates: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class DeparturesView:
    as_of: date
    practitioner: Practitioner | None
    event: str  # in words; "" when there is nothing to plan
    rows: tuple[PlanRow, ...] = ()
    covers: tuple[CoverRow, ...] = ()
    cover_event: str = ""
    receivers: tuple[tuple[str, str], ...] = ()  # (practitioner_id, "N1-04 · name (PO)") of the team
    names: dict = field(default_factory=dict)
    planned: dict = field(default_factory=dict)  # date -> handovers the practitioner already gives that day


# ----------------------------------------------------------------------------- auto-ticks


def sync_team_ticks(gateway, *, practitioner_id: str | None, as_of: date, actor: str) -> int:
    """Write the ticks the records give for the handovers of the practitioner's
    team (open ones, and follow-ups of recently completed ones); every
    handover when no practitioner is chosen. Returns how many were ticked."""
    from storage.handovers import sync_auto_ticks_now
    from storage.lookups import team_handover_refs

    refs = None
    if practitioner_id:
        with gateway.session() as s:
            _may_see_practitioner(gateway, s, practitioner_id)
            refs = team_handover_refs(s, practitioner_id, as_of)
        if not refs:
            return 0
    count = sync_auto_ticks_now(gateway.engine, as_of=as_of, actor=actor, case_refs=refs, policy=gateway.policy,
                                 opener=gateway.connection)
    if count:
        log.info("auto-ticked %d checklist item(s)", count)  # a count, never names
    return count


# ----------------------------------------------------------------------------- reads


def handover_screen(gateway, case_ref: str, as_of: date, *, actor: str) -> HandoverScreenView:
    """The case's open handover (else its latest), after syncing its auto-ticks."""
    from planner.checklist import HANDOVER_PROMPTS, appointment_dates
    from storage.handovers import handover_detail, sync_auto_ticks_now
    from storage.access import check_case_access
    from storage.queries import list_practitioners, load_case

    with gateway.session() as s:  # nothing of another team's case, not even its ticks
        check_case_access(s, gateway.me(s), case_ref)
    try:
        sync_auto_ticks_now(gateway.engine, as_of=as_of, actor=actor, case_refs=[case_ref], policy=gateway.policy)
    except CaseloadError:
        pass  # shown as it is; the read below says what is wrong
    with gateway.session() as s:
        view = handover_detail(s, case_ref, as_of=as_of)
        practitioners = {p.practitioner_id: p for p in list_practitioners(s)}
        case = load_case(s, case_ref)
    team = practitioners[view.from_id].team_id if view.from_id in practitioners else None
    leads = tuple((p.practitioner_id, p.name) for p in practitioners.values() if p.is_lead and p.team_id == team)
    booked = sorted(
        (day, appt.kind) for appt in case.appointments if appt.practitioner_id == view.to_id
        for day in appointment_dates(appt, as_of, as_of + timedelta(days=60))
    )[:5]
    receivers = tuple(
        (f"{p.practitioner_id} · {p.name} ({p.grade})", p.practitioner_id)
        for p in sorted(practitioners.values(), key=lambda p: p.practitioner_id)
        if p.team_id == team and p.practitioner_id != view.from_id and not p.is_lead
    )
    return HandoverScreenView(view, leads, tuple(HANDOVER_PROMPTS), as_of, tuple(booked), receivers)


def _may_see_practitioner(gateway, s, practitioner_id: str) -> None:
    from storage.access import check_practitioner_visible

    check_practitioner_visible(s, gateway.me(s), practitioner_id)


def has_handover_to_show(case) -> bool:
    """The case screen's `h`: an open handover, or a completed one whose
    required follow-up items (first contact, the four-week review...) are
    still open. With only optional follow-ups open, `h` plans a new one."""
    from planner.handover import follow_up_ids

    if case.open_handover is not None:
        return True
    done = [h for h in case.handovers if h.is_completed]
    return bool(done) and bool(follow_up_ids(done[-1], open_only=True, required_only=True))


def team_handovers(gateway, practitioner_id: str | None, as_of: date) -> TeamHandoversView:
    """Every open handover of the practitioner's team, soonest first, then the
    recently completed ones with follow-up items open; and who is leaving."""
    from planner.departures import departure_events
    from storage.handovers import completed_with_follow_ups, open_handovers
    from storage.queries import load_world

    with gateway.session() as s:
        world = load_world(s)
        me = world.practitioners.get(practitioner_id or "")
        if me is not None:
            _may_see_practitioner(gateway, s, me.practitioner_id)
        team_id = me.team_id if me else None
        views = open_handovers(s, team_id=team_id, as_of=as_of)
        # completed ones still worth a look: a required follow-up (first contact)
        # open, or one due from a week ago on (not an old unticked optional item)
        recent = [v for v in completed_with_follow_ups(s, team_id=team_id, as_of=as_of)
                  if any(i.follow_up and not i.done and (i.required or i.due >= as_of - timedelta(days=7))
                         for i in v.items)]
    rows = [_team_row(v, follow_up=False) for v in views]
    rows += [_team_row(v, follow_up=True) for v in recent]
    departures = []
    for p in sorted(world.practitioners.values(), key=lambda p: p.practitioner_id):
        if team_id is not None and p.team_id != team_id:
            continue
        for event in departure_events(p.practitioner_id, world, as_of, gateway.policy)[:1]:
            departures.append(Departure(p.practitioner_id, p.name, event.describe(), event.needs_handover))
    team = world.teams.get(team_id) if team_id else None
    return TeamHandoversView(as_of, team_id, team.name if team else "all teams", tuple(rows), tuple(departures),
                             bool(me and me.is_lead))


def team_departures(gateway, practitioner_id: str | None, as_of: date) -> tuple[bool, list[Departure]]:
    """(is the practitioner a team lead, the departures of their team): one light read."""
    from planner.departures import departure_events
    from storage.queries import load_world

    with gateway.session() as s:
        world = load_world(s)
        me = world.practitioners.get(practitioner_id or "")
        if me is None:
            return False, []
        _may_see_practitioner(gateway, s, me.practitioner_id)
    out = []
    for p in sorted(world.practitioners.values(), key=lambda p: p.practitioner_id):
        if p.team_id == me.team_id:
            for event in departure_events(p.practitioner_id, world, as_of, gateway.policy)[:1]:
                out.append(Departure(p.practitioner_id, p.name, event.describe(), event.needs_handover))
    return me.is_lead, out


def _team_row(view, *, follow_up: bool) -> TeamHandoverRow:
    if follow_up:  # completed: the next follow-up, not an item settled at completion
        nxt = min((i for i in view.items if i.follow_up and not i.done), key=lambda i: (i.due, i.id), default=None)
    else:
        nxt = view.next_item
    return TeamHandoverRow(
        case_ref=view.case_ref, display_name=view.display_name, from_id=view.from_id, to_id=view.to_id,
        planned_on=view.planned_on, days_away=view.days_away, status=view.status, done=view.done,
        total=view.total, required_open=len(view.required_open), overdue=view.overdue,
        next_title=nxt.title if nxt else None, next_id=nxt.item_id if nxt else None,
        next_due=nxt.due if nxt else None, follow_up=follow_up, handover_id=view.id,
    )


def departures(gateway, practitioner_id: str, as_of: date) -> DeparturesView:
    """The planning list for a practitioner who leaves or goes on a long
    absence (`planner.departures.departure_plan`), and cover for a short one."""
    from planner.departures import cover_suggestions, departure_events, departure_plan, planned_per_day
    from storage.queries import load_cases, load_world

    with gateway.session() as s:
        world = load_world(s)
        person = world.practitioners.get(practitioner_id)
        if person is None:
            raise CaseloadError(f"unknown practitioner {practitioner_id}")
        _may_see_practitioner(gateway, s, practitioner_id)
        cases = load_cases(s, team_id=person.team_id, viewer=gateway.me(s))
    names = {c.case_ref: c.display_name for c in cases}
    policy = gateway.policy
    events = departure_events(practitioner_id, world, as_of, policy)
    plan = departure_plan(practitioner_id, cases, world, as_of, policy)
    covers = cover_suggestions(practitioner_id, cases, world, as_of, policy)
    handover_event = next((e for e in events if e.needs_handover), None)
    short = next((e for e in events if not e.needs_handover), None)
    rows = tuple(PlanRow(item, names.get(item.case_ref, "")) for item in plan)
    cover_rows = tuple(
        CoverRow(c.case_ref, names.get(c.case_ref, ""), c.cover_id, c.reason,
                 tuple((x.practitioner_id, x.reason) for x in c.candidates))
        for c in covers
    )
    receivers = tuple(
        (p.practitioner_id, f"{p.practitioner_id} · {p.name} ({p.grade})")
        for p in sorted(world.practitioners.values(), key=lambda p: p.practitioner_id)
        if p.team_id == person.team_id and p.practitioner_id != practitioner_id and not p.is_lead
    )
    return DeparturesView(
        as_of, person, handover_event.describe() if handover_event else "", rows, cover_rows,
        short.describe() if short else "", receivers,
        {p.practitioner_id: p.name for p in world.practitioners.values()},
        planned_per_day(practitioner_id, cases),
    )


def with_receiver(row: PlanRow, to_id: str, *, as_of: date, policy) -> PlanRow:
    """The row with the receiver the lead chose (the reason says so)."""
    from planner.departures import with_choice

    item = with_choice(row.item, as_of=as_of, to_id=to_id, policy=policy)
    return replace(row, item=item, changed=row.changed or item is not row.item)


def with_date(row: PlanRow, planned_on: date, *, as_of: date, policy) -> PlanRow:
    """The row with the date the lead chose (the notice worked out again)."""
    from planner.departures import with_choice

    item = with_choice(row.item, as_of=as_of, planned_on=planned_on, policy=policy)
    return replace(row, item=item, changed=row.changed or item is not row.item)


@dataclass(frozen=True)
class PlanSummary:
    """What the lead confirms before the departure's handovers are planned."""

    count: int  # rows with a receiver: what will be planned
    first: date | None
    last: date | None
    busiest: int  # the most handovers on one day of the plan, counting those already planned that day
    short_notice: tuple[str, ...]
    missing: tuple[str, ...]  # rows without a receiver (left out)
    late: tuple[str, ...] = ()  # dated after the practitioner goes

    def question(self, who: str, per_day: int) -> str:
        if not self.count:
            return "No row has a receiver: nothing to plan."
        span = (f"on {self.first:%a %d %b}" if self.first == self.last
                else f"from {self.first:%a %d %b} to {self.last:%a %d %b}")
        lines = [f"Plan {self.count} warm handover{'s' if self.count != 1 else ''} of {who}'s cases {span}, "
                 "each with its checklist?"]
        lines.append(f"At most {self.busiest} on one day, with those already planned"
                     + (f" (more than the {per_day} suggested)" if self.busiest > per_day else "") + ".")
        if self.short_notice:
            lines.append(f"Under 14 days' notice: {', '.join(self.short_notice)}.")
        if self.late:
            lines.append(f"After {who} goes (no working day left before): {', '.join(self.late)}.")
        if self.missing:
            lines.append(f"Left out, no receiver yet: {', '.join(self.missing)}.")
        return "\n".join(lines)


def plan_summary(rows, planned: dict | None = None) -> PlanSummary:
    """`planned`: date -> handovers the departing practitioner already gives
    that day (`DeparturesView.planned`), counted in `busiest`."""
    from planner.departures import busiest_day

    ready = [r for r in rows if r.to_id]
    days = {r.planned_on for r in ready}
    return PlanSummary(
        count=len(ready), first=min(days, default=None), last=max(days, default=None),
        busiest=busiest_day((r.item for r in ready), planned or {})[1],
        short_notice=tuple(r.case_ref for r in ready if r.short_notice),
        missing=tuple(r.case_ref for r in rows if not r.to_id),
        late=tuple(r.case_ref for r in ready if r.item.late),
    )


# ----------------------------------------------------------------------------- writes (one transaction each)


def tick(gateway, *, case_ref: str, item, on: date, actor: str, view: str | None = None,
         words: str | None = None):
    """Tick an open item (with the person's view for told and review), or
    untick a done one (by hand); returns the new HandoverView."""
    from storage.handovers import tick_item, untick_item

    if item.done:
        return gateway.write(lambda s: untick_item(s, case_ref=case_ref, item_id=item.item_id, actor=actor,
                                                   expected_version=item.version, on=on))
    return gateway.write(lambda s: tick_item(s, case_ref=case_ref, item_id=item.item_id, on=on, actor=actor,
                                             expected_version=item.version, policy=gateway.policy,
                                             view=view, words=words))


def replan(gateway, *, case_ref: str, to_id: str | None, planned_on: date | None, override_reason: str | None,
           version: int, as_of: date, actor: str):
    """Change the date or the receiver of the open handover (storage.handovers.replan_handover)."""
    from storage.handovers import replan_handover

    return gateway.write(lambda s: replan_handover(
        s, case_ref=case_ref, to_practitioner_id=to_id, planned_on=planned_on, actor=actor, as_of=as_of,
        override_reason=override_reason, expected_version=version, policy=gateway.policy))


def review(gateway, *, case_ref: str, note: str, on: date, actor: str, handover_id: int | None = None):
    """A team lead reviews a cold handover (storage.handovers.review_handover)."""
    from storage.handovers import review_handover

    return gateway.write(lambda s: review_handover(s, case_ref=case_ref, note=note, actor=actor, on=on,
                                                   handover_id=handover_id))


def set_note(gateway, *, case_ref: str, item, note: str | None, on: date, actor: str):
    from storage.handovers import set_item_note

    return gateway.write(lambda s: set_item_note(s, case_ref=case_ref, item_id=item.item_id, note=note,
                                                 actor=actor, expected_version=item.version, on=on))


def save_summary(gateway, *, case_ref: str, text: str, version: int, on: date, actor: str):
    """Save the summary (open handover, or completed one until the review)."""
    from storage.handovers import save_summary as save

    return gateway.write(lambda s: save(s, case_ref=case_ref, text=text, expected_version=version,
                                        actor=actor, on=on))


def book_three_way(gateway, *, case_ref: str, day: date, at: time | None, with_id: str, actor: str) -> int:
    """Book the three-way introduction (kind `three_way`) with the incoming practitioner."""
    from storage.repo import book_appointment

    return gateway.write(lambda s: book_appointment(s, case_ref=case_ref, appointment_date=day,
                                                    practitioner_id=with_id, time=at, kind="three_way",
                                                    actor=actor))


def complete(gateway, *, case_ref: str, on: date, override_reason: str | None, version: int, actor: str,
             as_of: date):
    from storage.handovers import complete_handover

    return gateway.write(lambda s: complete_handover(s, case_ref=case_ref, on=on,
                                                     override_reason=override_reason, actor=actor,
                                                     expected_version=version, policy=gateway.policy,
                                                     as_of=as_of))


def cancel(gateway, *, case_ref: str, version: int, on: date, actor: str):
    from storage.handovers import cancel_handover

    return gateway.write(lambda s: cancel_handover(s, case_ref=case_ref, actor=actor,
                                                   expected_version=version, on=on))


def plan_all(gateway, rows, *, as_of: date, actor: str) -> list[int]:
    """Plan every row that has a receiver, with checklists, in ONE transaction
    (`storage.handovers.plan_many`): all or nothing."""
    from storage.handovers import plan_many

    plans = [(r.case_ref, r.to_id, r.planned_on, r.handover_reason) for r in rows if r.to_id]
    if not plans:
        raise CaseloadError("Nothing to plan: no row has a receiver.")
    return gateway.write(lambda s: plan_many(s, plans, actor=actor, policy=gateway.policy, as_of=as_of))
