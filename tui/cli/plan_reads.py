"""What a plan for one practitioner reads of a caseload: `handover
departures` (the leaver's cases among their team's) and `week --suggest`
(the practitioner's cases among every case they see).

Only the practitioner's own cases are weighed in full (contact due dates,
risk, who knows the person); of everyone else's a plan needs the
appointments, allocations and handovers (slots taken, workload, handovers
already planned), not the contacts, which are the bulk of a caseload read
(the sample's NPS-N1: 4979 contacts, 723 of them on the leaver's cases)."""

from __future__ import annotations

from datetime import date


def own_cases_in_full(source, practitioner_id: str, *, team_id: str | None = None, viewer=None) -> list:
    """`storage.queries.load_cases(source, team_id=..., viewer=...)`, in
    the same order, with the contacts of only the cases `practitioner_id`
    holds (those read in full); every other case without its contacts."""
    from storage.queries import load_cases

    others = load_cases(source, team_id=team_id, viewer=viewer, contacts_since=date.max)
    own = {case.case_ref: case for case in load_cases(source, practitioner_id=practitioner_id, viewer=viewer)}
    return [own.get(case.case_ref, case) for case in others]
