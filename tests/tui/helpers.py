"""Waiting for the app without sleeping: pause until a screen has handled a
load result and no worker is running."""

from __future__ import annotations

from datetime import date

AS_OF = date(2026, 11, 27)  # the date the sample is built for and every app test runs at


async def settle(pilot, screen_type=None, *, after: int = 0, rounds: int = 400):
    """Pause until the current screen (of `screen_type`, if given) has handled
    more than `after` load results and every worker has finished. Returns the screen."""
    app = pilot.app
    for _ in range(rounds):
        await pilot.pause()
        await app.workers.wait_for_complete()
        screen = app.screen
        if screen_type is not None and not isinstance(screen, screen_type):
            continue
        if getattr(screen, "loads", after + 1) > after and not any(w.is_running for w in app.workers):
            await pilot.pause()
            return screen
    raise AssertionError(f"screen {app.screen!r} never finished loading")


def rows_of(table) -> list[str]:
    """Case refs in the table, top to bottom."""
    return [table.coordinate_to_cell_key((i, 0)).row_key.value for i in range(table.row_count)]


async def type_into(pilot, selector: str, text: str, *, clear: bool = True) -> None:
    """Focus an Input and type, as a user would."""
    widget = pilot.app.screen.query_one(selector)
    widget.focus()
    await pilot.pause()
    if clear:
        widget.value = ""
    await pilot.press(*list(text))


async def wait_for(pilot, predicate, *, rounds: int = 400):
    """Pause until predicate() holds (workers finished each round)."""
    for _ in range(rounds):
        await pilot.pause()
        await pilot.app.workers.wait_for_complete()
        if predicate():
            await pilot.pause()
            return
    raise AssertionError("condition never held")


def find_case(engine, as_of, rule: str | None = None, *, without_handover: bool = False):
    """(practitioner_id, case_ref) of a sample case that has warning `rule`
    (any case when None), so tests follow the sample rather than hard-code it."""
    from planner.risk import evaluate
    from storage.engine import session
    from storage.queries import load_cases, load_world

    with session(engine) as s:
        world = load_world(s)
        cases = load_cases(s)
    for risk in evaluate(cases, world, as_of):
        case = risk.case
        if case.practitioner_id is None or world.practitioners[case.practitioner_id].is_lead:
            continue
        if without_handover:
            from tui.handover_data import has_handover_to_show

            if has_handover_to_show(case):  # open, or completed with follow-ups open: `h` shows it
                continue
        if rule is None or any(w.rule == rule for w in risk.warnings):
            return case.practitioner_id, case.case_ref
    raise AssertionError(f"the sample has no case with {rule}")


def find_absence(engine, as_of):
    """(practitioner_id, a day they are absent after as_of) for someone holding cases."""
    from datetime import timedelta

    from storage.engine import session
    from storage.queries import load_cases, load_world

    with session(engine) as s:
        world = load_world(s)
        for pid, absences in sorted(world.absences.items()):
            for a in absences:
                day = max(a.start_date, as_of + timedelta(days=1))
                while day.weekday() >= 5:
                    day += timedelta(days=1)
                if day <= a.end_date and load_cases(s, practitioner_id=pid):
                    return pid, day
    raise AssertionError("the sample has no absence ahead")


async def palette_pick(pilot, text: str) -> str:
    """Open the command palette, type, and choose the best hit; returns its text."""
    app = pilot.app
    await pilot.press("ctrl+p")
    await pilot.press(*text)

    def listed():
        lists = app.screen.query("CommandList")
        return bool(lists) and lists.first().option_count > 0

    await wait_for(pilot, listed)
    command_list = app.screen.query_one("CommandList")
    await wait_for(pilot, lambda: command_list.highlighted is not None or command_list.option_count == 1)
    index = command_list.highlighted or 0
    chosen = str(command_list.get_option_at_index(index).prompt)
    for _ in range(3):  # the first enter may only highlight
        await pilot.press("enter")
        await pilot.pause()
        if not app.screen.query("CommandList"):
            break
    await wait_for(pilot, lambda: not app.screen.query("CommandList"))
    return chosen
