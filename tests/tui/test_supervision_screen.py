"""The supervision screen (issue 7), driven by keys only on a copy of the
sample at 2026-11-27: N1-01 (Helen Marchbank) leads team NPS-N1.

What these prove: a lead walks a practitioner's caseload end to end and
every mark lands in the database, audited, in the Markdown record and (for
actions) in the week plan; a practitioner who is not a lead is told so; a
35-case caseload can be walked to "35 of 35 reviewed" with n and x alone; a
note changed elsewhere is refused without losing the typed text; `?` lists
the screen's keys.
"""

from __future__ import annotations

import json
import stat
from datetime import timedelta

import pytest
from click.testing import CliRunner
from sqlalchemy import select
from textual.widgets import Input, OptionList, TextArea

from storage import models as m
from storage.engine import session
from tests.tui.helpers import AS_OF, palette_pick, settle, wait_for
from tui.screens.caseload import CaseloadScreen
from tui.screens.help import HelpScreen
from tui.screens.confirm import ConfirmScreen
from tui.screens.supervision.action_form import ActionForm
from tui.screens.supervision.record_path_form import RecordPathForm
from tui.screens.supervision.screen import SupervisionScreen

LEAD = "N1-01"  # team_lead of NPS-N1 in the sample
PRACTITIONER = "N1-02"  # has an earlier session with open actions
LARGEST = "N1-05"  # 35 open cases


@pytest.fixture(autouse=True)
def _private_data(tmp_path, monkeypatch):
    """Exported records go to a temporary user data folder."""
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))


def plain(renderable) -> str:
    """The text of a Rich Text or Group of Texts (tables skipped)."""
    from rich.console import Group
    from rich.text import Text

    if isinstance(renderable, Text):
        return renderable.plain
    if isinstance(renderable, Group):
        return "\n".join(plain(r) for r in renderable.renderables)
    return getattr(renderable, "plain", "")  # textual Content


def messages(app) -> list[str]:
    return [n.message for n in app._notifications]


async def idle(pilot, screen: SupervisionScreen) -> None:
    """Wait until every queued write has been stored and handled."""
    await wait_for(pilot, lambda: not screen.busy)


async def open_by_keys(pilot, practitioner_id: str) -> SupervisionScreen:
    """From the lead's caseload: S, choose the practitioner in the picker, enter, y."""
    app = pilot.app
    await settle(pilot, CaseloadScreen)
    await pilot.press("S")
    await wait_for(pilot, lambda: app.screen.is_modal and app.screen.query("#choices"))
    choices = app.screen.query_one("#choices", OptionList)
    await pilot.press("home")
    for _ in range(choices.option_count):
        if choices.get_option_at_index(choices.highlighted).id == practitioner_id:
            break
        await pilot.press("down")
    assert choices.get_option_at_index(choices.highlighted).id == practitioner_id
    await pilot.press("enter")  # chooses; the session starts after a yes
    await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen))
    await pilot.press("y")
    return await settle(pilot, SupervisionScreen)


def db_rows(engine, session_id: int):
    with session(engine) as s:
        notes = {ref: row for row, ref in s.execute(
            select(m.SupervisionNote, m.Case.case_ref).join(m.Case, m.Case.id == m.SupervisionNote.case_id)
            .where(m.SupervisionNote.session_id == session_id)).all()}
        actions = s.execute(select(m.Action).where(m.Action.session_id == session_id)).scalars().all()
        audit = s.execute(select(m.AuditEvent).order_by(m.AuditEvent.id)).scalars().all()
        sess = s.execute(select(m.SupervisionSession).where(m.SupervisionSession.id == session_id)).scalar_one()
        return notes, actions, audit, sess


async def test_a_lead_runs_a_session_by_keys(make_app, sample_engine, sample_path, tmp_path):
    from planner.risk import evaluate_case
    from planner.week import week_plan
    from storage.queries import load_actions, load_case, load_cases, load_world
    from storage.supervision import previous_open_actions, session_queue

    app = make_app(LEAD)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_by_keys(pilot, PRACTITIONER)
        sid = screen.view.session_id
        assert screen.view.lead.practitioner_id == LEAD and not screen.view.resumed

        # The start shows the earlier session's open actions.
        with session(sample_engine) as s:
            carried = previous_open_actions(s, PRACTITIONER, sid)
            expected_order = [item.case_ref for item in session_queue(s, sid, as_of=AS_OF)[0]]
        assert carried, "the sample's earlier N1-02 session left open actions"
        overview = plain(screen._overview())
        for action in carried:
            assert action.text in overview
        assert screen.index == -1 and screen.has_class("-overview")

        # The queue is review_queue's order; n / b (and j, ←) move through it.
        assert [item.case_ref for item in screen.queue] == expected_order
        await pilot.press("n")
        assert screen.current_ref == expected_order[0]
        await pilot.press("n", "j", "b", "left")
        assert screen.current_ref == expected_order[0]
        await pilot.press("right", "k")
        assert screen.current_ref == expected_order[0]
        ref = screen.current_ref
        assert "Case 1/" in plain(screen.query_one("#position").render())

        # Write a note: enter goes into it, esc finishes and saves.
        words = "Talked through the early weeks and agreed two visits next week"
        await pilot.press("enter", *words)
        assert screen.query_one("#note", TextArea).text == words
        await pilot.press("escape")
        await idle(pilot, screen)
        assert screen.notes[ref].written == words and ref not in screen.drafts

        # Cycle to the second prompt and pin it; flag; mark reviewed.
        prompt = screen.view.prompts.flat(screen.current.case)[1]
        await pilot.press("r", "i", "f", "x")
        await idle(pilot, screen)
        assert screen.notes[ref].pinned == (" ".join(prompt.pin_text.split()),)
        assert screen.notes[ref].flagged and screen.notes[ref].reviewed
        total = len(screen.queue)
        assert screen.progress().text.startswith(f"1 of {total} reviewed")
        assert screen.sub_title.startswith(f"1 of {total} reviewed")

        # Agree an action: A, an empty save is refused next to the field, then text and ctrl+s.
        await pilot.press("A")
        await wait_for(pilot, lambda: isinstance(app.screen, ActionForm))
        form = app.screen
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert "Say what is to be done" in plain(form.query_one("#field-text .field--error").render())
        action_text = "Book a three-way meeting with the housing worker"
        await pilot.press(*action_text, "ctrl+s")
        await wait_for(pilot, lambda: app.screen is screen)
        due = AS_OF + timedelta(days=14)
        assert [(a.text, a.owner.id, a.due, a.case_ref) for a in screen.actions] == [
            (action_text, PRACTITIONER, due, ref)]

        # Privacy mode shows initials.
        name = screen.current.display_name
        def position() -> str:
            return plain(screen.query_one("#position").render())

        await pilot.press("p")
        # The privacy watcher re-renders on a later message: wait for it, then check.
        await wait_for(pilot, lambda: app.privacy and name not in position())
        assert screen.shown(name) in position() and screen.shown(name) != name
        await pilot.press("p")
        await wait_for(pilot, lambda: not app.privacy and name in position())

        # Export: e, enter takes the path offered; the file is the owner's alone.
        await pilot.press("e")
        await wait_for(pilot, lambda: isinstance(app.screen, RecordPathForm))
        offered = app.screen.query_one("#path", Input).value
        await pilot.press("enter")
        await wait_for(pilot, lambda: screen.exported is not None and not screen.busy)
        path = screen.exported
        assert str(path) == offered and path.parent.name == "supervision"
        assert str(path).startswith(str(tmp_path / "data"))
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
        assert any(str(path) in msg for msg in messages(app))

        # End the session: E, then y.
        await pilot.press("E")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.press("y")
        await wait_for(pilot, lambda: screen.ended and not screen.busy)
        assert "ENDED" in screen.sub_title
        await pilot.press("escape")
        await wait_for(pilot, lambda: isinstance(app.screen, CaseloadScreen))

    # ---- the database
    notes, actions, audit, sess = db_rows(sample_engine, sid)
    assert sess.ended_at is not None
    note = notes[ref]
    assert note.note.splitlines()[0] == words
    assert note.note.splitlines()[1] == "[prompt] " + " ".join(prompt.pin_text.split())
    assert note.reviewed and note.flagged
    with session(sample_engine) as s:
        expected = evaluate_case(load_case(s, ref), load_world(s), AS_OF)
    stored = json.loads(note.warnings_json)
    assert [(w["rule"], w["severity"]) for w in stored] == [(w.rule, w.severity) for w in expected]
    assert len(actions) == 1
    assert (actions[0].text, actions[0].due, actions[0].done) == (action_text, due, False)

    mine = [(e.action, e.entity) for e in audit if e.actor == LEAD]
    for event in [("start", "supervision_session"), ("save", "supervision_note"),
                  ("pin_prompt", "supervision_note"), ("flag", "supervision_note"),
                  ("review", "supervision_note"), ("add", "action"), ("end", "supervision_session")]:
        assert event in mine, event
    for e in audit:  # audit details hold ids, dates and counts: never the note or action text
        assert words not in (e.detail or "") and action_text not in (e.detail or "")

    # ---- the exported record
    record = path.read_text()
    assert record.startswith("# Supervision record: Dev Okonjo-Hale (N1-02), Friday 27 November 2026")
    assert "- **Team lead:** Helen Marchbank (N1-01)" in record
    assert f"### {ref}: " in record
    assert "- **Reviewed:** yes" in record and "- **Flagged for discussion:** yes" in record
    assert f"> {words}" in record
    assert prompt.text in record
    assert action_text in record
    assert "Warnings at the time of review" in record
    for w in expected:
        assert f"(`{w.rule}`)" in record
    for action in carried:
        assert action.text in record

    # ---- the action is in the practitioner's week plan and in `caseload week --format json`
    with session(sample_engine) as s:
        p = load_world(s).practitioners[PRACTITIONER]
        plan = week_plan(PRACTITIONER, due, load_cases(s, team_id=p.team_id), load_world(s),
                         load_actions(s, owner_id=PRACTITIONER), AS_OF)
    assert any(e.kind == "action" and e.title == action_text and e.day == due for e in plan.entries())

    from tui.cli import main

    sample_engine.dispose()
    result = CliRunner().invoke(main, ["--db", str(sample_path), "week", "--practitioner", PRACTITIONER,
                                       "--week-of", due.isoformat(), "--on", AS_OF.isoformat(),
                                       "--format", "json"])
    assert result.exit_code == 0, result.output
    entries = [e for day in json.loads(result.output)["days"] for e in day["entries"]]
    assert {"kind": "action", "title": action_text, "day": due.isoformat(), "case_ref": ref}.items() <= next(
        e for e in entries if e["kind"] == "action" and e["title"] == action_text).items()


async def test_a_practitioner_who_is_not_a_lead_is_told(make_app):
    app = make_app(PRACTITIONER)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot, CaseloadScreen)
        await pilot.press("S")
        await wait_for(pilot, lambda: any("team lead" in msg for msg in messages(app)))
        assert isinstance(app.screen, CaseloadScreen)
        notice = next(msg for msg in messages(app) if "team lead" in msg)
        assert PRACTITIONER in notice and "--as N1-01" in notice


async def test_walking_a_35_case_caseload_with_n_and_x(make_app, sample_engine):
    app = make_app(LEAD)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot, CaseloadScreen)
        chosen = await palette_pick(pilot, f"supervision {LARGEST}")
        assert chosen.startswith(f"Supervision: {LARGEST}")
        screen = await settle(pilot, SupervisionScreen)
        total = len(screen.queue)
        assert total >= 30
        for _ in range(total):
            await pilot.press("n", "x")
        await idle(pilot, screen)
        assert screen.index == total - 1
        assert screen.progress().text == f"{total} of {total} reviewed, 0 high-risk left"
        assert screen.sub_title.startswith(f"{total} of {total} reviewed")
        await pilot.press("n")  # past the end: a notice, no move
        assert screen.index == total - 1
        assert any("End of the queue" in msg for msg in messages(app))
        sid = screen.view.session_id
    notes, _actions, _audit, _sess = db_rows(sample_engine, sid)
    assert len(notes) == total and all(n.reviewed and n.warnings_json is not None for n in notes.values())


async def test_a_note_changed_elsewhere_keeps_the_typed_text(make_app, sample_engine):
    from storage.repo import commit_or_conflict
    from storage.supervision import save_note

    app = make_app(LEAD)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot, CaseloadScreen)
        app.action_supervision("N1-03")
        screen = await settle(pilot, SupervisionScreen)
        await pilot.press("n", "enter", *"first words", "escape")
        await idle(pilot, screen)
        ref, sid = screen.current_ref, screen.view.session_id
        version = screen.notes[ref].version

        with session(sample_engine) as s:  # someone else who may write it, in another window (the administrator)
            save_note(s, session_id=sid, case_ref=ref, text="their words", expected_version=version, actor="admin")
            commit_or_conflict(s)

        await pilot.press("enter", *" and mine", "ctrl+s")
        await idle(pilot, screen)
        area = screen.query_one("#note", TextArea)
        assert area.text == "first words and mine" and screen.drafts[ref] == "first words and mine"
        assert any("changed elsewhere" in msg for msg in messages(app))
        assert screen.notes[ref].written == "their words"  # what is stored now

        await pilot.press("ctrl+s")  # a second save is a deliberate overwrite
        await idle(pilot, screen)
        assert ref not in screen.drafts
    notes, *_ = db_rows(sample_engine, sid)
    assert notes[ref].note == "first words and mine"


async def test_help_lists_the_supervision_keys(make_app):
    app = make_app(LEAD)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot, CaseloadScreen)
        app.action_supervision(PRACTITIONER)
        await settle(pilot, SupervisionScreen)
        await pilot.press("question_mark")
        await wait_for(pilot, lambda: isinstance(app.screen, HelpScreen))
        listed = app.screen.listed
        for description in ("Next", "Prev", "Next case", "Previous case", "Next not reviewed", "Note",
                            "Save the note", "Reviewed", "Flag", "Prompt", "Pin", "Action",
                            "Export the record (Markdown)", "End the session", "Open the full case", "Back",
                            "Earlier sessions and their records",
                            "Supervision (team lead)"):
            assert description in listed, description
        await pilot.press("escape")
        assert isinstance(app.screen, SupervisionScreen)


def test_supervision_screen_snapshot(snap_compare, make_app):
    """N1-02's first case with the lead N1-01, at 120x40."""

    async def ready(pilot):
        await settle(pilot, CaseloadScreen)
        pilot.app.action_supervision(PRACTITIONER)
        screen = await settle(pilot, SupervisionScreen)
        await pilot.press("n")
        await pilot.pause()
        pilot.app.clear_notifications()
        await pilot.pause()
        assert screen.current_ref

    assert snap_compare(make_app(LEAD), terminal_size=(120, 40), run_before=ready)


async def test_an_open_session_is_picked_up_again(make_app):
    app = make_app(LEAD)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_by_keys(pilot, "N1-04")
        sid = screen.view.session_id
        await pilot.press("n", "x", "n", "enter", *"half written", "escape")  # esc: done writing
        await pilot.press("escape")  # esc again: back, after the note is saved
        await wait_for(pilot, lambda: isinstance(app.screen, CaseloadScreen))
        second = await open_by_keys(pilot, "N1-04")
        assert second is not screen and second.view.session_id == sid and second.view.resumed
        first, other = (item.case_ref for item in second.queue[:2])
        assert second.is_reviewed(first) and second.notes[other].written == "half written"
        assert second.progress().reviewed == 1


async def test_earlier_sessions_are_listed_and_readable(make_app):
    from tui.screens.picker.screen import PickerScreen
    from tui.screens.supervision.record import RecordScreen

    app = make_app(LEAD)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_by_keys(pilot, PRACTITIONER)
        await pilot.press("L")
        await wait_for(pilot, lambda: isinstance(app.screen, PickerScreen))
        choices = app.screen.query_one("#choices", OptionList)
        labels = [str(choices.get_option_at_index(i).prompt) for i in range(choices.option_count)]
        assert labels and all(f"Session {screen.view.session_id} " not in label for label in labels)
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, RecordScreen))
        assert app.screen.markdown.startswith("# Supervision record: Dev Okonjo-Hale (N1-02)")
        await pilot.press("escape")
        assert app.screen is screen


async def test_v_reviews_a_cold_handover_in_supervision(make_app, sample_engine):
    from planner.risk import evaluate_case
    from storage.queries import load_case, load_world
    from tui.screens.handover.review_form import ReviewForm

    app = make_app(LEAD)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_by_keys(pilot, "N1-07")
        refs = [item.case_ref for item in screen.queue]
        assert "NG1010" in refs  # the cold handover, in its band
        while screen.current_ref != "NG1010":
            await pilot.press("n")
        assert "V reviews it" in plain(screen.query_one("#handover").render())
        await pilot.press("V")
        form = app.screen
        assert isinstance(form, ReviewForm)
        form.query_one("#note").load_text("Talked it through: the three-way will be booked first next time.")
        loads = screen.loads
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: app.screen is screen and screen.loads > loads)
        assert "Reviewed." in plain(screen.query_one("#handover").render())
    with session(sample_engine) as s:
        h = s.execute(select(m.Handover).join(m.Case, m.Case.id == m.Handover.case_id)
                      .where(m.Case.case_ref == "NG1010")).scalars().one()
        assert (h.reviewed, h.reviewed_by) == (True, LEAD)
        warnings = evaluate_case(load_case(s, "NG1010"), load_world(s), AS_OF)
    assert not [w for w in warnings if w.rule == "cold_handover"]
