"""The team lead's workload board and rebalance (issue 6), driven as a user
would with the pilot on a private copy of the sample at 2026-11-27.

What they prove: the NPS-N1 lead sees every practitioner with a band word
(N1-02 OVER); enter drills into a practitioner's caseload while the lead stays
signed in; the rebalance brings N1-02 under the 110 % target; dropping a move updates the
after-capacity; applying plans warm handovers with checklists and one
rebalance audit event, never a reallocation; a stale plan applies nothing; a
non-lead gets a notice and nothing is applied.
"""

from __future__ import annotations

import json
from collections import Counter
from datetime import date

import pytest
from sqlmodel import select

from planner.calendar import working_days
from tui.screens.forms.base import nice

from tests.tui.helpers import AS_OF, palette_pick, settle, wait_for
from tui.screens.caseload import CaseloadScreen
from tui.screens.rebalance.apply_form import ApplyConfirm
from tui.screens.rebalance.options_form import RebalanceOptions
from tui.screens.rebalance.screen import RebalanceScreen
from tui.screens.team import TeamScreen

LEAD, OVER = "N1-01", "N1-02"
BAND_WORDS = ("OK", "FULL", "OVER")


def team_ids(engine) -> list[str]:
    from storage.engine import session
    from storage.queries import list_practitioners

    with session(engine) as s:
        return sorted(p.practitioner_id for p in list_practitioners(s, "NPS-N1"))


def cell(table, row_key: str, column_key: str) -> str:
    return str(table.get_cell(row_key, column_key))


def audit_events(engine, action: str) -> list:
    from storage import models as m
    from storage.engine import session

    with session(engine) as s:
        return list(s.exec(select(m.AuditEvent).where(m.AuditEvent.action == action)).all())


def open_handovers(engine) -> dict:
    """case_ref -> the open handover (planner dataclass) for the team's cases."""
    from storage.engine import session
    from storage.queries import load_cases

    with session(engine) as s:
        return {c.case_ref: c for c in load_cases(s, team_id="NPS-N1") if c.open_handover is not None}


def sample_world(engine):
    from storage.engine import session
    from storage.queries import load_world

    with session(engine) as s:
        return load_world(s)


def notices(app) -> list[str]:
    return [str(n.message) for n in app._notifications]


async def open_team(pilot) -> TeamScreen:
    await settle(pilot, CaseloadScreen)
    await pilot.press("T")
    return await settle(pilot, TeamScreen)


async def solve(pilot) -> RebalanceScreen:
    """From the team screen: r, accept the policy's defaults, wait for the plan."""
    await pilot.press("r")
    await wait_for(pilot, lambda: isinstance(pilot.app.screen, RebalanceOptions))
    await pilot.press("enter")  # the target field has the focus; enter solves
    screen = await settle(pilot, RebalanceScreen)
    assert screen.solved is not None, notices(pilot.app)
    return screen


async def test_team_screen_lists_every_practitioner_with_band_words(make_app, sample_engine):
    """Every practitioner of NPS-N1, each with bar and band word; N1-02 is OVER."""
    app = make_app(LEAD)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_team(pilot)
        table = screen.query_one("#team")
        assert [table.coordinate_to_cell_key((i, 0)).row_key.value for i in range(table.row_count)] \
            == team_ids(sample_engine)
        for pid in team_ids(sample_engine):
            capacity = cell(table, pid, "capacity")
            assert capacity.split()[-1] in BAND_WORDS, capacity
            assert "%" in capacity and ("█" in capacity or "░" in capacity)
        assert cell(table, OVER, "capacity").endswith("OVER")
        assert screen.view.member(OVER).load.capacity_pct > 110
        # warnings by severity in symbols, absences and leaving dates in words
        assert cell(table, OVER, "warnings").startswith("▲")
        assert "leaves 18 Dec" in cell(table, "N1-03", "away")
        assert "away" in cell(table, "N1-06", "away")
        assert cell(table, LEAD, "grade").startswith("lead")


async def test_enter_drills_into_the_practitioners_caseload(make_app):
    """enter opens N1-02's caseload on top; the lead stays signed in; esc comes back."""
    app = make_app(LEAD)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_team(pilot)
        table = screen.query_one("#team")
        table.move_cursor(row=table.get_row_index(OVER))
        await pilot.press("enter")
        drilled = await settle(pilot, CaseloadScreen)
        assert drilled is not app.screen_stack[0]
        assert drilled.view.practitioner.practitioner_id == OVER
        assert not drilled.view.team_view
        assert drilled.view.rows and all(r.practitioner_id == OVER for r in drilled.view.rows)
        assert app.practitioner_id == LEAD and app.actor == LEAD
        # a case opened from the drilled caseload keeps the drill-in under it
        await pilot.press("enter")
        await wait_for(pilot, lambda: type(app.screen).__name__ == "CaseScreen")
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen is drilled)
        await pilot.press("escape")
        await wait_for(pilot, lambda: isinstance(app.screen, TeamScreen))


async def test_palette_opens_the_team_workload(make_app):
    app = make_app(LEAD)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot, CaseloadScreen)
        chosen = await palette_pick(pilot, "team workload")
        assert "Team workload" in chosen
        await settle(pilot, TeamScreen)


async def test_rebalance_brings_n1_02_under_the_target_and_dropping_updates_after(make_app, sample_engine):
    app = make_app(LEAD)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_team(pilot)
        screen = await solve(pilot)
        plan = screen.plan
        # cases leave N1-02; a B-tier case a PSO may not take can go to a PO who passes one on
        assert plan.moves and OVER in {m.from_id for m in plan.moves}
        assert plan.practitioner(OVER).pct_before > 110
        assert plan.practitioner(OVER).pct_after <= 110 and plan.target_pct == 110
        assert plan.overload_points == 0
        capacity = screen.query_one("#capacity")
        assert "OVER" in cell(capacity, OVER, "before") and "OVER" not in cell(capacity, OVER, "after")
        status = str(screen.query_one("#status").render())
        assert "optimal" in status and "gap 0.00%" in status
        # every move says why, with its points and cost
        moves = screen.query_one("#moves")
        first = plan.moves[0]
        assert cell(moves, first.case_ref, "reason") == first.reason and first.reason
        after_before_drop = plan.practitioner(OVER).points_after

        moves.move_cursor(row=0)
        await pilot.press("space")
        await pilot.pause()
        dropped = screen.solved.plan.moves[0]
        assert dropped.case_ref not in screen.accepted
        assert screen.plan.practitioner(OVER).points_after == after_before_drop + dropped.points
        assert screen.plan.practitioner(dropped.to_id).points_after \
            == plan.practitioner(dropped.to_id).points_after - dropped.points
        assert cell(moves, dropped.case_ref, "ok").startswith("[ ]")
        expected = screen.plan.practitioner(OVER).pct_after
        assert f"{expected:.0f}%" in cell(capacity, OVER, "after")
        assert f"Accepted {len(plan.moves) - 1} of {len(plan.moves)}" in str(screen.query_one("#status").render())

        await pilot.press("n")
        await pilot.pause()
        assert not screen.plan.moves
        assert all(p.points_after == p.points_before for p in screen.plan.practitioners)
        await pilot.press("a")
        await pilot.pause()
        assert screen.plan.practitioner(OVER).pct_after <= 110
        # each move shows the date its handover would get: from as-of + 28 days (Fri 25 and Mon 28 Dec
        # are bank holidays), at most 2 a working day for each giver, never on a day the receiver is away
        dates = screen.solved.dates
        new = [m for m in plan.moves if not m.already_planned]
        for m in plan.moves:
            shown = cell(moves, m.case_ref, "date")
            assert shown == ("planned" if m.already_planned else f"{dates[m.case_ref]:%a %d %b}")
        assert min(dates[m.case_ref] for m in new) == date(2026, 12, 29)
        per_day = Counter((m.from_id, dates[m.case_ref]) for m in new)
        assert max(per_day.values()) <= 2
        world = sample_world(sample_engine)
        for m in new:
            day = dates[m.case_ref]
            assert working_days().is_working(day), m
            assert not any(a.covers(day) for a in world.absences_of(m.to_id)), m


async def test_applying_plans_warm_handovers_with_checklists(make_app, sample_engine):
    """enter, confirm: one planned handover with checklist per accepted move,
    one rebalance audit event, no case reallocated; the dropped move plans nothing."""
    before = open_handovers(sample_engine)
    app = make_app(LEAD)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_team(pilot)
        screen = await solve(pilot)
        screen.query_one("#moves").move_cursor(row=0)
        await pilot.press("space")
        await pilot.pause()
        dropped = screen.solved.plan.moves[0].case_ref
        # a move of a case already handed to that receiver (the leaver's, in the sample) plans nothing new
        accepted = [m for m in screen.plan.moves if not m.already_planned]
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, ApplyConfirm))
        confirm = app.screen
        assert len(accepted) >= 2 and confirm.title_text == f"Plan {len(accepted)} warm handovers?"
        shown = {m.case_ref: screen.solved.dates[m.case_ref] for m in accepted}  # the dates on the screen
        text = str(confirm.query_one("#confirm-text").render())
        first, last = min(shown.values()), max(shown.values())
        assert first == date(2026, 12, 29) < last  # as-of + 28 is Christmas Day; staggered after it
        assert (f"planned from {nice(first)} to {nice(last)}, at most 2 a working day for each practitioner"
                in text)
        # NG1015's handover to N1-07 is already planned: one move, said in the singular
        assert [m.case_ref for m in screen.plan.moves if m.already_planned] == ["NG1015"]
        assert "1 accepted move already has that handover planned." in text
        await pilot.press("ctrl+s")
        await settle(pilot, TeamScreen, after=1)
        assert screen.applied is not None and len(screen.applied.handover_ids) == len(accepted)
        assert any("Planned" in n and "1 was already planned." in n for n in notices(app))

    after = open_handovers(sample_engine)
    for move in accepted:
        case = after[move.case_ref]
        h = case.open_handover
        assert case.practitioner_id == move.from_id  # not reallocated: the handover is only planned
        assert h.to_practitioner_id == move.to_id and h.status == "planned"
        assert h.planned_on == shown[move.case_ref]  # the date the screen showed
        assert len(h.items) >= 5 and any(i.required for i in h.items)
    assert dropped not in after or dropped in before
    events = audit_events(sample_engine, "rebalance")
    assert len(events) == 1
    detail = json.loads(events[0].detail)
    assert events[0].actor == LEAD and events[0].entity_key == "NPS-N1"
    assert detail["handovers_planned"] == len(accepted) and detail["edited"] is True
    assert len(audit_events(sample_engine, "plan")) >= len(accepted)


async def test_a_stale_plan_applies_nothing(make_app, sample_engine):
    """A case handed elsewhere after solving: ConflictError, a notice, nothing written."""
    from storage.engine import session
    from storage.repo import commit_or_conflict, plan_handover

    app = make_app(LEAD)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_team(pilot)
        screen = await solve(pilot)
        first, second = screen.plan.moves[0], screen.plan.moves[1]
        other = next(pid for pid in team_ids(sample_engine) if pid not in (LEAD, OVER, first.to_id))
        with session(sample_engine) as s:  # someone else plans a handover meanwhile
            plan_handover(s, case_ref=first.case_ref, to_practitioner_id=other, planned_on=AS_OF,
                          reason="test", actor="someone", as_of=AS_OF)
            commit_or_conflict(s)
        planned_before = len(audit_events(sample_engine, "plan"))
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, ApplyConfirm))
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: isinstance(app.screen, RebalanceScreen) and not screen.applying)
        assert screen.applied is None
        assert any("Nothing was applied" in n and first.case_ref in n for n in notices(app))
    assert audit_events(sample_engine, "rebalance") == []
    assert len(audit_events(sample_engine, "plan")) == planned_before
    assert second.case_ref not in open_handovers(sample_engine)


async def test_a_non_lead_gets_a_notice_and_nothing_is_applied(make_app, sample_engine):
    app = make_app(OVER)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot, CaseloadScreen)
        await pilot.press("T")
        await wait_for(pilot, lambda: any("not a team lead" in n for n in notices(app)))
        assert isinstance(app.screen, CaseloadScreen)
        # even on the team screen (reached another way) the rebalance key refuses
        app.push_screen(TeamScreen())
        screen = await settle(pilot, TeamScreen)
        assert screen.view is None and screen.refused
        await pilot.press("r")
        await pilot.pause()
        assert isinstance(app.screen, TeamScreen)
        assert sum("not a team lead" in n for n in notices(app)) >= 2
    assert audit_events(sample_engine, "rebalance") == []


def test_apply_refuses_a_non_lead(sample_engine):
    """The data layer refuses too: a plan applied by N1-02 writes nothing."""
    from planner.errors import CaseloadError
    from tui.data import Gateway
    from tui.team_data import apply_rebalance, solve_rebalance

    gateway = Gateway(sample_engine)
    plan = solve_rebalance(gateway, LEAD, AS_OF).plan
    before = set(open_handovers(sample_engine))
    with pytest.raises(CaseloadError, match="not a team lead"):
        apply_rebalance(gateway, plan, handover_on=None, actor=OVER)
    with pytest.raises(CaseloadError, match="not a team lead"):
        solve_rebalance(gateway, OVER, AS_OF)
    assert audit_events(sample_engine, "rebalance") == []
    assert set(open_handovers(sample_engine)) == before


def test_team_screen_snapshot(snap_compare, make_app):
    """The NPS-N1 board at 120x40: bars, band words, warnings, absences."""

    async def ready(pilot):
        await settle(pilot, CaseloadScreen)
        await pilot.press("T")
        await settle(pilot, TeamScreen)
        screen = pilot.app.screen
        screen.query_one("#team").move_cursor(row=1)
        await pilot.pause()

    assert snap_compare(make_app(LEAD), terminal_size=(120, 40), run_before=ready)
