"""A small team with a June 2026 worked out by hand for every continuity
measure (SPEC §12, docs/continuity.md): used by the planner's tests, the SQL
cross-check on SQLite and PostgreSQL, and the command's tests.

Team T1: P1 (37 h), P2 (18.5 h), P3 (37 h, left 2026-06-20), lead L1.
Team T2: Q1. June 2026 starts on a Monday; the as-of date is 2026-06-30.

    case  allocations (start..end)                         tier  June contacts
    C1    P1 2025-01-10..06-09, P2 06-10..                  C2    P1 06-01 att, P2 06-12 att,
                                                                  P2 06-20 missed, P2 06-25 cancelled(practitioner)
    C2    Q1 2025-09-01..2026-03-31, P3 04-01..06-14,       B1    P1 06-15 other att, P1 06-22 home visit att
          P1 06-15..
    C3    P1 06-20..                                        -     P1 06-25 missed
    C4    P2 2025-01-01..                                   D1    P2 06-05 att
    C5    P1 2025-03-01..                                   A0    P1 06-03 att
    C6    P1 2025-07-01..2026-01-31, P2 02-01..             C1    -
    C7    Q1 2025-01-01.. (the other team's)                C3    Q1 06-02 att
    C8    P2 2025-05-01..2026-06-05 (closed)                C0    -

Handovers completed in June: C1 P1→P2 warm on 06-10, C2 P3→P1 cold on 06-15.
"""

from __future__ import annotations

from datetime import date

from planner.model import Allocation, Case, Contact, Handover, Practitioner, Team, World

AS_OF = date(2026, 6, 30)
JUNE = "2026-06"

PRACTITIONERS = {
    "P1": Practitioner("P1", "Alex Kent", "T1"),
    "P2": Practitioner("P2", "Sam Reed", "T1", contracted_hours=18.5),
    "P3": Practitioner("P3", "Priya Shah", "T1", leaving_on=date(2026, 6, 20)),
    "L1": Practitioner("L1", "Jo Marsh", "T1", role="team_lead", grade="SPO"),
    "Q1": Practitioner("Q1", "Tom Ellis", "T2"),
}
TEAMS = {"T1": Team("T1", "North"), "T2": Team("T2", "South")}
WORLD = World(practitioners=PRACTITIONERS, teams=TEAMS)


def d(text: str) -> date:
    return date.fromisoformat(text)


def att(day: str, pid: str, kind: str = "office") -> Contact:
    return Contact(d(day), pid, kind, "attended")


def _case(ref, tier, allocations, contacts=(), handovers=(), status="active") -> Case:
    return Case(
        ref, f"Made-up {ref}", team_id="T2" if ref == "C7" else "T1", tier=tier,
        contact_level="standard", status=status,
        allocations=tuple(Allocation(p, d(s), d(e) if e else None) for p, s, e in allocations),
        contacts=tuple(sorted(contacts, key=lambda c: c.contact_date)),
        handovers=tuple(handovers),
    )


CASES = (
    _case("C1", "C2", [("P1", "2025-01-10", "2026-06-09"), ("P2", "2026-06-10", None)],
          [att("2026-05-01", "P1"), att("2026-05-15", "P1"), att("2026-06-01", "P1"), att("2026-06-12", "P2"),
           Contact(d("2026-06-20"), "P2", "office", "missed"),
           Contact(d("2026-06-25"), "P2", "office", "cancelled", cancelled_by="practitioner")],
          [Handover("P1", "P2", d("2026-06-10"), "completed_warm", completed_on=d("2026-06-10"))]),
    _case("C2", "B1", [("Q1", "2025-09-01", "2026-03-31"), ("P3", "2026-04-01", "2026-06-14"),
                       ("P1", "2026-06-15", None)],
          [att("2025-10-01", "Q1"), att("2026-04-10", "P3"), att("2026-05-10", "P3", "phone"),
           att("2026-06-15", "P1", "other"), att("2026-06-22", "P1", "home_visit")],
          [Handover("P3", "P1", d("2026-06-15"), "completed_cold", completed_on=d("2026-06-15"))]),
    _case("C3", None, [("P1", "2026-06-20", None)], [Contact(d("2026-06-25"), "P1", "office", "missed")]),
    _case("C4", "D1", [("P2", "2025-01-01", None)], [att("2026-03-01", "P2"), att("2026-06-05", "P2")]),
    _case("C5", "A0", [("P1", "2025-03-01", None)], [att("2026-06-03", "P1")]),
    _case("C6", "C1", [("P1", "2025-07-01", "2026-01-31"), ("P2", "2026-02-01", None)],
          [att("2025-08-01", "P1"), att("2025-09-01", "P1"), att("2026-03-01", "P2"), att("2026-04-01", "P2")]),
    _case("C7", "C3", [("Q1", "2025-01-01", None)], [att("2026-06-02", "Q1")]),
    _case("C8", "C0", [("P2", "2025-05-01", "2026-06-05")], [att("2026-05-20", "P2")], status="closed"),
)

# June 2026 by hand (the docstring's table; SPEC §12's definitions).
EXPECTED_JUNE = {
    "team": {
        # changes: C1's P2 and C2's P1 started in June = 2; days held by T1:
        # C1 30 + C2 30 + C3 11 + C4 30 + C5 30 + C6 30 + C8 5 = 166
        "changes_per_person_year": 2 / (166 / 365),
        "many_workers": 1 / 6,          # held on 06-30: C1..C6; C2 had Q1, P3, P1
        "warm_handovers": 1 / 2,        # C1 warm, C2 cold
        "days_to_first_contact": 3.5,   # C1: Wed 10 -> Fri 12 = 2; C2: Mon 15 -> Mon 22 = 5; C3 none yet
        "early_breaks": 1,              # C2's P3: 74 days, after a contact on 04-10
        "continuity_index": 5 / 12,     # C1 1/2, C2 1/6, C4 1, C6 1/3 (C3, C5 under 2) -> (1/3 + 1/2) / 2
        "contact_kept": 5 / 9,          # C1 4 (2 kept), C2 2 (1), C3 1 (0), C4 1, C5 1
        "capacity": (63 + 102 + 60 + 29 + 110 + 50) / (2176 + 1088),  # P3 has left, L1 leads
        "contact_missed": 2 / 9,
        "contact_practitioner_cancelled": 1 / 9,
    },
    "P1": {
        "changes_per_person_year": 1 / (66 / 365),  # C2's P1; days C1 9 + C2 16 + C3 11 + C5 30
        "many_workers": 1 / 3,          # C2, C3, C5
        "warm_handovers": 0.0,          # C2 cold
        "days_to_first_contact": 5.0,
        "early_breaks": 0,
        "continuity_index": 1 / 6,      # only C2 has 2+
        "contact_kept": 2 / 4,
        "capacity": (102 + 60 + 110) / 2176,
        "contact_missed": 1 / 4,
        "contact_practitioner_cancelled": 0.0,
    },
    "P2": {
        "changes_per_person_year": 1 / (86 / 365),  # C1's P2; days C1 21 + C4 30 + C6 30 + C8 5
        "many_workers": 0.0,
        "warm_handovers": 1.0,
        "days_to_first_contact": 2.0,
        "early_breaks": 0,
        "continuity_index": 1 / 2,      # 1/2, 1, 1/3
        "contact_kept": 3 / 5,
        "capacity": (63 + 29 + 50) / 1088,
        "contact_missed": 1 / 5,
        "contact_practitioner_cancelled": 1 / 5,
    },
    "P3": {
        "changes_per_person_year": 0.0,  # held C2 for 14 days, started nothing
        "many_workers": None,
        "warm_handovers": None,
        "days_to_first_contact": None,
        "early_breaks": 1,
        "continuity_index": None,
        "contact_kept": None,
        "capacity": None,               # left on 06-20
        "contact_missed": None,
        "contact_practitioner_cancelled": None,
    },
    "L1": {
        "changes_per_person_year": None,
        "many_workers": None,
        "warm_handovers": None,
        "days_to_first_contact": None,
        "early_breaks": 0,
        "continuity_index": None,
        "contact_kept": None,
        "capacity": 0.0,
        "contact_missed": None,
        "contact_practitioner_cancelled": None,
    },
}


def seed(engine) -> None:
    """The teams, practitioners and cases above, written to a database at the newest schema."""
    from sqlmodel import Session

    from storage import models as m

    with Session(engine) as s:
        teams = {tid: m.Team(team_id=tid, name=t.name) for tid, t in TEAMS.items()}
        s.add_all(teams.values())
        s.flush()
        people = {
            pid: m.Practitioner(practitioner_id=pid, name=p.name, team_pk=teams[p.team_id].id, role=p.role,
                                grade=p.grade, contracted_hours=p.contracted_hours, leaving_on=p.leaving_on)
            for pid, p in PRACTITIONERS.items()
        }
        s.add_all(people.values())
        s.flush()
        for case in CASES:
            row = m.Case(case_ref=case.case_ref, display_name=case.display_name, team_pk=teams[case.team_id].id,
                         tier=case.tier, contact_level=case.contact_level, status=case.status)
            s.add(row)
            s.flush()
            for a in case.allocations:
                s.add(m.Allocation(case_id=row.id, practitioner_pk=people[a.practitioner_id].id,
                                   start_date=a.start_date, end_date=a.end_date))
            for k in case.contacts:
                s.add(m.Contact(case_id=row.id, contact_date=k.contact_date, practitioner_pk=people[k.practitioner_id].id,
                                kind=k.kind, outcome=k.outcome, cancelled_by=k.cancelled_by))
            for h in case.handovers:
                s.add(m.Handover(case_id=row.id, from_practitioner_pk=people[h.from_practitioner_id].id,
                                 to_practitioner_pk=people[h.to_practitioner_id].id, planned_on=h.planned_on,
                                 status=h.status, completed_on=h.completed_on))
        s.commit()
