"""The scenarios: one case for each docs/rules.md rule to fire (see the list in
storage/sample/__init__.py)."""

from __future__ import annotations

from datetime import time

from storage.sample.builder import _Builder, _utc

N, E = "NG", "EB"
nt, et = "NPS-N1", "YJS-E1"


def _scenarios(b: _Builder) -> None:
    """Every scenario case, in case_ref order (the order fixes the ids)."""
    _contact_rules(b)
    _handovers(b)
    _statuses_and_flags(b)
    _churn_and_cover(b)
    _youth(b)


def _contact_rules(b: _Builder) -> None:
    """NG1001 to NG1006: the contact rules."""
    # NG1001 contact_overdue medium: standard, last seen 35 days ago, booked in 3 days.
    c = b.case(N, nt, tier="C2", flags=("victim_contact",))
    b.allocate(c, [("N1-09", -300)])
    b.regular(c, c.allocations[0][1], b.d(-42), book=False)
    b.contact(c, -35, "N1-09", "office")
    b.contact(c, -21, "N1-09", "phone", "cancelled", cancelled_by="person")
    b.appointment(c, 3, "N1-09", at=time(10, 0))
    b.note(c, -35, "N1-09", "Moved to night shifts; agreed to rebook around work.")

    # NG1002 contact_overdue high + no_appointment: enhanced, last seen 39 days ago, nothing booked.
    c = b.case(N, nt, tier="B1", flags=("safeguarding",))
    b.allocate(c, [("N1-02", -250)])
    b.regular(c, c.allocations[0][1], b.d(-46), book=False)
    b.contact(c, -39, "N1-02", "home_visit")
    b.contact(c, -31, "N1-02", "office", "cancelled", cancelled_by="person")

    # NG1003 contact_due: standard, last seen 24 days ago (due Tue 1 Dec); booked after it.
    c = b.case(N, nt, tier="C1")
    b.allocate(c, [("N1-07", -200)])
    b.regular(c, c.allocations[0][1], b.d(-38), book=False)
    b.contact(c, -24, "N1-07", "office")
    b.appointment(c, 11, "N1-07", at=time(14, 0))

    # NG1004 relationship_gap: own last contact 63 days ago; the duty officer has seen him since.
    c = b.case(N, nt, tier="C3")
    b.allocate(c, [("N1-09", -320)])
    b.regular(c, c.allocations[0][1], b.d(-70), book=False)
    b.contact(c, -63, "N1-09", "office")
    b.contact(c, -42, "N1-05", "phone")
    b.contact(c, -21, "N1-05", "office")
    b.contact(c, -7, "N1-05", "office")
    b.appointment(c, 5, "N1-09", at=time(11, 0))
    b.note(c, -7, "N1-05", "Seen on duty again; asked when his own officer is back.")

    # NG1005 first_contact passed: reallocated 10 days ago, the new PO has not met him yet.
    c = b.case(N, nt, tier="C2")
    b.allocate(c, [("N1-02", -400), ("N1-07", -10)], reasons=["new order from court", "rebalancing"])
    b.regular(c, c.allocations[0][1], b.d(-15), book=False)
    b.contact(c, -11, "N1-02", "office")
    b.appointment(c, 3, "N1-07", at=time(9, 30))

    # NG1006 first_contact coming: new order from court three days ago, first appointment booked.
    c = b.case(N, nt)
    b.allocate(c, [("N1-07", -3)])
    b.appointment(c, 3, "N1-07", at=time(10, 0))


def _handovers(b: _Builder) -> None:
    """NG1007 to NG1010: handovers coming and cold ones."""
    # NG1007 handover_upcoming low (the leaver's case, D+10, `vlo_told` due in 3 days) +
    # practitioner_churn medium (two holders this year and the receiver).
    c = b.case(N, nt, tier="B2", flags=("victim_contact",))
    b.allocate(c, [("N1-04", -500), ("N1-03", -200)])
    b.history(c)
    b.handover(c, "N1-03", "N1-09", 10, status="in_progress", done={"told": -3},
               reason="practitioner leaving", created=-6,
               views={"told": ("concerns", "Not keen on starting again; wants the new worker to know "
                                           "about the job interviews.")})

    # NG1008 handover_upcoming high: on Monday (in 3 days); the RJ facilitator not
    # yet told (due 23 Nov, late) and the record not yet read (due today).
    c = b.case(N, nt, tier="C3", flags=("restorative_justice",))
    b.allocate(c, [("N1-06", -230)])
    b.history(c)
    b.handover(c, "N1-06", "N1-05", 3, status="in_progress",
               done={"told": -11, "summary": -4},
               reason="practitioner on long leave", created=-16,
               summary="Responds best to plain, direct talk; wants the RJ conference kept on track.")

    # NG1009 handover_upcoming low: in 17 days (before N1-03 leaves), `told` due in 3 days.
    c = b.case(N, nt, tier="C0")
    b.allocate(c, [("N1-03", -180)])
    b.history(c)
    b.handover(c, "N1-03", "N1-07", 17, reason="practitioner leaving", created=-1)

    # NG1010 cold_handover: completed cold 30 days ago without the three-way meeting.
    c = b.case(N, nt, tier="B3", flags=("opd",))
    b.allocate(c, [("N1-02", -380), ("N1-07", -30)], reasons=["new order from court", "handover"])
    b.regular(c, c.allocations[0][1], b.d(-33), book=False)
    b.contact(c, -28, "N1-07", "office")
    b.regular(c, b.d(-21), b.d(-1))
    b.handover(c, "N1-02", "N1-07", -30, status="completed_cold", completed=-30, created=-50,
               done={"told": -44, "summary": -37, "read": -35, "booked": -31, "opd_consulted": -36,
                     "first_contact": -28, "reachable": -16},
               auto=("booked", "first_contact"),
               override="Court date moved; three-way could not be arranged in time. "
                        "First appointment booked instead.",
               reason="rebalancing",
               summary="Keeps appointments when reminded the day before; OPD consultation notes on file.")
    b.rows["audit_event"].append(dict(
        id=b._id("audit_event"), at=_utc(b.d(-30), time(16, 40)), actor="N1-01",
        action="complete", entity="handover", entity_key=c.case_ref, case_ref=c.case_ref,
        detail='{"override": true, "status": "completed_cold"}',
    ))


def _statuses_and_flags(b: _Builder) -> None:
    """NG1011 to NG1016: missed appointments, paused and closed cases, flags, early breaks, cancellations."""
    # NG1011 missed_appointments medium: two missed in a row after an attended one.
    c = b.case(N, nt, tier="C1")
    b.allocate(c, [("N1-05", -260)])
    b.regular(c, c.allocations[0][1], b.d(-24), book=False)
    b.contact(c, -17, "N1-05", "office")
    b.contact(c, -10, "N1-05", "office", "missed")
    b.contact(c, -3, "N1-05", "office", "missed")
    b.appointment(c, 4, "N1-05", at=time(15, 0))

    # NG1012 paused: in custody on remand until built_for + 30; last seen 70 days ago.
    c = b.case(N, nt, tier="B0", status="paused", paused_until=b.d(30))
    b.allocate(c, [("N1-08", -330)])
    b.regular(c, c.allocations[0][1], b.d(-70), book=False)
    b.note(c, -66, "N1-08", "Remanded in custody; case paused until the next hearing.")

    # NG1013 closed 20 days ago: order ended; no warnings, history kept.
    c = b.case(N, nt, tier="C0", status="closed")
    b.allocate(c, [("N1-05", -370)], end=-20, reasons=["new order from court"])
    b.regular(c, c.allocations[0][1], b.d(-21), book=False)

    # NG1014 every flag, do_not_move included.
    c = b.case(N, nt, tier="A3", flags=("safeguarding", "care_experienced", "approved_premises",
                                         "restorative_justice", "opd", "victim_contact",
                                         "do_not_move"))
    b.allocate(c, [("N1-02", -420)])
    b.history(c)
    b.note(c, -9, "N1-02", "Settled at the approved premises; keyworker reports good progress.")

    # NG1015 early_break: a new relationship (5 weeks, going well) and a handover
    # planned in 12 days: the officer is moving to the court team.
    c = b.case(N, nt, tier="C2")
    b.allocate(c, [("N1-02", -300), ("N1-09", -35)], reasons=["new order from court", "rebalancing"])
    b.regular(c, c.allocations[0][1], b.d(-38), book=False)
    b.contact(c, -32, "N1-02", "three_way", with_pid="N1-09")
    b.regular(c, b.d(-25), b.d(-1))
    b.handover(c, "N1-09", "N1-07", 12, reason="N1-09 covering the court team for a month", created=-2)

    # NG1016 practitioner_cancelled: the officer cancelled twice in eight weeks.
    c = b.case(N, nt, tier="C1")
    b.allocate(c, [("N1-02", -260)])
    b.regular(c, c.allocations[0][1], b.d(-50), book=False)
    b.contact(c, -44, "N1-02", "office", "cancelled", cancelled_by="practitioner",
              notes="Officer called to court at short notice.")
    b.contact(c, -39, "N1-02", "office")
    b.contact(c, -25, "N1-02", "office", "cancelled", cancelled_by="practitioner",
              notes="Officer on a course.")
    b.contact(c, -21, "N1-02", "phone")
    b.contact(c, -7, "N1-02", "office")
    b.appointment(c, 7, "N1-02", at=time(11, 30))


def _churn_and_cover(b: _Builder) -> None:
    """NG1017 to NG1020: a late first contact, churn, cover, a handover before leave."""
    # NG1017 cold_handover (late first contact): a warm handover 20 days ago,
    # but the new officer first met the person 11 days after it.
    c = b.case(N, nt, tier="B2")
    b.allocate(c, [("N1-03", -400), ("N1-09", -20)], reasons=["new order from court", "handover"])
    b.regular(c, c.allocations[0][1], b.d(-26), book=False)
    b.contact(c, -25, "N1-03", "three_way", with_pid="N1-09")
    b.contact(c, -9, "N1-09", "office")
    b.appointment(c, 5, "N1-09", at=time(14, 0))
    b.handover(c, "N1-03", "N1-09", -20, status="completed_warm", completed=-20, created=-45,
               done={"told": -35, "summary": -28, "read": -24, "three_way": -25, "booked": -22,
                     "first_contact": -9, "reachable": -6},
               auto=("three_way", "booked", "first_contact"), reason="practitioner leaving",
               summary="Works best with a plan written down; wants help with the housing bid to continue.")

    # NG1018 practitioner_churn, A -> B -> A: N1-02, then N1-07 for four months, then N1-02 again.
    c = b.case(N, nt, tier="C2")
    b.allocate(c, [("N1-02", -500), ("N1-07", -250), ("N1-02", -120)],
               reasons=["new order from court", "rebalancing", "back to the officer who knew him"])
    b.history(c)

    # NG1019 cover_needed (an appointment booked before N1-08's leave next
    # week was agreed, and no cover named).
    c = b.case(N, nt, tier="C0")
    b.allocate(c, [("N1-08", -210)])
    b.regular(c, c.allocations[0][1], b.d(-8), book=False)
    b.appointment(c, 5, "N1-08", at=time(10, 0))

    # NG1020 handover_upcoming medium: before N1-06's leave, in 6 days; the
    # person not yet told and the summary not written, both late.
    c = b.case(N, nt, tier="C1")
    b.allocate(c, [("N1-06", -190)])
    b.history(c)
    b.handover(c, "N1-06", "N1-09", 6, status="planned", reason="practitioner on long leave", created=-10)


def _youth(b: _Builder) -> None:
    """EB2001 to EB2005: the youth justice team's cases."""
    # EB2001 practitioner_churn high: a child with four workers this year.
    c = b.case(E, et, level="enhanced", youth=True, flags=("care_experienced",))
    b.allocate(c, [("E1-03", -420), ("E1-06", -300), ("E1-05", -190), ("E1-02", -75)])
    b.history(c)
    b.note(c, -20, "E1-02", "Said she is tired of telling her story again; agreed a one-page profile.")

    # EB2002 missed_appointments high: three missed (a cancellation between).
    c = b.case(E, et, level="enhanced", youth=True, flags=("safeguarding",))
    b.allocate(c, [("E1-03", -280)])
    b.regular(c, c.allocations[0][1], b.d(-30), book=False)
    b.contact(c, -24, "E1-03", "home_visit")
    b.contact(c, -17, "E1-03", "office", "missed")
    b.contact(c, -10, "E1-03", "office", "missed")
    b.contact(c, -7, "E1-03", "home_visit", "cancelled", cancelled_by="person")
    b.contact(c, -3, "E1-03", "office", "missed")
    b.appointment(c, 3, "E1-03", kind="home_visit", at=time(16, 0))

    # EB2003 practitioner_churn high: a child with three workers this year (3 is high for a child).
    c = b.case(E, et, level="standard", youth=True)
    b.allocate(c, [("E1-04", -500), ("E1-06", -200), ("E1-03", -100)])
    b.history(c)

    # EB2004 first_contact coming: intensive, allocated yesterday (2nd working day deadline).
    c = b.case(E, et, level="intensive", youth=True, flags=("do_not_move",))
    b.allocate(c, [("E1-06", -1)])
    b.appointment(c, 5, "E1-06", kind="home_visit", at=time(15, 30), rrule="FREQ=WEEKLY;COUNT=8")

    # EB2005 early_break high: a child (safeguarding) six weeks into a good new
    # relationship, with a handover planned in 12 days.
    c = b.case(E, et, level="enhanced", youth=True, flags=("safeguarding",))
    b.allocate(c, [("E1-07", -330), ("E1-05", -42)], reasons=["new order from court", "reallocated"])
    b.regular(c, c.allocations[0][1], b.d(-45), book=False)
    b.contact(c, -39, "E1-05", "home_visit")
    b.regular(c, b.d(-33), b.d(-1))
    b.handover(c, "E1-05", "E1-03", 12, reason="moving to the court team", created=-3)
