"""The app's .ics export is written as `caseload export` writes (storage/
files.py): 0600 even over an older, open file; an existing file replaced only
when the user saves again; never through a symbolic link; audited."""

from __future__ import annotations

from sqlalchemy import select

from storage import models as m
from storage.engine import session
from tests.tui.helpers import type_into, wait_for
from tests.tui.test_week_and_help import busiest, open_week
from tui.screens.forms.export_form import ExportForm


def field_error(form) -> str:
    return str(form.query_one("#field-path .field--error").render())


async def test_the_week_export_asks_before_replacing_and_writes_a_private_file(make_app, sample_engine, tmp_path):
    pid = busiest(sample_engine)
    out = tmp_path / "week.ics"
    out.write_text("an older file, open to all")
    out.chmod(0o644)
    app = make_app(pid)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_week(pilot)
        await pilot.press("e")
        form = app.screen
        assert isinstance(form, ExportForm)
        await type_into(pilot, "#path", str(out))
        await pilot.press("enter")
        await pilot.pause()
        assert app.screen is form and "already exists. Save again to replace it." in field_error(form)
        assert out.read_text() == "an older file, open to all"
        await pilot.press("enter")  # saved again: replace it
        await wait_for(pilot, lambda: app.screen is not form)
    assert out.read_bytes().startswith(b"BEGIN:VCALENDAR")
    assert (out.stat().st_mode & 0o777) == 0o600
    with session(sample_engine) as s:
        events = s.execute(select(m.AuditEvent).where(m.AuditEvent.action == "export")).scalars().all()
    assert [(e.entity, e.actor) for e in events] == [("week", pid)]


async def test_the_week_export_never_writes_through_a_link(make_app, sample_engine, tmp_path):
    pid = busiest(sample_engine)
    target = tmp_path / "somewhere-else.txt"
    target.write_text("keep me")
    link = tmp_path / "week.ics"
    link.symlink_to(target)
    app = make_app(pid)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_week(pilot)
        await pilot.press("e")
        form = app.screen
        await type_into(pilot, "#path", str(link))
        for _ in range(2):
            await pilot.press("enter")
            await pilot.pause()
            assert app.screen is form and "is a symbolic link" in field_error(form)
    assert target.read_text() == "keep me" and link.is_symlink()
