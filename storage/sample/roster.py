"""The two made-up teams: their people, caseload sizes and absences."""

from __future__ import annotations

from storage.sample.builder import _Builder

# ---------------------------------------------------------------------------
# The two teams
#
# Caseloads as services report them: 35 to 45 cases for a full-time probation
# officer or PSO, fewer for part-timers, 8 to 14 for youth justice workers,
# a few for the leads (see `_N1`, `_E1` below).

_N1 = [  # id, name, role, grade, hours, reduction, open cases in all, tier weights (A, B, C, D)
    ("N1-01", "Helen Marchbank", "team_lead", "SPO", 37.0, 80.0, 3, (0.2, 0.4, 0.4, 0.0)),
    ("N1-02", "Dev Okonjo-Hale", "practitioner", "PO", 37.0, 0.0, 42, (0.04, 0.2, 0.45, 0.31)),
    ("N1-03", "Priya Castellane", "practitioner", "PO", 37.0, 0.0, 31, (0.02, 0.15, 0.45, 0.38)),
    ("N1-04", "Gareth Lindow", "practitioner", "PO", 22.5, 0.0, 10, (0.02, 0.15, 0.45, 0.38)),
    ("N1-05", "Marisol Penhale", "practitioner", "PSO", 37.0, 0.0, 36, (0.0, 0.0, 0.5, 0.5)),
    ("N1-06", "Tomas Ferreira-Boyd", "practitioner", "PO", 37.0, 20.0, 28, (0.02, 0.15, 0.45, 0.38)),
    ("N1-07", "Ruth Abernathy-Cole", "practitioner", "PO", 37.0, 20.0, 28, (0.02, 0.15, 0.45, 0.38)),
    ("N1-08", "Kwame Ellesmere", "practitioner", "PSO", 22.5, 0.0, 20, (0.0, 0.0, 0.5, 0.5)),
    ("N1-09", "Fiona Strachan-Yeo", "practitioner", "PO", 37.0, 0.0, 36, (0.02, 0.15, 0.45, 0.38)),
    ("N1-10", "Owen Tallis", "practitioner", "PO", 37.0, 0.0, 4, (0.02, 0.15, 0.45, 0.38)),
]
_E1 = [  # id, name, role, grade, hours, reduction, open cases in all, level weights (intensive, enhanced, standard)
    ("E1-01", "Olamide Harcourt", "team_lead", "other", 37.0, 75.0, 2, (0.2, 0.5, 0.3)),
    ("E1-02", "Sian Trevethan", "practitioner", "YJW", 37.0, 0.0, 14, (0.3, 0.5, 0.2)),
    ("E1-03", "Jonah Whitlock-Osei", "practitioner", "YJW", 37.0, 0.0, 13, (0.2, 0.45, 0.35)),
    ("E1-04", "Beatriz Kowalczyk", "practitioner", "YJW", 22.5, 0.0, 8, (0.2, 0.45, 0.35)),
    ("E1-05", "Callum Drysdale", "practitioner", "PO", 37.0, 10.0, 12, (0.25, 0.5, 0.25)),
    ("E1-06", "Nadia Fairclough", "practitioner", "YJW", 37.0, 0.0, 12, (0.2, 0.45, 0.35)),
    ("E1-07", "Ibrahim Pendleton", "practitioner", "PSO", 37.0, 0.0, 14, (0.1, 0.4, 0.5)),
]
LEAVING = {"N1-03": 21, "N1-10": -9}  # leaving_on, days from built_for (N1-10 has gone)

_FLAG_ODDS = {  # chance per filler case
    "safeguarding": (0.08, 0.35),  # (adult, youth)
    "care_experienced": (0.06, 0.3),
    "approved_premises": (0.04, 0.0),
    "restorative_justice": (0.03, 0.12),
    "opd": (0.04, 0.0),
    "victim_contact": (0.1, 0.05),
    "do_not_move": (0.02, 0.03),
}


def _peer(pid: str) -> str:
    """A teammate who covers (not the lead, not N1-10 who has left, not N1-04 who is off sick)."""
    team, n = pid.split("-")
    if team == "N1":
        others = ["N1-02", "N1-05", "N1-07", "N1-09", "N1-03", "N1-08", "N1-06"]
    else:
        others = ["E1-02", "E1-03", "E1-06", "E1-07", "E1-04", "E1-05"]
    others = [o for o in others if o != pid]
    return others[int(n) % len(others)]


def _absences(b: _Builder) -> None:
    """Several absences a year for everyone (leave in blocks, training days,
    the odd short sickness; cover named for most), and the ones the
    scenarios need:

    - N1-06 starts twelve weeks' leave in 24 days with no cover named
      (handover_unplanned); the lead has planned most handovers, two a
      working day before it (three weeks is what two a day needs);
    - N1-04 has been off sick for 12 days with no end date and no cover
      named (handover_unplanned high on each of their cases);
    - N1-08 is away next week (Mon to Fri) with no cover named (cover_needed:
      contact falls due, and an appointment was booked before the leave was);
    - Christmas leave for several, with cover named."""
    rng = b.rng
    b.absence("N1-06", 24, 107, "leave")
    b.absence("N1-04", -12, None, "sickness")
    b.absence("N1-08", 3, 7, "leave")
    b.absence("N1-09", 24, 35, "leave", cover="N1-02")
    b.absence("E1-07", 17, 28, "leave", cover="E1-06")
    b.absence("N1-05", 26, 35, "leave", cover="N1-07")
    b.absence("E1-02", 24, 33, "leave", cover="E1-03")
    for pid, *_ in _N1 + _E1:
        if pid == "N1-10":
            continue  # left; their history is enough
        summer = -180 + rng.randint(-20, 20)  # two weeks in the summer
        b.absence(pid, summer, summer + 13, "leave", cover=rng.choice([_peer(pid), _peer(pid), None]))
        spring = -250 + rng.randint(-15, 15)  # a week in the spring
        b.absence(pid, spring, spring + 6, "leave", cover=rng.choice([_peer(pid), None]))
        autumn = -75 + rng.randint(-10, 10)  # a few days in the autumn
        b.absence(pid, autumn, autumn + rng.choice((2, 3, 4)), "leave", cover=_peer(pid))
        for train in (-300 + rng.randint(0, 20), -120 + rng.randint(0, 20)):
            b.absence(pid, train, train, "training")
        if rng.random() < 0.5:  # the odd short sickness
            sick = -40 - rng.randint(0, 200)
            if not any(s <= b.d(sick) <= e or s <= b.d(sick + 2) <= e for s, e, _ in b.absences[pid]):
                b.absence(pid, sick, sick + rng.choice((0, 1, 2)), "sickness")


