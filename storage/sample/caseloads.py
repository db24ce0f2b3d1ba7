"""Caseloads brought to size, the lead's planned departures and the
supervision sessions."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, time, timedelta

from planner.calendar import working_days
from storage.sample.builder import _NOTES, PREVIOUS_HOLDER, _Builder, _Case, _utc
from storage.sample.roster import _E1, _FLAG_ODDS, _N1, LEAVING

def _fillers(b: _Builder) -> None:
    """Each practitioner's caseload brought to its size (scenario cases count)."""
    rng = b.rng
    peers = {"NPS-N1": [p[0] for p in _N1[1:] if p[0] not in LEAVING],
             "YJS-E1": [p[0] for p in _E1[1:]]}
    held = defaultdict(int)
    for c in b.cases:
        if c.allocations and c.allocations[-1][2] is None and c.case_ref != "NG1013":
            held[c.allocations[-1][0]] += 1
    for team_id, spec, prefix in (("NPS-N1", _N1, "NG"), ("YJS-E1", _E1, "EB")):
        youth = team_id == "YJS-E1"
        for pid, _n, _r, grade, _h, _red, size, weights in spec:
            for _ in range(max(0, size - held[pid])):
                if youth:
                    level = rng.choices(("intensive", "enhanced", "standard"), weights)[0]
                    tier = None
                else:
                    band = rng.choices("ABCD", weights)[0]
                    tier = f"{band}{rng.choice((0, 1, 1, 2, 2, 3))}"
                    level = None
                flags = [f for f, odds in _FLAG_ODDS.items()
                         if rng.random() < odds[1 if youth else 0]]
                c = b.case(prefix, team_id, tier=tier, level=level, youth=youth, flags=flags)
                start = -rng.randint(20, 600)
                holders = [(pid, start)]
                others = [p for p in peers[team_id] if p != pid]
                if start < -120 and rng.random() < PREVIOUS_HOLDER:
                    prev = rng.choice(others)
                    change = -rng.randint(30, min(-start - 40, 360))
                    holders = [(prev, start), (pid, change)]
                reasons = ["new order from court"] + ["reallocated"] * (len(holders) - 1)
                b.allocate(c, holders, reasons=reasons)
                if len(holders) == 2:
                    prev, _s = holders[0]
                    change = b.d(holders[1][1])
                    b.regular(c, max(c.allocations[0][1], b.d(-380)), change - timedelta(days=3),
                              book=False)
                    first = b.working(change + timedelta(days=rng.randint(1, 3)))
                    warm = (b.b - change).days > 40 and rng.random() < 0.6
                    if warm:
                        three_way = b.working(change - timedelta(days=rng.randint(3, 8)), back=True)
                        b.contact(c, three_way, prev, "three_way", with_pid=pid)
                    b.contact(c, first, pid, "office")
                    if warm:
                        offset = (change - b.b).days
                        b.handover(c, prev, pid, offset, status="completed_warm",
                                   completed=offset, created=offset - 30, reason="rebalancing",
                                   done={"told": offset - 15, "summary": offset - 8,
                                         "read": offset - 3, "three_way": (three_way - b.b).days,
                                         "booked": offset - 2,
                                         "first_contact": (first - b.b).days,
                                         **({"review": offset + 29} if offset + 29 < 0 else {}),
                                         **{k: offset - 8 for k in _group_items(c)}},
                                   auto=("three_way", "first_contact"),
                                   summary="What works, the goals and the risks, as agreed at the three-way.")
                    b.regular(c, first + timedelta(days=7), b.d(-1))
                else:
                    b.history(c)
                if rng.random() < 0.15:
                    b.note(c, -rng.randint(1, 60), pid, rng.choice(_NOTES))


def _leave_planning(b: _Builder) -> None:
    """The lead has planned most of the departures, as docs/handovers.md staggers them:
    at most two handovers a working day for each departing practitioner
    (counting the ones the scenarios plan), on working days only, before
    they go, to a receiver who is in that day and may hold the case (no PSO
    for tier A or B), and no receiver given more than two on one day.

    - N1-03 (leaving on built_for + 21): all but five cases, from Monday
      built_for + 3 to the day before she goes. Her days are full but for
      one slot on that day and one a week before it, so the
      departures list for the other five has to give some short notice and
      date some after she has gone, and says so. The two handovers on that
      Monday have had their three-way meeting and the first appointment
      with the new worker is booked.
    - N1-06 (twelve weeks' leave from built_for + 24): all but five cases,
      from built_for + 4, leaving the last days before the leave free.

    Items due by built_for + 3 are done (the person told and their view
    recorded, the summary written, the record read, the group's people
    told); so is `told` everywhere and, for N1-06, the summary. N1-10, who
    left nine days ago, still holds four cases with nothing planned; N1-04,
    off sick with no end date, has nothing planned either."""
    lead = _LeavePlanner(b)
    theirs = lead.open_cases_of("N1-03")[5:]
    last = b.working(b.leaving["N1-03"] - timedelta(days=1), back=True)
    keep_free = {last: 1, b.working(last - timedelta(days=7), back=True): 1}  # one slot on each
    lead.plan("N1-03", theirs, lead.days("N1-03", 3, last, len(theirs), keep_free), "practitioner leaving",
              ("told",), rotate=1)
    theirs = lead.open_cases_of("N1-06")[5:]
    leave = min(s for s, e, _ in b.absences["N1-06"] if (e - s).days >= 27 and s > b.b)
    last = b.working(leave - timedelta(days=1), back=True)
    lead.plan("N1-06", theirs, lead.days("N1-06", 4, last, len(theirs), {}), "practitioner on long leave",
              ("told", "summary"), rotate=0)


class _LeavePlanner:
    """The lead's planning of `_leave_planning`: how many handovers each
    practitioner gives and takes on each day, counting the scenarios'."""

    def __init__(self, b: _Builder) -> None:
        self.b = b
        self.calendar = working_days("england-and-wales")
        self.gives: dict[tuple[str, date], int] = defaultdict(int)  # (outgoing, D) -> handovers
        self.takes: dict[tuple[str, date], int] = defaultdict(int)  # (incoming, D) -> handovers
        pk_to_pid = {pk: pid for pid, pk in b.pk.items()}
        for row in b.rows["handover"]:
            if row["status"] in ("planned", "in_progress"):
                self.gives[(pk_to_pid[row["from_practitioner_pk"]], row["planned_on"])] += 1
                self.takes[(pk_to_pid[row["to_practitioner_pk"]], row["planned_on"])] += 1

    def open_cases_of(self, pid: str) -> list[_Case]:
        return [c for c in self.b.cases
                if c.case_ref > "NG1020" and c.allocations and c.allocations[-1][0] == pid
                and c.allocations[-1][2] is None]

    def days(self, pid: str, first: int, last: date, n: int, keep_free: dict[date, int]) -> list[date]:
        """Up to `n` handover dates for `pid`: two a working day from
        built_for + `first` to `last`, counting what is planned, less
        `keep_free` (fewer when the days run out: built for another date)."""
        b = self.b
        out: list[date] = []
        day = b.working(b.d(first))
        while len(out) < n and day <= last:
            room = 2 - self.gives[(pid, day)] - keep_free.get(day, 0)
            out += [day] * max(0, min(room, n - len(out)))
            day = b.add_working(day, 1)
        return out

    def receiver(self, i: int, c: _Case, giver: str, day: date) -> str | None:
        order = [r for r in ("N1-09", "N1-02", "N1-07", "N1-05", "N1-08") if r != giver]
        for k in range(len(order)):
            to_pid = order[(i + k) % len(order)]
            if to_pid in ("N1-05", "N1-08") and c.level in ("intensive", "enhanced"):
                continue  # a PSO takes no tier A or B case
            if self.b.absent(to_pid, day) or self.takes[(to_pid, day)] >= 2:
                continue
            return to_pid
        return None

    def plan(self, pid: str, cases: list[_Case], dates: list[date], reason: str, done_always: tuple[str, ...],
             rotate: int) -> None:
        b = self.b
        soon = b.d(3)
        for i, (c, day) in enumerate(zip(cases, dates)):
            to_pid = self.receiver(i + rotate, c, pid, day)
            if to_pid is None:
                continue  # nobody free that day (built for another date): left unplanned
            self.gives[(pid, day)] += 1
            self.takes[(to_pid, day)] += 1
            created = -16
            done = self.done_items(c, day, soon, created, done_always)
            auto: tuple[str, ...] = ()
            if day <= soon:  # the three-way has been held and the first appointment booked
                met = b.working(day - timedelta(days=5), back=True)
                b.contact(c, met, pid, "three_way", with_pid=to_pid)
                b.appointment(c, b.add_working(day, 2), to_pid, at=time(10, 0))
                done["three_way"] = (met - b.b).days
                auto = ("three_way",)
            b.handover(c, pid, to_pid, (day - b.b).days, status="in_progress", done=done, auto=auto,
                       reason=reason, created=created,
                       summary=_PLANNED_SUMMARY if "summary" in done else None)

    def done_items(self, c: _Case, day: date, soon: date, created: int,
                   done_always: tuple[str, ...]) -> dict[str, int]:
        """The checklist items already done, as days from built_for."""
        from planner.checklist import build_checklist
        from planner.model import Case as PlannerCase

        pcase = PlannerCase(case_ref=c.case_ref, display_name="", contact_level=c.level,
                            youth=c.youth, flags=frozenset(c.flags))
        done: dict[str, int] = {}
        for item in build_checklist(pcase, day, self.calendar):
            if item.item_id in ("three_way", "booked", "first_contact", "reachable", "review"):
                continue  # ticked from the records, or not due before D
            if item.due <= soon or item.item_id in done_always or item.item_id in _group_items(c):
                done[item.item_id] = max(created + 1, min((item.due - self.b.b).days, -1))
        return done


#: The handover summary of the lead's planned handovers that have one written.
_PLANNED_SUMMARY = ("Keeps appointments best in the morning; goals and risks as in the last review; "
                    "does not want to tell the story of the offence again.")




def _group_items(c: _Case) -> list[str]:
    items = {"safeguarding": "safeguarding_lead_told", "care_experienced": "social_worker_told",
             "victim_contact": "vlo_told", "approved_premises": "ap_keyworker_told",
             "opd": "opd_consulted", "restorative_justice": "rj_facilitator_told"}
    out = [items[f] for f in c.flags if f in items]
    if c.youth:
        out.append("carers_told")
    return out


def _supervision(b: _Builder) -> None:
    by_ref = {c.case_ref: c for c in b.cases}

    def session(pid: str, lead: str, day: int, notes: list[tuple[str, str, bool]],
                actions: list[tuple[str | None, str, int, bool]]) -> None:
        sid = b._id("supervision_session")
        on = b.d(day)
        b.rows["supervision_session"].append(dict(
            id=sid, practitioner_pk=b.pk[pid], lead_pk=b.pk[lead], session_date=on,
            started_at=_utc(on, time(10, 0)),
            ended_at=_utc(on, time(11, 20)), version=1,
        ))
        for ref, text, flagged in notes:
            b.rows["supervision_note"].append(dict(
                id=b._id("supervision_note"), session_id=sid, case_id=by_ref[ref].id, note=text,
                reviewed=True, flagged=flagged, warnings_json=None, version=1,
            ))
        for ref, text, due, done in actions:
            b.rows["action"].append(dict(
                id=b._id("action"), session_id=sid,
                case_id=by_ref[ref].id if ref else None, owner_pk=b.pk[pid], text=text,
                due=b.d(due), done=done, done_on=b.d(min(due, -1)) if done else None, version=1,
            ))

    session("N1-02", "N1-01", -8, [
        ("NG1002", "Not seen for five weeks; safeguarding concerns at home. Priority.", True),
        ("NG1014", "Stable at the AP. Do not move: keep continuity through the OPD work.", False),
        ("NG1010", "Handed over cold to N1-07; check in on how the new relationship is going.", True),
    ], [
        ("NG1002", "Home visit with a colleague this week", 0, False),
        ("NG1010", "Three-way catch-up with N1-07 and the person", 3, False),
        (None, "Agree two cases to hand over to bring caseload under 110%", 5, False),
        ("NG1014", "Send OPD consultation notes to the keyworker", -2, True),
    ])
    session("N1-09", "N1-01", -3, [
        ("NG1004", "Duty has been seeing him; rebuild contact with his own officer.", True),
        ("NG1001", "Missed the last month through night shifts; offer a late slot.", False),
    ], [
        ("NG1004", "Own appointment next week; ask what worked with duty", 4, False),
        ("NG1001", "Offer evening appointment", 0, False),
    ])
    session("E1-02", "E1-01", -10, [
        ("EB2001", "Fourth worker this year; go slow, one-page profile, same room each time.", True),
    ], [
        ("EB2001", "Meet her social worker together", -1, False),
        ("EB2001", "Write the one-page profile with her", 4, False),
        (None, "Book a case discussion on intensive cases", 6, False),
    ])


